using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;
using ApprovalEngine.Workflows.Validation;

namespace ApprovalEngine.Workflows.Tests;

/// <summary>The value checker, one rule per test (ADR 7).</summary>
public sealed class ValueCheckerTests
{
    private static IReadOnlyList<string> Check(string type, ValueSpec spec, object? value, bool required = false, Dictionary<string, object?>? siblings = null) =>
        ValueChecker.Check("x", type, required, spec, value, name => siblings?.GetValueOrDefault(name)).Errors;

    private static readonly FormField Plain = new("x");

    [Test]
    public void A_number_sent_as_text_is_refused() =>
        Assert.That(Check("number", Plain, "12.50"), Has.One.Contains("must be a number"));

    [Test]
    public void A_number_is_accepted_as_a_decimal() => Assert.That(Check("number", Plain, 12.50m), Is.Empty);

    [TestCase(-1, "at least 0")]
    [TestCase(101, "at most 100")]
    public void Minimum_and_maximum(decimal value, string message) =>
        Assert.That(Check("number", Plain with { Minimum = 0, Maximum = 100 }, value), Has.One.Contains(message));

    [Test]
    public void Exclusive_minimum_refuses_the_bound_itself() =>
        Assert.That(Check("number", Plain with { ExclusiveMinimum = 0 }, 0m), Has.One.Contains("greater than 0"));

    [Test]
    public void Scale_limits_the_decimal_places() =>
        Assert.That(Check("number", Plain with { Scale = 2 }, 1.005m), Has.One.Contains("more than 2 decimal places"));

    [Test]
    public void Trailing_zeros_do_not_count_as_decimals() => Assert.That(Check("number", Plain with { Scale = 2 }, 1.5000m), Is.Empty);

    [TestCase("USD", "10.001", false)]
    [TestCase("USD", "10.01", true)]
    [TestCase("JPY", "10.5", false)]
    [TestCase("JPY", "10", true)]
    [TestCase("KWD", "1.005", true)]
    [TestCase("BTC", "0.00000001", true)]
    [TestCase("BTC", "0.000000001", false)]
    public void Currency_input_limits_an_amount_to_the_currency_decimals(string currency, string amount, bool ok)
    {
        var errors = Check("number", Plain with { CurrencyInput = "currency" }, decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), siblings: new() { ["currency"] = currency });
        Assert.That(errors, ok ? Is.Empty : Has.One.Contains($"decimal places for {currency}"));
    }

    [TestCase("USD", true)]
    [TestCase("BTC", true)]
    [TestCase("ZZZ", false)]
    [TestCase("usd", false)]
    public void Format_currency_is_an_ISO_4217_code_or_a_known_coin(string code, bool ok) =>
        Assert.That(Check("string", Plain with { Format = "currency" }, code), ok ? Is.Empty : Has.One.Contains("ISO 4217"));

    [Test]
    public void Max_length() => Assert.That(Check("string", Plain with { MaxLength = 3 }, "abcd"), Has.One.Contains("longer than 3"));

    [Test]
    public void Min_length() => Assert.That(Check("string", Plain with { MinLength = 3 }, "ab"), Has.One.Contains("at least 3"));

    [Test]
    public void Enum_accepts_only_its_values() =>
        Assert.That(Check("string", Plain with { Enum = ["CreditCard", "WireTransfer"] }, "Cash"), Has.One.Contains("one of CreditCard, WireTransfer"));

    [Test]
    public void Pattern_must_match_the_whole_text() =>
        Assert.That(Check("string", Plain with { Pattern = "[A-Z]{3}" }, "USDX"), Has.One.Contains("expected form"));

    [Test]
    public void A_pattern_that_backtracks_for_ever_is_cut_off_and_refuses_the_value()
    {
        var errors = Check("string", Plain with { Pattern = "(a+)+b" }, new string('a', 5000) + "c");
        Assert.That(errors, Has.One.Contains("expected form").Or.Contains("in time"));
    }

    [Test]
    public void A_boolean_is_true_or_false_not_text() => Assert.That(Check("boolean", Plain, "true"), Has.One.Contains("true or false"));

    [Test]
    public void A_datetime_is_ISO_8601_and_is_parsed()
    {
        var (errors, value) = ValueChecker.Check("x", "datetime", false, Plain, "2026-12-01T10:00:00Z");
        Assert.That(errors, Is.Empty);
        Assert.That(value, Is.EqualTo(new DateTimeOffset(2026, 12, 1, 10, 0, 0, TimeSpan.Zero)));
        Assert.That(Check("datetime", Plain, "next Tuesday"), Has.One.Contains("ISO 8601"));
    }

    [Test]
    public void Required_refuses_a_missing_or_blank_value()
    {
        Assert.That(Check("string", Plain, null, required: true), Has.One.Contains("is required"));
        Assert.That(Check("string", Plain, "  ", required: true), Has.One.Contains("is required"));
        Assert.That(Check("string", Plain, null), Is.Empty);
    }

    [Test]
    public void A_validation_expression_that_is_false_gives_its_message()
    {
        var spec = Plain with { Validation = new ValueValidation("value < limit", "Below the limit, please.") };
        var scope = new TestScope(new Dictionary<string, object?> { ["limit"] = 10m });
        var (errors, _) = ValueChecker.Check("x", "number", false, spec, 12m, scopeFor: v => scope.With("value", v));
        Assert.That(errors, Is.EqualTo(new[] { "Below the limit, please." }));
        Assert.That(ValueChecker.Check("x", "number", false, spec, 5m, scopeFor: v => scope.With("value", v)).Errors, Is.Empty);
    }

    private sealed class TestScope(Dictionary<string, object?> values) : Expressions.IExpressionScope
    {
        public DateTimeOffset Now => TestHost.T0;

        public TestScope With(string name, object? value) => new(new Dictionary<string, object?>(values) { [name] = value });

        public bool TryGetValue(string name, out object? value) => values.TryGetValue(name, out value);
    }
}

