namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The staff accounts admin screen (issue 15, ADR 21) in chromium at 1280×800 against the real server on PostgreSQL
/// (designer/e2e/users-scenarios.mjs, run as <c>run.mjs --suite users</c>), with an axe check of the screen.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class UsersE2ETests() : NodeSuiteFixture("users", "e2e_users")
{
    [Test]
    public Task Admin1_edits_a_configured_user_with_named_fields_an_issued_token_follows_then_disables_it_and_reads_the_journal() => Scenario("users-admin");
}
