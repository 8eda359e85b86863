using System.IO.Compression;
using System.Text;
using Npgsql;

namespace ApprovalEngine.Server.Tests.Upgrade;

/// <summary>The databases earlier releases wrote (make-previous-release-db.sh): restore one, read it with plain SQL.</summary>
internal static class ReleaseDatabase
{
    /// <summary>Restores a pg_dump script (plain or .gz) into <paramref name="connectionString"/>'s database.</summary>
    public static async Task RestoreAsync(string connectionString, string path)
    {
        string script;
        await using (var file = File.OpenRead(path))
        await using (Stream input = path.EndsWith(".gz", StringComparison.Ordinal) ? new GZipStream(file, CompressionMode.Decompress) : file)
        using (var reader = new StreamReader(input, Encoding.UTF8))
        {
            script = await reader.ReadToEndAsync();
        }
        // pg_dump wraps the script in psql meta-commands (\restrict … \unrestrict); they are not SQL.
        var sql = string.Join('\n', script.Split('\n').Where(l => !l.StartsWith("\\restrict ", StringComparison.Ordinal) && !l.StartsWith("\\unrestrict ", StringComparison.Ordinal)));
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
#pragma warning disable CA2100 // the script is the checked-in fixture
        await using var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 120 };
#pragma warning restore CA2100
        await command.ExecuteNonQueryAsync();
    }

    public static async Task<List<object[]>> RowsAsync(string connectionString, string sql)
    {
        await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync();
#pragma warning disable CA2100 // fixed queries of this test
        await using var command = new NpgsqlCommand(sql, connection);
#pragma warning restore CA2100
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<object[]>();
        while (await reader.ReadAsync())
        {
            var row = new object[reader.FieldCount];
            reader.GetValues(row);
            rows.Add(row);
        }
        return rows;
    }
}
