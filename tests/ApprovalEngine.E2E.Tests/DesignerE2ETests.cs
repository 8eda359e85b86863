namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The designer and inbox scenarios (designer/e2e/scenarios.mjs, the "main" suite) in chromium against the real server
/// on PostgreSQL, one NUnit test per scenario (<c>run.mjs --suite main --only &lt;key&gt;</c>) so that a failure names its
/// scenario. Each scenario prepares what it needs (its own definitions, WD requests and instances), so any one runs
/// alone; the server is shared by the fixture.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DesignerE2ETests() : NodeSuiteFixture("main", "e2e")
{
    [Test]
    public Task Analyst_adds_a_stage_and_submits_a_second_analyst_approves_instances_keep_their_version() => Scenario("designer-publish");

    [Test]
    public Task Cs1_opens_a_task_and_completes_an_action() => Scenario("inbox-complete");

    [Test]
    public Task Forbidden_actions_are_not_offered_and_the_server_refuses_them() => Scenario("inbox-forbidden");

    [Test]
    public Task A_stale_card_is_explained_and_refreshed() => Scenario("inbox-stale");

    [Test]
    public Task Designer_matrix_instance_viewer_and_dry_run_are_shown() => Scenario("views-screenshots");

    [Test]
    public Task A_supervisor_retries_an_incident_and_the_flow_moves_on() => Scenario("incident-retry");

    [Test]
    public Task Backoffice_edits_transactions_and_is_offered_the_export() => Scenario("wd-backoffice-tx");

    [Test]
    public Task An_analyst_gives_an_action_a_form_and_the_draft_holds_exactly_it() => Scenario("forms-designer");

    [Test]
    public Task Analyst1_maps_a_renamed_stage_analyst2_applies_the_migration() => Scenario("migration");

    [Test]
    public Task Dealing1_sets_the_fee_through_the_action_form() => Scenario("forms-inbox-fee");

    [Test]
    public Task The_impact_of_a_draft_on_recent_instances_is_shown_at_1280x800() => Scenario("designer-impact");

    [Test]
    public Task An_analyst_adds_start_triggers_a_bad_cron_is_named_an_event_trigger_is_saved() => Scenario("designer-triggers");

    [Test]
    public Task Submit_with_a_note_the_reviewer_sees_it_with_old_and_new_values_locates_the_node_and_approves() => Scenario("publish-note-review");

    [Test]
    public Task Content_identical_to_the_published_version_is_refused_in_the_publish_dialog() => Scenario("publish-identical");

    [Test]
    public Task Opening_costs_no_404_the_header_tells_published_from_draft_and_the_matrix_shows_the_draft() => Scenario("designer-header");

    [Test]
    public Task Sign_in_has_no_serious_accessibility_violations_and_scripts_are_compressed() => Scenario("a11y-signin");

    [Test]
    public Task Inbox_has_no_serious_accessibility_violations() => Scenario("a11y-inbox");

    [Test]
    public Task Task_card_and_action_dialog_have_no_serious_accessibility_violations() => Scenario("a11y-task-card");

    [Test]
    public Task Designer_pages_have_no_serious_accessibility_violations() => Scenario("a11y-designer");

    [Test]
    public Task Publish_suspend_review_and_reject_dialogs_have_no_serious_accessibility_violations() => Scenario("a11y-dialogs");
}
