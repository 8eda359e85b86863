using ApprovalEngine.Persistence;
using ApprovalEngine.Scheduling;
using ApprovalEngine.Server.Features.Crypto;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Staff;
using ApprovalEngine.Testing;
using Npgsql;

namespace ApprovalEngine.Server.Tests.Support;

/// <summary>
/// Test databases for <see cref="ApiFactory.PostgresAsync"/>: copies of one template that the server's migrator
/// migrated once per run. Running V001 … V026 for each of the suite's ~150 servers was a large share of its time; a copy
/// (<c>CREATE DATABASE … TEMPLATE</c>) costs a fraction of that. The server still runs its migrator at start-up and must
/// find nothing to do: <see cref="EnsureNothingMigratedAsync"/> fails the test otherwise, and
/// <c>Startup/TemplateDatabaseTests</c> compares the template with a database the server migrated from empty.
/// Databases of other releases (Upgrade/) and empty ones come from <see cref="SharedPostgres.CreateDatabaseAsync(string?)"/> as before.
/// </summary>
public static class ServerDatabase
{
    private const string TemplateKey = "server";
    private static int[]? _versions;

    /// <summary>
    /// What <c>StartupTasks.RunAsync</c> hands the migrator besides the engine's own scripts, in the same order. A new
    /// feature with scripts of its own goes here too (the check after each start names what is missing).
    /// </summary>
    public static IEnumerable<SqlMigration> ServerScripts() =>
        [new SqlMigration(2, "V002__quartz.sql", SchedulingSetup.PostgresSchemaScript()), .. FiatMigrations.Scripts(), .. CryptoMigrations.Scripts(), .. StaffMigrations.Scripts()];

    /// <summary>A connection string to a new database holding exactly the migrated schema (and the migrations' own rows).</summary>
    public static Task<string> CreateAsync(string namePrefix) => SharedPostgres.CreateDatabaseAsync(namePrefix, TemplateKey, MigrateTemplateAsync);

    /// <summary>The migration versions the template holds (known once a database was created from it).</summary>
    public static IReadOnlyList<int> TemplateVersions => _versions ?? throw new InvalidOperationException("No template database was made yet.");

    private static async Task MigrateTemplateAsync(string connectionString)
    {
        await using (var db = TestDatabase.CreateContext(DatabaseProvider.Postgres, connectionString))
        {
            await Migrator.MigrateAsync(db, ServerScripts());
        }
        _versions = [.. await VersionsAsync(connectionString)];
    }

    /// <summary>The versions in <c>schema_migrations</c> of <paramref name="connectionString"/>'s database, ascending.</summary>
    public static async Task<List<int>> VersionsAsync(string connectionString)
    {
        var versions = new List<int>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT version FROM schema_migrations ORDER BY version", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) versions.Add(reader.GetInt32(0));
        return versions;
    }

    /// <summary>
    /// Throws unless the database holds exactly the template's migrations: a server that migrated anything on top of a
    /// copy would mean the template is not what the server's migrator makes (see <see cref="ServerScripts"/>).
    /// </summary>
    public static async Task EnsureNothingMigratedAsync(string connectionString)
    {
        var now = await VersionsAsync(connectionString);
        var added = now.Except(TemplateVersions).ToList();
        if (added.Count > 0)
        {
            throw new InvalidOperationException(
                $"The server applied migration(s) {string.Join(", ", added)} on a copy of the test template database: add their scripts to ServerDatabase.ServerScripts (as StartupTasks hands them to the migrator).");
        }
    }
}
