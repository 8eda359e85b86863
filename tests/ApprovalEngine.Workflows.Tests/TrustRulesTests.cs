using ApprovalEngine.Workflows.Activities.BuiltIn;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;
using ApprovalEngine.Workflows.Validation;

namespace ApprovalEngine.Workflows.Tests;

/// <summary>Who may take a task action (ADR 7): systems by scope, people by department and permission, everyone by four eyes.</summary>
public sealed class TrustRulesTests
{
    /// <summary>maker → first (differentFrom @starter) → second (differentFrom @starter, first); "auto" accepts systems with test:auto*.</summary>
    private static WorkflowDefinition FourEyes(string secondRule = """["@starter", "first"]""") => DefinitionJson.Parse($$"""
        {
          "id": "four-eyes", "name": "Four eyes",
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "first", "type": "UserTask", "displayName": "First approval", "inputs": { "department": "Ops", "actions": [
              { "name": "Approve", "permission": "approve", "differentFrom": ["@starter"] },
              { "name": "Auto", "scopes": ["test:auto"] } ] } },
            { "id": "second", "type": "UserTask", "displayName": "Second approval", "inputs": { "department": "Ops", "actions": [
              { "name": "Approve", "permission": "approve", "differentFrom": {{secondRule}} } ] } },
            { "id": "done", "type": "End", "inputs": { "status": "Done" } }
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "first" },
            { "source": "first", "outcome": "Approve", "target": "second" },
            { "source": "first", "outcome": "Auto", "target": "second" },
            { "source": "second", "outcome": "Approve", "target": "done" }
          ]
        }
        """);

    private static WorkflowDefinition CallsFourEyes() => DefinitionJson.Parse("""
        {
          "id": "application", "name": "Application",
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "review", "type": "UserTask", "inputs": { "department": "Ops", "actions": [ { "name": "Submit" } ] } },
            { "id": "approval", "type": "CallWorkflow", "inputs": { "definition": "four-eyes" } },
            { "id": "done", "type": "End", "inputs": { "status": "Done" } }
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "review" },
            { "source": "review", "outcome": "Submit", "target": "approval" },
            { "source": "approval", "outcome": "Completed", "target": "done" }
          ]
        }
        """);

    private static Actor Person(string id, params string[] permissions) => new()
    {
        UserId = id, Role = "operator", Departments = new HashSet<string> { "Ops" }, Permissions = new HashSet<string>(permissions),
    };

    private static Actor System(string id, params string[] scopes) => Actor.System(id) with { Scopes = new HashSet<string>(scopes) };

    private static readonly Actor Maker = Person("maker", "approve");
    private static readonly Actor Checker1 = Person("checker1", "approve");
    private static readonly Actor Checker2 = Person("checker2", "approve");

    private static async Task<(TestHost T, InstanceState State)> StartAsync(Actor starter)
    {
        var t = new TestHost(FourEyes());
        return (t, await t.Host.StartAsync("four-eyes", actor: starter));
    }

    [Test]
    public async Task The_starter_is_recorded_from_the_authenticated_caller()
    {
        var (_, state) = await StartAsync(Maker);
        Assert.That(state.StartedBy, Is.EqualTo("maker"));
    }

    [Test]
    public async Task The_starter_cannot_take_an_action_that_must_differ_from_the_starter_whatever_they_hold()
    {
        var (t, state) = await StartAsync(Maker);
        var ex = await Expect.Throws<WorkflowForbiddenException>(() => t.ActAsync(state.Id, "Approve", actor: Maker));
        Assert.That(ex.Message, Does.Contain("differentFrom @starter"));
        Assert.That(t.State(state.Id).Version, Is.EqualTo(state.Version), "a refused action writes nothing");
    }

    [Test]
    public async Task Someone_else_may_take_it_and_is_recorded_as_the_actor_of_the_task()
    {
        var (t, state) = await StartAsync(Maker);
        state = await t.ActAsync(state.Id, "Approve", actor: Checker1);
        Assert.That(state.Actors["first"], Is.EqualTo(new[] { "checker1" }));
        Assert.That(t.Host.OpenTask(state.Id).ActivityId, Is.EqualTo("second"));
    }

