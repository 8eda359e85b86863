using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using Npgsql;

namespace ApprovalEngine.Server.Tests.Fiat.Bank;

/// <summary>V013, written by hand, must give exactly the tables, columns and indexes the fiat model describes.</summary>
public sealed class BankMigrationTests
{
    [Test]
    public async Task The_fiat_migrations_give_the_schema_EF_creates_from_the_fiat_model()
    {
        await using var factory = await ApiFactory.PostgresAsync();
        _ = factory.Services; // starts the server: the migrator applies V011 … V013
        var created = await SharedPostgres.CreateDatabaseAsync("fiat_model");
        var options = new DbContextOptionsBuilder<FiatDbContext>();
        FiatDbContext.Configure(options, DatabaseProvider.Postgres, created);
        List<string> tables;
        await using (var db = new FiatDbContext(options.Options))
        {
            await db.GetService<IRelationalDatabaseCreator>().CreateTablesAsync();
            tables = [.. db.Model.GetEntityTypes().Select(e => e.GetTableName()!).Distinct()];
        }

        var migrated = await SchemaAsync(factory.ConnectionString, tables);
        var model = await SchemaAsync(created, tables);
        Assert.Multiple(() =>
        {
            Assert.That(tables, Does.Contain("fiat_statement_entries").And.Contain("sandbox_bank_payouts").And.Contain("fiat_cheques"));
            Assert.That(model, Is.Not.Empty);
            Assert.That(migrated.Except(model), Is.Empty, "in the migrated database only");
            Assert.That(model.Except(migrated), Is.Empty, "in the model only (missing from the migrations)");
        });
    }

    private static async Task<List<string>> SchemaAsync(string cs, IReadOnlyList<string> tables)
    {
        const string sql = """
            SELECT 'column ' || table_name || '.' || column_name || ' ' || data_type || ' null=' || is_nullable || ' len=' || coalesce(character_maximum_length::text, '-')
                   || ' prec=' || coalesce(numeric_precision::text, '-') || ',' || coalesce(numeric_scale::text, '-')
            FROM information_schema.columns WHERE table_schema = 'public' AND table_name = ANY(@tables)
            UNION ALL
            SELECT 'index ' || tablename || '.' || indexname || ': ' || indexdef FROM pg_indexes WHERE schemaname = 'public' AND tablename = ANY(@tables)
            """;
        var rows = new List<string>();
        await using var connection = new NpgsqlConnection(cs);
        await connection.OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, connection);
        cmd.Parameters.AddWithValue("tables", tables.ToArray());
        await using var reader = await cmd.ExecuteReaderAsync();
        while (await reader.ReadAsync()) rows.Add(reader.GetString(0));
        return rows;
    }
}
