using ApprovalEngine.Hosting;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>
/// Timers are due rows (ADR 8): written with the step, fired by pollers on every node with SKIP LOCKED and a lease,
/// once each, on PostgreSQL as the server runs it.
/// </summary>
[Parallelizable(ParallelScope.Self)]
public sealed class DueTimerTests
{
    private static Task<StoreHarness> StoreAsync(params Workflows.Definitions.WorkflowDefinition[] definitions) =>
        StoreHarness.PostgresAsync(TimeProvider.System, definitions);

    /// <summary>How many times the delay activity of each instance completed (a timer that fired twice would show 2).</summary>
    private static async Task<Dictionary<Guid, int>> FiresAsync(StoreHarness store)
    {
        await using var db = store.Context();
        return await db.Journal.Where(j => j.ActivityId == "wait" && j.Kind == JournalKinds.ActivityCompleted)
            .GroupBy(j => j.InstanceId).Select(g => new { g.Key, Count = g.Count() })
            .ToDictionaryAsync(x => x.Key, x => x.Count);
    }

    private static async Task<long> CountAsync(StoreHarness store, Func<ApprovalDbContext, Task<int>> query)
    {
        await using var db = store.Context();
        return await query(db);
    }

    [Test]
    public async Task A_timer_committed_with_its_step_fires_once()
    {
        var store = await StoreAsync(Flows.Delay("PT1S"));
        await using var node = await EngineNode.StartAsync(store, postgres: true, "commit");
        var started = await node.StartAsync("delay");

        Assert.That(await Eventually.TrueWithinAsync(TimeSpan.FromSeconds(15), async () =>
            await CountAsync(store, db => db.Instances.CountAsync(i => i.Status == "Completed")) == 1), Is.True, "the timer never fired");
        // Nothing is left that could fire again: the fired timer's row went with the step that consumed it.
        Assert.That(await CountAsync(store, db => db.Bookmarks.CountAsync()), Is.Zero);
        Assert.That(await FiresAsync(store), Is.EquivalentTo(new Dictionary<Guid, int> { [started.State.Id] = 1 }));
    }

    [Test]
    public async Task A_timer_of_a_rolled_back_step_leaves_no_row_and_never_fires()
    {
        var store = await StoreAsync(Flows.Delay("PT0S"));
        await using var node = await EngineNode.StartAsync(store, postgres: true, "rollback");
        var failing = node.Runner.ExecuteAsync<bool>(async (unit, ct) =>
        {
            var definition = (await unit.GetDefinitionAsync("delay", null, ct))!;
            var step = node.Runner.Engine.Start(definition, new StartWorkflow { InstanceId = Guid.NewGuid() });
            await node.Runner.Coordinator.SaveAsync(unit, step, ct);
            // Written, then the unit fails before its commit.
            throw new InvalidOperationException("boom");
        }, CancellationToken.None);
        Assert.That(async () => await failing, Throws.InvalidOperationException);

        Assert.That(await CountAsync(store, db => db.Bookmarks.CountAsync()), Is.Zero, "a rolled-back step left its timer row");
        Assert.That(await node.Poller.PollOnceAsync(DueKind.Timer, CancellationToken.None), Is.Zero);
        Assert.That(await CountAsync(store, db => db.Instances.CountAsync()), Is.Zero);
    }

    [Test]
    public async Task Cancelling_removes_the_timer_row_only_when_the_cancel_commits()
    {
        var store = await StoreAsync(Flows.Delay("PT1H"));
        await using var node = await EngineNode.StartAsync(store, postgres: true, "cancel");
        var id = (await node.StartAsync("delay")).State.Id;
        Assert.That(await CountAsync(store, db => db.Bookmarks.CountAsync(b => b.InstanceId == id && b.DueAt != null)), Is.EqualTo(1));

        var rolledBack = node.Runner.ExecuteAsync<bool>(async (unit, ct) =>
        {
            var (definition, state) = await WorkflowRunner.LoadAsync(unit, id, ct);
            await node.Runner.Coordinator.SaveAsync(unit, node.Runner.Engine.Cancel(definition, state, "test", Actor.System()), ct);
            throw new InvalidOperationException("boom");
        }, CancellationToken.None);
        Assert.That(async () => await rolledBack, Throws.InvalidOperationException);
        Assert.That(await CountAsync(store, db => db.Bookmarks.CountAsync(b => b.InstanceId == id && b.DueAt != null)), Is.EqualTo(1), "a rolled-back cancel removed the timer");

        await node.Runner.StepAsync(id, (d, s) => node.Runner.Engine.Cancel(d, s, "test", Actor.System()), CancellationToken.None);
        Assert.That(await CountAsync(store, db => db.Bookmarks.CountAsync(b => b.InstanceId == id)), Is.Zero, "a committed cancel kept the timer");
    }

