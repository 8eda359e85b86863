using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Npgsql;

namespace ApprovalEngine.LoadTest;

/// <summary>The scenarios of issue 10 against one running server (and a second one for the two-node timer case).</summary>
internal sealed class Harness(BenchOptions options, Database db, Report report, string repoRoot, string workDirectory, Action<string> log)
{
    private const int Customers = 256;
    private const string TimerFlow = "bench-timer";
    private static readonly TimeSpan Unbounded = TimeSpan.FromHours(1);

    private ServerNode _node = null!;
    private Caller _cs = null!, _retention = null!, _dealing = null!, _backoffice = null!, _supervisor = null!, _analyst = null!, _analyst2 = null!;
    private readonly ConcurrentQueue<string> _pool = new();
    private long _customer;
    private long _timerBatch;
    private double? _startsPerSecond;
    private double? _timerStartsPerSecond;

    private TimeSpan Duration => TimeSpan.FromSeconds(options.DurationSeconds);

    private static readonly Caller DevSystem = Caller.System(Api.DevSystemKey);
    private static readonly Caller BenchSystem = Caller.System(Api.BenchSystemKey);

    public async Task PrepareAsync(ServerNode node, CancellationToken ct)
    {
        _node = node;
        using var api = new Api(node.BaseAddress, 8);
        _cs = await api.SignInAsync("cs1", ct);
        _retention = await api.SignInAsync("retention1", ct);
        _dealing = await api.SignInAsync("dealing1", ct);
        _backoffice = await api.SignInAsync("bo1", ct);
        _supervisor = await api.SignInAsync("supervisor1", ct);
        _analyst = await api.SignInAsync("analyst1", ct);
        _analyst2 = await api.SignInAsync("analyst2", ct);
        // One account per customer: WD creation serialises per customer, and open requests count against the
        // customer's available amount. Open trades route Retention → Dealing (the full path of the issue).
        var accounts = Enumerable.Range(0, Customers).Select(i => api.PutAsync($"/api/sandbox/trading-accounts/BENCH-TA-{i}", new
        {
            customerId = $"BENCH-C-{i}",
            currency = "USD",
            balance = 1_000_000_000m,
            equity = 1_000_000_000m,
            margin = 0m,
            freeMargin = 1_000_000_000m,
            credit = 0m,
            openTrades = 1,
        }, DevSystem, ct));
        await Task.WhenAll(accounts);
        await db.ResetStatementsAsync(ct);
        await Task.Delay(TimeSpan.FromSeconds(5), ct);
        var idle = await db.ReadStatementsAsync(ct);
        report.BackgroundPerSecond = idle.TotalCalls / idle.Window.TotalSeconds;
        report.DumpDirectory = workDirectory;
    }

    private string Memory(params ServerNode[] nodes) => string.Join(" + ", (nodes.Length == 0 ? [_node] : nodes).Select(n => n.Memory().ToString()));

    private async Task<string> CreateWdAsync(Api api, CancellationToken ct)
    {
        var i = Interlocked.Increment(ref _customer) % Customers;
        var card = await api.PostAsync("/api/wd-requests", new
        {
            customerId = $"BENCH-C-{i}",
            tradingAccount = $"BENCH-TA-{i}",
            requestedAmount = 10m,
            currency = "USD",
            comment = "benchmark",
        }, _cs, ct);
        return card?["id"]?.GetValue<string>() ?? throw new RequestFailedException("POST /api/wd-requests", "no id in the answer");
    }

    /// <summary>
    /// A few unmeasured operations before a route's first measured phase: JIT, EF Core's query cache and the connection
    /// pools are warm afterwards, as they are in a server that has been up for a while. Their errors are reported.
    /// </summary>
    private async Task WarmUpAsync(string what, int count, Func<CancellationToken, Task> operation, CancellationToken ct)
    {
        var errors = 0;
        for (var i = 0; i < count; i++)
        {
            try
            {
                await operation(ct);
            }
            catch (RequestFailedException ex)
            {
                if (errors++ == 0) report.AddSection($"**Warm-up error ({what}):** {ex.Message.ReplaceLineEndings(" ")}");
            }
        }
        if (errors > 0) log($"  warm-up of {what}: {errors} of {count} failed");
    }