    [Test]
    public async Task The_actor_of_a_listed_activity_cannot_take_the_later_action()
    {
        var (t, state) = await StartAsync(Maker);
        state = await t.ActAsync(state.Id, "Approve", actor: Checker1);
        var ex = await Expect.Throws<WorkflowForbiddenException>(() => t.ActAsync(state.Id, "Approve", actor: Checker1));
        Assert.That(ex.Message, Does.Contain("differentFrom first"));
        var starter = await Expect.Throws<WorkflowForbiddenException>(() => t.ActAsync(state.Id, "Approve", actor: Maker));
        Assert.That(starter.Message, Does.Contain("differentFrom @starter"));
        state = await t.ActAsync(state.Id, "Approve", actor: Checker2);
        Assert.That(state.Status, Is.EqualTo(InstanceStatus.Completed));
    }

    [Test]
    public async Task DescribeActions_gives_the_four_eyes_reason()
    {
        var (t, state) = await StartAsync(Maker);
        var actions = t.Engine.DescribeActions(t.Host.Definition("four-eyes"), state, t.Host.OpenTask(state.Id).Id, Maker);
        var approve = actions.Single(a => a.Name == "Approve");
        Assert.That(approve.Available, Is.False);
        Assert.That(approve.Reason, Does.Contain("differentFrom @starter"));
        Assert.That(t.Engine.DescribeActions(t.Host.Definition("four-eyes"), state, t.Host.OpenTask(state.Id).Id, Checker1).Single(a => a.Name == "Approve").Available, Is.True);
    }

    [Test]
    public async Task An_instance_whose_starter_is_unknown_refuses_starter_rules_rather_than_guessing()
    {
        var (t, state) = await StartAsync(Maker);
        var legacy = InstanceStateJson.Deserialize(InstanceStateJson.Serialize(state).Replace("\"startedBy\":\"maker\",", "", StringComparison.Ordinal));
        Assert.That(legacy.StartedBy, Is.Null, "the stored state had no startedBy");
        var ex = Assert.Throws<WorkflowForbiddenException>(() => t.Engine.CompleteTask(t.Host.Definition("four-eyes"), legacy,
            new CompleteTask { TaskId = t.Host.OpenTask(state.Id).Id, Action = "Approve", Actor = Checker1 }));
        Assert.That(ex!.Message, Does.Contain("not recorded"));
    }

    [Test]
    public async Task Starter_and_actors_survive_the_state_round_trip()
    {
        var (t, state) = await StartAsync(Maker);
        state = await t.ActAsync(state.Id, "Approve", actor: Checker1);
        var copy = InstanceStateJson.Deserialize(InstanceStateJson.Serialize(state));
        Assert.That((copy.StartedBy, copy.Actors["first"].Single()), Is.EqualTo(("maker", "checker1")));
    }

    [Test]
    public async Task A_system_without_scopes_cannot_take_a_person_action()
    {
        var (t, state) = await StartAsync(Maker);
        var ex = await Expect.Throws<WorkflowForbiddenException>(() => t.ActAsync(state.Id, "Approve", actor: System("bare")));
        Assert.That(ex.Message, Does.Contain("for people"));
    }

    [Test]
    public async Task A_system_needs_a_scope_the_action_names_and_no_department()
    {
        var (t, state) = await StartAsync(Maker);
        var wrong = await Expect.Throws<WorkflowForbiddenException>(() => t.ActAsync(state.Id, "Auto", actor: System("other", "test:other", "events:*")));
        Assert.That(wrong.Message, Does.Contain("test:auto"));
        state = await t.ActAsync(state.Id, "Auto", actor: System("robot", "test:*"));
        Assert.That(state.Actors["first"], Is.EqualTo(new[] { "robot" }));
    }

    [Test]
    public async Task People_still_need_the_department_and_the_permission()
    {
        var (t, state) = await StartAsync(Maker);
        var outsider = Person("outsider", "approve") with { Departments = new HashSet<string> { "CS" } };
        Assert.That((await Expect.Throws<WorkflowForbiddenException>(() => t.ActAsync(state.Id, "Approve", actor: outsider))).Message, Does.Contain("Only Ops"));
        Assert.That((await Expect.Throws<WorkflowForbiddenException>(() => t.ActAsync(state.Id, "Approve", actor: Person("clerk")))).Message, Does.Contain("permission approve"));
    }

