using System.Text.Json;
using ApprovalEngine.Workflows.Matrix;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;

namespace ApprovalEngine.Workflows.Tests;

public sealed class JournalTests
{
    [Test]
    public async Task The_journal_records_entries_outcomes_actor_action_comment_and_variable_changes()
    {
        var t = new TestHost(Flows.Linear().Build());
        var state = await t.StartAsync("linear", 10m);
        var actor = TestHost.User("D1", "wd:approve") with { IpAddress = "10.0.0.7" };
        await t.Host.CompleteTaskAsync(t.Host.OpenTask(state.Id).Id, "Approve", actor, "checked");
        var journal = t.Host.Journal(state.Id);
        var completed = journal.Single(j => j.Kind == JournalKinds.TaskCompleted);
        var statusChange = journal.SelectMany(j => j.Changes).Where(c => c.Name == "businessStatus").Select(c => $"{c.Before}->{c.After}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(journal.Select(j => j.Sequence), Is.EqualTo(Enumerable.Range(1, journal.Count).Select(i => (long)i)));
            Assert.That(journal[0].Kind, Is.EqualTo(JournalKinds.InstanceStarted));
            Assert.That(journal.Where(j => j.Kind == JournalKinds.ActivityEntered).Select(j => j.ActivityId), Is.EqualTo(new[] { "start", "t1", "t2" }));
            Assert.That(journal.Where(j => j.Kind == JournalKinds.ActivityCompleted).Select(j => $"{j.ActivityId}:{j.Outcome}"), Is.EqualTo(new[] { "start:Done", "t1:Approve" }));
            Assert.That(completed.ActivityId, Is.EqualTo("t1"));
            Assert.That(completed.UserId, Is.EqualTo("u-d1"));
            Assert.That(completed.IpAddress, Is.EqualTo("10.0.0.7"));
            Assert.That(completed.Action, Is.EqualTo("Approve"));
            Assert.That(completed.Comment, Is.EqualTo("checked"));
            Assert.That(completed.Changes.Select(c => $"{c.Name}:{c.Before?.ToJsonString() ?? "null"}->{c.After?.ToJsonString()}"), Is.EqualTo(new[] { "lastComment:null->\"checked\"" }));
            Assert.That(statusChange, Is.EqualTo(new[] { "->Step1", "Step1->Step2" }));
        }
    }

    [Test]
    public async Task Journal_entries_of_one_step_carry_the_step_time()
    {
        var t = new TestHost(Flows.Linear().Build());
        var state = await t.StartAsync("linear", 10m);
        t.Clock.Advance(TimeSpan.FromMinutes(5));
        await t.ActAsync(state.Id, "Approve");
        Assert.That(t.Host.Journal(state.Id).Where(j => j.Kind == JournalKinds.TaskCompleted).Select(j => j.Timestamp), Is.EqualTo(new[] { TestHost.T0.AddMinutes(5) }));
    }
}

public sealed class ReplayTests
{
    private static readonly Guid InstanceId = Guid.Parse("5a1d0e11-7c3b-4e0a-9d55-0123456789ab");

    /// <summary>Runs a definition and a recorded sequence of resumes on a fresh host; returns journal and final state as JSON.</summary>
    private static async Task<(string Journal, string State)> RunAsync(Func<TestHost, Guid, Task> script)
    {
        var t = new TestHost(
            Flows.Linear(tasks: 3, dueIn: "PT4H", approve: Flows.ApproveWithAmount).Interrupt("ClientCancel", "rejected").Variable("event", "any").Build(),
            Flows.ForkJoin("any").Build(),
            Flows.Child(), Flows.Parent("child"));
        await script(t, InstanceId);
        return (JsonSerializer.Serialize(t.Host.Journal(InstanceId)), InstanceStateJson.Serialize(t.State(InstanceId)));
    }

