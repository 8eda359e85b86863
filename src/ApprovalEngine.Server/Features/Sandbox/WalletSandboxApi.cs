using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Sandbox;

public sealed record VerifiedAddressRequest(string? Coin, string? Network, string? Address);

public sealed record VerifiedAddressView(string SecuritiesAccount, string Coin, string Network, IReadOnlyList<string> Addresses);

/// <summary>The sandbox wallet directory (Development only): register a customer's verified addresses so crypto flows can run.</summary>
public static class WalletSandboxApi
{
    public static void MapWalletSandboxApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/sandbox/wallets/{securitiesAccount}/verified-addresses", Add).WithTags("Sandbox").RequireAuthorization(Policies.Sandbox);

    private static async Task<Ok<VerifiedAddressView>> Add(string securitiesAccount, VerifiedAddressRequest? request, InMemoryBlockchainSandbox sandbox, ICoinCatalog coins, CancellationToken ct)
    {
        Require.Text(securitiesAccount, "securitiesAccount", 64);
        var coin = Require.Text(request?.Coin, "coin", 16);
        var network = Require.Text(request?.Network, "network", 32);
        var address = Require.Text(request?.Address, "address", 128);
        // The stored coin configuration (ADR 18), so a coin an operator added can be used at once.
        if (await coins.GetCoinAsync(coin, network, ct) is null) throw ApiProblemException.Invalid("coin", $"No coin {coin} is configured on {network}.");
        sandbox.AddVerifiedAddress(securitiesAccount, coin, network, address);
        return TypedResults.Ok(new VerifiedAddressView(securitiesAccount, coin, network, await sandbox.GetVerifiedAddressesAsync(securitiesAccount, coin, network, ct)));
    }
}