    private Task<JsonNode?> ActAsync(Api api, string id, string action, Caller who, CancellationToken ct) =>
        api.SendAsync(HttpMethod.Post, $"/api/wd-requests/{id}/actions", new { action }, who, ct, "/api/wd-requests/{id}/actions");

    /// <summary>Tops the pool of WD requests waiting at New (one open CS task each) up to <paramref name="size"/>.</summary>
    private async Task<LoadResult?> FillPoolAsync(int size, int connections, CancellationToken ct)
    {
        var missing = size - _pool.Count;
        if (missing <= 0) return null;
        using var api = new Api(_node.BaseAddress, connections);
        long made = 0;
        return await LoadGenerator.RunAsync("create WD request", connections, Unbounded, async (_, token) =>
        {
            if (Interlocked.Increment(ref made) > missing) return false;
            _pool.Enqueue(await CreateWdAsync(api, token));
            return true;
        }, ct);
    }

    private async Task<(LoadResult Result, StatementReport Statements)> CompleteTasksAsync(int connections, CancellationToken ct)
    {
        using var api = new Api(_node.BaseAddress, connections);
        await db.ResetStatementsAsync(ct);
        var result = await LoadGenerator.RunAsync("complete CS task", connections, Duration, async (_, token) =>
        {
            if (!_pool.TryDequeue(out var id)) return false;
            await ActAsync(api, id, "PassToRetention", _cs, token);
            return true;
        }, ct);
        return (result, await db.ReadStatementsAsync(ct));
    }

    /// <summary>(1) PassToRetention on WD requests at New, through the WD action route, at 1/16/64 connections.</summary>
    public async Task TaskCompletionAsync(CancellationToken ct)
    {
        log("(1) task completion over HTTP");
        using (var api = new Api(_node.BaseAddress, 1))
        {
            await WarmUpAsync("WD creation and completion", 10, async token => await ActAsync(api, await CreateWdAsync(api, token), "PassToRetention", _cs, token), ct);
        }
        var first = true;
        foreach (var connections in options.CompletionConnections)
        {
            if (first) await db.ResetStatementsAsync(ct);
            var fill = await FillPoolAsync(options.TaskPool, 16, ct);
            if (first && fill is not null)
            {
                var statements = await db.ReadStatementsAsync(ct);
                report.Add(ResultRow.From("1", "WD request creation (POST /api/wd-requests, preparation)", fill, statements, Memory(), preparation: true));
                report.AddStatements("(1) WD request creation", statements, fill.Operations);
            }
            first = false;
            var (result, stmts) = await CompleteTasksAsync(connections, ct);
            report.Add(ResultRow.From("1", "task completion (WD PassToRetention)", result, stmts, Memory()));
            report.AddStatements($"(1) task completion at {connections} connections", stmts, result.Operations);
        }
    }

    /// <summary>(2) create → CS → Retention → Dealing → Backoffice approve → Complete, each step by a permitted person.</summary>
    public async Task FullFlowAsync(CancellationToken ct)
    {
        log("(2) full WD flow");
        var connections = options.FlowConnections;
        using var api = new Api(_node.BaseAddress, connections);
        var ids = new ConcurrentBag<string>();
        async Task Flow(string id, CancellationToken token)
        {
            await ActAsync(api, id, "PassToRetention", _cs, token);
            await ActAsync(api, id, "PassToDealing", _retention, token);
            await ActAsync(api, id, "PassToBackoffice", _dealing, token);
            // Four eyes: Approve differs from the creator (cs1); Complete from the creator and the approver (bo1).
            await ActAsync(api, id, "Approve", _backoffice, token);
            await ActAsync(api, id, "Complete", _supervisor, token);
        }
        await WarmUpAsync("full WD flow", 3, async token => await Flow(await CreateWdAsync(api, token), token), ct);
        await db.ResetStatementsAsync(ct);
        var result = await LoadGenerator.RunAsync("full WD flow", connections, Duration, async (_, token) =>
        {
            var id = await CreateWdAsync(api, token);
            await Flow(id, token);
            ids.Add(id);
            return true;
        }, ct);
        var statements = await db.ReadStatementsAsync(ct);
        // The ledger transfer runs after the Complete step commits; the flow counts once the database says Completed.
        var completed = await WaitForAsync(async () => await db.ScalarAsync(
            "SELECT count(*) FROM wd_requests WHERE id = ANY(@ids) AND status = 'Completed'", ct, ("ids", ids.Select(Guid.Parse).ToArray())), ids.Count, TimeSpan.FromSeconds(60), ct);
        report.Add(ResultRow.From("2", "full WD flow (6 requests: create + 5 actions)", result, statements, Memory(),
            $"{completed:N0} of {ids.Count:N0} reached Completed in the database; stmts/op per flow"));
        report.AddStatements("(2) full WD flow", statements, result.Operations);
    }

