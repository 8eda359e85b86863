using System.Net;
using System.Net.Sockets;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Features.Webhooks;

public sealed record CreateWebhookSubscription(string? DefinitionId, IReadOnlyList<string>? Events, string? Url, string? Secret, string? Description);

/// <summary>A subscription as reads show it: the secret only as a hint.</summary>
public sealed record WebhookSubscriptionView(
    Guid Id, string DefinitionId, IReadOnlyList<string> Events, string Url, string SecretHint, string? Description,
    string CreatedBy, DateTimeOffset CreatedAt, bool Active, DateTimeOffset? DisabledAt);

/// <summary>The answer to a new subscription: the secret appears here once, and only when the server generated it.</summary>
public sealed record CreatedWebhookSubscription(WebhookSubscriptionView Subscription, string? GeneratedSecret);

public sealed record WebhookDeliveryView(
    Guid Id, Guid SubscriptionId, string EventType, Guid InstanceId, string DefinitionId, string Status, int Attempts,
    DateTimeOffset CreatedAt, DateTimeOffset? NextAttemptAt, DateTimeOffset? LastAttemptAt, DateTimeOffset? DeliveredAt,
    int? LastStatusCode, string? LastError, string? ResponseExcerpt, DateTimeOffset? ResentAt, string? ResentBy, string Payload);

public static class WebhooksSetup
{
    public static IServiceCollection AddWebhooks(this IServiceCollection services, IConfiguration config)
    {
        services.Configure<WebhookOptions>(config.GetSection("Webhooks"));
        services.AddSingleton(sp => new WebhookClock(sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<WebhookSecrets>();
        services.AddSingleton<WebhookUrls>();
        services.AddSingleton<WebhookSubscriptionCache>();
        services.AddSingleton<IStepObserver, WebhookOutbox>();
        services.AddSingleton<WebhookDispatcher>();
        services.AddHostedService<WebhookDispatcherService>();
        services.AddHttpClient(WebhookDispatcher.HttpClientName, c => c.DefaultRequestHeaders.UserAgent.ParseAdd("ApprovalEngine-Webhooks/1"))
            .ConfigurePrimaryHttpMessageHandler(sp =>
            {
                var urls = sp.GetRequiredService<WebhookUrls>();
                return new SocketsHttpHandler
                {
                    // A redirect would take the request somewhere the subscription never named (and past the address check).
                    AllowAutoRedirect = false,
                    UseCookies = false,
                    // Direct, never through HTTP(S)_PROXY: through a proxy the check below would see the proxy's address,
                    // not the subscriber's, and any name resolving inside would pass (attacker review). A deployment that
                    // must leave through a proxy has to enforce the same egress rules there.
                    UseProxy = false,
                    ConnectTimeout = TimeSpan.FromSeconds(5),
                    // The address check on the address actually connected to, after DNS: a public name that resolves
                    // inside (or is re-pointed there later) is refused under strict URLs.
                    ConnectCallback = async (context, ct) =>
                    {
                        var host = context.DnsEndPoint.Host;
                        var addresses = IPAddress.TryParse(host.Trim('[', ']'), out var literal) ? [literal] : await Dns.GetHostAddressesAsync(host, ct);
                        var allowed = addresses.Where(a => urls.MayConnect(host, a)).ToList();
                        if (allowed.Count == 0) throw new HttpRequestException($"Refused: {host} resolves to a private or loopback address (Webhooks:AllowedHosts).");
                        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                        try
                        {
                            await socket.ConnectAsync([.. allowed], context.DnsEndPoint.Port, ct);
                            return new NetworkStream(socket, ownsSocket: true);
                        }
                        catch
                        {
                            socket.Dispose();
                            throw;
                        }
                    },
                };
            });
        return services;
    }
}

/// <summary>
/// Systems' subscriptions and their deliveries (issue 15), managed by holders of <c>webhooks:manage</c>: subscribe,
/// remove, list deliveries with their attempts and errors, resend one (same webhook-id).
/// </summary>
/// <remarks>
/// A subscription sends correlation ids, business statuses and faults of a definition's instances, and its deliveries
/// show them, so every route also applies the definition's read policy (ADR 7, <see cref="ReadAccess"/>) to the caller,
/// people and API keys alike: subscribing to a definition needs read access to it (403 naming <c>definitionId</c>),
/// lists hold only rows of readable definitions (filtered in SQL), and removing or resending a row of a definition the
/// caller may not read is a 404, as if it did not exist. Without this the right alone was a side door to data that
/// <c>GET /api/instances/{id}</c> refuses (ADR 20, amendment).
/// </remarks>
public static class WebhooksApi
{
    public static void MapWebhooksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/webhooks").WithTags("Webhooks").RequireAuthorization(Policies.ManageWebhooks).ProducesProblems(400, 401, 403);
        group.MapGet("/subscriptions", ListSubscriptions).WithName("listWebhookSubscriptions").WithSummary("List webhook subscriptions (secrets only as a hint)");
        group.MapPost("/subscriptions", Create).ProducesProblems(409, 422).WithName("createWebhookSubscription").WithSummary("Subscribe a system's URL to events of a definition");
        group.MapDelete("/subscriptions/{id}", Remove).ProducesProblems(404).WithName("deleteWebhookSubscription").WithSummary("Remove a webhook subscription (its deliveries stay visible)");
        group.MapGet("/deliveries", ListDeliveries).WithName("listWebhookDeliveries").WithSummary("List webhook deliveries with status, attempts and last error");
        group.MapPost("/deliveries/{id}/resend", Resend).ProducesProblems(404).WithName("resendWebhookDelivery").WithSummary("Send a webhook delivery again, with the same webhook-id");
    }

    private static async Task<Ok<List<WebhookSubscriptionView>>> ListSubscriptions(HttpContext http, ApprovalDbContext db, ReadAccess reads, bool? includeRemoved, CancellationToken ct)
    {
        var readable = await reads.ReadableDefinitionsAsync(db, http.User, ct);
        var query = db.WebhookSubscriptions.AsNoTracking().Where(s => readable.Contains(s.DefinitionId));
        if (includeRemoved != true) query = query.Where(s => s.DisabledAt == null);
        var rows = await query.OrderBy(s => s.DefinitionId).ThenBy(s => s.CreatedAt).Take(1000).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(View).ToList());
    }

