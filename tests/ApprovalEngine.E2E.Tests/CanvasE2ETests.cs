namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The designer's canvas (issue 14) in chromium at 1280×800 against the real server on PostgreSQL and the shipped
/// wd-request flow, one scenario per test (designer/e2e/canvas-scenarios.mjs, run as
/// <c>run.mjs --suite canvas --only &lt;key&gt;</c>). The scenarios edit in the browser only and save nothing.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CanvasE2ETests() : NodeSuiteFixture("canvas", "e2e_canvas")
{
    [Test]
    public Task Renamed_added_and_inserted_actions_drag_and_draw_at_once_and_a_vanished_outcome_fails_validate() => Scenario("canvas-handles");

    [Test]
    public Task Wd_request_opens_readable_at_1280_in_named_lanes_without_overlaps_and_auto_layout_changes_nothing() => Scenario("canvas-readable");

    [Test]
    public Task Find_a_node_centres_and_selects_it() => Scenario("canvas-find");

    [Test]
    public Task Each_edge_of_a_bundle_is_selected_by_its_own_click_and_edges_are_named_in_words() => Scenario("canvas-edges");

    [Test]
    public Task Toolbar_is_one_row_at_1280_the_map_covers_no_node_and_user_task_leads_the_palette() => Scenario("canvas-toolbar");
}
