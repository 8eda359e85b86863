using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;

namespace ApprovalEngine.Workflows.Tests;

/// <summary>Moving running instances to another version: every wait must find its place, or nothing moves.</summary>
public sealed class InstanceMigrationTests
{
    private static readonly Dictionary<string, string> NoMapping = [];

    // v1: review (CS) → end. v2 renames review to check and adds a second approval after it, with a 1-day SLA.
    private static WorkflowDefinition V1() => FlowBuilder.Create("m").Input("amount", "number").Variable("amount", "number", 0)
        .Start().Task("review", "CS", status: "Review", dueIn: "PT4H", actions: new TaskAction("Approve")).End()
        .Connect("start", "Done", "review").Connect("review", "Approve", "end").Build();

    private static WorkflowDefinition V2() => FlowBuilder.Create("m").Input("amount", "number").Variable("amount", "number", 0).Variable("limit", "number", 500)
        .Start().Task("check", "CS", status: "Review", dueIn: "PT4H", actions: new TaskAction("Approve"))
        .Task("second", "Risk", status: "Second review", actions: new TaskAction("Approve")).End()
        .Connect("start", "Done", "check").Connect("check", "Approve", "second").Connect("second", "Approve", "end").Build();

    private static async Task<(TestHost Host, InstanceState State)> StartOnV1Async()
    {
        var t = new TestHost(V1());
        var state = await t.StartAsync("m", amount: 120m);
        t.Host.Publish(V2());
        return (t, state);
    }

    [Test]
    public async Task A_waiting_task_moves_under_the_mapped_id_and_the_new_version_runs_from_there()
    {
        var (t, state) = await StartOnV1Async();
        var taskBefore = t.Host.OpenTask(state.Id);
        var dueBefore = state.Bookmarks.Single(b => b.Kind == BookmarkKind.TaskDue).DueAt;

        await t.Host.MigrateAsync(state.Id, 2, new Dictionary<string, string> { ["review"] = "check" }, TestHost.Supervisor);

        state = t.State(state.Id);
        var task = t.Host.OpenTask(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.DefinitionVersion, Is.EqualTo(2));
            Assert.That(task.Id, Is.EqualTo(taskBefore.Id), "the open task is carried over, not reopened");
            Assert.That(task.ActivityId, Is.EqualTo("check"));
            Assert.That(task.DefinitionVersion, Is.EqualTo(2));
            Assert.That(state.Bookmarks.Select(b => b.ActivityId), Is.All.EqualTo("check"));
            Assert.That(state.Bookmarks.Single(b => b.Kind == BookmarkKind.TaskDue).DueAt, Is.EqualTo(dueBefore), "the SLA timer keeps its due time");
            Assert.That(state.Variables["amount"], Is.EqualTo(120m));
            Assert.That(state.Variables["limit"], Is.EqualTo(500m), "a variable new in v2 gets its default");
            Assert.That(t.Kinds(state.Id), Does.Contain(JournalKinds.InstanceMigrated));
            Assert.That(t.Host.Journal(state.Id)[^1].Message, Does.Contain("v1 to v2").And.Contain("review → check"));
        }

