namespace ApprovalEngine.Workflows.Hosting;

/// <summary>
/// Durable timers and job runs for a host. Calls are made inside the transaction that commits the step, so a
/// rolled-back step leaves no trigger behind and a committed one never loses its timer.
/// </summary>
public interface IWorkflowScheduler
{
    Task ScheduleTimerAsync(Guid instanceId, Guid bookmarkId, DateTimeOffset dueAt, CancellationToken cancellationToken);

    Task CancelTimerAsync(Guid bookmarkId, CancellationToken cancellationToken);

    /// <summary>Runs (or re-runs, for a retry with backoff) a domain activity's outside call at <paramref name="runAt"/>.</summary>
    Task ScheduleJobAsync(Guid instanceId, Guid jobId, int attempt, DateTimeOffset runAt, CancellationToken cancellationToken);
}

/// <summary>What the scheduler calls back when a trigger fires; the server's workflow runner implements it.</summary>
public interface IWorkflowTriggerHandler
{
    Task FireTimerAsync(Guid instanceId, Guid bookmarkId, CancellationToken cancellationToken);

    Task RunJobAsync(Guid instanceId, Guid jobId, CancellationToken cancellationToken);
}
