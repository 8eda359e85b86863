namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// Runs designer/e2e/run.mjs (playwright-core driving Debian's chromium) against the real server on PostgreSQL:
/// an analyst adds a stage in the designer and submits it for publishing, a second analyst reviews the diff and approves
/// it (the submitter cannot: the button is disabled and the server refuses; new instances follow, old ones keep their version),
/// operators complete tasks in the inbox, forbidden actions are not offered, a stale card is explained, and
/// screenshots of the designer, matrix, instance viewer, dry run and inbox are saved.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class DesignerE2ETests
{
    // nine scenarios on a shared CI machine take 3–5 minutes; the budget only stops a hung browser
    private static readonly TimeSpan Budget = TimeSpan.FromMinutes(8);

    [Test]
    public async Task Designer_and_inbox_scenarios_pass_against_the_real_server()
    {
        var paths = NodeScenarios.Require();
        var screenshots = NodeScenarios.Screenshots();
        await using var server = await NodeScenarios.StartServerAsync("e2e", paths.Dist);
        await TestContext.Progress.WriteLineAsync($"server on {server.BaseAddress}; screenshots in {screenshots}");

        var (exitCode, output) = await NodeScenarios.RunAsync(paths, server.BaseAddress, screenshots, Budget);
        Assert.That(exitCode, Is.Zero, $"node e2e/run.mjs failed (exit {exitCode}):\n{output}");
    }
}
