using ApprovalEngine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto;

/// <summary>
/// The crypto family's own tables (ADR 18, mirroring ADR 13 for fiat): coin configuration and its journal. Each entity
/// brings its mapping as an <see cref="IEntityTypeConfiguration{TEntity}"/> in this feature's namespace, discovered
/// here; a new table is one file plus its PostgreSQL script in <c>Migrations/</c>. Same database (and file, on SQLite)
/// as the engine.
/// </summary>
public sealed class CryptoDbContext(DbContextOptions<CryptoDbContext> options) : DbContext(options)
{
    public bool IsSqlite => Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true;

    public static void Configure(DbContextOptionsBuilder builder, DatabaseProvider provider, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (provider == DatabaseProvider.Postgres) builder.UseNpgsql(ApprovalDbContext.Tuned(connectionString));
        else builder.UseSqlite(connectionString);
        ModelConventions.CachePerProvider(builder);
    }

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        ModelConventions.Apply(configurationBuilder, IsSqlite);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(CryptoDbContext).Assembly,
            t => t.Namespace?.StartsWith(typeof(CryptoDbContext).Namespace!, StringComparison.Ordinal) == true);
        ModelConventions.ApplyNames(modelBuilder);
    }
}

/// <summary>The feature's PostgreSQL scripts (<c>Features/Crypto/Migrations/V###__name.sql</c>), applied by the engine's migrator in version order.</summary>
public static class CryptoMigrations
{
    public static IReadOnlyList<SqlMigration> Scripts() => SqlMigration.Embedded(typeof(CryptoMigrations).Assembly, "Crypto");
}
