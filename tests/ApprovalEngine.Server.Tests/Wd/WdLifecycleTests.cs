// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Wd;

/// <summary>Dealing's guard, completion and the ledger, transactions, client cancel, mass edit and the audit log.</summary>
[TestFixture]
public sealed class WdLifecycleTests : WdFixture
{
    private async Task<JsonArray> OperationsAsync(JsonObject card) =>
        (await Wd.GetAccountAsync(card["tradingAccount"]!.GetValue<string>()))["operations"]!.AsArray();

    [Test]
    public async Task Dealing_cannot_pass_to_Backoffice_below_margin_level_100_and_is_told_why()
    {
        var card = await Wd.DriveToAsync("ApprovedByCS/Retention", openTrades: true);
        var customer = card["customerId"]!.GetValue<string>();
        // The account worsens before Dealing loads it: equity 5000 on margin 6000 → margin level 83.33.
        await Wd.PutAccountAsync(card["tradingAccount"]!.GetValue<string>(), customer, balance: 5_000m, equity: 5_000m, margin: 6_000m, freeMargin: 0m, openTrades: 3);
        await Wd.MustActAsync("retention1", card.Id(), "PassToDealing");
        var dealer = await Wd.CardAsync(card.Id(), "dealing1");
        Assert.That(dealer.Actions(), Is.EquivalentTo(new[] { "Reject", "BackToCS" }));
        var detail = dealer["actionDetails"]!.AsArray().Single(a => a!["name"]!.GetValue<string>() == "PassToBackoffice")!;
        Assert.That(detail["reason"]!.GetValue<string>(), Does.Contain("margin level of at least 100"));
        var refused = await (await Wd.ActAsync("dealing1", card.Id(), "PassToBackoffice")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(refused["detail"]!.GetValue<string>(), Does.Contain("margin level of at least 100"));
        Assert.That((await Wd.CardAsync(card.Id())).Status(), Is.EqualTo("ApprovedByRetention"));
    }

    [Test]
    public async Task Complete_withdraws_requested_minus_fee_plus_the_fee_once()
    {
        var card = await Wd.DriveToAsync("ApprovedByDealing/Backoffice", amount: 100m);
        var approved = await Wd.MustActAsync("supervisor1", card.Id(), "Approve", fee: 2.5m);
        Assert.That(approved.Status(), Is.EqualTo("ApprovedByBackoffice"));
        Assert.That(approved["fee"]!.Dec(), Is.EqualTo(2.5m));
        var drafts = approved["transactions"]!.AsArray();
        Assert.That(drafts.Select(t => (t!["paymentType"]!.GetValue<string>(), t["amount"]!.Dec(), t["status"]!.GetValue<string>())),
            Is.EquivalentTo(new[] { ("CreditCard", 97.5m, "Draft"), ("Fee", 2.5m, "Draft") }));
        Assert.That(await OperationsAsync(card), Is.Empty, "approving executes nothing");

        var done = await Wd.MustActAsync("bo1", card.Id(), "Complete");
        Assert.That(done.Status(), Is.EqualTo("Completed"));
        Assert.That(done.Actions(), Is.Empty);
        Assert.That(done["transactions"]!.AsArray().All(t => t!["status"]!.GetValue<string>() == "Executed" && t["tradeId"] is not null), Is.True);
        var account = await Wd.GetAccountAsync(card["tradingAccount"]!.GetValue<string>());
        Assert.That(account["operations"]!.AsArray().Select(o => o!["amount"]!.Dec()), Is.EquivalentTo(new[] { -97.5m, -2.5m }));
        Assert.That(account["balance"]!.Dec(), Is.EqualTo(9_900m));

        // No second withdrawal: Complete again is 409 and the ledger is unchanged.
        await (await Wd.ActAsync("bo1", card.Id(), "Complete")).ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(await OperationsAsync(card), Has.Count.EqualTo(2));
    }

    [Test]
    public async Task Less_than_requested_is_PartiallyCompleted_and_fee_only_cannot_complete()
    {
        var partial = await Wd.DriveToAsync("ApprovedByBackoffice/Backoffice", amount: 100m);
        var withdrawal = partial["transactions"]!.AsArray().Single()!;
        var edited = await (await Wd.AsAsync("bo1")).PutAsJsonAsync($"/api/wd-requests/{partial.Id()}/transactions/{withdrawal["id"]}", new { amount = 60m, paymentType = "CreditCard" });
        Assert.That(edited.StatusCode, Is.EqualTo(HttpStatusCode.OK), await edited.Content.ReadAsStringAsync());
        var done = await Wd.MustActAsync("bo1", partial.Id(), "Complete");
        Assert.That(done.Status(), Is.EqualTo("PartiallyCompleted"));
        Assert.That((await OperationsAsync(partial)).Select(o => o!["amount"]!.Dec()), Is.EqualTo(new[] { -60m }));

        var feeOnly = await Wd.DriveToAsync("ApprovedByDealing/Backoffice", amount: 100m);
        var approved = await Wd.MustActAsync("supervisor1", feeOnly.Id(), "Approve", fee: 5m);
        var draft = approved["transactions"]!.AsArray().Single(t => t!["paymentType"]!.GetValue<string>() == "CreditCard")!;
        var deleted = await (await Wd.AsAsync("bo1")).DeleteAsync($"/api/wd-requests/{feeOnly.Id()}/transactions/{draft["id"]}");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var notDone = await Wd.MustActAsync("bo1", feeOnly.Id(), "Complete");
        Assert.That(notDone.Status(), Is.EqualTo("ApprovedByBackoffice"), "only the fee: not completable, back to Approved by Backoffice");
        Assert.That(notDone["completionMessage"]!.GetValue<string>(), Does.Contain("Only the fee"));
        Assert.That((await Wd.CardAsync(feeOnly.Id(), "bo1")).Actions(), Is.EquivalentTo(new[] { "Complete", "Reject" }));
        Assert.That(await OperationsAsync(feeOnly), Is.Empty, "nothing was withdrawn");
    }

    [Test]
    public async Task Transactions_follow_the_tab_rules()
    {
        var card = await Wd.DriveToAsync("ApprovedByDealing/Backoffice", amount: 100m);
        var id = card.Id();
        var bo = await Wd.AsAsync("bo1");
        var url = $"/api/wd-requests/{id}/transactions";
        // Not yet approved by Backoffice: 409.
        await (await bo.PostAsJsonAsync(url, new { amount = 1m, paymentType = "CreditCard" })).ProblemAsync(HttpStatusCode.Conflict);
        var approved = await Wd.MustActAsync("supervisor1", id, "Approve", fee: 10m);
        var withdrawal = approved["transactions"]!.AsArray().Single(t => t!["paymentType"]!.GetValue<string>() == "CreditCard")!["id"]!.GetValue<string>();
        var fee = approved["transactions"]!.AsArray().Single(t => t!["paymentType"]!.GetValue<string>() == "Fee")!["id"]!.GetValue<string>();

        // Only Backoffice with wd:4.
        await (await (await Wd.AsAsync("dealing1")).PostAsJsonAsync(url, new { amount = 1m, paymentType = "CreditCard" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await (await Wd.AsAsync("system")).PostAsJsonAsync(url, new { amount = 1m, paymentType = "CreditCard" })).ProblemAsync(HttpStatusCode.Forbidden);

        async Task Invalid(HttpResponseMessage response, string field) =>
            Assert.That((await response.ProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields(), Does.Contain(field));
        await Invalid(await bo.PostAsJsonAsync(url, new { amount = 5m, paymentType = "WireTransfer" }), "bankDetails");
        await Invalid(await bo.PostAsJsonAsync(url, new { amount = 5m, paymentType = "Bitcoin" }), "paymentType");
        await Invalid(await bo.PostAsJsonAsync(url, new { amount = 5m }), "paymentType");
        await Invalid(await bo.PostAsJsonAsync(url, new { paymentType = "CreditCard" }), "amount");
        await Invalid(await bo.PostAsJsonAsync(url, new { amount = 1.234m, paymentType = "CreditCard" }), "amount");
        await Invalid(await bo.PostAsJsonAsync(url, new { amount = -1m, paymentType = "CreditCard" }), "amount");
        await Invalid(await bo.PostAsJsonAsync(url, new { amount = 5m, paymentType = "CreditCard" }), "amount"); // 90 + 10 + 5 > 100
        await Invalid(await bo.PostAsJsonAsync(url, new { amount = 1m, paymentType = "Fee" }), "paymentType"); // one fee only
        await Invalid(await bo.PutAsJsonAsync($"{url}/{withdrawal}", new { amount = 70m, paymentType = "Fee" }), "paymentType");

        var shrunk = await bo.PutAsJsonAsync($"{url}/{withdrawal}", new { amount = 70m, oct = true });
        Assert.That(shrunk.StatusCode, Is.EqualTo(HttpStatusCode.OK), await shrunk.Content.ReadAsStringAsync());
        var added = await bo.PostAsJsonAsync(url, new { amount = 20m, paymentType = "WireTransfer", bankDetails = "DE89 3704 0044 0532 0130 00" });
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.Created), await added.Content.ReadAsStringAsync());
        Assert.That(added.Headers.Location?.ToString(), Does.StartWith($"{url}/"));
        var after = await added.ReadObjectAsync();
        Assert.That(after["transactions"]!.AsArray().Select(t => t!["amount"]!.Dec()), Is.EquivalentTo(new[] { 70m, 10m, 20m }));
        Assert.That(after["transactions"]!.AsArray().Single(t => t!["id"]!.GetValue<string>() == withdrawal)!["oct"]!.GetValue<bool>(), Is.True);

        await (await bo.PutAsJsonAsync($"{url}/{fee}", new { amount = 5m })).ProblemAsync(HttpStatusCode.Conflict);
        await (await bo.DeleteAsync($"{url}/{fee}")).ProblemAsync(HttpStatusCode.Conflict);
        await (await bo.DeleteAsync($"{url}/no-such-tx")).ProblemAsync(HttpStatusCode.NotFound);
        await (await bo.PutAsJsonAsync($"{url}/no-such-tx", new { amount = 1m, paymentType = "CreditCard" })).ProblemAsync(HttpStatusCode.NotFound);
        // Stale version: 409.
        await (await bo.PostAsJsonAsync(url, new { amount = 0.5m, paymentType = "CreditCard", expectedVersion = 1 })).ProblemAsync(HttpStatusCode.Conflict);

        var done = await Wd.MustActAsync("bo1", id, "Complete");
        Assert.That(done.Status(), Is.EqualTo("Completed"));
        Assert.That((await OperationsAsync(card)).Select(o => o!["amount"]!.Dec()), Is.EquivalentTo(new[] { -70m, -10m, -20m }));
        await (await bo.PostAsJsonAsync(url, new { amount = 1m, paymentType = "CreditCard" })).ProblemAsync(HttpStatusCode.Conflict);
        await (await bo.DeleteAsync($"{url}/{withdrawal}")).ProblemAsync(HttpStatusCode.Conflict);

        var audit = await bo.GetObjectAsync($"/api/wd-requests/{id}/audit-log");
        var edits = audit["items"]!.AsArray().Where(e => e!["action"]!.GetValue<string>() is "AddTransaction" or "EditTransaction").ToList();
        Assert.That(edits, Has.Count.EqualTo(2));
        Assert.That(edits.All(e => e!["user"]!.GetValue<string>() == "bo1" && e["changes"]!.AsArray().Any(c => c!["name"]!.GetValue<string>() == "transactions")), Is.True);
    }

    public static IEnumerable<string> NonFinalStages() => WdDriver.Stages.Where(s => s.Contains('/', StringComparison.Ordinal));

    [TestCaseSource(nameof(NonFinalStages))]
    public async Task Client_cancels_from_every_non_final_stage(string stage)
    {
        var card = await Wd.DriveToAsync(stage);
        var response = await (await Wd.AsAsync("system")).PostAsync($"/api/wd-requests/{card.Id()}/client-cancel", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var after = await response.ReadObjectAsync();
        Assert.That(after.Status(), Is.EqualTo("CanceledByClient"));
        Assert.That((await Wd.CardAsync(after.Id(), "bo1")).Actions(), Is.Empty);
        Assert.That(await OperationsAsync(card), Is.Empty);
    }

    [TestCase("Rejected")]
    [TestCase("Completed")]
    [TestCase("CanceledByClient")]
    public async Task Client_cancel_from_a_final_status_is_409(string stage)
    {
        var card = await Wd.DriveToAsync(stage);
        var response = await (await Wd.AsAsync("system")).PostAsync($"/api/wd-requests/{card.Id()}/client-cancel", null);
        await response.ProblemAsync(HttpStatusCode.Conflict);
        Assert.That((await Wd.CardAsync(card.Id())).Status(), Is.EqualTo(stage));
    }

    [Test]
    public async Task Client_cancel_is_for_the_system_key_only()
    {
        var card = await Wd.CreateAsync();
        await (await (await Wd.AsAsync("supervisor1")).PostAsync($"/api/wd-requests/{card.Id()}/client-cancel", null)).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That((await Wd.CardAsync(card.Id())).Status(), Is.EqualTo("New"));
    }

    [Test]
    public async Task Mass_edit_reports_per_id_and_follows_the_eligibility_rule()
    {
        var eligible = await Wd.DriveToAsync("New/CS");
        var inRetention = await Wd.DriveToAsync("ApprovedByCS/Retention");
        var approvedByDealing = await Wd.DriveToAsync("ApprovedByDealing/Backoffice");
        var inBackoffice = await Wd.DriveToAsync("ApprovedByCS/Backoffice");
        var approvedByBackoffice = await Wd.DriveToAsync("ApprovedByBackoffice/Backoffice");
        var rejected = await Wd.DriveToAsync("Rejected");
        const string unknown = "0195c0de-0000-7000-8000-000000000000";
        var ids = new[] { eligible.Id(), inRetention.Id(), approvedByDealing.Id(), inBackoffice.Id(), approvedByBackoffice.Id(), rejected.Id(), unknown, "not-an-id" };
        var supervisor = await Wd.AsAsync("supervisor1");
        var response = await supervisor.PostAsJsonAsync("/api/wd-requests/mass-edit", new { ids, department = "Backoffice" });
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var results = JsonNode.Parse(text)!.AsArray();
        Assert.That(results.Select(r => r!["id"]!.GetValue<string>()), Is.EqualTo(ids));
        Assert.That(results.Select(r => r!["ok"]!.GetValue<bool>()), Is.EqualTo(new[] { true, true, false, false, false, false, false, false }));
        Assert.That(results.Skip(2).All(r => !string.IsNullOrEmpty(r!["error"]?.GetValue<string>())), Is.True);
        Assert.That(results[2]!["error"]!.GetValue<string>(), Does.Contain("Dealing"));
        Assert.That(results[3]!["error"]!.GetValue<string>(), Does.Contain("assigned to Backoffice"));

        var moved = await Wd.CardAsync(eligible.Id(), "bo1");
        Assert.That((moved.Status(), moved.Department()), Is.EqualTo(("ForwardedToBackoffice", "Backoffice")));
        Assert.That(moved.Actions(), Is.EquivalentTo(new[] { "Approve", "Reject", "BackToCS" }));
        Assert.That((await Wd.CardAsync(inRetention.Id())).Status(), Is.EqualTo("ForwardedToBackoffice"));
        Assert.That((await Wd.CardAsync(approvedByDealing.Id())).Status(), Is.EqualTo("ApprovedByDealing"), "refused ones are unchanged");

        var toDealing = await Wd.DriveToAsync("AwaitingDocs/CS");
        var dealing = await Wd.MassEditAsync(toDealing.Id(), "Dealing");
        Assert.That((dealing.Status(), dealing.Department()), Is.EqualTo(("ForwardedToDealing", "Dealing")));
    }

    [Test]
    public async Task Mass_edit_needs_wd_5_at_most_100_ids_and_a_target_department()
    {
        var card = await Wd.CreateAsync();
        await (await (await Wd.AsAsync("bo1")).PostAsJsonAsync("/api/wd-requests/mass-edit", new { ids = new[] { card.Id() }, department = "Dealing" })).ProblemAsync(HttpStatusCode.Forbidden);
        await (await (await Wd.AsAsync("system")).PostAsJsonAsync("/api/wd-requests/mass-edit", new { ids = new[] { card.Id() }, department = "Dealing" })).ProblemAsync(HttpStatusCode.Forbidden);
        var supervisor = await Wd.AsAsync("supervisor1");
        var tooMany = Enumerable.Range(0, 101).Select(_ => Guid.NewGuid().ToString()).ToArray();
        Assert.That((await (await supervisor.PostAsJsonAsync("/api/wd-requests/mass-edit", new { ids = tooMany, department = "Dealing" })).ProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields(), Does.Contain("ids"));
        Assert.That((await (await supervisor.PostAsJsonAsync("/api/wd-requests/mass-edit", new { ids = Array.Empty<string>(), department = "Dealing" })).ProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields(), Does.Contain("ids"));
        Assert.That((await (await supervisor.PostAsJsonAsync("/api/wd-requests/mass-edit", new { ids = new[] { card.Id() }, department = "CS" })).ProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields(), Does.Contain("department"));
        Assert.That((await Wd.CardAsync(card.Id())).Status(), Is.EqualTo("New"));
    }

    [Test]
    public async Task Audit_log_is_newest_first_with_user_role_ip_action_and_changes()
    {
        var card = await Wd.CreateAsync();
        await Wd.MustActAsync("cs1", card.Id(), "PassToRetention");
        await Wd.MustActAsync("retention1", card.Id(), "Reject", "kept the money");
        var audit = await (await Wd.AsAsync("bo1")).GetObjectAsync($"/api/wd-requests/{card.Id()}/audit-log");
        var items = audit["items"]!.AsArray().Select(i => i!.AsObject()).ToList();
        var sequences = items.Select(i => i["sequence"]!.GetValue<long>()).ToList();
        Assert.That(sequences, Is.Ordered.Descending);
        var times = items.Select(i => i["time"]!.GetValue<DateTimeOffset>()).ToList();
        Assert.That(times, Is.Ordered.Descending);
        Assert.That(items.Last()["action"]!.GetValue<string>(), Is.EqualTo("Created"));
        Assert.That(items.Last()["user"]!.GetValue<string>(), Is.EqualTo("cs1"));
        var pass = items.Single(i => i["action"]!.GetValue<string>() == "PassToRetention");
        Assert.That(pass["user"]!.GetValue<string>(), Is.EqualTo("cs1"));
        Assert.That(pass["role"]!.GetValue<string>(), Is.EqualTo("CS agent"));
        Assert.That(pass.ContainsKey("ipAddress"), Is.True);
        var reject = items.Single(i => i["action"]!.GetValue<string>() == "Reject");
        Assert.That(reject["user"]!.GetValue<string>(), Is.EqualTo("retention1"));
        Assert.That(reject["comment"]!.GetValue<string>(), Is.EqualTo("kept the money"));
        Assert.That(sequences.IndexOf(reject["sequence"]!.GetValue<long>()), Is.LessThan(sequences.IndexOf(pass["sequence"]!.GetValue<long>())));
        Assert.That(items.Any(i => i["changes"]!.AsArray().Any(c => c!["name"]!.GetValue<string>() == "businessStatus" && c["after"]!.GetValue<string>() == "Rejected")), Is.True);
        Assert.That(items.Select(i => i["kind"]!.GetValue<string>()), Does.Not.Contain("ActivityEntered"));
    }
}
