using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;

namespace ApprovalEngine.Server.Tests.Chaos;

/// <summary>
/// Issue 11's chaos test: a burst of mixed actions from several clients against a real server process, which is
/// killed with SIGKILL in the middle of it and restarted on the same database. Whatever was answered 2xx must be in the
/// database, nothing may be left waiting for something that will never come, every timer fires once and every ledger
/// movement is applied once.
/// </summary>
[TestFixture]
[Category("Chaos")]
public sealed class BurstKillTests : ChaosFixture
{
    private const string DelayFlow = "chaos-delay";
    private const string PaymentFlow = "chaos-wait-payment";
    private const decimal OpeningBalance = 10_000m;

    // Every timer but the tasks' SLAs (hours away): the Delay PT3S timers are all due by the end of the settle wait.
    private const string DueSoonSql = "SELECT count(*) FROM bookmarks WHERE due_at < now() + interval '1 hour'";

    // Short back-off and backup delay, so the restarted node finishes what the killed one left within the test's bound.
    private static readonly Dictionary<string, string> NodeSettings = new()
    {
        ["Engine:JobBackupDelaySeconds"] = "3",
        ["Engine:JobBackoffSeconds"] = "1",
        ["Engine:JobMaxAttempts"] = "3",
    };

    [Test]
    public async Task A_node_killed_during_a_burst_of_mixed_actions_loses_no_committed_action()
    {
        var connection = await SharedPostgres.CreateDatabaseAsync("chaos_burst");
        var cluster = $"chaos-{Guid.NewGuid():N}";
        var db = Own(new ChaosDatabase(connection));
        var a = await StartNodeAsync("A", connection, cluster, NodeSettings);
        var nodeA = Own(NodeClients.Of(a));
        await nodeA.PublishAsync(TestFlows.Delay(DelayFlow, "PT3S"));
        await nodeA.PublishAsync(TestFlows.WaitForPayment(PaymentFlow));

        var burst = new Burst(nodeA);
        using var stop = new CancellationTokenSource();
        Task[] workers =
        [
            burst.RunAsync("wd-1", WdChainAsync, stop.Token),
            burst.RunAsync("wd-2", WdChainAsync, stop.Token),
            burst.RunAsync("sample", SampleChainAsync, stop.Token),
            burst.RunAsync("event", EventChainAsync, stop.Token),
            burst.RunAsync("delay", DelayChainAsync, stop.Token),
        ];

        // Kill A in the middle of the burst, right after a WD Complete's step committed: its ledger call (run inline
        // after the commit) is in flight or not yet made, and its answer never leaves. The job row is the durable
        // backup; the restarted node must run it and move the money exactly once.
        var underWay = await WaitForAsync(() => Task.FromResult(burst.Acked >= 60 || burst.Faulted), TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(20));
        Assert.That(burst.Faulted, Is.False, burst.Fault);
        Assert.That(underWay, Is.True, $"the burst did not get under way within 90 s: {burst.Summary()}");
        const string completeCommitted = "SELECT count(*) FROM journal WHERE instance_id = @id AND kind = 'TaskCompleted' AND action = 'Complete'";
        var catching = Stopwatch.StartNew();
        var completing = Guid.Empty;
        var caught = false;
        // A Complete answered before its commit was seen (a busy machine) is let go, and the next one watched.
        for (var tries = 1; !caught && catching.Elapsed < TimeSpan.FromSeconds(60); tries++)
        {
            completing = await burst.NextCompleteAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var id = completing;
            caught = await WaitForAsync(async () => burst.Answered(id) || await db.CountAsync(completeCommitted, ("id", id)) > 0, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(1))
                && !burst.Answered(id);
            if (caught) Report($"caught the Complete of {id} between its commit and its answer (try {tries})");
        }
        Assert.That(caught, Is.True, "no WD Complete was seen between its commit and its answer within 60 s");
        burst.GoingDown();
        await a.KillHardAsync();
        var killedAt = (await db.RowsAsync("SELECT clock_timestamp()", r => r.GetFieldValue<DateTimeOffset>(0))).Single();
        var ackedBeforeKill = burst.Acked;
        Report($"SIGKILL A (pid {a.ProcessId}) after {ackedBeforeKill} answered actions, during the Complete of {completing}: {burst.Summary()}");

        var b = await StartNodeAsync("B", connection, cluster, NodeSettings);
        var nodeB = Own(NodeClients.Of(b));
        burst.Up(nodeB);
        var resumed = await WaitForAsync(() => Task.FromResult(burst.Acked >= ackedBeforeKill + 60 || burst.Faulted), TimeSpan.FromSeconds(60));
        await stop.CancelAsync();
        await Task.WhenAll(workers);
        Assert.That(burst.Faulted, Is.False, burst.Fault);
        Assert.That(resumed, Is.True, $"the burst did not go on against the restarted node: {burst.Summary()}");
        Report($"burst over: {burst.Summary()}; unknown outcomes (in flight at the kill): {burst.Unknown.Count}");
        foreach (var line in burst.Unknown) Report($"  in flight: {line}");

        // Nothing stuck: the restarted node runs what A left (backup job runs, leased timers) within a bound.
        var settleClock = Stopwatch.StartNew();
        var settled = await WaitForAsync(async () =>
            await db.CountAsync("SELECT count(*) FROM jobs WHERE status = 'Pending'") == 0
            && await db.CountAsync(DueSoonSql) == 0, TimeSpan.FromSeconds(45));
        Report($"settled in {settleClock.Elapsed.TotalSeconds:0.0} s after the burst ({(settled ? "all due work done" : "NOT settled")})");
        var pending = await db.RowsAsync("SELECT id, instance_id, activity_type, attempts, next_attempt_at, lease_until FROM jobs WHERE status = 'Pending'",
            r => $"job {r.GetGuid(0)} of {r.GetGuid(1)} {r.GetString(2)} attempts {r.GetInt32(3)} due {r.GetValue(4)} lease {r.GetValue(5)}");
        var overdue = await db.RowsAsync($"SELECT id, instance_id, kind, due_at, lease_until FROM ({DueSoonSql.Replace("count(*)", "*", StringComparison.Ordinal)}) b",
            r => $"timer {r.GetGuid(0)} of {r.GetGuid(1)} {r.GetString(2)} due {r.GetValue(3)} lease {r.GetValue(4)}");
        Assert.Multiple(() =>
        {
            Assert.That(pending, Is.Empty, "outside calls still pending 45 s after the burst (the backup delay is 3 s)");
            Assert.That(overdue, Is.Empty, "timers (not SLAs) still waiting 45 s after the burst (Delay PT3S, lease 2 s)");
        });

        await AssertCommittedActionsAsync(db, burst);
        await AssertNothingStuckAsync(db);
        await AssertTimersFiredOnceAsync(db);
        await AssertLedgerAppliedOnceAsync(db, burst);
        Assert.That(burst.Refused, Is.Empty, "answers other than 2xx (none is expected: every chain acts in order on its own instance)");
        await AssertCompleteInFlightFinishedAsync(db, completing, killedAt, burst.Answered(completing));
        // Reported, not asserted, until issue 11's event inbox: a kill between the event's idempotency key (committed
        // first, on its own) and its step loses the event for good (EventRetryAfterKillTests reproduces it).
        foreach (var lost in burst.LostEvents) Report($"  LOST EVENT (issue 11 #1, see EventRetryAfterKillTests): {lost}");
        Report($"events retried after the kill: {burst.RetriedEvents.Count} ({string.Join("; ", burst.RetriedEvents)}), lost: {burst.LostEvents.Count}");
        Report($"verified; total {Clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>The Complete whose step committed just before the kill: its money moved exactly once, by A or by B's backup run.</summary>
    private async Task AssertCompleteInFlightFinishedAsync(ChaosDatabase db, Guid id, DateTimeOffset killedAt, bool answered)
    {
        var moves = await db.RowsAsync(
            "SELECT o.created_at, o.amount FROM sandbox_balance_operations o JOIN wd_requests w ON w.trading_account = o.account WHERE w.id = @id",
            r => (At: r.GetFieldValue<DateTimeOffset>(0), Amount: r.GetDecimal(1)), ("id", id));
        var request = (await db.RowsAsync("SELECT status, requested_amount FROM wd_requests WHERE id = @id", r => (Status: r.GetString(0), Amount: r.GetDecimal(1)), ("id", id))).Single();
        var where = answered ? "answered before the kill"
            : moves.Count > 0 && moves.All(m => m.At < killedAt) ? "killed after its ledger call, before its answer"
            : "killed after its step committed and before its ledger call: B's backup run moved the money";
        Report($"the Complete of {id} was {where}; {moves.Count} ledger operation(s), final status {request.Status}");
        Assert.Multiple(() =>
        {
            Assert.That(request.Status, Is.EqualTo("Completed"), $"the WD request {id} whose Complete committed before the kill did not complete");
            Assert.That(moves.Sum(m => m.Amount), Is.EqualTo(-request.Amount), $"the money of {id} did not move exactly once");
        });
    }

    /// <summary>Every action answered 2xx is in the database: the instance, the WD row, the task action, the event.</summary>
    private static async Task AssertCommittedActionsAsync(ChaosDatabase db, Burst burst)
    {
        var missing = new List<string>();
        foreach (var ack in burst.Acks)
        {
            var id = ack.Instance;
            var present = ack.Kind switch
            {
                "WdCreated" => await db.CountAsync("SELECT count(*) FROM wd_requests w JOIN instances i ON i.id = w.id WHERE w.id = @id", ("id", id)) == 1,
                "Started" => await db.CountAsync("SELECT count(*) FROM instances WHERE id = @id", ("id", id)) == 1,
                "Action" or "WdComplete" => await db.CountAsync(
                    "SELECT count(*) FROM journal WHERE instance_id = @id AND kind = 'TaskCompleted' AND action = @action AND user_id = @user",
                    ("id", id), ("action", ack.Action!), ("user", ack.User!)) == 1,
                "Event" => await db.CountAsync(
                    "SELECT count(*) FROM journal WHERE instance_id = @id AND kind = 'EventReceived'", ("id", id)) == 1
                    && await db.CountAsync("SELECT count(*) FROM instances WHERE id = @id AND status = 'Completed' AND business_status = 'Paid'", ("id", id)) == 1,
                _ => throw new InvalidOperationException(ack.Kind),
            };
            if (!present) missing.Add(ack.ToString());
        }
        Assert.That(missing, Is.Empty, $"actions answered 2xx but not (exactly once) in the database, of {burst.Acks.Count}");

        // A Complete answered 200 has moved the money by now, whether its run finished on A or the backup ran on B.
        var completes = burst.Acks.Where(k => k.Kind == "WdComplete").Select(k => k.Instance).ToList();
        var notCompleted = new List<string>();
        foreach (var id in completes)
        {
            var status = (await db.RowsAsync("SELECT status FROM wd_requests WHERE id = @id", r => r.GetString(0), ("id", id))).Single();
            if (status != "Completed") notCompleted.Add($"{id}: {status}");
        }
        Assert.That(notCompleted, Is.Empty, "WD requests whose Complete was answered 200 but which did not complete");
    }

    /// <summary>Every running instance waits for something that can come: an open task, an event, a timer, a child or a pending call.</summary>
    private static async Task AssertNothingStuckAsync(ChaosDatabase db)
    {
        var stuck = await db.RowsAsync(
            """
            SELECT i.id, i.definition_id, i.business_status FROM instances i
            WHERE i.status = 'Running'
              AND NOT EXISTS (SELECT 1 FROM tasks t WHERE t.instance_id = i.id AND t.status = 'Open')
              AND NOT EXISTS (SELECT 1 FROM bookmarks b WHERE b.instance_id = i.id AND b.kind IN ('Event', 'Timer', 'Child'))
              AND NOT EXISTS (SELECT 1 FROM jobs j WHERE j.instance_id = i.id AND j.status = 'Pending')
            """,
            r => $"{r.GetGuid(0)} {r.GetString(1)} {(r.IsDBNull(2) ? "" : r.GetString(2))}");
        var orphanTasks = await db.RowsAsync(
            "SELECT t.id, t.instance_id, i.status FROM tasks t JOIN instances i ON i.id = t.instance_id WHERE t.status = 'Open' AND i.status <> 'Running'",
            r => $"task {r.GetGuid(0)} of {r.GetGuid(1)} ({r.GetString(2)})");
        var orphanJobs = await db.RowsAsync(
            "SELECT b.id, b.instance_id FROM bookmarks b LEFT JOIN jobs j ON j.id = b.id WHERE b.kind = 'Job' AND (j.id IS NULL OR j.status <> 'Pending')",
            r => $"job bookmark {r.GetGuid(0)} of {r.GetGuid(1)}");
        var faulted = await db.RowsAsync(
            "SELECT id, definition_id, status FROM instances WHERE status NOT IN ('Running', 'Completed', 'Cancelled')",
            r => $"{r.GetGuid(0)} {r.GetString(1)} {r.GetString(2)}");
        var incidents = await db.RowsAsync("SELECT instance_id, activity_type, message FROM incidents WHERE status = 'Open'",
            r => $"{r.GetGuid(0)} {r.GetString(1)}: {r.GetString(2)}");
        Assert.Multiple(() =>
        {
            Assert.That(stuck, Is.Empty, "running instances that wait for nothing");
            Assert.That(orphanTasks, Is.Empty, "open tasks of instances that no longer run");
            Assert.That(orphanJobs, Is.Empty, "job bookmarks without a pending job");
            Assert.That(faulted, Is.Empty, "instances neither running nor finished");
            Assert.That(incidents, Is.Empty, "open incidents");
        });
    }

    /// <summary>Every Delay instance ever committed (answered or in flight) completed, its timer fired exactly once.</summary>
    private static async Task AssertTimersFiredOnceAsync(ChaosDatabase db)
    {
        var rows = await db.RowsAsync(
            """
            SELECT i.id, i.status,
                   (SELECT count(*) FROM journal j WHERE j.instance_id = i.id AND j.activity_id = 'delay' AND j.kind = 'ActivityCompleted')
            FROM instances i WHERE i.definition_id = @flow
            """,
            r => (Id: r.GetGuid(0), Status: r.GetString(1), Fired: r.GetInt64(2)), ("flow", DelayFlow));
        Assert.That(rows, Is.Not.Empty);
        Assert.Multiple(() =>
        {
            Assert.That(rows.Where(r => r.Status != "Completed").Select(r => $"{r.Id} {r.Status}"), Is.Empty, "delay instances not completed");
            Assert.That(rows.Where(r => r.Fired != 1).Select(r => $"{r.Id} fired {r.Fired} times"), Is.Empty, "timers not fired exactly once");
        });
    }

    /// <summary>
    /// Each WD request has its own account, so the ledger must show exactly its withdrawal when it completed and nothing
    /// otherwise, and the balance must have moved by exactly the operations recorded (each applied once).
    /// </summary>
    private static async Task AssertLedgerAppliedOnceAsync(ChaosDatabase db, Burst burst)
    {
        var rows = await db.RowsAsync(
            """
            SELECT w.id, w.status, w.requested_amount, a.balance,
                   coalesce((SELECT sum(o.amount) FROM sandbox_balance_operations o WHERE o.account = w.trading_account), 0),
                   (SELECT count(*) FROM sandbox_balance_operations o WHERE o.account = w.trading_account)
            FROM wd_requests w JOIN sandbox_trading_accounts a ON a.account = w.trading_account
            """,
            r => (Id: r.GetGuid(0), Status: r.GetString(1), Requested: r.GetDecimal(2), Balance: r.GetDecimal(3), Moved: r.GetDecimal(4), Operations: r.GetInt64(5)));
        var wrong = rows.Where(r => r.Moved != (r.Status == "Completed" ? -r.Requested : 0m) || r.Balance != OpeningBalance + r.Moved)
            .Select(r => $"{r.Id} {r.Status}: requested {r.Requested}, moved {r.Moved} in {r.Operations} operations, balance {r.Balance}").ToList();
        var accounts = await db.CountAsync("SELECT count(DISTINCT trading_account) FROM wd_requests");
        var operations = await db.CountAsync("SELECT count(*) FROM sandbox_balance_operations");
        var keys = await db.CountAsync("SELECT count(DISTINCT idempotency_key) FROM sandbox_balance_operations");
        var completed = rows.Count(r => r.Status == "Completed");
        TestContext.Out.WriteLine($"ledger: {rows.Count} WD requests ({completed} completed, {burst.Count("WdComplete")} Completes answered), {operations} balance operations, {keys} keys");
        Assert.Multiple(() =>
        {
            Assert.That(accounts, Is.EqualTo(rows.Count), "two WD requests on one account: the per-account check would be meaningless");
            Assert.That(wrong, Is.Empty, "WD requests whose ledger movement is not exactly once");
            Assert.That(keys, Is.EqualTo(operations), "a ledger idempotency key used twice");
            Assert.That(completed, Is.GreaterThan(0), "no WD request completed: the ledger was never exercised");
        });
    }

    // --- the clients' chains: each acts in order on its own instance and records what was answered 2xx ---

    private static async Task WdChainAsync(Burst burst, NodeClients node, int n)
    {
        var account = $"CH{n}-{Guid.NewGuid():N}"[..24];
        var customer = $"C{n}-{Guid.NewGuid():N}"[..20];
        await burst.CallAsync("sandbox account", () => node.System.PutAsJsonAsync($"/api/sandbox/trading-accounts/{account}",
            new { customerId = customer, currency = "USD", balance = OpeningBalance, equity = OpeningBalance, margin = 0m, freeMargin = OpeningBalance, credit = 0m, openTrades = 0 }));
        var amount = 100m + n % 50 + 0.25m;
        var cs = await burst.UserAsync(node, "cs1");
        var card = await burst.CallAsync("WD create", () => cs.PostAsJsonAsync("/api/wd-requests",
            new { customerId = customer, tradingAccount = account, requestedAmount = amount, currency = "USD", comment = "chaos" }));
        var id = Guid.Parse(card.Text("id"));
        burst.Record(new Ack("WdCreated", id));

        async Task ActAsync(string user, string action, string kind = "Action")
        {
            var client = await burst.UserAsync(node, user);
            if (action == "Complete") burst.Completing(id);
            await burst.CallAsync($"WD {action} by {user} on {id}", () => client.PostAsJsonAsync($"/api/wd-requests/{id}/actions", new { action, comment = "chaos" }));
            burst.Record(new Ack(kind, id, user, action));
        }

        switch (n % 5)
        {
            case 0:
                await ActAsync("cs1", "RejectAndClose");
                return;
            case 1:
                await ActAsync("cs1", "RequestDocuments");
                await ActAsync("cs1", "PassToBackoffice");
                break;
            default:
                await ActAsync("cs1", "PassToRetention");
                await ActAsync("retention1", "PassToBackoffice");
                break;
        }
        // Four eyes: the Backoffice approver may not complete, so supervisor1 approves and bo1 completes.
        await ActAsync("supervisor1", "Approve");
        await ActAsync("bo1", "Complete", "WdComplete");
    }

    private static async Task SampleChainAsync(Burst burst, NodeClients node, int n)
    {
        var started = await burst.CallAsync("sample start", () => node.System.PostAsJsonAsync("/api/definitions/sample-approval/instances",
            new { correlationId = $"sample-{n}-{Guid.NewGuid():N}", input = new { amount = 20_000m } }));
        var id = Guid.Parse(started.Text("id"));
        burst.Record(new Ack("Started", id));
        (string User, string Action)[] steps = n % 3 == 0 ? [("cs1", "Reject")] : [("cs1", "Approve"), ("bo1", "Approve")];
        foreach (var (user, action) in steps)
        {
            var instance = await burst.CallAsync($"read {id}", () => node.System.GetAsync($"/api/instances/{id}"));
            var task = instance["openTasks"]!.AsArray().Single()!.Text("id");
            var client = await burst.UserAsync(node, user);
            await burst.CallAsync($"sample {action} by {user} on {id}", () => client.PostAsJsonAsync($"/api/tasks/{task}/complete",
                new { action, comment = action == "Reject" ? "chaos" : null }));
            burst.Record(new Ack("Action", id, user, action));
        }
    }

    private static async Task EventChainAsync(Burst burst, NodeClients node, int n)
    {
        // A sender delivers at least once: an event whose answer was lost to the kill is sent again, with its key.
        while (burst.EventsToRetry.TryDequeue(out var retry))
        {
            var again = await burst.CallAsync($"event for {retry.Instance} (retry)", () => node.System.PostAsJsonAsync("/api/events/payment-received",
                new { correlationId = retry.Correlation, payload = new { amount = n }, idempotencyKey = retry.Key }));
            burst.RetriedEvents.Enqueue($"{retry.Instance}: {again.ToJsonString()}");
            var waiting = await burst.CallAsync($"read {retry.Instance}", () => node.System.GetAsync($"/api/instances/{retry.Instance}"));
            if (waiting.Text("status") != "Completed") burst.LostEvents.Enqueue($"{retry.Instance} still {waiting.Text("status")} after the retry answered {again.ToJsonString()}");
        }
        var correlation = $"pay-{n}-{Guid.NewGuid():N}";
        var started = await burst.CallAsync("payment start", () => node.System.PostAsJsonAsync($"/api/definitions/{PaymentFlow}/instances", new { correlationId = correlation, input = new { } }));
        var id = Guid.Parse(started.Text("id"));
        burst.Record(new Ack("Started", id));
        var key = $"key-{correlation}";
        JsonObject delivered;
        try
        {
            delivered = await burst.CallAsync($"event for {id}", () => node.System.PostAsJsonAsync("/api/events/payment-received",
                new { correlationId = correlation, payload = new { amount = n }, idempotencyKey = key }));
        }
        catch (ChainBroken) when (burst.IsDown)
        {
            burst.EventsToRetry.Enqueue((id, correlation, key));
            throw;
        }
        if (delivered["resumed"]?.GetValue<int>() != 1) burst.Refuse($"event for {id} answered {delivered.ToJsonString()}");
        else burst.Record(new Ack("Event", id));
    }

    private static async Task DelayChainAsync(Burst burst, NodeClients node, int n)
    {
        var started = await burst.CallAsync("delay start", () => node.System.PostAsJsonAsync($"/api/definitions/{DelayFlow}/instances",
            new { correlationId = $"delay-{n}-{Guid.NewGuid():N}", input = new { } }));
        burst.Record(new Ack("Started", Guid.Parse(started.Text("id"))));
    }

    public sealed record Ack(string Kind, Guid Instance, string? User = null, string? Action = null);

    /// <summary>The clients' shared view: which node is up, what was answered, what was in flight when the node died.</summary>
    public sealed class Burst(NodeClients first)
    {
        private TaskCompletionSource<NodeClients> _node = Ready(first);
        private int _chains;
        private string? _fault;

        public ConcurrentQueue<Ack> Acks { get; } = new();

        public ConcurrentQueue<string> Unknown { get; } = new();

        public ConcurrentQueue<string> Refused { get; } = new();

        public ConcurrentQueue<(Guid Instance, string Correlation, string Key)> EventsToRetry { get; } = new();

        public ConcurrentQueue<string> RetriedEvents { get; } = new();

        public ConcurrentQueue<string> LostEvents { get; } = new();

        private TaskCompletionSource<Guid>? _nextComplete;

        /// <summary>Completes with the WD request whose Complete is sent next.</summary>
        public Task<Guid> NextCompleteAsync()
        {
            var next = new TaskCompletionSource<Guid>(TaskCreationOptions.RunContinuationsAsynchronously);
            Volatile.Write(ref _nextComplete, next);
            return next.Task;
        }

        public bool Answered(Guid id) => Acks.Any(a => a.Kind == "WdComplete" && a.Instance == id);

        public void Completing(Guid id) => Interlocked.Exchange(ref _nextComplete, null)?.TrySetResult(id);

        /// <summary>True from <see cref="GoingDown"/> until the next node is up.</summary>
        public bool IsDown => !Volatile.Read(ref _node).Task.IsCompleted;

        public int Acked => Acks.Count;

        public bool Faulted => _fault is not null;

        public string Fault => _fault ?? "";

        public int Count(string kind) => Acks.Count(a => a.Kind == kind);

        public string Summary() => string.Join(", ", Acks.GroupBy(a => a.Action is null ? a.Kind : $"{a.Kind}:{a.Action}").OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}"))
            + $"; refused {Refused.Count}";

        private static TaskCompletionSource<NodeClients> Ready(NodeClients node)
        {
            var ready = new TaskCompletionSource<NodeClients>(TaskCreationOptions.RunContinuationsAsynchronously);
            ready.SetResult(node);
            return ready;
        }

        /// <summary>From now on clients wait for the next node instead of calling the one about to die.</summary>
        public void GoingDown() => Volatile.Write(ref _node, new TaskCompletionSource<NodeClients>(TaskCreationOptions.RunContinuationsAsynchronously));

        public void Up(NodeClients node) => Volatile.Read(ref _node).TrySetResult(node);

        public void Record(Ack ack) => Acks.Enqueue(ack);

        public void Refuse(string what) => Refused.Enqueue(what);

        /// <summary>Runs chains one after another until stopped; a chain whose call failed is abandoned (its state is checked in the end).</summary>
        public async Task RunAsync(string name, Func<Burst, NodeClients, int, Task> chain, CancellationToken stop)
        {
            try
            {
                while (!stop.IsCancellationRequested)
                {
                    var node = await Volatile.Read(ref _node).Task.WaitAsync(stop);
                    try
                    {
                        await chain(this, node, Interlocked.Increment(ref _chains));
                    }
                    catch (ChainBroken)
                    {
                    }
                }
            }
            catch (OperationCanceledException) when (stop.IsCancellationRequested)
            {
            }
            catch (Exception ex)
            {
                _fault = $"client {name} failed: {ex}";
            }
        }

        public async Task<HttpClient> UserAsync(NodeClients node, string user)
        {
            try
            {
                return await node.AsAsync(user);
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                Unknown.Enqueue($"sign-in of {user} on {node.Name}: {ex.Message}");
                throw new ChainBroken();
            }
        }

        /// <summary>
        /// Sends one call: 2xx → the answer; no answer (the node died) → the outcome is unknown, the chain is abandoned;
        /// any other answer → recorded as refused, the chain is abandoned.
        /// </summary>
        public async Task<JsonObject> CallAsync(string what, Func<Task<HttpResponseMessage>> send)
        {
            HttpResponseMessage response;
            string text;
            try
            {
                response = await send();
                text = await response.Content.ReadAsStringAsync();
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or IOException)
            {
                Unknown.Enqueue($"{what}: {ex.GetType().Name} {ex.Message}");
                throw new ChainBroken();
            }
            using (response)
            {
                if (!response.IsSuccessStatusCode)
                {
                    Refused.Enqueue($"{what}: {(int)response.StatusCode} {text}");
                    throw new ChainBroken();
                }
                return JsonNode.Parse(text) as JsonObject ?? [];
            }
        }
    }

    private sealed class ChainBroken : Exception;
}
