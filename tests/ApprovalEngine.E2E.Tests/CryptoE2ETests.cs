namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The crypto configuration screens in chromium at 1280×800 against the real server on PostgreSQL, one scenario per
/// test (designer/e2e/crypto-scenarios.mjs, run as <c>run.mjs --suite crypto --only &lt;key&gt;</c>).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CryptoE2ETests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(4);
    private NodeScenarios.Paths _paths = null!;
    private KestrelServer? _server;
    private string _screenshots = "";

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _paths = NodeScenarios.Require();
        _screenshots = NodeScenarios.Screenshots("crypto");
        _server = await NodeScenarios.StartServerAsync("e2e_crypto", _paths.Dist);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    [Test]
    public Task Configurer_adds_edits_and_disables_a_coin_with_field_errors_and_sees_the_journal() => Scenario("crypto-coins-edit");

    [Test]
    public Task Checker_reads_the_coins_without_edit_controls_and_another_department_has_no_link() => Scenario("crypto-coins-readonly");

    private async Task Scenario(string key)
    {
        if (Environment.GetEnvironmentVariable("E2E_ONLY") is { Length: > 0 } only && !key.Contains(only, StringComparison.Ordinal))
            Assert.Ignore($"E2E_ONLY={only}");
        var (exitCode, output) = await NodeScenarios.RunAsync(_paths, _server!.BaseAddress, _screenshots, Budget, "--suite", "crypto", "--only", key);
        Assert.That(exitCode, Is.Zero, $"node e2e/run.mjs --suite crypto --only {key} failed (exit {exitCode}):\n{output}");
        Assert.That(output, Does.Contain("1 passed, 0 failed"), output);
    }
}