    /// <summary>(3) POST /api/definitions/sample-approval/instances with the development key.</summary>
    public async Task StartsAsync(CancellationToken ct)
    {
        log("(3) starts");
        var connections = options.StartConnections;
        using var api = new Api(_node.BaseAddress, connections);
        Task Start(CancellationToken token) => api.PostAsync("/api/definitions/sample-approval/instances", new { input = new { amount = 500 } }, DevSystem, token);
        await WarmUpAsync("sample-approval start", 10, Start, ct);
        await db.ResetStatementsAsync(ct);
        var result = await LoadGenerator.RunAsync("start sample-approval", connections, Duration, async (_, token) =>
        {
            await Start(token);
            return true;
        }, ct);
        var statements = await db.ReadStatementsAsync(ct);
        _startsPerSecond = result.PerSecond;
        report.Add(ResultRow.From("3", "start sample-approval (system key)", result, statements, Memory()));
        report.AddStatements("(3) starts", statements, result.Operations);
    }

    private sealed record LowLoad(long Instances, long Tasks, long Journal, int Versions, LoadResult Inbox, LoadResult Completion);

    private LowLoad? _small;

    /// <summary>(4) inbox query and task completion at low load, on the store as it is now (about 1k instances).</summary>
    public async Task SmallStoreAsync(CancellationToken ct)
    {
        log("(4) low load on the small store");
        _small = await LowLoadAsync("4 small", ct);
    }

    /// <summary>(4) the same after bulk-loading to N instances and publishing wd-request up to 20 versions.</summary>
    public async Task LargeStoreAsync(CancellationToken ct)
    {
        log($"(4) bulk load to {options.Instances:N0} instances and {options.Versions} wd-request versions");
        var (added, took) = await BulkLoader.GrowAsync(db.AppConnectionString, options.Instances, options.OpenShare, log, ct);
        var published = await PublishVersionsAsync(options.Versions, ct);
        log($"  bulk load: {added:N0} instances in {took.TotalSeconds:0} s; {published} versions published");
        var large = await LowLoadAsync("4 large", ct);
        if (_small is not { } small) return;
        static string Change(double a, double b) => double.IsNaN(a) || double.IsNaN(b) || a == 0 ? "–" : (b / a).ToString("0.00", CultureInfo.InvariantCulture);
        report.AddSection($"""
            ### (4) large store vs small store

            | | small | large | large ÷ small |
            | --- | ---: | ---: | ---: |
            | stored instances | {small.Instances:N0} | {large.Instances:N0} | {Change(small.Instances, large.Instances)} |
            | task rows | {small.Tasks:N0} | {large.Tasks:N0} | {Change(small.Tasks, large.Tasks)} |
            | journal rows | {small.Journal:N0} | {large.Journal:N0} | {Change(small.Journal, large.Journal)} |
            | wd-request versions | {small.Versions} | {large.Versions} | |
            | inbox query p50 ms | {small.Inbox.Percentile(50):0.0} | {large.Inbox.Percentile(50):0.0} | {Change(small.Inbox.Percentile(50), large.Inbox.Percentile(50))} |
            | inbox query p99 ms | {small.Inbox.Percentile(99):0.0} | {large.Inbox.Percentile(99):0.0} | {Change(small.Inbox.Percentile(99), large.Inbox.Percentile(99))} |
            | task completion p50 ms | {small.Completion.Percentile(50):0.0} | {large.Completion.Percentile(50):0.0} | {Change(small.Completion.Percentile(50), large.Completion.Percentile(50))} |
            | task completion p99 ms | {small.Completion.Percentile(99):0.0} | {large.Completion.Percentile(99):0.0} | {Change(small.Completion.Percentile(99), large.Completion.Percentile(99))} |

            Bulk load: {added:N0} instances cloned by SQL in {took.TotalSeconds:0} s (then VACUUM ANALYZE, CHECKPOINT); {published} versions published through the API (analyst1 submits, analyst2 approves).
            """);
    }

