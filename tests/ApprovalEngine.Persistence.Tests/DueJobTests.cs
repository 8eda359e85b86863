using ApprovalEngine.Hosting;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>
/// Job runs are due rows too (ADR 8): a poller that takes one must either resume the instance or record a failed
/// attempt, so that no outside call is repeated forever.
/// </summary>
internal sealed class ProbeInput
{
}

internal sealed record ProbeOutput(string? Note);

[Parallelizable(ParallelScope.Self)]
public sealed class DueJobTests
{
    /// <summary>An outside call that counts its calls and behaves as the test says.</summary>
    [Activity("Probe", "Test", "Probe call", Outcomes = ["Done"])]
    private sealed class ProbeCall(Func<Task> behaviour) : ExternalActivity<ProbeInput, ProbeOutput>
    {
        private int _calls;

        public int Calls => Volatile.Read(ref _calls);

        protected override async Task<DomainResult<ProbeOutput>> RunAsync(ProbeInput input, ExternalCallContext call, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref _calls);
            await behaviour();
            return new("Done", new ProbeOutput("ok"));
        }
    }

    private static WorkflowDefinition CallFlow() => new()
    {
        Id = "call",
        Name = "Outside call",
        Activities =
        [
            new ActivityDefinition { Id = "start", Type = "Start" },
            new ActivityDefinition { Id = "probe", Type = "Probe" },
            new ActivityDefinition { Id = "end", Type = "End", Inputs = new System.Text.Json.Nodes.JsonObject { ["status"] = "Done" } },
        ],
        Connections = [new ConnectionDefinition("start", "Done", "probe"), new ConnectionDefinition("probe", "Done", "end")],
    };

    private static async Task<(StoreHarness Store, Guid InstanceId)> StartAsync(ProbeCall probe)
    {
        var store = await StoreHarness.PostgresAsync(TimeProvider.System, CallFlow());
        store.Engine.Registry.Register(probe);
        // Saved without the runner's inline run: the job row is due at once, for the job pollers.
        var started = await store.StartAsync("call");
        return (store, started[0].State.Id);
    }

    private static async Task<JobRecord> JobAsync(StoreHarness store, Guid instanceId)
    {
        await using var db = store.Context();
        return await db.Jobs.AsNoTracking().SingleAsync(j => j.InstanceId == instanceId);
    }

    [Test]
    public async Task An_outside_call_that_times_out_is_a_failed_attempt_not_an_endless_retry()
    {
        // HttpClient reports its own time-out as a TaskCanceledException although nobody cancelled the caller.
        var probe = new ProbeCall(() => throw new TaskCanceledException("The request was canceled due to HttpClient.Timeout."));
        var (store, id) = await StartAsync(probe);
        var settings = new Dictionary<string, string?>
        {
            ["JobMaxAttempts"] = "2",
            ["JobBackoffSeconds"] = "0",
            ["FailedFireRetrySeconds"] = "0",
        };
        await using var node = await EngineNode.StartAsync(store, postgres: true, "timeout", settings, runHostedServices: false);

        for (var i = 0; i < 4; i++) await node.Poller.PollOnceAsync(DueKind.Job, CancellationToken.None);

        var job = await JobAsync(store, id);
        await using var db = store.Context();
        var incidents = await db.Incidents.CountAsync(i => i.InstanceId == id && i.JobId == job.Id);
        Assert.Multiple(() =>
        {
            Assert.That(probe.Calls, Is.EqualTo(2), "the outside system was called again and again without counting attempts");
            Assert.That(job.Status, Is.EqualTo(JobStatuses.Failed));
            Assert.That(job.Attempts, Is.EqualTo(2));
            Assert.That(incidents, Is.EqualTo(1), "no incident for the operator");
        });
    }

    [Test]
    public async Task A_job_of_a_faulted_instance_is_not_called_until_the_instance_runs_again()
    {
        var probe = new ProbeCall(() => Task.CompletedTask);
        var (store, id) = await StartAsync(probe);
        await SetStatusAsync(store, id, InstanceStatus.Faulted);
        var settings = new Dictionary<string, string?> { ["FailedFireRetrySeconds"] = "0" };
        await using var node = await EngineNode.StartAsync(store, postgres: true, "faulted", settings, runHostedServices: false);

        for (var i = 0; i < 3; i++) await node.Poller.PollOnceAsync(DueKind.Job, CancellationToken.None);
        Assert.That(probe.Calls, Is.Zero, "the outside system was called for an instance that cannot take the result");

        // Once it runs again the job is still there to run, once.
        await SetStatusAsync(store, id, InstanceStatus.Running);
        Assert.That(await node.Poller.PollOnceAsync(DueKind.Job, CancellationToken.None), Is.EqualTo(1));
        await using var db = store.Context();
        var instance = await db.Instances.AsNoTracking().SingleAsync(i => i.Id == id);
        Assert.Multiple(() =>
        {
            Assert.That(probe.Calls, Is.EqualTo(1));
            Assert.That(instance.Status, Is.EqualTo("Completed"));
        });
    }

    [Test]
    public async Task A_job_of_a_cancelling_instance_is_still_run_and_its_result_ends_the_cancel()
    {
        var probe = new ProbeCall(() => Task.CompletedTask);
        var (store, id) = await StartAsync(probe);
        var settings = new Dictionary<string, string?> { ["FailedFireRetrySeconds"] = "0" };
        await using var node = await EngineNode.StartAsync(store, postgres: true, "cancelling", settings, runHostedServices: false);
        var cancelled = await node.Runner.StepAsync(id, (d, s) => node.Runner.Engine.Cancel(d, s, "stop", Actor.System("test")), CancellationToken.None);
        Assert.That(cancelled.Status, Is.EqualTo(InstanceStatus.Cancelling), "the job was committed and not yet run: in flight");

        Assert.That(await node.Poller.PollOnceAsync(DueKind.Job, CancellationToken.None), Is.EqualTo(1), "the pollers skip the job of a cancelling instance");
        await using var db = store.Context();
        var instance = await db.Instances.AsNoTracking().SingleAsync(i => i.Id == id);
        var kinds = await db.Journal.AsNoTracking().Where(j => j.InstanceId == id).OrderBy(j => j.Sequence).Select(j => j.Kind).ToListAsync();
        Assert.Multiple(() =>
        {
            Assert.That(probe.Calls, Is.EqualTo(1));
            Assert.That(instance.Status, Is.EqualTo("Cancelled"));
            Assert.That(kinds, Is.SupersetOf(new[] { JournalKinds.InstanceCancelling, JournalKinds.LateResult, JournalKinds.InstanceCancelled }));
        });
    }

    [Test]
    public async Task A_job_that_fails_for_good_while_cancelling_opens_an_incident_and_ends_the_cancel()
    {
        var probe = new ProbeCall(() => throw new InvalidOperationException("bank unreachable"));
        var (store, id) = await StartAsync(probe);
        var settings = new Dictionary<string, string?> { ["JobMaxAttempts"] = "1", ["FailedFireRetrySeconds"] = "0" };
        await using var node = await EngineNode.StartAsync(store, postgres: true, "cancel-fail", settings, runHostedServices: false);
        await node.Runner.StepAsync(id, (d, s) => node.Runner.Engine.Cancel(d, s, "stop", Actor.System("test")), CancellationToken.None);

        Assert.That(await node.Poller.PollOnceAsync(DueKind.Job, CancellationToken.None), Is.EqualTo(1));
        await using var db = store.Context();
        var instance = await db.Instances.AsNoTracking().SingleAsync(i => i.Id == id);
        var job = await JobAsync(store, id);
        var incidents = await db.Incidents.AsNoTracking().Where(i => i.InstanceId == id).ToListAsync();
        var late = await db.Journal.AsNoTracking().SingleAsync(j => j.InstanceId == id && j.Kind == JournalKinds.LateResult);
        Assert.Multiple(() =>
        {
            Assert.That(instance.Status, Is.EqualTo("Cancelled"));
            Assert.That(late.Outcome, Is.EqualTo("Failed"));
            Assert.That(incidents.Single().JobId, Is.EqualTo(job.Id), "the operator sees the call that never answered");
            Assert.That(job.Status, Is.EqualTo(JobStatuses.Failed));
        });
        // Nothing waits for the call any more: a retry would run it for nobody.
        Assert.That(async () => await node.Runner.RetryIncidentAsync(incidents[0].Id, Actor.System("operator"), CancellationToken.None),
            Throws.TypeOf<WorkflowConflictException>());
        Assert.That(probe.Calls, Is.EqualTo(1));
    }

    [Test]
    public async Task A_node_whose_clock_runs_ahead_does_not_take_a_job_another_node_is_still_running()
    {
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var probe = new ProbeCall(() => release.Task);
        var (store, id) = await StartAsync(probe);
        await using var a = await EngineNode.StartAsync(store, postgres: true, "skew", runHostedServices: false);
        // Two minutes ahead: more than the 60 s lease A wrote with its own clock.
        await using var b = await EngineNode.StartAsync(store, postgres: true, "skew", runHostedServices: false, clock: new SkewedClock(TimeSpan.FromMinutes(2)));

        var running = a.Poller.PollOnceAsync(DueKind.Job, CancellationToken.None);
        Assert.That(await Eventually.TrueWithin(TimeSpan.FromSeconds(10), () => probe.Calls == 1), Is.True, "node A never ran the job");
        List<DueRow> takenByB;
        try
        {
            takenByB = await b.Poller.TakeAsync(DueKind.Job, CancellationToken.None);
        }
        finally
        {
            release.SetResult();
        }
        await running;
        Assert.That(takenByB.Select(r => r.InstanceId), Is.Empty, "node B took a job node A was running: its outside call would run twice at once");
        await using var db = store.Context();
        Assert.That((await db.Instances.AsNoTracking().SingleAsync(i => i.Id == id)).Status, Is.EqualTo("Completed"));
    }

    /// <summary>As an activity fault in another branch (or an operator's retry) leaves it, with its job still waiting.</summary>
    private static async Task SetStatusAsync(StoreHarness store, Guid id, InstanceStatus status)
    {
        await using var db = store.Context();
        var row = await db.Instances.SingleAsync(i => i.Id == id);
        var state = InstanceStateJson.Deserialize(row.StateJson);
        state.Status = status;
        row.StateJson = InstanceStateJson.Serialize(state);
        row.Status = status.ToString();
        await db.SaveChangesAsync();
    }
}
