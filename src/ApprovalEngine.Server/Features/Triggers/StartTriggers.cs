using ApprovalEngine.Expressions;
using ApprovalEngine.Hosting;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Features.Triggers;

/// <summary>
/// Starts instances from the start triggers of published versions (ADR 9): an event starts one instance of each
/// definition whose trigger names it, a cron tick one instance of its definition. Each start writes its
/// <c>trigger_starts</c> row in the start's own transaction, so an event id or a tick starts a definition once, on
/// any number of nodes and after any crash; the starter is the system actor <c>trigger:event</c> / <c>trigger:cron</c>.
/// </summary>
public sealed class TriggerStarter(
    IServiceScopeFactory scopes,
    InstanceStarter starter,
    DefinitionCache cache,
    ICronSchedule cron,
    TimeProvider clock,
    ILogger<TriggerStarter> logger)
{
    public const string EventRoute = "trigger:event";
    public const string CronRoute = "trigger:cron";

    private static readonly Actor EventActor = Actor.System(EventRoute);
    private static readonly Actor CronActor = Actor.System(CronRoute);

    public static string EventKey(Guid eventId) => $"event:{eventId}";

    public static string CronKey(string triggerId, DateTimeOffset due) => $"cron:{triggerId}:{due.UtcDateTime:yyyy-MM-ddTHH:mm:ss.fffZ}";

    /// <summary>Starts what the event triggers (missing starts only); returns how many instances this event has started in all.</summary>
    /// <param name="sender">
    /// The system that sent the event. It must hold a scope the definition's start contract accepts (ADR 7; default
    /// <c>start:&lt;id&gt;</c>), as on the generic start route: holding <c>events:&lt;name&gt;</c> alone starts nothing, so a
    /// trigger is never a side door into a flow the sender may not start.
    /// </param>
    public async Task<int> StartFromEventAsync(Guid eventId, string name, object? payload, Actor sender, CancellationToken cancellationToken)
    {
        List<StartTriggerRecord> triggers;
        var key = EventKey(eventId);
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            triggers = await db.StartTriggers.AsNoTracking().Where(t => t.EventName == name && t.Kind == "event").ToListAsync(cancellationToken);
        }
        foreach (var row in triggers)
        {
            var (trigger, _, startScopes) = await TriggerAsync(row, cancellationToken);
            if (trigger is null) continue;
            if (!startScopes.Any(sender.HasScope))
            {
                logger.LogWarning("Event {Event} ({Name}) did not start {Definition}: the sender {Sender} holds none of {Scopes}.", eventId, name, row.DefinitionId, sender.UserId, string.Join(", ", startScopes));
                continue;
            }
            var variables = new Dictionary<string, object?> { ["event"] = payload };
            string? correlation;
            IReadOnlyDictionary<string, object?> input;
            try
            {
                correlation = Evaluate(trigger.Correlation!, variables) is { } c ? Convert.ToString(c, System.Globalization.CultureInfo.InvariantCulture) : null;
                input = Inputs(trigger, variables);
            }
            catch (ExpressionEvaluationException ex)
            {
                logger.LogWarning("Event {Event} ({Name}) did not start {Definition}: trigger {Trigger} failed to evaluate: {Message}", eventId, name, row.DefinitionId, row.TriggerId, ex.Message);
                continue;
            }
            if (string.IsNullOrEmpty(correlation) || correlation.Length > 200)
            {
                logger.LogWarning("Event {Event} ({Name}) did not start {Definition}: the correlation of trigger {Trigger} is empty or longer than 200 characters.", eventId, name, row.DefinitionId, row.TriggerId);
                continue;
            }
            await StartOnceAsync(row.DefinitionId, key, correlation, input, EventActor, StartRoute.Domain(EventRoute), null, cancellationToken);
        }
        await using var count = scopes.CreateAsyncScope();
        return await count.ServiceProvider.GetRequiredService<ApprovalDbContext>().TriggerStarts.CountAsync(t => t.TriggerKey == key, cancellationToken);
    }

    /// <summary>
    /// Fires the cron tick due at <paramref name="due"/>: one start, and the next due time (after now, so ticks missed
    /// while every node was down fire once, not once each) in the same transaction. A suspended version skips the tick.
    /// </summary>
    public async Task FireCronAsync(string definitionId, string triggerId, CancellationToken cancellationToken)
    {
        StartTriggerRecord? row;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            row = await db.StartTriggers.AsNoTracking().FirstOrDefaultAsync(t => t.DefinitionId == definitionId && t.TriggerId == triggerId, cancellationToken);
        }
        if (row is not { Kind: "cron", NextDueAt: { } due, Cron: { } expression }) return;
        var now = clock.GetUtcNow();
        var next = cron.Next(expression, now > due ? now : due, row.TimeZone, out _);
        async Task Advance(ApprovalDbContext db, CancellationToken ct) =>
            await db.StartTriggers.Where(t => t.DefinitionId == definitionId && t.TriggerId == triggerId && t.NextDueAt == due)
                .ExecuteUpdateAsync(s => s.SetProperty(t => t.NextDueAt, next).SetProperty(t => t.LeaseUntil, (DateTimeOffset?)null), ct);

        var (trigger, suspended, _) = await TriggerAsync(row, cancellationToken);
        string? skipped = suspended is not null ? $"v{row.Version} is suspended ({suspended})" : trigger is null ? "the trigger is no longer in the published version" : null;
        IReadOnlyDictionary<string, object?> input = new Dictionary<string, object?>();
        if (skipped is null)
        {
            try
            {
                input = Inputs(trigger!, new Dictionary<string, object?> { ["tick"] = due });
            }
            catch (ExpressionEvaluationException ex)
            {
                skipped = $"an input failed to evaluate: {ex.Message}";
            }
        }
        if (skipped is null)
        {
            var outcome = await StartOnceAsync(definitionId, CronKey(triggerId, due), null, input, CronActor, StartRoute.Domain(CronRoute), (unit, ct) => Advance(unit.Db, ct), cancellationToken);
            if (outcome is { } failure) skipped = failure;
            else return;
        }
        logger.LogWarning("Cron trigger {Trigger} of {Definition} skipped the tick due {Due}: {Reason}", triggerId, definitionId, due, skipped);
        await using var skip = scopes.CreateAsyncScope();
        var skipDb = skip.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        await using var tx = await skipDb.Database.BeginTransactionAsync(cancellationToken);
        await Advance(skipDb, cancellationToken);
        // Analysts see skipped ticks next to the suspension that caused them.
        skipDb.DefinitionJournal.Add(new DefinitionJournalRecord
        {
            DefinitionId = definitionId,
            Timestamp = clock.GetUtcNow(),
            Kind = "TriggerSkipped",
            Version = row.Version,
            UserId = CronRoute,
            Note = $"Tick {due:O} of {triggerId} skipped: {skipped}",
        });
        await skipDb.SaveChangesAsync(cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>The trigger as the row's version declares it, and the version's suspension reason if suspended.</summary>
    private async Task<(StartTrigger? Trigger, string? Suspended, IReadOnlyList<string> StartScopes)> TriggerAsync(StartTriggerRecord row, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var definition = await cache.GetAsync(db, row.DefinitionId, row.Version, cancellationToken);
        var suspended = await db.DefinitionVersions.AsNoTracking().Where(v => v.DefinitionId == row.DefinitionId && v.Version == row.Version && v.SuspendedAt != null)
            .Select(v => v.SuspendReason ?? "suspended").FirstOrDefaultAsync(cancellationToken);
        var trigger = definition?.StartTriggers.Select((t, i) => (t, i)).Where(x => x.t.KeyAt(x.i) == row.TriggerId).Select(x => x.t).FirstOrDefault();
        return (trigger, suspended, definition?.Start?.Scopes ?? [Identity.Scopes.Start(row.DefinitionId)]);
    }

    /// <returns>Null when started (now or before); otherwise why it did not start.</returns>
    private async Task<string?> StartOnceAsync(string definitionId, string key, string? correlation, IReadOnlyDictionary<string, object?> input, Actor actor, StartRoute route,
        Func<EfWorkflowUnitOfWork, CancellationToken, Task>? alsoInTransaction, CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            if (await db.TriggerStarts.AnyAsync(t => t.DefinitionId == definitionId && t.TriggerKey == key, cancellationToken)) return null;
        }
        var instanceId = Guid.CreateVersion7(clock.GetUtcNow());
        try
        {
            await starter.StartAsync(definitionId, correlation, input, actor, route, cancellationToken, guard: async (unit, ct) =>
            {
                unit.Db.TriggerStarts.Add(new TriggerStartRecord { DefinitionId = definitionId, TriggerKey = key, InstanceId = instanceId, CreatedAt = clock.GetUtcNow() });
                if (alsoInTransaction is not null) await alsoInTransaction(unit, ct);
            }, instanceId: instanceId);
            return null;
        }
        catch (DbUpdateException ex) when (EventInbox.IsUniqueViolation(ex))
        {
            // Another node started it for this key at the same moment.
            return null;
        }
        catch (Exception ex) when (ex is ApiProblemException or WorkflowException)
        {
            logger.LogWarning("Trigger {Key} did not start {Definition}: {Message}", key, definitionId, ex.Message);
            return ex.Message;
        }
    }

    private IReadOnlyDictionary<string, object?> Inputs(StartTrigger trigger, Dictionary<string, object?> variables)
    {
        var input = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, expression) in trigger.Input ?? new Dictionary<string, string>()) input[name] = Evaluate(expression, variables);
        return input;
    }

    private object? Evaluate(string expression, Dictionary<string, object?> variables) =>
        CompiledExpression.Parse(expression).Evaluate(new Scope(variables, clock.GetUtcNow()));

    private sealed class Scope(Dictionary<string, object?> variables, DateTimeOffset now) : IExpressionScope
    {
        public DateTimeOffset Now => now;

        public bool TryGetValue(string name, out object? value) => variables.TryGetValue(name, out value);
    }
}