/// <summary>Action forms and start inputs in the engine (ADR 7).</summary>
public sealed class FormTests
{
    private static readonly TaskAction SetFee = new("SetFee")
    {
        FieldsJson = """
            [{ "name": "fee", "type": "number", "minimum": 0, "currencyInput": "currency",
               "validation": { "expression": "value < amount", "message": "The fee must be below the amount." } }]
            """,
    };

    private static readonly TaskAction Classify = new("Classify")
    {
        FieldsJson = """
            [{ "name": "code", "type": "string", "pattern": "[A-Z]{2}[0-9]{2}", "variable": "note" },
             { "name": "kind", "type": "string", "enum": ["red", "blue"] }]
            """,
    };

    private static readonly TaskAction Reject = new("Reject", RequiredFields: "comment");
    private static readonly TaskAction Silent = new("Silent") { Comment = "none" };
    private static readonly TaskAction Legacy = new("Legacy", RequiredFields: "note");
    private static readonly TaskAction ForgeReadOnly = new("ForgeReadOnly") { FieldsJson = """[{ "name": "ledger", "type": "list" }]""" };
    private static readonly TaskAction ForgeOutput = new("ForgeOutput") { FieldsJson = """[{ "name": "headroom", "type": "number" }]""" };

    private static FlowBuilder Flow()
    {
        var flow = FlowBuilder.Create("form")
            .Variable("amount", "number").Variable("currency", "string").Variable("fee", "number", 7m).Variable("note", "string").Variable("headroom", "number")
            .Variable(new VariableDefinition("ledger", "list") { ReadOnly = true })
            .Input(new InputDefinition("amount", "number", Required: true) { ExclusiveMinimum = 0, CurrencyInput = "currency" })
            .Input(new InputDefinition("currency", "string", Required: true) { Format = "currency" })
            .Input(new InputDefinition("available", "number") { Source = "domain" })
            .Start()
            .Activity("limit", "CheckLimit", new { amount = "amount", limit = "1000000" })
            .Task("t1", "D1", null, null, false, SetFee, Classify, Reject, Silent, Legacy, ForgeReadOnly, ForgeOutput)
            .End()
            .Chain("Done", "start", "limit", "t1")
            .Connect("limit", "Insufficient", "end");
        foreach (var action in new[] { SetFee, Classify, Reject, Silent, Legacy, ForgeReadOnly, ForgeOutput }) flow.Connect("t1", action.Name, "end");
        return flow;
    }

    private static TestHost Host() => new(Flow().Build());

    private static async Task<(TestHost T, InstanceState State, WorkTask Task)> OpenAsync(string currency = "USD")
    {
        var t = Host();
        var state = await t.Host.StartAsync("form", new Dictionary<string, object?> { ["amount"] = 100m, ["currency"] = currency });
        return (t, state, t.Host.OpenTask(state.Id));
    }

