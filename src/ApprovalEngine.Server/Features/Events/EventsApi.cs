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

namespace ApprovalEngine.Server.Features.Events;

public sealed record EventRequest(string? CorrelationId, JsonNode? Payload, string? IdempotencyKey);

/// <param name="Resumed">How many instances the event resumed or interrupted.</param>
/// <param name="Instances">Those of them the caller may read (ADR 7 read policy); the others are only counted.</param>
public sealed record EventDelivered(string Name, string CorrelationId, int Resumed, IReadOnlyList<Guid> Instances, bool Duplicate);

/// <summary>External events: resume every instance waiting for the event and correlation, or interrupted by it.</summary>
public static class EventsApi
{
    public static void MapEventsApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/events/{name}", Deliver).WithTags("Events").ProducesProblems(400, 401, 403, 422);

    private static async Task<Ok<EventDelivered>> Deliver(string name, EventRequest? request, HttpContext http, EventDispatcher dispatcher,
        ApprovalDbContext db, ReadAccess reads, CancellationToken ct)
    {
        Require.Text(name, "name", 100);
        // Systems only: people act through their tasks and the domain routes, which check what a bare event cannot.
        if (!http.User.IsSystem()) throw ApiProblemException.Forbidden($"Events are sent by systems: an X-Api-Key with the scope {Scopes.Event(name)}.");
        if (!http.HasScope(Scopes.Event(name))) throw ApiProblemException.Forbidden($"Sending {name} needs the scope {Scopes.Event(name)}.");
        var correlation = Require.Text(request?.CorrelationId, "correlationId", 200);
        var key = Require.OptionalText(request?.IdempotencyKey, "idempotencyKey", 200);
        object? payload;
        try
        {
            payload = ExpressionValues.FromJsonNode(request?.Payload);
        }
        catch (FormatException ex)
        {
            throw ApiProblemException.Invalid("payload", ex.Message);
        }
        var delivered = await dispatcher.DeliverAsync(name, correlation, payload, key, http.ToActor(), ct);
        return TypedResults.Ok(delivered with { Instances = await ReadableAsync(delivered.Instances, http, db, reads, ct) });
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

public sealed class EventDispatcher(WorkflowRunner runner, IServiceScopeFactory scopes, DefinitionCache cache, InterruptPolicy policy, TimeProvider clock)
{
    public async Task<EventDelivered> DeliverAsync(string name, string correlation, object? payload, string? idempotencyKey, Actor actor, CancellationToken ct)
    {
        var scopeKey = idempotencyKey is null ? null : $"event:{name}:{idempotencyKey}";
        List<(Guid Instance, Guid? Bookmark)> targets;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            if (scopeKey is not null && await db.IdempotencyKeys.AnyAsync(k => k.Key == scopeKey, ct)) return new EventDelivered(name, correlation, 0, [], true);
            var waiting = await db.Bookmarks.AsNoTracking().Where(b => b.EventName == name && b.CorrelationKey == correlation)
                .Select(b => new { b.InstanceId, b.Id }).ToListAsync(ct);
            targets = [.. waiting.Select(w => (w.InstanceId, (Guid?)w.Id))];
            // Instances whose flow declares the event as an interrupt (e.g. the client cancels at any time).
            var candidates = await db.Instances.AsNoTracking().Where(i => i.CorrelationId == correlation && i.Status == "Running")
                .Select(i => new { i.Id, i.DefinitionId, i.DefinitionVersion }).ToListAsync(ct);
            foreach (var c in candidates.Where(c => targets.All(t => t.Instance != c.Id)))
            {
                var definition = await cache.GetAsync(db, c.DefinitionId, c.DefinitionVersion, ct);
                if (definition?.Interrupts.FirstOrDefault(i => i.Event == name) is not { } interrupt) continue;
                // Refused before anything is written (not even the idempotency key), so a retry through the right route is clean.
                if (policy.DomainRouteOf(c.DefinitionId, interrupt) is { } route) throw InterruptPolicy.Refused(name, c.DefinitionId, route);
                targets.Add((c.Id, null));
            }
            if (scopeKey is not null)
            {
                db.IdempotencyKeys.Add(new IdempotencyKeyRecord { Key = scopeKey, Scope = "event", CreatedAt = clock.GetUtcNow() });
                try
                {
                    await db.SaveChangesAsync(ct);
                }
                catch (DbUpdateException)
                {
                    return new EventDelivered(name, correlation, 0, [], true);
                }
            }
        }
        var resumed = new List<Guid>();
        foreach (var (instance, bookmark) in targets)
        {
            try
            {
                await runner.StepAsync(instance, (d, s) => bookmark is { } b
                    ? runner.Engine.ResumeBookmark(d, s, b, new ResumeSignal { Payload = payload, Actor = actor })
                    : runner.Engine.Interrupt(d, s, name, payload, actor), ct);
                resumed.Add(instance);
            }
            catch (WorkflowConflictException)
            {
                // Consumed meanwhile by another delivery, or the interrupt's condition does not hold: nothing to do.
            }
        }
        return new EventDelivered(name, correlation, resumed.Count, resumed, false);
    }
}
