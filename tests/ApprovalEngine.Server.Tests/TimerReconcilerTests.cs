using ApprovalEngine.Persistence;
using ApprovalEngine.Scheduling;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests;

/// <summary>Triggers are derived from the database: a timer whose trigger got lost is scheduled again.</summary>
public sealed class TimerReconcilerTests
{
    [TestCase("Sqlite")]
    [TestCase("Postgres")]
    public async Task A_lost_SLA_trigger_is_rescheduled_from_the_bookmarks_table(string provider)
    {
        await using var factory = provider == "Postgres" ? await ApiFactory.PostgresAsync() : ApiFactory.Sqlite();
        var started = await factory.AsTestSystem().PostObjectAsync("/api/definitions/sample-approval/instances", new { input = new { amount = 10 } });
        var instanceId = Guid.Parse(started["id"]!.GetValue<string>());
        var scheduler = factory.Services.GetRequiredService<QuartzWorkflowScheduler>();
        var quartz = await scheduler.GetSchedulerAsync(CancellationToken.None);
        Guid timerId;
        await using (var scope = factory.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            timerId = await db.Bookmarks.Where(b => b.InstanceId == instanceId && b.DueAt != null).Select(b => b.Id).SingleAsync();
        }
        Assert.That(await quartz.Exists(QuartzWorkflowScheduler.TimerKey(timerId)), Is.True, "the step scheduled the SLA timer");

        await scheduler.CancelTimerAsync(timerId, CancellationToken.None);
        Assert.That(await quartz.Exists(QuartzWorkflowScheduler.TimerKey(timerId)), Is.False);

        var repaired = await factory.Services.GetRequiredService<TimerReconciler>().ReconcileAsync(includeJobs: false, CancellationToken.None);
        Assert.That(repaired, Is.GreaterThanOrEqualTo(1));
        Assert.That(await quartz.Exists(QuartzWorkflowScheduler.TimerKey(timerId)), Is.True);
    }
}
