using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;

namespace ApprovalEngine.Workflows.Tests;

/// <summary>
/// ADR 10: a cancel or an interrupt never drops an outside call in flight. The engine alone (steps computed, not run
/// by a host), so the call is as in flight as it gets: committed, its result not yet in.
/// </summary>
public sealed class CancellingTests
{
    /// <summary>Start → Fork: a payout (TestPayout, moves money) or a ledger post (does not) on one branch, a CS task with a one-hour SLA and a timer on the others.</summary>
    private static WorkflowDefinition Definition(string callType = "TestPayout") => FlowBuilder.Create("pay")
        .Variable("amount", "number", 0m).Variable("bankReference", "string").Variable("reference", "string")
        .Input("amount", "number")
        .Start()
        .Fork("fork", "a", "b", "c")
        .Activity("pay", callType, new { amount = "amount" })
        .Task("check", "CS", dueIn: "PT1H", actions: new TaskAction("Ok"))
        .Activity("wait", "Delay", new { duration = "P1D" })
        .Set("paid", ("reference", "\"paid\""))
        .End("end", "Completed")
        .End("cancelled", "CancelledByClient")
        .Connect("start", "Done", "fork").Connect("fork", "a", "pay").Connect("fork", "b", "check").Connect("fork", "c", "wait")
        .Connect("pay", "Sent", "paid").Connect("pay", "Done", "paid").Connect("check", "Ok", "end")
        .Interrupt("ClientCancel", "cancelled")
        .Build();

    private static (TestHost Host, WorkflowDefinition Definition, InstanceState State) Started(string callType = "TestPayout")
    {
        var definition = Definition(callType);
        var t = new TestHost(definition);
        var step = t.Engine.Start(definition, new StartWorkflow { InstanceId = Guid.NewGuid(), Input = new Dictionary<string, object?> { ["amount"] = 10m } });
        Assert.That(step.Jobs, Has.Count.EqualTo(1), "the call is requested by the start step");
        return (t, definition, step.State);
    }

    private static Guid Call(InstanceState state) => state.Bookmarks.Single(b => b.Kind == BookmarkKind.Job).Id;

