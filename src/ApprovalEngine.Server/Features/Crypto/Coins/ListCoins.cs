using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

/// <summary>The coin configuration as operators read it: every coin and network, or one.</summary>
public static class ListCoins
{
    public static async Task<Ok<List<CoinView>>> List(HttpContext http, CryptoDbContext db, CancellationToken ct)
    {
        CryptoAccess.RequireReader(http);
        var rows = await db.Set<CryptoCoin>().AsNoTracking().OrderBy(c => c.Coin).ThenBy(c => c.Network).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(CoinView.Of).ToList());
    }

    public static async Task<Ok<CoinView>> Get(string coin, string network, HttpContext http, CryptoDbContext db, CancellationToken ct)
    {
        CryptoAccess.RequireReader(http);
        var row = await db.Set<CryptoCoin>().AsNoTracking().FirstOrDefaultAsync(c => c.Coin == coin && c.Network == network, ct)
            ?? throw ApiProblemException.NotFound($"No coin {coin} is configured on the network {network}.");
        return TypedResults.Ok(CoinView.Of(row));
    }
}
