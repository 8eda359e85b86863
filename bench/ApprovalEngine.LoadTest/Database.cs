using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;
using Npgsql;

namespace ApprovalEngine.LoadTest;

/// <summary>One statement of pg_stat_statements: its text (shortened) and how often it ran.</summary>
internal sealed record StatementCount(string Query, long Calls);

/// <summary>What pg_stat_statements saw in the application's database during one phase.</summary>
internal sealed record StatementReport(long TotalCalls, IReadOnlyList<StatementCount> Top, IReadOnlyList<StatementCount> All, TimeSpan Window)
{
    public static StatementReport None { get; } = new(0, [], [], TimeSpan.Zero);
}

/// <summary>pgbench runs and the application database as seen by SQL (counts, pg_stat_statements).</summary>
internal sealed partial class Database(string adminConnectionString, string appConnectionString, string appDatabase, string binDirectory)
{
    /// <summary>Marks the harness's own queries in the application database, so statement counts leave them out.</summary>
    public const string Marker = "/* bench-harness */ ";

    public string AppConnectionString => appConnectionString;

    public string AppDatabase => appDatabase;

    /// <summary>
    /// Initialises <paramref name="database"/> at scale <paramref name="scale"/> and runs the TPC-B-like default script:
    /// the database's own commit rate on this machine, the yardstick every figure is divided by.
    /// </summary>
    public async Task<(double Tps, string Output)> RunPgbenchAsync(string host, int port, string database, int scale, int clients, int seconds, CancellationToken ct)
    {
        await ExecuteAsync(adminConnectionString, $"CREATE DATABASE \"{database}\"", ct);
        string[] connection = ["-h", host, "-p", port.ToString(CultureInfo.InvariantCulture), "-U", "postgres"];
        await RunToolAsync("pgbench", ["-i", "-q", "-s", scale.ToString(CultureInfo.InvariantCulture), .. connection, database], TimeSpan.FromMinutes(10), ct);
        var output = await RunToolAsync("pgbench", ["-c", clients.ToString(CultureInfo.InvariantCulture), "-j", "2", "-T", seconds.ToString(CultureInfo.InvariantCulture), .. connection, database],
            TimeSpan.FromSeconds(seconds + 120), ct);
        var match = TpsPattern().Match(output);
        if (!match.Success) throw new InvalidOperationException($"pgbench printed no tps:\n{output}");
        return (double.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture), output);
    }

    [GeneratedRegex(@"tps = ([0-9.]+) \(without initial connection time\)")]
    private static partial Regex TpsPattern();

    private async Task<string> RunToolAsync(string tool, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken ct)
    {
        var info = new ProcessStartInfo(Path.Combine(binDirectory, tool)) { UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["LC_ALL"] = "C";
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {tool}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        var output = await stdout + await stderr;
        if (process.ExitCode != 0) throw new InvalidOperationException($"{tool} failed ({process.ExitCode}):\n{output}");
        return output;
    }

    /// <summary>pg_stat_statements lives in the postgres database; it sees every database of the server.</summary>
    public Task InstallStatementsAsync(CancellationToken ct) => ExecuteAsync(adminConnectionString, "CREATE EXTENSION IF NOT EXISTS pg_stat_statements", ct);

    private long _resetAt = Stopwatch.GetTimestamp();

    public async Task ResetStatementsAsync(CancellationToken ct)
    {
        await ExecuteAsync(adminConnectionString, "SELECT pg_stat_statements_reset()", ct);
        _resetAt = Stopwatch.GetTimestamp();
    }

    /// <summary>Calls in the application's database since the last reset (BEGIN/COMMIT included: track_utility is on).</summary>
    public async Task<StatementReport> ReadStatementsAsync(CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(
            """
            SELECT query, calls FROM pg_stat_statements
            WHERE dbid = (SELECT oid FROM pg_database WHERE datname = @db) AND query NOT LIKE '%' || @marker || '%'
            ORDER BY calls DESC
            """, connection);
        cmd.Parameters.AddWithValue("db", appDatabase);
        cmd.Parameters.AddWithValue("marker", "bench-harness");
        var window = Stopwatch.GetElapsedTime(_resetAt);
        var all = new List<StatementCount>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) all.Add(new StatementCount(reader.GetString(0), reader.GetInt64(1)));
        return new StatementReport(all.Sum(x => x.Calls), [.. all.Take(5)], all, window);
    }

    public async Task<long> ScalarAsync(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(appConnectionString);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(Marker + sql, connection) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        var result = await cmd.ExecuteScalarAsync(ct);
        return result is null or DBNull ? 0 : Convert.ToInt64(result, CultureInfo.InvariantCulture);
    }

    public async Task<List<Guid>> IdsAsync(string sql, CancellationToken ct, params (string Name, object Value)[] parameters)
    {
        await using var connection = new NpgsqlConnection(appConnectionString);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(Marker + sql, connection) { CommandTimeout = 0 };
        foreach (var (name, value) in parameters) cmd.Parameters.AddWithValue(name, value);
        var ids = new List<Guid>();
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct)) ids.Add(reader.GetGuid(0));
        return ids;
    }

    public Task ExecuteAppAsync(string sql, CancellationToken ct) => ExecuteAsync(appConnectionString, sql, ct);

    public async Task<IReadOnlyList<(string Name, string Setting)>> SettingsAsync(IEnumerable<string> names, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(adminConnectionString);
        await connection.OpenAsync(ct);
        var list = new List<(string, string)>();
        foreach (var name in names)
        {
            await using var cmd = new NpgsqlCommand("SELECT current_setting(@n, true)", connection);
            cmd.Parameters.AddWithValue("n", name);
            list.Add((name, (await cmd.ExecuteScalarAsync(ct)) as string ?? "?"));
        }
        return list;
    }

    private static async Task ExecuteAsync(string connectionString, string sql, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, connection) { CommandTimeout = 0 };
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
