using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Tests.Custody;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Tests.Adapters;

/// <summary>
/// A signed hook of an outside service cannot start a flow (ADR 9, ADR 22): the tests publish a flow with a start
/// trigger on the very event a hook raises (<c>BankResult</c>, <c>BlockConfirmations</c>) and a flow waiting for it;
/// a validly signed hook resumes the waiting instance and starts nothing. On the generic events route the same event
/// starts the flow only for a key that also holds <c>start:&lt;id&gt;</c> (events-only keys start nothing). The server
/// runs on PostgreSQL in Real mode with the bank's and custody's REST adapters (in-process fakes that are never called).
/// </summary>
[TestFixture]
public sealed class SignedHookStartTests
{
    private const string EventsOnlyKey = "hook-events-only-key";
    private FakeBankService _bank = null!;
    private FakeCustody _custody = null!;
    private ApiFactory _factory = null!;
    private HttpClient _starter = null!;
    private HttpClient _eventsOnly = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _bank = new FakeBankService();
        await _bank.StartAsync();
        _custody = await FakeCustody.StartAsync();
        _factory = (await ApiFactory.PostgresAsync(new()
        {
            ["Adapters:Mode"] = "Real",
            ["Adapters:Ledger"] = "StandIn",
            ["Adapters:Bank"] = "Http",
            ["Adapters:Http:Bank:BaseAddress"] = _bank.BaseAddress.ToString(),
            ["Adapters:Http:Bank:KeyId"] = FakeService.KeyId,
            ["Adapters:Http:Bank:SigningKey"] = FakeService.SigningKey,
            ["Adapters:Http:Bank:WebhookKeys:0"] = FakeBankService.WebhookKey,
            ["Adapters:Custody"] = "Http",
            ["Adapters:Http:Custody:BaseAddress"] = _custody.BaseAddress.ToString(),
            ["Adapters:Http:Custody:SigningKey"] = FakeCustody.SigningKey,
            ["Adapters:Http:Custody:WebhookKeys:0"] = FakeCustody.WebhookKey,
            // A system that may send both events and start nothing.
            ["Identities:ApiKeys:5:Name"] = "hook-events-only",
            ["Identities:ApiKeys:5:Key"] = EventsOnlyKey,
            ["Identities:ApiKeys:5:Scopes:0"] = "events:BankResult",
            ["Identities:ApiKeys:5:Scopes:1"] = "events:BlockConfirmations",
        })).WithServices(s => s.AddAdapter(AdapterKind.Ledger, "StandIn", _ => new InMemorySandboxLedger()));
        // The tests' key: start:* and events:*.
        _starter = _factory.AsTestSystem();
        _eventsOnly = _factory.CreateClient();
        _eventsOnly.DefaultRequestHeaders.Add("X-Api-Key", EventsOnlyKey);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _starter.Dispose();
        _eventsOnly.Dispose();
        await _factory.DisposeAsync();
        await _custody.DisposeAsync();
        await _bank.DisposeAsync();
    }

    /// <summary>Start → wait for an event that never comes; started by an event trigger on <paramref name="eventName"/>.</summary>
    private static JsonObject Triggered(string id, string eventName, string correlation) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Triggered by {{eventName}}",
          "startTriggers": [ { "event": "{{eventName}}", "correlation": "{{correlation}}" } ],
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "wait", "type": "WaitForEvent", "inputs": { "event": "never-{{id}}" } },
            { "id": "done", "type": "End", "inputs": { "status": "Done" } }
          ],
          "connections": [ { "source": "start", "outcome": "Done", "target": "wait" }, { "source": "wait", "outcome": "Received", "target": "done" } ]
        }
        """)!.AsObject();

    /// <summary>Start → wait for <paramref name="eventName"/> (correlated by the instance's correlation id) → End.</summary>
    private static JsonObject Waiting(string id, string eventName) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Waits for {{eventName}}",
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "wait", "type": "WaitForEvent", "inputs": { "event": "{{eventName}}" } },
            { "id": "done", "type": "End", "inputs": { "status": "Resumed" } }
          ],
          "connections": [ { "source": "start", "outcome": "Done", "target": "wait" }, { "source": "wait", "outcome": "Received", "target": "done" } ]
        }
        """)!.AsObject();

    private Task<int> InstancesOfAsync(string definition) => _factory.QueryAsync(db => db.Instances.CountAsync(i => i.DefinitionId == definition));

    private async Task<(string Triggered, string Waiting, string Instance)> PublishAndWaitAsync(string eventName, string correlationExpression, string correlation)
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var triggered = $"trig-{eventName.ToLowerInvariant()}-{suffix}";
        var waiting = $"wait-{eventName.ToLowerInvariant()}-{suffix}";
        await _factory.PublishAsync(Triggered(triggered, eventName, correlationExpression));
        await _factory.PublishAsync(Waiting(waiting, eventName));
        var instance = (await _starter.PostObjectAsync($"/api/definitions/{waiting}/instances", new { correlationId = correlation })).Text("id");
        Assert.That((await _starter.GetObjectAsync($"/api/instances/{instance}")).Text("status"), Is.EqualTo("Running"));
        return (triggered, waiting, instance);
    }

    /// <summary>The generic route: an events-only key starts nothing; the key that also holds start:* starts the flow.</summary>
    private async Task GenericRouteStartsOnlyWithAStartScopeAsync(string eventName, string triggered, object payload)
    {
        var refused = await _eventsOnly.PostObjectAsync($"/api/events/{eventName}", new { correlationId = $"generic-{Guid.NewGuid():N}", payload });
        Assert.That(refused["started"]!.GetValue<int>(), Is.Zero, refused.ToJsonString());
        Assert.That(await InstancesOfAsync(triggered), Is.Zero, "events:<name> alone is not start:<id>");
        var started = await _starter.PostObjectAsync($"/api/events/{eventName}", new { correlationId = $"generic-{Guid.NewGuid():N}", payload });
        Assert.That(started["started"]!.GetValue<int>(), Is.EqualTo(1), started.ToJsonString());
        Assert.That(await InstancesOfAsync(triggered), Is.EqualTo(1), "the same event from a key holding start:* starts it: the trigger works");
    }

    [Test]
    public async Task A_signed_bank_result_resumes_the_waiting_instance_and_starts_no_flow_triggered_by_BankResult()
    {
        var reference = $"NR-{Guid.NewGuid():N}"[..20];
        var (triggered, _, instance) = await PublishAndWaitAsync("BankResult", "event.bankReference", reference);

        var response = await FakeBankService.DeliverAsync(_factory.CreateClient(), "/api/hooks/bank/results", $"d-{Guid.NewGuid():N}", FakeBankService.ResultBody(reference, "FB-1", success: true));
        var answer = await response.ReadObjectAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
            Assert.That(answer["resumed"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That((await _starter.GetObjectAsync($"/api/instances/{instance}")).Text("status"), Is.EqualTo("Completed"), "the hook resumed the waiting instance");
            Assert.That(await InstancesOfAsync(triggered), Is.Zero, "the bank's hook started nothing");
        });
        await GenericRouteStartsOnlyWithAStartScopeAsync("BankResult", triggered, new { success = true, bankReference = "FB-2" });
    }

    [Test]
    public async Task A_signed_custody_confirmation_resumes_the_waiting_instance_and_starts_no_flow_triggered_by_BlockConfirmations()
    {
        var txId = $"0x{Guid.NewGuid():N}";
        var (triggered, _, instance) = await PublishAndWaitAsync("BlockConfirmations", "'confirmed'", txId);

        var body = new JsonObject { ["txId"] = txId, ["confirmations"] = 1, ["failed"] = false }.ToJsonString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/custody/confirmations") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in FakeCustody.WebhookHeaders($"d-{Guid.NewGuid():N}", body)) request.Headers.TryAddWithoutValidation(name, value);
        var response = await _factory.CreateClient().SendAsync(request);
        var answer = await response.ReadObjectAsync();

        Assert.Multiple(async () =>
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
            Assert.That((await _starter.GetObjectAsync($"/api/instances/{instance}")).Text("status"), Is.EqualTo("Completed"), "the hook resumed the waiting instance");
            Assert.That(await InstancesOfAsync(triggered), Is.Zero, "custody's hook started nothing");
        });
        await GenericRouteStartsOnlyWithAStartScopeAsync("BlockConfirmations", triggered, new { confirmations = 1, failed = false });
    }
}
