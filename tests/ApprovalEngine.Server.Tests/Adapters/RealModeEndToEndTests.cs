// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Fiat.Config;
using ApprovalEngine.Server.Tests.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Adapters;

/// <summary>
/// The server on PostgreSQL in <c>Adapters:Mode=Real</c> with <c>Adapters:Ledger=Http</c> and <c>Adapters:Bank=Http</c>
/// pointing at in-process fakes of the trading platform and the bank: a WD request (wd-request flow) completes with one
/// debit on the platform's books, and a fiat withdrawal (fiat-withdrawal flow) is paid once by direct billing and settled
/// by the bank's signed webhook — also when a response is lost, the service answers 503, or a delivery comes twice.
/// </summary>
[TestFixture]
public sealed class RealModeEndToEndTests
{
    private const string HookUrl = "/api/hooks/bank/results";

    private FakeLedgerService _ledger = null!;
    private FakeBankService _bank = null!;
    private ApiFactory _factory = null!;
    private WdDriver _wd = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _ledger = new FakeLedgerService();
        _bank = new FakeBankService();
        await _ledger.StartAsync();
        await _bank.StartAsync();
        _factory = await RealModeServer.StartAsync(_ledger, _bank);
        _wd = new WdDriver(_factory);
        _bank.PutChannel(FiatOps.Hkd, "HKD", 1_000_000m);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        await _factory.DisposeAsync();
        await _ledger.DisposeAsync();
        await _bank.DisposeAsync();
    }

    // ---- WD requests on the trading platform ----

    /// <summary>A request created on a platform account (10 000 USD) and approved up to Backoffice's Complete.</summary>
    private async Task<(string Id, string Account)> ApprovedWdAsync(decimal amount = 100m)
    {
        var (customer, account) = WdDriver.NewAccountIds();
        _ledger.PutAccount(account, new FakeLedgerService.Account(customer, "USD", 10_000m));
        var created = await _wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = amount, currency = "USD", comment = "Customer asked by phone" });
        var card = await created.ReadObjectAsync();
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), card.ToJsonString());
        Assert.That(card["transactions"]?.AsArray() ?? [], Is.Empty);
        var id = card.Id();
        await _wd.MustActAsync("cs1", id, "PassToRetention");
        await _wd.MustActAsync("retention1", id, "PassToBackoffice");
        var approved = await _wd.MustActAsync("supervisor1", id, "Approve");
        Assert.That(approved.Status(), Is.EqualTo("ApprovedByBackoffice"));
        Assert.That(_ledger.Operations(account), Is.Empty, "approving moves no money");
        return (id, account);
    }

    private async Task<JsonObject> CompletedAsync(string id)
    {
        JsonObject card = null!;
        var done = await ApiAssert.EventuallyAsync(async () => (card = await _wd.CardAsync(id)).Status() == "Completed", TimeSpan.FromSeconds(30));
        Assert.That(done, Is.True, card.ToJsonString());
        return card;
    }

    private void AssertOneDebit(JsonObject card, string account, decimal amount)
    {
        var operations = _ledger.Operations(account);
        Assert.That(operations.Select(o => o.Amount), Is.EqualTo(new[] { -amount }), "one debit on the platform");
        Assert.That(_ledger.Get(account)!.Balance, Is.EqualTo(10_000m - amount));
        var executed = card["transactions"]!.AsArray().Single()!;
        Assert.That((executed["status"]!.GetValue<string>(), executed["tradeId"]!.GetValue<long>()), Is.EqualTo(("Executed", operations[0].TradeId)));
    }

    [Test]
    public async Task WD_request_completes_with_one_debit_on_the_platform()
    {
        var (id, account) = await ApprovedWdAsync();
        await _wd.MustActAsync("bo1", id, "Complete");
        AssertOneDebit(await CompletedAsync(id), account, 100m);
    }

    [Test]
    public async Task WD_request_whose_balance_operation_response_is_lost_completes_with_one_debit()
    {
        var (id, account) = await ApprovedWdAsync();
        var before = _ledger.Count("POST", "/balance-operations");
        _ledger.Fault("POST", "/balance-operations", FaultKind.LoseResponse);
        await _wd.MustActAsync("bo1", id, "Complete");
        var card = await CompletedAsync(id);
        Assert.That(_ledger.Count("POST", "/balance-operations") - before, Is.EqualTo(2), "asked again with the same key after the lost response");
        AssertOneDebit(card, account, 100m);
    }

    [Test]
    public async Task WD_request_whose_platform_is_down_beyond_the_retries_completes_once_when_the_engine_retries_the_step()
    {
        var (id, account) = await ApprovedWdAsync();
        // Four 503s use up the first call (one try and three retries); the engine runs the step again with the same key.
        _ledger.Fault("POST", "/balance-operations", FaultKind.Status, times: 4, status: 503);
        await _wd.MustActAsync("bo1", id, "Complete");
        AssertOneDebit(await CompletedAsync(id), account, 100m);
    }

    [Test]
    public async Task WD_request_created_while_the_platform_is_down_is_a_503_and_writes_nothing()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        _ledger.PutAccount(account, new FakeLedgerService.Account(customer, "USD", 10_000m));
        // One try and three retries, all 503: the platform is down for the whole call.
        _ledger.Fault("GET", $"/accounts/{account}", FaultKind.Status, times: 4, status: 503);
        var before = await _factory.SnapshotAsync();
        var response = await _wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 100m, currency = "USD", comment = "Customer asked by phone" });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.ServiceUnavailable);
        Assert.That(problem["title"]!.GetValue<string>(), Does.Contain("outside service"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "nothing written");
        var created = await _wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 100m, currency = "USD", comment = "Customer asked by phone" });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), "the same request passes once the platform answers");
    }

    // ---- fiat withdrawals through the bank, results by webhook ----

    [Test]
    public async Task Fiat_bank_result_for_a_record_not_yet_paying_is_409_and_kept_nowhere_so_the_bank_retries()
    {
        var customer = $"C-early-{Guid.NewGuid():N}"[..20];
        _factory.KnownCustomer(customer, known: true);
        var record = await _factory.AsSystem().ApplyAsync(customer, 1_000m);
        await (await _factory.AsUserAsync("checker1")).WaitForStatusAsync(record.Text("id"), "Withdrawal Directly Pending");
        var id = $"d-{Guid.NewGuid():N}";
        var early = await FakeBankService.DeliverAsync(_factory.CreateClient(), HookUrl, id, FakeBankService.ResultBody(record.Text("recordNo"), "FB-999999", success: false, reason: "early"));
        await ApiAssert.ProblemAsync(early, HttpStatusCode.Conflict);
        Assert.That(await EventsWithKeyAsync(id), Is.Zero, "an early result is not kept to settle a payout sent later (ADR 14)");
    }

    private async Task<JsonObject> PayingAsync(string customer)
    {
        var record = await _factory.PayingAsync(customer, 1_000m);
        var payout = _bank.Payouts().Where(p => p.Reference == record.Text("recordNo")).ToList();
        Assert.That(payout.Select(p => p.BankReference), Is.EqualTo(new[] { record.Text("bankReference") }), "one payout, the one the record shows");
        return record;
    }

    [Test]
    public async Task Fiat_withdrawal_paid_by_direct_billing_is_settled_by_the_banks_signed_webhook()
    {
        var record = await PayingAsync($"C-real-{Guid.NewGuid():N}"[..20]);
        var recordNo = record.Text("recordNo");
        var accepted = await FakeBankService.DeliverUntilAcceptedAsync(_factory.CreateClient(), HookUrl, $"d-{Guid.NewGuid():N}",
            FakeBankService.ResultBody(recordNo, record.Text("bankReference"), success: true), TimeSpan.FromSeconds(30));
        Assert.That((accepted["resumed"]!.GetValue<int>(), accepted["duplicate"]!.GetValue<bool>()), Is.EqualTo((1, false)), accepted.ToJsonString());
        var settled = await (await _factory.AsUserAsync("checker1")).WaitForStatusAsync(record.Text("id"), "Unmatch");
        Assert.That(settled.Text("bankReference"), Is.EqualTo(record.Text("bankReference")));
        var events = await _factory.QueryAsync(db => db.Events.AsNoTracking().Where(e => e.CorrelationId == recordNo).Select(e => e.Sender).ToListAsync());
        Assert.That(events, Is.EqualTo(new[] { "hook:bank" }));
    }

    [Test]
    public async Task Fiat_withdrawal_whose_payout_gets_a_503_is_paid_once()
    {
        _bank.Fault("POST", "/payouts", FaultKind.Status, status: 503);
        var before = _bank.Count("POST", "/payouts");
        var record = await PayingAsync($"C-503-{Guid.NewGuid():N}"[..20]);
        Assert.That(_bank.Count("POST", "/payouts") - before, Is.EqualTo(2), "the 503 was retried with the same key");
        Assert.That(_bank.Payouts().Count(p => p.Reference == record.Text("recordNo")), Is.EqualTo(1));
    }

    [Test]
    public async Task Fiat_bank_result_delivered_twice_settles_the_payout_once()
    {
        var record = await PayingAsync($"C-dup-{Guid.NewGuid():N}"[..20]);
        var recordNo = record.Text("recordNo");
        var delivery = $"d-{Guid.NewGuid():N}";
        var body = FakeBankService.ResultBody(recordNo, record.Text("bankReference"), success: false, reason: "account closed");
        var client = _factory.CreateClient();
        await FakeBankService.DeliverUntilAcceptedAsync(client, HookUrl, delivery, body, TimeSpan.FromSeconds(30));
        var checker = await _factory.AsUserAsync("checker1");
        await checker.WaitForStatusAsync(record.Text("id"), "Withdrawal Exception");

        var again = await FakeBankService.DeliverAsync(client, HookUrl, delivery, body);
        var answer = await again.ReadObjectAsync();
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
        Assert.That(answer["duplicate"]!.GetValue<bool>(), Is.True);
        var (events, deliveries) = await _factory.QueryAsync(async db => (
            await db.Events.CountAsync(e => e.CorrelationId == recordNo && e.Name == "BankResult"),
            await db.EventDeliveries.CountAsync(d => db.Events.Any(e => e.Id == d.EventId && e.CorrelationId == recordNo))));
        Assert.That((events, deliveries), Is.EqualTo((1, 1)), "one event, delivered once");
        Assert.That((await checker.RecordAsync(record.Text("id"))).Text("status"), Is.EqualTo("Withdrawal Exception"));
        Assert.That(_bank.Payouts().Count(p => p.Reference == recordNo), Is.EqualTo(1));
    }

    // ---- the webhook route itself ----

    private static byte[] Result(string reference) => FakeBankService.ResultBody(reference, "FB-000000", success: true);

    private Task<int> EventsWithKeyAsync(string key) => _factory.QueryAsync(db => db.Events.CountAsync(e => e.IdempotencyKey == key));

    [Test]
    public async Task Hook_valid_delivery_becomes_the_BankResult_event_of_the_sender_hook_bank_keyed_by_the_webhook_id()
    {
        var id = $"d-{Guid.NewGuid():N}";
        var response = await FakeBankService.DeliverAsync(_factory.CreateClient(), HookUrl, id, Result($"NOT-A-RECORD-{id}"));
        var answer = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), answer.ToJsonString());
        Assert.That((answer["status"]!.GetValue<string>(), answer["duplicate"]!.GetValue<bool>()), Is.EqualTo(("Waiting", false)), "nothing waits for it: kept");
        var stored = await _factory.QueryAsync(db => db.Events.AsNoTracking().SingleAsync(e => e.IdempotencyKey == id));
        Assert.That((stored.Name, stored.Sender, stored.CorrelationId), Is.EqualTo(("BankResult", "hook:bank", $"NOT-A-RECORD-{id}")));
        Assert.That(JsonNode.Parse(stored.PayloadJson!)!["bankReference"]!.GetValue<string>(), Is.EqualTo("FB-000000"));
    }

    [Test]
    public async Task Hook_duplicate_delivery_is_answered_200_and_stored_once()
    {
        var id = $"d-{Guid.NewGuid():N}";
        var client = _factory.CreateClient();
        var first = await FakeBankService.DeliverAsync(client, HookUrl, id, Result($"NR-{id}"));
        var second = await FakeBankService.DeliverAsync(client, HookUrl, id, Result($"NR-{id}"));
        Assert.That((first.StatusCode, second.StatusCode), Is.EqualTo((HttpStatusCode.OK, HttpStatusCode.OK)));
        Assert.That((await second.ReadObjectAsync())["duplicate"]!.GetValue<bool>(), Is.True);
        Assert.That(await EventsWithKeyAsync(id), Is.EqualTo(1));
    }

    [Test]
    public async Task Hook_signed_with_another_key_is_401_and_writes_nothing()
    {
        var id = $"d-{Guid.NewGuid():N}";
        var response = await FakeBankService.DeliverAsync(_factory.CreateClient(), HookUrl, id, Result($"NR-{id}"), key: "an-attackers-key-0123456789abcdef0123");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.That(await EventsWithKeyAsync(id), Is.Zero);
    }

    [Test]
    public async Task Hook_with_a_stale_timestamp_is_401_and_writes_nothing()
    {
        var id = $"d-{Guid.NewGuid():N}";
        var response = await FakeBankService.DeliverAsync(_factory.CreateClient(), HookUrl, id, Result($"NR-{id}"), at: DateTimeOffset.UtcNow.AddMinutes(-10));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.That(await EventsWithKeyAsync(id), Is.Zero);
    }

    [Test]
    public async Task Hook_whose_body_was_changed_after_signing_is_401_and_writes_nothing()
    {
        var id = $"d-{Guid.NewGuid():N}";
        var signedFor = Result($"NR-{id}");
        var timestamp = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, HookUrl) { Content = new ByteArrayContent(FakeBankService.ResultBody($"NR-{id}", "FB-000000", success: false, reason: "forged")) };
        request.Content.Headers.ContentType = new("application/json");
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", ApprovalEngine.Adapters.Http.WebhookSignature.Sign(Encoding.UTF8.GetBytes(FakeBankService.WebhookKey), id, timestamp, signedFor));
        await ApiAssert.ProblemAsync(await _factory.CreateClient().SendAsync(request), HttpStatusCode.Unauthorized);
        Assert.That(await EventsWithKeyAsync(id), Is.Zero);
    }

    [Test]
    public async Task Hook_with_an_API_key_but_no_signature_is_401_and_writes_nothing()
    {
        // Side door: a system key that may send BankResult on the events route is no credential here.
        var response = await _factory.AsTestSystem().PostAsJsonAsync(HookUrl, JsonNode.Parse(Encoding.UTF8.GetString(Result("NR-api-key"))));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Unauthorized);
        Assert.That(await _factory.QueryAsync(db => db.Events.CountAsync(e => e.CorrelationId == "NR-api-key")), Is.Zero);
    }

    [Test]
    public async Task Hook_with_an_oversized_body_is_413_and_writes_nothing()
    {
        var id = $"d-{Guid.NewGuid():N}";
        var body = FakeBankService.ResultBody($"NR-{id}", "FB-000000", success: false, reason: new string('x', 70 * 1024));
        await ApiAssert.ProblemAsync(await FakeBankService.DeliverAsync(_factory.CreateClient(), HookUrl, id, body), HttpStatusCode.RequestEntityTooLarge);
        Assert.That(await EventsWithKeyAsync(id), Is.Zero);
    }

    [Test]
    public async Task Hook_signed_but_naming_no_bank_reference_is_422_naming_the_field()
    {
        var id = $"d-{Guid.NewGuid():N}";
        var body = Encoding.UTF8.GetBytes(new JsonObject { ["type"] = "payout.result", ["data"] = new JsonObject { ["reference"] = $"NR-{id}", ["success"] = true } }.ToJsonString());
        await ApiAssert.ProblemAsync(await FakeBankService.DeliverAsync(_factory.CreateClient(), HookUrl, id, body), HttpStatusCode.UnprocessableEntity, "data.bankReference");
        Assert.That(await EventsWithKeyAsync(id), Is.Zero);
    }
}