    private static async Task<Created<CreatedWebhookSubscription>> Create(
        CreateWebhookSubscription body, HttpContext http, ApprovalDbContext db, ReadAccess reads, WebhookSecrets secrets, WebhookUrls urls,
        WebhookSubscriptionCache cache, WebhookClock clock, IOptions<WebhookOptions> options, ILogger<WebhookDispatcher> logger, CancellationToken ct)
    {
        var errors = new Dictionary<string, string[]>();
        var definitionId = body.DefinitionId?.Trim();
        if (string.IsNullOrEmpty(definitionId)) errors["definitionId"] = ["'definitionId' is required."];
        else if (definitionId.Length > 100 || !await db.Definitions.AnyAsync(d => d.Id == definitionId, ct)) errors["definitionId"] = [$"No definition '{definitionId}'."];
        var events = body.Events?.Select(e => e?.Trim() ?? "").ToList() ?? [];
        if (events.Count == 0) errors["events"] = [$"Name at least one event: {string.Join(", ", WebhookEvents.All)}."];
        else if (events.FirstOrDefault(e => !WebhookEvents.All.Contains(e)) is { } unknown) errors["events"] = [$"Unknown event '{(unknown.Length > 60 ? unknown[..60] : unknown)}'; known: {string.Join(", ", WebhookEvents.All)}."];
        var url = body.Url?.Trim() ?? "";
        if (url.Length == 0) errors["url"] = ["'url' is required."];
        else if (url.Length > 2000) errors["url"] = ["'url' is longer than 2000 characters."];
        else if (urls.Problem(url) is { } urlProblem) errors["url"] = [urlProblem];
        var secret = body.Secret;
        if (secret is not null && WebhookSecrets.Check(secret) is { } secretProblem) errors["secret"] = [secretProblem];
        if (body.Description is { Length: > 400 }) errors["description"] = ["'description' is longer than 400 characters."];
        if (errors.Count > 0) throw ApiProblemException.Invalid(errors);
        // The deliveries will carry what the instances' readers see (correlation id, status, faults): only a reader
        // of the definition may have them sent anywhere.
        if (!await reads.CanReadAsync(db, http.User, definitionId!, ct))
        {
            var why = $"You may not read instances of '{definitionId}', so you may not subscribe to them; its definition's read policy does not include you.";
            throw new ApiProblemException(403, "Not permitted.", new Dictionary<string, string[]> { ["definitionId"] = [why] }, why);
        }
        if (secrets.Problem is { } keyProblem) throw ApiProblemException.Conflict(keyProblem);
        if (await db.WebhookSubscriptions.CountAsync(s => s.DisabledAt == null, ct) >= options.Value.MaxSubscriptions)
        {
            throw ApiProblemException.Conflict($"There are {options.Value.MaxSubscriptions} active subscriptions (Webhooks:MaxSubscriptions); remove one first.");
        }

        var generated = secret is null ? WebhookSecrets.Generate() : null;
        secret ??= generated!;
        var now = clock.Now;
        var row = new WebhookSubscriptionRecord
        {
            Id = Guid.CreateVersion7(now),
            DefinitionId = definitionId!,
            Events = string.Join(',', WebhookEvents.All.Where(events.Contains)),
            Url = url,
            SecretSealed = "",
            SecretHint = WebhookSecrets.Hint(secret),
            Description = body.Description,
            CreatedBy = http.User.UserId(),
            CreatedAt = now,
        };
        row.SecretSealed = secrets.Seal(row.Id, secret);
        db.WebhookSubscriptions.Add(row);
        await db.SaveChangesAsync(ct);
        cache.Invalidate();
        logger.LogInformation("Webhook subscription {SubscriptionId} for {DefinitionId} ({Events}) created by {User}", row.Id, row.DefinitionId, row.Events, row.CreatedBy);
        return TypedResults.Created($"/api/webhooks/subscriptions/{row.Id}", new CreatedWebhookSubscription(View(row), generated));
    }

