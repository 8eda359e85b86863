using ApprovalEngine.Persistence;
using ApprovalEngine.Scheduling;
using Microsoft.EntityFrameworkCore;
using Quartz;

namespace ApprovalEngine.Server.Engine;

/// <summary>
/// Makes sure every durable wait in the database has its Quartz trigger: at start-up and every few minutes, each timer
/// bookmark without a trigger is scheduled (a due one fires at once), and at start-up every pending job is run again.
/// The database is the truth; triggers are derived from it, so a crash between a commit and its scheduling (possible
/// on SQLite, where triggers are written after the commit) loses nothing.
/// </summary>
public sealed class TimerReconciler(IServiceScopeFactory scopes, QuartzWorkflowScheduler scheduler, TimeProvider clock, ILogger<TimerReconciler> logger) : BackgroundService
{
    public static readonly TimeSpan Interval = TimeSpan.FromMinutes(5);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var first = true;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ReconcileAsync(includeJobs: first, stoppingToken);
                first = false;
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                logger.LogWarning(ex, "Timer reconciliation failed; will try again.");
            }
            await Task.Delay(Interval, clock, stoppingToken);
        }
    }

    public async Task<int> ReconcileAsync(bool includeJobs, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var quartz = await scheduler.GetSchedulerAsync(cancellationToken);
        var repaired = 0;
        var timers = await db.Bookmarks.AsNoTracking().Where(b => b.DueAt != null).Select(b => new { b.Id, b.InstanceId, b.DueAt }).ToListAsync(cancellationToken);
        foreach (var timer in timers)
        {
            if (await quartz.Exists(QuartzWorkflowScheduler.TimerKey(timer.Id), cancellationToken)) continue;
            await scheduler.ScheduleTimerAsync(timer.InstanceId, timer.Id, timer.DueAt!.Value, cancellationToken);
            repaired++;
        }
        if (includeJobs)
        {
            var now = clock.GetUtcNow();
            var jobs = await db.Jobs.AsNoTracking().Where(j => j.Status == JobStatuses.Pending).Select(j => new { j.Id, j.InstanceId, j.Attempts, j.NextAttemptAt }).ToListAsync(cancellationToken);
            foreach (var job in jobs)
            {
                var at = job.NextAttemptAt is { } next && next > now ? next : now;
                await scheduler.ScheduleJobAsync(job.InstanceId, job.Id, job.Attempts + 1, at, cancellationToken);
                repaired++;
            }
        }
        if (repaired > 0) logger.LogInformation("Reconciled {Count} timer/job trigger(s) from the database.", repaired);
        return repaired;
    }
}
