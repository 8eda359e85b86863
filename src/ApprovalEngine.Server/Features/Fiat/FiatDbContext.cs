using ApprovalEngine.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;

namespace ApprovalEngine.Server.Features.Fiat;

/// <summary>
/// The fiat withdrawal family's own tables (ADR 13): configuration, withdrawal records, batches, bank statements.
/// Each entity brings its mapping as an <see cref="IEntityTypeConfiguration{TEntity}"/> in this feature's namespace,
/// discovered here, so that a new table is one file plus its migration script in <c>Migrations/</c>.
/// Same database (and file, on SQLite) as the engine; a step observer writes through <see cref="Join"/> in the
/// step's own transaction.
/// </summary>
public sealed class FiatDbContext(DbContextOptions<FiatDbContext> options) : DbContext(options)
{
    public bool IsSqlite => Database.ProviderName?.Contains("Sqlite", StringComparison.Ordinal) == true;

    public static void Configure(DbContextOptionsBuilder builder, DatabaseProvider provider, string connectionString)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (provider == DatabaseProvider.Postgres) builder.UseNpgsql(ApprovalDbContext.Tuned(connectionString));
        else builder.UseSqlite(connectionString);
        ModelConventions.CachePerProvider(builder);
    }

    /// <summary>
    /// A context on the engine context's connection, enlisted in its current transaction: rows written through it
    /// commit or roll back with the step (or with whatever the caller does in that transaction). Dispose it after use.
    /// </summary>
    public static FiatDbContext Join(ApprovalDbContext db)
    {
        ArgumentNullException.ThrowIfNull(db);
        var builder = new DbContextOptionsBuilder<FiatDbContext>();
        var connection = db.Database.GetDbConnection();
        if (db.IsSqlite) builder.UseSqlite(connection);
        else builder.UseNpgsql(connection);
        ModelConventions.CachePerProvider(builder);
        var fiat = new FiatDbContext(builder.Options);
        if (db.Database.CurrentTransaction is { } tx) fiat.Database.UseTransaction(tx.GetDbTransaction());
        return fiat;
    }

    /// <summary>
    /// A save that writes a configuration journal entry (every configuration change does) bumps the configuration's
    /// version in the same transaction: a node that sees the new version sees the change (DbWithdrawalChannels).
    /// </summary>
    public override async Task<int> SaveChangesAsync(bool acceptAllChangesOnSuccess, CancellationToken cancellationToken = default)
    {
        if (!ChangeTracker.Entries<Config.ConfigJournalEntry>().Any(e => e.State == EntityState.Added))
        {
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        if (Database.CurrentTransaction is not null)
        {
            await BumpConfigVersionAsync(cancellationToken);
            return await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        }
        await using var transaction = await Database.BeginTransactionAsync(cancellationToken);
        await BumpConfigVersionAsync(cancellationToken);
        var saved = await base.SaveChangesAsync(acceptAllChangesOnSuccess, cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return saved;
    }

    public override int SaveChanges(bool acceptAllChangesOnSuccess) =>
        ChangeTracker.Entries<Config.ConfigJournalEntry>().Any(e => e.State == EntityState.Added)
            ? throw new InvalidOperationException("Configuration changes are saved with SaveChangesAsync (it bumps the configuration version).")
            : base.SaveChanges(acceptAllChangesOnSuccess);

    // An upsert (PostgreSQL and SQLite): a database whose row is missing gets it on the first change. The row lock
    // also orders concurrent configuration writers, which is what makes the version follow commit order.
    private Task<int> BumpConfigVersionAsync(CancellationToken ct) => Database.ExecuteSqlRawAsync(
        "INSERT INTO fiat_config_version (id, version) VALUES (1, 1) ON CONFLICT (id) DO UPDATE SET version = fiat_config_version.version + 1", ct);

    protected override void ConfigureConventions(ModelConfigurationBuilder configurationBuilder) =>
        ModelConventions.Apply(configurationBuilder, IsSqlite);

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.ApplyConfigurationsFromAssembly(typeof(FiatDbContext).Assembly,
            t => t.Namespace?.StartsWith(typeof(FiatDbContext).Namespace!, StringComparison.Ordinal) == true);
        ModelConventions.ApplyNames(modelBuilder);
    }
}

/// <summary>The feature's PostgreSQL scripts (<c>Features/Fiat/Migrations/V###__name.sql</c>), applied by the engine's migrator in version order.</summary>
public static class FiatMigrations
{
    public static IReadOnlyList<SqlMigration> Scripts() => SqlMigration.Embedded(typeof(FiatMigrations).Assembly, "Fiat");
}
