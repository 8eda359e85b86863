using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using ApprovalEngine.LoadTest;
using ApprovalEngine.Testing;

BenchOptions options;
try
{
    options = BenchOptions.Parse(args);
}
catch (HelpRequestedException)
{
    Console.WriteLine(BenchOptions.Help);
    return 0;
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    // Stop measuring and fall through to the clean-up below (server processes, PostgreSQL).
    e.Cancel = true;
    cancel.Cancel();
};
using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c =>
{
    c.Cancel = true;
    cancel.Cancel();
});
var ct = cancel.Token;

var repoRoot = FindRepoRoot();
var serverRoot = options.SourceDirectory ?? repoRoot;
if (!File.Exists(Path.Combine(serverRoot, "ApprovalEngine.sln")))
{
    Console.Error.WriteLine($"{serverRoot} holds no ApprovalEngine.sln.");
    return 2;
}
var started = DateTimeOffset.UtcNow;
var loadAtStart = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
var work = Path.Combine(Path.GetTempPath(), $"ae-bench-{started:yyyyMMddHHmmss}");
Directory.CreateDirectory(work);
var clock = Stopwatch.StartNew();
void Log(string line) => Console.WriteLine($"[{clock.Elapsed:mm\\:ss}] {line}");

PostgresServer? pg = null;
ServerNode? node = null;
var report = new Report();
var exitCode = 0;
try
{
    if (options.Build)
    {
        Log("building the server in Release");
        await ServerNode.BuildAsync(serverRoot, ct);
    }
    Log("starting PostgreSQL (fsync on, synchronous_commit on, pg_stat_statements)");
    pg = await PostgresServer.StartAsync(new PostgresServerOptions
    {
        Durable = true,
        AllowExternal = false,
        MaxConnections = 400,
        Settings =
        [
            new("shared_preload_libraries", "pg_stat_statements"),
            new("pg_stat_statements.track", "all"),
            new("pg_stat_statements.track_utility", "on"),
            new("pg_stat_statements.max", "10000"),
            new("shared_buffers", "256MB"),
            new("max_wal_size", "4GB"),
        ],
    }, ct);
    var appConnection = await pg.CreateDatabaseAsync("approval");
    var appDatabase = new Npgsql.NpgsqlConnectionStringBuilder(appConnection).Database!;
    var db = new Database(pg.ConnectionString("postgres"), appConnection, appDatabase, pg.BinDirectory!);
    await db.InstallStatementsAsync(ct);

    Log($"pgbench -i -s {options.PgbenchScale}; then {options.PgbenchClients} clients, -j 2, {options.PgbenchSeconds} s");
    var (tps, pgbenchOutput) = await db.RunPgbenchAsync(pg.Host, pg.Port, "pgbench", options.PgbenchScale, options.PgbenchClients, options.PgbenchSeconds, ct);
    report.PgbenchTps = tps;
    report.PgbenchSummary = $"scale {options.PgbenchScale}, {options.PgbenchClients} clients, -j 2, {options.PgbenchSeconds} s, same server, run before the server started";
    Log($"  pgbench: {tps:0} tps");
    await File.WriteAllTextAsync(Path.Combine(work, "pgbench.txt"), pgbenchOutput, ct);

    Log("starting the server (Release, Development, PostgreSQL)");
    node = await ServerNode.StartAsync(serverRoot, appConnection, "node1", work, ct);
    Log($"  ready on {node.BaseAddress} (pid {node.ProcessId}), RSS MiB {node.Memory()}");
    var harness = new Harness(options, db, report, serverRoot, work, Log);
    await harness.PrepareAsync(node, ct);

    async Task Run(int scenario, Func<CancellationToken, Task> body)
    {
        if (!options.Scenarios.Contains(scenario)) return;
        try
        {
            await body(ct);
        }
        catch (Exception ex) when (ex is RequestFailedException or InvalidOperationException or Npgsql.NpgsqlException or TimeoutException && !ct.IsCancellationRequested)
        {
            // One broken scenario must not hide the others' figures; the failure is in the report.
            Log($"  scenario {scenario} FAILED: {ex.Message}");
            report.AddSection($"**Scenario {scenario} failed:** {ex.GetType().Name}: {ex.Message.ReplaceLineEndings(" ")}");
            exitCode = 1;
        }
    }

    await Run(1, harness.TaskCompletionAsync);
    await Run(2, harness.FullFlowAsync);
    await Run(3, harness.StartsAsync);
    await Run(4, harness.SmallStoreAsync);
    await Run(5, harness.TimersAsync);
    await Run(4, harness.LargeStoreAsync);

    var loadAtEnd = File.ReadAllText("/proc/loadavg").Trim();
    var settings = await db.SettingsAsync(["server_version", "fsync", "synchronous_commit", "full_page_writes", "wal_sync_method", "shared_buffers", "max_wal_size", "max_connections", "shared_preload_libraries"], ct);
    var markdown = report.ToMarkdown(Header(options, started, loadAtStart, loadAtEnd, settings, serverRoot), Method(options));
    Console.WriteLine();
    Console.WriteLine(markdown);
    var results = options.ResultsDirectory ?? Path.Combine(repoRoot, "bench", "results");
    Directory.CreateDirectory(results);
    var file = Path.Combine(results, $"{started:yyyy-MM-ddTHHmm}Z-{Environment.ProcessorCount}cores{(options.Quick ? "-quick" : "")}.md");
    await File.WriteAllTextAsync(file, markdown, CancellationToken.None);
    Log($"written to {file} ({clock.Elapsed.TotalMinutes:0.0} min)");
}
catch (OperationCanceledException) when (ct.IsCancellationRequested)
{
    Log("cancelled; stopping the server(s) and PostgreSQL");
    exitCode = 130;
}
catch (Exception ex)
{
    Log($"FAILED: {ex}");
    exitCode = 1;
}
finally
{
    if (node is not null) await node.DisposeAsync();
    if (pg is not null) await pg.StopAsync();
    Log($"server logs and pgbench output in {work}");
}
return exitCode;

