using System.Collections;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;

namespace ApprovalEngine.Server.Tests.Observability;

/// <summary>
/// README "Observability": what the server counts, traces and logs about its steps, read the way an operator reads
/// them — <c>/metrics</c> scraped over HTTP (Prometheus text), spans through an in-memory exporter added to the
/// server's own tracer provider, log lines through a logger provider that sees the scopes as the console does.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed partial class TelemetryTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private const string MetricsKey = "telemetry-test-metrics-key";
    private static readonly string[] TaskCreated = ["task.created"];
    private ApiFactory _factory = null!;
    private HttpClient _system = null!;
    private HttpClient _scraper = null!;
    private readonly LockedList<Activity> _spans = new();
    private readonly CapturedLogs _logs = new();

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = (await ApiFactory.PostgresAsync(new Dictionary<string, string?>
        {
            // Spans are recorded only when asked for (or with an OTLP endpoint); the exporter below takes them.
            ["Telemetry:Tracing:Enabled"] = "true",
            // The monitoring system's key: metrics:read alone.
            ["Identities:ApiKeys:8:Name"] = "prometheus",
            ["Identities:ApiKeys:8:Key"] = MetricsKey,
            ["Identities:ApiKeys:8:Rights:0"] = "metrics:read",
            // The runner's step lines are Debug.
            ["Logging:LogLevel:ApprovalEngine.Hosting.WorkflowRunner"] = "Debug",
        })).WithServices(s =>
        {
            s.ConfigureOpenTelemetryTracerProvider(t => t.AddInMemoryExporter(_spans));
            s.AddSingleton<ILoggerProvider>(_logs);
        });
        _system = _factory.AsTestSystem();
        _scraper = _factory.CreateClient();
        _scraper.DefaultRequestHeaders.Add("X-Api-Key", MetricsKey);
        await _factory.PublishAsync(TestFlows.SingleTask("otel-steps", department: "CS"));
        await _factory.PublishAsync(TestFlows.SingleTask("otel-retention", department: "Retention"));
        await _factory.PublishAsync(TestFlows.SingleTask("otel-overdue", department: "Retention", dueIn: "PT1S"));
        await _factory.PublishAsync(TestFlows.Delay("otel-delay"));
        await _factory.PublishAsync(TestFlows.LoadAccount("otel-load"));
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _system.Dispose();
        _scraper.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<string> StartAsync(string definition, string correlation, object? input = null) =>
        (await _system.PostObjectAsync($"/api/definitions/{definition}/instances", new { correlationId = correlation, input = input ?? new { } })).Text("id");

    private Task<JsonObject> InstanceAsync(string id) => _system.GetObjectAsync($"/api/instances/{id}");

    private async Task<Scrape> ScrapeAsync()
    {
        var response = await _scraper.GetAsync("/metrics");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return new Scrape(text);
    }

    /// <summary>Scrapes until <paramref name="holds"/> (the gauges are cached a few seconds, the scrape itself briefly); the last scrape.</summary>
    private async Task<Scrape> ScrapeUntilAsync(Func<Scrape, Task<bool>> holds, string what)
    {
        Scrape? last = null;
        var ok = await Poll.UntilAsync(async () => await holds(last = await ScrapeAsync()), Bound, TimeSpan.FromMilliseconds(200));
        Assert.That(ok, Is.True, $"{what} within {Bound.TotalSeconds} s; last scrape:\n{last?.Engine()}");
        return last!;
    }

    private Task<Scrape> ScrapeUntilAsync(Func<Scrape, bool> holds, string what) => ScrapeUntilAsync(s => Task.FromResult(holds(s)), what);

    private async Task CompleteOnlyTaskAsync(string instanceId, string user, string action = "Approve")
    {
        var task = (await InstanceAsync(instanceId))["openTasks"]!.AsArray().Single()!;
        var person = await _factory.AsUserAsync(user);
        var done = await person.PostAsJsonAsync($"/api/tasks/{task.Text("id")}/complete", new { action });
        Assert.That(done.IsSuccessStatusCode, Is.True, await done.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_steps_counter_and_the_step_latency_histogram_count_each_committed_step()
    {
        var definition = ("approvalengine_definition_id", "otel-steps");
        var before = await ScrapeAsync();
        var startsBefore = before.Sum("approvalengine_steps_total", definition, ("approvalengine_step_kind", "start"));
        var completesBefore = before.Sum("approvalengine_steps_total", definition, ("approvalengine_step_kind", "completeTask"));
        var latencyBefore = before.Sum("approvalengine_step_duration_seconds_count", definition);
        var allBefore = before.Sum("approvalengine_steps_total", definition);

        // Two steps: the start (to the task) and the task's completion (to the end).
        var id = await StartAsync("otel-steps", $"steps-{Guid.NewGuid():N}");
        await CompleteOnlyTaskAsync(id, "cs1");
        Assert.That((await InstanceAsync(id)).Text("status"), Is.EqualTo("Completed"));

        var after = await ScrapeUntilAsync(s => s.Sum("approvalengine_step_duration_seconds_count", definition) >= latencyBefore + 2, "two step latencies recorded");
        Assert.Multiple(() =>
        {
            Assert.That(after.Sum("approvalengine_steps_total", definition, ("approvalengine_step_kind", "start")), Is.EqualTo(startsBefore + 1));
            Assert.That(after.Sum("approvalengine_steps_total", definition, ("approvalengine_step_kind", "completeTask")), Is.EqualTo(completesBefore + 1));
            Assert.That(after.Sum("approvalengine_steps_total", definition), Is.EqualTo(allBefore + 2));
            Assert.That(after.Sum("approvalengine_step_duration_seconds_count", definition), Is.EqualTo(latencyBefore + 2));
            Assert.That(after.Sum("approvalengine_step_duration_seconds_sum", definition), Is.GreaterThan(0));
            // Every step lands in some bucket: the +Inf bucket holds them all.
            Assert.That(after.Sum("approvalengine_step_duration_seconds_bucket", definition, ("le", "+Inf")), Is.EqualTo(latencyBefore + 2));
        });
    }

    [Test]
    public async Task A_fired_timer_is_counted_as_due_and_fired_and_its_lag_is_recorded()
    {
        var before = await ScrapeAsync();
        var fired = before.Sum("approvalengine_timers_fired_total");
        var due = before.Sum("approvalengine_timers_due_total");
        var lags = before.Sum("approvalengine_timer_lag_seconds_count");

        var id = await StartAsync("otel-delay", $"delay-{Guid.NewGuid():N}");
        Assert.That(await Poll.UntilAsync(async () => (await InstanceAsync(id)).Text("status") == "Completed", Bound), Is.True, "the one-second delay did not complete");

        var after = await ScrapeUntilAsync(s => s.Sum("approvalengine_timer_lag_seconds_count") >= lags + 1, "the timer's lag recorded");
        // Other instances' timers (task SLAs of earlier tests) may fire meanwhile: the counters are global, the step count is the flow's own.
        var firedNow = after.Sum("approvalengine_timers_fired_total") - fired;
        Assert.Multiple(() =>
        {
            Assert.That(firedNow, Is.GreaterThanOrEqualTo(1));
            Assert.That(after.Sum("approvalengine_timer_lag_seconds_count") - lags, Is.EqualTo(firedNow), "one lag per fired timer");
            Assert.That(after.Sum("approvalengine_timers_due_total"), Is.GreaterThanOrEqualTo(due + 1), "a fired timer was taken as due first");
            Assert.That(after.Sum("approvalengine_timer_lag_seconds_sum"), Is.GreaterThanOrEqualTo(before.Sum("approvalengine_timer_lag_seconds_sum")));
            Assert.That(after.Sum("approvalengine_steps_total", ("approvalengine_definition_id", "otel-delay"), ("approvalengine_step_kind", "fireTimer")), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task The_open_and_overdue_tasks_per_department_gauges_match_the_inbox()
    {
        await StartAsync("otel-retention", $"ret-{Guid.NewGuid():N}");
        await StartAsync("otel-retention", $"ret-{Guid.NewGuid():N}");
        await StartAsync("otel-overdue", $"over-{Guid.NewGuid():N}");
        await StartAsync("otel-steps", $"cs-{Guid.NewGuid():N}");
        // The overdue one passes its due time a second later.
        Assert.That(await Poll.UntilAsync(async () => (await _system.GetObjectAsync("/api/tasks?department=Retention&overdue=true"))["total"]!.GetValue<int>() >= 1, Bound), Is.True);

        var departments = new[] { "Retention", "CS" };
        var inbox = new Dictionary<string, (int Open, int Overdue)>();
        await ScrapeUntilAsync(async s =>
        {
            foreach (var d in departments)
            {
                var open = (await _system.GetObjectAsync($"/api/tasks?department={d}"))["total"]!.GetValue<int>();
                var overdue = (await _system.GetObjectAsync($"/api/tasks?department={d}&overdue=true"))["total"]!.GetValue<int>();
                inbox[d] = (open, overdue);
            }
            return departments.All(d => s.Sum("approvalengine_tasks_open", ("approvalengine_department", d)) == inbox[d].Open
                && s.Sum("approvalengine_tasks_overdue", ("approvalengine_department", d)) == inbox[d].Overdue);
        }, "the gauges equal the inbox's totals");
        Assert.Multiple(() =>
        {
            Assert.That(inbox["Retention"].Open, Is.GreaterThanOrEqualTo(3));
            Assert.That(inbox["Retention"].Overdue, Is.GreaterThanOrEqualTo(1));
            Assert.That(inbox["CS"].Open, Is.GreaterThanOrEqualTo(1));
            Assert.That(inbox["Retention"].Overdue, Is.LessThan(inbox["Retention"].Open), "not every Retention task is overdue");
        });
    }

    [Test]
    public async Task A_step_that_loses_the_version_claim_is_counted_as_retried_or_given_up()
    {
        var id = Guid.Parse(await StartAsync("otel-steps", $"stale-{Guid.NewGuid():N}"));
        var runner = _factory.Services.GetRequiredService<WorkflowRunner>();
        var before = await ScrapeAsync();
        var retried = before.Sum("approvalengine_step_stale_conflicts_total", ("outcome", "retried"));
        var gaveUp = before.Sum("approvalengine_step_stale_conflicts_total", ("outcome", "gave_up"));

        // A step computed from a state someone else has since moved on from (as a concurrent request would).
        InstanceState? stale = null;
        await runner.ExecuteAsync(async (unit, ct) =>
        {
            stale = (await WorkflowRunner.LoadAsync(unit, id, ct)).State;
            return new UnitResult<bool>(null, true);
        }, CancellationToken.None);
        await runner.ExecuteAsync(async (unit, ct) =>
        {
            var (definition, state) = await WorkflowRunner.LoadAsync(unit, id, ct);
            return new UnitResult<bool>(runner.Engine.Note(definition, state, JournalKinds.Note, "first", Actor.System("test")), true);
        }, CancellationToken.None);

        // Without retries the loser gives up (the caller gets 409)...
        await Assert.ThrowsAsync<WorkflowConflictException>(() => runner.ExecuteAsync(async (unit, ct) =>
        {
            var (definition, _) = await WorkflowRunner.LoadAsync(unit, id, ct);
            return new UnitResult<bool>(runner.Engine.Note(definition, stale!, JournalKinds.Note, "late", Actor.System("test")), true);
        }, CancellationToken.None, retryStale: false));
        // ...with them it is computed again on fresh state and commits.
        var attempts = 0;
        await runner.ExecuteAsync(async (unit, ct) =>
        {
            attempts++;
            var (definition, fresh) = await WorkflowRunner.LoadAsync(unit, id, ct);
            return new UnitResult<bool>(runner.Engine.Note(definition, attempts == 1 ? stale! : fresh, JournalKinds.Note, "retried", Actor.System("test")), true);
        }, CancellationToken.None);
        Assert.That(attempts, Is.EqualTo(2));

        var after = await ScrapeUntilAsync(s => s.Sum("approvalengine_step_stale_conflicts_total", ("outcome", "gave_up")) >= gaveUp + 1, "the conflicts counted");
        Assert.Multiple(() =>
        {
            Assert.That(after.Sum("approvalengine_step_stale_conflicts_total", ("outcome", "retried")), Is.EqualTo(retried + 1));
            Assert.That(after.Sum("approvalengine_step_stale_conflicts_total", ("outcome", "gave_up")), Is.EqualTo(gaveUp + 1));
        });
    }

    private async Task<JsonObject> FailingCallIncidentAsync(string account)
    {
        var id = await StartAsync("otel-load", $"fail-{Guid.NewGuid():N}", new { account });
        JsonObject? incident = null;
        // JobMaxAttempts=3 with 1 s and 2 s backoff (ApiFactory).
        var opened = await Poll.UntilAsync(async () =>
        {
            incident = (await _system.GetObjectAsync($"/api/incidents?instanceId={id}")).Items().FirstOrDefault()?.AsObject();
            return incident is not null;
        }, Bound, TimeSpan.FromMilliseconds(200));
        Assert.That(opened, Is.True, "no incident within 30 s");
        return incident!;
    }

    [Test]
    public async Task A_failing_outside_call_counts_each_failed_attempt_and_the_last_as_final()
    {
        var type = ("approvalengine_activity_type", "LoadTradingAccount");
        var before = await ScrapeAsync();
        var attempts = before.Sum("approvalengine_jobs_failed_total", type);
        var finals = before.Sum("approvalengine_jobs_failed_total", type, ("final", "true"));

        await FailingCallIncidentAsync($"ACC-{Guid.NewGuid():N}"[..20]);

        var after = await ScrapeUntilAsync(s => s.Sum("approvalengine_jobs_failed_total", type, ("final", "true")) >= finals + 1, "the final failure counted");
        Assert.Multiple(() =>
        {
            Assert.That(after.Sum("approvalengine_jobs_failed_total", type), Is.EqualTo(attempts + 3), "three attempts (JobMaxAttempts=3)");
            Assert.That(after.Sum("approvalengine_jobs_failed_total", type, ("final", "true")), Is.EqualTo(finals + 1));
        });
    }

    [Test]
    public async Task The_open_incidents_gauge_follows_the_incident_list()
    {
        var account = $"ACC-{Guid.NewGuid():N}"[..20];
        var incident = await FailingCallIncidentAsync(account);
        var open = 0;
        var opened = await ScrapeUntilAsync(async s =>
        {
            open = (await _system.GetObjectAsync("/api/incidents"))["total"]!.GetValue<int>();
            return s.Sum("approvalengine_incidents_open") == open;
        }, "the gauge equals the open incidents listed");
        Assert.That(open, Is.GreaterThanOrEqualTo(1));

        // Fix the cause and retry: the incident is resolved, the gauge goes down with the list.
        var put = await _system.PutAsJsonAsync($"/api/sandbox/trading-accounts/{account}", new { customerId = "C-1", currency = "USD", balance = 10, equity = 10, margin = 0, freeMargin = 10, credit = 0, openTrades = 0 });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        var supervisor = await _factory.AsUserAsync("supervisor1");
        await supervisor.PostObjectAsync($"/api/incidents/{incident.Text("id")}/retry", null);
        var resolved = await ScrapeUntilAsync(async s =>
        {
            open = (await _system.GetObjectAsync("/api/incidents"))["total"]!.GetValue<int>();
            return s.Sum("approvalengine_incidents_open") == open;
        }, "the gauge equals the open incidents after the retry");
        Assert.That(resolved.Sum("approvalengine_incidents_open"), Is.EqualTo(opened.Sum("approvalengine_incidents_open") - 1));
    }

    [Test]
    public async Task The_webhook_backlog_gauge_counts_the_deliveries_not_yet_delivered()
    {
        // A subscriber that refuses connections (port 9, discard): each task.created delivery stays pending, backing off.
        // supervisor1 holds webhooks:manage and reads the flow (Retention; all departments), as a subscription needs.
        var manager = await _factory.AsUserAsync("supervisor1");
        await manager.PostObjectAsync("/api/webhooks/subscriptions", new { definitionId = "otel-retention", events = TaskCreated, url = "http://127.0.0.1:9/backlog" });
        for (var i = 0; i < 3; i++) await StartAsync("otel-retention", $"backlog-{i}-{Guid.NewGuid():N}");

        var pending = 0;
        var seen = await ScrapeUntilAsync(async s =>
        {
            pending = (await manager.GetObjectAsync("/api/webhooks/deliveries?status=Pending&pageSize=1"))["total"]!.GetValue<int>();
            return pending >= 3 && s.Sum("approvalengine_webhooks_backlog") == pending;
        }, "the backlog gauge equals the pending deliveries listed");
        Assert.That(seen.Sum("approvalengine_webhooks_backlog"), Is.GreaterThanOrEqualTo(3));
    }

    [Test]
    public async Task A_step_span_carries_the_instance_and_definition_and_the_database_calls_nest_in_it()
    {
        var id = await StartAsync("otel-steps", $"span-{Guid.NewGuid():N}");
        Activity? step = null;
        Assert.That(await Poll.UntilAsync(() =>
        {
            step = _spans.Snapshot().FirstOrDefault(a => a.Source.Name == "ApprovalEngine" && (a.GetTagItem("approvalengine.instance.id") as string) == id);
            return Task.FromResult(step is not null);
        }, Bound), Is.True, "no step span for the instance");
        Assert.Multiple(() =>
        {
            Assert.That(step!.GetTagItem("approvalengine.definition.id"), Is.EqualTo("otel-steps"));
            Assert.That(step.GetTagItem("approvalengine.definition.version"), Is.EqualTo(1));
            Assert.That(step.GetTagItem("approvalengine.step.kind"), Is.EqualTo("start"));
            Assert.That(step.DisplayName, Is.EqualTo("step start"));
        });
        var spans = _spans.Snapshot();
        var sql = spans.Where(a => a.Source.Name == "Npgsql" && a.ParentSpanId == step!.SpanId).ToList();
        Assert.That(sql, Is.Not.Empty, "the step's SQL commands are spans of the step");
        Assert.That(sql.All(a => a.TraceId == step!.TraceId), Is.True);
        // The step itself runs inside the HTTP request that started it.
        var request = spans.SingleOrDefault(a => a.SpanId == step!.ParentSpanId);
        Assert.That(request?.Source.Name, Is.EqualTo("Microsoft.AspNetCore"), "the step span's parent is the request's span");

        // The completion's step names the activity it completed.
        await CompleteOnlyTaskAsync(id, "cs1");
        Assert.That(await Poll.UntilAsync(() => Task.FromResult(_spans.Snapshot().Any(a =>
            (a.GetTagItem("approvalengine.instance.id") as string) == id && (a.GetTagItem("approvalengine.step.kind") as string) == "completeTask"
            && (a.GetTagItem("approvalengine.activity.id") as string) == "task")), Bound), Is.True, "no completeTask span naming the activity");
    }

    [Test]
    public async Task Step_log_lines_carry_the_instance_and_correlation_id()
    {
        var correlation = $"logs-{Guid.NewGuid():N}";
        var id = await StartAsync("otel-steps", correlation);
        await CompleteOnlyTaskAsync(id, "cs1");
        var lines = _logs.Snapshot().Where(l => l.Category == "ApprovalEngine.Hosting.WorkflowRunner" && l.Message.StartsWith("Committed", StringComparison.Ordinal)).ToList();
        var mine = lines.Where(l => l.Scope.TryGetValue("InstanceId", out var v) && v?.ToString() == id).ToList();
        Assert.That(mine, Has.Count.EqualTo(2), "one line per step (start, completion), each in the instance's scope");
        Assert.That(mine.Select(l => l.Scope.GetValueOrDefault("CorrelationId")?.ToString()), Is.All.EqualTo(correlation));
        Assert.That(mine.Select(l => l.Scope.GetValueOrDefault("DefinitionId")?.ToString()), Is.All.EqualTo("otel-steps"));
        // The ASP.NET Core scope's trace id is there too: a log line leads to its trace.
        Assert.That(mine.All(l => l.Scope.ContainsKey("TraceId")), Is.True, "the trace id is in scope");
    }

    [Test]
    public async Task Metrics_need_the_metrics_read_right_whoever_asks()
    {
        using var anonymous = _factory.CreateClient();
        Assert.That((await anonymous.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        // A person with every department and many rights, but not metrics:read.
        var supervisor = await _factory.AsUserAsync("supervisor1");
        Assert.That((await supervisor.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        // A system key with rights and scopes to start, read and send events, but not metrics:read.
        Assert.That((await _system.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That((await _factory.AsSystem().GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var wrongKey = _factory.CreateClient();
        wrongKey.DefaultRequestHeaders.Add("X-Api-Key", "not-a-key");
        Assert.That((await wrongKey.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        // The configured monitoring key and the development one (metrics:read alone) scrape.
        Assert.That((await _scraper.GetAsync("/metrics")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using var devMetrics = _factory.CreateClient();
        devMetrics.DefaultRequestHeaders.Add("X-Api-Key", "dev-metrics-key");
        var scraped = await devMetrics.GetAsync("/metrics");
        Assert.That(scraped.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await scraped.Content.ReadAsStringAsync(), Does.Contain("approvalengine_"));
        // The metrics key opens nothing else.
        var start = await devMetrics.PostAsJsonAsync("/api/definitions/otel-steps/instances", new { correlationId = $"m-{Guid.NewGuid():N}", input = new { } });
        Assert.That(start.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the metrics key starts nothing");
        // Not in the OpenAPI document: no client API.
        var document = await anonymous.GetStringAsync("/openapi/v1.json");
        Assert.That(document, Does.Not.Contain("\"/metrics\""));
    }

    [Test]
    public async Task Metrics_carry_no_customer_data_and_only_bounded_labels()
    {
        // A customer's account and balance pass through a flow (the ledger call loads the balance into a variable).
        var account = $"ACC-{Guid.NewGuid():N}"[..20];
        var put = await _system.PutAsJsonAsync($"/api/sandbox/trading-accounts/{account}", new { customerId = "CUST-7731", currency = "USD", balance = 98765.43m, equity = 98765.43m, margin = 0, freeMargin = 98765.43m, credit = 0, openTrades = 0 });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
        var correlation = $"corr-{Guid.NewGuid():N}";
        var id = await StartAsync("otel-load", correlation, new { account });
        Assert.That(await Poll.UntilAsync(async () => (await InstanceAsync(id)).Text("businessStatus") == "Loaded", Bound), Is.True);
        Assert.That((await InstanceAsync(id))["variables"]!["balance"]!.GetValue<decimal>(), Is.EqualTo(98765.43m));

        var scrape = await ScrapeUntilAsync(s => s.Sum("approvalengine_steps_total", ("approvalengine_definition_id", "otel-load")) >= 2, "the flow's steps counted");
        Assert.Multiple(() =>
        {
            foreach (var secret in new[] { account, "CUST-7731", "98765", correlation, id })
            {
                Assert.That(scrape.Text, Does.Not.Contain(secret), $"/metrics shows {secret}");
            }
            // The engine's series have only these labels: ids of definitions, kinds, types and departments.
            string[] allowed = ["approvalengine_definition_id", "approvalengine_step_kind", "approvalengine_activity_type", "approvalengine_department", "outcome", "final", "le", "otel_scope_name", "otel_scope_version"];
            Assert.That(scrape.EngineLabelNames(), Is.SubsetOf(allowed));
            Assert.That(scrape.EngineLabelNames(), Does.Contain("approvalengine_definition_id"));
        });
    }

    /// <summary>A Prometheus text exposition, read by series name and labels.</summary>
    private sealed partial class Scrape(string text)
    {
        public string Text => text;

        private IEnumerable<(string Name, Dictionary<string, string> Labels, double Value)> Samples() =>
            text.Split('\n').Where(l => l.Length > 0 && l[0] != '#').Select(Parse).OfType<(string, Dictionary<string, string>, double)>();

        private static (string, Dictionary<string, string>, double)? Parse(string line)
        {
            var m = SampleLine().Match(line);
            if (!m.Success) return null;
            var labels = LabelPair().Matches(m.Groups["labels"].Value).ToDictionary(p => p.Groups["k"].Value, p => p.Groups["v"].Value);
            var value = m.Groups["value"].Value switch { "+Inf" => double.PositiveInfinity, "NaN" => double.NaN, var v => double.Parse(v, CultureInfo.InvariantCulture) };
            return (m.Groups["name"].Value, labels, value);
        }

        /// <summary>The sum over the series named <paramref name="name"/> whose labels include <paramref name="labels"/>; 0 if none.</summary>
        public double Sum(string name, params (string Key, string Value)[] labels) =>
            Samples().Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Key, out var v) && v == l.Value)).Sum(s => s.Value);

        public IReadOnlySet<string> EngineLabelNames() =>
            Samples().Where(s => s.Name.StartsWith("approvalengine_", StringComparison.Ordinal)).SelectMany(s => s.Labels.Keys).ToHashSet();

        public string Engine() => string.Join('\n', text.Split('\n').Where(l => l.StartsWith("approvalengine_", StringComparison.Ordinal)));

        [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)""")]
        private static partial Regex SampleLine();

        [GeneratedRegex("""(?<k>[a-zA-Z_][a-zA-Z0-9_]*)="(?<v>(?:[^"\\]|\\.)*)"\s*,?""")]
        private static partial Regex LabelPair();
    }

    /// <summary>The exporter writes from the server's threads while a test reads.</summary>
    private sealed class LockedList<T> : ICollection<T>
    {
        private readonly List<T> _items = [];

        public List<T> Snapshot()
        {
            lock (_items) return [.. _items];
        }

        public int Count
        {
            get { lock (_items) return _items.Count; }
        }

        public bool IsReadOnly => false;

        public void Add(T item)
        {
            lock (_items) _items.Add(item);
        }

        public void Clear()
        {
            lock (_items) _items.Clear();
        }

        public bool Contains(T item)
        {
            lock (_items) return _items.Contains(item);
        }

        public void CopyTo(T[] array, int arrayIndex)
        {
            lock (_items) _items.CopyTo(array, arrayIndex);
        }

        public bool Remove(T item)
        {
            lock (_items) return _items.Remove(item);
        }

        public IEnumerator<T> GetEnumerator() => Snapshot().GetEnumerator();

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    private sealed record LogLine(string Category, LogLevel Level, string Message, IReadOnlyDictionary<string, object?> Scope);

    /// <summary>Keeps every line with the values of the scopes it was written in, read as the console formatters read them.</summary>
    private sealed class CapturedLogs : ILoggerProvider, ISupportExternalScope
    {
        private readonly ConcurrentQueue<LogLine> _lines = new();
        private IExternalScopeProvider _scopes = new LoggerExternalScopeProvider();

        public List<LogLine> Snapshot() => [.. _lines];

        public void SetScopeProvider(IExternalScopeProvider scopeProvider) => _scopes = scopeProvider;

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(CapturedLogs owner, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => owner._scopes.Push(state);

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                var scope = new Dictionary<string, object?>(StringComparer.Ordinal);
                owner._scopes.ForEachScope((s, values) =>
                {
                    if (s is IEnumerable<KeyValuePair<string, object?>> pairs)
                    {
                        foreach (var (k, v) in pairs) values[k] = v;
                    }
                }, scope);
                owner._lines.Enqueue(new LogLine(category, logLevel, formatter(state, exception), scope));
            }
        }
    }
}
