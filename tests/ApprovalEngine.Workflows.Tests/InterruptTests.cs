using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;

namespace ApprovalEngine.Workflows.Tests;

/// <summary>Flow-level interrupts (client cancels at any time) from every kind of wait.</summary>
public sealed class InterruptTests
{
    private static readonly object[] WaitKinds =
    [
        new object[] { "UserTask", BookmarkKind.Task },
        new object[] { "WaitForEvent", BookmarkKind.Event },
        new object[] { "Delay", BookmarkKind.Timer },
        new object[] { "PostToLedger", BookmarkKind.Job },
        new object[] { "CallWorkflow", BookmarkKind.Child },
    ];

    private static (TestHost Host, string Id) Build(string type)
    {
        object inputs = type switch
        {
            "UserTask" => new { department = "CS", actions = new[] { new { name = "Ok" } } },
            "WaitForEvent" => new { @event = "BankResult", timeout = "PT1H" },
            "Delay" => new { duration = "PT1H" },
            "PostToLedger" => new { amount = "5" },
            "CallWorkflow" => new { definition = "child" },
            _ => throw new ArgumentOutOfRangeException(nameof(type)),
        };
        var definition = FlowBuilder.Create("wait").Variable("event", "any").Start().Activity("wait", type, inputs)
            .End("end").End("canceled", "CancelledByClient")
            .Connect("start", "Done", "wait").Connect("wait", type switch { "UserTask" => "Ok", "WaitForEvent" => "Received", "CallWorkflow" => "Completed", _ => "Done" }, "end")
            .Interrupt("ClientCancel", "canceled").Build();
        var t = new TestHost(definition, Flows.Child());
        t.Ledger.FailuresLeft = 100; // the job never completes: the instance keeps waiting on it
        return (t, definition.Id);
    }

    [TestCaseSource(nameof(WaitKinds))]
    public async Task Client_cancel_interrupts_any_wait(string type, BookmarkKind kind)
    {
        var (t, id) = Build(type);
        var state = await t.StartAsync(id, correlationId: "wd-1");
        Assert.That(state.Bookmarks.Select(b => b.Kind), Does.Contain(kind));
        Assert.That(await t.Host.SendEventAsync("ClientCancel", "wd-1", "by phone"), Is.GreaterThanOrEqualTo(1));
        state = t.State(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(state.BusinessStatus, Is.EqualTo("CancelledByClient"));
            Assert.That(state.Bookmarks, Is.Empty);
            Assert.That(state.Variables["event"], Is.EqualTo("by phone"));
            Assert.That(t.Host.OpenTasks(state.Id), Is.Empty);
            Assert.That(t.Kinds(state.Id), Does.Contain(JournalKinds.Interrupted));
            Assert.That(t.Host.Instances.Values.Where(i => i.ParentInstanceId == state.Id).Select(i => i.Status), Has.None.EqualTo(InstanceStatus.Running),
                "a child the parent waited for is cancelled too");
        }
        Assert.That(await t.AdvanceAsync(TimeSpan.FromHours(2)), Is.Zero, "no timer of the interrupted wait is left");
    }

    [Test]
    public async Task An_interrupt_on_a_finished_instance_is_a_conflict()
    {
        var (t, id) = Build("Delay");
        var state = await t.StartAsync(id, correlationId: "wd-1");
        await t.AdvanceAsync(TimeSpan.FromHours(1));
        state = t.State(state.Id);
        Assert.That(state.Status, Is.EqualTo(InstanceStatus.Completed));
        Assert.Throws<WorkflowConflictException>(() => t.Engine.Interrupt(t.Host.Definition(id), state, "ClientCancel", null, Actor.System()));
    }

    [Test]
    public async Task An_event_the_flow_does_not_declare_cannot_interrupt()
    {
        var (t, id) = Build("Delay");
        var state = await t.StartAsync(id, correlationId: "wd-1");
        Assert.Throws<WorkflowConflictException>(() => t.Engine.Interrupt(t.Host.Definition(id), state, "Unknown", null, Actor.System()));
    }

    [Test]
    public async Task An_interrupt_condition_is_evaluated_over_the_event_payload()
    {
        var definition = Flows.Linear().Interrupt("ClientCancel", "rejected", condition: "event == 'hard'").Build();
        var t = new TestHost(definition);
        var state = await t.StartAsync("linear", 5m);
        Assert.Throws<WorkflowConflictException>(() => t.Engine.Interrupt(definition, state, "ClientCancel", "soft", Actor.System()));
        var step = t.Engine.Interrupt(definition, state, "ClientCancel", "hard", Actor.System());
        Assert.That(step.State.BusinessStatus, Is.EqualTo("Rejected"));
    }
}
