using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;

namespace ApprovalEngine.Workflows.Tests;

/// <summary>Guards read submitted data; data of the wrong shape is the caller's mistake, never a server error.</summary>
public sealed class GuardInputTests
{
    // The field is untyped on purpose: the guard, not the form, meets the text here.
    private static readonly TaskAction SetFee = new("SetFee", Guard: "data.fee >= 0 && data.fee < amount", GuardMessage: "The fee must be between 0 and the amount.")
    {
        FieldsJson = """[{ "name": "fee", "type": "any" }]""",
    };

    private static TestHost Host() => new(FlowBuilder.Create("fee")
        .Variable("amount", "number").Input("amount", "number", required: true)
        .Start().Task("t1", "D1", "Fee", null, false, SetFee).End()
        .Chain("Done", "start", "t1").Connect("t1", "SetFee", "end")
        .Build());

    [Test]
    public async Task A_fee_sent_as_text_is_invalid_data_naming_the_field()
    {
        var t = Host();
        var state = await t.StartAsync("fee", 100m);
        var task = t.Host.OpenTask(state.Id);
        var error = await Assert.ThrowsAsync<WorkflowValidationException>(() =>
            t.Host.CompleteTaskAsync(task.Id, "SetFee", TestHost.User("D1"), data: new Dictionary<string, object?> { ["fee"] = "ten" }));
        Assert.That(error!.Errors.Keys, Does.Contain("fee"));
        Assert.That(t.Host.Instances[state.Id].Version, Is.EqualTo(state.Version), "nothing changed");
    }

    [Test]
    public async Task A_guard_that_is_false_is_a_conflict_with_its_message()
    {
        var t = Host();
        var state = await t.StartAsync("fee", 100m);
        var task = t.Host.OpenTask(state.Id);
        var error = await Assert.ThrowsAsync<WorkflowConflictException>(() =>
            t.Host.CompleteTaskAsync(task.Id, "SetFee", TestHost.User("D1"), data: new Dictionary<string, object?> { ["fee"] = 500m }));
        Assert.That(error!.Message, Is.EqualTo("The fee must be between 0 and the amount."));
    }

    [Test]
    public async Task A_faulted_instance_refuses_task_actions_until_its_incident_is_retried()
    {
        var t = Host();
        var state = await t.StartAsync("fee", 100m);
        var task = t.Host.OpenTask(state.Id);
        var faulted = state.Clone();
        faulted.Status = InstanceStatus.Faulted;
        faulted.Fault = "boom";
        var error = Assert.Throws<WorkflowConflictException>(() => t.Host.Engine.CompleteTask(t.Host.Definition("fee"), faulted, new CompleteTask
        {
            TaskId = task.Id,
            Action = "SetFee",
            Actor = TestHost.User("D1"),
            Data = new Dictionary<string, object?> { ["fee"] = 1m },
        }));
        Assert.That(error!.Message, Does.Contain("faulted"));
    }
}
