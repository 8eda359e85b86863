using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Hosting;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Trust;
using ApprovalEngine.Testing;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// The event inbox (issue 11) over HTTP on PostgreSQL: an event is stored with the steps it resumes, kept while
/// nothing waits for it, answered again to a retry, delivered once per target whatever the concurrency.
/// </summary>
[TestFixture]
public sealed class EventInboxTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private const string NarrowKey = "inbox-narrow-key";
    private ApiFactory _factory = null!;
    private HttpClient _system = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync(new Dictionary<string, string?>
        {
            // A sender that may send payment-received only, and reads nothing.
            ["Identities:ApiKeys:7:Name"] = "inbox-narrow",
            ["Identities:ApiKeys:7:Key"] = NarrowKey,
            ["Identities:ApiKeys:7:Scopes:0"] = "events:payment-received",
        });
        _system = _factory.AsTestSystem();
        await _factory.PublishAsync(TestFlows.WaitForPayment("inbox-wait"));
        await _factory.PublishAsync(TestFlows.WaitForPayment("inbox-wait-2"));
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _system.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<string> StartAsync(string definition, string correlation) =>
        (await _system.PostObjectAsync($"/api/definitions/{definition}/instances", new { correlationId = correlation, input = new { } })).Text("id");

    private Task<JsonObject> InstanceAsync(string id) => _system.GetObjectAsync($"/api/instances/{id}");

    private async Task<List<string?>> JournalKindsAsync(string id) =>
        [.. (await _system.GetObjectAsync($"/api/instances/{id}/journal?pageSize=200")).Items().Select(e => e.Text("kind"))];

    private Task<int> DeliveriesAsync(Guid eventId) => _factory.QueryAsync(db => db.EventDeliveries.CountAsync(d => d.EventId == eventId));

    [Test]
    public async Task An_event_sent_before_its_bookmark_waits_and_is_delivered_when_the_bookmark_appears()
    {
        var correlation = $"early-{Guid.NewGuid():N}";
        var sent = await _system.PostObjectAsync("/api/events/payment-received", new { correlationId = correlation, payload = new { reference = "TX-early" }, idempotencyKey = "early-1" });
        Assert.Multiple(() =>
        {
            Assert.That(sent.Text("status"), Is.EqualTo("Waiting"));
            Assert.That(sent["resumed"]!.GetValue<int>(), Is.EqualTo(0));
            Assert.That(sent["duplicate"]!.GetValue<bool>(), Is.False);
            Assert.That(sent["expiresAt"], Is.Not.Null);
        });
        var eventId = sent.Text("eventId")!;
        var listed = await _system.GetObjectAsync($"/api/events?name=payment-received&correlationId={correlation}");
        Assert.That(listed.Items().Single()!.Text("status"), Is.EqualTo("Waiting"));

        var id = await StartAsync("inbox-wait", correlation);
        Assert.That(await Poll.UntilAsync(async () => (await InstanceAsync(id)).Text("status") == "Completed", Bound), Is.True, "the waiting event was not delivered to the new bookmark");
        var done = await InstanceAsync(id);
        Assert.That(done["variables"]!["payment"]!["reference"]!.GetValue<string>(), Is.EqualTo("TX-early"));
        var journal = (await _system.GetObjectAsync($"/api/instances/{id}/journal?pageSize=200")).Items();
        var delivery = journal.Single(e => e.Text("kind") == JournalKinds.EventDelivered)!;
        Assert.That(delivery.Text("message"), Does.Contain(eventId));
        var after = await _system.GetObjectAsync($"/api/events?name=payment-received&correlationId={correlation}");
        Assert.That(after.Items().Single()!.Text("status"), Is.EqualTo("Delivered"));
        Assert.That(after.Items().Single()!["deliveries"]!.GetValue<int>(), Is.EqualTo(1));

        // The retry is answered as the first try was (Waiting), and acts no more.
        var retry = await _system.PostObjectAsync("/api/events/payment-received", new { correlationId = correlation, payload = new { reference = "TX-early" }, idempotencyKey = "early-1" });
        Assert.That(retry.Text("status"), Is.EqualTo("Waiting"));
        Assert.That(retry["duplicate"]!.GetValue<bool>(), Is.True);
        Assert.That(await DeliveriesAsync(Guid.Parse(eventId)), Is.EqualTo(1));
    }

    [Test]
    public async Task A_retry_with_the_same_key_gets_the_original_answer_and_changes_nothing()
    {
        var correlation = $"retry-{Guid.NewGuid():N}";
        var id = await StartAsync("inbox-wait", correlation);
        var body = new { correlationId = correlation, payload = new { reference = "TX-1" }, idempotencyKey = "retry-1" };
        var first = await _system.PostObjectAsync("/api/events/payment-received", body);
        Assert.That(first["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(first.Text("status"), Is.EqualTo("Delivered"));
        // A second instance now waits with the same correlation: the retry must still not resume it.
        var second = await StartAsync("inbox-wait-2", correlation);
        var before = await _factory.SnapshotAsync();

        var again = await _system.PostObjectAsync("/api/events/payment-received", body);
        first["duplicate"] = true;
        Assert.That(again.ToJsonString(), Is.EqualTo(first.ToJsonString()));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        Assert.That((await InstanceAsync(second)).Text("status"), Is.EqualTo("Running"));
        Assert.That((await JournalKindsAsync(id)).Count(k => k == JournalKinds.EventDelivered), Is.EqualTo(1));
    }

    [Test]
    public async Task Eight_concurrent_sends_with_one_key_deliver_once()
    {
        var correlation = $"burst-{Guid.NewGuid():N}";
        var id = await StartAsync("inbox-wait", correlation);
        var body = new { correlationId = correlation, payload = new { reference = "TX-8" }, idempotencyKey = "burst-1" };
        var clients = Enumerable.Range(0, 8).Select(_ => _factory.AsTestSystem()).ToList();
        var answers = await Task.WhenAll(clients.Select(c => c.PostObjectAsync("/api/events/payment-received", body)));
        foreach (var c in clients) c.Dispose();

        Assert.Multiple(() =>
        {
            Assert.That(answers.Select(a => a.Text("eventId")).Distinct().Count(), Is.EqualTo(1), "one event row");
            Assert.That(answers.Count(a => !a["duplicate"]!.GetValue<bool>()), Is.EqualTo(1), "one first try");
            Assert.That(answers.Select(a => a["resumed"]!.GetValue<int>()), Is.All.EqualTo(1));
        });
        Assert.That((await JournalKindsAsync(id)).Count(k => k == JournalKinds.EventDelivered), Is.EqualTo(1));
        Assert.That((await JournalKindsAsync(id)).Count(k => k == JournalKinds.EventReceived), Is.EqualTo(1));
        Assert.That(await _factory.QueryAsync(db => db.Events.CountAsync(e => e.CorrelationId == correlation)), Is.EqualTo(1));
        Assert.That(await DeliveriesAsync(Guid.Parse(answers[0].Text("eventId")!)), Is.EqualTo(1));
    }

    [Test]
    public async Task A_waiting_event_expires_and_is_then_not_delivered()
    {
        var correlation = $"expire-{Guid.NewGuid():N}";
        var sent = await _system.PostObjectAsync("/api/events/payment-received", new { correlationId = correlation, keepForSeconds = 1 });
        Assert.That(sent.Text("status"), Is.EqualTo("Waiting"));
        var expired = await Poll.UntilAsync(async () =>
            (await _system.GetObjectAsync($"/api/events?correlationId={correlation}&status=Expired")).Items().Count == 1, Bound);
        Assert.That(expired, Is.True, "the event kept for one second did not expire");

        var id = await StartAsync("inbox-wait", correlation);
        // One look of this node's inbox poller after the bookmark exists: an expired event is not taken.
        await _factory.Services.GetRequiredService<EventInboxPoller>().PollOnceAsync(CancellationToken.None);
        Assert.That((await InstanceAsync(id)).Text("status"), Is.EqualTo("Running"));
        Assert.That(await DeliveriesAsync(Guid.Parse(sent.Text("eventId")!)), Is.Zero);
    }

    [Test]
    public async Task keepForSeconds_zero_is_not_kept_and_a_negative_one_is_refused()
    {
        var correlation = $"nokeep-{Guid.NewGuid():N}";
        await ApiAssert.ProblemAsync(await _system.PostAsJsonAsync("/api/events/payment-received", new { correlationId = correlation, keepForSeconds = -1 }),
            HttpStatusCode.UnprocessableEntity, "keepForSeconds");
        var sent = await _system.PostObjectAsync("/api/events/payment-received", new { correlationId = correlation, keepForSeconds = 0 });
        Assert.That(await Poll.UntilAsync(async () =>
            (await _system.GetObjectAsync($"/api/events?correlationId={correlation}&status=Expired")).Items().Count == 1, Bound), Is.True);
        Assert.That(sent.Text("status"), Is.EqualTo("Waiting"));
    }

    [Test]
    public async Task Refused_senders_write_nothing_to_the_inbox()
    {
        var correlation = $"side-{Guid.NewGuid():N}";
        var id = await StartAsync("inbox-wait", correlation);
        var before = await _factory.SnapshotAsync();
        // Another event's scope.
        await ApiAssert.ProblemAsync(await _factory.AsApiKey(NarrowKey).PostAsJsonAsync("/api/events/client-cancelled", new { correlationId = correlation }), HttpStatusCode.Forbidden);
        // A person, even a supervisor.
        var supervisor = await _factory.AsUserAsync("supervisor1");
        await ApiAssert.ProblemAsync(await supervisor.PostAsJsonAsync("/api/events/payment-received", new { correlationId = correlation }), HttpStatusCode.Forbidden);
        // No credentials.
        using var anonymous = _factory.CreateClient();
        Assert.That((await anonymous.PostAsJsonAsync("/api/events/payment-received", new { correlationId = correlation })).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        Assert.That((await InstanceAsync(id)).Text("status"), Is.EqualTo("Running"));
        // The inbox list: people other than supervisors and keys without the event's scope are refused.
        await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("cs1")).GetAsync("/api/events"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _factory.AsApiKey(NarrowKey).GetAsync("/api/events?name=client-cancelled"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _factory.AsApiKey(NarrowKey).GetAsync("/api/events"), HttpStatusCode.Forbidden);
        Assert.That((await supervisor.GetAsync("/api/events")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // The narrow key sends its own event; it reads no instance, so it gets the count only.
        var sent = await _factory.AsApiKey(NarrowKey).PostObjectAsync("/api/events/payment-received", new { correlationId = correlation });
        Assert.That(sent["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(sent["instances"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task A_system_lists_only_the_events_it_sent_unless_it_reads_everything()
    {
        var theirs = $"their-{Guid.NewGuid():N}";
        var mine = $"mine-{Guid.NewGuid():N}";
        await _system.PostObjectAsync("/api/events/payment-received", new { correlationId = theirs, payload = new { amount = 4321.5m } });
        var narrow = _factory.AsApiKey(NarrowKey);
        await narrow.PostObjectAsync("/api/events/payment-received", new { correlationId = mine });

        var seen = (await narrow.GetObjectAsync("/api/events?name=payment-received&pageSize=500")).Items().Select(e => e!.Text("correlationId")).ToList();
        Assert.That(seen, Does.Contain(mine));
        Assert.That(seen, Does.Not.Contain(theirs), "another sender's event (and its payload) is not shown");
        var all = (await _system.GetObjectAsync("/api/events?name=payment-received&pageSize=500")).Items().Select(e => e!.Text("correlationId")).ToList();
        Assert.That(all, Does.Contain(mine).And.Contain(theirs), "read:* sees every sender's events");
    }

    [Test]
    public async Task A_key_the_previous_release_stored_is_still_answered_as_a_duplicate()
    {
        var correlation = $"legacy-{Guid.NewGuid():N}";
        var id = await StartAsync("inbox-wait", correlation);
        await _factory.QueryAsync(async db =>
        {
            db.IdempotencyKeys.Add(new ApprovalEngine.Persistence.Entities.IdempotencyKeyRecord { Key = EventInbox.LegacyKey("payment-received", "old-key"), Scope = "event", CreatedAt = DateTimeOffset.UtcNow });
            return await db.SaveChangesAsync();
        });
        var answer = await _system.PostObjectAsync("/api/events/payment-received", new { correlationId = correlation, idempotencyKey = "old-key" });
        Assert.That(answer["duplicate"]!.GetValue<bool>(), Is.True);
        Assert.That(answer["resumed"]!.GetValue<int>(), Is.Zero);
        Assert.That((await InstanceAsync(id)).Text("status"), Is.EqualTo("Running"));
    }
}

/// <summary>
/// A delivery that fails half-way through its targets (the second target's step throws, as a process dying there
/// would leave it): the first target is delivered and recorded, the second is not, and the sender's retry with the
/// same key delivers only the second.
/// </summary>
[TestFixture]
public sealed class EventPartialDeliveryTests
{
    private ApiFactory _factory = null!;
    private HttpClient _system = null!;
    private readonly FailingObserver _failing = new();

    private sealed class FailingObserver : IStepObserver
    {
        public Guid? FailFor { get; set; }

        public ValueTask OnStepSavedAsync(ApprovalDbContext db, StepResult step, CancellationToken cancellationToken)
        {
            if (step.State.Id == FailFor)
            {
                FailFor = null;
                throw new InvalidOperationException("injected: the node died while delivering to this target");
            }
            return ValueTask.CompletedTask;
        }
    }

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = (await ApiFactory.PostgresAsync()).WithServices(s => s.AddSingleton<IStepObserver>(_failing));
        _system = _factory.AsTestSystem();
        await _factory.PublishAsync(TestFlows.WaitForPayment("partial-a"));
        await _factory.PublishAsync(TestFlows.WaitForPayment("partial-b"));
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _system.Dispose();
        await _factory.DisposeAsync();
    }

    [Test]
    public async Task A_retry_after_a_partial_delivery_delivers_only_the_missing_target()
    {
        var correlation = $"partial-{Guid.NewGuid():N}";
        var a = (await _system.PostObjectAsync("/api/definitions/partial-a/instances", new { correlationId = correlation })).Text("id")!;
        var b = (await _system.PostObjectAsync("/api/definitions/partial-b/instances", new { correlationId = correlation })).Text("id")!;
        // Targets are delivered oldest bookmark first: a, then b, whose step fails.
        _failing.FailFor = Guid.Parse(b);
        var body = new { correlationId = correlation, payload = new { reference = "TX-P" }, idempotencyKey = "partial-1" };
        var failed = await _system.PostAsJsonAsync("/api/events/payment-received", body);
        Assert.That(failed.IsSuccessStatusCode, Is.False);
        Assert.That((await _system.GetObjectAsync($"/api/instances/{a}")).Text("status"), Is.EqualTo("Completed"));
        Assert.That((await _system.GetObjectAsync($"/api/instances/{b}")).Text("status"), Is.EqualTo("Running"));
        var stored = await _factory.QueryAsync(db => db.Events.AsNoTracking().SingleAsync(e => e.CorrelationId == correlation));
        Assert.That(stored.OutcomeJson, Is.Null, "no answer was given, so none is stored");

        var retry = await _system.PostObjectAsync("/api/events/payment-received", body);
        Assert.That(retry["resumed"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(retry["duplicate"]!.GetValue<bool>(), Is.True);
        Assert.That(retry.Text("eventId"), Is.EqualTo(stored.Id.ToString()));
        Assert.That((await _system.GetObjectAsync($"/api/instances/{b}")).Text("status"), Is.EqualTo("Completed"));
        foreach (var id in new[] { a, b })
        {
            var kinds = (await _system.GetObjectAsync($"/api/instances/{id}/journal?pageSize=200")).Items().Select(e => e.Text("kind")).ToList();
            Assert.That(kinds.Count(k => k == JournalKinds.EventDelivered), Is.EqualTo(1), id);
        }
        Assert.That(await _factory.QueryAsync(db => db.EventDeliveries.CountAsync(d => d.EventId == stored.Id)), Is.EqualTo(2));
    }
}
