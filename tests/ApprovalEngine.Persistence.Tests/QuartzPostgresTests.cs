using ApprovalEngine.Scheduling;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>Quartz's ADO.NET store enlisted in the step's EF transaction on PostgreSQL, as the server runs it.</summary>
[Parallelizable(ParallelScope.Self)]
public sealed class QuartzPostgresTests
{
    private static async Task<StoreHarness> StoreAsync(params Workflows.Definitions.WorkflowDefinition[] definitions) =>
        await StoreHarness.PostgresAsync(TimeProvider.System, definitions);

    [Test]
    public async Task Timer_scheduled_in_a_committed_step_fires_once()
    {
        var store = await StoreAsync(Flows.Delay("PT1S"));
        var handler = new RecordingTriggerHandler();
        await using var node = await SchedulerNode.StartAsync(true, store.ConnectionString, handler, "commit-test");
        await node.SaveStepAsync(store, unit => SchedulerNode.StartStepAsync(store, unit, "delay"), commit: true);

        await using var db = store.Context();
        var instanceId = await db.Instances.Select(i => i.Id).SingleAsync();
        var timerId = await db.SingleTimerIdAsync(instanceId);
        Assert.That(await Eventually.TrueWithin(TimeSpan.FromSeconds(10), () => handler.Total >= 1), Is.True, "the timer never fired");
        Assert.That(await Eventually.NoTriggerLeftAsync(store.ConnectionString, postgres: true), Is.True, "the fired trigger was never removed");
        Assert.That(handler.TimerFires, Is.EquivalentTo(new Dictionary<Guid, int> { [timerId] = 1 }));
    }

    [Test]
    public async Task Timer_scheduled_in_a_rolled_back_step_never_fires()
    {
        var store = await StoreAsync(Flows.Delay("PT1S"));
        var handler = new RecordingTriggerHandler();
        await using var node = await SchedulerNode.StartAsync(true, store.ConnectionString, handler, "rollback-test");
        await node.SaveStepAsync(store, unit => SchedulerNode.StartStepAsync(store, unit, "delay"), commit: false);

        await using (var check = store.Context())
        {
            Assert.That(await check.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM qrtz_triggers").SingleAsync(), Is.Zero);
        }
        Assert.That(await Eventually.TrueWithin(TimeSpan.FromSeconds(3), () => handler.Total > 0), Is.False, "a rolled-back timer fired");
        await using var db = store.Context();
        Assert.That(await db.Instances.CountAsync(), Is.Zero);
    }

    [Test]
    public async Task Cancel_in_a_rolled_back_step_keeps_the_trigger_and_in_a_committed_one_removes_it()
    {
        var store = await StoreAsync(Flows.Delay("PT1H"));
        var handler = new RecordingTriggerHandler();
        await using var node = await SchedulerNode.StartAsync(true, store.ConnectionString, handler, "cancel-test");
        await node.SaveStepAsync(store, unit => SchedulerNode.StartStepAsync(store, unit, "delay"), commit: true);
        await using var db = store.Context();
        var instanceId = await db.Instances.Select(i => i.Id).SingleAsync();
        var timerId = await db.SingleTimerIdAsync(instanceId);
        var quartz = await node.QuartzAsync();
        Assert.That(await quartz.Exists(QuartzWorkflowScheduler.TimerKey(timerId)), Is.True);

        // Cancelling the instance removes its timer bookmark: TimersToCancel holds it.
        async Task<Workflows.Runtime.StepResult> Cancel(EfWorkflowUnitOfWork unit)
        {
            var state = (await unit.GetInstanceAsync(instanceId, default))!;
            var definition = (await unit.GetDefinitionAsync(state.DefinitionId, state.DefinitionVersion, default))!;
            return store.Engine.Cancel(definition, state, "test", Workflows.Runtime.Actor.System());
        }
        await node.SaveStepAsync(store, Cancel, commit: false);
        Assert.That(await quartz.Exists(QuartzWorkflowScheduler.TimerKey(timerId)), Is.True, "a rolled-back cancel removed the trigger");

        await node.SaveStepAsync(store, Cancel, commit: true);
        Assert.That(await quartz.Exists(QuartzWorkflowScheduler.TimerKey(timerId)), Is.False, "a committed cancel kept the trigger");
    }

    [Test]
    public async Task Two_clustered_nodes_fire_each_of_twenty_timers_exactly_once()
    {
        var store = await StoreAsync(Flows.Delay("PT1S"));
        var handler = new RecordingTriggerHandler();
        await using var nodeA = await SchedulerNode.StartAsync(true, store.ConnectionString, handler, "cluster-test");
        await using var nodeB = await SchedulerNode.StartAsync(true, store.ConnectionString, handler, "cluster-test");
        var quartzA = await nodeA.QuartzAsync();
        var quartzB = await nodeB.QuartzAsync();
        Assert.That(quartzA.SchedulerInstanceId, Is.Not.EqualTo(quartzB.SchedulerInstanceId), "two distinct cluster members");

        for (var i = 0; i < 20; i++)
        {
            var node = i % 2 == 0 ? nodeA : nodeB;
            await node.SaveStepAsync(store, unit => SchedulerNode.StartStepAsync(store, unit, "delay"), commit: true);
        }
        await using var db = store.Context();
        var timers = await db.Bookmarks.Where(b => b.Kind == "Timer").Select(b => b.Id).ToListAsync();
        Assert.That(timers, Has.Count.EqualTo(20));

        Assert.That(await Eventually.TrueWithin(TimeSpan.FromSeconds(15), () => handler.TimerFires.Count >= 20), Is.True, $"only {handler.TimerFires.Count} of 20 fired");
        Assert.That(await Eventually.NoTriggerLeftAsync(store.ConnectionString, postgres: true), Is.True, "fired triggers were never removed");
        Assert.Multiple(() =>
        {
            Assert.That(handler.TimerFires.Keys, Is.EquivalentTo(timers));
            Assert.That(handler.TimerFires.Values, Is.All.EqualTo(1), "some timer fired twice");
        });
    }
}