    private static async Task<WorkflowValidationException> RefusedAsync(TestHost t, InstanceState state, WorkTask task, string action, Dictionary<string, object?>? data = null, string? comment = null)
    {
        var error = await Expect.Throws<WorkflowValidationException>(() => t.Host.CompleteTaskAsync(task.Id, action, TestHost.User("D1"), comment, data));
        Assert.That(t.State(state.Id).Version, Is.EqualTo(state.Version), "a refused form changes nothing");
        return error;
    }

    [Test]
    public void The_test_flow_is_valid_except_the_forged_fields()
    {
        var errors = new WorkflowValidator(Host().Registry).Validate(Flow().Build());
        var actions = Flow().Build().Activities.Single(a => a.Id == "t1").Inputs["actions"]!.AsArray();
        int IndexOf(string name) => actions.Select((a, i) => (a, i)).Single(x => x.a!["name"]!.GetValue<string>() == name).i;
        Assert.That(errors.Select(e => e.Path), Is.EquivalentTo(new[]
        {
            $"/activities/2/inputs/actions/{IndexOf("ForgeReadOnly")}/fields/0/name",
            $"/activities/2/inputs/actions/{IndexOf("ForgeOutput")}/fields/0/name",
        }), string.Join("; ", errors));
    }

    [Test]
    public async Task A_field_writes_its_variable()
    {
        var (t, state, task) = await OpenAsync();
        state = await t.Host.CompleteTaskAsync(task.Id, "SetFee", TestHost.User("D1"), data: new Dictionary<string, object?> { ["fee"] = 2.5m });
        Assert.That(state.Variables["fee"], Is.EqualTo(2.5m));
    }

    [Test]
    public async Task A_null_field_value_is_not_given_and_leaves_the_variable_alone()
    {
        var (t, state, task) = await OpenAsync();
        state = await t.Host.CompleteTaskAsync(task.Id, "SetFee", TestHost.User("D1"), data: new Dictionary<string, object?> { ["fee"] = null });
        Assert.That(state.Variables["fee"], Is.EqualTo(7m));
        Assert.That(t.Host.Journal(state.Id).Count(j => j.Kind == JournalKinds.TaskCompleted), Is.EqualTo(1));
    }

    [Test]
    public async Task A_field_with_variable_writes_that_variable_and_an_undeclared_one_writes_nothing()
    {
        var (t, state, task) = await OpenAsync();
        state = await t.Host.CompleteTaskAsync(task.Id, "Classify", TestHost.User("D1"), data: new Dictionary<string, object?> { ["code"] = "AB12", ["kind"] = "red" });
        Assert.That(state.Variables["note"], Is.EqualTo("AB12"));
        Assert.That(state.Variables.ContainsKey("kind"), Is.False);
        Assert.That(state.Variables.ContainsKey("code"), Is.False);
    }

    [Test]
    public async Task A_key_that_is_not_a_field_of_the_action_is_refused()
    {
        var (t, state, task) = await OpenAsync();
        var error = await RefusedAsync(t, state, task, "SetFee", new() { ["fee"] = 1m, ["code"] = "AB12" });
        Assert.That(error.Errors.Keys, Is.EqualTo(new[] { "data.code" }));
    }

    [Test]
    public async Task A_decimal_sent_as_text_is_refused()
    {
        var (t, state, task) = await OpenAsync();
        var error = await RefusedAsync(t, state, task, "SetFee", new() { ["fee"] = "1.50" });
        Assert.That(error.Errors["data.fee"], Has.One.Contains("must be a number"));
    }

    [Test]
    public async Task A_field_amount_has_at_most_the_decimals_of_the_currency_variable()
    {
        var (t, state, task) = await OpenAsync("JPY");
        var error = await RefusedAsync(t, state, task, "SetFee", new() { ["fee"] = 1.5m });
        Assert.That(error.Errors["data.fee"], Has.One.Contains("decimal places for JPY"));
    }

    [Test]
    public async Task The_validation_expression_sees_the_instance_variables()
    {
        var (t, state, task) = await OpenAsync();
        var error = await RefusedAsync(t, state, task, "SetFee", new() { ["fee"] = 100m });
        Assert.That(error.Errors["data.fee"], Is.EqualTo(new[] { "The fee must be below the amount." }));
    }

    [Test]
    public async Task Pattern_and_enum_failures_name_their_fields()
    {
        var (t, state, task) = await OpenAsync();
        var error = await RefusedAsync(t, state, task, "Classify", new() { ["code"] = "ab12", ["kind"] = "green" });
        Assert.That(error.Errors.Keys, Is.EquivalentTo(new[] { "data.code", "data.kind" }));
    }

