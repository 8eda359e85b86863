using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Server.Features.Events;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Crypto.Sandbox;

public sealed record ChainConfirmationsRequest(int? Confirmations, bool? Failed);

public sealed record ChainTransactionView(string TxId, string Kind, string Coin, string Network, string Address, string Amount, string Reference,
    int Confirmations, bool Failed, DateTimeOffset CreatedAt);

public sealed record ChainConfirmationsView(ChainTransactionView Transaction, EventDelivered Event);

/// <summary>
/// Development only (Adapters:Mode = Sandbox): the sandbox chain "mines" confirmations for a transaction it knows.
/// The count is stored on the transaction and delivered as the <c>BlockConfirmations</c> event, exactly as a chain
/// watcher would send it, so the flows see no difference from <c>POST /api/events/BlockConfirmations</c>.
/// </summary>
public static class ChainSandboxApi
{
    public static void MapChainSandboxApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/sandbox/blockchain/transactions/{txId}/confirmations", Confirm).WithTags("Sandbox")
            .RequireAuthorization(Policies.Sandbox).ProducesProblems(400, 401, 403, 404, 422).WithName("addSandboxConfirmations").WithSummary("Sandbox: confirm a blockchain transaction");

    private static async Task<Ok<ChainConfirmationsView>> Confirm(string txId, ChainConfirmationsRequest? request, DatabaseBlockchainSandbox chain,
        EventDispatcher dispatcher, HttpContext http, CancellationToken ct)
    {
        Require.Text(txId, "txId", 100);
        if (request?.Confirmations is not { } confirmations) throw ApiProblemException.Invalid("confirmations", "confirmations is required.");
        if (confirmations < 0) throw ApiProblemException.Invalid("confirmations", "confirmations must be 0 or more.");
        var failed = request.Failed ?? false;
        var row = await chain.RecordConfirmationsAsync(txId, confirmations, failed, ct)
            ?? throw ApiProblemException.NotFound($"The sandbox chain has no transaction {txId}.");
        // The stored (never lower) count, so a report lower than an earlier one repeats the earlier one.
        var payloadJson = new JsonObject { ["confirmations"] = row.Confirmations, ["failed"] = row.Failed };
        var delivered = await dispatcher.DeliverAsync(CryptoNames.BlockConfirmations, txId, payloadJson, ExpressionValues.FromJsonNode(payloadJson),
            null, null, http.ToActor(), ct);
        return TypedResults.Ok(new ChainConfirmationsView(View(row), delivered with { Instances = [] }));
    }

    public static ChainTransactionView View(SandboxChainTransaction t) =>
        new(t.TxId, t.Kind, t.Coin, t.Network, t.Address, t.Amount.ToString(System.Globalization.CultureInfo.InvariantCulture), t.Reference,
            t.Confirmations, t.Failed, t.CreatedAt);
}
