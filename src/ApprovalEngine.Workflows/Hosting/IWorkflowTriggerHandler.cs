namespace ApprovalEngine.Workflows.Hosting;

/// <summary>
/// What fires a due timer or runs a due outside call; the database host's runner implements it. Both calls are
/// idempotent, so whoever calls them (a poller, a trigger stored by an earlier release) may call twice.
/// </summary>
public interface IWorkflowTriggerHandler
{
    Task FireTimerAsync(Guid instanceId, Guid bookmarkId, CancellationToken cancellationToken);

    Task RunJobAsync(Guid instanceId, Guid jobId, CancellationToken cancellationToken);
}