    [Test]
    public async Task A_timer_taken_by_a_node_that_died_fires_once_on_another_node_after_the_lease()
    {
        var store = await StoreAsync(Flows.Delay("PT0.5S"));
        // The "dead" node takes the due rows (its lease is written) and then never fires them: it has no pollers
        // running and its taking is done by hand, as a node killed right after its poll would leave them.
        var lease = new Dictionary<string, string?> { ["LeaseSeconds"] = "3" };
        await using var dead = await EngineNode.StartAsync(store, postgres: true, "lease", lease, runHostedServices: false);
        var ids = new List<Guid>();
        for (var i = 0; i < 20; i++) ids.Add((await dead.StartAsync("delay")).State.Id);
        Assert.That(await Eventually.TrueWithinAsync(TimeSpan.FromSeconds(10), async () =>
            (await dead.Poller.TakeAsync(DueKind.Timer, CancellationToken.None)).Count > 0 || await AllLeasedAsync()), Is.True);
        async Task<bool> AllLeasedAsync() => await CountAsync(store, db => db.Bookmarks.CountAsync(b => b.LeaseUntil == null)) == 0;
        Assert.That(await Eventually.TrueWithinAsync(TimeSpan.FromSeconds(10), async () =>
        {
            await dead.Poller.TakeAsync(DueKind.Timer, CancellationToken.None);
            return await AllLeasedAsync();
        }), Is.True, "the dead node took every due timer");

        await using var live = await EngineNode.StartAsync(store, postgres: true, "lease", lease);
        // While the lease runs the live node leaves them alone.
        Assert.That(await live.Poller.PollOnceAsync(DueKind.Timer, CancellationToken.None), Is.Zero, "a leased timer was taken before its lease ended");
        Assert.That(await Eventually.TrueWithinAsync(TimeSpan.FromSeconds(20), async () =>
            await CountAsync(store, db => db.Instances.CountAsync(i => i.Status == "Completed")) == ids.Count), Is.True, "the live node never took the expired leases");
        var fires = await FiresAsync(store);
        Assert.Multiple(() =>
        {
            Assert.That(fires.Keys, Is.EquivalentTo(ids));
            Assert.That(fires.Values, Is.All.EqualTo(1), "some timer fired twice");
        });
    }

    [Test]
    public async Task Two_nodes_fire_each_of_ten_thousand_timers_due_together_exactly_once()
    {
        const int Count = 10_000;
        var store = await StoreAsync(Flows.Delay("PT1H"));
        var settings = new Dictionary<string, string?> { ["PollBatchSize"] = "100", ["PollConcurrency"] = "8" };
        await using var nodeA = await EngineNode.StartAsync(store, postgres: true, "ten-thousand", settings);
        await using var nodeB = await EngineNode.StartAsync(store, postgres: true, "ten-thousand", settings);

        // Started through the runner in parallel, due in an hour...
        await Parallel.ForEachAsync(Enumerable.Range(0, Count), new ParallelOptions { MaxDegreeOfParallelism = 16 }, async (i, _) =>
            await (i % 2 == 0 ? nodeA : nodeB).StartAsync("delay"));
        Assert.That(await CountAsync(store, db => db.Bookmarks.CountAsync(b => b.DueAt != null)), Is.EqualTo(Count));
        // ...then all made due within the next two seconds: the rows are what the pollers fire.
        await using (var db = store.Context())
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE bookmarks SET due_at = now() + (random() * interval '2 seconds') WHERE due_at IS NOT NULL");
        }

        Assert.That(await Eventually.TrueWithinAsync(TimeSpan.FromSeconds(120), async () =>
            await CountAsync(store, db => db.Instances.CountAsync(i => i.Status == "Completed")) == Count), Is.True,
            $"not all {Count} timers fired");
        var fires = await FiresAsync(store);
        Assert.Multiple(() =>
        {
            Assert.That(fires, Has.Count.EqualTo(Count), "some timer never fired");
            Assert.That(fires.Values.Where(n => n != 1), Is.Empty, "some timer fired twice");
            Assert.That(nodeA.Poller.TimersFired, Is.GreaterThan(0), "node A fired none: the work was not shared");
            Assert.That(nodeB.Poller.TimersFired, Is.GreaterThan(0), "node B fired none: the work was not shared");
            Assert.That(nodeA.Poller.TimersFired + nodeB.Poller.TimersFired, Is.GreaterThanOrEqualTo(Count));
        });
    }
}