/// <summary>
/// Fires due cron ticks on every node, like the timer pollers (ADR 8): one statement leases a bounded batch of due
/// trigger rows with <c>FOR UPDATE SKIP LOCKED</c>; the start and the next due time commit together, and the
/// <c>trigger_starts</c> row stops a tick taken twice (a lease that ran out) from starting twice.
/// </summary>
public sealed class CronTriggerPoller(IServiceScopeFactory scopes, TriggerStarter triggers, IOptions<EngineHostOptions> options, TimeProvider clock,
    ILogger<CronTriggerPoller> logger) : BackgroundService
{
    private sealed record DueTrigger(string DefinitionId, string TriggerId);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunPollers) return;
        await Task.Yield();
        while (!stoppingToken.IsCancellationRequested)
        {
            var pause = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.PollIntervalMilliseconds));
            try
            {
                if (await PollOnceAsync(stoppingToken) >= options.Value.PollBatchSize) continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogWarning(ex, "Polling the cron triggers failed; trying again.");
                pause = TimeSpan.FromSeconds(5);
            }
            try
            {
                await Task.Delay(pause, clock, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        List<DueTrigger> due;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            var now = clock.GetUtcNow();
            var lease = TimeSpan.FromSeconds(options.Value.LeaseSeconds);
            var batch = Math.Max(1, options.Value.PollBatchSize);
            FormattableString sql = db.IsSqlite
                ? (FormattableString)$"""
                    UPDATE start_triggers SET lease_until = {(now + lease).UtcTicks}
                    WHERE next_due_at IS NOT NULL AND next_due_at <= {now.UtcTicks} AND (lease_until IS NULL OR lease_until <= {now.UtcTicks})
                    RETURNING definition_id AS "DefinitionId", trigger_id AS "TriggerId"
                    """
                : $"""
                    UPDATE start_triggers AS t SET lease_until = now() + {lease}
                    FROM (SELECT d.definition_id, d.trigger_id FROM start_triggers d
                          WHERE d.next_due_at <= {now} AND (d.lease_until IS NULL OR d.lease_until <= now())
                          ORDER BY d.next_due_at LIMIT {batch}
                          FOR UPDATE OF d SKIP LOCKED) AS due
                    WHERE t.definition_id = due.definition_id AND t.trigger_id = due.trigger_id
                    RETURNING t.definition_id AS "DefinitionId", t.trigger_id AS "TriggerId"
                    """;
            due = await db.Database.SqlQuery<DueTrigger>(sql).ToListAsync(cancellationToken);
        }
        foreach (var row in due)
        {
            try
            {
                await triggers.FireCronAsync(row.DefinitionId, row.TriggerId, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Cron trigger {Trigger} of {Definition} did not fire; it is taken again when its lease ends.", row.TriggerId, row.DefinitionId);
            }
        }
        return due.Count;
    }
}
