using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Server.Features.Crypto;
using ApprovalEngine.Server.Features.Crypto.Wallets;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Sandbox;

public sealed record VerifiedAddressRequest(string? Coin, string? Network, string? Address);

public sealed record VerifiedAddressView(string SecuritiesAccount, string Coin, string Network, IReadOnlyList<string> Addresses);

/// <summary>
/// Development only: store a customer's address as Verified at once (in the crypto table, so it survives a restart),
/// skipping the crypto-address-verification flow, so crypto flows can be tried quickly. No format check: the shipped
/// tests use placeholder addresses.
/// </summary>
public static class WalletSandboxApi
{
    public static void MapWalletSandboxApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/sandbox/wallets/{securitiesAccount}/verified-addresses", Add).WithTags("Sandbox").RequireAuthorization(Policies.Sandbox).WithName("addSandboxVerifiedAddress").WithSummary("Sandbox: add a verified wallet address");

    private static async Task<Ok<VerifiedAddressView>> Add(string securitiesAccount, VerifiedAddressRequest? request, ICoinCatalog coins, IWalletDirectory wallets,
        CryptoDbContext db, TimeProvider time, HttpContext http, CancellationToken ct)
    {
        Require.Text(securitiesAccount, "securitiesAccount", 64);
        var coin = Require.Text(request?.Coin, "coin", 10);
        var network = Require.Text(request?.Network, "network", 20);
        var address = Require.Text(request?.Address, "address", 200);
        // The stored coin configuration (ADR 18), so a coin an operator added can be used at once.
        if (await coins.GetCoinAsync(coin, network, ct) is null) throw ApiProblemException.Invalid("coin", $"No coin {coin} is configured on {network}.");
        var exists = await db.Set<WalletAddress>().AnyAsync(a => a.SecuritiesAccount == securitiesAccount && a.Coin == coin && a.Network == network
            && a.Address == address && a.Status == WalletAddress.Verified, ct);
        if (!exists)
        {
            var now = time.GetUtcNow();
            db.Add(new WalletAddress
            {
                Id = Guid.CreateVersion7(now), SecuritiesAccount = securitiesAccount, Coin = coin, Network = network, Address = address,
                Status = WalletAddress.Verified, SubmittedBy = $"sandbox:{Identity.CallerExtensions.UserId(http.User)}", CreatedAt = now, UpdatedAt = now,
            });
            await db.SaveChangesAsync(ct);
        }
        return TypedResults.Ok(new VerifiedAddressView(securitiesAccount, coin, network, await wallets.GetVerifiedAddressesAsync(securitiesAccount, coin, network, ct)));
    }
}
