using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.RateLimiting;
using ApprovalEngine.Adapters.Http;
using ApprovalEngine.Expressions;
using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Server.Features.Events;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.RateLimiting;

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
    public const string RateLimitPolicy = "custody-hooks";

    /// <summary>A confirmations report is a few hundred bytes; a body far beyond that is not custody's.</summary>
    public const int BodyLimit = 16 * 1024;

    /// <summary>Deliveries per second per client address; custody sends one per transaction per block.</summary>
    public const int PermitsPerSecond = 100;

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
        services.AddRateLimiter(o => o.AddPolicy<string, HookRateLimit>(RateLimitPolicy));
        return services;
    }

    public static void MapCustodyHooksApi(this IEndpointRouteBuilder app) =>
        app.MapPost(ConfirmationsRoute, Confirmations).WithTags("Hooks").AllowAnonymous().RequireRateLimiting(RateLimitPolicy)
            .Accepts<CustodyConfirmationsHook>("application/json")
            .ProducesProblems(400, 401, 404, 409, 413, 422, 429)
            .WithName("receiveCustodyConfirmations").WithSummary("Custody webhook: block confirmations of a transaction (signed)").WithDescription(Description);

    private static async Task<Ok<HookAccepted>> Confirmations(HttpContext http, CustodyHookKeys keys, EventDispatcher dispatcher, TimeProvider clock,
        ILogger<CustodyHookKeys> logger, CancellationToken ct)
    {
        if (!keys.Enabled) throw ApiProblemException.NotFound("Custody webhooks are accepted only with Adapters:Mode=Real, Adapters:Custody=Http and Adapters:Http:Custody:WebhookKeys.");
        var body = await ReadBodyAsync(http.Request, ct);
        var headers = http.Request.Headers;
        string? id = headers[WebhookSignature.IdHeader];
        var check = WebhookSignature.Verify(keys.Keys, id, headers[WebhookSignature.TimestampHeader], headers[WebhookSignature.SignatureHeader], body, clock.GetUtcNow());
        if (check != SignatureCheck.Valid)
        {
            // The reason goes to our log only: a forger learns nothing from the answer.
            logger.LogWarning("Refused a custody webhook from {Address}: signature {Check}.", http.Connection.RemoteIpAddress, check);
            throw new ApiProblemException(401, "The webhook signature is missing or invalid.",
                new Dictionary<string, string[]> { [WebhookSignature.SignatureHeader] = ["The delivery is not signed with a custody webhook key, or its timestamp is too old."] });
        }
        var deliveryId = Require.Text(id, WebhookSignature.IdHeader, 200);
        var hook = Parse(body);
        var payloadJson = new JsonObject { ["confirmations"] = hook.Confirmations, ["failed"] = hook.Failed };
        // The flows name the chain's reason on failure (crypto-coin-withdrawal's chainFailed).
        if (hook.Reason is not null) payloadJson["reason"] = hook.Reason;
        var delivered = await dispatcher.DeliverAsync(CryptoNames.BlockConfirmations, hook.TxId, payloadJson, ExpressionValues.FromJsonNode(payloadJson),
            deliveryId, null, CustodyActor(http), ct);
        return TypedResults.Ok(new HookAccepted(deliveryId, delivered.EventId, delivered.Duplicate, delivered.Status));
    }

    /// <summary>The inbox's sender: one system, allowed to send this event and nothing else (a trigger cannot start a flow from it).</summary>
    private static readonly HashSet<string> SenderScopes = new(StringComparer.Ordinal) { Scopes.Event(CryptoNames.BlockConfirmations) };

    private static Actor CustodyActor(HttpContext http) => new()
    {
        UserId = Sender, DisplayName = "Custody webhook", Role = "system", IsSystem = true, IpAddress = http.Connection.RemoteIpAddress?.ToString(),
        Scopes = SenderScopes,
    };

    private static async Task<byte[]> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        // RequestGuard already refused a longer declared body (413); this bounds a chunked one the same way.
        using var buffer = new MemoryStream();
        var chunk = new byte[4096];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > BodyLimit) throw new ApiProblemException(413, "The request body is too large.", null, $"A custody webhook is at most {BodyLimit} bytes.");
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
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

    /// <summary>One partition per client address: a flood from one place cannot crowd out custody's deliveries elsewhere.</summary>
    private sealed class HookRateLimit : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected { get; } = async (context, _) =>
        {
            const string detail = "Too many webhook deliveries from this address; retry in a second.";
            context.HttpContext.Response.Headers.RetryAfter = "1";
            await TypedResults.Problem(statusCode: 429, title: "Too many requests.", detail: detail,
                extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { [WebhookSignature.IdHeader] = [detail] } }).ExecuteAsync(context.HttpContext);
        };

        public RateLimitPartition<string> GetPartition(HttpContext httpContext) =>
            RateLimitPartition.GetFixedWindowLimiter(httpContext.Connection.RemoteIpAddress?.ToString() ?? "unknown", _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = PermitsPerSecond, Window = TimeSpan.FromSeconds(1), QueueLimit = 0,
            });
    }
}

/// <summary>The body custody sends (docs/adapters/custody.md).</summary>
/// <param name="TxId">The transaction hash, as the broadcast answered it (the flows' correlation).</param>
/// <param name="Confirmations">Blocks on top of the transaction's block, counting it; never lower than an earlier report.</param>
/// <param name="Failed">The transaction failed or was dropped on chain.</param>
/// <param name="Reason">Why it failed, for the operator.</param>
public sealed record CustodyConfirmationsHook(string TxId, int Confirmations, bool Failed = false, string? Reason = null);
