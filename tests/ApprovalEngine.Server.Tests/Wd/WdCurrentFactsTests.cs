// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Wd;

/// <summary>
/// Issue 13: the approvals judge the trading account as the ledger reports it when the action is taken, on the WD route
/// and on the generic task route, and the card shows those current figures.
/// </summary>
[TestFixture]
public sealed class WdCurrentFactsTests : WdFixture
{
    private static string Account(JsonObject card) => card["tradingAccount"]!.GetValue<string>();

    private static string Customer(JsonObject card) => card["customerId"]!.GetValue<string>();

    private async Task<HttpResponseMessage> GenericCompleteAsync(string user, JsonObject card, string action) =>
        await (await Wd.AsAsync(user)).PostAsJsonAsync($"/api/tasks/{card["taskId"]!.GetValue<string>()}/complete", new { action, comment = "checked" });

    [Test]
    public async Task Dealing_pass_to_Backoffice_is_refused_when_the_margin_level_fell_to_95_after_entering_Dealing()
    {
        var card = await Wd.DriveToAsync("ApprovedByRetention/Dealing");
        // Entered Dealing at margin level 10000; the market moves: equity 9500 on margin 10000 → 95.
        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 10_000m, equity: 9_500m, margin: 10_000m, freeMargin: 0m, openTrades: 2);

        var dealer = await Wd.CardAsync(card.Id(), "dealing1");
        Assert.That(dealer["accountFacts"]!["marginLevel"]!.Dec(), Is.EqualTo(95m), "the card shows the current margin level");
        Assert.That(dealer["accountFacts"]!["equity"]!.Dec(), Is.EqualTo(9_500m));
        Assert.That(dealer.Actions(), Does.Not.Contain("PassToBackoffice"));

        var refused = await (await Wd.ActAsync("dealing1", card.Id(), "PassToBackoffice")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(refused["detail"]!.GetValue<string>(), Does.Contain("margin level of at least 100"));
        var sideDoor = await (await GenericCompleteAsync("dealing1", dealer, "PassToBackoffice")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(sideDoor["detail"]!.GetValue<string>(), Does.Contain("margin level of at least 100"));
        var after = await Wd.CardAsync(card.Id());
        Assert.That((after.Status(), after.Department()), Is.EqualTo(("ApprovedByRetention", "Dealing")));

        // Once the account recovers, the same action passes: the refusal came from the figures, not from the stage.
        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 10_000m, equity: 10_000m, margin: 5_000m, freeMargin: 5_000m, openTrades: 2);
        var passed = await Wd.MustActAsync("dealing1", card.Id(), "PassToBackoffice");
        Assert.That(passed.Status(), Is.EqualTo("ApprovedByDealing"));
    }

