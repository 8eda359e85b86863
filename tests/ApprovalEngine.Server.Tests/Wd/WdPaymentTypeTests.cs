// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Wd;

/// <summary>Issue 13: the withdrawal's payment type is the method of the last deposit; Backoffice may change it, journaled.</summary>
[TestFixture]
public sealed class WdPaymentTypeTests : WdFixture
{
    private async Task<JsonObject> ApprovedAsync(string? lastDepositMethod)
    {
        var (customer, account) = WdDriver.NewAccountIds();
        var system = await Wd.AsAsync("system");
        var put = await system.PutAsJsonAsync($"/api/sandbox/trading-accounts/{account}", new
        {
            customerId = customer, currency = "USD", balance = 10_000m, equity = 10_000m, margin = 0m, freeMargin = 10_000m, credit = 0m, openTrades = 0, lastDepositMethod,
        });
        var putBody = await put.ReadObjectAsync();
        Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.OK), putBody.ToJsonString());
        Assert.That(putBody["lastDepositMethod"]?.GetValue<string>(), Is.EqualTo(lastDepositMethod));
        var created = await Wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 100m, currency = "USD", comment = "by phone" });
        var card = await created.ReadObjectAsync();
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), card.ToJsonString());
        await Wd.MustActAsync("cs1", card.Id(), "PassToRetention");
        await Wd.MustActAsync("retention1", card.Id(), "PassToBackoffice");
        return await Wd.MustActAsync("supervisor1", card.Id(), "Approve");
    }

    private static JsonNode Withdrawal(JsonObject card) => card["transactions"]!.AsArray().Single(t => t!["paymentType"]!.GetValue<string>() != "Fee")!;

    [Test]
    public async Task The_draft_withdrawal_takes_the_method_of_the_last_deposit()
    {
        Assert.That(Withdrawal(await ApprovedAsync("WireTransfer"))["paymentType"]!.GetValue<string>(), Is.EqualTo("WireTransfer"));
        Assert.That(Withdrawal(await ApprovedAsync("SettlementCreditCard"))["paymentType"]!.GetValue<string>(), Is.EqualTo("SettlementCreditCard"));
        Assert.That(Withdrawal(await ApprovedAsync(null))["paymentType"]!.GetValue<string>(), Is.EqualTo("CreditCard"), "no deposit known: CreditCard");
    }

    [Test]
    public async Task Backoffice_changes_the_payment_type_within_the_allowed_values_and_it_is_journaled()
    {
        var card = await ApprovedAsync("WireTransfer");
        var tx = Withdrawal(card)["id"]!.GetValue<string>();
        var bo = await Wd.AsAsync("bo1");
        var url = $"/api/wd-requests/{card.Id()}/transactions/{tx}";

        async Task Invalid(object body)
        {
            var problem = await (await bo.PutAsJsonAsync(url, body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem.ErrorFields(), Does.Contain("paymentType"), problem.ToJsonString());
        }
        await Invalid(new { amount = 100m, paymentType = "Fee" });
        await Invalid(new { amount = 100m, paymentType = "Bitcoin" });
        Assert.That(Withdrawal(await Wd.CardAsync(card.Id()))["paymentType"]!.GetValue<string>(), Is.EqualTo("WireTransfer"), "refusals change nothing");
        // Not Backoffice: 403 and nothing changes.
        await (await (await Wd.AsAsync("dealing1")).PutAsJsonAsync(url, new { amount = 100m, paymentType = "CreditCard" })).ProblemAsync(HttpStatusCode.Forbidden);

        var changed = await bo.PutAsJsonAsync(url, new { amount = 100m, paymentType = "CreditCard" });
        var after = await changed.ReadObjectAsync();
        Assert.That(changed.StatusCode, Is.EqualTo(HttpStatusCode.OK), after.ToJsonString());
        Assert.That(Withdrawal(after)["paymentType"]!.GetValue<string>(), Is.EqualTo("CreditCard"));

        var log = await (await Wd.AsAsync("supervisor1")).GetObjectAsync($"/api/wd-requests/{card.Id()}/audit-log");
        var entry = log["items"]!.AsArray().First()!;
        Assert.That(entry["user"]!.GetValue<string>(), Is.EqualTo("bo1"));
        Assert.That(entry.ToJsonString(), Does.Contain("WireTransfer").And.Contain("CreditCard"), entry.ToJsonString());

        // Completes as a credit card withdrawal (no bank details needed any more).
        Assert.That((await Wd.MustActAsync("bo1", card.Id(), "Complete")).Status(), Is.EqualTo("Completed"));
    }

    [Test]
    public async Task An_unknown_deposit_method_on_the_sandbox_is_a_422_naming_the_field()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        var response = await (await Wd.AsAsync("system")).PutAsJsonAsync($"/api/sandbox/trading-accounts/{account}", new
        {
            customerId = customer, currency = "USD", balance = 1m, equity = 1m, margin = 0m, freeMargin = 1m, credit = 0m, openTrades = 0, lastDepositMethod = "Fee",
        });
        Assert.That((await response.ProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields(), Does.Contain("lastDepositMethod"));
    }
}