/// <summary>A server whose bank is not the REST adapter (Sandbox mode) has no bank webhooks: 404, nothing written.</summary>
public sealed class BankHookNotConfiguredTests
{
    [Test]
    public async Task Hook_on_a_server_without_the_Http_bank_is_404()
    {
        await using var factory = ApiFactory.Sqlite();
        var id = $"d-{Guid.NewGuid():N}";
        var response = await FakeBankService.DeliverAsync(factory.CreateClient(), "/api/hooks/bank/results", id, FakeBankService.ResultBody("NR-1", "FB-1", success: true));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.NotFound);
        Assert.That(await factory.QueryAsync(db => db.Events.CountAsync(e => e.IdempotencyKey == id)), Is.Zero);
    }
}

/// <summary>
/// A server on PostgreSQL in <c>Adapters:Mode=Real</c> whose ledger and bank are the REST adapters pointing at the
/// in-process fakes (custody a stand-in), with the development fiat configuration an operator would enter.
/// </summary>
public static class RealModeServer
{
    public static async Task<ApiFactory> StartAsync(FakeLedgerService ledger, FakeBankService bank)
    {
        ArgumentNullException.ThrowIfNull(ledger);
        ArgumentNullException.ThrowIfNull(bank);
        var settings = FiatOps.Settings();
        settings["Adapters:Mode"] = "Real";
        settings["Adapters:Ledger"] = "Http";
        settings["Adapters:Bank"] = "Http";
        settings["Adapters:Custody"] = "StandIn";
        foreach (var (kind, service) in new[] { ("Ledger", (FakeService)ledger), ("Bank", bank) })
        {
            settings[$"Adapters:Http:{kind}:BaseAddress"] = service.BaseAddress.ToString();
            settings[$"Adapters:Http:{kind}:KeyId"] = FakeService.KeyId;
            settings[$"Adapters:Http:{kind}:SigningKey"] = FakeService.SigningKey;
            settings[$"Adapters:Http:{kind}:AttemptTimeout"] = "00:00:02";
            settings[$"Adapters:Http:{kind}:TotalTimeout"] = "00:00:20";
            settings[$"Adapters:Http:{kind}:RetryDelay"] = "00:00:00.020";
        }
        settings["Adapters:Http:Bank:WebhookKeys:0"] = FakeBankService.WebhookKey;
        var factory = (await ApiFactory.PostgresAsync(settings)).WithServices(s => s.AddAdapter(AdapterKind.Custody, "StandIn", _ => new InMemoryBlockchainSandbox()));
        // Real mode seeds no fiat configuration (an operator configures channels); these are the development ones.
        using var scope = factory.Services.CreateScope();
        await ConfigSeed.SeedAsync(scope.ServiceProvider.GetRequiredService<FiatDbContext>(), DateTimeOffset.UtcNow, CancellationToken.None);
        return factory;
    }
}
