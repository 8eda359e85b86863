using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;

namespace ApprovalEngine.Workflows.Tests;

public sealed class RuntimeTests
{
    private TestHost _t = null!;

    [SetUp]
    public void SetUp() => _t = new TestHost(Flows.Linear().Interrupt("ClientCancel", "rejected").Build());

    [Test]
    public async Task Start_is_idempotent_by_correlation_id()
    {
        var first = await _t.StartAsync("linear", 100m, correlationId: "wd-1");
        var again = await _t.StartAsync("linear", 100m, correlationId: "wd-1");
        var other = await _t.StartAsync("linear", 100m, correlationId: "wd-2");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(again.Id, Is.EqualTo(first.Id));
            Assert.That(other.Id, Is.Not.EqualTo(first.Id));
            Assert.That(_t.Host.Instances, Has.Count.EqualTo(2));
            Assert.That(_t.Host.OpenTasks(first.Id).Count(), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task Start_validates_required_inputs_and_types()
    {
        var missing = await Expect.Throws<WorkflowValidationException>(() => _t.Host.StartAsync("linear"));
        var wrongType = await Expect.Throws<WorkflowValidationException>(() => _t.Host.StartAsync("linear", new Dictionary<string, object?> { ["amount"] = "100" }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(missing.Errors.Keys, Is.EquivalentTo(new[] { "input.amount" }));
            Assert.That(wrongType.Errors["input.amount"][0], Does.Contain("number"));
            Assert.That(_t.Host.Instances, Is.Empty);
        }
    }

    [Test]
    public async Task Two_steps_from_the_same_version_the_second_save_is_stale()
    {
        var state = await _t.StartAsync("linear", 100m);
        var definition = _t.Host.Definition("linear");
        var taskId = _t.Host.OpenTask(state.Id).Id;
        var approve = _t.Engine.CompleteTask(definition, state, new CompleteTask { TaskId = taskId, Action = "Approve", Actor = TestHost.Supervisor });
        var reject = _t.Engine.CompleteTask(definition, state, new CompleteTask { TaskId = taskId, Action = "Reject", Comment = "no", Actor = TestHost.Supervisor });
        await _t.Host.CommitAsync(approve);
        var ex = await Expect.Throws<WorkflowConflictException>(() => _t.Host.CommitAsync(reject));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Stale, Is.True);
            Assert.That(_t.State(state.Id).BusinessStatus, Is.EqualTo("Step2"));
            Assert.That(_t.State(state.Id).Version, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task A_stale_expected_version_is_a_stale_conflict()
    {
        var state = await _t.StartAsync("linear", 100m);
        var taskId = _t.Host.OpenTask(state.Id).Id;
        var ex = await Expect.Throws<WorkflowConflictException>(() => _t.Host.CompleteTaskAsync(taskId, "Approve", TestHost.Supervisor, expectedVersion: 0));
        Assert.That(ex.Stale, Is.True);
        state = await _t.Host.CompleteTaskAsync(taskId, "Approve", TestHost.Supervisor, expectedVersion: 1);
        Assert.That(state.Version, Is.EqualTo(2));
    }

    [Test]
    public async Task Saving_a_second_start_of_the_same_instance_is_stale()
    {
        var state = await _t.StartAsync("linear", 100m);
        var again = _t.Engine.Start(_t.Host.Definition("linear"), new StartWorkflow { InstanceId = state.Id, Input = new Dictionary<string, object?> { ["amount"] = 1m } });
        var ex = await Expect.Throws<WorkflowConflictException>(() => _t.Host.CommitAsync(again));
        Assert.That(ex.Stale, Is.True);
    }

    [Test]
    public async Task The_engine_never_mutates_the_state_passed_in()
    {
        var state = await _t.StartAsync("linear", 100m);
        var definition = _t.Host.Definition("linear");
        var before = InstanceStateJson.Serialize(state);
        var taskId = _t.Host.OpenTask(state.Id).Id;
        var steps = new[]
        {
            _t.Engine.CompleteTask(definition, state, new CompleteTask { TaskId = taskId, Action = "Approve", Comment = "x", Actor = TestHost.Supervisor }),
            _t.Engine.Interrupt(definition, state, "ClientCancel", "by phone", Actor.System()),
            _t.Engine.Cancel(definition, state, "test", Actor.System()),
            _t.Engine.FireTimer(definition, state, Guid.NewGuid()),
            _t.Engine.Note(definition, state, JournalKinds.Note, "hello", Actor.System()),
        };
        using (Assert.EnterMultipleScope())
        {
            Assert.That(InstanceStateJson.Serialize(state), Is.EqualTo(before));
            Assert.That(steps.Select(s => s.State), Has.None.SameAs(state));
            Assert.That(steps.Select(s => s.State.Version), Has.All.EqualTo(2));
        }
    }

    [Test]
    public async Task A_refused_step_leaves_the_state_untouched()
    {
        var state = await _t.StartAsync("linear", 0m);
        var before = InstanceStateJson.Serialize(state);
        Assert.Throws<WorkflowConflictException>(() => _t.Engine.CompleteTask(_t.Host.Definition("linear"), state,
            new CompleteTask { TaskId = _t.Host.OpenTask(state.Id).Id, Action = "Approve", Actor = TestHost.Supervisor }));
        Assert.That(InstanceStateJson.Serialize(state), Is.EqualTo(before));
    }

    [Test]
    public async Task One_resume_runs_to_the_next_wait_state_in_one_change_set()
    {
        var state = await _t.StartAsync("linear", 100m);
        var task = _t.Host.OpenTask(state.Id);
        var step = _t.Engine.CompleteTask(_t.Host.Definition("linear"), state, new CompleteTask { TaskId = task.Id, Action = "Approve", Actor = TestHost.Supervisor });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(step.ExpectedVersion, Is.EqualTo(1));
            Assert.That(step.TasksClosed.Select(c => c.TaskId), Is.EqualTo(new[] { task.Id }));
            Assert.That(step.TasksOpened.Select(o => o.ActivityId), Is.EqualTo(new[] { "t2" }));
            Assert.That(step.BookmarksRemoved.Select(b => b.ActivityId), Is.EqualTo(new[] { "t1" }));
            Assert.That(step.BookmarksAdded.Select(b => b.ActivityId), Is.EqualTo(new[] { "t2" }));
            Assert.That(step.State.Bookmarks.Select(b => b.ActivityId), Is.EqualTo(new[] { "t2" }));
        }
    }

    [Test]
    public async Task Cancel_closes_open_tasks_and_finishes_the_instance()
    {
        var state = await _t.StartAsync("linear", 100m);
        var task = _t.Host.OpenTask(state.Id);
        await _t.Host.CancelAsync(state.Id, "duplicate request", TestHost.Supervisor);
        state = _t.State(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Cancelled));
            Assert.That(state.Bookmarks, Is.Empty);
            Assert.That(_t.Host.Tasks.Single(x => x.Id == task.Id).Status, Is.EqualTo(Runtime.TaskStatus.Cancelled));
            Assert.That(_t.Kinds(state.Id), Does.Contain(JournalKinds.InstanceCancelled));
        }
        await Expect.Throws<WorkflowConflictException>(() => _t.Host.CancelAsync(state.Id, "again", TestHost.Supervisor));
    }

    [Test]
    public async Task Ids_of_tasks_and_bookmarks_are_derived_from_the_instance_id()
    {
        var id = Guid.Parse("3f0c7d2e-1111-4a4a-9b9b-000000000001");
        var a = await new TestHost(Flows.Linear().Build()).StartAsync("linear", 5m, instanceId: id);
        var b = await new TestHost(Flows.Linear().Build()).StartAsync("linear", 5m, instanceId: id);
        Assert.That(a.Bookmarks.Select(x => x.Id), Is.EqualTo(b.Bookmarks.Select(x => x.Id)));
    }
}
