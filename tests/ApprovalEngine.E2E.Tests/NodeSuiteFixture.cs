namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// One browser suite (designer/e2e/&lt;suite&gt;-scenarios.mjs) against a real server on PostgreSQL of its own: the
/// derived fixture declares one NUnit test per scenario, each running <c>run.mjs --suite &lt;suite&gt; --only &lt;key&gt;</c>
/// in chromium at 1280×800, so a failure names its scenario.
/// </summary>
public abstract class NodeSuiteFixture(string suite, string database)
{
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(4);
    private NodeScenarios.Paths _paths = null!;
    private KestrelServer? _server;
    private string _screenshots = "";

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _paths = NodeScenarios.Require();
        _screenshots = NodeScenarios.Screenshots(suite);
        _server = await NodeScenarios.StartServerAsync(database, _paths.Dist);
    }

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    protected async Task Scenario(string key)
    {
        // E2E_ONLY=<substring> runs the scenarios whose key contains it, as run.mjs does
        if (Environment.GetEnvironmentVariable("E2E_ONLY") is { Length: > 0 } only && !key.Contains(only, StringComparison.Ordinal))
            Assert.Ignore($"E2E_ONLY={only}");
        var (exitCode, output) = await NodeScenarios.RunAsync(_paths, _server!.BaseAddress, _screenshots, Budget, "--suite", suite, "--only", key);
        Assert.That(exitCode, Is.Zero, $"node e2e/run.mjs --suite {suite} --only {key} failed (exit {exitCode}):\n{output}");
        // a renamed scenario must not pass by running nothing
        Assert.That(output, Does.Contain("1 passed, 0 failed"), output);
    }
}
