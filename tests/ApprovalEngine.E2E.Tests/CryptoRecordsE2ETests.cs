namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The crypto record pages (issue 13) in chromium at 1280×800 against the real server on PostgreSQL, one scenario per
/// test (designer/e2e/crypto-records-scenarios.mjs, run as <c>run.mjs --suite crypto-records --only &lt;key&gt;</c>).
/// Each scenario starts its records on the shipped flows through the API.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CryptoRecordsE2ETests() : NodeSuiteFixture("crypto-records", "e2e_crypto_records")
{
    [Test]
    public Task Checker_searches_deposits_by_customer_and_status_exports_them_and_sees_the_cancellation_and_the_progress_bar() => Scenario("crypto-deposits");

    [Test]
    public Task Maker_finds_a_withdrawal_by_record_number_and_sees_the_work_order_approval_and_the_progress() => Scenario("crypto-withdrawals");
}
