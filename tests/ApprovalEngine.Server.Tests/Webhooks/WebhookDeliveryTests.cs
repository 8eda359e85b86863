using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Webhooks;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ApprovalEngine.Server.Tests.Webhooks.WebhookReceiver.Behaviour;

namespace ApprovalEngine.Server.Tests.Webhooks;

/// <summary>
/// Webhooks for systems (issue 15), sent by the real dispatcher to an in-process receiver. The dispatcher's loop is
/// off here: each test runs its cycles itself and moves the dispatcher's clock past the backoff (no waiting). The
/// receiver checks every signature with its own code.
/// </summary>
[TestFixture]
public sealed class WebhookDeliveryTests
{
    private ApiFactory _factory = null!;
    private HttpClient _manager = null!;
    private HttpClient _system = null!;
    private HttpClient _cs = null!;
    private WebhookDispatcher _dispatcher = null!;
    private readonly TestClock _clock = new(TimeProvider.System.GetUtcNow().AddSeconds(30));
    private readonly RollbackObserver _rollback = new();
    private readonly List<WebhookReceiver> _receivers = [];
    private static readonly string[] TwoStatusChanges = ["instance.business_status_changed", "instance.business_status_changed"];
    private static readonly string?[] StatusesBefore = [null, "InReview"];
    private static readonly string[] StatusesAfter = ["InReview", "Approved"];
    private static readonly bool[] FirstThenRepeat = [false, true];
    private static readonly string[] BodyMembers = ["type", "timestamp", "data"];
    private static readonly string[] FaultedDataMembers = ["instanceId", "definitionId", "definitionVersion", "correlationId", "status", "businessStatus", "department", "version", "activityId", "fault"];

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = (await ApiFactory.PostgresAsync(new()
        {
            ["Webhooks:DispatcherEnabled"] = "false",
            ["Webhooks:MaxAttempts"] = "3",
            ["Webhooks:BackoffBaseSeconds"] = "1",
            ["Webhooks:BackoffCapSeconds"] = "60",
            ["Webhooks:TimeoutSeconds"] = "1",
        })).WithServices(s =>
        {
            s.AddSingleton(new WebhookClock(_clock));
            s.AddSingleton<IStepObserver>(_rollback);
        });
        _manager = await _factory.AsUserAsync("supervisor1");
        _cs = await _factory.AsUserAsync("cs1");
        _system = _factory.AsSystem();
        _dispatcher = _factory.Services.GetRequiredService<WebhookDispatcher>();
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _manager.Dispose();
        _cs.Dispose();
        _system.Dispose();
        await _factory.DisposeAsync();
    }

    [SetUp]
    public void AheadOfTheSteps() => _clock.Set(TimeProvider.System.GetUtcNow().AddSeconds(30));

    /// <summary>Each test's subscriptions go, so later tests' steps write no deliveries for them.</summary>
    [TearDown]
    public async Task RemoveSubscriptions()
    {
        foreach (var s in (await _manager.GetArrayAsync("/api/webhooks/subscriptions")).Select(s => s.Text("id")))
        {
            (await _manager.DeleteAsync($"/api/webhooks/subscriptions/{s}")).EnsureSuccessStatusCode();
        }
        foreach (var r in _receivers) await r.DisposeAsync();
        _receivers.Clear();
    }

    private static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private async Task<WebhookReceiver> ReceiverAsync(string secret, int port = 0)
    {
        var receiver = await WebhookReceiver.StartAsync(secret, port);
        _receivers.Add(receiver);
        return receiver;
    }

    private async Task<string> SubscribeAsync(string url, string secret, params string[] events)
    {
        var created = await _manager.PostObjectAsync("/api/webhooks/subscriptions", new { definitionId = "sample-approval", events, url, secret, description = "test receiver" });
        Assert.That(created["generatedSecret"], Is.Null, "a secret the system chose is never echoed");
        return created["subscription"]!.Text("id");
    }

    private async Task<(string Instance, string Task, string Correlation)> StartAsync(decimal amount = 500m, string? correlation = null)
    {
        correlation ??= $"wh-{Guid.NewGuid():N}";
        var started = await _system.PostObjectAsync("/api/definitions/sample-approval/instances", new { correlationId = correlation, input = new { amount } });
        var instance = await _system.GetObjectAsync($"/api/instances/{started.Text("id")}");
        return (started.Text("id"), instance["openTasks"]!.AsArray().Single()!.Text("id"), correlation);
    }

    private async Task<List<JsonObject>> DeliveriesAsync(string subscription) =>
        [.. (await _manager.GetObjectAsync($"/api/webhooks/deliveries?subscriptionId={subscription}")).Items().Select(d => d!.AsObject())];

    private async Task<JsonObject> SingleDeliveryAsync(string subscription) => (await DeliveriesAsync(subscription)).Single();

    private static DateTimeOffset Time(JsonNode? node, string property) => DateTimeOffset.Parse(node.Text(property), System.Globalization.CultureInfo.InvariantCulture);

    [Test]
    public async Task A_created_task_is_sent_once_signed_naming_the_task_and_its_instance()
    {
        var secret = NewSecret();
        var receiver = await ReceiverAsync(secret);
        var subscription = await SubscribeAsync(receiver.Url, secret, WebhookEvents.TaskCreated);
        var (instance, task, correlation) = await StartAsync();

        await _dispatcher.RunOnceAsync();

        var got = receiver.Received.Single();
        var delivery = await SingleDeliveryAsync(subscription);
        var body = JsonNode.Parse(got.Body)!;
        Assert.Multiple(() =>
        {
            Assert.That(got.SignatureValid, Is.True, got.Signature);
            Assert.That(got.Id, Is.EqualTo(delivery.Text("id")), "webhook-id is the delivery id");
            Assert.That(body.Text("type"), Is.EqualTo("task.created"));
            Assert.That(body["data"].Text("instanceId"), Is.EqualTo(instance));
            Assert.That(body["data"].Text("correlationId"), Is.EqualTo(correlation));
            Assert.That(body["data"]!["task"].Text("id"), Is.EqualTo(task));
            Assert.That(body["data"]!["task"].Text("activityId"), Is.EqualTo("csReview"));
            Assert.That(body["data"]!["task"].Text("department"), Is.EqualTo("CS"));
            Assert.That(body["data"]!["task"].Text("businessStatus"), Is.EqualTo("InReview"));
            Assert.That(delivery.Text("status"), Is.EqualTo("Delivered"));
            Assert.That(delivery["attempts"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(delivery["lastStatusCode"]!.GetValue<int>(), Is.EqualTo(204));
        });
    }

    [Test]
    public async Task A_business_status_change_is_sent_with_the_status_before_and_after()
    {
        var secret = NewSecret();
        var receiver = await ReceiverAsync(secret);
        var subscription = await SubscribeAsync(receiver.Url, secret, WebhookEvents.BusinessStatusChanged);
        var (instance, task, _) = await StartAsync();
        await _cs.PostObjectAsync($"/api/tasks/{task}/complete", new { action = "Approve" });

        await _dispatcher.RunOnceAsync();

        var bodies = receiver.Received.Select(r => JsonNode.Parse(r.Body)!).OrderBy(b => b.Text("timestamp"), StringComparer.Ordinal).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(receiver.Received.All(r => r.SignatureValid), Is.True);
            Assert.That(bodies.Select(b => b.Text("type")), Is.EqualTo(TwoStatusChanges));
            Assert.That(bodies.Select(b => b["data"].Text("instanceId")), Is.All.EqualTo(instance));
            Assert.That(bodies.Select(b => (string?)b["data"]!["previousBusinessStatus"]), Is.EqualTo(StatusesBefore));
            Assert.That(bodies.Select(b => b["data"].Text("businessStatus")), Is.EqualTo(StatusesAfter));
        });
    }

    [Test]
    public async Task A_receiver_that_is_down_then_failing_gets_retries_with_growing_waits_and_the_same_webhook_id()
    {
        var secret = NewSecret();
        var down = await WebhookReceiver.StartAsync(secret);
        var port = down.Port;
        await down.DisposeAsync(); // nothing listens on the port: connection refused
        var subscription = await SubscribeAsync($"http://127.0.0.1:{port}/hook", secret, WebhookEvents.TaskCreated);
        await StartAsync();

        await _dispatcher.RunOnceAsync();
        var first = await SingleDeliveryAsync(subscription);
        Assert.Multiple(() =>
        {
            Assert.That(first.Text("status"), Is.EqualTo("Pending"));
            Assert.That(first["attempts"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(first.Text("lastError"), Does.Contain("ConnectionRefused"));
            // base 1 s, plus at most 20 % jitter
            Assert.That(Time(first, "nextAttemptAt") - Time(first, "lastAttemptAt"), Is.InRange(TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(1.2)));
        });
        await _dispatcher.RunOnceAsync();
        Assert.That((await SingleDeliveryAsync(subscription))["attempts"]!.GetValue<int>(), Is.EqualTo(1), "not due again before its wait");

        var receiver = await ReceiverAsync(secret, port);
        receiver.Then(Fail503);
        _clock.Advance(TimeSpan.FromSeconds(1.3));
        await _dispatcher.RunOnceAsync();
        var second = await SingleDeliveryAsync(subscription);
        Assert.Multiple(() =>
        {
            Assert.That(receiver.Received, Has.Count.EqualTo(1));
            Assert.That(second["attempts"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(second["lastStatusCode"]!.GetValue<int>(), Is.EqualTo(503));
            Assert.That(second.Text("responseExcerpt"), Is.EqualTo("busy, try later"));
            Assert.That(Time(second, "nextAttemptAt") - Time(second, "lastAttemptAt"), Is.InRange(TimeSpan.FromSeconds(2), TimeSpan.FromSeconds(2.4)), "the wait doubles");
        });

        _clock.Advance(TimeSpan.FromSeconds(1.9));
        await _dispatcher.RunOnceAsync();
        Assert.That(receiver.Received, Has.Count.EqualTo(1), "still waiting");
        _clock.Advance(TimeSpan.FromSeconds(0.6));
        await _dispatcher.RunOnceAsync();

        var done = await SingleDeliveryAsync(subscription);
        Assert.Multiple(() =>
        {
            Assert.That(done.Text("status"), Is.EqualTo("Delivered"));
            Assert.That(done["attempts"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(receiver.Received, Has.Count.EqualTo(2));
            Assert.That(receiver.Received.Select(r => r.Id), Is.All.EqualTo(done.Text("id")));
            Assert.That(receiver.Received.All(r => r.SignatureValid), Is.True);
            Assert.That(receiver.Received.Select(r => r.Body).Distinct().Count(), Is.EqualTo(1), "the same bytes every time");
        });
    }

    [Test]
    public async Task An_answer_cut_off_after_processing_is_sent_again_with_the_same_id_and_the_receiver_drops_the_repeat()
    {
        var secret = NewSecret();
        var receiver = await ReceiverAsync(secret);
        receiver.Then(AcceptThenCutConnection);
        var subscription = await SubscribeAsync(receiver.Url, secret, WebhookEvents.TaskCreated);
        await StartAsync();

        await _dispatcher.RunOnceAsync();
        Assert.That((await SingleDeliveryAsync(subscription)).Text("status"), Is.EqualTo("Pending"), "the sender never saw an answer");
        _clock.Advance(TimeSpan.FromSeconds(1.3));
        await _dispatcher.RunOnceAsync();

        var delivery = await SingleDeliveryAsync(subscription);
        Assert.Multiple(() =>
        {
            Assert.That(delivery.Text("status"), Is.EqualTo("Delivered"));
            Assert.That(receiver.Received.Select(r => r.Id), Is.EqualTo(new[] { delivery.Text("id"), delivery.Text("id") }));
            Assert.That(receiver.Received.Select(r => r.Duplicate), Is.EqualTo(FirstThenRepeat));
            Assert.That(receiver.Processed, Is.EqualTo(new[] { delivery.Text("id") }), "processed once");
        });
    }

    [Test]
    public async Task An_answer_that_never_comes_times_out_and_the_resend_carries_the_same_id()
    {
        var secret = NewSecret();
        var receiver = await ReceiverAsync(secret);
        receiver.Then(AcceptThenHang);
        var subscription = await SubscribeAsync(receiver.Url, secret, WebhookEvents.TaskCreated);
        await StartAsync();

        await _dispatcher.RunOnceAsync(); // gives up after Webhooks:TimeoutSeconds (1 s)
        var timedOut = await SingleDeliveryAsync(subscription);
        Assert.That(timedOut.Text("lastError"), Does.Contain("No answer within 1 s"));
        _clock.Advance(TimeSpan.FromSeconds(1.3));
        await _dispatcher.RunOnceAsync();

        var delivery = await SingleDeliveryAsync(subscription);
        Assert.Multiple(() =>
        {
            Assert.That(delivery.Text("status"), Is.EqualTo("Delivered"));
            Assert.That(receiver.Received.Select(r => r.Id), Is.EqualTo(new[] { delivery.Text("id"), delivery.Text("id") }));
            Assert.That(receiver.Processed, Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task A_step_that_rolls_back_leaves_no_delivery()
    {
        var secret = NewSecret();
        var receiver = await ReceiverAsync(secret);
        var subscription = await SubscribeAsync(receiver.Url, secret, WebhookEvents.TaskCreated, WebhookEvents.BusinessStatusChanged);
        var correlation = $"rollback-{Guid.NewGuid():N}";

        var refused = await _system.PostAsJsonAsync("/api/definitions/sample-approval/instances", new { correlationId = correlation, input = new { amount = 5 } });

        Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), await refused.Content.ReadAsStringAsync());
        Assert.That(_rollback.DeliveriesSeenInTransaction, Is.EqualTo(2), "the step's transaction held its two deliveries");
        await _dispatcher.RunOnceAsync();
        var stored = await _factory.QueryAsync(db => db.WebhookDeliveries.CountAsync(d => d.Payload.Contains(correlation)));
        Assert.Multiple(async () =>
        {
            Assert.That(stored, Is.Zero);
            Assert.That(await DeliveriesAsync(subscription), Is.Empty);
            Assert.That(receiver.Received, Is.Empty);
        });
    }

    [Test]
    public async Task A_delivery_that_failed_for_good_is_resent_by_an_operator_with_the_same_id()
    {
        var secret = NewSecret();
        var receiver = await ReceiverAsync(secret);
        receiver.Then(Fail503, Fail503, Fail503);
        var subscription = await SubscribeAsync(receiver.Url, secret, WebhookEvents.TaskCreated);
        await StartAsync();
        for (var i = 0; i < 3; i++)
        {
            await _dispatcher.RunOnceAsync();
            _clock.Advance(TimeSpan.FromSeconds(5));
        }
        var failed = await SingleDeliveryAsync(subscription);
        Assert.Multiple(() =>
        {
            Assert.That(failed.Text("status"), Is.EqualTo("Failed"), "after Webhooks:MaxAttempts (3)");
            Assert.That(failed["attempts"]!.GetValue<int>(), Is.EqualTo(3));
            Assert.That(failed["nextAttemptAt"], Is.Null);
        });
        _clock.Advance(TimeSpan.FromMinutes(2));
        await _dispatcher.RunOnceAsync();
        Assert.That(receiver.Received, Has.Count.EqualTo(3), "a failed delivery is not retried on its own");

        var resent = await _manager.PostObjectAsync($"/api/webhooks/deliveries/{failed.Text("id")}/resend", null);
        Assert.Multiple(() =>
        {
            Assert.That(resent.Text("status"), Is.EqualTo("Pending"));
            Assert.That(resent["attempts"]!.GetValue<int>(), Is.Zero);
            Assert.That(resent.Text("resentBy"), Is.EqualTo("supervisor1"));
        });
        await _dispatcher.RunOnceAsync();

        var delivered = await SingleDeliveryAsync(subscription);
        Assert.Multiple(() =>
        {
            Assert.That(delivered.Text("status"), Is.EqualTo("Delivered"));
            Assert.That(receiver.Received, Has.Count.EqualTo(4));
            Assert.That(receiver.Received.Select(r => r.Id).Distinct(), Is.EqualTo(new[] { failed.Text("id") }));
            Assert.That(receiver.Processed, Has.Count.EqualTo(1));
        });
        await ApiAssert.ProblemAsync(await _manager.PostAsync($"/api/webhooks/deliveries/{Guid.NewGuid()}/resend", null), HttpStatusCode.NotFound);
    }

    /// <summary>Start → a decision that divides by the input: 0 faults the instance at once (an incident opens).</summary>
    private static JsonObject Faulting(string id) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Faults on zero",
          "inputs": [ { "name": "amount", "type": "number", "required": true } ],
          "variables": [ { "name": "amount", "type": "number" } ],
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "check", "type": "Decision", "inputs": { "condition": "10 / amount > 1" } },
            { "id": "small", "type": "End", "inputs": { "status": "Small" } },
            { "id": "large", "type": "End", "inputs": { "status": "Large" } }
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "check" },
            { "source": "check", "outcome": "True", "target": "small" },
            { "source": "check", "outcome": "False", "target": "large" }
          ]
        }
        """)!.AsObject();

    [Test]
    public async Task A_faulted_instance_is_sent_signed_with_the_documented_body_and_its_resend_shares_the_delivery_id()
    {
        var definition = $"wh-fault-{Guid.NewGuid():N}"[..20];
        await _factory.PublishAsync(Faulting(definition));
        var secret = NewSecret();
        var receiver = await ReceiverAsync(secret);
        var created = await _manager.PostObjectAsync("/api/webhooks/subscriptions", new { definitionId = definition, events = new[] { WebhookEvents.InstanceFaulted }, url = receiver.Url, secret });
        var subscription = created["subscription"].Text("id");
        var correlation = $"fault-{Guid.NewGuid():N}";
        using var starter = _factory.AsTestSystem();
        var instance = (await starter.PostObjectAsync($"/api/definitions/{definition}/instances", new { correlationId = correlation, input = new { amount = 0 } })).Text("id");
        var incident = (await starter.GetObjectAsync($"/api/incidents?instanceId={instance}")).Items().Single();
        Assert.That(incident.Text("status"), Is.EqualTo("Open"), "the instance faulted into an incident");

        await _dispatcher.RunOnceAsync();

        var first = receiver.Received.Single();
        var delivery = await SingleDeliveryAsync(subscription);
        var body = JsonNode.Parse(first.Body)!.AsObject();
        var data = body["data"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(first.SignatureValid, Is.True, first.Signature);
            Assert.That(first.Id, Is.EqualTo(delivery.Text("id")), "webhook-id is the delivery id");
            Assert.That(delivery.Text("status"), Is.EqualTo("Delivered"));
            Assert.That(delivery.Text("eventType"), Is.EqualTo(WebhookEvents.InstanceFaulted));
            // README, "Webhooks for systems": type, timestamp, data = the instance's fields plus activityId and fault.
            Assert.That(body.Select(p => p.Key), Is.EquivalentTo(BodyMembers));
            Assert.That(body.Text("type"), Is.EqualTo("instance.faulted"));
            Assert.That(data.Select(p => p.Key), Is.EquivalentTo(FaultedDataMembers));
            Assert.That(data.Text("instanceId"), Is.EqualTo(instance));
            Assert.That(data.Text("definitionId"), Is.EqualTo(definition));
            Assert.That(data.Text("correlationId"), Is.EqualTo(correlation));
            Assert.That(data.Text("status"), Is.EqualTo("Faulted"));
            Assert.That(data.Text("activityId"), Is.EqualTo("check"));
            Assert.That(data.Text("fault"), Is.Not.Empty);
            Assert.That(data.ContainsKey("variables"), Is.False);
        });

        var resent = await _manager.PostObjectAsync($"/api/webhooks/deliveries/{delivery.Text("id")}/resend", null);
        Assert.That(resent.Text("status"), Is.EqualTo("Pending"));
        await _dispatcher.RunOnceAsync();

        var again = await SingleDeliveryAsync(subscription);
        Assert.Multiple(() =>
        {
            Assert.That(again.Text("status"), Is.EqualTo("Delivered"));
            Assert.That(again.Text("id"), Is.EqualTo(delivery.Text("id")), "still one delivery row");
            Assert.That(receiver.Received, Has.Count.EqualTo(2));
            Assert.That(receiver.Received.Select(r => r.Id), Is.All.EqualTo(delivery.Text("id")), "the duplicate shares the delivery id");
            Assert.That(receiver.Received.Select(r => r.Duplicate), Is.EqualTo(FirstThenRepeat), "so the receiver drops it");
            Assert.That(receiver.Received.Select(r => r.Body).Distinct().Count(), Is.EqualTo(1), "the same bytes");
            Assert.That(receiver.Received.All(r => r.SignatureValid), Is.True);
        });
    }

    [Test]
    public async Task Dispatchers_running_at_the_same_time_send_each_delivery_once()
    {
        var secret = NewSecret();
        var receiver = await ReceiverAsync(secret);
        var subscription = await SubscribeAsync(receiver.Url, secret, WebhookEvents.TaskCreated);
        for (var i = 0; i < 8; i++) await StartAsync();

        // Four cycles at once, as four servers' dispatchers would run: each reads the same due rows, only one claims each.
        var attempted = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(() => _dispatcher.RunOnceAsync())));

        var deliveries = await DeliveriesAsync(subscription);
        Assert.Multiple(() =>
        {
            Assert.That(deliveries, Has.Count.EqualTo(8));
            Assert.That(deliveries.Select(d => d.Text("status")), Is.All.EqualTo("Delivered"));
            Assert.That(receiver.Received, Has.Count.EqualTo(8), "no delivery sent twice");
            Assert.That(receiver.Received.Select(r => r.Id), Is.Unique);
            Assert.That(attempted.Sum(), Is.EqualTo(8), $"cycles attempted {string.Join(", ", attempted)}");
        });
    }

    /// <summary>Writes the step's rows into its open transaction, counts the outbox's rows there, then fails the step.</summary>
    private sealed class RollbackObserver : IStepObserver
    {
        public int DeliveriesSeenInTransaction { get; private set; }

        public async ValueTask OnStepSavedAsync(ApprovalDbContext db, StepResult step, CancellationToken cancellationToken)
        {
            if (step.State.CorrelationId?.StartsWith("rollback-", StringComparison.Ordinal) != true) return;
            await db.SaveChangesAsync(cancellationToken);
            DeliveriesSeenInTransaction = await db.WebhookDeliveries.CountAsync(d => d.InstanceId == step.State.Id, cancellationToken);
            throw new WorkflowConflictException("Refused by the test after the step's rows were written.");
        }
    }
}
