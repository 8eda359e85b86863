using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;

namespace ApprovalEngine.Workflows.Tests;

/// <summary>Start, End, Decision, Switch, SetVariables, SetStatus and in-step domain activities.</summary>
public sealed class FlowActivityTests
{
    private static async Task<InstanceState> RunAsync(FlowBuilder flow, decimal amount)
    {
        var definition = flow.Variable("amount", "number", 0m).Input("amount", "number").Build();
        var t = new TestHost(definition);
        return await t.StartAsync(definition.Id, amount);
    }

    [Test]
    public async Task Start_then_End_completes_with_the_end_status_and_outcome()
    {
        var state = await RunAsync(FlowBuilder.Create("se").Start().End("end", "Done", "Fine").Connect("start", "Done", "end"), 1m);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(state.BusinessStatus, Is.EqualTo("Done"));
            Assert.That(state.FinalOutcome, Is.EqualTo("Fine"));
            Assert.That(state.Visited, Is.EquivalentTo(new[] { "start", "end" }));
        }
    }

    [TestCase(11, "True")]
    [TestCase(10, "False")]
    public async Task Decision_follows_true_or_false(decimal amount, string expected)
    {
        var state = await RunAsync(Flows.Around("Decision", new { condition = "amount > 10" }, "True", "False"), amount);
        Assert.That(state.BusinessStatus, Is.EqualTo(expected));
    }

    [TestCase(500, "Big")]
    [TestCase(5, "Small")]
    [TestCase(0, "Default")]
    public async Task Switch_takes_the_first_true_case_or_default(decimal amount, string expected)
    {
        var cases = new object[] { new { name = "Big", condition = "amount > 100" }, new { name = "Small", condition = "amount > 0" } };
        var state = await RunAsync(Flows.Around("Switch", new { cases }, "Big", "Small", "Default"), amount);
        Assert.That(state.BusinessStatus, Is.EqualTo(expected));
    }

    [Test]
    public async Task SetVariables_applies_assignments_in_order_and_journals_before_and_after()
    {
        var definition = FlowBuilder.Create("sv").Variable("amount", "number", 0m).Variable("fee", "number", 0m).Variable("total", "number", 0m)
            .Input("amount", "number")
            .Start().Set("calc", ("fee", "amount * 0.01"), ("total", "amount + fee")).End()
            .Chain("Done", "start", "calc", "end").Build();
        var t = new TestHost(definition);
        var state = await t.StartAsync("sv", 200m);
        var changes = t.Host.Journal(state.Id).Single(j => j.ActivityId == "calc" && j.Kind == JournalKinds.ActivityCompleted).Changes;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Variables["fee"], Is.EqualTo(2m));
            Assert.That(state.Variables["total"], Is.EqualTo(202m));
            Assert.That(changes.Select(c => $"{c.Name}:{c.Before?.ToJsonString()}->{c.After?.ToJsonString()}"),
                Is.EqualTo(new[] { "fee:0->2.00", "total:0->202.00" }).Or.EqualTo(new[] { "fee:0->2", "total:0->202" }));
        }
    }

    [Test]
    public async Task SetStatus_sets_business_status_and_department()
    {
        var state = await RunAsync(FlowBuilder.Create("ss").Start().Activity("s", "SetStatus", new { status = "Paid", department = "Backoffice" })
            .Task("t", "Backoffice", actions: new TaskAction("Ok")).End().Chain("Done", "start", "s", "t").Connect("t", "Ok", "end"), 1m);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Department, Is.EqualTo("Backoffice"));
            Assert.That(state.BusinessStatus, Is.EqualTo("Paid"), "a task without its own status keeps the status");
        }
    }

    [TestCase(100, "Done", 900)]
    [TestCase(5000, "Insufficient", 0)]
    public async Task Domain_activity_runs_in_step_and_maps_outputs(decimal amount, string outcome, decimal headroom)
    {
        var definition = Flows.Around("CheckLimit", new
        {
            amount = "amount",
            limit = "1000",
            outputs = new[] { new { name = "headroom", value = "room" } },
        }, "Done", "Insufficient").Variable("amount", "number", 0m).Variable("room", "number", -1m).Input("amount", "number").Build();
        var t = new TestHost(definition);
        var state = await t.StartAsync(definition.Id, amount);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.BusinessStatus, Is.EqualTo(outcome));
            Assert.That(state.Variables["room"], Is.EqualTo(headroom));
        }
    }

    [Test]
    public async Task An_expression_error_faults_the_instance_with_an_incident()
    {
        var t = new TestHost(Flows.Around("Decision", new { condition = "10 / amount > 1" }, "True", "False")
            .Variable("amount", "number", 0m).Input("amount", "number").Build());
        var state = await t.StartAsync("around-decision", 0m);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Faulted));
            Assert.That(state.Fault, Is.Not.Null.And.Not.Empty);
            Assert.That(t.Host.Incidents.Single().ActivityId, Is.EqualTo("x"));
            Assert.That(t.Kinds(state.Id), Does.Contain(JournalKinds.InstanceFaulted));
        }
    }

    [Test]
    public async Task Operator_retry_of_a_faulted_step_reruns_the_activity()
    {
        var t = new TestHost(Flows.Around("Flaky", new { value = "7", outputs = new[] { new { name = "echo", value = "echo" } } }, "Done")
            .Variable("echo", "number", 0m).Build());
        t.Flaky.FailuresLeft = 1;
        var state = await t.StartAsync("around-flaky");
        Assert.That(state.Status, Is.EqualTo(InstanceStatus.Faulted));
        await t.Host.RetryIncidentAsync(t.Host.Incidents.Single());
        state = t.State(state.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(state.Variables["echo"], Is.EqualTo(7m));
            Assert.That(t.Host.Incidents, Is.Empty);
            Assert.That(t.Kinds(state.Id), Does.Contain(JournalKinds.IncidentRetried));
        }
    }

    [Test]
    public async Task A_branch_without_an_End_finishes_the_instance_when_nothing_waits()
    {
        var state = await RunAsync(FlowBuilder.Create("open").Start().Set("s", ("amount", "amount + 1")).Connect("start", "Done", "s"), 1m);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(state.Variables["amount"], Is.EqualTo(2m));
        }
    }

    [Test]
    public async Task A_loop_without_a_wait_state_faults_instead_of_spinning()
    {
        var state = await RunAsync(FlowBuilder.Create("spin").Start().Set("s", ("amount", "amount + 1"))
            .Connect("start", "Done", "s").Connect("s", "Done", "s"), 1m);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Faulted));
            Assert.That(state.Fault, Does.Contain("loops without a wait state"));
        }
    }
}
