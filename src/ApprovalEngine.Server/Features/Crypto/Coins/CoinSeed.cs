using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Server.Engine;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

/// <summary>
/// Development with the sandbox adapters: the coins the in-memory sandbox used to hold (BTC, ETH on ERC20, USDT on
/// TRC20, same decimals, limits, fees and confirmations), stored once at start-up and journaled as
/// <c>system:seed</c>, so that existing instances and tests behave as before — also on a database an earlier release
/// wrote. Rows that exist are left alone: an operator's change is never overwritten by a restart.
/// </summary>
public sealed class CoinSeed(IDbContextFactory<CryptoDbContext> contexts, IHostEnvironment environment, IConfiguration config, TimeProvider time, ILogger<CoinSeed> logger) : IHostedService
{
    public const string Actor = "system:seed";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment() || AdapterBinder.ModeOf(config) != AdapterMode.Sandbox) return;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var added = await SeedAsync(db, time.GetUtcNow(), cancellationToken);
        if (added > 0) logger.LogInformation("Seeded {Count} coins for the sandbox", added);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public static async Task<int> SeedAsync(CryptoDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        var added = 0;
        // The values come from the sandbox's own defaults, so the two can never disagree.
        var sandbox = InMemoryBlockchainSandbox.WithDefaults();
        foreach (var (coin, network) in InMemoryBlockchainSandbox.DefaultCoins)
        {
            if (await db.Set<CryptoCoin>().AnyAsync(c => c.Coin == coin && c.Network == network, ct)) continue;
            var c = (await sandbox.GetCoinAsync(coin, network, ct))!;
            var row = new CryptoCoin
            {
                Coin = c.Coin, Network = c.Network, Decimals = c.Decimals, MinWithdrawal = c.MinWithdrawal, MaxWithdrawal = c.MaxWithdrawal,
                WithdrawalFee = c.WithdrawalFee, RequiredConfirmations = c.RequiredConfirmations, DepositEnabled = c.DepositEnabled,
                WithdrawalEnabled = c.WithdrawalEnabled, RowVersion = 1, CreatedAt = now, UpdatedAt = now,
            };
            db.Add(row);
            CoinJournal.Add(db, Actor, now, row, "Seed", null, CoinView.Of(row));
            added++;
        }
        if (added == 0) return 0;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node seeded at the same moment; what it stored is the same configuration.
            return 0;
        }
        return added;
    }
}
