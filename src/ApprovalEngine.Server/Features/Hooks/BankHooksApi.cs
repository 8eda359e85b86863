using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Http;
using ApprovalEngine.Expressions;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Features.Events;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Hooks;

/// <summary>One payout's (or one transfer of a bank file's) result, as the bank reports it.</summary>
/// <param name="Reference">What we sent as the payout's reference: the fiat record number (a file's transfer: its end-to-end id, the record number).</param>
/// <param name="BankReference">The bank's order number of the payout, or the file's number for a transfer of a file.</param>
/// <param name="Success">True: paid; false: the bank could not pay it.</param>
/// <param name="Reason">Why it failed (required when <paramref name="Success"/> is false).</param>
public sealed record BankResultData(string? Reference, string? BankReference, bool? Success, string? Reason);

/// <summary>A bank webhook delivery (Standard Webhooks): <c>type</c> is <c>payout.result</c>.</summary>
public sealed record BankResultHook(string? Type, DateTimeOffset? Timestamp, BankResultData? Data);

/// <summary>What we answer the bank: the event it became (a duplicate delivery gets the first answer again).</summary>
public sealed record BankHookAccepted(Guid? EventId, bool Duplicate, int Resumed, string Status);

/// <summary>
/// <c>POST /api/hooks/bank/results</c>: the bank's signed payout results (docs/adapters/bank.md). No bearer token or API
/// key: the Standard Webhooks signature with one of <c>Adapters:Http:Bank:WebhookKeys</c> is the credential (401, nothing
/// written, on any failure). A verified delivery is the same <c>BankResult</c> event a system sends to
/// <c>POST /api/events/BankResult</c> today (correlation = the record number, payload <c>{ success, reason,
/// bankReference }</c>), through the event dispatcher and its rules (ADR 14: 409 while the record waits for no result,
/// so the bank retries), with the sender <see cref="Sender"/> and the delivery's <c>webhook-id</c> as the idempotency key
/// (ADR 9): a re-delivery is answered 200 and resumes nothing twice.
/// </summary>
public static class BankHooksApi
{
    /// <summary>The event inbox's sender of bank webhooks (not an API key name: a key named "bank" cannot share its keys).</summary>
    public const string Sender = "hook:bank";

    public const string PayoutResult = "payout.result";

    /// <summary>A payout result is a few hundred bytes (a reason at most 2000 characters); a body far beyond that is not the bank's.</summary>
    public const int BodyLimit = 16 * 1024;

    public static void MapBankHooksApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/hooks/bank/results", Receive).AsSignedHook()
            .Accepts<BankResultHook>("application/json")
            .ProducesProblems(401, 404, 409, 413, 422, 429)
            .WithName("receiveBankResult")
            .WithSummary("The bank reports a payout's result (signed webhook)")
            .WithDescription("""
                Called by the bank, not by people or API keys. Signed with Standard Webhooks: `webhook-id` (the delivery id,
                kept on re-delivery), `webhook-timestamp` (Unix seconds, within 5 minutes of our clock) and
                `webhook-signature` (`v1,` + base64 HMAC-SHA256 of `{id}.{timestamp}.{body}` with a key of
                `Adapters:Http:Bank:WebhookKeys`). Any signature failure is 401 and writes nothing. 404 unless the server
                runs `Adapters:Mode=Real` with `Adapters:Bank=Http` and webhook keys. The result becomes the `BankResult`
                event of record `data.reference`; a re-delivery (same `webhook-id`) answers 200 with `duplicate: true`.
                409: the record waits for no bank result now (retry later). See docs/adapters/bank.md.
                """);
    }

    private static async Task<Ok<BankHookAccepted>> Receive(HttpContext http, IConfiguration config, EventDispatcher events, TimeProvider clock, ILogger<BankResultHook> logger, CancellationToken ct)
    {
        var options = HttpLedgerBankAdapters.Options(config, AdapterKind.Bank);
        // Only a server whose bank is the REST adapter, with keys to check, takes bank webhooks at all.
        if (!HttpLedgerBankAdapters.Selected(config, AdapterKind.Bank) || options.WebhookKeys.Count == 0)
        {
            throw ApiProblemException.NotFound("This server takes no bank webhooks (Adapters:Bank is not Http, or Adapters:Http:Bank:WebhookKeys is empty).");
        }
        var delivery = await SignedHook.ReadVerifiedAsync(http, options.WebhookKeyBytes(), BodyLimit, clock, logger, "bank");
        var hook = Parse(delivery.Body);
        var data = hook.Data!;
        var payload = new JsonObject { ["success"] = data.Success, ["reason"] = data.Reason, ["bankReference"] = data.BankReference };
        var actor = SignedHook.Sender(http, Sender, "Bank (webhook)", FiatNames.BankResult);
        var delivered = await events.DeliverAsync(FiatNames.BankResult, data.Reference!, payload, ExpressionValues.FromJsonNode(payload), delivery.Id, null, actor, ct);
        return TypedResults.Ok(new BankHookAccepted(delivered.EventId, delivered.Duplicate, delivered.Resumed, delivered.Status));
    }

    private static BankResultHook Parse(byte[] body)
    {
        BankResultHook? hook;
        try
        {
            hook = JsonSerializer.Deserialize<BankResultHook>(body, ServiceCalls.Json);
        }
        catch (JsonException ex)
        {
            throw ApiProblemException.BadRequest("body", $"Malformed JSON: {ex.Message}");
        }
        if (hook?.Type != PayoutResult) throw ApiProblemException.Invalid("type", $"type is '{PayoutResult}'.");
        var data = hook.Data ?? throw ApiProblemException.Invalid("data", "data is required.");
        if (string.IsNullOrWhiteSpace(data.Reference) || data.Reference.Length > 200) throw ApiProblemException.Invalid("data.reference", "data.reference (the payout's reference, at most 200 characters) is required.");
        if (string.IsNullOrWhiteSpace(data.BankReference) || data.BankReference.Length > 200) throw ApiProblemException.Invalid("data.bankReference", "data.bankReference (the bank's order or file number, at most 200 characters) is required.");
        if (data.Success is null) throw ApiProblemException.Invalid("data.success", "data.success is required.");
        if (data.Success == false && string.IsNullOrWhiteSpace(data.Reason)) throw ApiProblemException.Invalid("data.reason", "A failed payout needs its reason.");
        if (data.Reason is { Length: > 2000 }) throw ApiProblemException.Invalid("data.reason", "data.reason is at most 2000 characters.");
        return hook;
    }
}
