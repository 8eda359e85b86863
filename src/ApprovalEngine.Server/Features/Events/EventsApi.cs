using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using ApprovalEngine.Hosting;

namespace ApprovalEngine.Server.Features.Events;

/// <param name="KeepForSeconds">How long to keep the event when nothing waits for it yet (default <c>Engine:EventRetentionSeconds</c>, capped at <c>Engine:EventRetentionMaxSeconds</c>; 0: not kept).</param>
public sealed record EventRequest(string? CorrelationId, JsonNode? Payload = null, string? IdempotencyKey = null, int? KeepForSeconds = null);

/// <param name="Resumed">How many instances the event resumed or interrupted.</param>
/// <param name="Instances">Those of them the caller may read (ADR 7 read policy); the others are only counted.</param>
/// <param name="Duplicate">The idempotency key was seen before: this is the answer the first try got (and nothing else changed, unless the first try died before delivering to every target, whose missing targets this retry delivered).</param>
/// <param name="EventId">The event's inbox row (null for a key stored by a release before the inbox).</param>
/// <param name="Status">Delivered (resumed at least one instance), Waiting (kept until a WaitForEvent bookmark for it appears, until <paramref name="ExpiresAt"/>).</param>
/// <param name="Started">How many instances the event's start triggers started (ADR 9), counting those a first try started.</param>
public sealed record EventDelivered(string Name, string CorrelationId, int Resumed, IReadOnlyList<Guid> Instances, bool Duplicate,
    Guid? EventId = null, string Status = "Delivered", DateTimeOffset? ExpiresAt = null, int Started = 0);

/// <summary>An inbox row as <c>GET /api/events</c> lists it.</summary>
public sealed record EventView(Guid Id, string Name, string CorrelationId, string Status, string Sender, string? IdempotencyKey,
    DateTimeOffset ReceivedAt, DateTimeOffset? ExpiresAt, JsonNode? Payload, int Deliveries);