    [Test]
    public void A_cancel_with_a_call_in_flight_closes_tasks_and_timers_keeps_the_call_and_waits()
    {
        var (t, definition, state) = Started();
        var cancel = t.Engine.Cancel(definition, state, "customer called", TestHost.Supervisor);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cancel.State.Status, Is.EqualTo(InstanceStatus.Cancelling));
            Assert.That(cancel.State.Bookmarks.Select(b => b.Kind), Is.EqualTo(new[] { BookmarkKind.Job }), "task, SLA and timer are gone; the call stays");
            Assert.That(cancel.TasksClosed.Single().Status, Is.EqualTo(Runtime.TaskStatus.Cancelled));
            Assert.That(cancel.TimersToCancel.Count(), Is.EqualTo(2), "the SLA and the Delay");
            Assert.That(cancel.BookmarksRemoved.Any(b => b.Kind == BookmarkKind.Job), Is.False, "the job row stays Pending");
            Assert.That(cancel.CallsToCancel.Single().BookmarkId, Is.EqualTo(Call(state)));
            Assert.That(cancel.CallsToCancel.Single().IdempotencyKey, Is.Not.Empty);
            Assert.That(cancel.Journal.Select(j => j.Kind), Does.Contain(JournalKinds.InstanceCancelling));
            Assert.That(cancel.State.CompletedAt, Is.Null);
        }
        Assert.That(() => t.Engine.Cancel(definition, cancel.State, "again", TestHost.Supervisor),
            Throws.TypeOf<WorkflowConflictException>().With.Message.Contains("being cancelled"));
        Assert.That(() => t.Engine.CompleteTask(definition, cancel.State, new CompleteTask { TaskId = state.Bookmarks.Single(b => b.Kind == BookmarkKind.Task).TaskId!.Value, Action = "Ok", Actor = TestHost.Supervisor }),
            Throws.TypeOf<WorkflowConflictException>());
    }

    [Test]
    public void A_late_success_of_a_money_movement_is_journaled_raises_an_incident_and_ends_the_cancel()
    {
        var (t, definition, state) = Started();
        var cancelling = t.Engine.Cancel(definition, state, "customer called", TestHost.Supervisor).State;
        var late = t.Engine.CompleteCall(definition, cancelling, Call(state), new ResumeSignal
        {
            Outcome = "Sent",
            Outputs = new Dictionary<string, object?> { ["bankReference"] = "B-7" },
            Actor = Actor.System("worker"),
        });
        var entry = late.Journal.Single(j => j.Kind == JournalKinds.LateResult);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(late.State.Status, Is.EqualTo(InstanceStatus.Cancelled));
            Assert.That(late.State.Bookmarks, Is.Empty);
            Assert.That(entry.Outcome, Is.EqualTo("Sent"));
            Assert.That(entry.ActivityId, Is.EqualTo("pay"));
            Assert.That(entry.Message, Does.Contain("B-7"));
            Assert.That(late.Incidents.Single().Message, Does.Contain("Money moved after the instance was cancelled").And.Contain("B-7"));
            Assert.That(late.Incidents.Single().BookmarkId, Is.Null, "nothing to re-run: the incident is for an operator to check");
            Assert.That(late.State.Variables["bankReference"], Is.Null, "the flow does not go on: outputs are journaled, not written");
            Assert.That(late.Journal.Last().Kind, Is.EqualTo(JournalKinds.InstanceCancelled));
            Assert.That(late.BookmarksRemoved.Single().Id, Is.EqualTo(Call(state)), "the job row is finished");
        }
    }

    [Test]
    public void A_late_refusal_of_a_money_movement_is_journaled_without_an_incident()
    {
        var (t, definition, state) = Started();
        var cancelling = t.Engine.Cancel(definition, state, "customer called", TestHost.Supervisor).State;
        var late = t.Engine.CompleteCall(definition, cancelling, Call(state), new ResumeSignal { Outcome = "Refused", Actor = Actor.System("worker") });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(late.State.Status, Is.EqualTo(InstanceStatus.Cancelled));
            Assert.That(late.Journal.Single(j => j.Kind == JournalKinds.LateResult).Outcome, Is.EqualTo("Refused"));
            Assert.That(late.Incidents, Is.Empty);
        }
    }

    [Test]
    public void A_late_result_of_a_call_that_moves_no_money_is_journaled_without_an_incident()
    {
        var (t, definition, state) = Started("PostToLedger");
        var cancelling = t.Engine.Cancel(definition, state, "customer called", TestHost.Supervisor).State;
        var late = t.Engine.CompleteCall(definition, cancelling, Call(state), new ResumeSignal { Outcome = "Done", Actor = Actor.System("worker") });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(late.State.Status, Is.EqualTo(InstanceStatus.Cancelled));
            Assert.That(late.Journal.Select(j => j.Kind), Does.Contain(JournalKinds.LateResult));
            Assert.That(late.Incidents, Is.Empty);
        }
    }

    [Test]
    public void A_call_that_fails_for_good_while_cancelling_ends_the_cancel()
    {
        var (t, definition, state) = Started();
        var cancelling = t.Engine.Cancel(definition, state, "customer called", TestHost.Supervisor).State;
        var failed = t.Engine.CallFailed(definition, cancelling, Call(state), "bank down 3 times", Actor.System("worker"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(failed.State.Status, Is.EqualTo(InstanceStatus.Cancelled));
            Assert.That(failed.Journal.Single(j => j.Kind == JournalKinds.LateResult).Outcome, Is.EqualTo("Failed"));
            Assert.That(failed.Journal.Last().Kind, Is.EqualTo(JournalKinds.InstanceCancelled));
        }
    }

    [Test]
    public void A_call_that_failed_for_good_does_not_hold_up_a_cancel_and_is_not_retried_afterwards()
    {
        var (t, definition, state) = Started();
        var failed = t.Engine.CallFailed(definition, state, Call(state), "bank down 3 times", Actor.System("worker")).State;
        Assert.That(failed.CallsInFlight, Is.Empty);
        var cancel = t.Engine.Cancel(definition, failed, "customer called", TestHost.Supervisor);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(cancel.State.Status, Is.EqualTo(InstanceStatus.Cancelled));
            Assert.That(cancel.CallsToCancel, Is.Empty);
        }
        Assert.That(() => t.Engine.RetryCall(definition, cancel.State, Call(state), "operator", TestHost.Supervisor),
            Throws.TypeOf<WorkflowConflictException>().With.Message.Contains("no longer waits for this call"));
    }

    [Test]
    public void An_operator_retry_puts_a_failed_call_in_flight_again()
    {
        var (t, definition, state) = Started();
        var failed = t.Engine.CallFailed(definition, state, Call(state), "bank down", Actor.System("worker")).State;
        var retried = t.Engine.RetryCall(definition, failed, Call(state), "operator", TestHost.Supervisor).State;
        Assert.That(retried.CallsInFlight.Single().Id, Is.EqualTo(Call(state)));
        Assert.That(t.Engine.Cancel(definition, retried, "customer called", TestHost.Supervisor).State.Status, Is.EqualTo(InstanceStatus.Cancelling));
    }

    [Test]
    public void An_interrupt_is_refused_while_a_call_is_in_flight_and_fires_once_it_has_reported()
    {
        var (t, definition, state) = Started();
        Assert.That(() => t.Engine.Interrupt(definition, state, "ClientCancel", null, TestHost.Supervisor),
            Throws.TypeOf<WorkflowConflictException>().With.Message.Contains("An outside call is in flight").And.Message.Contains("pay"));
        // The call reports on a running instance: the flow goes on (here: the payout branch ends, the task waits).
        var resumed = t.Engine.CompleteCall(definition, state, Call(state), new ResumeSignal { Outcome = "Sent", Actor = Actor.System("worker") }).State;
        Assert.That(resumed.Status, Is.EqualTo(InstanceStatus.Running));
        var interrupted = t.Engine.Interrupt(definition, resumed, "ClientCancel", null, TestHost.Supervisor);
        Assert.That(interrupted.State.BusinessStatus, Is.EqualTo("CancelledByClient"));
    }

    [Test]
    public void A_cancel_within_the_step_that_requested_the_call_drops_the_uncommitted_job()
    {
        // An End reached in the same step as the request (a fork whose other branch ends at once) never runs the call.
        var definition = FlowBuilder.Create("pay-and-end").Variable("amount", "number", 0m).Input("amount", "number").Start()
            .Fork("fork", "a", "b").Activity("pay", "TestPayout", new { amount = "amount" }).End("end", "Completed")
            .Connect("start", "Done", "fork").Connect("fork", "a", "pay").Connect("fork", "b", "end").Connect("pay", "Sent", "end").Build();
        var t = new TestHost(definition);
        var step = t.Engine.Start(definition, new StartWorkflow { InstanceId = Guid.NewGuid(), Input = new Dictionary<string, object?> { ["amount"] = 1m } });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(step.State.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(step.Jobs, Is.Empty, "a job whose bookmark was removed in its own step is never committed");
        }
    }
}
