using System.Diagnostics;
using System.Text;
using ApprovalEngine.Testing;

namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// What every browser test needs: the built designer, Debian's chromium, the real server on Kestrel, and a way to run
/// <c>designer/e2e/run.mjs</c> against it (exit code 0 = every selected scenario passed).
/// </summary>
internal static class NodeScenarios
{
    public sealed record Paths(string Designer, string Dist, string Chromium);

    public static Paths Require()
    {
        var designer = Path.Combine(RepositoryRoot(), "designer");
        var dist = Path.Combine(designer, "dist");
        if (!File.Exists(Path.Combine(dist, "index.html")))
            Assert.Fail($"designer/dist is missing: run npm ci && npm run build in designer/ (looked in {dist}).");
        if (!Directory.Exists(Path.Combine(designer, "node_modules", "playwright-core")))
            Assert.Fail("designer/node_modules is missing: run npm ci && npm run build in designer/.");
        var chromium = Environment.GetEnvironmentVariable("CHROMIUM_PATH") ?? "/usr/bin/chromium";
        if (!File.Exists(chromium))
            Assert.Fail($"No chromium at {chromium}: install Debian's (apt-get install -y chromium) or set CHROMIUM_PATH. Never download a browser.");
        return new Paths(designer, dist, chromium);
    }

    /// <summary>The screenshot folder (E2E_SCREENSHOTS, or screenshots/ beside the tests), emptied of earlier PNGs.</summary>
    public static string Screenshots(string? subfolder = null)
    {
        var root = Environment.GetEnvironmentVariable("E2E_SCREENSHOTS") is { Length: > 0 } configured
            ? Path.GetFullPath(configured)
            : Path.Combine(TestContext.CurrentContext.TestDirectory, "screenshots");
        var dir = subfolder is null ? root : Path.Combine(root, subfolder);
        if (Directory.Exists(dir))
            foreach (var old in Directory.GetFiles(dir, "*.png")) File.Delete(old);
        return dir;
    }

    public static async Task<KestrelServer> StartServerAsync(string database, string dist, IReadOnlyDictionary<string, string?>? settings = null)
    {
        var server = new KestrelServer(await SharedPostgres.CreateDatabaseAsync(database), dist, settings);
        server.StartServer();
        using var http = new HttpClient { BaseAddress = server.BaseAddress };
        // Ready once the scheduler has started, which the host finishes in the background after Kestrel listens.
        var status = 0;
        var healthy = await Poll.UntilAsync(async () =>
        {
            using var health = await http.GetAsync("/api/health");
            status = (int)health.StatusCode;
            return health.IsSuccessStatusCode;
        }, TimeSpan.FromSeconds(60), TimeSpan.FromMilliseconds(200));
        if (!healthy)
        {
            await server.DisposeAsync();
            Assert.Fail($"GET /api/health → {status}");
        }
        return server;
    }

    public static async Task<(int ExitCode, string Output)> RunAsync(Paths paths, Uri baseAddress, string screenshots, TimeSpan budget, params string[] arguments)
    {
        var start = new ProcessStartInfo(Environment.GetEnvironmentVariable("NODE") ?? "node")
        {
            WorkingDirectory = paths.Designer,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine("e2e", "run.mjs"));
        foreach (var a in arguments) start.ArgumentList.Add(a);
        start.Environment["APPROVALENGINE_URL"] = baseAddress.ToString().TrimEnd('/');
        start.Environment["E2E_SCREENSHOTS"] = screenshots;
        start.Environment["CHROMIUM_PATH"] = paths.Chromium;
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
        using var timeout = new CancellationTokenSource(budget);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            Assert.Fail($"node e2e/run.mjs did not finish within {budget.TotalMinutes} minutes:\n{output}");
        }
        process.WaitForExit();
        foreach (var png in Directory.Exists(screenshots) ? Directory.GetFiles(screenshots, "*.png") : [])
            TestContext.AddTestAttachment(png);
        lock (output) return (process.ExitCode, output.ToString());
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "ApprovalEngine.sln"))) return dir.FullName;
        throw new InvalidOperationException("ApprovalEngine.sln not found above the test directory.");
    }
}
