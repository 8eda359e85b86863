using System.Diagnostics;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Hosting;

/// <summary>What one unit of work decided: the step to commit (if any) and the value to hand back to the caller.</summary>
/// <param name="Then">Computes the value after the step and the steps it chained are saved (e.g. the instance's final state).</param>
public readonly record struct UnitResult<T>(StepResult? Step, T Value, Func<EfWorkflowUnitOfWork, T>? Then = null);

/// <summary>
/// Hosts the engine over the database: every step runs in one transaction that writes the instance (version-checked),
/// the rows derived from it — its timers and job runs are rows too (ADR 8) — and the steps it chains (sub-workflows),
/// or nothing at all. Stale conflicts from concurrent resumes are retried on fresh state, so events and timers are
/// neither lost nor doubled. Nothing here takes a lock wider than the instance row.
/// </summary>
public sealed class WorkflowRunner(
    IServiceScopeFactory scopes,
    WorkflowEngine engine,
    WorkflowCoordinator coordinator,
    DefinitionCache definitions,
    DueWorkSignal signal,
    EventInboxSignal inboxSignal,
    IOptions<EngineHostOptions> options,
    TimeProvider clock,
    EngineMetrics metrics,
    ILogger<WorkflowRunner> logger) : IWorkflowTriggerHandler
{
    private const int StaleRetries = 3;

    public WorkflowEngine Engine => engine;

    public WorkflowCoordinator Coordinator => coordinator;

    /// <summary>Runs <paramref name="work"/> in a transaction and commits the step it returns with everything it causes.</summary>
    public async Task<T> ExecuteAsync<T>(Func<EfWorkflowUnitOfWork, CancellationToken, Task<UnitResult<T>>> work, CancellationToken cancellationToken, bool retryStale = true) =>
        (await ExecuteReportingJobsAsync(work, retryStale, cancellationToken)).Value;

    /// <returns>The value, and whether outside calls ran inline after the commit (and may have moved instances on since).</returns>
    public async Task<(T Value, bool RanJobs)> ExecuteReportingJobsAsync<T>(Func<EfWorkflowUnitOfWork, CancellationToken, Task<UnitResult<T>>> work, bool retryStale, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            List<JobRequest> jobs;
            List<JobRequest> callsToCancel;
            T value;
            var eventWaits = false;
            DateTimeOffset? earliestTimer = null;
            // A span and a log scope per attempt (each is a transaction of its own); the database calls nest in the span.
            using var span = EngineMetrics.Tracing.StartActivity("approvalengine.step");
            using var logScope = StepLogScope.Begin(logger, out var stepScope);
            var started = clock.GetTimestamp();
            await using (var scope = scopes.CreateAsyncScope())
            {
                var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
                var unit = new EfWorkflowUnitOfWork(db, scope.ServiceProvider.GetServices<IStepObserver>(), definitions)
                {
                    // With inline runs the job row is due only as the durable backup, should this process die first.
                    JobFirstRunDelay = options.Value.RunJobsInline ? TimeSpan.FromSeconds(options.Value.JobBackupDelaySeconds) : TimeSpan.Zero,
                };
                await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
                // A failed step rolls the whole transaction back, so EF's savepoint around each SaveChanges (two more
                // statements each time) buys nothing here.
                db.Database.AutoSavepointsEnabled = false;
                try
                {
                    var result = await work(unit, cancellationToken);
                    if (result.Step is { } described)
                    {
                        stepScope.Describe(described.State);
                        Describe(span, described);
                    }
                    // Every task completion, whichever route built it, passes the domains' task-action rules (ADR 17).
                    if (result.Step?.Command is { Kind: StepCommandKinds.CompleteTask } command)
                    {
                        await CheckTaskActionAsync(unit, scope.ServiceProvider.GetServices<ITaskActionRule>(), command, cancellationToken);
                    }
                    value = result.Value;
                    var saved = result.Step is null ? [] : await coordinator.SaveAsync(unit, result.Step, cancellationToken);
                    if (result.Step is null) await db.SaveChangesAsync(cancellationToken);
                    if (result.Then is { } then) value = then(unit);
                    await transaction.CommitAsync(cancellationToken);
                    if (saved.Count > 0)
                    {
                        var elapsed = clock.GetElapsedTime(started);
                        metrics.StepsCommitted(saved, elapsed);
                        span?.SetTag("approvalengine.steps", saved.Count);
                        logger.LogDebug("Committed {Kind} on {DefinitionId} v{DefinitionVersion} ({Steps} step(s), {Elapsed:0.0} ms)",
                            saved[0].Command?.Kind, saved[0].State.DefinitionId, saved[0].State.DefinitionVersion, saved.Count, elapsed.TotalMilliseconds);
                    }
                    jobs = [.. saved.SelectMany(s => s.Jobs)];
                    eventWaits = saved.Any(s => s.BookmarksAdded.Any(b => b.Kind == BookmarkKind.Event));
                    callsToCancel = [.. saved.SelectMany(s => s.CallsToCancel)];
                    foreach (var timer in saved.SelectMany(s => s.TimersToSchedule))
                    {
                        if (earliestTimer is null || timer.DueAt < earliestTimer) earliestTimer = timer.DueAt;
                    }
                }
                catch (WorkflowConflictException ex) when (ex.Stale)
                {
                    var retry = retryStale && attempt < StaleRetries;
                    metrics.StaleConflict(retry);
                    span?.SetStatus(ActivityStatusCode.Error, "stale");
                    if (!retry) throw;
                    logger.LogDebug("Stale step, retrying ({Attempt})", attempt);
                    continue;
                }
                catch (Exception ex)
                {
                    span?.SetStatus(ActivityStatusCode.Error, ex.GetType().Name);
                    throw;
                }
            }
            // A timer due before the local poller's next look wakes it (other nodes find it on their next poll); later
            // ones (an SLA in hours) are found by the poll itself, without waking it on every commit.
            if (earliestTimer is { } due && due <= clock.GetUtcNow() + TimeSpan.FromMilliseconds(options.Value.PollIntervalMilliseconds)) signal.TimerDue(due);
            // A new WaitForEvent bookmark may have an event waiting in the inbox for it: the inbox poller looks now.
            if (eventWaits) inboxSignal.Wake();
            foreach (var call in callsToCancel) await TryCancelCallAsync(call, cancellationToken);
            var ranJobs = options.Value.RunJobsInline && jobs.Count > 0;
            if (ranJobs)
            {
                foreach (var job in jobs) await RunJobSafelyAsync(job.InstanceId, job.BookmarkId, cancellationToken);
            }
            return (value, ranJobs);
        }
    }

    private static void Describe(Activity? span, StepResult step)
    {
        if (span is null) return;
        var kind = step.Command?.Kind ?? "unknown";
        span.DisplayName = $"step {kind}";
        span.SetTag(EngineMetrics.InstanceIdTag, step.State.Id.ToString());
        span.SetTag(EngineMetrics.DefinitionIdTag, step.State.DefinitionId);
        span.SetTag(EngineMetrics.DefinitionVersionTag, step.State.DefinitionVersion);
        span.SetTag(EngineMetrics.StepKindTag, kind);
        if (step.Command?.Args["activityId"]?.GetValueKind() == System.Text.Json.JsonValueKind.String) span.SetTag(EngineMetrics.ActivityIdTag, step.Command.Args["activityId"]!.GetValue<string>());
    }

    /// <summary>
    /// Runs the task-action rules on a step that completes a task, with the instance as stored before the step (the
    /// step is not saved yet, so the unit still holds the row it loaded) — loaded in the step's transaction, whose commit is
    /// version-checked: a rule's decision holds for the state the step is committed against.
    /// </summary>
    private static async Task CheckTaskActionAsync(EfWorkflowUnitOfWork unit, IEnumerable<ITaskActionRule> rules, StepCommand command, CancellationToken cancellationToken)
    {
        var list = rules.ToList();
        if (list.Count == 0) return;
        // The unit already holds the row the step was computed from (not saved yet): no second read of the instance.
        var before = await unit.GetInstanceAsync(command.InstanceId, cancellationToken);
        if (before is null) return;
        var definition = await unit.GetDefinitionAsync(before.DefinitionId, before.DefinitionVersion, cancellationToken)
            ?? throw new WorkflowConflictException($"Definition {before.DefinitionId} v{before.DefinitionVersion} is missing.");
        var taskId = Guid.Parse(command.Args["taskId"]!.GetValue<string>());
        var check = new TaskActionCheck(unit.Db, definition, before, taskId, command.Args["activityId"]!.GetValue<string>(), command.Args["action"]!.GetValue<string>(), command.Actor);
        foreach (var rule in list) await rule.CheckAsync(check, cancellationToken);
    }

    /// <summary>
    /// Loads an instance and its definition version, computes a step and commits it. Returns the instance as saved —
    /// after the steps the commit chained on it too (a child that ended at once resumes its parent) — so callers build
    /// their answer from it instead of reading back what was just written.
    /// </summary>
    public async Task<InstanceState> StepAsync(Guid instanceId, Func<WorkflowDefinition, InstanceState, StepResult> step, CancellationToken cancellationToken, bool retryStale = true)
    {
        var (state, ranJobs) = await ExecuteReportingJobsAsync(async (unit, ct) =>
        {
            var (definition, current) = await LoadAsync(unit, instanceId, ct);
            var result = step(definition, current);
            return new UnitResult<InstanceState>(result, result.State, u => u.SavedState(instanceId) ?? result.State);
        }, retryStale, cancellationToken);
        if (!ranJobs) return state;
        // Outside calls ran inline after the commit and may have resumed it since: only then is it read again.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        return await new EfWorkflowUnitOfWork(db, [], definitions).GetInstanceAsync(instanceId, cancellationToken) ?? state;
    }

    public static async Task<(WorkflowDefinition Definition, InstanceState State)> LoadAsync(EfWorkflowUnitOfWork unit, Guid instanceId, CancellationToken cancellationToken)
    {
        var state = await unit.GetInstanceAsync(instanceId, cancellationToken) ?? throw new WorkflowNotFoundException($"No instance {instanceId}.");
        // Lines the step logs from here on (before it returns its result) carry the instance too.
        StepLogScope.Current?.Describe(state);
        var definition = await unit.GetDefinitionAsync(state.DefinitionId, state.DefinitionVersion, cancellationToken)
            ?? throw new WorkflowConflictException($"Definition {state.DefinitionId} v{state.DefinitionVersion} is missing.");
        return (definition, state);
    }

    /// <summary>
    /// Fires a due timer. Idempotent: when its bookmark is gone (fired by another node, or the instance moved on) nothing
    /// is written, so a timer taken twice — a lease that ran out, a trigger stored by an earlier release — fires once.
    /// </summary>
    public async Task FireTimerAsync(Guid instanceId, Guid bookmarkId, CancellationToken cancellationToken)
    {
        try
        {
            var dueAt = await ExecuteAsync(async (unit, ct) =>
            {
                var (definition, state) = await LoadAsync(unit, instanceId, ct);
                var timer = state.Status == InstanceStatus.Running ? state.Bookmarks.FirstOrDefault(b => b.Id == bookmarkId && b.DueAt is not null) : null;
                if (timer is null) return new UnitResult<DateTimeOffset?>(null, null);
                return new UnitResult<DateTimeOffset?>(engine.FireTimer(definition, state, bookmarkId), timer.DueAt);
            }, cancellationToken);
            if (dueAt is { } due) metrics.TimerFired(clock.GetUtcNow() - due);
            else logger.LogDebug("Timer {Bookmark} of {Instance} had nothing left to fire.", bookmarkId, instanceId);
        }
        catch (WorkflowNotFoundException)
        {
            logger.LogWarning("Timer {Bookmark} fired for unknown instance {Instance}", bookmarkId, instanceId);
        }
    }

    public async Task RunJobAsync(Guid instanceId, Guid jobId, CancellationToken cancellationToken)
    {
        JobRecord? job;
        await using (var scope = scopes.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            job = await db.Jobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken);
        }
        if (job is null || job.Status != JobStatuses.Pending) return;
        var attempt = job.Attempts + 1;
        ExternalCallResult result;
        try
        {
            if (!engine.Registry.TryGet(job.ActivityType, out var activity) || activity is not IExternalActivity external)
            {
                throw new InvalidOperationException($"Activity type '{job.ActivityType}' is not registered as an outside call.");
            }
            var input = JsonNode.Parse(job.InputJson) as JsonObject ?? [];
            result = await external.CallAsync(input, new ExternalCallContext(instanceId, job.ActivityId, job.IdempotencyKey, attempt), cancellationToken);
        }
        // A cancellation nobody asked for is the call's own time-out (HttpClient reports one so): a failed attempt,
        // or the pollers would call again every few seconds without ever counting it.
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await RecordFailureAsync(job, attempt, ex.Message, cancellationToken);
            return;
        }

        await ExecuteAsync(async (unit, ct) =>
        {
            var (definition, state) = await LoadAsync(unit, instanceId, ct);
            if (state.Bookmarks.All(b => b.Id != jobId))
            {
                // Another run (the backup, or a retry) already resumed it with its result — the outside call was
                // idempotent: the row is Done, nothing to do. Or the flow stopped waiting for it (an End on another
                // branch, a join-any): the result must not vanish — it is journaled, and an incident opened if it may
                // have moved money (ADR 10). A row still Pending here was left so by an earlier release: the same.
                var orphan = await unit.Db.Jobs.FirstOrDefaultAsync(j => j.Id == jobId && (j.Status == JobStatuses.Pending || j.Status == JobStatuses.Abandoned), ct);
                if (orphan is null) return new UnitResult<bool>(null, false);
                logger.LogWarning("Job {Job} ({Type}) of {Instance} returned {Outcome} after the instance stopped waiting for it.", jobId, job.ActivityType, instanceId, result.Outcome);
                orphan.Status = JobStatuses.Done;
                orphan.NextAttemptAt = null;
                orphan.LeaseUntil = null;
                orphan.Attempts = attempt;
                orphan.LastError = $"Result {result.Outcome} arrived after the instance stopped waiting for it; journaled as a late result.";
                orphan.UpdatedAt = clock.GetUtcNow();
                return new UnitResult<bool>(engine.AbandonedCallResult(definition, state, jobId, job.ActivityId, job.ActivityType, new ResumeSignal
                {
                    Outcome = result.Outcome,
                    Outputs = result.Outputs,
                    Actor = Actor.System("worker"),
                }), false);
            }
            // A partial update in the step's batch: the row was read before the call.
            var row = new JobRecord { Id = jobId, ActivityId = job.ActivityId, ActivityType = job.ActivityType, InputJson = "", IdempotencyKey = job.IdempotencyKey, Status = JobStatuses.Pending };
            unit.Db.Jobs.Attach(row);
            row.Attempts = attempt;
            row.LeaseUntil = null;
            unit.Db.Entry(row).Property(j => j.Attempts).IsModified = true;
            unit.Db.Entry(row).Property(j => j.LeaseUntil).IsModified = true;
            // Running: the flow resumes. Cancelling (ADR 10): the result is journaled, an incident opened if money moved.
            return new UnitResult<bool>(engine.CompleteCall(definition, state, jobId, new ResumeSignal
            {
                Outcome = result.Outcome,
                Outputs = result.Outputs,
                Actor = Actor.System("worker"),
            }), true);
        }, cancellationToken);
    }

    private async Task RecordFailureAsync(JobRecord job, int attempt, string message, CancellationToken cancellationToken)
    {
        var final = attempt >= options.Value.JobMaxAttempts;
        metrics.JobFailed(job.ActivityType, final);
        await ExecuteAsync(async (unit, ct) =>
        {
            var row = await unit.Db.Jobs.FirstOrDefaultAsync(j => j.Id == job.Id, ct);
            if (row is null || row.Status != JobStatuses.Pending) return new UnitResult<bool>(null, false);
            var now = clock.GetUtcNow();
            row.Attempts = attempt;
            row.LastError = message.Length > 4000 ? message[..4000] : message;
            row.UpdatedAt = now;
            var (definition, state) = await LoadAsync(unit, job.InstanceId, ct);
            // Logged in the step, so that the line carries the instance's scope.
            logger.LogWarning("Job {Job} ({Type}) attempt {Attempt} failed: {Message}", job.Id, job.ActivityType, attempt, message);
            if (attempt < options.Value.JobMaxAttempts)
            {
                var delay = TimeSpan.FromSeconds(options.Value.JobBackoffSeconds * Math.Pow(2, attempt - 1));
                // The row is the retry: the job pollers run it again when it is due.
                row.NextAttemptAt = now + delay;
                row.LeaseUntil = null;
                return new UnitResult<bool>(engine.Note(definition, state, JournalKinds.JobFailed, $"{job.ActivityType} attempt {attempt} failed: {message}; retrying in {delay.TotalSeconds:0}s.", Actor.System("worker")), false);
            }
            row.Status = JobStatuses.Failed;
            row.NextAttemptAt = null;
            row.LeaseUntil = null;
            unit.Db.Incidents.Add(new IncidentRow
            {
                Id = Guid.CreateVersion7(now),
                InstanceId = job.InstanceId,
                ActivityId = job.ActivityId,
                ActivityType = job.ActivityType,
                Message = row.LastError,
                JobId = job.Id,
                Attempts = attempt,
                Status = IncidentStatuses.Open,
                CreatedAt = now,
            });
            // The call no longer holds up a cancel or an interrupt; a cancelling instance takes it as the call's last word.
            return new UnitResult<bool>(engine.CallFailed(definition, state, job.Id, $"{job.ActivityType} failed {attempt} times: {message}. An incident was opened.", Actor.System("worker")), false);
        }, cancellationToken);
    }

    /// <summary>
    /// The instance was cancelled while this call was in flight: asks the adapter to call it off where it can (ADR 10)
    /// and journals its answer. The call's own result still ends the cancel: a call called off reports its refusal.
    /// </summary>
    private async Task TryCancelCallAsync(JobRequest call, CancellationToken cancellationToken)
    {
        if (!engine.Registry.TryGet(call.ActivityType, out var activity) || activity is not ICancellableExternalActivity cancellable) return;
        string answer;
        try
        {
            var cancelled = await cancellable.TryCancelAsync(call.Input, new ExternalCallContext(call.InstanceId, call.ActivityId, call.IdempotencyKey, 0), cancellationToken);
            answer = cancelled ? "the outside system called it off" : "too late: the outside system had already acted, or does not know the call";
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            answer = $"the request failed: {ex.Message}";
        }
        logger.LogInformation("Cancel of {Type} {Key} for cancelled instance {Instance}: {Answer}", call.ActivityType, call.IdempotencyKey, call.InstanceId, answer);
        try
        {
            await ExecuteAsync(async (unit, ct) =>
            {
                var (definition, state) = await LoadAsync(unit, call.InstanceId, ct);
                return new UnitResult<bool>(engine.Note(definition, state, JournalKinds.CallCancelRequested, $"Asked to call off {call.ActivityType} ({call.IdempotencyKey}): {answer}.", Actor.System("worker")), true);
            }, cancellationToken);
        }
        catch (Exception ex) when (ex is WorkflowException or DbUpdateException)
        {
            logger.LogWarning(ex, "Could not journal the cancel request of {Key}.", call.IdempotencyKey);
        }
    }

    private async Task RunJobSafelyAsync(Guid instanceId, Guid jobId, CancellationToken cancellationToken)
    {
        try
        {
            await RunJobAsync(instanceId, jobId, cancellationToken);
        }
        catch (Exception ex) when (ex is WorkflowException or DbUpdateException)
        {
            // The job row stays Pending and due: a job poller runs it again later.
            logger.LogWarning(ex, "Inline run of job {Job} did not finish; the scheduled retry will.", jobId);
        }
    }

    /// <summary>Re-opens a failed job (or re-runs a faulted activity) for an operator.</summary>
    public async Task RetryIncidentAsync(Guid incidentId, Actor actor, CancellationToken cancellationToken)
    {
        var (instanceId, jobId) = await ExecuteAsync(async (unit, ct) =>
        {
            var incident = await unit.Db.Incidents.FirstOrDefaultAsync(i => i.Id == incidentId, ct)
                ?? throw new WorkflowNotFoundException($"No incident {incidentId}.");
            if (incident.Status != IncidentStatuses.Open) throw new WorkflowConflictException("The incident is already resolved.");
            incident.Status = IncidentStatuses.Resolved;
            incident.ResolvedAt = clock.GetUtcNow();
            incident.ResolvedBy = actor.UserId;
            var (definition, state) = await LoadAsync(unit, incident.InstanceId, ct);
            if (incident.JobId is { } job)
            {
                var row = await unit.Db.Jobs.FirstOrDefaultAsync(j => j.Id == job, ct) ?? throw new WorkflowConflictException("The job is gone.");
                // Refused when the instance no longer waits for the call (cancelled, or moved on): running it again
                // would move money nobody follows up.
                var retried = engine.RetryCall(definition, state, job, $"Operator retried {incident.ActivityType}.", actor);
                row.Status = JobStatuses.Pending;
                row.Attempts = 0;
                row.LeaseUntil = null;
                // Run inline below; the row, due after the backup delay, is the durable fallback (at once without inline runs).
                row.NextAttemptAt = clock.GetUtcNow() + (options.Value.RunJobsInline ? TimeSpan.FromSeconds(options.Value.JobBackupDelaySeconds) : TimeSpan.Zero);
                return new UnitResult<(Guid, Guid?)>(retried, (incident.InstanceId, job));
            }
            if (state.Status != InstanceStatus.Faulted)
            {
                // E.g. money that moved after a cancel (ADR 10): the incident is a record for the operator, not a step to re-run.
                throw new WorkflowConflictException($"Nothing to re-run: the instance is {state.Status}. The incident says: {incident.Message}");
            }
            return new UnitResult<(Guid, Guid?)>(engine.RetryFault(definition, state, incident.ActivityId, actor), (incident.InstanceId, null));
        }, cancellationToken, retryStale: true);
        if (jobId is { } j && options.Value.RunJobsInline) await RunJobSafelyAsync(instanceId, j, cancellationToken);
    }
}