    private async Task<LowLoad> LowLoadAsync(string label, CancellationToken ct)
    {
        var connections = options.LowLoadConnections;
        var instances = await db.ScalarAsync("SELECT count(*) FROM instances", ct);
        var tasks = await db.ScalarAsync("SELECT count(*) FROM tasks", ct);
        var journal = await db.ScalarAsync("SELECT count(*) FROM journal", ct);
        var versions = (int)await db.ScalarAsync("SELECT count(*) FROM definition_versions WHERE definition_id = 'wd-request'", ct);
        var openCs = await db.ScalarAsync("SELECT count(*) FROM tasks WHERE status = 'Open' AND department = 'CS'", ct);
        var store = $"{instances:N0} instances, {versions} wd-request versions, {openCs:N0} open CS tasks";
        // Low load uses far fewer tasks per phase than 16 or 64 connections do.
        await FillPoolAsync(Math.Max(100, options.TaskPool / 2), 16, ct);

        using var api = new Api(_node.BaseAddress, connections);
        Task Inbox(CancellationToken token) => api.SendAsync(HttpMethod.Get, "/api/tasks?department=CS&pageSize=50", null, _cs, token);
        await WarmUpAsync("inbox", 10, Inbox, ct);
        await db.ResetStatementsAsync(ct);
        var inbox = await LoadGenerator.RunAsync("inbox", connections, Duration, async (_, token) =>
        {
            await Inbox(token);
            return true;
        }, ct);
        var inboxStatements = await db.ReadStatementsAsync(ct);
        report.Add(ResultRow.From(label, "inbox GET /api/tasks?department=CS (50 per page)", inbox, inboxStatements, Memory(), store));
        report.AddStatements($"({label}) inbox query", inboxStatements, inbox.Operations);

        var (completion, statements) = await CompleteTasksAsync(connections, ct);
        report.Add(ResultRow.From(label, "task completion (WD PassToRetention)", completion, statements, Memory(), store));
        report.AddStatements($"({label}) task completion", statements, completion.Operations);
        return new LowLoad(instances, tasks, journal, versions, inbox, completion);
    }

