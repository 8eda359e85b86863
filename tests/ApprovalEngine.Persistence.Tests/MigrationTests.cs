using ApprovalEngine.Scheduling;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>The hand-written SQL migrations must produce exactly the schema the EF model describes.</summary>
public sealed class MigrationTests
{
    private static readonly string[] QuartzTables =
    [
        "qrtz_job_details", "qrtz_triggers", "qrtz_simple_triggers", "qrtz_cron_triggers", "qrtz_simprop_triggers",
        "qrtz_blob_triggers", "qrtz_calendars", "qrtz_paused_trigger_grps", "qrtz_fired_triggers", "qrtz_scheduler_state", "qrtz_locks",
    ];

    private static IReadOnlyList<SqlMigration> Extra() => [new SqlMigration(2, "quartz", SchedulingSetup.PostgresSchemaScript())];

    private static async Task<string> MigratedDatabaseAsync(string prefix)
    {
        var cs = await SharedPostgres.CreateDatabaseAsync(prefix);
        await using var db = TestDatabase.CreateContext(DatabaseProvider.Postgres, cs);
        await Migrator.MigrateAsync(db, Extra());
        return cs;
    }

    [Test]
    public async Task Migrated_schema_matches_the_schema_EF_creates_from_the_model()
    {
        var migrated = await MigratedDatabaseAsync("mig_a");
        var created = await SharedPostgres.CreateDatabaseAsync("mig_b");
        await using (var db = TestDatabase.CreateContext(DatabaseProvider.Postgres, created))
        {
            Assert.That(await db.Database.EnsureCreatedAsync(), Is.True);
        }

        var columnsA = await ColumnsAsync(migrated);
        var columnsB = await ColumnsAsync(created);
        var indexesA = await IndexesAsync(migrated);
        var indexesB = await IndexesAsync(created);
        // Expression indexes the model cannot declare (ADR 23: the inbox search's lower(…) columns): the migrations must
        // hold exactly these beyond the model.
        var expressionOnly = indexesA.Except(indexesB).ToList();
        Assert.That(expressionOnly.Select(i => i.Split(':')[0]), Is.EquivalentTo(ExpressionIndexes), string.Join("\n", expressionOnly));
        indexesA = [.. indexesA.Except(expressionOnly)];

        Assert.Multiple(() =>
        {
            Assert.That(columnsB, Is.Not.Empty);
            Assert.That(columnsA.Except(columnsB), Is.Empty, "in the migrated database only");
            Assert.That(columnsB.Except(columnsA), Is.Empty, "in the model only (missing from the migrations)");
            Assert.That(indexesA.Except(indexesB), Is.Empty, "indexes in the migrated database only");
            Assert.That(indexesB.Except(indexesA), Is.Empty, "indexes in the model only (missing from the migrations)");
        });
    }

    private static readonly string[] ExpressionIndexes =
        ["tasks.ix_tasks_subject_account", "tasks.ix_tasks_subject_currency", "tasks.ix_tasks_subject_customer"];

    [Test]
    public async Task Migrating_twice_changes_nothing()
    {
        var cs = await MigratedDatabaseAsync("mig_twice");
        var before = await ColumnsAsync(cs, includeQuartz: true);
        var applied = await ScalarAsync<long>(cs, "SELECT count(*) FROM schema_migrations");
        await using (var db = TestDatabase.CreateContext(DatabaseProvider.Postgres, cs))
        {
            await Migrator.MigrateAsync(db, Extra());
        }
        Assert.Multiple(async () =>
        {
            Assert.That(await ScalarAsync<long>(cs, "SELECT count(*) FROM schema_migrations"), Is.EqualTo(applied));
            Assert.That(applied, Is.EqualTo(Migrator.PostgresScripts().Count + 1));
            Assert.That(await ColumnsAsync(cs, includeQuartz: true), Is.EqualTo(before));
        });
    }

    [Test]
    public async Task Two_servers_migrating_the_same_fresh_database_at_once_both_succeed()
    {
        var cs = await SharedPostgres.CreateDatabaseAsync("mig_race");
        async Task Migrate()
        {
            await using var db = TestDatabase.CreateContext(DatabaseProvider.Postgres, cs);
            await Migrator.MigrateAsync(db, Extra());
        }
        await Task.WhenAll(Task.Run(Migrate), Task.Run(Migrate), Task.Run(Migrate));
        var versions = await ScalarAsync<string>(cs, "SELECT string_agg(version::text, ',' ORDER BY version) FROM schema_migrations");
        Assert.That(versions, Is.EqualTo(string.Join(',', Migrator.PostgresScripts().Select(m => m.Version).Append(2).Order())));
    }

    [Test]
    public async Task Quartz_tables_exist_after_migration()
    {
        var cs = await MigratedDatabaseAsync("mig_quartz");
        var tables = await ScalarAsync<string>(cs, "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public' AND table_name LIKE 'qrtz\\_%'");
        Assert.That(tables.Split(','), Is.SupersetOf(QuartzTables));
    }

    [Test]
    public void Quartz_schema_script_has_its_table_prefix_filled_in()
    {
        var script = SchedulingSetup.PostgresSchemaScript();
        Assert.Multiple(() =>
        {
            Assert.That(script, Does.Not.Contain("{0}").And.Not.Contain("{1}"));
            Assert.That(script, Does.Contain("CREATE TABLE IF NOT EXISTS qrtz_triggers"));
        });
    }

    private static async Task<T> ScalarAsync<T>(string cs, string sql)
    {
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    private static async Task<List<string>> ColumnsAsync(string cs, bool includeQuartz = false)
    {
        const string sql = """
            SELECT table_name, column_name, data_type, is_nullable, coalesce(character_maximum_length::text, '-'),
                   coalesce(numeric_precision::text, '-'), coalesce(numeric_scale::text, '-')
            FROM information_schema.columns
            WHERE table_schema = 'public' AND table_name <> 'schema_migrations'
            ORDER BY table_name, column_name
            """;
        var rows = new List<string>();
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            var table = reader.GetString(0);
            if (!includeQuartz && table.StartsWith("qrtz_", StringComparison.Ordinal)) continue;
            rows.Add($"{table}.{reader.GetString(1)} {reader.GetString(2)} null={reader.GetString(3)} len={reader.GetString(4)} prec={reader.GetString(5)},{reader.GetString(6)}");
        }
        return rows;
    }

    private static async Task<List<string>> IndexesAsync(string cs)
    {
        const string sql = """
            SELECT tablename, indexname, indexdef FROM pg_indexes
            WHERE schemaname = 'public' AND tablename <> 'schema_migrations' AND tablename NOT LIKE 'qrtz\_%'
            ORDER BY tablename, indexname
            """;
        var rows = new List<string>();
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add($"{reader.GetString(0)}.{reader.GetString(1)}: {reader.GetString(2)}");
        return rows;
    }
}