static string FindRepoRoot()
{
    foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
    {
        for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ApprovalEngine.sln"))) return dir.FullName;
        }
    }
    throw new InvalidOperationException("Run from inside the repository (no ApprovalEngine.sln above the current directory).");
}

static string Header(BenchOptions o, DateTimeOffset started, string loadStart, string loadEnd, IReadOnlyList<(string Name, string Setting)> settings, string repoRoot)
{
    var cpu = File.Exists("/proc/cpuinfo")
        ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "?"
        : "?";
    var isCheckout = Directory.Exists(Path.Combine(repoRoot, ".git")) || File.Exists(Path.Combine(repoRoot, ".git"));
    var code = isCheckout
        ? $"`{Git(repoRoot, "rev-parse --short HEAD")}` {Git(repoRoot, "log -1 --format=%s")}; src/ last changed in `{Git(repoRoot, "log -1 --format=%h -- src")}`{(Git(repoRoot, "status --porcelain -- src").Length > 0 ? " (src/ has uncommitted changes)" : "")}"
        : $"the source tree at `{repoRoot}` (not a git checkout{(File.Exists(Path.Combine(repoRoot, "SOURCE_COMMIT")) ? "; SOURCE_COMMIT: " + File.ReadAllText(Path.Combine(repoRoot, "SOURCE_COMMIT")).Trim() : "")})";
    var pg = string.Join(", ", settings.Select(s => $"{s.Name}={s.Setting}"));
    return $"""
        # HTTP benchmark {started:yyyy-MM-dd HH:mm} UTC{(o.Quick ? " (--quick)" : "")}

        - Server code: {code}
        - Machine: {Environment.ProcessorCount} cores, {cpu}; {RuntimeInformation.OSDescription}; {RuntimeInformation.FrameworkDescription}
        - PostgreSQL: {pg}; loopback TCP; data directory on the local disk
        - Load average (1/5/15 min) at start: {loadStart}; at end: {loadEnd}. The machine is shared (others build and test on it), so the figures are noisy: compare ratios within one run, not across runs.
        - Phases: {o.DurationSeconds} s each; task pool {o.TaskPool:N0}; bulk load to {o.Instances:N0} instances, {o.Versions} versions; {o.Timers:N0} timers per batch.

        """;
}

