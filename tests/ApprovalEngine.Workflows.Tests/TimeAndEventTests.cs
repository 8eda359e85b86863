using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;
using TaskStatus = ApprovalEngine.Workflows.Runtime.TaskStatus;

namespace ApprovalEngine.Workflows.Tests;

/// <summary>Delay, Timer, WaitUntil, Cron, WaitForEvent and the UserTask SLA.</summary>
public sealed class TimeAndEventTests
{
    [Test]
    public async Task Delay_waits_for_its_duration()
    {
        var t = new TestHost(Flows.Around("Delay", new { duration = "PT1H" }, "Done").Build());
        var state = await t.StartAsync("around-delay");
        Assert.That(state.Bookmarks.Single().DueAt, Is.EqualTo(TestHost.T0.AddHours(1)));
        Assert.That(await t.AdvanceAsync(TimeSpan.FromMinutes(59)), Is.Zero);
        Assert.That(await t.AdvanceAsync(TimeSpan.FromMinutes(1)), Is.EqualTo(1));
        Assert.That(t.State(state.Id).Status, Is.EqualTo(InstanceStatus.Completed));
    }

    [Test]
    public async Task Timer_ticks_count_times_then_follows_done()
    {
        var definition = FlowBuilder.Create("ticker").Variable("ticks", "number", 0m).Start()
            .Activity("timer", "Timer", new { interval = "PT10M", count = 3 })
            .Set("tick", ("ticks", "ticks + 1")).End()
            .Connect("start", "Done", "timer").Connect("timer", "Tick", "tick").Connect("timer", "Done", "end").Build();
        var t = new TestHost(definition);
        var state = await t.StartAsync("ticker");
        var seen = new List<decimal>();
        for (var i = 0; i < 3; i++)
        {
            await t.AdvanceAsync(TimeSpan.FromMinutes(10));
            seen.Add((decimal)t.State(state.Id).Variables["ticks"]!);
        }
        state = t.State(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(seen, Is.EqualTo(new[] { 1m, 2m, 3m }));
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(state.Bookmarks, Is.Empty);
        }
    }

