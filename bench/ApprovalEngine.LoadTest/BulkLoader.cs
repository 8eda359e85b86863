using System.Diagnostics;
using Npgsql;

namespace ApprovalEngine.LoadTest;

/// <summary>
/// Grows the store to N instances by SQL, cloning instances the run made over HTTP (their tasks, journal, bookmarks and
/// WD card) under new ids. The column lists come from information_schema, so a schema change (new columns, the timer
/// rewrite) needs no change here. Most clones copy finished WD flows; <c>openShare</c> of them copy open WD requests,
/// so the inbox grows like a real one would (a few open among many closed).
/// </summary>
internal static class BulkLoader
{
    private const int BatchSize = 50_000;

    /// <summary>Tables whose rows belong to one instance through <c>instance_id</c>.</summary>
    private static readonly string[] ChildTables = ["tasks", "journal", "bookmarks"];

    public static async Task<(long Added, TimeSpan Took)> GrowAsync(string connectionString, long target, double openShare, Action<string> log, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        await using var c = new NpgsqlConnection(connectionString);
        await c.OpenAsync(ct);
        var existing = await ScalarAsync(c, "SELECT count(*) FROM instances", ct);
        var toAdd = target - existing;
        if (toAdd <= 0) return (0, clock.Elapsed);

        await ExecAsync(c, """
            CREATE TEMP TABLE bench_closed AS
              SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS rn FROM instances
              WHERE parent_instance_id IS NULL AND completed_at IS NOT NULL AND definition_id = 'wd-request';
            CREATE TEMP TABLE bench_open AS
              SELECT id, (row_number() OVER (ORDER BY id) - 1)::int AS rn FROM
                (SELECT id FROM instances WHERE parent_instance_id IS NULL AND completed_at IS NULL AND definition_id = 'wd-request' ORDER BY id LIMIT 500) o;
            CREATE TEMP TABLE bench_map (old_id uuid NOT NULL, new_id uuid NOT NULL);
            """, ct);
        var closedTemplates = await ScalarAsync(c, "SELECT count(*) FROM bench_closed", ct);
        var openTemplates = await ScalarAsync(c, "SELECT count(*) FROM bench_open", ct);
        if (closedTemplates == 0) throw new InvalidOperationException("No finished wd-request instance to clone: run scenario 2 (the full WD flow) before scenario 4.");
        var open = openTemplates == 0 ? 0 : (long)Math.Round(toAdd * openShare);
        var closed = toAdd - open;
        log($"  bulk load: {toAdd:N0} instances ({closed:N0} clones of {closedTemplates} finished WD flows, {open:N0} of {openTemplates} open WD requests)");

        var statements = await CloneStatementsAsync(c, ct);
        await ExecAsync(c, "SET synchronous_commit = off", ct);
        long done = 0;
        foreach (var (table, count, templates) in new[] { ("bench_closed", closed, closedTemplates), ("bench_open", open, openTemplates) })
        {
            for (long offset = 0; offset < count; offset += BatchSize)
            {
                var size = Math.Min(BatchSize, count - offset);
                await using var tx = await c.BeginTransactionAsync(ct);
                await ExecAsync(c, $"""
                    TRUNCATE bench_map;
                    INSERT INTO bench_map SELECT t.id, gen_random_uuid() FROM generate_series({offset}, {offset + size - 1}) g JOIN {table} t ON t.rn = (g % {templates});
                    """, ct);
                foreach (var sql in statements) await ExecAsync(c, sql, ct);
                await tx.CommitAsync(ct);
                done += size;
                if (done % 200_000 < BatchSize || done == toAdd) log($"  bulk load: {done:N0}/{toAdd:N0} ({clock.Elapsed.TotalSeconds:0} s)");
            }
        }
        // As a long-lived store would be: statistics current, visibility maps set, the bulk's dirty pages written; so
        // that neither autovacuum nor a checkpoint of the load lands in the measured phases.
        await ExecAsync(c, "VACUUM ANALYZE", ct);
        await ExecAsync(c, "CHECKPOINT", ct);
        return (done, clock.Elapsed);
    }

    /// <summary>INSERT … SELECT for the instances, their child rows and the WD cards, from the live column lists.</summary>
    private static async Task<List<string>> CloneStatementsAsync(NpgsqlConnection c, CancellationToken ct)
    {
        var list = new List<string>();
        var instanceColumns = await ColumnsAsync(c, "instances", ct);
        list.Add(Insert("instances", instanceColumns, "s.id = m.old_id", col => col.Name switch
        {
            "id" => "m.new_id",
            // unique per definition for root instances; clones have none
            "correlation_id" => "NULL",
            "state_json" when col.Type == "text" => "replace(s.state_json, s.id::text, m.new_id::text)",
            _ => "s." + Quote(col.Name),
        }));
        var cards = await ColumnsAsync(c, "wd_requests", ct);
        if (cards.Count > 0) list.Add(Insert("wd_requests", cards, "s.id = m.old_id", col => col.Name == "id" ? "m.new_id" : "s." + Quote(col.Name)));
        foreach (var table in ChildTables)
        {
            var columns = await ColumnsAsync(c, table, ct);
            if (columns.All(x => x.Name != "instance_id")) continue;
            // identity ids are left to their default
            list.Add(Insert(table, [.. columns.Where(x => !(x.Name == "id" && x.Generated))], "s.instance_id = m.old_id", col => col.Name switch
            {
                "instance_id" => "m.new_id",
                "id" when col.Type == "uuid" => "gen_random_uuid()",
                _ => "s." + Quote(col.Name),
            }));
        }
        return list;
    }

    private static string Insert(string table, IReadOnlyList<Column> columns, string join, Func<Column, string> expression) =>
        $"INSERT INTO {Quote(table)} ({string.Join(", ", columns.Select(x => Quote(x.Name)))}) " +
        $"SELECT {string.Join(", ", columns.Select(expression))} FROM {Quote(table)} s JOIN bench_map m ON {join}";

    private sealed record Column(string Name, string Type, bool Generated);

    private static async Task<List<Column>> ColumnsAsync(NpgsqlConnection c, string table, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("""
            SELECT column_name, data_type, (is_identity = 'YES' OR coalesce(column_default, '') LIKE 'nextval%') AS generated
            FROM information_schema.columns
            WHERE table_schema = current_schema() AND table_name = @t AND is_generated = 'NEVER'
            ORDER BY ordinal_position
            """, c);
        cmd.Parameters.AddWithValue("t", table);
        var list = new List<Column>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) list.Add(new Column(reader.GetString(0), reader.GetString(1), reader.GetBoolean(2)));
        return list;
    }

    private static string Quote(string name) => "\"" + name.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";

    private static async Task<long> ScalarAsync(NpgsqlConnection c, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 0 };
        return Convert.ToInt64(await cmd.ExecuteScalarAsync(ct), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static async Task ExecAsync(NpgsqlConnection c, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, c) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