    [Test]
    public async Task A_person_cannot_claim_a_task_none_of_whose_actions_they_could_take()
    {
        var t = new TestHost(DefinitionJson.Parse("""
            {
              "id": "claim", "name": "Claim",
              "activities": [
                { "id": "start", "type": "Start" },
                { "id": "approve", "type": "UserTask", "inputs": { "department": "Ops", "actions": [
                  { "name": "Approve", "permission": "approve", "differentFrom": ["@starter"] },
                  { "name": "Reject", "permission": "approve", "differentFrom": ["@starter"] } ] } },
                { "id": "done", "type": "End" }
              ],
              "connections": [ { "source": "start", "outcome": "Done", "target": "approve" }, { "source": "approve", "outcome": "Approve", "target": "done" }, { "source": "approve", "outcome": "Reject", "target": "done" } ]
            }
            """));
        var state = await t.Host.StartAsync("claim", actor: Maker);
        var definition = t.Host.Definition("claim");
        var task = t.Host.OpenTask(state.Id).Id;
        Assert.That(WorkflowEngine.CheckClaim(definition, state, task, Maker), Does.Contain("differentFrom @starter"));
        Assert.That(WorkflowEngine.CheckClaim(definition, state, task, Person("clerk")), Does.Contain("permission approve"));
        Assert.That(WorkflowEngine.CheckClaim(definition, state, task, System("bare", "events:*")), Does.Contain("for people"));
        Assert.That(WorkflowEngine.CheckClaim(definition, state, task, Checker1), Is.Null);
    }

    [Test]
    public async Task A_sub_workflow_inherits_the_parents_starter_and_knows_who_requested_it()
    {
        var t = new TestHost(FourEyes(), CallsFourEyes());
        var parent = await t.Host.StartAsync("application", actor: System("client-area"));
        await t.Host.CompleteTaskAsync(t.Host.OpenTask(parent.Id).Id, "Submit", Checker1);
        var child = t.Host.Instances.Values.Single(i => i.ParentInstanceId == parent.Id);
        Assert.That((child.StartedBy, child.RequestedBy), Is.EqualTo(("client-area", "checker1")));

        // The person whose action started the work order is its maker too.
        var ex = await Expect.Throws<WorkflowForbiddenException>(() => t.ActAsync(child.Id, "Approve", actor: Checker1));
        Assert.That(ex.Message, Does.Contain("differentFrom @starter"));
        await t.ActAsync(child.Id, "Approve", actor: Checker2);
    }

    [Test]
    public async Task A_sub_workflow_started_in_the_parents_first_step_has_the_parents_starter()
    {
        var t = new TestHost(FourEyes(), Flows.Parent("four-eyes"));
        var parent = await t.Host.StartAsync("parent", actor: Maker);
        var child = t.Host.Instances.Values.Single(i => i.ParentInstanceId == parent.Id);
        Assert.That(child.StartedBy, Is.EqualTo("maker"));
        await Expect.Throws<WorkflowForbiddenException>(() => t.ActAsync(child.Id, "Approve", actor: Maker));
    }

    [Test]
    public async Task A_dry_run_steps_through_actions_without_identity_checks()
    {
        var (t, state) = await StartAsync(Maker);
        var step = t.Engine.CompleteTask(t.Host.Definition("four-eyes"), state, new CompleteTask
        {
            TaskId = t.Host.OpenTask(state.Id).Id, Action = "Approve", Actor = Actor.System("dry-run"), DryRun = true,
        });
        Assert.That(step.State.Bookmarks.Single(b => b.Kind == BookmarkKind.Task).ActivityId, Is.EqualTo("second"));
    }

    [Test]
    public void The_validator_accepts_starter_and_user_tasks_and_names_anything_else()
    {
        var t = new TestHost();
        Assert.That(new WorkflowValidator(t.Registry).Validate(FourEyes()), Is.Empty);
        var errors = new WorkflowValidator(t.Registry).Validate(FourEyes("""["@maker", "frist"]"""));
        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[]
        {
            "/activities/2/inputs/actions/0/differentFrom/0",
            "/activities/2/inputs/actions/0/differentFrom/1",
        }), string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")));
        Assert.That(errors.Select(e => e.Message), Has.Some.Contains("'frist'").And.Some.Contains("'@maker'"));
    }

    [Test]
    public void Actions_parse_their_scopes_and_four_eyes_rule()
    {
        var actions = UserTaskActivity.ReadActions(FourEyes().FindActivity("second")!);
        Assert.That(actions.Single().DifferentFrom, Is.EqualTo(new[] { "@starter", "first" }));
    }
}
