using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Tests.Startup;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Tests.Custody;

/// <summary>
/// The server on PostgreSQL in Real mode with <c>Adapters:Custody=Http</c> pointing at the in-process custody service:
/// the shipped coin withdrawal (atm.va.coin_withdraw_apply) runs through the work order, one broadcast (also when the
/// broadcast's response is lost or custody answers 503: the engine retries the step with the same key), and block
/// confirmations arriving as signed webhooks, which are verified before anything is written and deduplicated by
/// webhook-id through the event inbox.
/// </summary>
public sealed class CustodyRealModeTests
{
    private const string Address = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    private const string CustodyApiKey = "custody-service-api-key-0123456789";
    private FakeCustody _custody = null!;
    private ApiFactory _factory = null!;
    private HttpClient _system = null!;
    private HttpClient _checker = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _custody = await FakeCustody.StartAsync();
        _factory = (await ApiFactory.PostgresAsync(new()
        {
            ["Adapters:Mode"] = "Real",
            ["Adapters:Ledger"] = "StandIn",
            ["Adapters:Bank"] = "StandIn",
            ["Adapters:Custody"] = "Http",
            ["Adapters:Http:Custody:BaseAddress"] = _custody.BaseAddress.ToString(),
            ["Adapters:Http:Custody:SigningKey"] = FakeCustody.SigningKey,
            ["Adapters:Http:Custody:WebhookKeys:0"] = FakeCustody.WebhookKey,
            ["Adapters:Http:Custody:AttemptTimeout"] = "00:00:02",
            ["Adapters:Http:Custody:TotalTimeout"] = "00:00:04",
            // No retries inside the call: a failed broadcast goes back to the engine, whose step retry (same key) is what is tested.
            ["Adapters:Http:Custody:MaxRetries"] = "0",
            // The custody service's own API key, as a deployment that let it send events through /api/events before the
            // webhook existed would name it.
            ["Identities:ApiKeys:5:Name"] = "custody",
            ["Identities:ApiKeys:5:Key"] = CustodyApiKey,
            ["Identities:ApiKeys:5:Scopes:0"] = "events:BlockConfirmations",
        })).WithServices(s =>
        {
            s.AddAdapter(AdapterKind.Ledger, "StandIn", _ => new InMemorySandboxLedger());
            s.AddAdapter(AdapterKind.Bank, "StandIn", _ => new InMemoryBankSandbox());
        });
        _system = _factory.AsSystem();
        _checker = await _factory.AsUserAsync("checker1");
        // Real mode seeds no coins: an operator configures BTC as production would.
        var coin = await (await _factory.AsUserAsync("supervisor1")).PostAsJsonAsync("/api/crypto/coins", new
        {
            coin = "BTC", network = "BTC", decimals = 8, minWithdrawal = 0.001m, maxWithdrawal = 10m, withdrawalFee = 0.0002m,
            requiredConfirmations = 3, depositEnabled = true, withdrawalEnabled = true,
        });
        Assert.That(coin.StatusCode, Is.EqualTo(HttpStatusCode.Created), await coin.Content.ReadAsStringAsync());
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _system.Dispose();
        _checker.Dispose();
        await _factory.DisposeAsync();
        await _custody.DisposeAsync();
    }

    [SetUp]
    public void Reset() => _custody.ClearFaults();

    /// <summary>A verified address (the address-verification flow, a checker verifies), a withdrawal, its work order approved by checker1.</summary>
    private async Task<string> ApprovedWithdrawalAsync(string recordNo)
    {
        var account = "SA-" + recordNo;
        var verification = await _system.PostObjectAsync("/api/definitions/crypto-address-verification/instances", new
        {
            correlationId = $"{account}-BTC-{Address}", input = new { securitiesAccount = account, coin = "BTC", network = "BTC", address = Address },
        });
        var review = (await _system.GetObjectAsync($"/api/instances/{verification.Text("id")}"))["openTasks"]!.AsArray().Single()!.Text("id");
        var verified = await _checker.PostAsJsonAsync($"/api/tasks/{review}/complete", new { action = "Verify" });
        Assert.That(verified.StatusCode, Is.EqualTo(HttpStatusCode.OK), await verified.Content.ReadAsStringAsync());

        var started = await _system.PostObjectAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = recordNo, input = new { recordNo, securitiesAccount = account, coin = "BTC", network = "BTC", amount = 0.5m, address = Address },
        });
        var id = started.Text("id");
        var workOrder = (await _checker.GetObjectAsync($"/api/crypto/withdrawals/{id}"))["openTasks"]!.AsArray().Single()!.Text("id");
        var approved = await _checker.PostAsJsonAsync($"/api/tasks/{workOrder}/complete", new { action = "Approve" });
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());
        return id;
    }

    private Task<JsonObject> InstanceAsync(string id) => _system.GetObjectAsync($"/api/instances/{id}");

    private async Task<JsonObject> WaitAsync(string id, Func<JsonObject, bool> condition, string what)
    {
        JsonObject? last = null;
        var reached = await ApiAssert.EventuallyAsync(async () => condition(last = await InstanceAsync(id)), TimeSpan.FromSeconds(30));
        Assert.That(reached, Is.True, $"{what}: {last?.ToJsonString()}");
        return last!;
    }

    private Task<JsonObject> BroadcastAsync(string id) =>
        WaitAsync(id, i => i["variables"]?["txid"] is JsonValue && i.Text("businessStatus") == "Awaiting Confirmations", "never broadcast");

    private List<JsonObject> SentFor(string recordNo) => [.. _custody.Transfers.Where(t => t["reference"]!.GetValue<string>() == recordNo)];

    private static string ConfirmationsBody(string txId, int confirmations, bool failed = false) =>
        new JsonObject { ["txId"] = txId, ["confirmations"] = confirmations, ["failed"] = failed }.ToJsonString();

    private async Task<HttpResponseMessage> HookAsync(string body, IReadOnlyDictionary<string, string> headers, HttpClient? client = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/custody/confirmations") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in headers) request.Headers.TryAddWithoutValidation(name, value);
        return await (client ?? _factory.CreateClient()).SendAsync(request);
    }

    private async Task<JsonObject> DeliverAsync(string deliveryId, string txId, int confirmations)
    {
        var body = ConfirmationsBody(txId, confirmations);
        var response = await HookAsync(body, FakeCustody.WebhookHeaders(deliveryId, body));
        var json = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), json.ToJsonString());
        return json;
    }

    private async Task<int> JournalLengthAsync(string id) => (await _system.GetObjectAsync($"/api/instances/{id}/journal?pageSize=500"))["total"]!.GetValue<int>();

    private Task<int> CustodyEventsAsync(string txId) =>
        _factory.QueryAsync(db => db.Events.CountAsync(e => e.Sender == ApprovalEngine.Server.Features.Crypto.Custody.CustodyHooksApi.Sender && e.CorrelationId == txId));

    private async Task CompleteByWebhooksAsync(string id, string txId)
    {
        for (var confirmations = 1; confirmations <= 3; confirmations++) await DeliverAsync($"{txId}-{confirmations}", txId, confirmations);
        var done = await InstanceAsync(id);
        Assert.That((done.Text("status"), done.Text("businessStatus")), Is.EqualTo(("Completed", "Completed")));
    }

    [Test]
    public async Task A_withdrawal_is_broadcast_once_and_completes_on_signed_confirmation_webhooks_a_duplicate_resuming_nothing()
    {
        var id = await ApprovedWithdrawalAsync("CU-1");
        var txId = (await BroadcastAsync(id))["variables"]!.Text("txid");
        var sent = SentFor("CU-1").Single();
        Assert.That((sent.Text("txId"), sent.Text("amount"), sent.Text("toAddress")), Is.EqualTo((txId, "0.4998", Address)), "net of the 0.0002 fee, as a decimal string");

        var first = await DeliverAsync("dlv-CU-1-a", txId, 1);
        Assert.That(first["duplicate"]!.GetValue<bool>(), Is.False);
        var journalBefore = await JournalLengthAsync(id);
        var again = await DeliverAsync("dlv-CU-1-a", txId, 1);
        Assert.That((again["duplicate"]!.GetValue<bool>(), again.Text("eventId")), Is.EqualTo((true, first.Text("eventId"))), "the same webhook-id is the same event");
        Assert.That(await JournalLengthAsync(id), Is.EqualTo(journalBefore), "the repeat resumed nothing: no step, no journal entry");
        var instance = await InstanceAsync(id);
        Assert.That((instance.Text("businessStatus"), instance["variables"]!["confirmations"]!.GetValue<decimal>()), Is.EqualTo(("Confirming", 1m)));
        Assert.That(await CustodyEventsAsync(txId), Is.EqualTo(1), "one inbox row for the delivery and its repeat");

        await DeliverAsync("dlv-CU-1-b", txId, 2);
        await DeliverAsync("dlv-CU-1-c", txId, 3);
        var done = await InstanceAsync(id);
        Assert.That((done.Text("status"), done.Text("businessStatus")), Is.EqualTo(("Completed", "Completed")));
        Assert.That(SentFor("CU-1"), Has.Count.EqualTo(1), "coins left once");
    }

    [Test]
    public async Task A_lost_broadcast_response_is_retried_by_the_engine_with_the_same_key_and_the_coins_leave_once()
    {
        _custody.LoseNextResponse();
        var id = await ApprovedWithdrawalAsync("CU-2");
        var txId = (await BroadcastAsync(id))["variables"]!.Text("txid");
        Assert.That(SentFor("CU-2").Single().Text("txId"), Is.EqualTo(txId), "the lost attempt sent it; the retry was answered with it");
        await CompleteByWebhooksAsync(id, txId);
        Assert.That(SentFor("CU-2"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_503_on_broadcast_is_retried_by_the_engine_and_the_coins_leave_once()
    {
        _custody.AnswerNext(1, 503);
        var before = _custody.Attempts;
        var id = await ApprovedWithdrawalAsync("CU-3");
        var txId = (await BroadcastAsync(id))["variables"]!.Text("txid");
        Assert.That(_custody.Attempts - before, Is.GreaterThanOrEqualTo(2), "the 503 and the engine's retry");
        await CompleteByWebhooksAsync(id, txId);
        Assert.That(SentFor("CU-3"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_custody_refusal_goes_to_the_operator_as_Broadcast_Failed_and_nothing_leaves()
    {
        _custody.RefuseNext(422, "insufficient-funds");
        var id = await ApprovedWithdrawalAsync("CU-4");
        var failed = await WaitAsync(id, i => i.Text("businessStatus") == "Broadcast Failed", "never reached Broadcast Failed");
        Assert.That(failed["variables"]!.ToJsonString(), Does.Contain("insufficient-funds"));
        Assert.That(SentFor("CU-4"), Is.Empty);
    }

    [Test]
    public async Task A_webhook_signed_with_a_wrong_key_is_401_and_writes_nothing()
    {
        var id = await ApprovedWithdrawalAsync("CU-5");
        var txId = (await BroadcastAsync(id))["variables"]!.Text("txid");
        var body = ConfirmationsBody(txId, 3);
        var response = await HookAsync(body, FakeCustody.WebhookHeaders("dlv-CU-5", body, key: "some-other-webhook-key-0123456789abcdef"));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized, "webhook-signature");
        Assert.That(await CustodyEventsAsync(txId), Is.Zero);
        Assert.That((await InstanceAsync(id)).Text("businessStatus"), Is.EqualTo("Awaiting Confirmations"));
        // The genuine delivery with the same id afterwards is not taken for a duplicate of the forgery.
        Assert.That((await DeliverAsync("dlv-CU-5", txId, 3))["duplicate"]!.GetValue<bool>(), Is.False);
        Assert.That((await InstanceAsync(id)).Text("status"), Is.EqualTo("Completed"));
    }

    [Test]
    public async Task A_webhook_with_a_stale_timestamp_is_401_and_writes_nothing()
    {
        var id = await ApprovedWithdrawalAsync("CU-6");
        var txId = (await BroadcastAsync(id))["variables"]!.Text("txid");
        var body = ConfirmationsBody(txId, 3);
        var response = await HookAsync(body, FakeCustody.WebhookHeaders("dlv-CU-6", body, at: DateTimeOffset.UtcNow.AddMinutes(-10)));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.That(await CustodyEventsAsync(txId), Is.Zero);
        Assert.That((await InstanceAsync(id)).Text("businessStatus"), Is.EqualTo("Awaiting Confirmations"));
    }

    [Test]
    public async Task A_webhook_whose_body_was_changed_after_signing_is_401_and_writes_nothing()
    {
        var id = await ApprovedWithdrawalAsync("CU-7");
        var txId = (await BroadcastAsync(id))["variables"]!.Text("txid");
        var headers = FakeCustody.WebhookHeaders("dlv-CU-7", ConfirmationsBody(txId, 1));
        await ApiAssert.ProblemAsync(await HookAsync(ConfirmationsBody(txId, 3), headers), HttpStatusCode.Unauthorized);
        Assert.That(await CustodyEventsAsync(txId), Is.Zero);
    }

    [Test]
    public async Task A_webhook_without_a_signature_is_401_whoever_sends_it_an_API_key_or_a_person()
    {
        var body = ConfirmationsBody("0xnot-signed", 3);
        await ApiAssert.ProblemAsync(await HookAsync(body, new Dictionary<string, string>()), HttpStatusCode.Unauthorized);
        await ApiAssert.ProblemAsync(await HookAsync(body, new Dictionary<string, string>(), _factory.AsSystem()), HttpStatusCode.Unauthorized);
        await ApiAssert.ProblemAsync(await HookAsync(body, new Dictionary<string, string>(), await _factory.AsUserAsync("supervisor1")), HttpStatusCode.Unauthorized);
        Assert.That(await CustodyEventsAsync("0xnot-signed"), Is.Zero);
    }

    [Test]
    public async Task An_oversized_webhook_is_413_and_a_signed_malformed_one_is_422_naming_the_field()
    {
        var big = ConfirmationsBody("0x" + new string('a', 20_000), 1);
        await ApiAssert.ProblemAsync(await HookAsync(big, FakeCustody.WebhookHeaders("dlv-big", big)), HttpStatusCode.RequestEntityTooLarge);
        var malformed = new JsonObject { ["txId"] = "0xmalformed", ["confirmations"] = -1 }.ToJsonString();
        await ApiAssert.ProblemAsync(await HookAsync(malformed, FakeCustody.WebhookHeaders("dlv-malformed", malformed)), HttpStatusCode.UnprocessableEntity, "confirmations");
        Assert.That(await CustodyEventsAsync("0xmalformed"), Is.Zero);
    }

    [Test]
    public async Task The_webhook_route_is_404_when_custody_is_not_the_Http_adapter()
    {
        await using var sandbox = ApiFactory.Sqlite();
        var body = ConfirmationsBody("0xabc", 1);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/hooks/custody/confirmations") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        foreach (var (name, value) in FakeCustody.WebhookHeaders("dlv-404", body)) request.Headers.TryAddWithoutValidation(name, value);
        await ApiAssert.ProblemAsync(await sandbox.CreateClient().SendAsync(request), HttpStatusCode.NotFound);
    }

    [Test]
    public void Start_up_refuses_a_weak_or_missing_custody_configuration()
    {
        var settings = ProductionHost.ValidSettings();
        settings["Adapters:Custody"] = "Http";
        settings["Adapters:Http:Custody:BaseAddress"] = "http://custody.internal/";
        settings["Adapters:Http:Custody:SigningKey"] = "short";
        using var host = new ProductionHost(settings).WithStandInAdapters();
        var messages = string.Join(" ", ProductionHost.Messages(host.TryStart()));
        Assert.That(messages, Does.Contain("Adapters:Http:Custody:BaseAddress must be https"));
        Assert.That(messages, Does.Contain("Adapters:Http:Custody:SigningKey must be at least 32 characters"));
    }

    [Test]
    public async Task A_webhook_delivery_is_not_swallowed_by_an_API_key_named_custody_that_used_the_same_key()
    {
        // The API key named "custody" sends an event with idempotency key "collide-1"; the signed webhook's delivery id is
        // the same text. They are different senders: the webhook's report must be kept, not answered as a duplicate.
        var key = _factory.CreateClient();
        key.DefaultRequestHeaders.Add("X-Api-Key", CustodyApiKey);
        var sent = await key.PostAsJsonAsync("/api/events/BlockConfirmations", new
        {
            correlationId = "tx-collide-api", idempotencyKey = "collide-1", payload = new { confirmations = 1, failed = false },
        });
        Assert.That(sent.StatusCode, Is.EqualTo(HttpStatusCode.OK), await sent.Content.ReadAsStringAsync());

        var hook = await DeliverAsync("collide-1", "tx-collide-hook", 1);
        Assert.That(hook["duplicate"]!.GetValue<bool>(), Is.False, hook.ToJsonString());
        Assert.That(await CustodyEventsAsync("tx-collide-hook"), Is.EqualTo(1));
    }
}