    private static async Task LinearScript(TestHost t, Guid id)
    {
        await t.StartAsync("linear", 50m, correlationId: "wd-1", instanceId: id);
        t.Clock.Advance(TimeSpan.FromMinutes(30));
        await t.ActAsync(id, "Approve", "first");
        await t.AdvanceAsync(TimeSpan.FromHours(5)); // t2 overdue
        await t.Host.CompleteTaskAsync(t.Host.OpenTask(id).Id, "Approve", TestHost.User("D2", "wd:approve"), "second", new Dictionary<string, object?> { ["amount"] = 75m });
        await t.Host.SendEventAsync("ClientCancel", "wd-1", new Dictionary<string, object?> { ["reason"] = "phone" });
    }

    private static async Task ForkScript(TestHost t, Guid id)
    {
        await t.Host.StartAsync("forkjoin", instanceId: id);
        await t.ActOnAsync(id, "b", "Ok");
        await t.ActOnAsync(id, "after", "Ok");
    }

    [Test]
    public async Task Replaying_a_linear_flow_gives_an_identical_journal()
    {
        var first = await RunAsync(LinearScript);
        var second = await RunAsync(LinearScript);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(second.Journal, Is.EqualTo(first.Journal));
            Assert.That(second.State, Is.EqualTo(first.State));
            Assert.That(first.Journal, Does.Contain(JournalKinds.TaskOverdue).And.Contain(JournalKinds.Interrupted));
        }
    }

    [Test]
    public async Task Replaying_a_fork_join_flow_gives_an_identical_journal()
    {
        var first = await RunAsync(ForkScript);
        var second = await RunAsync(ForkScript);
        Assert.That(second.Journal, Is.EqualTo(first.Journal));
        Assert.That(first.Journal, Does.Contain(JournalKinds.TaskCancelled).And.Contain(JournalKinds.InstanceCompleted));
    }

    [Test]
    public async Task A_different_sequence_of_resumes_gives_a_different_journal()
    {
        var linear = await RunAsync(LinearScript);
        var shorter = await RunAsync(async (t, id) =>
        {
            await t.StartAsync("linear", 50m, correlationId: "wd-1", instanceId: id);
            t.Clock.Advance(TimeSpan.FromMinutes(30));
            await t.ActAsync(id, "Approve", "first");
        });
        Assert.That(shorter.Journal, Is.Not.EqualTo(linear.Journal));
    }
}

public sealed class StatusMatrixTests
{
    [Test]
    public void Matrix_lists_every_task_action_with_target_status_department_and_permission()
    {
        var rows = StatusMatrix.Build(Flows.Linear().Interrupt("ClientCancel", "rejected").Build());
        Assert.That(rows.Select(r => $"{r.FromStatus}|{r.FromDepartment}|{r.Action}|{r.Permission}|{r.ToStatus}|{r.ToDepartment}|{r.Condition}"), Is.EquivalentTo(new[]
        {
            "Step1|D1|Approve|wd:approve|Step2|D2|amount > 0",
            "Step1|D1|Reject||Rejected|D1|",
            "Step2|D2|Approve|wd:approve|Completed|D2|amount > 0",
            "Step2|D2|Reject||Rejected|D2|",
            "*||ClientCancel||Rejected||",
        }));
    }

    [Test]
    public void Matrix_follows_decisions_and_set_status_with_their_conditions()
    {
        var definition = FlowBuilder.Create("m").Variable("amount", "number").Start()
            .Task("cs", "CS", status: "New", actions: new TaskAction("Pass"))
            .Decision("big", "amount > 1000")
            .Activity("vip", "SetStatus", new { status = "VipReview", department = "Dealing" })
            .Task("dealing", "Dealing", actions: new TaskAction("Ok"))
            .End("end", "Completed")
            .Connect("start", "Done", "cs").Connect("cs", "Pass", "big").Connect("big", "True", "vip").Connect("vip", "Done", "dealing")
            .Connect("big", "False", "end").Connect("dealing", "Ok", "end").Build();
        var rows = StatusMatrix.Build(definition).Where(r => r.FromStatus == "New").Select(r => $"{r.ToStatus}|{r.ToDepartment}|{r.Condition}");
        Assert.That(rows, Is.EquivalentTo(new[] { "VipReview|Dealing|amount > 1000", "Completed|CS|!(amount > 1000)" }));
    }
}
