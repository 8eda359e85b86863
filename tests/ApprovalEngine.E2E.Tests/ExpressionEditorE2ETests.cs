namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The designer's expression editor (issue 14, item 7) in chromium at 1280×800 against the real server on PostgreSQL
/// and a draft copy of the shipped wd-request flow, one scenario per test (designer/e2e/exprs-scenarios.mjs, run as
/// <c>run.mjs --suite exprs --only &lt;key&gt;</c>).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class ExpressionEditorE2ETests() : NodeSuiteFixture("exprs", "e2e_exprs")
{
    [Test]
    public Task A_guard_over_start_inputs_is_not_flagged_inline_and_Validate_agrees() => Scenario("exprs-start-input");

    [Test]
    public Task An_unknown_variable_shows_once_at_one_place_the_same_as_Validate() => Scenario("exprs-one-position");

    [Test]
    public Task Keyboard_only_autocomplete_offers_an_activity_output_and_a_server_function() => Scenario("exprs-autocomplete-keyboard");
}
