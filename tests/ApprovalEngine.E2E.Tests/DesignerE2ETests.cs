using System.Diagnostics;
using System.Text;
using ApprovalEngine.Testing;

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
        var root = RepositoryRoot();
        var designer = Path.Combine(root, "designer");
        var dist = Path.Combine(designer, "dist");
        if (!File.Exists(Path.Combine(dist, "index.html")))
            Assert.Fail($"designer/dist is missing: run npm ci && npm run build in designer/ (looked in {dist}).");
        if (!Directory.Exists(Path.Combine(designer, "node_modules", "playwright-core")))
            Assert.Fail("designer/node_modules is missing: run npm ci && npm run build in designer/.");
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
            Assert.Fail($"No chromium at {chromium}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH. Never download a browser.");

        var screenshots = Environment.GetEnvironmentVariable("E2E_SCREENSHOTS") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(TestContext.CurrentContext.TestDirectory, "screenshots");
        if (Directory.Exists(screenshots))
            foreach (var old in Directory.GetFiles(screenshots, "*.png")) File.Delete(old);

        await using var server = new KestrelServer(await SharedPostgres.CreateDatabaseAsync("e2e"), dist);
        server.StartServer();
        using (var http = new HttpClient { BaseAddress = server.BaseAddress })
        {
            // Ready once the scheduler has started, which the host finishes in the background after Kestrel listens.
            var status = 0;
            var healthy = await ApprovalEngine.Testing.Poll.UntilAsync(async () =>
            {
                using var health = await http.GetAsync("/api/health");
                status = (int)health.StatusCode;
                return health.IsSuccessStatusCode;
            }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
            Assert.That(healthy, $"GET /api/health → {status}");
        }
        await TestContext.Progress.WriteLineAsync($"server on {server.BaseAddress}; screenshots in {screenshots}");

        var (exitCode, output) = await RunNodeAsync(designer, server.BaseAddress, screenshots, chromium);
        foreach (var png in Directory.Exists(screenshots) ? Directory.GetFiles(screenshots, "*.png") : [])
            TestContext.AddTestAttachment(png);
        Assert.That(exitCode, Is.Zero, $"node e2e/run.mjs failed (exit {exitCode}):\n{output}");
    }

    private static async Task<(int ExitCode, string Output)> RunNodeAsync(string designer, Uri baseAddress, string screenshots, string chromium)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("NODE") ?? "node")
        {
            WorkingDirectory = designer,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine("e2e", "run.mjs"));
        start.Environment["APPROVALENGINE_URL"] = baseAddress.ToString().TrimEnd('/');
        start.Environment["E2E_SCREENSHOTS"] = screenshots;
        start.Environment["CHROMIUM_PATH"] = chromium;
        start.Environment["APPROVALENGINE_SYSTEM_KEY"] = KestrelServer.SystemKey;
        start.Environment.Remove("E2E_MOCK");

        var output = new StringBuilder();
        using var process = new Process { StartInfo = start };
        void Line(string? line)
        {
            if (line is null) return;
            lock (output) output.AppendLine(line);
            TestContext.Progress.WriteLine(line);
        }
        process.OutputDataReceived += (_, e) => Line(e.Data);
        process.ErrorDataReceived += (_, e) => Line(e.Data);
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            Assert.Fail($"Could not start node ({ex.Message}): install Node 20 or set NODE to its path.");
        }
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        using var timeout = new CancellationTokenSource(Budget);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node e2e/run.mjs did not finish within {Budget.TotalMinutes} minutes:\n{output}");
        }
        process.WaitForExit();
        lock (output) return (process.ExitCode, output.ToString());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ApprovalEngine.sln"))) return dir.FullName;
        throw new InvalidOperationException("ApprovalEngine.sln not found above the test directory.");
    }
}
