using System.Text.Json.Nodes;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Tests.Support;
using ApprovalEngine.Workflows.Validation;

namespace ApprovalEngine.Workflows.Tests;

/// <summary>One failing definition per rule, asserting the exact JSON pointer.</summary>
public sealed class ValidationTests
{
    private static readonly WorkflowValidator Validator = new(new TestHost().Registry);

    private static IReadOnlyList<ValidationError> Validate(FlowBuilder flow, Func<string, bool>? exists = null) => Validator.Validate(flow.Build(), exists);

    private static void AssertOnly(FlowBuilder flow, string path, string messagePart, Func<string, bool>? exists = null)
    {
        var errors = Validate(flow, exists);
        Assert.That(errors.Select(e => e.Path).Distinct(), Is.EqualTo(new[] { path }), string.Join("; ", errors));
        Assert.That(errors.Select(e => e.Message), Has.Some.Contains(messagePart));
    }

    [Test]
    public void The_shared_flows_are_valid()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Validate(Flows.Linear()), Is.Empty);
            Assert.That(Validate(Flows.ForkJoin("any")), Is.Empty);
            Assert.That(Validator.Validate(Flows.Parent("child")), Is.Empty);
            Assert.That(Validator.Validate(Flows.Child()), Is.Empty);
        }
    }

    [Test]
    public void Unknown_activity_type_and_in_the_same_round_that_it_is_unreachable()
    {
        var flow = Flows.Linear().Activity("zz", "Teleport");
        var at = flow.IndexOf("zz");
        var errors = Validate(flow);
        // Graph problems are reported together with the others, not in a second round once those are fixed.
        Assert.That(errors.Select(e => (e.Path, e.Message.Split(' ')[0])), Is.EquivalentTo(new[] { ($"/activities/{at}/type", "Unknown"), ($"/activities/{at}", "'zz'") }), string.Join("; ", errors));
    }

    [Test]
    public void Unknown_outcome()
    {
        var flow = Flows.Linear().Connect("t1", "Maybe", "done");
        AssertOnly(flow, $"/connections/{flow.Build().Connections.Count - 1}/outcome", "no outcome 'Maybe'");
    }

    [Test]
    public void Dangling_source()
    {
        var flow = Flows.Linear().Connect("ghost", "Done", "done");
        AssertOnly(flow, $"/connections/{flow.Build().Connections.Count - 1}/source", "Dangling");
    }

    [Test]
    public void Dangling_target()
    {
        var flow = FlowBuilder.Create("dt").Start().Task("t", "CS", actions: [new TaskAction("Ok"), new TaskAction("Hold")]).End()
            .Connect("start", "Done", "t").Connect("t", "Ok", "end").Connect("t", "Hold", "nowhere");
        AssertOnly(flow, "/connections/2/target", "Dangling");
    }

    [Test]
    public void Duplicate_connection()
    {
        var flow = Flows.Linear().Connect("t1", "Approve", "rejected");
        AssertOnly(flow, $"/connections/{flow.Build().Connections.Count - 1}", "connected twice");
    }

    [Test]
    public void Unreachable_activity()
    {
        var flow = Flows.Linear().End("orphan");
        AssertOnly(flow, $"/activities/{flow.IndexOf("orphan")}", "unreachable");
    }

    [Test]
    public void No_path_to_an_End()
    {
        var flow = FlowBuilder.Create("limbo").Start().Task("t", "CS", actions: [new TaskAction("Ok"), new TaskAction("Park")])
            .Task("parked", "CS", actions: new TaskAction("Wait")).End()
            .Connect("start", "Done", "t").Connect("t", "Ok", "end").Connect("t", "Park", "parked");
        AssertOnly(flow, $"/activities/{flow.IndexOf("parked")}", "no path to an End");
    }

    [Test]
    public void Missing_required_input()
    {
        var flow = Flows.Linear().With("t1", a => a with { Inputs = Without(a.Inputs, "department") });
        AssertOnly(flow, $"/activities/{flow.IndexOf("t1")}/inputs/department", "required");
    }

    [Test]
    public void Expression_syntax_error()
    {
        var flow = Flows.Around("Decision", new { condition = "amount >" }, "True", "False").Variable("amount", "number");
        AssertOnly(flow, "/activities/1/inputs/condition", "Unexpected end of expression");
        var error = Validate(flow).Single();
        Assert.That(error.Message, Is.EqualTo("Unexpected end of expression"), "the place is not repeated in the message");
        Assert.That(error.At, Is.EqualTo(new ApprovalEngine.Expressions.SourceSpan(8, 0, 1, 9)));
        Assert.That(error.Describe(), Is.EqualTo("Unexpected end of expression (at column 9)"));
    }

    [Test]
    public void Expression_type_error()
    {
        var flow = Flows.Around("Decision", new { condition = "amount + 1" }, "True", "False").Variable("amount", "number");
        AssertOnly(flow, "/activities/1/inputs/condition", "Expected a boolean");
    }

    [Test]
    public void Unknown_variable_in_an_expression()
    {
        var flow = Flows.Around("Decision", new { condition = "missing > 1" }, "True", "False").Variable("amount", "number");
        AssertOnly(flow, "/activities/1/inputs/condition", "missing");
    }

    [Test]
    public void Unknown_variable_in_a_task_guard()
    {
        var flow = Flows.Linear().With("t2", a => a with { Inputs = Replace(a.Inputs, "actions", new JsonArray(new TaskAction("Approve", Guard: "nope > 1").ToJson(), new TaskAction("Reject").ToJson())) });
        AssertOnly(flow, $"/activities/{flow.IndexOf("t2")}/inputs/actions/0/guard", "nope");
    }

    [Test]
    public void Unknown_variable_assigned()
    {
        var flow = FlowBuilder.Create("sv").Start().Set("s", ("amount", "1"), ("ghost", "2")).End().Chain("Done", "start", "s", "end").Variable("amount", "number");
        AssertOnly(flow, "/activities/1/inputs/assignments/1/name", "Unknown variable 'ghost'");
    }

    [Test]
    public void UserTask_without_actions()
    {
        var flow = FlowBuilder.Create("na").Start().Task("t", "CS").End().Connect("start", "Done", "t");
        var errors = Validate(flow);
        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[] { "/activities/1/inputs/actions", "/activities/0", "/activities/1", "/activities/2" }), string.Join("; ", errors));
        Assert.That(errors.Select(e => e.Message), Has.Some.Contains("at least one action").And.Some.Contains("has no path to an End").And.Some.Contains("unreachable"));
    }

    [Test]
    public void CallWorkflow_to_an_unknown_definition()
    {
        var flow = Flows.Around("CallWorkflow", new { definition = "nope" }, "Completed");
        AssertOnly(flow, "/activities/1/inputs/definition", "No published definition 'nope'", id => id == "child");
    }

    [Test]
    public void Cycle_without_a_wait_state()
    {
        var flow = FlowBuilder.Create("spin").Variable("n", "number", 0m).Start().Decision("d", "n < 3").Set("inc", ("n", "n + 1")).End()
            .Connect("start", "Done", "d").Connect("d", "True", "inc").Connect("inc", "Done", "d").Connect("d", "False", "end");
        AssertOnly(flow, $"/activities/{flow.IndexOf("d")}", "no wait state");
    }

    [Test]
    public void A_cycle_through_a_wait_state_is_fine()
    {
        var flow = FlowBuilder.Create("loop").Start().Task("t", "CS", actions: [new TaskAction("Again"), new TaskAction("Ok")]).Set("s").End()
            .Connect("start", "Done", "t").Connect("t", "Again", "s").Connect("s", "Done", "t").Connect("t", "Ok", "end")
            .With("s", a => a with { Inputs = new JsonObject { ["assignments"] = new JsonArray() } });
        Assert.That(Validate(flow), Is.Empty);
    }

    [Test]
    public void Invalid_duration_and_cron_are_reported_on_their_input()
    {
        var delay = Flows.Around("Delay", new { duration = "4 hours" }, "Done");
        var cron = Flows.Around("Cron", new { cron = "whenever" }, "Done");
        AssertOnly(delay, "/activities/1/inputs/duration", "ISO 8601");
        AssertOnly(cron, "/activities/1/inputs/cron", "Unsupported cron");
    }

    [Test]
    public void Interrupt_to_an_unknown_target()
    {
        var flow = Flows.Linear().Interrupt("ClientCancel", "nowhere");
        AssertOnly(flow, "/interrupts/0/target", "Unknown target");
    }

    private static JsonObject Without(JsonObject inputs, string name)
    {
        var copy = inputs.DeepClone().AsObject();
        copy.Remove(name);
        return copy;
    }

    private static JsonObject Replace(JsonObject inputs, string name, JsonNode value)
    {
        var copy = inputs.DeepClone().AsObject();
        copy[name] = value;
        return copy;
    }
}
