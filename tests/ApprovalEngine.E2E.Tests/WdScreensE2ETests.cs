namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The WD screens that were API only (issue 13) in chromium at 1280×800 against the real server on PostgreSQL and the
/// shipped wd-request flow, one scenario per test (designer/e2e/wd-scenarios.mjs, run as
/// <c>run.mjs --suite wd --only &lt;key&gt;</c>). Each scenario makes its own sandbox trading account.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class WdScreensE2ETests() : NodeSuiteFixture("wd", "e2e_wd_screens")
{
    [Test]
    public Task Cs1_creates_a_wd_request_the_servers_amount_errors_show_at_the_field_and_others_have_no_create_button() => Scenario("wd-create");

    [Test]
    public Task Cs1_comments_on_the_card_without_a_reload_and_only_the_client_area_cancels() => Scenario("wd-comment");

    [Test]
    public Task Supervisor_mass_edits_two_requests_to_dealing_a_final_one_is_refused_and_bo1_is_not_offered_it() => Scenario("wd-mass-edit");
}
