// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Text.Json.Nodes;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;
using ApprovalEngine.Workflows.Validation;

namespace ApprovalEngine.Workflows.Tests;

/// <summary>Journal entries record diffs with caps; durations the runtime cannot schedule are refused or fault, never throw.</summary>
public sealed class JournalBoundsTests
{
    private static List<VariableChange> Diff(string before, string after)
    {
        var changes = new List<VariableChange>();
        JournalDiff.Diff("v", JsonNode.Parse(before), JsonNode.Parse(after), changes);
        return changes;
    }

    private static string Show(VariableChange c) => $"{c.Name}{c.Path}:{c.Before?.ToJsonString() ?? "null"}->{c.After?.ToJsonString() ?? "null"}";

    [Test]
    public void An_appended_list_item_is_recorded_as_that_item() =>
        Assert.That(Diff("""[{"t":"a"},{"t":"b"}]""", """[{"t":"a"},{"t":"b"},{"t":"c"}]""").Select(Show), Is.EqualTo(new[] { """v[2]:null->{"t":"c"}""" }));

    [Test]
    public void An_edited_member_of_a_list_item_is_recorded_as_that_member() =>
        Assert.That(Diff("""[{"id":1,"amount":5},{"id":2,"amount":7}]""", """[{"id":1,"amount":5},{"id":2,"amount":9}]""").Select(Show), Is.EqualTo(new[] { "v[1].amount:7->9" }));

    [Test]
    public void A_removed_last_item_and_a_new_member_are_recorded() =>
        Assert.That(Diff("""{"a":[1,2],"b":1}""", """{"a":[1],"b":1,"c":true}""").Select(Show), Is.EqualTo(new[] { "v.a[1]:2->null", "v.c:null->true" }));

    [Test]
    public void A_scalar_or_a_list_changed_throughout_is_recorded_whole()
    {
        var before = "[" + string.Join(",", Enumerable.Range(0, 60)) + "]";
        var after = "[" + string.Join(",", Enumerable.Range(0, 60).Reverse()) + "]";
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Diff("1", "2").Select(Show), Is.EqualTo(new[] { "v:1->2" }));
            Assert.That(Diff(before, after).Select(Show), Is.EqualTo(new[] { $"v:{before}->{after}" }));
            Assert.That(Diff("[1,2,3]", "[3,2,3,0]").Select(Show), Is.EqualTo(new[] { "v[0]:1->3", "v[3]:null->0" }));
        }
    }

    [Test]
    public void A_value_over_the_cap_is_recorded_as_size_hash_and_preview()
    {
        var big = new string('x', JournalLimits.MaxValueBytes + 1);
        var capped = JournalDiff.Cap([new VariableChange("v", null, JsonValue.Create(big))]);
        var after = capped.Single().After!.AsObject();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(after["truncated"]!.GetValue<bool>(), Is.True);
            Assert.That(after["bytes"]!.GetValue<int>(), Is.EqualTo(big.Length + 2));
            Assert.That(after["sha256"]!.GetValue<string>(), Has.Length.EqualTo(64));
            Assert.That(after.ToJsonString().Length, Is.LessThan(600));
        }
    }

    [Test]
    public void One_entry_is_capped_in_bytes_and_in_changes()
    {
        var value = JsonValue.Create(new string('y', JournalLimits.MaxValueBytes - 100));
        var many = Enumerable.Range(0, 300).Select(i => new VariableChange($"v{i}", null, value)).ToList();
        var capped = JournalDiff.Cap(many);
        var bytes = capped.Sum(c => (c.Before?.ToJsonString().Length ?? 0) + (c.After?.ToJsonString().Length ?? 0));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(capped, Has.Count.EqualTo(JournalLimits.MaxChangesPerEntry + 1));
            Assert.That(capped[^1].After!.GetValue<string>(), Does.Contain("200 more changes"));
            Assert.That(bytes, Is.LessThan(JournalLimits.MaxEntryBytes + JournalLimits.MaxValueBytes + (JournalLimits.MaxChangesPerEntry * 1024)));
        }
    }

    [Test]
    public async Task Appending_to_a_list_variable_journals_only_the_new_item()
    {
        var flow = FlowBuilder.Create("append").Variable("items", "list", new JsonArray()).Start()
            .Task("wait", "CS", null, null, false, new TaskAction("Approve")).End("end").Chain("Done", "start", "wait").Connect("wait", "Approve", "end");
        var definition = flow.Build();
        var t = new TestHost(definition);
        var state = await t.StartAsync("append");
        List<object?> items = [];
        StepResult? last = null;
        for (var i = 0; i < 3; i++)
        {
            items = [.. items, new string((char)('a' + i), 2000)];
            last = t.Engine.UpdateVariables(definition, state, new Dictionary<string, object?> { ["items"] = items }, "AddComment", TestHost.Supervisor);
            state = last.State;
        }
        var change = last!.Journal.Single(j => j.Kind == JournalKinds.VariablesUpdated).Changes.Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(change.Name, Is.EqualTo("items"));
            Assert.That(change.Path, Is.EqualTo("[2]"));
            Assert.That(change.Before, Is.Null);
            Assert.That(change.After!.GetValue<string>(), Is.EqualTo(new string('c', 2000)));
        }
    }

    [TestCase("P10000Y")]
    [TestCase("P101Y")]
    [TestCase("P99999999999999D")]
    public void The_validator_refuses_a_duration_the_runtime_cannot_schedule(string duration)
    {
        var flow = FlowBuilder.Create("long").Start().Activity("delay", "Delay", new { duration }).End("end").Chain("Done", "start", "delay", "end");
        var errors = new WorkflowValidator(new TestHost().Registry).Validate(flow.Build());
        Assert.That(errors.Select(e => e.Path), Has.Some.EndsWith("/inputs/duration"), string.Join("; ", errors));
    }

    [Test]
    public async Task A_stored_definition_with_such_a_duration_faults_the_instance_instead_of_throwing()
    {
        var flow = FlowBuilder.Create("stored-long").Start().Activity("delay", "Delay", new { duration = "P10000Y" }).End("end").Chain("Done", "start", "delay", "end");
        var t = new TestHost(flow.Build());
        var state = await t.StartAsync("stored-long");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(state.Status, Is.EqualTo(InstanceStatus.Faulted));
            Assert.That(state.Fault, Does.Contain("P10000Y"));
        }
    }

    [TestCase(0, "maxWallTimeMs")]
    [TestCase(1, "maxSteps")]
    public void A_budgeted_step_past_a_cap_is_refused_naming_the_cap(int maxSteps, string cap)
    {
        var flow = FlowBuilder.Create("budget").Variable("n", "number", 0).Start().Set("a", ("n", "n + 1")).Set("b", ("n", "n + 1")).End("end").Chain("Done", "start", "a", "b", "end");
        var budget = maxSteps == 0 ? new StepBudget { MaxWallTime = TimeSpan.Zero } : new StepBudget { MaxSteps = maxSteps };
        var engine = new WorkflowEngine(new TestHost().Registry, null, new EngineOptions { Budget = budget });
        var ex = Assert.Throws<StepLimitExceededException>(() => engine.Start(flow.Build(), new StartWorkflow { InstanceId = Guid.NewGuid(), Input = new Dictionary<string, object?>(), Actor = Actor.System() }));
        Assert.That(ex!.Limit, Is.EqualTo(cap));
    }
}