    [Test]
    public async Task A_required_comment_is_required()
    {
        var (t, state, task) = await OpenAsync();
        var error = await RefusedAsync(t, state, task, "Reject");
        Assert.That(error.Errors.Keys, Is.EqualTo(new[] { "comment" }));
    }

    [Test]
    public async Task An_action_without_comment_refuses_one()
    {
        var (t, state, task) = await OpenAsync();
        var error = await RefusedAsync(t, state, task, "Silent", comment: "hello");
        Assert.That(error.Errors.Keys, Is.EqualTo(new[] { "comment" }));
    }

    [Test]
    public async Task A_legacy_action_without_fields_accepts_only_its_required_field_names()
    {
        var (t, state, task) = await OpenAsync();
        var error = await RefusedAsync(t, state, task, "Legacy", new() { ["note"] = "x", ["fee"] = 1m });
        Assert.That(error.Errors.Keys, Is.EqualTo(new[] { "data.fee" }));
        var missing = await RefusedAsync(t, state, task, "Legacy");
        Assert.That(missing.Errors.Keys, Is.EqualTo(new[] { "data.note" }));
        state = await t.Host.CompleteTaskAsync(task.Id, "Legacy", TestHost.User("D1"), data: new Dictionary<string, object?> { ["note"] = "kept" });
        Assert.That(state.Variables["note"], Is.EqualTo("kept"));
    }

    [Test]
    public async Task A_field_aimed_at_a_read_only_variable_is_refused_at_run_time()
    {
        var (t, state, task) = await OpenAsync();
        var error = await RefusedAsync(t, state, task, "ForgeReadOnly", new() { ["ledger"] = new List<object?> { 400m } });
        Assert.That(error.Errors["data.ledger"], Has.One.Contains("read-only"));
    }

    [Test]
    public async Task A_field_aimed_at_an_activity_output_is_refused_at_run_time()
    {
        var (t, state, task) = await OpenAsync();
        var error = await RefusedAsync(t, state, task, "ForgeOutput", new() { ["headroom"] = 5m });
        Assert.That(error.Errors["data.headroom"], Has.One.Contains("written by an activity"));
    }

    [Test]
    public async Task DescribeActions_carries_the_form_and_the_comment_mode()
    {
        var (t, state, task) = await OpenAsync();
        var actions = t.Engine.DescribeActions(t.Host.Definition("form"), t.State(state.Id), task.Id, TestHost.User("D1")).ToDictionary(a => a.Name);
        Assert.That(actions["SetFee"].Fields.Single().Name, Is.EqualTo("fee"));
        Assert.That(actions["SetFee"].Fields.Single().Minimum, Is.EqualTo(0m));
        Assert.That(actions["Reject"].Comment, Is.EqualTo("required"));
        Assert.That(actions["Silent"].Comment, Is.EqualTo("none"));
        Assert.That(actions["Legacy"].Fields.Single().Name, Is.EqualTo("note"));
    }

    [Test]
    public async Task An_unknown_start_input_is_refused()
    {
        var t = Host();
        var error = await Expect.Throws<WorkflowValidationException>(() => t.Host.StartAsync("form", new Dictionary<string, object?> { ["amount"] = 1m, ["currency"] = "USD", ["extra"] = 1m }));
        Assert.That(error.Errors.Keys, Is.EqualTo(new[] { "input.extra" }));
        Assert.That(t.Host.Instances, Is.Empty);
    }

    [TestCase("-5", "USD", "greater than 0")]
    [TestCase("5", "ZZZ", "ISO 4217")]
    [TestCase("5.001", "USD", "decimal places for USD")]
    public async Task Start_inputs_are_checked_against_their_constraints(string amount, string currency, string message)
    {
        var t = Host();
        var error = await Expect.Throws<WorkflowValidationException>(() => t.Host.StartAsync("form", new Dictionary<string, object?>
        {
            ["amount"] = decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), ["currency"] = currency,
        }));
        Assert.That(error.Errors.Values.SelectMany(v => v), Has.Some.Contains(message));
        Assert.That(t.Host.Instances, Is.Empty);
    }

    [Test]
    public async Task A_domain_input_is_refused_from_an_ordinary_start()
    {
        var t = Host();
        var error = await Expect.Throws<WorkflowValidationException>(() => t.Host.StartAsync("form", new Dictionary<string, object?> { ["amount"] = 1m, ["currency"] = "USD", ["available"] = 1_000_000m }));
        Assert.That(error.Errors.Keys, Is.EqualTo(new[] { "input.available" }));
    }

    [Test]
    public async Task A_domain_input_is_accepted_when_the_domain_route_supplies_it()
    {
        var t = Host();
        var state = await t.Host.StartAsync("form", new Dictionary<string, object?> { ["amount"] = 1m, ["currency"] = "USD", ["available"] = 50m },
            domainInputs: new HashSet<string> { "available" });
        Assert.That(state.Variables["available"], Is.EqualTo(50m));
    }
}

