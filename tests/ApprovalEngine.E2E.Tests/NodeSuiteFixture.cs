using System.Reflection;
using System.Text.Json;

namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// One browser suite (designer/e2e/&lt;suite&gt;-scenarios.mjs) against a real server on PostgreSQL of its own: the
/// derived fixture declares one NUnit test per scenario, so a failure names its scenario. The suite runs once, in one
/// node process and one chromium at 1280×800 (<c>run.mjs --suite &lt;suite&gt; --results &lt;file&gt;</c>), when the
/// first test asks; each test then reports its own scenario's result. Starting node and chromium once per suite instead
/// of once per scenario saves about 7 s a scenario, which the CI budget needs. Every scenario prepares what it needs,
/// so none depends on another having run; <c>E2E_ONLY=&lt;key or text&gt;</c> runs only the matching scenarios.
/// </summary>
public abstract class NodeSuiteFixture(string suite, string database)
{
    // A hung browser is stopped after this long per scenario the fixture declares (a scenario takes 5–30 s).
    private static readonly TimeSpan PerScenario = TimeSpan.FromSeconds(120);
    private NodeScenarios.Paths _paths = null!;
    private KestrelServer? _server;
    private string _screenshots = "";
    private Run? _run;

    private sealed record Result(string Key, string Name, bool Passed, long Ms, string? Error);

    private sealed record Run(int ExitCode, string Output, IReadOnlyList<Result> Results);

    [OneTimeSetUp]
    public async Task StartServer()
    {
        _paths = NodeScenarios.Require();
        _screenshots = NodeScenarios.Screenshots(suite);
        _server = await NodeScenarios.StartServerAsync(database, _paths.Dist, await ServerSettingsAsync());
    }

    /// <summary>Settings of this suite's server beyond the common ones (e.g. an identity provider the suite starts first).</summary>
    protected virtual Task<IReadOnlyDictionary<string, string?>> ServerSettingsAsync() => Task.FromResult<IReadOnlyDictionary<string, string?>>(new Dictionary<string, string?>());

    [OneTimeTearDown]
    public async Task StopServer()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    private async Task<Run> RunSuiteAsync()
    {
        if (_run is not null) return _run;
        var declared = GetType().GetMethods().Count(m => m.GetCustomAttribute<TestAttribute>() is not null);
        var file = Path.Combine(Path.GetTempPath(), $"e2e-{suite}-{Guid.NewGuid():N}.json");
        var arguments = new List<string> { "--suite", suite, "--results", file };
        if (Environment.GetEnvironmentVariable("E2E_ONLY") is { Length: > 0 } only) arguments.AddRange(["--only", only]);
        var (exitCode, output) = await NodeScenarios.RunAsync(_paths, _server!.BaseAddress, _screenshots, PerScenario * Math.Max(1, declared), [.. arguments]);
        IReadOnlyList<Result> results = [];
        if (File.Exists(file))
        {
            using var json = JsonDocument.Parse(await File.ReadAllTextAsync(file));
            results = [.. json.RootElement.GetProperty("results").EnumerateArray().Select(r => new Result(
                r.GetProperty("key").GetString()!, r.GetProperty("name").GetString()!, r.GetProperty("passed").GetBoolean(),
                r.GetProperty("ms").GetInt64(), r.TryGetProperty("error", out var e) ? e.GetString() : null))];
            File.Delete(file);
        }
        return _run = new Run(exitCode, output, results);
    }

    protected async Task Scenario(string key)
    {
        if (Environment.GetEnvironmentVariable("E2E_ONLY") is { Length: > 0 } only && key != only && !key.Contains(only, StringComparison.Ordinal))
            Assert.Ignore($"E2E_ONLY={only}");
        var run = await RunSuiteAsync();
        var mine = run.Results.Where(r => r.Key == key).ToList();
        // a renamed scenario must not pass by running nothing
        Assert.That(mine, Has.Count.EqualTo(1),
            $"run.mjs --suite {suite} reported no single scenario with the key '{key}' (exit {run.ExitCode}):\n{run.Output}");
        var result = mine[0];
        await TestContext.Progress.WriteLineAsync($"{suite}/{key}: {(result.Passed ? "passed" : "FAILED")} in {result.Ms} ms");
        Assert.That(result.Passed, Is.True, $"{result.Name} failed:\n{result.Error}\n\n--- run.mjs --suite {suite} output ---\n{run.Output}");
    }
}
