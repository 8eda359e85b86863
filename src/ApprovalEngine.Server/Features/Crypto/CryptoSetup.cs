using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Crypto.Coins;
using ApprovalEngine.Server.Features.Instances;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto;

/// <summary>The crypto feature (manuals 000, 001): its context, the stored coin configuration and its routes.</summary>
public static class CryptoSetup
{
    /// <summary>Call after <c>AddAdapters</c>: the stored coins and verified addresses win over whatever the custody adapter knows, in every adapter mode.</summary>
    public static IServiceCollection AddCrypto(this IServiceCollection services, DatabaseProvider provider, string connectionString)
    {
        // A factory, because activities are singletons; request handlers take the scoped context.
        services.AddPooledDbContextFactory<CryptoDbContext>(o => CryptoDbContext.Configure(o, provider, connectionString));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<CryptoDbContext>>().CreateDbContext());
        services.AddSingleton<DbCoinCatalog>();
        services.AddSingleton<ICoinCatalog>(sp => sp.GetRequiredService<DbCoinCatalog>());
        services.AddSingleton<IStartInputCheck, CoinAmountStartCheck>();
        // Customers' wallet addresses: verified by the crypto-address-verification flow, stored per customer.
        services.AddSingleton<Wallets.DbWalletDirectory>();
        services.AddSingleton<IWalletDirectory>(sp => sp.GetRequiredService<Wallets.DbWalletDirectory>());
        services.AddSingleton<IStepObserver, Wallets.WalletProjection>();
        services.AddSingleton<IStartInputCheck, Wallets.AddressFormatStartCheck>();
        services.AddHostedService<CoinSeed>();
        return services;
    }

    /// <summary>Creates the feature's tables on SQLite from the model (PostgreSQL: the migrator runs <see cref="CryptoMigrations"/>).</summary>
    public static async Task MigrateSqliteAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<CryptoDbContext>>().CreateDbContextAsync(cancellationToken);
        if (!db.IsSqlite) return;
        await Migrator.AddMissingSqliteTablesAsync(db, cancellationToken);
    }

    public static IEndpointRouteBuilder MapCryptoApi(this IEndpointRouteBuilder app)
    {
        // People only: coins and addresses are read by operators and changed by a named person (CryptoAccess); the flows
        // read them through the ports, never through these routes.
        var group = app.MapGroup("/api/crypto").WithTags("Crypto configuration").RequireAuthorization(Policies.People);
        CoinsApi.Map(group);
        group.MapGet("/addresses", Wallets.ListAddresses.List).ProducesProblems(400, 401, 403).WithName("listWalletAddresses").WithSummary("List customers' verified wallet addresses");
        return app;
    }
}
