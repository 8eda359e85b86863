using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Http;
using ApprovalEngine.Expressions;
using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Server.Features.Events;
using ApprovalEngine.Server.Features.Hooks;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Crypto.Custody;

/// <summary>What the server answers a verified delivery: the inbox row, and whether the delivery id was seen before.</summary>
/// <param name="Duplicate">The webhook-id was delivered before: nothing was resumed again.</param>
public sealed record HookAccepted(string DeliveryId, Guid? EventId, bool Duplicate, string Status);

/// <summary>
/// The keys custody signs its webhooks with, fixed at start-up. Accepted only in Real mode with
/// <c>Adapters:Custody=Http</c> and at least one <c>Adapters:Http:Custody:WebhookKeys</c>; otherwise the route is a 404.
/// Keys are the UTF-8 bytes of the configured text, as the request signing key is.
/// </summary>
public sealed class CustodyHookKeys(IConfiguration config)
{
    public IReadOnlyList<byte[]> Keys { get; } = HttpCustody.Selected(config)
        ? [.. HttpCustody.Options(config).WebhookKeyBytes()]
        : [];

    public bool Enabled => Keys.Count > 0;
}

/// <summary>
/// <c>POST /api/hooks/custody/confirmations</c>: custody's signed report of a transaction's block confirmations becomes
/// the <c>BlockConfirmations</c> event, exactly as the sandbox route and <c>POST /api/events/BlockConfirmations</c>
/// deliver it, through the event inbox with sender <c>hook:custody</c> and idempotency key = <c>webhook-id</c>, so a
/// re-delivered webhook is answered 200 and resumes nothing twice (ADR 9). Anonymous at the authorization layer: the
/// Standard Webhooks signature is the credential, checked before anything is parsed or written.
/// </summary>
public static class CustodyHooksApi
{
    public const string ConfirmationsRoute = "/api/hooks/custody/confirmations";
    /// <summary>
    /// The event inbox's sender of custody webhooks. Not a possible API key name: the inbox deduplicates by sender and
    /// key, so a system key named "custody" sending its own Idempotency-Key equal to a webhook-id would otherwise have
    /// the webhook's report answered as a duplicate and dropped (as the bank's <c>hook:bank</c>).
    /// </summary>
    public const string Sender = "hook:custody";

    /// <summary>A confirmations report is a few hundred bytes; a body far beyond that is not custody's.</summary>
    public const int BodyLimit = 16 * 1024;

    public const string Description = """
        Called by the custody service, not by people or API keys. Authenticated by a Standard Webhooks signature instead of a
        bearer token or API key: `webhook-id` (the delivery id; a repeat is answered 200 with `duplicate: true` and changes
        nothing), `webhook-timestamp` (Unix seconds, within 5 minutes of the server's clock) and `webhook-signature`
        (`v1,` + base64 HMAC-SHA256(key, `{webhook-id}.{webhook-timestamp}.{body}`) with a key of
        `Adapters:Http:Custody:WebhookKeys`). A missing, stale or wrong signature is a 401 and writes nothing. Only in
        `Adapters:Mode=Real` with `Adapters:Custody=Http` and webhook keys configured; otherwise 404. Body (≤ 16 KB):
        `{ "txId": "0x…", "confirmations": 3, "failed": false, "reason": null }`; it becomes the `BlockConfirmations`
        event with correlation = `txId`. See docs/adapters/custody.md.
        """;

    public static IServiceCollection AddCustodyHooks(this IServiceCollection services)
    {
        services.AddSingleton<CustodyHookKeys>();
        return services;
    }

    public static void MapCustodyHooksApi(this IEndpointRouteBuilder app) =>
        app.MapPost(ConfirmationsRoute, Confirmations).AsSignedHook()
            .Accepts<CustodyConfirmationsHook>("application/json")
            .ProducesProblems(400, 401, 404, 409, 413, 422, 429)
            .WithName("receiveCustodyConfirmations").WithSummary("Custody webhook: block confirmations of a transaction (signed)").WithDescription(Description);

    private static async Task<Ok<HookAccepted>> Confirmations(HttpContext http, CustodyHookKeys keys, EventDispatcher dispatcher, TimeProvider clock,
        ILogger<CustodyHookKeys> logger, CancellationToken ct)
    {
        if (!keys.Enabled) throw ApiProblemException.NotFound("Custody webhooks are accepted only with Adapters:Mode=Real, Adapters:Custody=Http and Adapters:Http:Custody:WebhookKeys.");
        var delivery = await SignedHook.ReadVerifiedAsync(http, keys.Keys, BodyLimit, clock, logger, "custody");
        var hook = Parse(delivery.Body);
        var payloadJson = new JsonObject { ["confirmations"] = hook.Confirmations, ["failed"] = hook.Failed };
        // The flows name the chain's reason on failure (crypto-coin-withdrawal's chainFailed).
        if (hook.Reason is not null) payloadJson["reason"] = hook.Reason;
        var delivered = await dispatcher.DeliverAsync(CryptoNames.BlockConfirmations, hook.TxId, payloadJson, ExpressionValues.FromJsonNode(payloadJson),
            delivery.Id, null, SignedHook.Sender(http, Sender, "Custody webhook", CryptoNames.BlockConfirmations), ct);
        return TypedResults.Ok(new HookAccepted(delivery.Id, delivered.EventId, delivered.Duplicate, delivered.Status));
    }

    private static CustodyConfirmationsHook Parse(byte[] body)
    {
        JsonObject? json;
        try
        {
            json = JsonNode.Parse(body) as JsonObject;
        }
        catch (JsonException)
        {
            json = null;
        }
        if (json is null) throw ApiProblemException.BadRequest("body", "The body must be a JSON object.");
        var errors = new Dictionary<string, string[]>();
        var txId = json["txId"] is JsonValue t && t.TryGetValue<string>(out var s) ? s : null;
        if (string.IsNullOrWhiteSpace(txId) || txId.Length > 200) errors["txId"] = ["txId is required, at most 200 characters."];
        int? confirmations = json["confirmations"] is JsonValue c && c.TryGetValue<int>(out var n) ? n : null;
        if (confirmations is not >= 0) errors["confirmations"] = ["confirmations is required: a whole number, 0 or more."];
        var failed = false;
        if (json["failed"] is { } f && !(f is JsonValue fv && fv.TryGetValue(out failed))) errors["failed"] = ["failed must be true or false."];
        string? reason = null;
        if (json["reason"] is { } r && !(r is JsonValue rv && rv.TryGetValue(out reason) && reason.Length <= 500)) errors["reason"] = ["reason must be text of at most 500 characters."];
        if (errors.Count > 0) throw ApiProblemException.Invalid(errors);
        return new CustodyConfirmationsHook(txId!, confirmations!.Value, failed, reason);
    }
}

/// <summary>The body custody sends (docs/adapters/custody.md).</summary>
/// <param name="TxId">The transaction hash, as the broadcast answered it (the flows' correlation).</param>
/// <param name="Confirmations">Blocks on top of the transaction's block, counting it; never lower than an earlier report.</param>
/// <param name="Failed">The transaction failed or was dropped on chain.</param>
/// <param name="Reason">Why it failed, for the operator.</param>
public sealed record CustodyConfirmationsHook(string TxId, int Confirmations, bool Failed = false, string? Reason = null);