/// <summary>Publish-time checks of forms and input constraints, each reported at its JSON pointer.</summary>
public sealed class FormValidationTests
{
    private static readonly WorkflowValidator Validator = new(new TestHost().Registry);

    private static IReadOnlyList<ValidationError> Validate(string fieldsJson, params InputDefinition[] inputs)
    {
        var flow = FlowBuilder.Create("v").Variable("amount", "number").Variable(new VariableDefinition("locked", "string") { ReadOnly = true })
            .Start().Task("t1", "D1", null, null, false, new TaskAction("Go") { FieldsJson = fieldsJson }).End()
            .Chain("Done", "start", "t1").Connect("t1", "Go", "end");
        foreach (var input in inputs) flow.Input(input);
        return Validator.Validate(flow.Build());
    }

    private const string At = "/activities/1/inputs/actions/0";

    [Test]
    public void A_well_formed_form_is_valid() =>
        Assert.That(Validate("""[{ "name": "amount", "type": "number", "minimum": 0, "validation": { "expression": "value > 0" } }]"""), Is.Empty);

    [Test]
    public void Field_names_are_unique() =>
        Assert.That(Validate("""[{ "name": "a" }, { "name": "a" }]""").Select(e => e.Path), Is.EqualTo(new[] { $"{At}/fields/1/name" }));

    [Test]
    public void Field_names_are_identifiers() =>
        Assert.That(Validate("""[{ "name": "a b" }]""").Select(e => e.Path), Is.EqualTo(new[] { $"{At}/fields/0/name" }));

    [Test]
    public void Field_types_are_known() =>
        Assert.That(Validate("""[{ "name": "a", "type": "money" }]""").Select(e => e.Path), Is.EqualTo(new[] { $"{At}/fields/0/type" }));

    [Test]
    public void A_pattern_must_compile() =>
        Assert.That(Validate("""[{ "name": "a", "pattern": "([" }]""").Select(e => e.Path), Is.EqualTo(new[] { $"{At}/fields/0/pattern" }));

    [Test]
    public void A_validation_expression_must_be_boolean() =>
        Assert.That(Validate("""[{ "name": "a", "type": "number", "validation": { "expression": "value + 1" } }]""").Select(e => e.Path), Is.EqualTo(new[] { $"{At}/fields/0/validation/expression" }));

    [Test]
    public void A_target_variable_must_exist() =>
        Assert.That(Validate("""[{ "name": "a", "variable": "nope" }]""").Select(e => e.Path), Is.EqualTo(new[] { $"{At}/fields/0/variable" }));

    [Test]
    public void A_field_may_not_target_a_read_only_variable() =>
        Assert.That(Validate("""[{ "name": "a", "variable": "locked" }]""").Select(e => e.Path), Is.EqualTo(new[] { $"{At}/fields/0/variable" }));

    [Test]
    public void Minimum_may_not_exceed_maximum() =>
        Assert.That(Validate("""[{ "name": "a", "type": "number", "minimum": 5, "maximum": 1 }]""").Select(e => e.Path), Is.EqualTo(new[] { $"{At}/fields/0/minimum" }));

    [Test]
    public void Malformed_fields_are_a_validation_error_not_an_exception()
    {
        Assert.That(Validate("""[{ "name": "a", "required": "yes" }]""").Select(e => e.Path), Does.Contain($"{At}/fields/0"));
        Assert.That(Validate("""[ 5 ]""").Select(e => e.Path), Does.Contain($"{At}/fields/0"));
        Assert.That(Validate("""{ "name": "a" }""").Select(e => e.Path), Does.Contain($"{At}/fields"));
    }

    [Test]
    public void Currency_input_must_name_another_input() =>
        Assert.That(Validate("[]", new InputDefinition("amount", "number") { CurrencyInput = "currency" }).Select(e => e.Path), Is.EqualTo(new[] { "/inputs/0/currencyInput" }));

    [Test]
    public void Scale_is_between_0_and_18() =>
        Assert.That(Validate("[]", new InputDefinition("amount", "number") { Scale = 19 }).Select(e => e.Path), Is.EqualTo(new[] { "/inputs/0/scale" }));
}