        await t.ActAsync(state.Id, "Approve");
        Assert.That(t.Host.OpenTask(state.Id).ActivityId, Is.EqualTo("second"), "the instance now follows v2's connections");
    }

    [Test]
    public async Task A_wait_whose_activity_is_gone_refuses_the_whole_instance_and_writes_nothing()
    {
        var (t, state) = await StartOnV1Async();
        var plan = InstanceMigration.Plan(t.Host.Definition("m", 1), t.Host.Definition("m", 2), state, NoMapping);
        Assert.That(plan.Ready, Is.False);
        Assert.That(plan.Problems, Has.Some.Contains("'review'").And.Some.Contains("map it"));

        var ex = await Assert.ThrowsAsync<WorkflowConflictException>(() => t.Host.MigrateAsync(state.Id, 2, NoMapping, TestHost.Supervisor));
        Assert.That(ex!.Message, Does.Contain("review"));
        Assert.That(t.State(state.Id).DefinitionVersion, Is.EqualTo(1));
        Assert.That(t.State(state.Id).Version, Is.EqualTo(state.Version));
    }

    [Test]
    public async Task A_wait_mapped_to_an_activity_of_another_type_is_refused()
    {
        var (t, state) = await StartOnV1Async();
        var plan = InstanceMigration.Plan(t.Host.Definition("m", 1), t.Host.Definition("m", 2), state, new Dictionary<string, string> { ["review"] = "end" });
        Assert.That(plan.Problems, Has.Some.Contains("UserTask").And.Some.Contains("End"));
    }

    [Test]
    public async Task A_mapping_that_names_unknown_activities_is_refused()
    {
        var (t, state) = await StartOnV1Async();
        var plan = InstanceMigration.Plan(t.Host.Definition("m", 1), t.Host.Definition("m", 2), state,
            new Dictionary<string, string> { ["review"] = "check", ["nowhere"] = "check" });
        Assert.That(plan.Problems, Has.Some.Contains("'nowhere'"));
    }

    [Test]
    public async Task A_variable_whose_value_does_not_fit_the_new_type_is_refused()
    {
        var t = new TestHost(V1());
        var state = await t.StartAsync("m", amount: 120m);
        t.Host.Publish(FlowBuilder.Create("m").Variable("amount", "string").Start().Task("review", "CS", actions: new TaskAction("Approve")).End()
            .Connect("start", "Done", "review").Connect("review", "Approve", "end").Build());
        var plan = InstanceMigration.Plan(t.Host.Definition("m", 1), t.Host.Definition("m", 2), state, NoMapping);
        Assert.That(plan.Problems, Has.Some.Contains("'amount'").And.Some.Contains("string"));
    }

    [Test]
    public async Task A_finished_instance_does_not_move()
    {
        var (t, state) = await StartOnV1Async();
        await t.ActAsync(state.Id, "Approve");
        var plan = InstanceMigration.Plan(t.Host.Definition("m", 1), t.Host.Definition("m", 2), t.State(state.Id), new Dictionary<string, string> { ["review"] = "check" });
        Assert.That(plan.Problems, Has.Some.Contains("Completed"));
    }

    [Test]
    public async Task A_stale_version_is_refused()
    {
        var (t, state) = await StartOnV1Async();
        Assert.Throws<WorkflowConflictException>(() => t.Engine.Migrate(t.Host.Definition("m", 1), t.Host.Definition("m", 2), state,
            new Dictionary<string, string> { ["review"] = "check" }, TestHost.Supervisor, expectedVersion: state.Version + 1));
    }

    [Test]
    public async Task Four_eyes_actors_follow_their_activity_to_its_new_id()
    {
        var v1 = FlowBuilder.Create("f").Start()
            .Task("first", "CS", actions: new TaskAction("Approve"))
            .Task("second", "CS", actions: new TaskAction("Approve") { DifferentFrom = ["first"] }).End()
            .Connect("start", "Done", "first").Connect("first", "Approve", "second").Connect("second", "Approve", "end").Build();
        var v2 = FlowBuilder.Create("f").Start()
            .Task("maker", "CS", actions: new TaskAction("Approve"))
            .Task("second", "CS", actions: new TaskAction("Approve") { DifferentFrom = ["maker"] }).End()
            .Connect("start", "Done", "maker").Connect("maker", "Approve", "second").Connect("second", "Approve", "end").Build();
        var t = new TestHost(v1);
        var state = await t.StartAsync("f");
        await t.ActAsync(state.Id, "Approve");
        t.Host.Publish(v2);

        await t.Host.MigrateAsync(state.Id, 2, new Dictionary<string, string> { ["first"] = "maker" }, TestHost.Supervisor);

        Assert.That(t.State(state.Id).Actors.Keys, Is.EquivalentTo(new[] { "maker" }));
        await Assert.ThrowsAsync<WorkflowForbiddenException>(() => t.ActAsync(state.Id, "Approve"), "the same supervisor took 'first', now 'maker'");
    }

    [Test]
    public async Task A_branch_inside_a_fork_moves_only_if_the_fork_keeps_its_id()
    {
        static WorkflowDefinition Forked(string forkId) => FlowBuilder.Create("p").Start().Fork(forkId, "a", "b")
            .Task("ta", "CS", actions: new TaskAction("Ok")).Task("tb", "CS", actions: new TaskAction("Ok")).Join("join").End()
            .Connect("start", "Done", forkId).Connect(forkId, "a", "ta").Connect(forkId, "b", "tb")
            .Connect("ta", "Ok", "join").Connect("tb", "Ok", "join").Connect("join", "Done", "end").Build();
        var t = new TestHost(Forked("fork"));
        var state = await t.StartAsync("p");
        t.Host.Publish(Forked("split"));
        var plan = InstanceMigration.Plan(t.Host.Definition("p", 1), t.Host.Definition("p", 2), state, new Dictionary<string, string> { ["fork"] = "split" });
        Assert.That(plan.Problems, Has.Some.Contains("fork 'fork'"));

        t.Host.Publish(Forked("fork"));
        await t.Host.MigrateAsync(state.Id, 3, NoMapping, TestHost.Supervisor);
        await t.ActOnAsync(state.Id, "ta", "Ok");
        await t.ActOnAsync(state.Id, "tb", "Ok");
        Assert.That(t.State(state.Id).Status, Is.EqualTo(InstanceStatus.Completed), "the join still meets both branches after the move");
    }
}
