using System.Data;
using System.Data.Common;
using System.Reflection;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;

namespace ApprovalEngine.Persistence;

/// <summary>One versioned schema change, applied once, in order, in its own transaction.</summary>
public sealed record SqlMigration(int Version, string Name, string Sql)
{
    /// <summary>
    /// A feature's scripts, embedded in <paramref name="assembly"/> as <c>…/{feature}/Migrations/V###__name.sql</c>, in
    /// version order: each feature owns its tables (ADR 13) and hands its scripts to the engine's migrator.
    /// </summary>
    public static IReadOnlyList<SqlMigration> Embedded(System.Reflection.Assembly assembly, string feature)
    {
        ArgumentNullException.ThrowIfNull(assembly);
        var list = new List<SqlMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.Contains($".{feature}.Migrations.V", StringComparison.Ordinal)))
        {
            var file = resource[(resource.IndexOf(".Migrations.", StringComparison.Ordinal) + ".Migrations.".Length)..];
            var version = int.Parse(file[1..file.IndexOf("__", StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            list.Add(new SqlMigration(version, file, reader.ReadToEnd()));
        }
        return [.. list.OrderBy(m => m.Version)];
    }
}

/// <summary>
/// Applies the SQL migrations at start-up. PostgreSQL databases upgrade in place: each script runs once, recorded
/// in <c>schema_migrations</c>, under an advisory lock so that several servers starting together do not race.
/// SQLite (the embedded default) is created from the model.
/// </summary>
public static class Migrator
{
    private const long AdvisoryLockKey = 0x417070726F76616C; // "Approval"

    /// <summary>Our own scripts, embedded from Migrations/Postgres/V###__name.sql.</summary>
    public static IReadOnlyList<SqlMigration> PostgresScripts()
    {
        var assembly = typeof(Migrator).Assembly;
        var list = new List<SqlMigration>();
        foreach (var resource in assembly.GetManifestResourceNames().Where(n => n.Contains(".Migrations.Postgres.V", StringComparison.Ordinal)))
        {
            var file = resource[(resource.IndexOf(".Postgres.", StringComparison.Ordinal) + ".Postgres.".Length)..];
            var version = int.Parse(file[1..file.IndexOf("__", StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
            using var stream = assembly.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream);
            list.Add(new SqlMigration(version, file, reader.ReadToEnd()));
        }
        return [.. list.OrderBy(m => m.Version)];
    }

    public static async Task MigrateAsync(ApprovalDbContext db, IEnumerable<SqlMigration> extra, CancellationToken cancellationToken = default)
    {
        if (db.IsSqlite)
        {
            // Not EnsureCreated: it does nothing as soon as the file holds any table at all, e.g. the qrtz_* tables
            // that Quartz provisions for itself when its hosted service starts first. Create the model's tables
            // unless the engine's own are there.
            var creator = db.GetService<IRelationalDatabaseCreator>();
            if (!await creator.ExistsAsync(cancellationToken)) await creator.CreateAsync(cancellationToken);
            var present = await db.Database
                .SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table' AND name = 'instances'")
                .SingleAsync(cancellationToken);
            if (present == 0) await creator.CreateTablesAsync(cancellationToken);
            else await AddMissingSqliteTablesAsync(db, cancellationToken);
            // WAL lets readers work while the scheduler or a step writes; the journal mode is stored in the file.
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", cancellationToken);
            return;
        }
        var migrations = PostgresScripts().Concat(extra).OrderBy(m => m.Version).ToList();
        var duplicate = migrations.GroupBy(m => m.Version).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null) throw new InvalidOperationException($"Two migrations share version {duplicate.Key}.");

        var connection = db.Database.GetDbConnection();
        if (connection.State != ConnectionState.Open) await connection.OpenAsync(cancellationToken);
        await Execute(connection, null, $"SELECT pg_advisory_lock({AdvisoryLockKey})", cancellationToken);
        try
        {
            await Execute(connection, null, "CREATE TABLE IF NOT EXISTS schema_migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())", cancellationToken);
            var applied = new HashSet<int>();
            await using (var cmd = connection.CreateCommand())
            {
                cmd.CommandText = "SELECT version FROM schema_migrations";
                await using var reader = await cmd.ExecuteReaderAsync(cancellationToken);
                while (await reader.ReadAsync(cancellationToken)) applied.Add(reader.GetInt32(0));
            }
            foreach (var migration in migrations.Where(m => !applied.Contains(m.Version)))
            {
                await using var tx = await connection.BeginTransactionAsync(cancellationToken);
                await Execute(connection, tx, migration.Sql, cancellationToken);
                await using (var cmd = connection.CreateCommand())
                {
                    cmd.Transaction = tx;
                    cmd.CommandText = "INSERT INTO schema_migrations (version, name) VALUES (@v, @n)";
                    var v = cmd.CreateParameter();
                    v.ParameterName = "v";
                    v.Value = migration.Version;
                    cmd.Parameters.Add(v);
                    var n = cmd.CreateParameter();
                    n.ParameterName = "n";
                    n.Value = migration.Name;
                    cmd.Parameters.Add(n);
                    await cmd.ExecuteNonQueryAsync(cancellationToken);
                }
                await tx.CommitAsync(cancellationToken);
            }
        }
        finally
        {
            await Execute(connection, null, $"SELECT pg_advisory_unlock({AdvisoryLockKey})", CancellationToken.None);
        }
    }

    /// <summary>
    /// A SQLite file an earlier release created lacks the tables added since (it has no migrations): each model table
    /// that is missing is created with its indexes, from the model's own create script. Existing tables are not altered.
    /// Also used for a feature's own context (its tables live in the same file).
    /// </summary>
    public static async Task AddMissingSqliteTablesAsync(DbContext db, CancellationToken cancellationToken = default)
    {
        var present = (await db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'table'").ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        var missing = db.Model.GetEntityTypes().Select(e => e.GetTableName()).OfType<string>().Where(t => !present.Contains(t)).ToHashSet(StringComparer.Ordinal);
        if (missing.Count == 0) return;
        foreach (var statement in db.Database.GenerateCreateScript().Split(";", StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var table = missing.FirstOrDefault(t => statement.StartsWith($"CREATE TABLE \"{t}\"", StringComparison.Ordinal)
                || (statement.StartsWith("CREATE ", StringComparison.Ordinal) && statement.Contains($" ON \"{t}\" (", StringComparison.Ordinal)));
#pragma warning disable EF1002 // the statements come from the model's own create script, never from input
            if (table is not null) await db.Database.ExecuteSqlRawAsync(statement, cancellationToken);
#pragma warning restore EF1002
        }
    }

    private static async Task Execute(DbConnection connection, DbTransaction? tx, string sql, CancellationToken cancellationToken)
    {
        await using var cmd = connection.CreateCommand();
        cmd.Transaction = tx;
#pragma warning disable CA2100 // the SQL comes from our own embedded scripts, never from input
        cmd.CommandText = sql;
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync(cancellationToken);
    }
}
