using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Wallets;

/// <param name="Id">The crypto-address-verification instance (a new id for a Development sandbox row).</param>
/// <param name="Status">Submitted, Under Verification, Verified or Rejected.</param>
/// <param name="Reason">The reviewer's reason when Rejected.</param>
public sealed record WalletAddressView(Guid Id, string SecuritiesAccount, string Coin, string Network, string Address, string Status,
    string? SubmittedBy, string? ReviewedBy, string? Reason, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>
/// A customer's wallet addresses with their verification status, newest first (<c>GET /api/crypto/addresses?customer=</c>).
/// Read by the same operators as the coins (<see cref="CryptoAccess.RequireReader"/>); the customer is required so the
/// route never lists every customer's addresses.
/// </summary>
public static class ListAddresses
{
    public static async Task<Ok<List<WalletAddressView>>> List(string? customer, HttpContext http, CryptoDbContext db, CancellationToken ct)
    {
        CryptoAccess.RequireReader(http);
        if (string.IsNullOrWhiteSpace(customer)) throw ApiProblemException.BadRequest("customer", "customer (the securities account) is required.");
        if (customer.Length > 64) throw ApiProblemException.BadRequest("customer", "customer has at most 64 characters.");
        var rows = await db.Set<WalletAddress>().AsNoTracking().Where(a => a.SecuritiesAccount == customer).ToListAsync(ct);
        // Ordered in memory: SQLite cannot order by DateTimeOffset, and a customer has few addresses.
        return TypedResults.Ok(rows.OrderByDescending(a => a.CreatedAt).ThenBy(a => a.Id)
            .Select(a => new WalletAddressView(a.Id, a.SecuritiesAccount, a.Coin, a.Network, a.Address, a.Status, a.SubmittedBy, a.ReviewedBy, a.Reason,
                a.CreatedAt, a.UpdatedAt)).ToList());
    }
}
