namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The crypto configuration screens in chromium at 1280×800 against the real server on PostgreSQL, one scenario per
/// test (designer/e2e/crypto-scenarios.mjs, run as <c>run.mjs --suite crypto --only &lt;key&gt;</c>).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CryptoE2ETests() : NodeSuiteFixture("crypto", "e2e_crypto")
{
    [Test]
    public Task Configurer_adds_edits_and_disables_a_coin_with_field_errors_and_sees_the_journal() => Scenario("crypto-coins-edit");

    [Test]
    public Task Checker_reads_the_coins_without_edit_controls_and_another_department_has_no_link() => Scenario("crypto-coins-readonly");

    [Test]
    public Task Fewer_confirmations_wait_for_a_second_configurer_who_approves_them_under_pending_changes() => Scenario("crypto-coins-four-eyes");
}
