using System.Threading.RateLimiting;
using ApprovalEngine.Adapters.Http;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.RateLimiting;

namespace ApprovalEngine.Server.Features.Hooks;

/// <summary>A delivery whose Standard Webhooks signature verified: its <c>webhook-id</c> and the exact bytes signed.</summary>
public sealed record SignedDelivery(string Id, byte[] Body);

/// <summary>
/// What every signed hook route of an outside service (the bank's payout results, custody's confirmations; ADR 22) does
/// before its own payload mapping: anonymous at the authorization layer, throttled per client address by one rate-limiter
/// policy, the body read up to a cap, the Standard Webhooks signature checked with the adapter's
/// <see cref="HttpAdapterOptions.WebhookKeyBytes"/> (401, nothing parsed or written, on any failure), and the sender an
/// actor that holds the scope of its one event only, so no hook can start a flow through a start trigger (ADR 9).
/// A hook keeps only its payload and its event name.
/// </summary>
public static class SignedHook
{
    public const string RateLimitPolicy = "signed-hooks";

    /// <summary>Deliveries per second per client address; a service sends one per payout or per transaction and block.</summary>
    public const int PermitsPerSecond = 100;

    public static IServiceCollection AddSignedHooks(this IServiceCollection services)
    {
        services.AddRateLimiter(o => o.AddPolicy<string, HookRateLimit>(RateLimitPolicy));
        return services;
    }

    /// <summary>
    /// Makes a route a signed hook: anonymous (the signature is the credential), throttled, under the Hooks tag. The
    /// caller maps its handler itself (<c>app.MapPost(route, Handler).AsSignedHook()</c>) so that the request delegate
    /// generator sees the method group and writes its delegate at build time.
    /// </summary>
    public static RouteHandlerBuilder AsSignedHook(this RouteHandlerBuilder route) =>
        route.WithTags("Hooks").AllowAnonymous().RequireRateLimiting(RateLimitPolicy);

    /// <summary>
    /// Reads the body (at most <paramref name="bodyLimit"/> bytes: 413) and verifies its signature with one of
    /// <paramref name="keys"/> (401 naming <c>webhook-signature</c>, the reason only in our log: a forger learns nothing
    /// about which part failed).
    /// </summary>
    public static async Task<SignedDelivery> ReadVerifiedAsync(HttpContext http, IReadOnlyList<byte[]> keys, int bodyLimit, TimeProvider clock, ILogger logger, string source)
    {
        ArgumentNullException.ThrowIfNull(http);
        ArgumentNullException.ThrowIfNull(logger);
        var body = await ReadCappedAsync(http, Math.Min(bodyLimit, RequestGuard.LimitFor(http)), source);
        var headers = http.Request.Headers;
        string? id = headers[WebhookSignature.IdHeader];
        var check = WebhookSignature.Verify(keys, id, headers[WebhookSignature.TimestampHeader], headers[WebhookSignature.SignatureHeader], body, clock.GetUtcNow());
        if (check != SignatureCheck.Valid)
        {
            logger.LogWarning("Refused a {Source} webhook from {Address}: signature {Check}.", source, http.Connection.RemoteIpAddress, check);
            throw new ApiProblemException(401, "The webhook signature is missing or invalid.",
                new Dictionary<string, string[]> { [WebhookSignature.SignatureHeader] = [$"The delivery is not signed with a {source} webhook key, or its timestamp is too old."] },
                "The webhook signature is missing, stale or does not verify.");
        }
        return new SignedDelivery(Require.Text(id, WebhookSignature.IdHeader, 200), body);
    }

    /// <summary>
    /// The event inbox's sender of a hook: a system (not an API key: <paramref name="userId"/> is <c>hook:…</c>, a name
    /// start-up refuses for keys) holding <c>events:&lt;event&gt;</c> and nothing else, so a start trigger on the event
    /// starts nothing for it (ADR 9 needs a start scope of the definition).
    /// </summary>
    public static Actor Sender(HttpContext http, string userId, string displayName, string eventName) => new()
    {
        UserId = userId, DisplayName = displayName, Role = "system", IsSystem = true, IpAddress = http.Connection.RemoteIpAddress?.ToString(),
        Scopes = new HashSet<string>(StringComparer.Ordinal) { Scopes.Event(eventName) },
    };

    /// <summary>The raw body (the signature is over these bytes); a chunked body gets no further than the cap.</summary>
    private static async Task<byte[]> ReadCappedAsync(HttpContext http, int limit, string source)
    {
        using var buffer = new MemoryStream();
        var chunk = new byte[8192];
        int read;
        while ((read = await http.Request.Body.ReadAsync(chunk, http.RequestAborted)) > 0)
        {
            if (buffer.Length + read > limit)
            {
                throw new ApiProblemException(413, "The request body is too large.", new Dictionary<string, string[]> { ["body"] = ["The body is too large."] },
                    $"A {source} webhook is at most {limit} bytes.");
            }
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    /// <summary>One partition per client address: a flood from one place cannot crowd out the service's deliveries elsewhere.</summary>
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
