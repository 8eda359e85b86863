namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The WD screens that were API only (issue 13) in chromium at 1280×800 against the real server on PostgreSQL and the
/// shipped wd-request flow, one scenario per test (designer/e2e/wd-scenarios.mjs, run as
/// <c>run.mjs --suite wd --only &lt;key&gt;</c>). Each scenario makes its own sandbox trading account.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class WdScreensE2ETests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(4);
    private NodeScenarios.Paths _paths = null!;
    private KestrelServer? _server;
    private string _screenshots = "";

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _paths = NodeScenarios.Require();
        _screenshots = NodeScenarios.Screenshots("wd");
        _server = await NodeScenarios.StartServerAsync("e2e_wd_screens", _paths.Dist);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    [Test]
    public Task Cs1_creates_a_wd_request_the_servers_amount_errors_show_at_the_field_and_others_have_no_create_button() => Scenario("wd-create");

    [Test]
    public Task Cs1_comments_on_the_card_without_a_reload_and_only_the_client_area_cancels() => Scenario("wd-comment");

    [Test]
    public Task Supervisor_mass_edits_two_requests_to_dealing_a_final_one_is_refused_and_bo1_is_not_offered_it() => Scenario("wd-mass-edit");

    private async Task Scenario(string key)
    {
        if (Environment.GetEnvironmentVariable("E2E_ONLY") is { Length: > 0 } only && !key.Contains(only, StringComparison.Ordinal))
            Assert.Ignore($"E2E_ONLY={only}");
        var (exitCode, output) = await NodeScenarios.RunAsync(_paths, _server!.BaseAddress, _screenshots, Budget, "--suite", "wd", "--only", key);
        Assert.That(exitCode, Is.Zero, $"node e2e/run.mjs --suite wd --only {key} failed (exit {exitCode}):\n{output}");
        // a renamed scenario must not pass by running nothing
        Assert.That(output, Does.Contain("1 passed, 0 failed"), output);
    }
}
