using ApprovalEngine.Workflows.Hosting;
using Quartz;

namespace ApprovalEngine.Scheduling;

/// <summary>
/// Releases before ADR 8 stored one Quartz trigger per timer and per job run. Databases they wrote still hold those
/// triggers; these jobs keep them firing harmlessly until none are left. The due rows (bookmarks, jobs) are the truth
/// and the pollers fire them; the runner's fire and run are idempotent, so a stored trigger that fires after (or
/// before) the poller changes nothing twice. New code never schedules them.
/// </summary>
public static class LegacyTriggerJobs
{
    public static readonly JobKey TimerJobKey = new("fire-timer", "approval-engine");
    public static readonly JobKey RunJobKey = new("run-job", "approval-engine");

    public static TriggerKey TimerKey(Guid bookmarkId) => new($"timer-{bookmarkId:N}", "timers");
}

/// <summary>Quartz job of a timer trigger stored by an earlier release.</summary>
internal sealed class FireTimerJob(IWorkflowTriggerHandler handler) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        await handler.FireTimerAsync(Guid.Parse(data.GetString("instanceId")!), Guid.Parse(data.GetString("bookmarkId")!), cancellationToken);
    }
}

/// <summary>Quartz job of a job-run trigger stored by an earlier release.</summary>
internal sealed class RunWorkflowJob(IWorkflowTriggerHandler handler) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        await handler.RunJobAsync(Guid.Parse(data.GetString("instanceId")!), Guid.Parse(data.GetString("jobId")!), cancellationToken);
    }
}
