using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Features.Webhooks;

/// <summary>The clock of the dispatcher (retry times, signature timestamps); a test replaces it to move retries on without waiting.</summary>
public sealed class WebhookClock(TimeProvider time)
{
    public TimeProvider Time => time;

    public DateTimeOffset Now => time.GetUtcNow();
}

/// <summary>An active subscription as the outbox needs it.</summary>
public sealed record ActiveSubscription(Guid Id, string DefinitionId, IReadOnlySet<string> Events);

/// <summary>
/// The active subscriptions, kept in memory: every step of a subscribed definition asks, and most steps belong to
/// definitions nobody subscribed to. Changes made through this server apply at once; another server's copy is at
/// most <see cref="WebhookOptions.SubscriptionCacheSeconds"/> old.
/// </summary>
public sealed class WebhookSubscriptionCache(IOptions<WebhookOptions> options)
{
    private sealed record Snapshot(ILookup<string, ActiveSubscription> ByDefinition, long LoadedAtTicks, long Generation);

    private Snapshot? _snapshot;
    private long _generation;

    public void Invalidate() => Interlocked.Increment(ref _generation);

    public async ValueTask<IEnumerable<ActiveSubscription>> ForDefinitionAsync(ApprovalDbContext db, string definitionId, CancellationToken cancellationToken)
    {
        var snapshot = Volatile.Read(ref _snapshot);
        var generation = Interlocked.Read(ref _generation);
        var ticks = Environment.TickCount64;
        if (snapshot is null || snapshot.Generation != generation || ticks - snapshot.LoadedAtTicks > options.Value.SubscriptionCacheSeconds * 1000L)
        {
            var rows = await db.WebhookSubscriptions.AsNoTracking().Where(s => s.DisabledAt == null)
                .Select(s => new { s.Id, s.DefinitionId, s.Events }).ToListAsync(cancellationToken);
            snapshot = new Snapshot(
                rows.Select(r => new ActiveSubscription(r.Id, r.DefinitionId, r.Events.Split(',').ToHashSet(StringComparer.Ordinal))).ToLookup(s => s.DefinitionId, StringComparer.Ordinal),
                ticks, generation);
            Volatile.Write(ref _snapshot, snapshot);
        }
        return snapshot.ByDefinition[definitionId];
    }
}

/// <summary>
/// The outbox: for each event a step causes (instance completed or faulted, business status changed, task created)
/// one delivery row per subscription, added to the step's own batch — committed with the step or not at all, and
/// sent only after the commit (<see cref="WebhookDispatcher"/>). The body is fixed here, so every attempt sends the
/// same bytes under the same webhook id.
/// </summary>
public sealed class WebhookOutbox(WebhookSubscriptionCache subscriptions) : IStepObserver
{
    public async ValueTask OnStepSavedAsync(ApprovalDbContext db, StepResult step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(step);
        var events = Events(step);
        if (events.Count == 0) return;
        var subscribed = (await subscriptions.ForDefinitionAsync(db, step.State.DefinitionId, cancellationToken)).ToList();
        if (subscribed.Count == 0) return;
        var state = step.State;
        foreach (var (type, data) in events)
        {
            string? body = null;
            foreach (var subscription in subscribed.Where(s => s.Events.Contains(type)))
            {
                body ??= new JsonObject
                {
                    ["type"] = type,
                    ["timestamp"] = state.UpdatedAt.ToUniversalTime().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                    ["data"] = data,
                }.ToJsonString(JsonSerializerOptions.Web);
                db.WebhookDeliveries.Add(new WebhookDeliveryRecord
                {
                    // Seeded from the step's time like the engine's own ids: ordered by creation, unique per delivery.
                    Id = Guid.CreateVersion7(state.UpdatedAt),
                    SubscriptionId = subscription.Id,
                    EventType = type,
                    InstanceId = state.Id,
                    DefinitionId = state.DefinitionId,
                    Payload = body,
                    Status = WebhookDeliveryStatuses.Pending,
                    CreatedAt = state.UpdatedAt,
                    NextAttemptAt = state.UpdatedAt,
                });
            }
        }
    }

    /// <summary>The events of one step, each with its <c>data</c>: what a system needs to act, not the instance's variables.</summary>
    public static List<(string Type, JsonObject Data)> Events(StepResult step)
    {
        var list = new List<(string, JsonObject)>();
        var state = step.State;
        foreach (var task in step.TasksOpened)
        {
            var data = Instance(state);
            data["task"] = new JsonObject
            {
                ["id"] = task.Id,
                ["activityId"] = task.ActivityId,
                ["title"] = task.Title,
                ["department"] = task.Department,
                ["businessStatus"] = task.BusinessStatus,
                ["dueAt"] = task.DueAt,
                ["createdAt"] = task.CreatedAt,
            };
            list.Add((WebhookEvents.TaskCreated, data));
        }
        // One event per step however often the status moved within it: from the first value to the last.
        var changes = step.Journal.SelectMany(j => j.Changes).Where(c => c.Name == "businessStatus" && c.Path is null).ToList();
        if (changes.Count > 0)
        {
            var before = changes[0].Before?.ToString();
            if (before != state.BusinessStatus)
            {
                var data = Instance(state);
                data["previousBusinessStatus"] = before;
                list.Add((WebhookEvents.BusinessStatusChanged, data));
            }
        }
        foreach (var entry in step.Journal)
        {
            if (entry.Kind == JournalKinds.InstanceCompleted)
            {
                var data = Instance(state);
                data["outcome"] = state.FinalOutcome;
                data["completedAt"] = state.CompletedAt;
                list.Add((WebhookEvents.InstanceCompleted, data));
            }
            else if (entry.Kind == JournalKinds.InstanceFaulted)
            {
                var data = Instance(state);
                data["activityId"] = entry.ActivityId;
                data["fault"] = entry.Message;
                list.Add((WebhookEvents.InstanceFaulted, data));
            }
        }
        return list;
    }

    private static JsonObject Instance(InstanceState state) => new()
    {
        ["instanceId"] = state.Id,
        ["definitionId"] = state.DefinitionId,
        ["definitionVersion"] = state.DefinitionVersion,
        ["correlationId"] = state.CorrelationId,
        ["status"] = state.Status.ToString(),
        ["businessStatus"] = state.BusinessStatus,
        ["department"] = state.Department,
        ["version"] = state.Version,
    };
}
