using System.Diagnostics;
using NUnit.Framework.Interfaces;

namespace ApprovalEngine.Server.Tests.Chaos;

/// <summary>
/// Owns what a chaos test starts (child servers, in-process servers, clients) and takes it all down after each test,
/// failed or not; on a failure the children's last output lines go to the test's output.
/// </summary>
public abstract class ChaosFixture
{
    private readonly List<ServerProcess> _servers = [];
    private readonly List<object> _owned = [];

    protected Stopwatch Clock { get; private set; } = null!;

    [SetUp]
    public void StartClock() => Clock = Stopwatch.StartNew();

    protected T Own<T>(T disposable) where T : class
    {
        lock (_owned) _owned.Add(disposable);
        return disposable;
    }

    protected async Task<ServerProcess> StartNodeAsync(string name, string connectionString, string cluster, IReadOnlyDictionary<string, string>? settings = null)
    {
        var watch = Stopwatch.StartNew();
        var server = await ServerProcess.StartAsync(name, connectionString, cluster, settings);
        lock (_servers) _servers.Add(server);
        Report($"node {name} (pid {server.ProcessId}) ready in {watch.Elapsed.TotalSeconds:0.0} s at {server.BaseAddress}");
        return server;
    }

    protected void Report(string line) => TestContext.Out.WriteLine($"[{Clock.Elapsed.TotalSeconds,6:0.0} s] {line}");

    /// <summary>Polls <paramref name="condition"/> every <paramref name="every"/> until it holds or <paramref name="within"/> passes.</summary>
    protected static Task<bool> WaitForAsync(Func<Task<bool>> condition, TimeSpan within, TimeSpan? every = null) =>
        ApprovalEngine.Testing.Poll.UntilAsync(condition, within, every ?? TimeSpan.FromMilliseconds(200));

    [TearDown]
    public async Task StopEverythingAsync()
    {
        var failed = TestContext.CurrentContext.Result.Outcome.Status == TestStatus.Failed;
        List<ServerProcess> servers;
        lock (_servers) servers = [.. _servers];
        foreach (var server in servers)
        {
            // Killed before their output is read, so nothing they still print is lost from the report.
            await server.DisposeAsync();
            if (failed) await TestContext.Out.WriteLineAsync(server.Output());
        }
        List<object> owned;
        lock (_owned) owned = [.. _owned];
        owned.Reverse();
        foreach (var item in owned)
        {
            switch (item)
            {
                case IAsyncDisposable a: await a.DisposeAsync(); break;
                case IDisposable d: d.Dispose(); break;
            }
        }
        _servers.Clear();
        _owned.Clear();
    }
}