    private static async Task<NoContent> Remove(string id, HttpContext http, ApprovalDbContext db, ReadAccess reads, WebhookSubscriptionCache cache, WebhookClock clock, ILogger<WebhookDispatcher> logger, CancellationToken ct)
    {
        var subscriptionId = Require.Id(id, "subscription");
        var now = clock.Now;
        // One of a definition the caller may not read is answered as absent: a 403 would confirm that it exists.
        var readable = await reads.ReadableDefinitionsAsync(db, http.User, ct);
        var changed = await db.WebhookSubscriptions.Where(s => s.Id == subscriptionId && s.DisabledAt == null && readable.Contains(s.DefinitionId))
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.DisabledAt, now), ct);
        if (changed == 0) throw ApiProblemException.NotFound($"No active subscription {id}.");
        cache.Invalidate();
        logger.LogInformation("Webhook subscription {SubscriptionId} removed by {User}", subscriptionId, http.User.UserId());
        return TypedResults.NoContent();
    }

    private static async Task<Ok<Paged<WebhookDeliveryView>>> ListDeliveries(
        HttpContext http, ApprovalDbContext db, ReadAccess reads, Guid? subscriptionId, Guid? instanceId, string? status, string? eventType, int? page, int? pageSize, CancellationToken ct)
    {
        var (p, s) = Paging.Check(page, pageSize);
        // Only deliveries of definitions the caller may read (ADR 7), in SQL before counting and paging.
        var readable = await reads.ReadableDefinitionsAsync(db, http.User, ct);
        var query = db.WebhookDeliveries.AsNoTracking().Where(d => readable.Contains(d.DefinitionId));
        if (subscriptionId is { } sub) query = query.Where(d => d.SubscriptionId == sub);
        if (instanceId is { } instance) query = query.Where(d => d.InstanceId == instance);
        if (!string.IsNullOrEmpty(status)) query = query.Where(d => d.Status == status);
        if (!string.IsNullOrEmpty(eventType)) query = query.Where(d => d.EventType == eventType);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(d => d.CreatedAt).ThenByDescending(d => d.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<WebhookDeliveryView>([.. rows.Select(View)], total, p, s));
    }

    private static async Task<Ok<WebhookDeliveryView>> Resend(string id, HttpContext http, ApprovalDbContext db, ReadAccess reads, WebhookClock clock, ILogger<WebhookDispatcher> logger, CancellationToken ct)
    {
        var deliveryId = Require.Id(id, "delivery");
        var now = clock.Now;
        var by = http.User.UserId();
        // A delivery of a definition the caller may not read is answered as absent (no existence leak) and not touched.
        var readable = await reads.ReadableDefinitionsAsync(db, http.User, ct);
        // Due at once with a fresh count of attempts; the lease is taken back so that an attempt in flight does not
        // record over it. The id, and so the webhook-id, stays: a receiver that has it already can drop it.
        var changed = await db.WebhookDeliveries.Where(d => d.Id == deliveryId && readable.Contains(d.DefinitionId))
            .ExecuteUpdateAsync(s => s
                .SetProperty(d => d.Status, WebhookDeliveryStatuses.Pending)
                .SetProperty(d => d.Attempts, 0)
                .SetProperty(d => d.NextAttemptAt, now)
                .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null)
                .SetProperty(d => d.LeaseToken, (Guid?)null)
                .SetProperty(d => d.ResentAt, now)
                .SetProperty(d => d.ResentBy, by), ct);
        if (changed == 0) throw ApiProblemException.NotFound($"No delivery {id}.");
        logger.LogInformation("Webhook delivery {DeliveryId} resent by {User}", deliveryId, by);
        var row = await db.WebhookDeliveries.AsNoTracking().FirstAsync(d => d.Id == deliveryId, ct);
        return TypedResults.Ok(View(row));
    }

    private static WebhookSubscriptionView View(WebhookSubscriptionRecord s) =>
        new(s.Id, s.DefinitionId, s.Events.Split(','), s.Url, s.SecretHint, s.Description, s.CreatedBy, s.CreatedAt, s.DisabledAt is null, s.DisabledAt);

    private static WebhookDeliveryView View(WebhookDeliveryRecord d) =>
        new(d.Id, d.SubscriptionId, d.EventType, d.InstanceId, d.DefinitionId, d.Status, d.Attempts, d.CreatedAt,
            d.Status == WebhookDeliveryStatuses.Pending ? d.NextAttemptAt : null, d.LastAttemptAt, d.DeliveredAt,
            d.LastStatusCode, d.LastError, d.ResponseExcerpt, d.ResentAt, d.ResentBy, d.Payload);
}
