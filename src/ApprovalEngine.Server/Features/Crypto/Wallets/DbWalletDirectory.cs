using ApprovalEngine.Adapters.Blockchain;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Wallets;

/// <summary>The customers' Verified addresses behind <see cref="IWalletDirectory"/> (LoadCoinFacts reads them; exact, case-sensitive).</summary>
public sealed class DbWalletDirectory(IDbContextFactory<CryptoDbContext> contexts) : IWalletDirectory
{
    public async Task<IReadOnlyList<string>> GetVerifiedAddressesAsync(string securitiesAccount, string coin, string network, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<WalletAddress>().AsNoTracking()
            .Where(a => a.SecuritiesAccount == securitiesAccount && a.Coin == coin && a.Network == network && a.Status == WalletAddress.Verified)
            .OrderBy(a => a.CreatedAt).Select(a => a.Address).Distinct().ToListAsync(cancellationToken);
    }
}
