using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;
using TaskStatus = ApprovalEngine.Workflows.Runtime.TaskStatus;

namespace ApprovalEngine.Workflows.Tests;

public sealed class UserTaskTests
{
    private TestHost _t = null!;

    [SetUp]
    public void SetUp() => _t = new TestHost(Flows.Linear().Build());

    [Test]
    public async Task Start_opens_the_first_task_and_sets_status_and_department()
    {
        var state = await _t.StartAsync("linear", 100m);
        var task = _t.Host.OpenTask(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Running));
            Assert.That(state.BusinessStatus, Is.EqualTo("Step1"));
            Assert.That(state.Department, Is.EqualTo("D1"));
            Assert.That(task.ActivityId, Is.EqualTo("t1"));
            Assert.That(task.Department, Is.EqualTo("D1"));
            Assert.That(state.Version, Is.EqualTo(1));
        }
    }

    [Test]
    public async Task An_action_moves_to_the_next_task_and_closes_the_first()
    {
        var state = await _t.StartAsync("linear", 100m);
        var first = _t.Host.OpenTask(state.Id);
        state = await _t.Host.CompleteTaskAsync(first.Id, "Approve", TestHost.User("D1", "wd:approve"), "looks fine");
        var closed = _t.Host.Tasks.Single(t => t.Id == first.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.BusinessStatus, Is.EqualTo("Step2"));
            Assert.That(_t.Host.OpenTask(state.Id).ActivityId, Is.EqualTo("t2"));
            Assert.That(closed.Status, Is.EqualTo(TaskStatus.Completed));
            Assert.That(closed.ClosedAction, Is.EqualTo("Approve"));
            Assert.That(closed.ClosedBy, Is.EqualTo("u-d1"));
            Assert.That(state.Variables["lastComment"], Is.EqualTo("looks fine"));
            Assert.That(state.Version, Is.EqualTo(2));
        }
    }

    [Test]
    public async Task Completing_every_task_finishes_the_instance()
    {
        var state = await _t.StartAsync("linear", 100m);
        await _t.ActAsync(state.Id, "Approve");
        state = await _t.ActAsync(state.Id, "Approve");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(state.BusinessStatus, Is.EqualTo("Completed"));
            Assert.That(state.Bookmarks, Is.Empty);
            Assert.That(_t.Host.OpenTasks(state.Id), Is.Empty);
            Assert.That(state.CompletedAt, Is.EqualTo(TestHost.T0));
        }
    }

    [Test]
    public async Task An_action_not_offered_is_a_conflict()
    {
        var state = await _t.StartAsync("linear", 100m);
        await Expect.Throws<WorkflowConflictException>(() => _t.ActAsync(state.Id, "Escalate"));
    }

    [Test]
    public async Task Another_department_is_forbidden()
    {
        var state = await _t.StartAsync("linear", 100m);
        await Expect.Throws<WorkflowForbiddenException>(() => _t.ActAsync(state.Id, "Approve", actor: TestHost.User("D2", "wd:approve")));
    }

    [Test]
    public async Task A_missing_permission_is_forbidden()
    {
        var state = await _t.StartAsync("linear", 100m);
        var ex = await Expect.Throws<WorkflowForbiddenException>(() => _t.ActAsync(state.Id, "Approve", actor: TestHost.User("D1")));
        Assert.That(ex.Message, Does.Contain("wd:approve"));
    }

    [Test]
    public async Task A_false_guard_is_a_conflict_with_the_guard_message()
    {
        var state = await _t.StartAsync("linear", 0m);
        var ex = await Expect.Throws<WorkflowConflictException>(() => _t.ActAsync(state.Id, "Approve"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ex.Message, Is.EqualTo("Amount must be positive"));
            Assert.That(ex.Stale, Is.False);
            Assert.That(_t.State(state.Id).Version, Is.EqualTo(1), "a refused action changes nothing");
        }
    }

    [Test]
    public async Task A_missing_required_field_is_a_validation_error()
    {
        var state = await _t.StartAsync("linear", 100m);
        var ex = await Expect.Throws<WorkflowValidationException>(() => _t.ActAsync(state.Id, "Reject", comment: "  "));
        Assert.That(ex.Errors.Keys, Is.EquivalentTo(new[] { "comment" }));
    }

    [Test]
    public async Task Rejecting_with_a_comment_ends_as_rejected()
    {
        var state = await _t.StartAsync("linear", 100m);
        state = await _t.ActAsync(state.Id, "Reject", comment: "no funds");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(state.BusinessStatus, Is.EqualTo("Rejected"));
            Assert.That(state.FinalOutcome, Is.EqualTo("Rejected"));
        }
    }

    [Test]
    public async Task A_task_that_is_already_gone_is_a_conflict()
    {
        var state = await _t.StartAsync("linear", 100m);
        var first = _t.Host.OpenTask(state.Id);
        await _t.Host.CompleteTaskAsync(first.Id, "Approve", TestHost.Supervisor);
        await Expect.Throws<WorkflowConflictException>(() => _t.Host.CompleteTaskAsync(first.Id, "Approve", TestHost.Supervisor));
    }

    [Test]
    public async Task Form_data_the_action_does_not_declare_is_refused_and_changes_nothing()
    {
        var state = await _t.StartAsync("linear", 100m);
        var error = await Expect.Throws<WorkflowValidationException>(() => _t.Host.CompleteTaskAsync(_t.Host.OpenTask(state.Id).Id, "Approve", TestHost.Supervisor,
            data: new Dictionary<string, object?> { ["amount"] = 250m, ["injected"] = "evil" }));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(error.Errors.Keys, Is.EquivalentTo(new[] { "data.amount", "data.injected" }));
            Assert.That(_t.State(state.Id).Variables["amount"], Is.EqualTo(100m));
            Assert.That(_t.State(state.Id).Version, Is.EqualTo(state.Version));
        }
    }

    [Test]
    public async Task DescribeActions_explains_what_is_not_available()
    {
        var state = await _t.StartAsync("linear", 0m);
        var actions = _t.Engine.DescribeActions(_t.Host.Definition("linear"), state, _t.Host.OpenTask(state.Id).Id, TestHost.User("D1"));
        var approve = actions.Single(a => a.Name == "Approve");
        var reject = actions.Single(a => a.Name == "Reject");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(approve.Available, Is.False);
            Assert.That(approve.Reason, Does.Contain("wd:approve"));
            Assert.That(reject.Available, Is.True);
            Assert.That(reject.RequiredFields, Is.EqualTo(new[] { "comment" }));
        }
    }
}
