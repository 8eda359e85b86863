// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Wd;

/// <summary>Issue 13: the grid filters by request id, trading account, amount range and currency; the export's columns are chosen.</summary>
[TestFixture]
public sealed class WdGridFilterTests : WdFixture
{
    private string _customer = "";
    private readonly List<(string Id, string Account, decimal Amount, string Currency)> _made = [];

    [OneTimeSetUp]
    public async Task MakeRequestsAsync()
    {
        (_customer, _) = WdDriver.NewAccountIds();
        foreach (var (amount, currency) in new[] { (100m, "USD"), (250.5m, "USD"), (900m, "USD"), (250.5m, "EUR") })
        {
            var (_, account) = WdDriver.NewAccountIds();
            await Wd.PutAccountAsync(account, _customer, currency: currency, balance: 100_000m, equity: 100_000m, freeMargin: 100_000m);
            var response = await Wd.PostCreateAsync(new { customerId = _customer, tradingAccount = account, requestedAmount = amount, currency, comment = "grid" });
            var card = await response.ReadObjectAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), card.ToJsonString());
            _made.Add((card.Id(), account, amount, currency));
        }
    }

    private async Task<List<string>> GridAsync(string query)
    {
        var page = await (await Wd.AsAsync("supervisor1")).GetObjectAsync($"/api/wd-requests?customerId={_customer}&{query}");
        var ids = page["items"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()).ToList();
        Assert.That(page["total"]!.GetValue<int>(), Is.EqualTo(ids.Count));
        return ids;
    }

    [Test]
    public async Task By_request_id() =>
        Assert.That(await GridAsync($"id={_made[1].Id}"), Is.EqualTo(new[] { _made[1].Id }));

    [Test]
    public async Task By_trading_account() =>
        Assert.That(await GridAsync($"tradingAccount={_made[2].Account}"), Is.EqualTo(new[] { _made[2].Id }));

    [Test]
    public async Task By_amount_range_inclusive_and_currency()
    {
        Assert.That(await GridAsync("minAmount=250.5&maxAmount=900"), Is.EquivalentTo(new[] { _made[1].Id, _made[2].Id, _made[3].Id }));
        Assert.That(await GridAsync("minAmount=250.5&maxAmount=900&currency=USD"), Is.EquivalentTo(new[] { _made[1].Id, _made[2].Id }));
        Assert.That(await GridAsync("maxAmount=100"), Is.EqualTo(new[] { _made[0].Id }));
        Assert.That(await GridAsync("currency=EUR"), Is.EqualTo(new[] { _made[3].Id }));
        Assert.That(await GridAsync("minAmount=901"), Is.Empty);
    }

    [TestCase("id=not-a-guid", "id")]
    [TestCase("minAmount=abc", "minAmount")]
    [TestCase("minAmount=10&maxAmount=5", "minAmount")]
    [TestCase("maxAmount=-1", "maxAmount")]
    [TestCase("currency=XXXX", "currency")]
    public async Task Bad_filters_are_a_400_naming_the_parameter(string query, string field)
    {
        var response = await (await Wd.AsAsync("supervisor1")).GetAsync($"/api/wd-requests?{query}");
        Assert.That((await response.ProblemAsync(HttpStatusCode.BadRequest)).ErrorFields(), Does.Contain(field));
    }

    [Test]
    public async Task The_export_has_the_chosen_columns_in_the_chosen_order_and_the_same_filters()
    {
        var bo = await Wd.AsAsync("bo1");
        var response = await bo.GetAsync($"/api/wd-requests/export.csv?customerId={_customer}&currency=USD&minAmount=200&columns=requestedAmount,id");
        var csv = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), csv);
        var lines = csv.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        Assert.That(lines[0], Is.EqualTo("requestedAmount,id"));
        Assert.That(lines.Skip(1), Is.EquivalentTo(new[] { $"250.5,{_made[1].Id}", $"900,{_made[2].Id}" }));

        var unknown = await (await bo.GetAsync("/api/wd-requests/export.csv?columns=id,balance")).ProblemAsync(HttpStatusCode.BadRequest);
        Assert.That(unknown.ErrorFields(), Is.EquivalentTo(new[] { "columns" }));
        Assert.That(unknown["detail"]!.GetValue<string>(), Does.Contain("'balance'"));
        await (await bo.GetAsync("/api/wd-requests/export.csv?columns=id,,status")).ProblemAsync(HttpStatusCode.BadRequest);
        await (await bo.GetAsync("/api/wd-requests/export.csv?columns=id,id")).ProblemAsync(HttpStatusCode.BadRequest);
        // Without columns: every grid column, as before.
        var all = await (await bo.GetAsync($"/api/wd-requests/export.csv?id={_made[0].Id}")).Content.ReadAsStringAsync();
        Assert.That(all.Split('\n')[0].Trim(), Is.EqualTo("id,status,department,priority,overdue,customerId,tradingAccount,requestedAmount,currency,fee,createdAt,updatedAt"));
    }
}

/// <summary>The same filters on SQLite, which cannot compare decimals in SQL (the amount range is applied in memory there).</summary>
[TestFixture]
public sealed class WdGridFilterSqliteTests
{
    [Test]
    public async Task Amount_range_currency_and_the_last_deposit_method_work_on_SQLite()
    {
        await using var factory = ApiFactory.Sqlite();
        var wd = new WdDriver(factory);
        var (customer, _) = WdDriver.NewAccountIds();
        var ids = new List<string>();
        foreach (var amount in new[] { 10m, 20.5m, 30m })
        {
            var (_, account) = WdDriver.NewAccountIds();
            var put = await (await wd.AsAsync("system")).PutAsJsonAsync($"/api/sandbox/trading-accounts/{account}", new
            {
                customerId = customer, currency = "USD", balance = 1000m, equity = 1000m, margin = 0m, freeMargin = 1000m, credit = 0m, openTrades = 0, lastDepositMethod = "SettlementCreditCard",
            });
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), await put.Content.ReadAsStringAsync());
            var created = await wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = amount, currency = "USD", comment = "sqlite" });
            var card = await created.ReadObjectAsync();
            Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), card.ToJsonString());
            ids.Add(card.Id());
        }
        var page = await (await wd.AsAsync("supervisor1")).GetObjectAsync($"/api/wd-requests?customerId={customer}&minAmount=20.5&maxAmount=30&currency=USD&sort=createdAt");
        Assert.That(page["items"]!.AsArray().Select(r => r!["id"]!.GetValue<string>()), Is.EqualTo(new[] { ids[1], ids[2] }));
        Assert.That(page["total"]!.GetValue<int>(), Is.EqualTo(2));

        await wd.MustActAsync("cs1", ids[0], "PassToRetention");
        await wd.MustActAsync("retention1", ids[0], "PassToBackoffice");
        var approved = await wd.MustActAsync("supervisor1", ids[0], "Approve");
        Assert.That(approved["transactions"]!.AsArray().Single()!["paymentType"]!.GetValue<string>(), Is.EqualTo("SettlementCreditCard"));
    }
}