    [Test]
    public async Task WaitUntil_waits_for_a_computed_time_or_continues_if_it_passed()
    {
        var t = new TestHost(
            Flows.Around("WaitUntil", new { at = "addHours(now(), 2)" }, "Done").Build(),
            Flows.Around("WaitUntil", new { at = "addHours(now(), -2)" }, "Done").Build() with { Id = "past" });
        var future = await t.StartAsync("around-waituntil");
        var past = await t.StartAsync("past");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(future.Bookmarks.Single().DueAt, Is.EqualTo(TestHost.T0.AddHours(2)));
            Assert.That(past.Status, Is.EqualTo(InstanceStatus.Completed));
        }
        await t.AdvanceAsync(TimeSpan.FromHours(2));
        Assert.That(t.State(future.Id).Status, Is.EqualTo(InstanceStatus.Completed));
    }

    [Test]
    public async Task Cron_waits_for_the_next_occurrence_from_the_schedule()
    {
        var t = new TestHost(Flows.Around("Cron", new { cron = "0 0 9 * * ?" }, "Done").Build());
        var state = await t.StartAsync("around-cron");
        Assert.That(state.Bookmarks.Single().DueAt, Is.EqualTo(new DateTimeOffset(2025, 1, 6, 9, 0, 0, TimeSpan.Zero)));
        await t.AdvanceAsync(TimeSpan.FromMinutes(29));
        Assert.That(t.State(state.Id).Status, Is.EqualTo(InstanceStatus.Running));
        await t.AdvanceAsync(TimeSpan.FromMinutes(1));
        Assert.That(t.State(state.Id).Status, Is.EqualTo(InstanceStatus.Completed));
    }

    [Test]
    public async Task Cron_that_the_schedule_rejects_faults_the_instance()
    {
        var t = new TestHost(Flows.Around("Cron", new { cron = "every tuesday" }, "Done").Build());
        var state = await t.StartAsync("around-cron");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Faulted));
            Assert.That(state.Fault, Does.Contain("Unsupported cron"));
        }
    }

    private static TestHost EventHost() => new(Flows.Around("WaitForEvent", new { @event = "BankResult", resultVariable = "bank", timeout = "PT1H" }, "Received", "TimedOut")
        .Variable("bank", "any").Build());

    [Test]
    public async Task WaitForEvent_receives_a_matching_event_and_drops_its_timeout()
    {
        var t = EventHost();
        var state = await t.StartAsync("around-waitforevent", correlationId: "wd-7");
        Assert.That(await t.Host.SendEventAsync("BankResult", "wd-8", "other"), Is.Zero);
        Assert.That(await t.Host.SendEventAsync("BankResult", "wd-7", "paid"), Is.EqualTo(1));
        state = t.State(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.BusinessStatus, Is.EqualTo("Received"));
            Assert.That(state.Variables["bank"], Is.EqualTo("paid"));
            Assert.That(state.Bookmarks, Is.Empty);
            Assert.That(t.Kinds(state.Id), Does.Contain(JournalKinds.EventReceived));
        }
        Assert.That(await t.AdvanceAsync(TimeSpan.FromHours(2)), Is.Zero);
    }

    [Test]
    public async Task WaitForEvent_times_out_and_stops_waiting_for_the_event()
    {
        var t = EventHost();
        var state = await t.StartAsync("around-waitforevent", correlationId: "wd-7");
        await t.AdvanceAsync(TimeSpan.FromHours(1));
        Assert.That(t.State(state.Id).BusinessStatus, Is.EqualTo("TimedOut"));
        Assert.That(await t.Host.SendEventAsync("BankResult", "wd-7", "late"), Is.Zero);
    }

    [Test]
    public async Task Overdue_task_is_flagged_and_reprioritised_but_stays_open()
    {
        var t = new TestHost(Flows.Linear(dueIn: "PT4H").Build());
        var state = await t.StartAsync("linear", 10m);
        await t.AdvanceAsync(TimeSpan.FromHours(4));
        var task = t.Host.OpenTask(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(task.Overdue, Is.True);
            Assert.That(task.Priority, Is.EqualTo(1));
            Assert.That(task.DueAt, Is.EqualTo(TestHost.T0.AddHours(4)));
            Assert.That(t.Kinds(state.Id), Does.Contain(JournalKinds.TaskOverdue));
            Assert.That(t.State(state.Id).Bookmarks.Select(b => b.Kind), Is.EqualTo(new[] { BookmarkKind.Task }));
        }
        state = await t.ActAsync(state.Id, "Approve");
        Assert.That(state.BusinessStatus, Is.EqualTo("Step2"));
    }

    [Test]
    public async Task Completing_a_task_before_its_due_time_cancels_its_SLA_timer()
    {
        var t = new TestHost(Flows.Linear(dueIn: "PT4H").Build());
        var state = await t.StartAsync("linear", 10m);
        t.Clock.Advance(TimeSpan.FromHours(1));
        state = await t.ActAsync(state.Id, "Approve");
        Assert.That(state.Bookmarks.Where(b => b.Kind == BookmarkKind.TaskDue).Select(b => b.DueAt), Is.EqualTo(new DateTimeOffset?[] { TestHost.T0.AddHours(5) }));
        Assert.That(await t.AdvanceAsync(TimeSpan.FromHours(3)), Is.Zero, "the first task's SLA went with it");
    }

    [Test]
    public async Task Escalating_task_is_closed_and_follows_Escalated_when_overdue()
    {
        var t = new TestHost(Flows.Linear(tasks: 1, dueIn: "PT4H", escalate: true).End("escalated", "Escalated").Connect("t1", "Escalated", "escalated").Build());
        var state = await t.StartAsync("linear", 10m);
        var task = t.Host.OpenTask(state.Id);
        await t.AdvanceAsync(TimeSpan.FromHours(4));
        state = t.State(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.BusinessStatus, Is.EqualTo("Escalated"));
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(t.Host.Tasks.Single(x => x.Id == task.Id).Status, Is.EqualTo(TaskStatus.Cancelled));
        }
    }

    [Test]
    public async Task A_timer_firing_after_the_instance_moved_on_is_a_journaled_no_op()
    {
        var t = new TestHost(Flows.Linear(dueIn: "PT4H").Build());
        var state = await t.StartAsync("linear", 10m);
        var due = state.Bookmarks.Single(b => b.Kind == BookmarkKind.TaskDue);
        state = await t.ActAsync(state.Id, "Approve");
        var step = t.Engine.FireTimer(t.Host.Definition("linear"), state, due.Id);
        await t.Host.CommitAsync(step);
        var after = t.State(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(step.Journal.Select(j => j.Kind), Is.EqualTo(new[] { JournalKinds.TimerIgnored }));
            Assert.That(after.BusinessStatus, Is.EqualTo("Step2"));
            Assert.That(after.Version, Is.EqualTo(state.Version + 1));
            Assert.That(after.Bookmarks, Is.EqualTo(state.Bookmarks));
        }
    }
}
