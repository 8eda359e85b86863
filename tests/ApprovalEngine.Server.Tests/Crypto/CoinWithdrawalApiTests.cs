using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Crypto;

/// <summary>
/// The coin withdrawal work order (atm.va.coin_withdraw_apply) over HTTP on PostgreSQL: a system submits, the
/// maker–checker sub-flow runs in the Operations inbox, the sandbox chain broadcasts, confirmation events complete it.
/// </summary>
public sealed class CoinWithdrawalApiTests
{
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await ApiFactory.PostgresAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    [Test]
    public async Task A_checked_approved_withdrawal_is_broadcast_and_completes_on_confirmations()
    {
        var system = _factory.AsSystem();
        var added = await system.PostAsJsonAsync("/api/sandbox/wallets/SA-1/verified-addresses", new { coin = "BTC", network = "BTC", address = "bc1qexample" });
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK), await added.Content.ReadAsStringAsync());

        var started = await system.PostObjectAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = "CW-1",
            input = new { recordNo = "CW-1", securitiesAccount = "SA-1", coin = "BTC", network = "BTC", amount = 0.5m, address = "bc1qexample", requestedBy = "client:SA-1" },
        });
        var id = started["id"]!.GetValue<string>();

        var maker = await _factory.AsUserAsync("maker1");
        var checker = await _factory.AsUserAsync("checker1");
        var inbox = await checker.GetObjectAsync("/api/tasks?department=Operations");
        var task = inbox["items"]!.AsArray().Single(t => t!["businessStatus"]!.GetValue<string>() == "Pending Approval")!;
        var makerView = await maker.GetObjectAsync($"/api/tasks/{task["id"]}");
        Assert.That(makerView["actions"]!.AsArray().Any(a => a!["available"]!.GetValue<bool>()), Is.False, "maker1 has no approval right");

        var approved = await checker.PostAsJsonAsync($"/api/tasks/{task["id"]}/complete", new { action = "Approve" });
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());

        var instance = await system.GetObjectAsync($"/api/instances/{id}");
        var txid = instance["variables"]!["txid"]?.GetValue<string>();
        Assert.That(txid, Is.Not.Null.And.Not.Empty, instance.ToJsonString());

        for (var confirmations = 1; confirmations <= 3; confirmations++)
        {
            var delivered = await system.PostObjectAsync("/api/events/BlockConfirmations", new { correlationId = txid, payload = new { confirmations } });
            Assert.That(delivered["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        }
        instance = await system.GetObjectAsync($"/api/instances/{id}");
        Assert.That(instance["status"]!.GetValue<string>(), Is.EqualTo("Completed"));
        Assert.That(instance["businessStatus"]!.GetValue<string>(), Is.EqualTo("Completed"));
    }
}
