namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// Editing without losing work (issue 14) in chromium at 1280×800 against the real server on PostgreSQL and shipped
/// flows, one scenario per test (designer/e2e/editing-scenarios.mjs, run as <c>run.mjs --suite editing --only &lt;key&gt;</c>):
/// the dry run past outside calls, the unsaved-changes prompt, re-authentication while saving, saving an invalid
/// draft that publishing refuses, and named controls and focus-trapping dialogs in the designer panels.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class EditingE2ETests() : NodeSuiteFixture("editing", "e2e_editing")
{
    [Test]
    public Task Dry_run_of_the_coin_withdrawal_continues_past_its_jobs_child_and_event_to_the_end() => Scenario("dry-run-job");

    [Test]
    public Task Leaving_with_unsaved_changes_asks_and_stay_keeps_them() => Scenario("unsaved-prompt");

    [Test]
    public Task A_401_while_saving_asks_to_sign_in_again_and_the_save_then_succeeds_with_the_edits() => Scenario("reauth-save");

    [Test]
    public Task An_invalid_draft_is_saved_with_its_problems_and_publish_is_refused_listing_them() => Scenario("invalid-draft");

    [Test]
    public Task The_flow_and_user_task_panels_have_no_unnamed_controls_and_dialogs_trap_focus() => Scenario("named-controls");
}
