using ApprovalEngine.Testing;
using Npgsql;

namespace ApprovalEngine.Persistence.Tests;

public sealed class PostgresServerTests
{
    [Test]
    public async Task Each_created_database_is_new_empty_and_reachable()
    {
        var a = await SharedPostgres.CreateDatabaseAsync("Fixture Check");
        var b = await SharedPostgres.CreateDatabaseAsync("fixture");
        Assert.That(a, Is.Not.EqualTo(b));
        foreach (var cs in new[] { a, b })
        {
            await using var connection = new NpgsqlConnection(cs);
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("SELECT current_database(), (SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'), current_setting('server_version_num')::int", connection);
            await using var reader = await cmd.ExecuteReaderAsync();
            Assert.That(await reader.ReadAsync(), Is.True);
            Assert.Multiple(() =>
            {
                Assert.That(reader.GetString(0), Does.StartWith(cs == a ? "fixturecheck_" : "fixture_"));
                Assert.That(reader.GetInt64(1), Is.Zero);
                Assert.That(reader.GetInt32(2), Is.GreaterThanOrEqualTo(150000));
            });
        }
    }
}
