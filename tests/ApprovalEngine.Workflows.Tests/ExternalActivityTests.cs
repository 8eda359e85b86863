using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;

namespace ApprovalEngine.Workflows.Tests;

public sealed class ExternalActivityTests
{
    private static TestHost Host() => new(Flows.Around("PostToLedger", new { amount = "amount" }, "Done")
        .Variable("amount", "number", 0m).Variable("reference", "string").Input("amount", "number").Build());

    [Test]
    public async Task The_step_records_a_job_that_runs_after_the_commit_and_resumes_the_instance()
    {
        var t = Host();
        var step = t.Engine.Start(t.Host.Definition("around-posttoledger"), new StartWorkflow { InstanceId = Guid.NewGuid(), Input = new Dictionary<string, object?> { ["amount"] = 12m } });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(step.Jobs, Has.Count.EqualTo(1));
            Assert.That(step.State.Bookmarks.Single().Kind, Is.EqualTo(BookmarkKind.Job));
            Assert.That(t.Ledger.Calls, Is.Empty, "no I/O inside the step");
        }
        await t.Host.CommitAsync(step);
        var state = t.State(step.State.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.Ledger.Calls.Single().IdempotencyKey, Is.EqualTo(step.Jobs[0].IdempotencyKey));
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(state.Variables["reference"], Is.EqualTo("L-12"));
            Assert.That(t.Kinds(state.Id), Does.Contain(JournalKinds.JobCompleted));
        }
    }

    [Test]
    public async Task Failures_are_retried_with_the_same_idempotency_key()
    {
        var t = Host();
        t.Ledger.FailuresLeft = 2;
        var state = await t.StartAsync("around-posttoledger", 7m);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.State(state.Id).Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(t.Ledger.Calls.Select(c => c.Attempt), Is.EqualTo(new[] { 1, 2, 3 }));
            Assert.That(t.Ledger.Calls.Select(c => c.IdempotencyKey).Distinct().Count(), Is.EqualTo(1));
            Assert.That(t.Host.Incidents, Is.Empty);
        }
    }

    [Test]
    public async Task Exhausted_retries_become_an_incident_and_an_operator_retry_succeeds_with_the_same_key()
    {
        var t = Host();
        t.Ledger.FailuresLeft = 3;
        var state = await t.StartAsync("around-posttoledger", 7m);
        var incident = t.Host.Incidents.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.State(state.Id).Status, Is.EqualTo(InstanceStatus.Running));
            Assert.That(t.State(state.Id).Bookmarks.Single().Id, Is.EqualTo(incident.BookmarkId));
            Assert.That(incident.Message, Does.Contain("Ledger unavailable"));
            Assert.That(t.Ledger.Calls, Has.Count.EqualTo(3));
        }
        await t.Host.RetryIncidentAsync(incident);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.State(state.Id).Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(t.Ledger.Calls, Has.Count.EqualTo(4));
            Assert.That(t.Ledger.Calls[3].Attempt, Is.EqualTo(1));
            Assert.That(t.Ledger.Calls.Select(c => c.IdempotencyKey).Distinct().Count(), Is.EqualTo(1));
            Assert.That(t.Host.Incidents, Is.Empty);
        }
    }

    [Test]
    public async Task The_idempotency_key_is_stable_for_the_same_instance_id()
    {
        var id = Guid.Parse("0e5b0c1a-0000-4000-8000-000000000042");
        var a = Host();
        var b = Host();
        await a.StartAsync("around-posttoledger", 1m, instanceId: id);
        await b.StartAsync("around-posttoledger", 1m, instanceId: id);
        Assert.That(a.Ledger.Calls.Single().IdempotencyKey, Is.EqualTo(b.Ledger.Calls.Single().IdempotencyKey).And.StartsWith(id.ToString("N")));
    }
}