static string Git(string repoRoot, string arguments)
{
    try
    {
        var info = new ProcessStartInfo("git", arguments) { WorkingDirectory = repoRoot, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        using var p = Process.Start(info)!;
        var output = p.StandardOutput.ReadToEnd().Trim();
        p.WaitForExit();
        return output;
    }
    catch (System.ComponentModel.Win32Exception)
    {
        return "?";
    }
}

static string Method(BenchOptions o) => string.Create(CultureInfo.InvariantCulture, $"""
    ### Method

    One process runs everything in one go: a throwaway PostgreSQL 15 (fsync, synchronous_commit and full_page_writes on;
    pg_stat_statements loaded), `pgbench -i -s {o.PgbenchScale}` and the TPC-B-like default script with {o.PgbenchClients}
    clients (-j 2) in a separate database of the same server before the engine starts (its tps is the yardstick: one
    commit per transaction, what the disk and this machine allow), then the server built in Release as a child process
    (Development: development identities and sandbox adapters; log level Warning) on a free loopback port, and a
    closed-loop HTTP load generator (N workers, HttpClient with at most N connections; each worker sends its next
    operation when the previous one answered). Latency is per operation, from sending to the whole answer read, exact
    (every sample kept and sorted; nearest rank). Any answer other than 2xx or a failed connection is an error: counted,
    listed in the notes, never retried, not in the latencies. ops/s counts successful operations over the phase's
    wall time. Ratio = ops/s ÷ pgbench tps. Server memory = VmRSS of the server process after the phase (VmHWM, the
    peak since start, in brackets). stmts/op = calls in pg_stat_statements for the application database during the
    phase (reset before it; BEGIN/COMMIT included; the harness's own queries excluded; Quartz's background polling
    included) ÷ operations.

    Scenarios: (1) WD requests are created beforehand (POST /api/wd-requests as cs1 over 256 sandbox accounts; that
    preparation is itself measured) and their CS task is completed with POST /api/wd-requests/:id/actions
    `PassToRetention` as cs1 at each connection level until the phase ends or the prepared tasks run out. (2) One
    operation = a whole WD flow: create (cs1) → PassToRetention (cs1) → PassToDealing (retention1) → PassToBackoffice
    (dealing1) → Approve (bo1, not the creator) → Complete (supervisor1, neither creator nor approver); afterwards the
    harness waits until the database shows them Completed (the ledger transfer runs after the last step commits).
    (3) POST /api/definitions/sample-approval/instances with the development key. (4) At {o.LowLoadConnections} connections:
    GET /api/tasks?department=CS (first page of 50) as cs1, then task completion as in (1), on the store as it is after
    (1)–(3); then the store is grown by SQL to {o.Instances:N0} instances (clones of the finished WD flows of (2) with
    their tasks, journal and card, under new ids; {o.OpenShare:P1} cloned from open WD requests; then VACUUM ANALYZE and CHECKPOINT), wd-request is published
    up to {o.Versions} versions through the API (analyst1 submits, analyst2 approves), and both are measured
    again. (5) A one-timer flow (`WaitUntil` a start input) is published through the API; {o.Timers:N0} instances are
    started (16 connections) with one due moment, and from that moment the harness counts finished instances in the
    database every 100 ms until none is left or {o.TimerWindowSeconds} s have passed: timers/s = finished in the window ÷
    time to the last one (or ÷ the whole window when a backlog was left: the rate while saturated); latencies = how
    late each finished after the due time (only when the batch drained in its window). Then a second server process
    joins on the same database (another port): if the one-node window left a backlog, its rest is the two-node window,
    else a second batch is started through both nodes in turn. What fires the timers (Quartz today, pollers later) does
    not matter to the measurement.

    Before each route's first measured phase a few unmeasured operations warm up JIT, EF Core's caches and the pools.
    """);
