// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Wd;

/// <summary>
/// Attack 1 of the trust-model issue and its side doors (ADR 7): form data may only carry the fields of the action
/// being taken, typed and constrained; a refused form writes nothing and moves no money. Over HTTP on PostgreSQL.
/// </summary>
[TestFixture]
public sealed class WdFormAttackTests : WdFixture
{
    private async Task<HttpResponseMessage> CompleteAsync(string user, JsonObject card, object body) =>
        await (await Wd.AsAsync(user)).PostAsJsonAsync($"/api/tasks/{card["taskId"]!.GetValue<string>()}/complete", body);

    private async Task<JsonArray> OperationsAsync(JsonObject card) =>
        (await Wd.GetAccountAsync(card["tradingAccount"]!.GetValue<string>()))["operations"]!.AsArray();

    [Test]
    public async Task Backoffice_cannot_forge_executed_transactions_on_Complete()
    {
        var card = await Wd.DriveToAsync("ApprovedByBackoffice/Backoffice");
        var before = await Factory.SnapshotAsync();
        var forged = new JsonArray(new JsonObject { ["id"] = "x", ["amount"] = 400, ["paymentType"] = "CreditCard", ["status"] = "Executed", ["tradeId"] = 1 });
        var response = await CompleteAsync("bo1", card, new { action = "Complete", data = new JsonObject { ["transactions"] = forged } });
        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "data.transactions");

        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "nothing written: no version, no journal, no task change");
        var after = await Wd.CardAsync(card.Id());
        Assert.That((after.Status(), after["instanceVersion"]!.GetValue<long>()), Is.EqualTo(("ApprovedByBackoffice", card["instanceVersion"]!.GetValue<long>())));
        Assert.That(after["transactions"]!.AsArray().All(t => t!["status"]!.GetValue<string>() == "Draft"), Is.True);
        Assert.That(await OperationsAsync(card), Is.Empty, "the sandbox ledger is untouched");
    }

    [Test]
    public async Task Customer_support_cannot_set_the_fee_at_New()
    {
        var card = await Wd.CreateAsync();
        var before = await Factory.SnapshotAsync();
        var response = await CompleteAsync("cs1", card, new { action = "PassToRetention", data = new { fee = 390 } });
        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "data.fee");
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));
        Assert.That((await Wd.CardAsync(card.Id()))["fee"]!.Dec(), Is.EqualTo(0m));
    }

    [Test]
    public async Task Customer_support_cannot_set_the_fee_through_the_WD_route_either()
    {
        var card = await Wd.CreateAsync();
        await ApiAssert.ProblemAsync(await Wd.ActAsync("cs1", card.Id(), "PassToRetention", fee: 390m), HttpStatusCode.UnprocessableEntity, "fee");
        Assert.That((await Wd.CardAsync(card.Id())).Status(), Is.EqualTo("New"));
    }

    [Test]
    public async Task A_field_another_action_offers_is_refused_on_this_one()
    {
        // Backoffice's Approve offers fee; BackToCS does not.
        var card = await Wd.DriveToAsync("ApprovedByDealing/Backoffice");
        var before = await Factory.SnapshotAsync();
        var response = await CompleteAsync("bo1", card, new { action = "BackToCS", comment = "docs", data = new { fee = 1 } });
        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "data.fee");
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_fee_sent_as_text_is_refused()
    {
        var card = await Wd.DriveToAsync("ApprovedByDealing/Backoffice");
        var before = await Factory.SnapshotAsync();
        var response = await CompleteAsync("bo1", card, new { action = "Approve", data = new { fee = "2.50" } });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "data.fee");
        Assert.That(problem["errors"]!["data.fee"]![0]!.GetValue<string>(), Does.Contain("must be a number"));
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_fee_not_below_the_amount_fails_the_fields_validation_expression()
    {
        var card = await Wd.DriveToAsync("ApprovedByDealing/Backoffice", amount: 100m);
        var response = await CompleteAsync("bo1", card, new { action = "Approve", data = new { fee = 100 } });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "data.fee");
        Assert.That(problem["errors"]!["data.fee"]![0]!.GetValue<string>(), Is.EqualTo("The fee must be less than the requested amount."));
    }

    [Test]
    public async Task A_fee_with_more_decimals_than_the_currency_is_refused()
    {
        var card = await Wd.DriveToAsync("ApprovedByDealing/Backoffice");
        var response = await CompleteAsync("bo1", card, new { action = "Approve", data = new { fee = 0.001m } });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "data.fee");
        Assert.That(problem["errors"]!["data.fee"]![0]!.GetValue<string>(), Does.Contain("decimal places for USD"));
    }

    [Test]
    public async Task A_required_comment_is_still_required_on_the_inbox_route()
    {
        var card = await Wd.CreateAsync();
        await ApiAssert.ProblemAsync(await CompleteAsync("cs1", card, new { action = "RejectAndClose" }), HttpStatusCode.UnprocessableEntity, "comment");
        Assert.That((await Wd.CardAsync(card.Id())).Status(), Is.EqualTo("New"));
    }

    [Test]
    public async Task Dealing_sets_the_fee_on_Pass_to_Backoffice_through_the_inbox_route()
    {
        var card = await Wd.DriveToAsync("ApprovedByRetention/Dealing");
        var response = await CompleteAsync("dealing1", card, new { action = "PassToBackoffice", data = new { fee = 3.25m } });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var after = await Wd.CardAsync(card.Id());
        Assert.That((after.Status(), after["fee"]!.Dec()), Is.EqualTo(("ApprovedByDealing", 3.25m)));
    }

    [Test]
    public async Task Dealing_sets_the_fee_through_the_WD_route_and_Backoffice_completes()
    {
        var card = await Wd.DriveToAsync("ApprovedByRetention/Dealing");
        var passed = await Wd.MustActAsync("dealing1", card.Id(), "PassToBackoffice", fee: 4m);
        Assert.That(passed["fee"]!.Dec(), Is.EqualTo(4m));
        await Wd.MustActAsync("supervisor1", card.Id(), "Approve");
        var done = await Wd.MustActAsync("bo1", card.Id(), "Complete");
        Assert.That(done.Status(), Is.EqualTo("Completed"));
        Assert.That((await OperationsAsync(card)).Select(o => o!["amount"]!.Dec()), Is.EquivalentTo(new[] { -96m, -4m }));
    }

    [Test]
    public async Task The_card_and_the_task_show_each_actions_form()
    {
        var card = await Wd.DriveToAsync("ApprovedByDealing/Backoffice");
        var details = (await Wd.CardAsync(card.Id(), "bo1"))["actionDetails"]!.AsArray().ToDictionary(a => a!["name"]!.GetValue<string>(), a => a!.AsObject());
        var fee = details["Approve"]["fields"]!.AsArray().Single()!;
        Assert.That((fee["name"]!.GetValue<string>(), fee["type"]!.GetValue<string>(), fee["required"]!.GetValue<bool>(), fee["minimum"]!.Dec(), fee["currencyInput"]!.GetValue<string>()),
            Is.EqualTo(("fee", "number", false, 0m, "currency")));
        Assert.That(details["Reject"]["comment"]!.GetValue<string>(), Is.EqualTo("required"));
        Assert.That(details["Reject"]["fields"]!.AsArray(), Is.Empty);
        Assert.That(details["Reject"]["requiredFields"]!.AsArray().Select(f => f!.GetValue<string>()), Is.EqualTo(new[] { "comment" }));

        var task = await (await Wd.AsAsync("bo1")).GetObjectAsync($"/api/tasks/{card["taskId"]!.GetValue<string>()}");
        var approve = task["actions"]!.AsArray().Single(a => a!["name"]!.GetValue<string>() == "Approve")!;
        Assert.That(approve["fields"]!.AsArray().Single()!["name"]!.GetValue<string>(), Is.EqualTo("fee"));
        Assert.That(approve["comment"]!.GetValue<string>(), Is.EqualTo("optional"));
    }
}
