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
            await EnsureSqliteTaskSubjectAsync(db, cancellationToken);
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

    /// <summary>
    /// SQLite's counterpart of V027 (ADR 23): a file an earlier release created gets the task subject columns, back-filled
    /// from its stored instances by the same rules new tasks use (<see cref="Workflows.Definitions.TaskSubject"/>), and
    /// every file gets the search's expression indexes (the model cannot declare lower(…)). Only additions.
    /// </summary>
    private static async Task EnsureSqliteTaskSubjectAsync(ApprovalDbContext db, CancellationToken cancellationToken)
    {
        var columns = await db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM pragma_table_info('tasks')").ToListAsync(cancellationToken);
        if (!columns.Contains("subject_customer", StringComparer.OrdinalIgnoreCase))
        {
            await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
            foreach (var add in new[]
            {
                "subject_customer TEXT NULL", "subject_account TEXT NULL", "subject_amount TEXT NULL", "subject_currency TEXT NULL",
                "subject_parent_definition_id TEXT NULL", "subject_parent_columns INTEGER NOT NULL DEFAULT 0",
            })
            {
#pragma warning disable EF1002 // constant column definitions, never input
                await db.Database.ExecuteSqlRawAsync($"ALTER TABLE tasks ADD COLUMN {add}", cancellationToken);
#pragma warning restore EF1002
            }
            await BackfillTaskSubjectsAsync(db, cancellationToken);
            await tx.CommitAsync(cancellationToken);
        }
        await db.Database.ExecuteSqlRawAsync("CREATE INDEX IF NOT EXISTS ix_tasks_subject_customer ON tasks (lower(subject_customer))", cancellationToken);
        await db.Database.ExecuteSqlRawAsync("CREATE INDEX IF NOT EXISTS ix_tasks_subject_account ON tasks (lower(subject_account))", cancellationToken);
        await db.Database.ExecuteSqlRawAsync("CREATE INDEX IF NOT EXISTS ix_tasks_subject_amount ON tasks (subject_amount)", cancellationToken);
        await db.Database.ExecuteSqlRawAsync("CREATE INDEX IF NOT EXISTS ix_tasks_subject_currency ON tasks (lower(subject_currency))", cancellationToken);
    }

    /// <summary>
    /// The back-fill on SQLite runs through the model rather than in SQL: SQLite's json_extract reads numbers as REAL,
    /// which would round an 18-decimal amount, and EF stores decimals as its own text there.
    /// </summary>
    private static async Task BackfillTaskSubjectsAsync(ApprovalDbContext db, CancellationToken cancellationToken)
    {
        var versions = new Dictionary<(string, int), Workflows.Definitions.WorkflowDefinition?>();
        async Task<Workflows.Definitions.WorkflowDefinition?> Definition(string id, int version)
        {
            if (versions.TryGetValue((id, version), out var known)) return known;
            var json = await db.DefinitionVersions.AsNoTracking().Where(v => v.DefinitionId == id && v.Version == version).Select(v => v.Json).FirstOrDefaultAsync(cancellationToken);
            Workflows.Definitions.WorkflowDefinition? parsed = null;
            try { if (json is not null) parsed = Workflows.Definitions.DefinitionJson.Parse(json); }
            catch (System.Text.Json.JsonException) { parsed = null; }
            versions[(id, version)] = parsed;
            return parsed;
        }
        var states = new Dictionary<Guid, Workflows.Runtime.InstanceState?>();
        async Task<Workflows.Runtime.InstanceState?> State(Guid id)
        {
            if (states.TryGetValue(id, out var known)) return known;
            var json = await db.Instances.AsNoTracking().Where(i => i.Id == id).Select(i => i.StateJson).FirstOrDefaultAsync(cancellationToken);
            return states[id] = json is null ? null : Workflows.Runtime.InstanceStateJson.Deserialize(json);
        }
        foreach (var task in await db.Tasks.ToListAsync(cancellationToken))
        {
            if (await State(task.InstanceId) is not { } state || await Definition(state.DefinitionId, state.DefinitionVersion) is not { } definition) continue;
            var subject = Workflows.Definitions.TaskSubject.Own(definition, state.Variables);
            var mask = Workflows.Definitions.TaskSubject.ParentColumns(definition);
            if (mask != 0 && state.ParentInstanceId is { } parentId && await State(parentId) is { } parent && await Definition(parent.DefinitionId, parent.DefinitionVersion) is { } parentDefinition)
            {
                subject = subject.WithParent(Workflows.Definitions.TaskSubject.Own(parentDefinition, parent.Variables), mask);
                task.SubjectParentDefinitionId = parent.DefinitionId;
                task.SubjectParentColumns = mask;
            }
            (task.SubjectCustomer, task.SubjectAccount, task.SubjectAmount, task.SubjectCurrency) = (subject.Customer, subject.Account, subject.Amount, subject.Currency);
        }
        await db.SaveChangesAsync(cancellationToken);
        db.ChangeTracker.Clear();
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
