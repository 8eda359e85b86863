using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Hosting;

/// <summary>Where an event goes: a WaitForEvent bookmark, or (no bookmark) an interrupt the instance's flow declares.</summary>
public sealed record EventTarget(Guid InstanceId, Guid? BookmarkId);

/// <summary>The answer the sender got; stored with the event and given again, unchanged, to a retry with the same key.</summary>
/// <param name="EventId">The inbox row; null only for a key an earlier release stored (nothing else is known of it).</param>
public sealed record EventOutcome(Guid? EventId, string Status, int Resumed, IReadOnlyList<Guid> Instances, DateTimeOffset? ExpiresAt);

/// <summary>An event as a sender sent it; <paramref name="KeepFor"/> is how long it waits when nothing waits for it yet.</summary>
public sealed record IncomingEvent(string Name, string CorrelationId, JsonNode? Payload, string? IdempotencyKey, Actor Sender, TimeSpan KeepFor);

/// <summary>
/// The event inbox (issue 11). An event is stored in the transaction of the first step it resumes; every target's
/// delivery is a row written with that target's step, so a crash leaves each target delivered-and-recorded or not,
/// and a retry with the same key delivers only to the targets still missing before answering. An event nothing waits
/// for is stored as Waiting and delivered by <see cref="EventInboxPoller"/> once a matching WaitForEvent bookmark is
/// committed, or expires.
/// </summary>
public sealed class EventInbox(
    IServiceScopeFactory scopes,
    WorkflowRunner runner,
    EventInboxSignal signal,
    TimeProvider clock,
    ILogger<EventInbox> logger)
{
    private const int UniqueRetries = 4;

    /// <summary>The key earlier releases stored in <c>idempotency_keys</c> (scope 'event') for a sender's key.</summary>
    public static string LegacyKey(string name, string key) => $"event:{name}:{key}";

    /// <summary>
    /// Receives an event: answers a known key with the stored outcome, else delivers it to the targets
    /// <paramref name="findTargets"/> names (for a correlation) and stores the outcome. <paramref name="findTargets"/>
    /// may refuse (throw) before anything is written.
    /// </summary>
    /// <returns>The outcome, and whether the key was known (a retry: <c>duplicate</c>).</returns>
    public async Task<(EventOutcome Outcome, bool Duplicate)> ReceiveAsync(IncomingEvent incoming,
        Func<ApprovalDbContext, string, CancellationToken, Task<List<EventTarget>>> findTargets, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            EventRecord? existing = null;
            List<EventTarget> targets;
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
                if (incoming.IdempotencyKey is { } key)
                {
                    existing = await db.Events.AsNoTracking()
                        .FirstOrDefaultAsync(e => e.Name == incoming.Name && e.Sender == incoming.Sender.UserId && e.IdempotencyKey == key, cancellationToken);
                    if (existing?.OutcomeJson is { } answered) return (Deserialize(answered), true);
                    // Keys the previous release stored: that event was delivered, or lost with its step (a kill between
                    // the key and the step); which one is not recorded, so neither can be replayed. Never acted on twice.
                    var legacy = LegacyKey(incoming.Name, key);
                    if (existing is null && await db.IdempotencyKeys.AnyAsync(k => k.Key == legacy, cancellationToken))
                    {
                        return (new EventOutcome(null, EventStatuses.Delivered, 0, [], null), true);
                    }
                }
                targets = await findTargets(db, existing?.CorrelationId ?? incoming.CorrelationId, cancellationToken);
            }
            var now = clock.GetUtcNow();
            var record = existing ?? new EventRecord
            {
                Id = Guid.CreateVersion7(now),
                Name = incoming.Name,
                CorrelationId = incoming.CorrelationId,
                PayloadJson = incoming.Payload?.ToJsonString(),
                IdempotencyKey = incoming.IdempotencyKey,
                Sender = incoming.Sender.UserId,
                ReceivedAt = now,
                ExpiresAt = now + incoming.KeepFor,
                Status = EventStatuses.Waiting,
            };
            try
            {
                foreach (var target in targets) await DeliverAsync(record, target, incoming.Sender, cancellationToken);
                var outcome = await FinishAsync(record, cancellationToken);
                // The look after our own commit: a bookmark committed meanwhile by a step that could not see this
                // event yet is found by the poller now (whichever commits second, its look sees the other).
                if (outcome.Status == EventStatuses.Waiting) signal.Wake();
                return (outcome, existing is not null);
            }
            catch (DbUpdateException ex) when (IsUniqueViolation(ex) && attempt < UniqueRetries)
            {
                // A concurrent first try with the same key stored its row first: start again as its retry.
                logger.LogDebug("Event {Name} key {Key} stored concurrently; answering as a retry.", incoming.Name, incoming.IdempotencyKey);
            }
        }
    }

    /// <summary>Delivers a waiting event to the WaitForEvent bookmarks now matching it; returns how many it resumed.</summary>
    public async Task<int> DeliverWaitingAsync(Guid eventId, CancellationToken cancellationToken)
    {
        EventRecord? record;
        List<EventTarget> targets;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            record = await db.Events.AsNoTracking().FirstOrDefaultAsync(e => e.Id == eventId, cancellationToken);
            if (record is null || record.Status != EventStatuses.Waiting) return 0;
            targets = await WaitingBookmarksAsync(db, record.Name, record.CorrelationId, cancellationToken);
        }
        var sender = new Actor { UserId = record.Sender, Role = "system", IsSystem = true };
        var resumed = 0;
        foreach (var target in targets)
        {
            if (await DeliverAsync(record, target, sender, cancellationToken)) resumed++;
        }
        return resumed;
    }

    /// <summary>The WaitForEvent bookmarks of running instances waiting for the event and correlation, oldest first.</summary>
    public static async Task<List<EventTarget>> WaitingBookmarksAsync(ApprovalDbContext db, string name, string correlation, CancellationToken cancellationToken) =>
        [.. (await db.Bookmarks.AsNoTracking()
                .Where(b => b.EventName == name && b.CorrelationKey == correlation && b.Kind == nameof(BookmarkKind.Event))
                .Where(b => db.Instances.Any(i => i.Id == b.InstanceId && i.Status == "Running"))
                .OrderBy(b => b.CreatedAt).Select(b => new { b.InstanceId, b.Id }).ToListAsync(cancellationToken))
            .Select(b => new EventTarget(b.InstanceId, b.Id))];

    /// <summary>
    /// One target in one transaction: its step, its delivery row and (first delivery) the event row commit together.
    /// False when there was nothing to do: delivered before, the instance no longer waits, the interrupt does not hold.
    /// </summary>
    private async Task<bool> DeliverAsync(EventRecord record, EventTarget target, Actor actor, CancellationToken cancellationToken)
    {
        try
        {
            return await runner.ExecuteAsync(async (unit, ct) =>
            {
                var db = unit.Db;
                if (await db.EventDeliveries.AnyAsync(d => d.EventId == record.Id && d.InstanceId == target.InstanceId, ct)) return new UnitResult<bool>(null, false);
                var stored = await db.Events.FirstOrDefaultAsync(e => e.Id == record.Id, ct);
                if (stored is { Status: EventStatuses.Expired }) return new UnitResult<bool>(null, false);
                var (definition, state) = await WorkflowRunner.LoadAsync(unit, target.InstanceId, ct);
                var payload = record.PayloadJson is null ? null : ExpressionValues.FromJsonNode(JsonNode.Parse(record.PayloadJson));
                var step = target.BookmarkId is { } bookmark
                    ? runner.Engine.ResumeBookmark(definition, state, bookmark, new ResumeSignal { Payload = payload, Actor = actor })
                    : runner.Engine.Interrupt(definition, state, record.Name, payload, actor);
                var now = clock.GetUtcNow();
                step.Journal.Insert(0, new JournalEntry
                {
                    Sequence = 0,
                    Timestamp = now,
                    Kind = JournalKinds.EventDelivered,
                    UserId = actor.UserId,
                    Role = actor.Role,
                    IpAddress = actor.IpAddress,
                    Action = record.Name,
                    Message = $"Event {record.Name} ({record.Id}, correlation {record.CorrelationId}) delivered{(target.BookmarkId is null ? " as an interrupt" : "")}.",
                });
                if (stored is null)
                {
                    db.Events.Add(Copy(record, EventStatuses.Delivered));
                }
                else if (stored.Status != EventStatuses.Delivered)
                {
                    stored.Status = EventStatuses.Delivered;
                    stored.LeaseUntil = null;
                }
                db.EventDeliveries.Add(new EventDeliveryRecord { EventId = record.Id, InstanceId = target.InstanceId, BookmarkId = target.BookmarkId, DeliveredAt = now });
                return new UnitResult<bool>(step, true);
            }, cancellationToken);
        }
        catch (WorkflowException ex) when (ex is WorkflowConflictException or WorkflowNotFoundException)
        {
            // Consumed meanwhile (by this event's other delivery, or another event), or the interrupt's condition does
            // not hold now: nothing to deliver to this target.
            logger.LogDebug("Event {Event} not delivered to {Instance}: {Reason}", record.Id, target.InstanceId, ex.Message);
            return false;
        }
    }

    /// <summary>Stores the outcome (and the event itself, as Waiting, if no target took it); a stored outcome wins.</summary>
    private Task<EventOutcome> FinishAsync(EventRecord record, CancellationToken cancellationToken) =>
        runner.ExecuteAsync(async (unit, ct) =>
        {
            var db = unit.Db;
            var stored = await db.Events.FirstOrDefaultAsync(e => e.Id == record.Id, ct);
            if (stored?.OutcomeJson is { } answered) return new UnitResult<EventOutcome>(null, Deserialize(answered));
            var delivered = await db.EventDeliveries.AsNoTracking().Where(d => d.EventId == record.Id)
                .OrderBy(d => d.DeliveredAt).Select(d => d.InstanceId).ToListAsync(ct);
            if (stored is null)
            {
                stored = Copy(record, delivered.Count > 0 ? EventStatuses.Delivered : EventStatuses.Waiting);
                db.Events.Add(stored);
            }
            var outcome = new EventOutcome(stored.Id, stored.Status, delivered.Count, delivered, stored.Status == EventStatuses.Waiting ? stored.ExpiresAt : null);
            stored.OutcomeJson = JsonSerializer.Serialize(outcome, JsonSerializerOptions.Web);
            return new UnitResult<EventOutcome>(null, outcome);
        }, cancellationToken);

    private static EventRecord Copy(EventRecord r, string status) => new()
    {
        Id = r.Id,
        Name = r.Name,
        CorrelationId = r.CorrelationId,
        PayloadJson = r.PayloadJson,
        IdempotencyKey = r.IdempotencyKey,
        Sender = r.Sender,
        ReceivedAt = r.ReceivedAt,
        // Only a waiting event expires.
        ExpiresAt = status == EventStatuses.Waiting ? r.ExpiresAt : null,
        Status = status,
    };

    private static EventOutcome Deserialize(string json) =>
        JsonSerializer.Deserialize<EventOutcome>(json, JsonSerializerOptions.Web) ?? throw new InvalidOperationException("An event's stored outcome is empty.");

    public static bool IsUniqueViolation(DbUpdateException ex) => ex.InnerException switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.Sqlite.SqliteException lite => lite.SqliteErrorCode == 19,
        _ => false,
    };
}

/// <summary>Wakes this node's inbox poller when a step committed a WaitForEvent bookmark or an event was stored waiting.</summary>
public sealed class EventInboxSignal : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);

    public void Wake()
    {
        if (_wake.CurrentCount > 0) return;
        try
        {
            _wake.Release();
        }
        catch (SemaphoreFullException)
        {
        }
    }

    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero) return;
        using var elapsed = new CancellationTokenSource(timeout, clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, elapsed.Token);
        try
        {
            await _wake.WaitAsync(either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }

    public void Dispose() => _wake.Dispose();
}
