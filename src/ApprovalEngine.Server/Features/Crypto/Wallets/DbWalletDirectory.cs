using ApprovalEngine.Adapters.Blockchain;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Wallets;

/// <summary>The customers' Verified addresses behind <see cref="IWalletDirectory"/> (LoadCoinFacts reads them; exact, case-sensitive).</summary>
public sealed class DbWalletDirectory(IDbContextFactory<CryptoDbContext> contexts) : IWalletDirectory
{
    public async Task<IReadOnlyList<string>> GetVerifiedAddressesAsync(string securitiesAccount, string coin, string network, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var decided = await db.Set<WalletAddress>().AsNoTracking()
            .Where(a => a.SecuritiesAccount == securitiesAccount && a.Coin == coin && a.Network == network
                && (a.Status == WalletAddress.Verified || a.Status == WalletAddress.Rejected))
            .Select(a => new { a.Address, a.Status, a.UpdatedAt, a.CreatedAt }).ToListAsync(cancellationToken);
        // The latest decision on an address counts: a later rejection (say, the address turned out to be an
        // exchange's) withdraws an earlier verification (attacker review, 2026-12-02).
        return [.. decided.GroupBy(a => a.Address, StringComparer.Ordinal)
            .Select(g => g.OrderByDescending(a => a.UpdatedAt).First())
            .Where(a => a.Status == WalletAddress.Verified)
            .OrderBy(a => a.CreatedAt).Select(a => a.Address)];
    }
}