/// <summary>External events: resume every instance waiting for the event and correlation, or interrupted by it; keep the others waiting.</summary>
public static class EventsApi
{
    public static void MapEventsApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/events/{name}", Deliver).WithTags("Events").ProducesProblems(400, 401, 403, 409, 422).WithName("sendEvent").WithSummary("Send a business event to the instance waiting for it");
        app.MapGet("/api/events", List).WithTags("Events").ProducesProblems(400, 401, 403).WithName("listEvents").WithSummary("List the events systems have sent");
    }

    private static async Task<Ok<EventDelivered>> Deliver(string name, EventRequest? request, HttpContext http, EventDispatcher dispatcher,
        ApprovalDbContext db, ReadAccess reads, CancellationToken ct)
    {
        Require.Text(name, "name", 100);
        // Systems only: people act through their tasks and the domain routes, which check what a bare event cannot.
        if (!http.User.IsSystem()) throw ApiProblemException.Forbidden($"Events are sent by systems: an X-Api-Key with the scope {Scopes.Event(name)}.");
        if (!http.HasScope(Scopes.Event(name))) throw ApiProblemException.Forbidden($"Sending {name} needs the scope {Scopes.Event(name)}.");
        var correlation = Require.Text(request?.CorrelationId, "correlationId", 200);
        var key = Require.OptionalText(request?.IdempotencyKey, "idempotencyKey", 200);
        if (request?.KeepForSeconds is < 0) throw ApiProblemException.Invalid("keepForSeconds", "keepForSeconds must be 0 or more.");
        object? payload;
        try
        {
            payload = ExpressionValues.FromJsonNode(request?.Payload);
        }
        catch (FormatException ex)
        {
            throw ApiProblemException.Invalid("payload", ex.Message);
        }
        var delivered = await dispatcher.DeliverAsync(name, correlation, request?.Payload, payload, key, request?.KeepForSeconds, http.ToActor(), ct);
        return TypedResults.Ok(delivered with { Instances = await ReadableAsync(delivered.Instances, http, db, reads, ct) });
    }

    /// <summary>
    /// The inbox, newest first: supervisors see every event; a system sees the events it may send (<c>events:&lt;name&gt;</c>),
    /// so without <c>events:*</c> it names one with <c>?name=</c>. Payloads are what the sender sent.
    /// </summary>
    private static async Task<Ok<Paged<EventView>>> List(HttpContext http, ApprovalDbContext db, string? name, string? correlationId, string? status,
        int? page, int? pageSize, CancellationToken ct)
    {
        var (p, s) = Paging.Check(page, pageSize);
        var actor = http.ToActor();
        if (actor.IsSystem)
        {
            if (name is null && !actor.HasScope(Scopes.Event("*"))) throw ApiProblemException.Forbidden($"Name the event (?name=): listing every event needs the scope {Scopes.Event("*")}.");
            if (name is not null && !actor.HasScope(Scopes.Event(name))) throw ApiProblemException.Forbidden($"Listing {name} needs the scope {Scopes.Event(name)}.");
        }
        else if (!actor.AllDepartments)
        {
            throw ApiProblemException.Forbidden("The event inbox is read by systems (events:<name>) and supervisors.");
        }
        if (status is not null && status is not (EventStatuses.Delivered or EventStatuses.Waiting or EventStatuses.Expired))
        {
            throw ApiProblemException.BadRequest("status", "status is Delivered, Waiting or Expired.");
        }
        var query = db.Events.AsNoTracking();
        // A system sees the events it sent: holding events:<name> lets it send one, not read what others sent (a
        // bank result's amounts). read:* (ADR 7: reads everything) sees all, as supervisors do.
        if (actor.IsSystem && !actor.HasScope("read:*"))
        {
            var sender = actor.UserId;
            query = query.Where(e => e.Sender == sender);
        }
        if (name is not null) query = query.Where(e => e.Name == name);
        if (correlationId is not null) query = query.Where(e => e.CorrelationId == correlationId);
        if (status is not null) query = query.Where(e => e.Status == status);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(e => e.ReceivedAt).ThenByDescending(e => e.Id).Skip((p - 1) * s).Take(s)
            .Select(e => new { Event = e, Deliveries = db.EventDeliveries.Count(d => d.EventId == e.Id) }).ToListAsync(ct);
        return TypedResults.Ok(new Paged<EventView>([.. rows.Select(r => new EventView(r.Event.Id, r.Event.Name, r.Event.CorrelationId, r.Event.Status,
            r.Event.Sender, r.Event.IdempotencyKey, r.Event.ReceivedAt, r.Event.ExpiresAt,
            r.Event.PayloadJson is null ? null : JsonNode.Parse(r.Event.PayloadJson), r.Deliveries))], total, p, s));
    }

    private static async Task<IReadOnlyList<Guid>> ReadableAsync(IReadOnlyList<Guid> ids, HttpContext http, ApprovalDbContext db, ReadAccess reads, CancellationToken ct)
    {
        if (ids.Count == 0) return ids;
        var definitions = await db.Instances.AsNoTracking().Where(i => ids.Contains(i.Id)).Select(i => new { i.Id, i.DefinitionId }).ToListAsync(ct);
        var readable = new HashSet<string>(StringComparer.Ordinal);
        foreach (var id in definitions.Select(d => d.DefinitionId).Distinct())
        {
            if (await reads.CanReadAsync(db, http.User, id, ct)) readable.Add(id);
        }
        var allowed = definitions.Where(d => readable.Contains(d.DefinitionId)).Select(d => d.Id).ToHashSet();
        return [.. ids.Where(allowed.Contains)];
    }
}

/// <summary>
/// Which interrupts the generic events route may fire (ADR 7): not one marked with <c>via</c>, and none of a definition
/// a domain module owns (e.g. wd-request), whatever version the instance runs, including versions stored before the mark.
/// </summary>
public sealed class InterruptPolicy
{
    private readonly Dictionary<string, IActivityModule> _owners = new(StringComparer.Ordinal);

    public InterruptPolicy(IEnumerable<IActivityModule> modules)
    {
        foreach (var module in modules)
        {
            foreach (var id in module.OwnedDefinitions.Keys) _owners[id] = module;
        }
    }

    /// <summary>The domain route that alone may fire <paramref name="interrupt"/>, or null when the generic route may.</summary>
    public string? DomainRouteOf(string definitionId, InterruptDefinition interrupt)
    {
        if (interrupt.Via is { } via) return via;
        if (!_owners.TryGetValue(definitionId, out var owner)) return null;
        return owner.InterruptRoutes.TryGetValue(interrupt.Event, out var route) ? route
            : $"the routes of {definitionId} (next to {owner.OwnedDefinitions[definitionId]})";
    }

