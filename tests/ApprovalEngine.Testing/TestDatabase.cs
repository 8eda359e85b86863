using ApprovalEngine.Persistence;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Testing;

public static class TestDatabase
{
    /// <summary>A new <see cref="ApprovalDbContext"/> configured exactly as the server configures it.</summary>
    public static ApprovalDbContext CreateContext(DatabaseProvider provider, string connectionString)
    {
        var builder = new DbContextOptionsBuilder<ApprovalDbContext>();
        ApprovalDbContext.Configure(builder, provider, connectionString);
        return new ApprovalDbContext(builder.Options);
    }
}

/// <summary>A SQLite database in a temporary file, deleted on dispose.</summary>
public sealed class SqliteTempDatabase : IDisposable
{
    public SqliteTempDatabase()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"approvalengine-test-{Guid.NewGuid():N}.db");
        ConnectionString = new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString();
    }

    public string Path { get; }

    public string ConnectionString { get; }

    public ApprovalDbContext CreateContext() => TestDatabase.CreateContext(DatabaseProvider.Sqlite, ConnectionString);

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        foreach (var file in new[] { Path, Path + "-wal", Path + "-shm", Path + "-journal" })
        {
            try
            {
                File.Delete(file);
            }
            catch (IOException)
            {
                // Best effort: a file still open elsewhere stays in the temp directory.
            }
        }
    }
}
