namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The crypto record pages (issue 13) in chromium at 1280×800 against the real server on PostgreSQL, one scenario per
/// test (designer/e2e/crypto-records-scenarios.mjs, run as <c>run.mjs --suite crypto-records --only &lt;key&gt;</c>).
/// Each scenario starts its records on the shipped flows through the API.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CryptoRecordsE2ETests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(4);
    private NodeScenarios.Paths _paths = null!;
    private KestrelServer? _server;
    private string _screenshots = "";

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _paths = NodeScenarios.Require();
        _screenshots = NodeScenarios.Screenshots("crypto-records");
        _server = await NodeScenarios.StartServerAsync("e2e_crypto_records", _paths.Dist);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    [Test]
    public Task Checker_searches_deposits_by_customer_and_status_exports_them_and_sees_the_cancellation_and_the_progress_bar() => Scenario("crypto-deposits");

    [Test]
    public Task Maker_finds_a_withdrawal_by_record_number_and_sees_the_work_order_approval_and_the_progress() => Scenario("crypto-withdrawals");

    private async Task Scenario(string key)
    {
        if (Environment.GetEnvironmentVariable("E2E_ONLY") is { Length: > 0 } only && !key.Contains(only, StringComparison.Ordinal))
            Assert.Ignore($"E2E_ONLY={only}");
        var (exitCode, output) = await NodeScenarios.RunAsync(_paths, _server!.BaseAddress, _screenshots, Budget, "--suite", "crypto-records", "--only", key);
        Assert.That(exitCode, Is.Zero, $"node e2e/run.mjs --suite crypto-records --only {key} failed (exit {exitCode}):\n{output}");
        // a renamed scenario must not pass by running nothing
        Assert.That(output, Does.Contain("1 passed, 0 failed"), output);
    }
}
