using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Fiat.Config;

/// <summary>
/// Alerts are sent, not only stored: each alert the payout checks raise reaches the Operations alert inbox as one item
/// per kind, bank account and business day, which a person of Operations acknowledges (who and when journaled).
/// Over HTTP on PostgreSQL, the payouts run by CheckFiatPayout in a published flow.
/// </summary>
[NonParallelizable]
public sealed class FiatAlertInboxTests
{
    private ApiFactory _factory = null!;
    private HttpClient _supervisor = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await ApiFactory.PostgresAsync();
        _supervisor = await _factory.AsUserAsync("supervisor1");
        await ConfigFlows.PublishAllAsync(_factory);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _supervisor.Dispose();
        await _factory.DisposeAsync();
    }

    private Task<JsonObject> PayoutAsync(string correlation, string channel, decimal amount, string reference) =>
        ConfigFlows.RunAsync(_factory, ConfigFlows.Payout, correlation, new { channel, currency = "HKD", amount, reference, @override = false });

    private async Task<JsonArray> InboxAsync(string subject, bool open = true) =>
        (await _supervisor.GetObjectAsync($"/api/fiat/alerts/inbox?subject={subject}&open={(open ? "true" : "false")}")).Items();

    [Test]
    public async Task Daily_limit_alerts_of_one_bank_and_day_open_one_inbox_item_that_an_operations_person_acknowledges_once()
    {
        await ConfigFlows.PayingChannelAsync(_supervisor, "ALR-L1", api: false, dailyLimit: 100_000m, alert: 30_000m);
        Assert.That((await PayoutAsync("ALR-L1-a", "ALR-L1-FPS", 40_000m, "A1")).Text("businessStatus"), Is.EqualTo("Proceed"));
        Assert.That(await InboxAsync("ALR-L1"), Is.Empty, "no alert yet: 60,000 remain");
        await PayoutAsync("ALR-L1-b", "ALR-L1-FPS", 40_000m, "A2");
        await PayoutAsync("ALR-L1-c", "ALR-L1-FPS", 10_000m, "A3");

        var items = await InboxAsync("ALR-L1");
        Assert.That(items, Has.Count.EqualTo(1), items.ToJsonString());
        var item = items[0]!.AsObject();
        Assert.That((item.Text("kind"), item["count"]!.GetValue<int>(), item.Text("lastReference")), Is.EqualTo(("DailyLimitLow", 2, "A3")));
        Assert.That((await _supervisor.GetObjectAsync("/api/fiat/alerts?subject=ALR-L1"))["total"]!.GetValue<int>(), Is.EqualTo(2), "every alert is still listed");

        var url = $"/api/fiat/alerts/inbox/{item.Text("id")}/acknowledge";
        foreach (var client in new[] { _factory.AsSystem(), await _factory.AsUserAsync("analyst1"), await _factory.AsUserAsync("cs1") })
        {
            using (client) await ApiAssert.ProblemAsync(await client.PostAsJsonAsync(url, new { }), HttpStatusCode.Forbidden);
        }
        using var maker = await _factory.AsUserAsync("maker1");
        var acknowledged = await maker.PostObjectAsync(url, new { });
        Assert.That(acknowledged.Text("acknowledgedBy"), Is.EqualTo("maker1"));
        Assert.That(acknowledged["acknowledgedAt"], Is.Not.Null);
        using var checker = await _factory.AsUserAsync("checker1");
        await ApiAssert.ProblemAsync(await checker.PostAsJsonAsync(url, new { }), HttpStatusCode.Conflict);

        Assert.That(await InboxAsync("ALR-L1"), Is.Empty, "acknowledged items leave the open inbox");
        Assert.That((await InboxAsync("ALR-L1", open: false)).Select(i => i.Text("acknowledgedBy")).ToList(), Is.EqualTo(new List<string> { "maker1" }));
        var journal = await _supervisor.GetObjectAsync("/api/fiat/config/journal?entity=AlertItem&action=Acknowledge");
        Assert.That(journal.Items().Select(j => (j.Text("actor"), j.Text("entityKey"))), Does.Contain(("maker1", $"DailyLimitLow:ALR-L1:{item.Text("businessDay")}")));
    }

    [Test]
    public async Task A_balance_interception_opens_its_own_inbox_item_beside_the_low_balance_warning_of_the_same_bank()
    {
        await ConfigFlows.PayingChannelAsync(_supervisor, "ALR-B1", api: true);
        await _factory.Services.GetRequiredService<ApprovalEngine.Server.Features.Fiat.Bank.DatabaseBankSandbox>().SetBalanceAsync("ALR-B1-FPS", "HKD", 120_000m, default);
        await _supervisor.PostObjectAsync("/api/fiat/config/interception-rules", new { bankAccountId = "ALR-B1", alertThreshold = 60_000m, interceptionThreshold = 50_000m });

        Assert.That((await PayoutAsync("ALR-B1-a", "ALR-B1-FPS", 80_000m, "B1")).Text("businessStatus"), Is.EqualTo("Intercept"));
        Assert.That((await PayoutAsync("ALR-B1-b", "ALR-B1-FPS", 80_000m, "B2")).Text("businessStatus"), Is.EqualTo("Intercept"));
        Assert.That((await PayoutAsync("ALR-B1-c", "ALR-B1-FPS", 65_000m, "B3")).Text("businessStatus"), Is.EqualTo("Proceed"));

        var items = (await InboxAsync("ALR-B1")).Select(i => (i.Text("kind"), i!["count"]!.GetValue<int>())).OrderBy(i => i.Item1, StringComparer.Ordinal);
        Assert.That(items, Is.EqualTo(new List<(string, int)> { ("BalanceIntercepted", 2), ("BalanceLow", 1) }));
    }
}