    [Test]
    public async Task Figures_sent_as_form_fields_cannot_stand_in_for_the_ledgers_on_the_generic_route()
    {
        var card = await Wd.DriveToAsync("ApprovedByRetention/Dealing");
        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 10_000m, equity: 9_500m, margin: 10_000m, freeMargin: 0m, openTrades: 2);
        var dealing = await Wd.AsAsync("dealing1");
        var taskUrl = $"/api/tasks/{card["taskId"]!.GetValue<string>()}/complete";
        var spoofed = await dealing.PostAsJsonAsync(taskUrl, new { action = "PassToBackoffice", comment = "fine", data = new { marginLevel = 500m, equity = 50_000m, balance = 50_000m } });
        Assert.That(spoofed.StatusCode, Is.AnyOf(HttpStatusCode.UnprocessableEntity, HttpStatusCode.Conflict), await spoofed.Content.ReadAsStringAsync());
        Assert.That((await Wd.CardAsync(card.Id())).Status(), Is.EqualTo("ApprovedByRetention"), "the request stays with Dealing");
    }

    [Test]
    public async Task The_generic_task_view_offers_Pass_to_Backoffice_on_the_current_margin_level_like_the_card()
    {
        var card = await Wd.DriveToAsync("ApprovedByRetention/Dealing");
        var dealing = await Wd.AsAsync("dealing1");
        JsonObject Action(JsonObject detail, string name) => (JsonObject)detail["actions"]!.AsArray().Single(a => a!["name"]!.GetValue<string>() == name)!;
        var taskUrl = $"/api/tasks/{card["taskId"]!.GetValue<string>()}";
        Assert.That(Action(await dealing.GetObjectAsync(taskUrl), "PassToBackoffice")["available"]!.GetValue<bool>(), Is.True, "offered at margin level 10000");

        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 10_000m, equity: 9_500m, margin: 10_000m, freeMargin: 0m, openTrades: 2);
        var pass = Action(await dealing.GetObjectAsync(taskUrl), "PassToBackoffice");
        Assert.That(pass["available"]!.GetValue<bool>(), Is.False, "judged on margin level 95, as the card and the completion do");
        Assert.That(pass["reason"]!.GetValue<string>(), Does.Contain("margin level of at least 100"));
        Assert.That(Action(await dealing.GetObjectAsync(taskUrl), "Reject")["available"]!.GetValue<bool>(), Is.True, "actions without facts are untouched");

        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 10_000m, equity: 10_000m, margin: 5_000m, freeMargin: 5_000m, openTrades: 2);
        Assert.That(Action(await dealing.GetObjectAsync(taskUrl), "PassToBackoffice")["available"]!.GetValue<bool>(), Is.True, "offered again once the account recovers");
    }

    [Test]
    public async Task Dealing_pass_to_Backoffice_is_refused_when_the_balance_dropped_below_the_request()
    {
        var card = await Wd.DriveToAsync("ApprovedByRetention/Dealing", amount: 500m);
        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 400m, equity: 10_000m, margin: 100m, freeMargin: 9_900m, openTrades: 2);
        await (await Wd.ActAsync("dealing1", card.Id(), "PassToBackoffice")).ProblemAsync(HttpStatusCode.Conflict);
        var dealer = await Wd.CardAsync(card.Id(), "dealing1");
        await (await GenericCompleteAsync("dealing1", dealer, "PassToBackoffice")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That((await Wd.CardAsync(card.Id())).Status(), Is.EqualTo("ApprovedByRetention"));
    }

    [Test]
    public async Task Backoffice_approve_is_refused_when_the_balance_dropped_and_the_card_says_why()
    {
        var card = await Wd.DriveToAsync("ApprovedByRetention/Backoffice", amount: 100m);
        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 60m, equity: 60m, freeMargin: 60m);

        var bo = await Wd.CardAsync(card.Id(), "supervisor1");
        Assert.That(bo["accountFacts"]!["balance"]!.Dec(), Is.EqualTo(60m));
        var approve = bo["actionDetails"]!.AsArray().Single(a => a!["name"]!.GetValue<string>() == "Approve")!;
        Assert.That(approve["available"]!.GetValue<bool>(), Is.False);
        Assert.That(approve["reason"]!.GetValue<string>(), Does.Contain("current balance 60"));

        var refused = await (await Wd.ActAsync("supervisor1", card.Id(), "Approve")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(refused["detail"]!.GetValue<string>(), Does.Contain("does not cover the requested amount"));
        await (await GenericCompleteAsync("supervisor1", bo, "Approve")).ProblemAsync(HttpStatusCode.Conflict);
        var after = await Wd.CardAsync(card.Id());
        Assert.That(after.Status(), Is.EqualTo("ApprovedByRetention"));
        Assert.That(after["transactions"]!.AsArray(), Is.Empty, "no drafts were created");

        // Reject does not wait for the ledger and is still offered.
        Assert.That(bo.Actions(), Does.Contain("Reject"));
    }

    [Test]
    public async Task Backoffice_approve_is_refused_under_margin_level_100_although_the_request_never_went_through_Dealing()
    {
        // Retention passes straight to Backoffice (no open trades then); Backoffice "checks all the stages again".
        var card = await Wd.DriveToAsync("ApprovedByRetention/Backoffice", amount: 100m);
        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 10_000m, equity: 4_000m, margin: 10_000m, freeMargin: 0m, openTrades: 3);

        var refused = await (await Wd.ActAsync("supervisor1", card.Id(), "Approve")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(refused["detail"]!.GetValue<string>(), Does.Contain("Approve needs a margin level of at least 100"));
        var bo = await Wd.CardAsync(card.Id(), "supervisor1");
        await (await GenericCompleteAsync("supervisor1", bo, "Approve")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That((await Wd.CardAsync(card.Id())).Status(), Is.EqualTo("ApprovedByRetention"));

        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 10_000m, equity: 10_000m, margin: 5_000m, freeMargin: 5_000m, openTrades: 3);
        Assert.That((await Wd.MustActAsync("supervisor1", card.Id(), "Approve")).Status(), Is.EqualTo("ApprovedByBackoffice"));
    }

    [Test]
    public async Task Backoffice_complete_is_refused_when_the_balance_dropped_and_nothing_is_sent_to_the_ledger()
    {
        var card = await Wd.DriveToAsync("ApprovedByBackoffice/Backoffice", amount: 100m);
        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 99.99m, equity: 99.99m, freeMargin: 99.99m);

        var refused = await (await Wd.ActAsync("bo1", card.Id(), "Complete")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(refused["detail"]!.GetValue<string>(), Does.Contain("still to execute"));
        var bo = await Wd.CardAsync(card.Id(), "bo1");
        await (await GenericCompleteAsync("bo1", bo, "Complete")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(bo.Status(), Is.EqualTo("ApprovedByBackoffice"));
        Assert.That(bo["executing"]!.GetValue<bool>(), Is.False);
        Assert.That((await Wd.GetAccountAsync(Account(card)))["operations"]!.AsArray(), Is.Empty);

        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 100m, equity: 100m, freeMargin: 100m);
        Assert.That((await Wd.MustActAsync("bo1", card.Id(), "Complete")).Status(), Is.EqualTo("Completed"));
    }

    [Test]
    public async Task A_completed_request_is_not_executing()
    {
        var card = await Wd.DriveToAsync("Completed");
        Assert.That(card["executing"]!.GetValue<bool>(), Is.False, "the answer to Complete");
        var read = await Wd.CardAsync(card.Id());
        Assert.That(read.Status(), Is.EqualTo("Completed"));
        Assert.That(read["executing"]!.GetValue<bool>(), Is.False, "GET of the card");
    }

    [Test]
    public async Task The_facts_read_at_the_action_are_in_the_audit_log()
    {
        var card = await Wd.DriveToAsync("ApprovedByRetention/Dealing");
        await Wd.PutAccountAsync(Account(card), Customer(card), balance: 7_777m, equity: 8_000m, margin: 100m, freeMargin: 7_900m, openTrades: 2);
        await Wd.MustActAsync("dealing1", card.Id(), "PassToBackoffice");
        var log = await (await Wd.AsAsync("supervisor1")).GetObjectAsync($"/api/wd-requests/{card.Id()}/audit-log");
        Assert.That(log.ToJsonString(), Does.Contain("7777"), log.ToJsonString());
    }
}

