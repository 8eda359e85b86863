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
        if (fiat.IsSqlite) await Migrator.AddMissingSqliteTablesAsync(fiat, cancellationToken);
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
