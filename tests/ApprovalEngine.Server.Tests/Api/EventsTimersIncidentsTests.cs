using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>What moves instances besides people: events, durable timers (due rows the pollers fire) and outside calls that fail into incidents.</summary>
[TestFixture]
public sealed class EventsTimersIncidentsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private ApiFactory _factory = null!;
    private HttpClient _system = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _system = _factory.AsTestSystem();
        await _factory.PublishAsync(TestFlows.WaitForPayment());
        await _factory.PublishAsync(TestFlows.WaitWithTimeout());
        await _factory.PublishAsync(TestFlows.Delay());
        await _factory.PublishAsync(TestFlows.LoadAccount());
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _system.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<string> StartAsync(string definition, string correlation, object? input = null) =>
        (await _system.PostObjectAsync($"/api/definitions/{definition}/instances", new { correlationId = correlation, input = input ?? new { } })).Text("id");

    private Task<JsonObject> InstanceAsync(string id) => _system.GetObjectAsync($"/api/instances/{id}");

    [Test]
    public async Task An_event_resumes_the_waiting_instance_an_unmatched_correlation_resumes_nothing_and_the_idempotency_key_dedupes()
    {
        var correlation = $"pay-{Guid.NewGuid():N}";
        var id = await StartAsync("test-wait-payment", correlation);
        var waiting = await InstanceAsync(id);
        Assert.That(waiting["waits"]!.AsArray().Single()!.Text("eventName"), Is.EqualTo("payment-received"));

        var unmatched = await _system.PostObjectAsync("/api/events/payment-received", new { correlationId = "someone-else", payload = new { amount = 1 } });
        Assert.That(unmatched["resumed"]!.GetValue<int>(), Is.EqualTo(0));
        Assert.That((await InstanceAsync(id)).Text("status"), Is.EqualTo("Running"));
        var otherEvent = await _system.PostObjectAsync("/api/events/something-else", new { correlationId = correlation });
        Assert.That(otherEvent["resumed"]!.GetValue<int>(), Is.EqualTo(0));

        var key = Guid.NewGuid().ToString();
        var delivered = await _system.PostObjectAsync("/api/events/payment-received", new { correlationId = correlation, payload = new { amount = 42.5, reference = "TX-1" }, idempotencyKey = key });
        Assert.That(delivered["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(delivered["instances"]!.AsArray().Single()!.GetValue<string>(), Is.EqualTo(id));
        Assert.That(delivered["duplicate"]!.GetValue<bool>(), Is.False);
        var done = await InstanceAsync(id);
        Assert.That(done.Text("status"), Is.EqualTo("Completed"));
        Assert.That(done.Text("businessStatus"), Is.EqualTo("Paid"));
        Assert.That(done["variables"]!["payment"]!["reference"]!.GetValue<string>(), Is.EqualTo("TX-1"));

        // A second delivery with the same key is a no-op, even for a new waiting instance with the same correlation:
        // it is answered with what the first one did (issue 11's inbox).
        var second = await StartAsync("test-wait-payment", correlation + "-2");
        var journalBefore = await _factory.SnapshotAsync();
        var again = await _system.PostObjectAsync("/api/events/payment-received", new { correlationId = correlation + "-2", idempotencyKey = key });
        Assert.That(again["duplicate"]!.GetValue<bool>(), Is.True);
        Assert.That(again["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(again.Text("eventId"), Is.EqualTo(delivered.Text("eventId")));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(journalBefore));
        Assert.That((await InstanceAsync(second)).Text("status"), Is.EqualTo("Running"));

        var journal = await _system.GetObjectAsync($"/api/instances/{id}/journal");
        Assert.That(journal.Items().Select(e => e.Text("kind")), Does.Contain("EventReceived"));
    }

    [Test]
    public async Task An_interrupt_event_moves_the_instance_to_its_target_whatever_it_waits_for()
    {
        var correlation = $"int-{Guid.NewGuid():N}";
        var id = await StartAsync("test-wait-payment", correlation);
        var delivered = await _system.PostObjectAsync("/api/events/client-cancelled", new { correlationId = correlation, payload = new { why = "changed mind" } });
        Assert.That(delivered["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        var after = await InstanceAsync(id);
        Assert.That(after.Text("status"), Is.EqualTo("Completed"));
        Assert.That(after.Text("businessStatus"), Is.EqualTo("CancelledByClient"));
        Assert.That(after["waits"]!.AsArray(), Is.Empty);
        var journal = await _system.GetObjectAsync($"/api/instances/{id}/journal");
        Assert.That(journal.Items().Select(e => e.Text("kind")), Does.Contain("Interrupted"));

        // Finished now: the same interrupt resumes nothing.
        var again = await _system.PostObjectAsync("/api/events/client-cancelled", new { correlationId = correlation });
        Assert.That(again["resumed"]!.GetValue<int>(), Is.EqualTo(0));
    }

    [Test]
    public async Task Events_come_from_systems_only_and_need_a_correlation_id()
    {
        // People act through tasks and domain routes; not even an all-department supervisor sends events (ADR 7).
        foreach (var user in new[] { "cs1", "supervisor1" })
        {
            var person = await _factory.AsUserAsync(user);
            await ApiAssert.ProblemAsync(await person.PostAsJsonAsync("/api/events/payment-received", new { correlationId = "x" }), HttpStatusCode.Forbidden);
        }
        await ApiAssert.ProblemAsync(await _system.PostAsJsonAsync("/api/events/payment-received", new { payload = 1 }), HttpStatusCode.UnprocessableEntity, "correlationId");
        var ok = await _system.PostObjectAsync("/api/events/payment-received", new { correlationId = "nobody" });
        Assert.That(ok["resumed"]!.GetValue<int>(), Is.EqualTo(0));
    }

    [Test]
    public async Task A_one_second_delay_completes_by_itself_through_the_pollers()
    {
        var id = await StartAsync("test-delay", $"delay-{Guid.NewGuid():N}");
        var waiting = await InstanceAsync(id);
        Assert.That(waiting["waits"]!.AsArray().Single()!.Text("kind"), Is.EqualTo("Timer"));
        var completed = await ApiAssert.EventuallyAsync(async () => (await InstanceAsync(id)).Text("status") == "Completed", Bound);
        Assert.That(completed, Is.True, "the Delay PT1S instance did not complete within 30 s");
        Assert.That((await InstanceAsync(id)).Text("businessStatus"), Is.EqualTo("Waited"));
        var journal = await _system.GetObjectAsync($"/api/instances/{id}/journal");
        var fired = journal.Items().First(e => e.Text("kind") is "TimerFired" or "ActivityCompleted" && e!["activityId"]?.GetValue<string>() == "delay")!;
        Assert.That(fired["actor"]?["userId"]?.GetValue<string>(), Is.EqualTo("timer"));
    }

    [Test]
    public async Task A_timer_firing_after_the_instance_moved_on_writes_nothing()
    {
        var correlation = $"late-{Guid.NewGuid():N}";
        var id = await StartAsync("test-wait-timeout", correlation);
        var timer = (await InstanceAsync(id))["waits"]!.AsArray().Single(w => w.Text("kind") == "Timer")!;
        var delivered = await _system.PostObjectAsync("/api/events/go", new { correlationId = correlation });
        Assert.That(delivered["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        var after = await InstanceAsync(id);
        Assert.That(after.Text("businessStatus"), Is.EqualTo("Received"));

        // The timer's row went with the step; a late firing (a row a slow node took before, a trigger an earlier
        // release stored) must change nothing — not even a journal line, so firing twice is indistinguishable from once.
        var journalBefore = (await _system.GetObjectAsync($"/api/instances/{id}/journal")).Items().Count;
        var runner = _factory.Services.GetRequiredService<WorkflowRunner>();
        await runner.FireTimerAsync(Guid.Parse(id), Guid.Parse(timer.Text("bookmarkId")), CancellationToken.None);
        var late = await InstanceAsync(id);
        Assert.That(late.Text("status"), Is.EqualTo("Completed"));
        Assert.That(late.Text("businessStatus"), Is.EqualTo("Received"));
        Assert.That(late["version"]!.GetValue<long>(), Is.EqualTo(after["version"]!.GetValue<long>()), "a late fire wrote a step");
        var journal = await _system.GetObjectAsync($"/api/instances/{id}/journal");
        var kinds = journal.Items().Select(e => e.Text("kind")).ToList();
        Assert.That(kinds, Has.Count.EqualTo(journalBefore));
        Assert.That(kinds, Does.Not.Contain("TimedOut"));
        Assert.That(journal.Items().Select(e => e!["activityId"]?.GetValue<string>()), Does.Not.Contain("timedOut"));
    }

    [Test]
    public async Task A_failing_outside_call_is_retried_then_becomes_an_incident_and_a_retry_after_the_fix_continues_the_flow()
    {
        var account = $"ACC-{Guid.NewGuid():N}"[..20];
        var id = await StartAsync("test-load-account", $"inc-{Guid.NewGuid():N}", new { account });

        // JobMaxAttempts=3, backoff 1 s then 2 s.
        JsonObject? incident = null;
        var opened = await ApiAssert.EventuallyAsync(async () =>
        {
            var page = await _system.GetObjectAsync($"/api/incidents?instanceId={id}");
            incident = page.Items().FirstOrDefault()?.AsObject();
            return incident is not null;
        }, Bound);
        Assert.That(opened, Is.True, "no incident within 30 s");
        Assert.That(incident!.Text("activityId"), Is.EqualTo("load"));
        Assert.That(incident!.Text("activityType"), Is.EqualTo("LoadTradingAccount"));
        Assert.That(incident!["attempts"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(incident!.Text("status"), Is.EqualTo("Open"));
        Assert.That(incident!.Text("message"), Does.Contain(account));
        var listed = await _system.GetObjectAsync("/api/incidents");
        Assert.That(listed.Items().Select(i => i.Text("id")), Does.Contain(incident.Text("id")));
        var instance = await InstanceAsync(id);
        Assert.That(instance["incidents"]!.AsArray().Single()!.Text("id"), Is.EqualTo(incident.Text("id")));
        var journal = await _system.GetObjectAsync($"/api/instances/{id}/journal");
        Assert.That(journal.Items().Count(e => e.Text("kind") == "JobFailed"), Is.EqualTo(3));

        // Retrying needs the right.
        var cs = await _factory.AsUserAsync("cs1");
        await ApiAssert.ProblemAsync(await cs.PostAsync($"/api/incidents/{incident.Text("id")}/retry", null), HttpStatusCode.Forbidden);

        // Fix the cause: the account now exists on the platform.
        var put = await _system.PutAsJsonAsync($"/api/sandbox/trading-accounts/{account}", new { customerId = "C-1", currency = "USD", balance = 1234.5, equity = 1234.5, margin = 0, freeMargin = 1234.5, credit = 0, openTrades = 0 });
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());

        var supervisor = await _factory.AsUserAsync("supervisor1");
        var retried = await supervisor.PostObjectAsync($"/api/incidents/{incident.Text("id")}/retry", null);
        Assert.That(retried.Text("id"), Is.EqualTo(id));
        var moved = await ApiAssert.EventuallyAsync(async () => (await InstanceAsync(id)).Text("businessStatus") == "Loaded", Bound);
        Assert.That(moved, Is.True, "the flow did not continue after the retry");
        var after = await InstanceAsync(id);
        Assert.That(after["variables"]!["balance"]!.GetValue<decimal>(), Is.EqualTo(1234.5m));
        Assert.That(after["openTasks"]!.AsArray().Single()!.Text("activityId"), Is.EqualTo("review"));
        Assert.That(after["incidents"]!.AsArray().Single()!.Text("status"), Is.EqualTo("Resolved"));
        Assert.That(after["incidents"]!.AsArray().Single()!.Text("resolvedBy"), Is.EqualTo("supervisor1"));
        var open = await _system.GetObjectAsync($"/api/incidents?instanceId={id}");
        Assert.That(open["total"]!.GetValue<int>(), Is.EqualTo(0));
        var all = await _system.GetObjectAsync($"/api/incidents?instanceId={id}&status=all");
        Assert.That(all["total"]!.GetValue<int>(), Is.EqualTo(1));

        // Retrying a resolved incident is a conflict; unknown ones are 404.
        await ApiAssert.ProblemAsync(await supervisor.PostAsync($"/api/incidents/{incident.Text("id")}/retry", null), HttpStatusCode.Conflict);
        await ApiAssert.ProblemAsync(await supervisor.PostAsync($"/api/incidents/{Guid.NewGuid()}/retry", null), HttpStatusCode.NotFound);
        await ApiAssert.ProblemAsync(await supervisor.PostAsync("/api/incidents/not-a-guid/retry", null), HttpStatusCode.NotFound);
    }
}
