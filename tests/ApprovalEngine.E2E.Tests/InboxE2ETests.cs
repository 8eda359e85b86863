namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The inbox for real work (issue 14) in chromium at 1280×800 against the real server on PostgreSQL and the shipped
/// wd-request flow, one scenario per test (designer/e2e/inbox-scenarios.mjs, run as
/// <c>run.mjs --suite inbox --only &lt;key&gt;</c>). Each scenario makes its own sandbox trading accounts.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class InboxE2ETests() : NodeSuiteFixture("inbox", "e2e_inbox")
{
    [Test]
    public Task Rows_show_customer_account_and_amount_and_the_subject_search_finds_one() => Scenario("inbox-columns");

    [Test]
    public Task Status_all_shows_completed_tasks_closed_and_the_remembered_filter_is_shown_and_cleared() => Scenario("inbox-closed");

    [Test]
    public Task A_comment_shows_in_the_history_without_a_reload_in_business_words() => Scenario("inbox-history");

    [Test]
    public Task A_409_from_the_same_user_in_another_tab_says_so_and_keeps_the_typed_comment() => Scenario("inbox-stale");

    [Test]
    public Task A_401_says_the_session_expired_and_the_typed_comment_survives_signing_in_again() => Scenario("inbox-expired");
}
