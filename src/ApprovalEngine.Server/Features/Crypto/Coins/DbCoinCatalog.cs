using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Flows.Crypto;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

/// <summary>
/// The stored coin configuration behind <see cref="ICoinCatalog"/>, which LoadCoinFacts reads when a step needs the
/// facts. One indexed read per call: coins are few and a change must reach the very next withdrawal on every node.
/// </summary>
public sealed class DbCoinCatalog(IDbContextFactory<CryptoDbContext> contexts) : ICoinCatalog
{
    public async Task<CoinConfig?> GetCoinAsync(string coin, string network, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<CryptoCoin>().AsNoTracking().FirstOrDefaultAsync(c => c.Coin == coin && c.Network == network, cancellationToken);
        return row is null ? null : ToConfig(row);
    }

    public static CoinConfig ToConfig(CryptoCoin row)
    {
        ArgumentNullException.ThrowIfNull(row);
        return new(row.Coin, row.Network, row.Decimals, row.WithdrawalEnabled, row.DepositEnabled, CoinRules.Normalize(row.MinWithdrawal), CoinRules.Normalize(row.MaxWithdrawal),
            CoinRules.Normalize(row.WithdrawalFee), row.RequiredConfirmations);
    }
}
