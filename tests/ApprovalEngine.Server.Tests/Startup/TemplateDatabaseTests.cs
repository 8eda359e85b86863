using System.Diagnostics;
using System.Text;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Npgsql;

namespace ApprovalEngine.Server.Tests.Startup;

/// <summary>
/// The suite's servers start on copies of a template database migrated once per run (<see cref="ServerDatabase"/>).
/// The copy must be exactly what the server's own migrator makes of an empty database, or every test would run on a
/// schema production never has.
/// </summary>
public sealed class TemplateDatabaseTests
{
    [Test]
    public async Task A_copy_of_the_template_has_the_schema_and_migrations_a_server_makes_of_an_empty_database()
    {
        var copy = await ServerDatabase.CreateAsync("tpl_copy");
        var empty = await SharedPostgres.CreateDatabaseAsync("tpl_from_empty");
        await using (var factory = ApiFactory.PostgresOn(empty))
        {
            factory.CreateClient().Dispose(); // starts the server: its migrator runs every script on the empty database
        }

        var fromTemplate = await SchemaAsync(copy);
        var fromServer = await SchemaAsync(empty);
        var copyMigrations = await MigrationsAsync(copy);
        var serverMigrations = await MigrationsAsync(empty);
        Assert.Multiple(() =>
        {
            Assert.That(fromServer, Does.Contain("CREATE TABLE public.instances").And.Contain("CREATE TABLE public.qrtz_triggers"), "the dump holds the schema");
            Assert.That(fromTemplate, Is.EqualTo(fromServer), "pg_dump --schema-only of a template copy and of a database the server migrated");
            Assert.That(serverMigrations, Has.Count.GreaterThan(20));
            Assert.That(copyMigrations, Is.EqualTo(serverMigrations), "schema_migrations (version, name)");
        });
    }

    [Test]
    public async Task A_server_on_a_copy_of_the_template_applies_no_migration()
    {
        await using var factory = await ApiFactory.PostgresAsync();
        factory.CreateClient().Dispose();
        Assert.That(await ServerDatabase.VersionsAsync(factory.ConnectionString), Is.EqualTo(ServerDatabase.TemplateVersions));
        // The check ApiFactory runs after each start would see a migration the server added on top of the copy.
        await using (var connection = new NpgsqlConnection(factory.ConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("INSERT INTO schema_migrations (version, name) VALUES (99999, 'V99999__stand_in.sql')", connection);
            await cmd.ExecuteNonQueryAsync();
        }
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => ServerDatabase.EnsureNothingMigratedAsync(factory.ConnectionString));
        Assert.That(error!.Message, Does.Contain("99999"));
    }

    private static async Task<List<string>> MigrationsAsync(string connectionString)
    {
        var rows = new List<string>();
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand("SELECT version || ' ' || name FROM schema_migrations ORDER BY version", connection);
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }

    /// <summary>
    /// The database's schema as pg_dump writes it, without the comment lines (they name the database) and the
    /// <c>\restrict</c> lines newer pg_dump versions wrap around a dump (with a random key).
    /// </summary>
    private static async Task<string> SchemaAsync(string connectionString)
    {
        var server = await SharedPostgres.GetAsync();
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var pgDump = server.BinDirectory is { } bin ? Path.Combine(bin, "pg_dump") : "pg_dump";
        var info = new ProcessStartInfo(pgDump) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { "--schema-only", "--no-owner", "--no-privileges", "-h", builder.Host!, "-p", builder.Port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-U", builder.Username!, "-d", builder.Database! })
        {
            info.ArgumentList.Add(a);
        }
        if (builder.Password is { } password) info.Environment["PGPASSWORD"] = password;
        using var process = Process.Start(info)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        Assert.That(process.ExitCode, Is.Zero, await error);
        var text = new StringBuilder();
        foreach (var line in (await output).Split('\n').Where(l => !l.StartsWith("--", StringComparison.Ordinal) && !l.StartsWith("\\restrict", StringComparison.Ordinal) && !l.StartsWith("\\unrestrict", StringComparison.Ordinal))) text.Append(line).Append('\n');
        return text.ToString();
    }
}