    public static ApiProblemException Refused(string name, string definitionId, string route) =>
        new(403, "Not permitted.", new Dictionary<string, string[]> { ["route"] = [$"Use {route}."] },
            $"{name} interrupts {definitionId} only through {route}, which checks what the events route cannot; use {route}.");
}

/// <summary>An event about to be delivered: its name, correlation, payload and the targets found (WaitForEvent bookmarks, interrupts).</summary>
public sealed record EventCheck(string Name, string CorrelationId, JsonNode? Payload, IReadOnlyList<EventTarget> Targets);

/// <summary>
/// A domain's rule on the events its instances receive (e.g. a fiat bank result must name its payout), checked while
/// the targets are found: it refuses by throwing <see cref="ApiProblemException"/>, before anything is written or kept.
/// </summary>
public interface IEventRule
{
    Task CheckAsync(ApprovalDbContext db, EventCheck incoming, CancellationToken cancellationToken);
}

/// <summary>
/// Checks an event against the trust rules (ADR 7) and hands it to the inbox: every check that refuses happens while
/// the targets are found, before anything is written.
/// </summary>
public sealed class EventDispatcher(EventInbox inbox, DefinitionCache cache, InterruptPolicy policy, IOptions<EngineHostOptions> options, Triggers.TriggerStarter triggers,
    IEnumerable<IEventRule> rules)
{
    public async Task<EventDelivered> DeliverAsync(string name, string correlation, JsonNode? payloadJson, object? payload, string? idempotencyKey,
        int? keepForSeconds, Actor actor, CancellationToken ct)
    {
        var keep = Math.Min(keepForSeconds ?? options.Value.EventRetentionSeconds, options.Value.EventRetentionMaxSeconds);
        var incoming = new IncomingEvent(name, correlation, payloadJson, idempotencyKey, actor, TimeSpan.FromSeconds(Math.Max(0, keep)));
        var (outcome, duplicate) = await inbox.ReceiveAsync(incoming, async (db, corr, c) =>
        {
            var targets = await EventInbox.WaitingBookmarksAsync(db, name, corr, c);
            // Instances whose flow declares the event as an interrupt (e.g. the client cancels at any time).
            var candidates = await db.Instances.AsNoTracking().Where(i => i.CorrelationId == corr && i.Status == "Running")
                .Select(i => new { i.Id, i.DefinitionId, i.DefinitionVersion, i.StateJson }).ToListAsync(c);
            foreach (var candidate in candidates.Where(x => targets.All(t => t.InstanceId != x.Id)))
            {
                var definition = await cache.GetAsync(db, candidate.DefinitionId, candidate.DefinitionVersion, c);
                if (definition?.Interrupts.FirstOrDefault(i => i.Event == name) is not { } interrupt) continue;
                // Refused before anything is written (not even the event), so a retry through the right route is clean.
                if (policy.DomainRouteOf(candidate.DefinitionId, interrupt) is { } route) throw InterruptPolicy.Refused(name, candidate.DefinitionId, route);
                // ADR 10 refuses an interrupt while a call is in flight so that the sender tries again; swallowed at
                // delivery, the event would be stored Waiting (never delivered as an interrupt) and its key answered so.
                if (InstanceStateJson.Deserialize(candidate.StateJson).CallsInFlight.FirstOrDefault() is { } call)
                {
                    throw ApiProblemException.Conflict($"An outside call is in flight ({call.ActivityType} at '{call.ActivityId}') in instance {candidate.Id}: '{name}' cannot interrupt it until the call has reported; try again then.");
                }
                targets.Add(new EventTarget(candidate.Id, null));
            }
            foreach (var rule in rules) await rule.CheckAsync(db, new EventCheck(name, corr, payloadJson, targets), c);
            return targets;
        }, ct);
        // Start triggers run after the event is stored; a retry runs them again and starts only what is missing.
        var started = outcome.EventId is { } eventId ? await triggers.StartFromEventAsync(eventId, name, payload, actor, ct) : 0;
        return new EventDelivered(name, correlation, outcome.Resumed, outcome.Instances, duplicate, outcome.EventId, outcome.Status, outcome.ExpiresAt, started);
    }
}
