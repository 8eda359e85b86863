using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Events;

public sealed record EventRequest(string? CorrelationId, JsonNode? Payload, string? IdempotencyKey);

public sealed record EventDelivered(string Name, string CorrelationId, int Resumed, IReadOnlyList<Guid> Instances, bool Duplicate);

/// <summary>External events: resume every instance waiting for the event and correlation, or interrupted by it.</summary>
public static class EventsApi
{
    public static void MapEventsApi(this IEndpointRouteBuilder app) =>
        app.MapPost("/api/events/{name}", Deliver).WithTags("Events").ProducesProblems(400, 401, 403, 422);

    private static async Task<Ok<EventDelivered>> Deliver(string name, EventRequest? request, HttpContext http, EventDispatcher dispatcher, CancellationToken ct)
    {
        Require.Text(name, "name", 100);
        if (http.User.IsSystem())
        {
            if (!http.HasScope(Scopes.Event(name))) throw ApiProblemException.Forbidden($"Sending {name} needs the scope {Scopes.Event(name)}.");
        }
        else if (!http.User.AllDepartments())
        {
            throw ApiProblemException.Forbidden("Events are sent by systems (X-Api-Key with the scope events:<name>) or supervisors.");
        }
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
        return TypedResults.Ok(await dispatcher.DeliverAsync(name, correlation, payload, key, http.ToActor(), ct));
    }
}

public sealed class EventDispatcher(WorkflowRunner runner, IServiceScopeFactory scopes, DefinitionCache cache, TimeProvider clock)
{
    public async Task<EventDelivered> DeliverAsync(string name, string correlation, object? payload, string? idempotencyKey, Actor actor, CancellationToken ct)
    {
        var scopeKey = idempotencyKey is null ? null : $"event:{name}:{idempotencyKey}";
        List<(Guid Instance, Guid? Bookmark)> targets;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            if (scopeKey is not null)
            {
                if (await db.IdempotencyKeys.AnyAsync(k => k.Key == scopeKey, ct)) return new EventDelivered(name, correlation, 0, [], true);
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
            var waiting = await db.Bookmarks.AsNoTracking().Where(b => b.EventName == name && b.CorrelationKey == correlation)
                .Select(b => new { b.InstanceId, b.Id }).ToListAsync(ct);
            targets = [.. waiting.Select(w => (w.InstanceId, (Guid?)w.Id))];
            // Instances whose flow declares the event as an interrupt (e.g. the client cancels at any time).
            var candidates = await db.Instances.AsNoTracking().Where(i => i.CorrelationId == correlation && i.Status == "Running")
                .Select(i => new { i.Id, i.DefinitionId, i.DefinitionVersion }).ToListAsync(ct);
            foreach (var c in candidates.Where(c => targets.All(t => t.Instance != c.Id)))
            {
                var definition = await cache.GetAsync(db, c.DefinitionId, c.DefinitionVersion, ct);
                if (definition?.Interrupts.Any(i => i.Event == name) == true) targets.Add((c.Id, null));
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
