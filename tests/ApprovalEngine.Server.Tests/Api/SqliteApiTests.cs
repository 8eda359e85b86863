using System.Net;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>The embedded default (SQLite): the essentials over HTTP — start, complete, journal, a timer, publishing.</summary>
[TestFixture]
public sealed class SqliteApiTests
{
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public void SetUp() => _factory = ApiFactory.Sqlite();

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    [Test]
    public async Task Start_complete_and_read_the_journal()
    {
        using var system = _factory.AsTestSystem();
        var started = await system.PostObjectAsync("/api/definitions/sample-approval/instances", new { correlationId = "sqlite-1", input = new { amount = 20_000 } });
        var id = started.Text("id");
        var bo = await _factory.AsUserAsync("bo1");
        var cs = await _factory.AsUserAsync("cs1");
        var csTask = (await cs.GetObjectAsync("/api/tasks?department=CS")).Items().Single(t => t.Text("instanceId") == id)!.Text("id");
        var afterCs = await cs.PostObjectAsync($"/api/tasks/{csTask}/complete", new { action = "Approve" });
        Assert.That(afterCs.Text("businessStatus"), Is.EqualTo("ApprovedByCS"));
        var boTask = afterCs["openTasks"]!.AsArray().Single()!.Text("id");
        await ApiAssert.ProblemAsync(await cs.PostAsync($"/api/tasks/{boTask}/claim", null), HttpStatusCode.Forbidden);
        var done = await bo.PostObjectAsync($"/api/tasks/{boTask}/complete", new { action = "Approve" });
        Assert.That(done.Text("status"), Is.EqualTo("Completed"));
        Assert.That(done.Text("businessStatus"), Is.EqualTo("Approved"));

        var journal = await bo.GetObjectAsync($"/api/instances/{id}/journal");
        var entries = journal.Items();
        Assert.That(entries.Select(e => e!["sequence"]!.GetValue<long>()), Is.Ordered.Ascending);
        var completions = entries.Where(e => e.Text("kind") == "TaskCompleted").Select(e => e!["actor"]!.Text("userId")).ToList();
        Assert.That(completions, Is.EqualTo(new List<string> { "cs1", "bo1" }));
        Assert.That(entries[^1]!.Text("kind"), Is.EqualTo("InstanceCompleted"));
    }

    [Test]
    public async Task A_delay_timer_fires_through_the_poller()
    {
        await _factory.PublishAsync(TestFlows.Delay());
        using var system = _factory.AsTestSystem();
        var id = (await system.PostObjectAsync("/api/definitions/test-delay/instances", new { correlationId = "sqlite-delay" })).Text("id");
        var completed = await ApiAssert.EventuallyAsync(async () => (await system.GetObjectAsync($"/api/instances/{id}")).Text("status") == "Completed", TimeSpan.FromSeconds(30));
        Assert.That(completed, Is.True, "the Delay PT1S instance did not complete within 30 s on SQLite");
    }

    [Test]
    public async Task An_event_sent_before_its_bookmark_is_delivered_when_it_appears_and_a_cron_trigger_starts_instances()
    {
        await _factory.PublishAsync(TestFlows.WaitForPayment("sqlite-wait"));
        using var system = _factory.AsTestSystem();
        var sent = await system.PostObjectAsync("/api/events/payment-received", new { correlationId = "sqlite-early", payload = new { reference = "S-1" }, idempotencyKey = "sqlite-k" });
        Assert.That(sent.Text("status"), Is.EqualTo("Waiting"));
        var id = (await system.PostObjectAsync("/api/definitions/sqlite-wait/instances", new { correlationId = "sqlite-early" })).Text("id");
        var delivered = await ApiAssert.EventuallyAsync(async () => (await system.GetObjectAsync($"/api/instances/{id}")).Text("status") == "Completed", TimeSpan.FromSeconds(30));
        Assert.That(delivered, Is.True, "the waiting event was not delivered on SQLite");
        var again = await system.PostObjectAsync("/api/events/payment-received", new { correlationId = "sqlite-early", idempotencyKey = "sqlite-k" });
        Assert.That(again["duplicate"]!.GetValue<bool>(), Is.True);

        var cron = TestFlows.Delay("sqlite-cron", "PT1H");
        cron["startTriggers"] = System.Text.Json.Nodes.JsonNode.Parse("""[ { "cron": "0/1 * * * * ?" } ]""");
        await _factory.PublishAsync(cron);
        var ticked = await ApiAssert.EventuallyAsync(async () => (await system.GetObjectAsync("/api/instances?definitionId=sqlite-cron"))["total"]!.GetValue<int>() >= 2, TimeSpan.FromSeconds(30));
        Assert.That(ticked, Is.True, "the cron trigger did not start two instances on SQLite");
    }

    [Test]
    public async Task Publishing_adds_versions_and_new_instances_use_the_latest()
    {
        Assert.That(await _factory.PublishAsync(TestFlows.SingleTask("sqlite-versioned", status: "One")), Is.EqualTo(1));
        Assert.That(await _factory.PublishAsync(TestFlows.SingleTask("sqlite-versioned", status: "Two")), Is.EqualTo(2));
        using var system = _factory.AsTestSystem();
        var started = await system.PostObjectAsync("/api/definitions/sqlite-versioned/instances", new { });
        Assert.That(started["version"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(started.Text("businessStatus"), Is.EqualTo("Two"));
        var analyst = await _factory.AsUserAsync("analyst1");
        var versions = await analyst.GetStringAsync("/api/definitions/sqlite-versioned/versions");
        Assert.That(System.Text.Json.Nodes.JsonNode.Parse(versions)!.AsArray().Select(v => v!["version"]!.GetValue<int>()), Is.EqualTo(new List<int> { 2, 1 }));
    }
}
