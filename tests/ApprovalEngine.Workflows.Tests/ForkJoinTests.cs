using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;
using TaskStatus = ApprovalEngine.Workflows.Runtime.TaskStatus;

namespace ApprovalEngine.Workflows.Tests;

public sealed class ForkJoinTests
{
    [Test]
    public async Task Fork_opens_every_branch()
    {
        var t = new TestHost(Flows.ForkJoin("all").Build());
        var state = await t.StartAsync("forkjoin");
        Assert.That(t.Host.OpenTasks(state.Id).Select(x => x.ActivityId), Is.EquivalentTo(new[] { "a", "b" }));
    }

    [Test]
    public async Task Join_all_waits_for_every_branch()
    {
        var t = new TestHost(Flows.ForkJoin("all").Build());
        var state = await t.StartAsync("forkjoin");
        await t.ActOnAsync(state.Id, "a", "Ok");
        Assert.That(t.Host.OpenTasks(state.Id).Select(x => x.ActivityId), Is.EqualTo(new[] { "b" }));
        await t.ActOnAsync(state.Id, "b", "Ok");
        state = t.State(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.Host.OpenTasks(state.Id).Select(x => x.ActivityId), Is.EqualTo(new[] { "after" }));
            Assert.That(state.Joins, Is.Empty, "join bookkeeping is cleared once the join fires");
            Assert.That(state.Bookmarks.Single().Branch, Is.Null, "after the join the flow is back on the main branch");
        }
        await t.ActOnAsync(state.Id, "after", "Ok");
        Assert.That(t.State(state.Id).Status, Is.EqualTo(InstanceStatus.Completed));
    }

    [Test]
    public async Task Join_any_continues_on_the_first_branch_and_cancels_the_others()
    {
        var t = new TestHost(Flows.ForkJoin("any").Build());
        var state = await t.StartAsync("forkjoin");
        var b = t.Host.OpenTasks(state.Id).Single(x => x.ActivityId == "b");
        await t.ActOnAsync(state.Id, "a", "Ok");
        state = t.State(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.Host.OpenTasks(state.Id).Select(x => x.ActivityId), Is.EqualTo(new[] { "after" }));
            Assert.That(t.Host.Tasks.Single(x => x.Id == b.Id).Status, Is.EqualTo(TaskStatus.Cancelled));
            Assert.That(state.Bookmarks.Single().Branch, Is.Null);
        }
    }

    [Test]
    public async Task Join_any_cancels_a_sibling_that_is_still_running_in_the_same_step()
    {
        // Branch A reaches the join at once; branch B is still queued behind it and must not open its task.
        var definition = FlowBuilder.Create("race").Start().Fork("fork", "A", "B")
            .Task("b", "DB", actions: new TaskAction("Ok")).Join("join", "any").Task("after", "DC", actions: new TaskAction("Ok")).End()
            .Connect("start", "Done", "fork").Connect("fork", "A", "join").Connect("fork", "B", "b").Connect("b", "Ok", "join")
            .Connect("join", "Done", "after").Connect("after", "Ok", "end").Build();
        var t = new TestHost(definition);
        var state = await t.StartAsync("race");
        Assert.That(t.Host.OpenTasks(state.Id).Select(x => x.ActivityId), Is.EqualTo(new[] { "after" }));
    }

    [Test]
    public async Task Join_any_after_a_repeating_timer_in_one_branch_cancels_the_other_branch()
    {
        // The timer's last tick follows Tick and Done together; that must not look like a nested fork to the join.
        var definition = FlowBuilder.Create("timerace").Start().Fork("fork", "A", "B")
            .Activity("timer", "Timer", new { interval = "PT1H", count = 1 })
            .Task("b", "DB", actions: new TaskAction("Ok")).Join("join", "any").Task("after", "DC", actions: new TaskAction("Ok")).End()
            .Connect("start", "Done", "fork").Connect("fork", "A", "timer").Connect("timer", "Done", "join")
            .Connect("fork", "B", "b").Connect("b", "Ok", "join")
            .Connect("join", "Done", "after").Connect("after", "Ok", "end").Build();
        var t = new TestHost(definition);
        var state = await t.StartAsync("timerace");
        await t.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.That(t.Host.OpenTasks(state.Id).Select(x => x.ActivityId), Is.EqualTo(new[] { "after" }));
        Assert.That(t.State(state.Id).Bookmarks.Single().Branch, Is.Null);
    }

    [Test]
    public async Task Join_all_counts_a_branch_once_even_when_it_can_arrive_by_two_connections()
    {
        // Branch A decides between two paths that both end in the join; the join must not wait for the path not taken.
        var definition = FlowBuilder.Create("diamond").Variable("amount", "number", 0m).Input("amount", "number").Start().Fork("fork", "A", "B")
            .Decision("d", "amount > 10").Set("big", ("amount", "amount")).Task("b", "DB", actions: new TaskAction("Ok"))
            .Join("join", "all").Task("after", "DC", actions: new TaskAction("Ok")).End()
            .Connect("start", "Done", "fork").Connect("fork", "A", "d").Connect("d", "True", "big").Connect("big", "Done", "join")
            .Connect("d", "False", "join").Connect("fork", "B", "b").Connect("b", "Ok", "join")
            .Connect("join", "Done", "after").Connect("after", "Ok", "end").Build();
        var t = new TestHost(definition);
        var state = await t.StartAsync("diamond", 1m);
        await t.ActOnAsync(state.Id, "b", "Ok");
        Assert.That(t.Host.OpenTasks(state.Id).Select(x => x.ActivityId), Is.EqualTo(new[] { "after" }));
    }

    [Test]
    public async Task Nested_forks_keep_their_lineage_and_join_back_to_the_outer_branch()
    {
        var definition = FlowBuilder.Create("nested").Start().Fork("outer", "A", "B")
            .Fork("inner", "X", "Y").Task("x", "D", actions: new TaskAction("Ok")).Task("y", "D", actions: new TaskAction("Ok"))
            .Join("innerJoin", "any").Task("b", "D", actions: new TaskAction("Ok")).Join("outerJoin", "all").End()
            .Connect("start", "Done", "outer").Connect("outer", "A", "inner").Connect("outer", "B", "b")
            .Connect("inner", "X", "x").Connect("inner", "Y", "y").Connect("x", "Ok", "innerJoin").Connect("y", "Ok", "innerJoin")
            .Connect("innerJoin", "Done", "outerJoin").Connect("b", "Ok", "outerJoin").Connect("outerJoin", "Done", "end").Build();
        var t = new TestHost(definition);
        var state = await t.StartAsync("nested");
        await t.ActOnAsync(state.Id, "x", "Ok");
        Assert.That(t.Host.OpenTasks(state.Id).Select(x => x.ActivityId), Is.EqualTo(new[] { "b" }), "y is cancelled, b (outer sibling) is not");
        await t.ActOnAsync(state.Id, "b", "Ok");
        Assert.That(t.State(state.Id).Status, Is.EqualTo(InstanceStatus.Completed));
    }
}