/// <summary>An instance started on an older stored version of wd-request is judged by the same current-facts rule.</summary>
[TestFixture]
public sealed class WdCurrentFactsOldVersionTests : WdFixture
{
    [Test]
    public async Task An_instance_on_a_laxer_previous_version_is_still_refused_on_current_facts()
    {
        var analyst = await Wd.AsAsync("analyst1");
        var current = (await analyst.GetObjectAsync("/api/definitions/wd-request"))["definition"]!.AsObject();
        // A previous version without Dealing's guard (as a careless edit could have stored it).
        var lax = current.DeepClone().AsObject();
        foreach (var activity in lax["activities"]!.AsArray())
        {
            foreach (var action in activity!["inputs"]?["actions"]?.AsArray() ?? [])
            {
                action!.AsObject().Remove("guard");
                action.AsObject().Remove("guardMessage");
            }
        }
        var laxVersion = await Factory.PublishAsync(lax);
        var card = await Wd.DriveToAsync("ApprovedByRetention/Dealing");
        var instance = await (await Wd.AsAsync("supervisor1")).GetObjectAsync($"/api/instances/{card.Id()}");
        Assert.That(instance["version"]!.GetValue<int>(), Is.EqualTo(laxVersion));
        // The guarded definition is published again: the request now runs on the previous stored version.
        var newer = await Factory.PublishAsync(current);
        Assert.That(newer, Is.GreaterThan(laxVersion));

        await Wd.PutAccountAsync(card["tradingAccount"]!.GetValue<string>(), card["customerId"]!.GetValue<string>(),
            balance: 10_000m, equity: 9_500m, margin: 10_000m, freeMargin: 0m, openTrades: 2);
        var refused = await (await Wd.ActAsync("dealing1", card.Id(), "PassToBackoffice")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(refused["detail"]!.GetValue<string>(), Does.Contain("margin level is 95"));
        Assert.That((await Wd.CardAsync(card.Id())).Status(), Is.EqualTo("ApprovedByRetention"));
    }
}
