using ApprovalEngine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat;

/// <summary>The fiat withdrawal ("Whale") feature: its context, services and routes (configuration, operations, bank side).</summary>
public static class FiatSetup
{
    public static IServiceCollection AddFiat(this IServiceCollection services, DatabaseProvider provider, string connectionString)
    {
        // A factory, because activities and pollers are singletons; request handlers take the scoped context.
        services.AddPooledDbContextFactory<FiatDbContext>(o => FiatDbContext.Configure(o, provider, connectionString));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<FiatDbContext>>().CreateDbContext());
        services.AddSingleton<Records.FiatClock>();
        services.AddSingleton<IStepObserver, Records.FiatProjection>();
        FiatConfigApi.AddServices(services);
        FiatBankApi.AddServices(services);
        FiatOperationsApi.AddServices(services);
        return services;
    }

    /// <summary>Creates the feature's tables: PostgreSQL by the migrator (the scripts are passed to it), SQLite from the model.</summary>
    public static async Task MigrateSqliteAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var fiat = await services.GetRequiredService<IDbContextFactory<FiatDbContext>>().CreateDbContextAsync(cancellationToken);
        if (!fiat.IsSqlite) return;
        await Migrator.AddMissingSqliteTablesAsync(fiat, cancellationToken);
        // Columns added to an existing table since (PostgreSQL: V015); an old file has no journal-based back-fill, so
        // its paid records keep paid_at NULL (unknown) until their next step.
        var columns = await fiat.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM pragma_table_info('fiat_withdrawals')").ToListAsync(cancellationToken);
        if (!columns.Contains("paid_at", StringComparer.OrdinalIgnoreCase))
        {
            // Instants are UTC ticks on SQLite (ModelConventions).
            await fiat.Database.ExecuteSqlRawAsync("ALTER TABLE fiat_withdrawals ADD COLUMN paid_at INTEGER NULL", cancellationToken);
            await fiat.Database.ExecuteSqlRawAsync("CREATE INDEX IF NOT EXISTS ix_fiat_withdrawals_paid_at ON fiat_withdrawals (paid_at)", cancellationToken);
        }
    }

    public static IEndpointRouteBuilder MapFiatApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/fiat").WithTags("Fiat withdrawals");
        FiatConfigApi.Map(group);
        FiatBankApi.Map(group);
        FiatOperationsApi.Map(group);
        return app;
    }
}