    /// <summary>Publishes wd-request until it has <paramref name="target"/> versions: analyst1 submits a changed description, analyst2 approves.</summary>
    private async Task<int> PublishVersionsAsync(int target, CancellationToken ct)
    {
        using var api = new Api(_node.BaseAddress, 2);
        var have = (int)await db.ScalarAsync("SELECT count(*) FROM definition_versions WHERE definition_id = 'wd-request'", ct);
        var published = 0;
        for (var n = have + 1; n <= target; n++)
        {
            var current = await api.GetAsync("/api/definitions/wd-request", _analyst, ct);
            var definition = current?["definition"]?.DeepClone().AsObject() ?? throw new InvalidOperationException("GET /api/definitions/wd-request has no definition.");
            definition["description"] = $"{definition["description"]?.GetValue<string>()?.Split(" [bench")[0]} [bench revision {n}]";
            await PublishAsync(api, "wd-request", definition, ct);
            published++;
        }
        return published;
    }

    private async Task PublishAsync(Api api, string id, JsonObject definition, CancellationToken ct)
    {
        await api.PutAsync($"/api/definitions/{id}/draft", definition.ToJsonString(), _analyst, ct);
        var request = await api.PostAsync($"/api/definitions/{id}/publish", new { note = "benchmark" }, _analyst, ct);
        var requestId = request?["id"]?.GetValue<string>() ?? throw new InvalidOperationException($"Publishing {id} returned no request id.");
        await api.PostAsync($"/api/publish-requests/{requestId}/approve", new { }, _analyst2, ct);
    }

    /// <summary>
    /// (5) N instances of a one-timer flow whose timers are due at one moment (WaitUntil a start input). Measured by
    /// database state only (instances finished after the due moment), so it does not matter what fires them. One node
    /// first; if that window ends with a backlog left, a second node joins and the rest of the same backlog is the
    /// two-node window, else a second batch is started for two nodes.
    /// </summary>
    public async Task TimersAsync(CancellationToken ct)
    {
        log("(5) timers");
        using (var api = new Api(_node.BaseAddress, 2))
        {
            var exists = await db.ScalarAsync("SELECT count(*) FROM definitions WHERE id = @id AND published_version IS NOT NULL", ct, ("id", TimerFlow));
            if (exists == 0) await PublishAsync(api, TimerFlow, TimerDefinition(), ct);
        }
        var window = TimeSpan.FromSeconds(options.TimerWindowSeconds);
        var (batch, left) = await BatchAsync("one node", [_node], window, ct);
        await using var second = await ServerNode.StartAsync(repoRoot, db.AppConnectionString, "node2", workDirectory, ct);
        log($"  second node ready on {second.BaseAddress}");
        await WarmUpTimerStartsAsync(second, ct);
        if (left >= Math.Max(100, options.Timers / 5))
        {
            (left, _) = await MeasureFiringAsync("two nodes (the rest of the same backlog)", [_node, second], batch with { ResumedAfterWindow = true }, window, true, ct);
        }
        else
        {
            if (left > 0) await CancelBacklogAsync(batch, ct);
            (batch, left) = await BatchAsync("two nodes", [_node, second], window, ct);
        }
        if (left > 0) await CancelBacklogAsync(batch, ct);
    }

    /// <summary>
    /// Starts a batch and measures it. When the starts ran so late that most timers had fired before the window opened,
    /// the window measured nothing: once more, with the due moment from the start rate just seen.
    /// </summary>
    private async Task<(TimerBatch Batch, long Left)> BatchAsync(string label, ServerNode[] nodes, TimeSpan window, CancellationToken ct)
    {
        var batch = await StartTimersAsync(nodes, ct);
        var (left, valid) = await MeasureFiringAsync(label, nodes, batch, window, false, ct);
        if (valid) return (batch, left);
        log($"  most timers fired before the window opened (starts were slower than expected); starting the batch again");
        if (left > 0) await CancelBacklogAsync(batch, ct);
        batch = await StartTimersAsync(nodes, ct);
        (left, _) = await MeasureFiringAsync(label, nodes, batch, window, true, ct);
        return (batch, left);
    }

    /// <summary>A node that just started is cold (JIT, pools): a few starts whose timers are already past, unmeasured.</summary>
    private async Task WarmUpTimerStartsAsync(ServerNode node, CancellationToken ct)
    {
        using var api = new Api(node.BaseAddress, 2);
        var past = DateTimeOffset.UtcNow.AddMinutes(-1).ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var n = 0;
        await WarmUpAsync("timer flow start on the second node", 20,
            token => api.PostAsync($"/api/definitions/{TimerFlow}/instances", new { correlationId = $"warm-{node.Port}-{Interlocked.Increment(ref n)}", input = new { at = past } }, BenchSystem, token), ct);
    }

    /// <summary>
    /// Timers still due after the measured windows would keep the server busy during the phases after this one (and
    /// at today's rate would take minutes to drain): they are cancelled through the API, which takes their timers away.
    /// </summary>
    private async Task CancelBacklogAsync(TimerBatch batch, CancellationToken ct)
    {
        var ids = new ConcurrentQueue<Guid>(await db.IdsAsync(
            "SELECT id FROM instances WHERE definition_id = @d AND correlation_id LIKE @p AND completed_at IS NULL", ct, ("d", TimerFlow), ("p", batch.Pattern)));
        if (ids.IsEmpty) return;
        log($"  cancelling {ids.Count:N0} timer instances still due");
        var total = ids.Count;
        using var api = new Api(_node.BaseAddress, 16);
        var result = await LoadGenerator.RunAsync("cancel", 16, Unbounded, async (_, token) =>
        {
            if (!ids.TryDequeue(out var id)) return false;
            await api.SendAsync(HttpMethod.Post, $"/api/instances/{id}/cancel", new { reason = "benchmark: timer backlog after the measured window" }, DevSystem, token, "/api/instances/{id}/cancel");
            return true;
        }, ct);
        var errors = result.ErrorCount == 0 ? "" : " (" + string.Join("; ", result.Errors.Select(e => $"{e.Value}× {e.Key}")) + ": a timer that fired in the meantime answers 409)";
        report.AddSection($"**(5)**: {total:N0} timer instances were still due after the measured windows; the harness cancelled {result.Operations:N0} of them through `POST /api/instances/{{id}}/cancel`{errors} so that they do not load the phases after this one.");
    }

    private sealed record TimerBatch(string Pattern, DateTimeOffset Due, long Started, LoadResult Starts, DateTimeOffset StartsDone, bool ResumedAfterWindow = false);

    private Task<long> FiredAsync(string pattern, CancellationToken ct) => db.ScalarAsync(
        "SELECT count(*) FROM instances WHERE definition_id = @d AND correlation_id LIKE @p AND completed_at IS NOT NULL", ct, ("d", TimerFlow), ("p", pattern));

    private async Task<TimerBatch> StartTimersAsync(ServerNode[] nodes, CancellationToken ct)
    {
        var batch = $"bt{Interlocked.Increment(ref _timerBatch)}";
        var n = options.Timers;
        // Due when all starts should be done: at well under the slowest start rate seen (scenario 3, earlier batches;
        // each start here also writes a timer, and the machine is shared), plus some room.
        var rate = Math.Max(5, Math.Min(_startsPerSecond ?? 50, _timerStartsPerSecond ?? double.MaxValue) / 1.2);
        var due = DateTimeOffset.UtcNow.AddSeconds(n / rate + 8).ToUniversalTime();
        due = due.AddTicks(-(due.Ticks % TimeSpan.TicksPerSecond));
        var dueText = due.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var apis = nodes.Select(x => new Api(x.BaseAddress, options.StartConnections)).ToArray();
        try
        {
            long next = 0;
            // Starts go to the nodes in turn, as a load balancer would send them.
            var starts = await LoadGenerator.RunAsync("start timer flow", options.StartConnections, Unbounded, async (w, token) =>
            {
                var i = Interlocked.Increment(ref next);
                if (i > n) return false;
                await apis[i % apis.Length].PostAsync($"/api/definitions/{TimerFlow}/instances", new { correlationId = $"{batch}-{i}", input = new { at = dueText } }, BenchSystem, token);
                return true;
            }, ct);
            _timerStartsPerSecond = starts.PerSecond;
            log($"  {starts.Operations:N0} timer instances started at {starts.PerSecond:0}/s ({starts.ErrorCount} errors), due {due:HH:mm:ss}");
            return new TimerBatch(batch + "-%", due, starts.Operations, starts, DateTimeOffset.UtcNow);
        }
        finally
        {
            foreach (var a in apis) a.Dispose();
        }
    }

    /// <summary>
    /// Counts finished instances from the due moment (or now) until none is left or the window is over; returns how
    /// many are left, and whether the window saw most of the batch (if not, and this is not the last try, no row).
    /// </summary>
    private async Task<(long Left, bool Valid)> MeasureFiringAsync(string label, ServerNode[] nodes, TimerBatch batch, TimeSpan window, bool lastTry, CancellationToken ct)
    {
        var wait = batch.Due - DateTimeOffset.UtcNow;
        if (wait > TimeSpan.Zero) await Task.Delay(wait, ct);
        await db.ResetStatementsAsync(ct);
        var windowStart = DateTimeOffset.UtcNow;
        var firedAtStart = await FiredAsync(batch.Pattern, ct);
        var clock = Stopwatch.StartNew();
        var fired = firedAtStart;
        var lastChange = TimeSpan.Zero;
        while (fired < batch.Started && clock.Elapsed < window)
        {
            await Task.Delay(100, ct);
            var now = await FiredAsync(batch.Pattern, ct);
            if (now != fired) lastChange = clock.Elapsed;
            fired = now;
        }
        var statements = await db.ReadStatementsAsync(ct);
        var drained = fired >= batch.Started;
        var measured = fired - firedAtStart;
        var valid = batch.ResumedAfterWindow || firedAtStart * 2 < batch.Started;
        if (!valid && !lastTry) return (batch.Started - fired, false);
        // Drained: up to the last timer seen firing. Not drained: the backlog never emptied, the whole window counts.
        var seconds = Math.Max(drained ? lastChange.TotalSeconds : clock.Elapsed.TotalSeconds, 0.001);
        double[] lateness = drained && !batch.ResumedAfterWindow ? await LatenessAsync(batch.Pattern, batch.Due, ct) : [double.NaN, double.NaN, double.NaN];
        var notes = new List<string>
        {
            batch.ResumedAfterWindow
                ? $"{firedAtStart:N0} of {batch.Started:N0} had fired when this window opened"
                : $"{batch.Started:N0} started at {batch.Starts.PerSecond:0}/s ({batch.Starts.ErrorCount} errors); {firedAtStart:N0} had fired when the window opened {(windowStart - batch.Due).TotalSeconds:0.0} s after the due time"
                  + (batch.StartsDone > batch.Due ? $" (starts ended {(batch.StartsDone - batch.Due).TotalSeconds:0.0} s after it)" : ""),
            valid ? "" : "NOT MEASURED: most timers fired before the window opened (the starts took longer than the due time allowed)",
            drained ? $"all fired, the last {seconds:0.0} s into the window" + (double.IsNaN(lateness[0]) ? "" : "; latencies = lateness after the due time") : $"window of {window.TotalSeconds:0} s over with {batch.Started - fired:N0} still due (rate = fired in the window ÷ window)",
        };
        report.Add(new ResultRow("5", $"timers fired, {label}", nodes.Length, measured, measured / seconds,
            lateness[0], lateness[1], lateness[2], batch.ResumedAfterWindow ? 0 : batch.Starts.ErrorCount, measured > 0 ? (double)statements.TotalCalls / measured : null,
            Memory(nodes), string.Join("; ", notes.Where(x => x.Length > 0))));
        report.AddStatements($"(5) timers, {label}", statements, measured);
        return (batch.Started - fired, valid);
    }

    private async Task<double[]> LatenessAsync(string pattern, DateTimeOffset due, CancellationToken ct)
    {
        await using var c = new NpgsqlConnection(db.AppConnectionString);
        await c.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(Database.Marker + """
            SELECT percentile_cont(ARRAY[0.5, 0.95, 0.99]) WITHIN GROUP (ORDER BY extract(epoch FROM completed_at - @due) * 1000)
            FROM instances WHERE definition_id = @d AND correlation_id LIKE @p AND completed_at IS NOT NULL
            """, c);
        cmd.Parameters.AddWithValue("due", due);
        cmd.Parameters.AddWithValue("d", TimerFlow);
        cmd.Parameters.AddWithValue("p", pattern);
        return await cmd.ExecuteScalarAsync(ct) is double[] values ? values : [double.NaN, double.NaN, double.NaN];
    }

    private static JsonObject TimerDefinition() => JsonNode.Parse($$"""
        {
          "id": "{{TimerFlow}}",
          "name": "Benchmark timer",
          "description": "One timer due at a given moment (the HTTP benchmark's timer scenario).",
          "start": { "scopes": ["start:{{TimerFlow}}"] },
          "variables": [ { "name": "at", "type": "datetime" } ],
          "inputs": [ { "name": "at", "type": "datetime", "required": true } ],
          "activities": [
            { "id": "start", "type": "Start", "displayName": "Start", "inputs": {}, "position": { "x": 0, "y": 0 } },
            { "id": "wait", "type": "WaitUntil", "displayName": "Wait until the due time", "inputs": { "at": "at" }, "position": { "x": 200, "y": 0 } },
            { "id": "done", "type": "End", "displayName": "Done", "inputs": { "status": "Done" }, "position": { "x": 400, "y": 0 } }
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "wait" },
            { "source": "wait", "outcome": "Done", "target": "done" }
          ]
        }
        """)!.AsObject();

    private static async Task<long> WaitForAsync(Func<Task<long>> count, long expected, TimeSpan timeout, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var value = await count();
        while (value < expected && clock.Elapsed < timeout)
        {
            await Task.Delay(250, ct);
            value = await count();
        }
        return value;
    }
}
