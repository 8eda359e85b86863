using System.Data.Common;
using ApprovalEngine.Workflows.Hosting;
using Quartz;

namespace ApprovalEngine.Scheduling;

/// <summary>
/// The engine's scheduler on Quartz.NET's ADO.NET job store. Triggers are written with the step's own database
/// transaction (Quartz enlists in it), so timers commit and roll back together with the instance state.
/// </summary>
public sealed class QuartzWorkflowScheduler(ISchedulerFactory factory) : IWorkflowScheduler
{
    public static readonly JobKey TimerJobKey = new("fire-timer", "approval-engine");
    public static readonly JobKey RunJobKey = new("run-job", "approval-engine");

    private IScheduler? _scheduler;

    private async ValueTask<IScheduler> SchedulerAsync(CancellationToken cancellationToken) =>
        _scheduler ??= await factory.GetScheduler(cancellationToken);

    /// <summary>
    /// Makes the scheduler's next calls in this async flow part of <paramref name="transaction"/>; dispose after the
    /// commit. Quartz keeps the enlistment in an AsyncLocal, so this must be called synchronously by the code that
    /// then schedules and commits (an async wrapper would lose it on return): resolve the scheduler first.
    /// </summary>
    public static IDisposable Enlist(IScheduler scheduler, DbTransaction transaction) => scheduler.EnlistTransaction(transaction);

    public ValueTask<IScheduler> GetSchedulerAsync(CancellationToken cancellationToken) => SchedulerAsync(cancellationToken);

    /// <summary>Makes the scheduler's next calls part of <paramref name="transaction"/>; dispose after the commit.</summary>
    /// <remarks>
    /// Deliberately not an <c>async</c> method: Quartz keeps the enlistment in an async-local context, and whatever an
    /// async method sets there is undone when it returns, so the caller's schedule/unschedule calls would silently run
    /// in their own transactions (committed even when the step rolls back).
    /// </remarks>
    public ValueTask<IDisposable> EnlistAsync(DbTransaction transaction, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(transaction);
        // The hosted service has normally created the scheduler already; otherwise the factory is asked here, synchronously.
        var scheduler = _scheduler ??= factory.GetScheduler(cancellationToken).AsTask().GetAwaiter().GetResult();
        return ValueTask.FromResult(scheduler.EnlistTransaction(transaction));
    }

    public async Task ScheduleTimerAsync(Guid instanceId, Guid bookmarkId, DateTimeOffset dueAt, CancellationToken cancellationToken)
    {
        var trigger = TriggerBuilder.Create()
            .WithIdentity(TimerKey(bookmarkId))
            .ForJob(TimerJobKey)
            .UsingJobData("instanceId", instanceId.ToString())
            .UsingJobData("bookmarkId", bookmarkId.ToString())
            .StartAt(dueAt)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await (await SchedulerAsync(cancellationToken)).ScheduleJob(trigger, default, cancellationToken);
    }

    public async Task CancelTimerAsync(Guid bookmarkId, CancellationToken cancellationToken) =>
        await (await SchedulerAsync(cancellationToken)).UnscheduleJob(TimerKey(bookmarkId), cancellationToken);

    public async Task ScheduleJobAsync(Guid instanceId, Guid jobId, int attempt, DateTimeOffset runAt, CancellationToken cancellationToken)
    {
        var trigger = TriggerBuilder.Create()
            .WithIdentity(new TriggerKey($"job-{jobId:N}-{attempt}-{Guid.NewGuid():N}", "jobs"))
            .ForJob(RunJobKey)
            .UsingJobData("instanceId", instanceId.ToString())
            .UsingJobData("jobId", jobId.ToString())
            .StartAt(runAt)
            .WithSimpleSchedule(s => s.WithMisfireInstruction(SimpleTriggerMisfireInstruction.FireNow))
            .Build();
        await (await SchedulerAsync(cancellationToken)).ScheduleJob(trigger, default, cancellationToken);
    }

    public static TriggerKey TimerKey(Guid bookmarkId) => new($"timer-{bookmarkId:N}", "timers");
}

/// <summary>Quartz job: a workflow timer is due.</summary>
[DisallowConcurrentExecution]
internal sealed class FireTimerJob(IWorkflowTriggerHandler handler) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        await handler.FireTimerAsync(Guid.Parse(data.GetString("instanceId")!), Guid.Parse(data.GetString("bookmarkId")!), cancellationToken);
    }
}

/// <summary>Quartz job: run a domain activity's outside call (first try or a retry).</summary>
internal sealed class RunWorkflowJob(IWorkflowTriggerHandler handler) : IJob
{
    public async ValueTask Execute(IJobExecutionContext context, CancellationToken cancellationToken)
    {
        var data = context.MergedJobDataMap;
        await handler.RunJobAsync(Guid.Parse(data.GetString("instanceId")!), Guid.Parse(data.GetString("jobId")!), cancellationToken);
    }
}
