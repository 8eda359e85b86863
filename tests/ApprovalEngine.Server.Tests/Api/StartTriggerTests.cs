using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Features.Triggers;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// Start triggers (issue 11, ADR 9) over HTTP on PostgreSQL, with two server nodes on one database: an event starts a
/// definition once per event id, a cron tick once, whichever node takes it; a suspended version skips its ticks.
/// </summary>
[TestFixture]
public sealed class StartTriggerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private const string EventsOnlyKey = "start-trigger-tests-events-only";
    private ApiFactory _a = null!;
    private ApiFactory _b = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        // A sender that may send every event but start nothing: a trigger must not make it a starter.
        _a = await ApiFactory.PostgresAsync(new Dictionary<string, string?>
        {
            ["Identities:ApiKeys:0:Name"] = "events-only",
            ["Identities:ApiKeys:0:Key"] = EventsOnlyKey,
            ["Identities:ApiKeys:0:Scopes:0"] = "events:*",
        });
        _ = _a.Services; // node A migrates the database and publishes the shipped flows before B starts on it
        _b = ApiFactory.PostgresOn(_a.ConnectionString);
        _ = _b.Services;
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
    }

    /// <summary>Start → wait for a task-less event that never comes; started by <paramref name="triggers"/>.</summary>
    private static JsonObject Triggered(string id, string triggers) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Triggered {{id}}",
          "inputs": [ { "name": "orderRef", "type": "string", "required": false } ],
          "variables": [ { "name": "orderRef", "type": "string" } ],
          "startTriggers": {{triggers}},
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "wait", "type": "WaitForEvent", "inputs": { "event": "never-{{id}}" } },
            { "id": "done", "type": "End", "inputs": { "status": "Done" } }
          ],
          "connections": [ { "source": "start", "outcome": "Done", "target": "wait" }, { "source": "wait", "outcome": "Received", "target": "done" } ]
        }
        """)!.AsObject();

    private Task<int> InstancesOfAsync(string definition) => _a.QueryAsync(db => db.Instances.CountAsync(i => i.DefinitionId == definition));

    [Test]
    public async Task A_sender_without_a_start_scope_of_the_flow_starts_nothing_through_its_trigger()
    {
        await _a.PublishAsync(Triggered("trig-guarded", """[ { "event": "guarded-placed", "correlation": "event.orderRef", "input": { "orderRef": "event.orderRef" } } ]"""));
        using var eventsOnly = _a.CreateClient();
        eventsOnly.DefaultRequestHeaders.Add("X-Api-Key", EventsOnlyKey);
        var refused = await eventsOnly.PostObjectAsync("/api/events/guarded-placed", new { correlationId = "g-1", payload = new { orderRef = "G-1" } });
        Assert.That(refused["started"]!.GetValue<int>(), Is.Zero, refused.ToJsonString());
        Assert.That(await InstancesOfAsync("trig-guarded"), Is.Zero, "holding events:* is not holding start:trig-guarded");

        // The same event from a sender that may start the flow (start:*) starts it.
        using var starter = _a.AsTestSystem();
        var started = await starter.PostObjectAsync("/api/events/guarded-placed", new { correlationId = "g-2", payload = new { orderRef = "G-2" } });
        Assert.That(started["started"]!.GetValue<int>(), Is.EqualTo(1), started.ToJsonString());
        Assert.That(await InstancesOfAsync("trig-guarded"), Is.EqualTo(1));
    }

    [Test]
    public async Task An_event_trigger_starts_one_instance_per_event_id_even_sent_to_two_nodes_at_once()
    {
        await _a.PublishAsync(Triggered("trig-order", """[ { "event": "order-placed", "correlation": "event.orderRef", "input": { "orderRef": "event.orderRef" } } ]"""));
        var body = new { correlationId = "order-1", payload = new { orderRef = "ORD-1" }, idempotencyKey = "placed-1" };
        using var onA = _a.AsTestSystem();
        using var onB = _b.AsTestSystem();
        var answers = await Task.WhenAll(onA.PostObjectAsync("/api/events/order-placed", body), onB.PostObjectAsync("/api/events/order-placed", body),
            onA.PostObjectAsync("/api/events/order-placed", body), onB.PostObjectAsync("/api/events/order-placed", body));
        Assert.That(answers.Select(a => a["started"]!.GetValue<int>()), Is.All.EqualTo(1), string.Join("\n", answers.Select(a => a.ToJsonString())));
        Assert.That(await InstancesOfAsync("trig-order"), Is.EqualTo(1));
        var instance = await _a.QueryAsync(db => db.Instances.AsNoTracking().SingleAsync(i => i.DefinitionId == "trig-order"));
        Assert.That(instance.CorrelationId, Is.EqualTo("ORD-1"));
        Assert.That(instance.StateJson, Does.Contain("ORD-1"));
        var journal = await onA.GetObjectAsync($"/api/instances/{instance.Id}/journal");
        Assert.That(journal.Items().First(e => e.Text("kind") == "InstanceStarted")!["actor"]!["userId"]!.GetValue<string>(), Is.EqualTo("trigger:event"));

        // The same event again (a retry): still one instance.
        var again = await onB.PostObjectAsync("/api/events/order-placed", body);
        Assert.That(again["started"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(await InstancesOfAsync("trig-order"), Is.EqualTo(1));
        // Another event for another order starts another instance.
        var other = await onA.PostObjectAsync("/api/events/order-placed", new { correlationId = "order-2", payload = new { orderRef = "ORD-2" } });
        Assert.That(other["started"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(await InstancesOfAsync("trig-order"), Is.EqualTo(2));
    }

    [Test]
    public async Task A_cron_trigger_on_two_nodes_fires_each_tick_once()
    {
        await _a.PublishAsync(Triggered("trig-cron", """[ { "id": "every-second", "cron": "0/1 * * * * ?" } ]"""));
        Assert.That(await Poll.UntilAsync(async () => await InstancesOfAsync("trig-cron") >= 4, Bound), Is.True, "the cron trigger did not fire four ticks");
        // Both lists from one snapshot: the trigger keeps ticking, and a tick committed between two separate reads
        // would show an instance without its tick (each tick writes both in one transaction).
        var (ticks, instances) = await _a.QueryAsync(async db =>
        {
            await using var snapshot = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead);
            var t = await db.TriggerStarts.AsNoTracking().Where(t => t.DefinitionId == "trig-cron").ToListAsync();
            var i = await db.Instances.AsNoTracking().Where(i => i.DefinitionId == "trig-cron").Select(i => i.Id).ToListAsync();
            return (t, i);
        });
        // Every instance belongs to one tick, and no tick started two (both nodes poll every second).
        Assert.That(instances.Order(), Is.EquivalentTo(ticks.Select(t => t.InstanceId).Order()));
        Assert.That(ticks.Select(t => t.TriggerKey), Is.Unique);
        Assert.That(ticks.Select(t => t.TriggerKey), Has.All.StartsWith("cron:every-second:"));
        var journal = await _a.AsTestSystem().GetObjectAsync($"/api/instances/{instances[0]}/journal");
        Assert.That(journal.Items().First(e => e.Text("kind") == "InstanceStarted")!["actor"]!["userId"]!.GetValue<string>(), Is.EqualTo("trigger:cron"));
        await SuspendAsync("trig-cron");
    }

    [Test]
    public async Task Ticks_missed_while_every_node_was_down_fire_once()
    {
        await _a.PublishAsync(Triggered("trig-missed", """[ { "id": "hourly", "cron": "0 0 * * * ?" } ]"""));
        // Three hourly ticks passed while no node ran: the row is three hours overdue.
        var overdue = DateTimeOffset.UtcNow.AddHours(-3);
        await _a.QueryAsync(db => db.StartTriggers.Where(t => t.DefinitionId == "trig-missed").ExecuteUpdateAsync(s => s.SetProperty(t => t.NextDueAt, overdue)));
        Assert.That(await Poll.UntilAsync(async () => await InstancesOfAsync("trig-missed") >= 1, Bound), Is.True, "the overdue tick did not fire");
        // Both nodes look again at once: nothing more is due.
        await _a.Services.GetRequiredService<CronTriggerPoller>().PollOnceAsync(CancellationToken.None);
        await _b.Services.GetRequiredService<CronTriggerPoller>().PollOnceAsync(CancellationToken.None);
        Assert.That(await InstancesOfAsync("trig-missed"), Is.EqualTo(1));
        var next = await _a.QueryAsync(db => db.StartTriggers.Where(t => t.DefinitionId == "trig-missed").Select(t => t.NextDueAt).SingleAsync());
        Assert.That(next, Is.GreaterThan(DateTimeOffset.UtcNow), "the next tick is after now, not the next missed one");
        var key = await _a.QueryAsync(db => db.TriggerStarts.Where(t => t.DefinitionId == "trig-missed").Select(t => t.TriggerKey).SingleAsync());
        Assert.That(key, Does.StartWith("cron:hourly:"));
    }

    [Test]
    public async Task A_suspended_version_skips_its_ticks()
    {
        var version = await _a.PublishAsync(Triggered("trig-suspended", """[ { "cron": "0/1 * * * * ?" } ]"""));
        Assert.That(await Poll.UntilAsync(async () => await InstancesOfAsync("trig-suspended") >= 1, Bound), Is.True, "the cron trigger did not fire");
        await SuspendAsync("trig-suspended", version);
        Task<int> SkippedAsync() => _a.QueryAsync(db => db.DefinitionJournal.CountAsync(j => j.DefinitionId == "trig-suspended" && j.Kind == "TriggerSkipped"));
        Assert.That(await Poll.UntilAsync(async () => await SkippedAsync() >= 1, Bound), Is.True, "no tick was skipped");
        var instancesAfterFirstSkip = await InstancesOfAsync("trig-suspended");
        Assert.That(await Poll.UntilAsync(async () => await SkippedAsync() >= 3, Bound), Is.True, "the ticks after the suspension were not skipped");
        Assert.That(await InstancesOfAsync("trig-suspended"), Is.EqualTo(instancesAfterFirstSkip), "a suspended version started an instance");
    }

    [Test]
    public async Task A_bad_cron_a_bad_time_zone_and_a_bad_expression_are_refused_naming_the_field()
    {
        var analyst = await _a.AsUserAsync("analyst1");
        var cases = new (string Triggers, string Field)[]
        {
            ("""[ { "cron": "every day at noon" } ]""", "/startTriggers/0/cron"),
            ("""[ { "cron": "0 0 12 * * ?", "timeZone": "Mars/Olympus" } ]""", "/startTriggers/0/timeZone"),
            ("""[ { "event": "x", "correlation": "event.(" } ]""", "/startTriggers/0/correlation"),
            ("""[ { "event": "x", "correlation": "event.id", "input": { "unknown": "1" } } ]""", "/startTriggers/0/input/unknown"),
            ("""[ { "event": "x" } ]""", "/startTriggers/0/correlation"),
            ("""[ { "event": "x", "cron": "0 0 12 * * ?", "correlation": "event.id" } ]""", "/startTriggers/0"),
        };
        foreach (var (triggers, field) in cases)
        {
            var definition = Triggered("trig-bad", triggers);
            // The draft is saved (work is never lost) and the answer names the field; submitting it is refused naming it too.
            var saved = await analyst.PutObjectAsync("/api/definitions/trig-bad/draft", definition);
            Assert.That(saved["errors"]!.AsArray().Select(e => e.Text("path")), Does.Contain(field), saved.ToJsonString());
            await ApiAssert.ProblemAsync(await analyst.PostAsync("/api/definitions/trig-bad/publish", null), HttpStatusCode.UnprocessableEntity, field);
            var report = await analyst.PostObjectAsync("/api/definitions/validate", definition);
            Assert.That(report["errors"]!.AsArray().Select(e => e.Text("path")), Does.Contain(field), report.ToJsonString());
        }
        Assert.That(await _a.QueryAsync(db => db.PublishRequests.CountAsync(r => r.DefinitionId == "trig-bad")), Is.Zero, "no invalid trigger was submitted");
        // A flow only a domain route may start cannot have a trigger.
        var via = Triggered("trig-bad", """[ { "cron": "0 0 12 * * ?" } ]""");
        via["start"] = new JsonObject { ["via"] = "POST /api/wd-requests" };
        var viaReport = await analyst.PostObjectAsync("/api/definitions/validate", via);
        Assert.That(viaReport["errors"]!.AsArray().Select(e => e.Text("path")), Does.Contain("/startTriggers/0"), viaReport.ToJsonString());
    }

    private async Task SuspendAsync(string definition, int? version = null)
    {
        var approver = await _a.AsUserAsync("analyst2");
        version ??= await _a.QueryAsync(db => db.Definitions.Where(d => d.Id == definition).Select(d => d.PublishedVersion!.Value).SingleAsync());
        var response = await approver.PostAsJsonAsync($"/api/definitions/{definition}/versions/{version}/suspend", new { reason = "test" });
        Assert.That(response.IsSuccessStatusCode, Is.True, await response.Content.ReadAsStringAsync());
    }
}
