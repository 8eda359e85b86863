using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Tests.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Fiat.Config;

/// <summary>
/// The weakening changes that were still applied on one say (issue 12, ADR 15) over HTTP on PostgreSQL: a review rule
/// that holds back fewer applications or an AutoSubmit rule that lets more through, a channel moved to another paying
/// account — and the switches that stop money (withdrawal rule, channel, currency), which apply at once.
/// </summary>
[NonParallelizable]
public sealed class FiatFourEyesWeakeningTests
{
    private ApiFactory _factory = null!;
    private HttpClient _supervisor1 = null!;
    private HttpClient _supervisor2 = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await ApiFactory.PostgresAsync(FiatOps.Settings());
        _supervisor1 = await _factory.AsUserAsync("supervisor1");
        _supervisor2 = await _factory.AsUserAsync("supervisor2");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _supervisor1.Dispose();
        _supervisor2.Dispose();
        await _factory.DisposeAsync();
    }

    private static async Task<JsonObject> ProposedAsync(HttpResponseMessage response, string summary)
    {
        var body = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body.ToJsonString());
        Assert.That((body.Text("status"), body.Text("proposedBy")), Is.EqualTo(("Pending", "supervisor1")));
        Assert.That(body.Text("summary"), Does.Contain(summary));
        return body;
    }

    private async Task<JsonObject> ReviewRuleAsync(string name) =>
        (await _supervisor1.GetArrayAsync("/api/fiat/config/review-rules")).Select(r => r!.AsObject()).Single(r => r.Text("name") == name);

    private static JsonObject Edited(JsonObject from, Action<JsonObject> change)
    {
        var body = from.DeepClone().AsObject();
        change(body);
        return body;
    }

    /// <summary>The side doors every proposal is tried through: the proposer's own approval, Operations staff and the system key.</summary>
    private async Task NobodyButASecondConfigurerAsync(JsonObject pending, Func<HttpClient, Task<HttpResponseMessage>> sameChangeAgain)
    {
        await ApiAssert.ProblemAsync(await _supervisor1.PostAsJsonAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { }), HttpStatusCode.Forbidden);
        using var system = _factory.AsSystem();
        await ApiAssert.ProblemAsync(await system.PostAsJsonAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await sameChangeAgain(system), HttpStatusCode.Forbidden);
        using var checker = await _factory.AsUserAsync("checker1");
        await ApiAssert.ProblemAsync(await sameChangeAgain(checker), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Raising_a_review_rules_amount_condition_so_fewer_applications_are_reviewed_waits_for_a_second_configurer()
    {
        var rule = await ReviewRuleAsync("Amount at least 20000 HKD");
        var url = $"/api/fiat/config/review-rules/{rule.Text("id")}";
        var raise = Edited(rule, b => b["amountAtLeast"] = 30_000m);
        var pending = await ProposedAsync(await _supervisor1.PutAsJsonAsync(url, raise), "narrower conditions");
        Assert.That((await _supervisor1.GetObjectAsync(url)).Number2("amountAtLeast"), Is.EqualTo(20_000m), "one person's say changes nothing");
        await NobodyButASecondConfigurerAsync(pending, c => c.PutAsJsonAsync(url, raise));

        await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { reason = "fewer manual reviews agreed" });
        var raised = await _supervisor1.GetObjectAsync(url);
        Assert.That(raised.Number2("amountAtLeast"), Is.EqualTo(30_000m));
        var journal = (await _supervisor1.GetObjectAsync("/api/fiat/config/journal?entity=ReviewRule&pageSize=1")).Items()[0]!;
        Assert.That((journal.Text("action"), journal.Text("actor")), Is.EqualTo(("Edit", "supervisor2")));
        Assert.That(journal.Text("reason"), Does.Contain("proposed by supervisor1"));

        // Lowering it again reviews more: at once.
        var lowered = await _supervisor1.PutObjectAsync(url, Edited(raised, b => b["amountAtLeast"] = 20_000m));
        Assert.That(lowered.Number2("amountAtLeast"), Is.EqualTo(20_000m));
    }

    [Test]
    public async Task Adding_a_condition_to_a_review_rule_or_evaluating_it_later_waits_while_removing_a_condition_applies_at_once()
    {
        var rule = await ReviewRuleAsync("New beneficiary account");
        var url = $"/api/fiat/config/review-rules/{rule.Text("id")}";
        await ProposedAsync(await _supervisor1.PutAsJsonAsync(url, Edited(rule, b => b["currency"] = "USD")), "narrower conditions");
        await ProposedAsync(await _supervisor1.PutAsJsonAsync(url, Edited(rule, b => b["firstWithdrawal"] = true)), "narrower conditions");
        await ProposedAsync(await _supervisor1.PutAsJsonAsync(url, Edited(rule, b => b["priority"] = 500)), "evaluated later");
        await ProposedAsync(await _supervisor1.PutAsJsonAsync(url, Edited(rule, b => b["kind"] = "AutoSubmit")), "kind ManualWithoutWorkOrder → AutoSubmit");
        Assert.That((await _supervisor1.GetObjectAsync(url)).ToJsonString(), Is.EqualTo(rule.ToJsonString()), "nothing of the proposals is written");

        // Matching more applications (a stricter rule) and evaluating it earlier hold back more: at once.
        var wider = await _supervisor1.PutObjectAsync(url, Edited(rule, b => { b["newBeneficiaryAccount"] = null; b["priority"] = 5; }));
        Assert.That((wider["newBeneficiaryAccount"], wider["priority"]!.GetValue<int>()), Is.EqualTo(((JsonNode?)null, 5)));
        await _supervisor1.PutObjectAsync(url, Edited(rule, b => b["rowVersion"] = wider["rowVersion"]!.GetValue<int>()));
    }

    [Test]
    public async Task An_AutoSubmit_rule_lets_applications_through_unreviewed_so_creating_enabling_or_widening_it_waits_on_every_route()
    {
        var before = (await _supervisor1.GetArrayAsync("/api/fiat/config/review-rules")).Count;
        var create = new { name = "Small known HKD", kind = "AutoSubmit", firstWithdrawal = false, newBeneficiaryAccount = false, currency = "HKD", amountAtLeast = 100m, priority = 1, enabled = true };
        var pendingCreate = await ProposedAsync(await _supervisor1.PostAsJsonAsync("/api/fiat/config/review-rules", create), "starts applying");
        Assert.That((await _supervisor1.GetArrayAsync("/api/fiat/config/review-rules")).Count, Is.EqualTo(before), "no rule until approved");
        await NobodyButASecondConfigurerAsync(pendingCreate, c => c.PostAsJsonAsync("/api/fiat/config/review-rules", create));

        // Side door: create it disabled (no effect: applies at once), then enable it by the button or by an edit.
        var created = await _supervisor1.PostObjectAsync("/api/fiat/config/review-rules", new { create.name, create.kind, create.firstWithdrawal, create.newBeneficiaryAccount, create.currency, create.amountAtLeast, create.priority, enabled = false });
        var url = $"/api/fiat/config/review-rules/{created.Text("id")}";
        var enable = await ProposedAsync(await _supervisor1.PostAsJsonAsync($"{url}/enable", new { rowVersion = created["rowVersion"]!.GetValue<int>() }), "starts applying");
        await ProposedAsync(await _supervisor1.PutAsJsonAsync(url, Edited(created, b => b["enabled"] = true)), "starts applying");
        Assert.That((await _supervisor1.GetObjectAsync(url))["enabled"]!.GetValue<bool>(), Is.False);

        await ApiAssert.ProblemAsync(await _supervisor1.PostAsJsonAsync($"/api/fiat/config/pending-changes/{enable.Text("id")}/approve", new { }), HttpStatusCode.Forbidden);
        await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{enable.Text("id")}/approve", new { });
        var enabled = await _supervisor1.GetObjectAsync(url);
        Assert.That(enabled["enabled"]!.GetValue<bool>(), Is.True);

        // Enabled, it lets more through when its conditions widen; narrowing or disabling it holds back more: at once.
        await ProposedAsync(await _supervisor1.PutAsJsonAsync(url, Edited(enabled, b => b["amountAtLeast"] = 1m)), "wider conditions");
        await ProposedAsync(await _supervisor1.PutAsJsonAsync(url, Edited(enabled, b => b["currency"] = null)), "wider conditions");
        var narrowed = await _supervisor1.PutObjectAsync(url, Edited(enabled, b => b["amountAtLeast"] = 1_000m));
        Assert.That(narrowed.Number2("amountAtLeast"), Is.EqualTo(1_000m));
        var off = await _supervisor1.PostObjectAsync($"{url}/disable", new { rowVersion = narrowed["rowVersion"]!.GetValue<int>() });
        Assert.That(off["enabled"]!.GetValue<bool>(), Is.False);

        // The proposed create, approved by the second configurer, creates the rule as it was sent.
        await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{pendingCreate.Text("id")}/approve", new { });
        var rules = await _supervisor1.GetArrayAsync("/api/fiat/config/review-rules");
        Assert.That(rules.Count(r => r!.Text("name") == "Small known HKD" && r!["enabled"]!.GetValue<bool>()), Is.EqualTo(1));
        var journal = (await _supervisor1.GetObjectAsync("/api/fiat/config/journal?entity=ReviewRule&pageSize=1")).Items()[0]!;
        Assert.That((journal.Text("action"), journal.Text("actor")), Is.EqualTo(("Create", "supervisor2")));
        var id = rules.First(r => r!.Text("name") == "Small known HKD" && r!["enabled"]!.GetValue<bool>())!.Text("id");
        var row = await _supervisor1.GetObjectAsync($"/api/fiat/config/review-rules/{id}");
        await _supervisor1.PostObjectAsync($"/api/fiat/config/review-rules/{id}/disable", new { rowVersion = row["rowVersion"]!.GetValue<int>() });
    }

    [Test]
    public async Task Disabling_a_withdrawal_rule_a_channel_or_a_currencys_withdrawals_stops_money_and_applies_at_once()
    {
        var channels = _factory.Services.GetRequiredService<IWithdrawalChannels>();
        var rule = (await _supervisor1.GetArrayAsync("/api/fiat/config/withdrawal-rules")).Select(r => r!.AsObject()).Single(r => r.Text("channelId") == "HSBC-002-WIRE");
        var ruleUrl = $"/api/fiat/config/withdrawal-rules/{rule.Text("id")}";
        var ruleOff = await _supervisor1.PutObjectAsync(ruleUrl, Edited(rule, b => b["enabled"] = false));
        Assert.That(ruleOff["enabled"]!.GetValue<bool>(), Is.False);
        Assert.That((await channels.GetChannelAsync("HSBC-002-WIRE", CancellationToken.None))!.Enabled, Is.False, "the payout side sees it at once");

        var channel = await _supervisor1.GetObjectAsync("/api/fiat/config/channels/HSBC-002-WIRE");
        var channelOff = await _supervisor1.PutObjectAsync("/api/fiat/config/channels/HSBC-002-WIRE", Edited(channel, b => b["enabled"] = false));
        Assert.That(channelOff["enabled"]!.GetValue<bool>(), Is.False);

        var usd = (await _supervisor1.GetArrayAsync("/api/fiat/config/currencies")).Single(c => c!.Text("code") == "USD")!;
        var usdOff = await _supervisor1.PutObjectAsync("/api/fiat/config/currencies/USD", new { withdrawalEnabled = false, rowVersion = usd["rowVersion"]!.GetValue<int>() });
        Assert.That(usdOff["withdrawalEnabled"]!.GetValue<bool>(), Is.False);
        Assert.That((await _supervisor1.GetArrayAsync("/api/fiat/config/pending-changes")).Count(c => c!.Text("entityKey") is "USD" or "HSBC-002-WIRE"), Is.Zero);

        // Switching them on again applies at once too (every limit and review rule still holds).
        await _supervisor1.PutObjectAsync("/api/fiat/config/currencies/USD", new { withdrawalEnabled = true, rowVersion = usdOff["rowVersion"]!.GetValue<int>() });
        await _supervisor1.PutObjectAsync("/api/fiat/config/channels/HSBC-002-WIRE", Edited(channelOff, b => b["enabled"] = true));
        await _supervisor1.PutObjectAsync(ruleUrl, Edited(ruleOff, b => b["enabled"] = true));
        Assert.That((await channels.GetChannelAsync("HSBC-002-WIRE", CancellationToken.None))!.Enabled, Is.True);
    }

    [Test]
    public async Task Moving_a_channel_to_another_paying_account_waits_for_a_second_configurer()
    {
        foreach (var id in new[] { "MOVE-A", "MOVE-B" })
        {
            await _supervisor1.PostObjectAsync("/api/fiat/config/bank-accounts", new { id, bankName = "Move Bank", accountNo = $"{id}-1", accountName = "Broker", currency = "HKD", apiIntegrated = false });
        }
        var channel = await _supervisor1.PostObjectAsync("/api/fiat/config/channels", new { id = "MOVE-FPS", bankAccountId = "MOVE-A", method = "FPS" });
        var move = Edited(channel, b => b["bankAccountId"] = "MOVE-B");
        var pending = await ProposedAsync(await _supervisor1.PutAsJsonAsync("/api/fiat/config/channels/MOVE-FPS", move), "paying account MOVE-A → MOVE-B");
        Assert.That((await _supervisor1.GetObjectAsync("/api/fiat/config/channels/MOVE-FPS")).Text("bankAccountId"), Is.EqualTo("MOVE-A"));
        await NobodyButASecondConfigurerAsync(pending, c => c.PutAsJsonAsync("/api/fiat/config/channels/MOVE-FPS", move));

        await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { });
        var moved = await _supervisor1.GetObjectAsync("/api/fiat/config/channels/MOVE-FPS");
        Assert.That((moved.Text("bankAccountId"), moved["rowVersion"]!.GetValue<int>()), Is.EqualTo(("MOVE-B", 2)));
        var journal = (await _supervisor1.GetObjectAsync("/api/fiat/config/journal?entity=Channel&pageSize=1")).Items()[0]!;
        Assert.That((journal.Text("action"), journal.Text("actor")), Is.EqualTo(("Edit", "supervisor2")));
    }

    [Test]
    public async Task A_withdrawal_rule_deleted_and_recreated_with_higher_limits_waits_for_a_second_configurer()
    {
        await _supervisor1.PostObjectAsync("/api/fiat/config/bank-accounts", new { id = "RECR-A", bankName = "Recreate Bank", accountNo = "RECR-A-1", accountName = "Broker", currency = "HKD", apiIntegrated = false });
        await _supervisor1.PostObjectAsync("/api/fiat/config/channels", new { id = "RECR-FPS", bankAccountId = "RECR-A", method = "FPS" });
        object Rule(decimal single) => new { channelId = "RECR-FPS", policy = "RealTimeSingle", singleLimit = single, customerDailyLimit = 5_000m, priority = 950, supportedBanks = new[] { "HSBC" } };
        var rule = await _supervisor1.PostObjectAsync("/api/fiat/config/withdrawal-rules", Rule(1_000m));
        var delete = await _supervisor1.DeleteAsync($"/api/fiat/config/withdrawal-rules/{rule.Text("id")}?rowVersion=1");
        Assert.That(delete.StatusCode, Is.EqualTo(HttpStatusCode.NoContent), "deleting stops the channel: at once");

        // Delete then Create must not walk around the four-eyed Edit.
        var wider = Rule(1_000_000_000m);
        var pending = await ProposedAsync(await _supervisor1.PostAsJsonAsync("/api/fiat/config/withdrawal-rules", wider), "single limit 1000 → 1000000000");
        Assert.That((await _supervisor1.GetArrayAsync("/api/fiat/config/withdrawal-rules")).Count(r => r!.Text("channelId") == "RECR-FPS"), Is.Zero, "nothing applied");
        await NobodyButASecondConfigurerAsync(pending, c => c.PostAsJsonAsync("/api/fiat/config/withdrawal-rules", wider));

        await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { });
        var created = (await _supervisor1.GetArrayAsync("/api/fiat/config/withdrawal-rules")).Single(r => r!.Text("channelId") == "RECR-FPS")!;
        Assert.That(created["singleLimit"]!.GetValue<decimal>(), Is.EqualTo(1_000_000_000m));
        var journal = (await _supervisor1.GetObjectAsync("/api/fiat/config/journal?entity=WithdrawalRule&pageSize=1")).Items()[0]!;
        Assert.That((journal.Text("action"), journal.Text("actor")), Is.EqualTo(("Create", "supervisor2")));

        // Recreating no wider than the rule deleted applies at once.
        await _supervisor1.DeleteAsync($"/api/fiat/config/withdrawal-rules/{created.Text("id")}?rowVersion={created["rowVersion"]!.GetValue<int>()}");
        var same = await _supervisor1.PostAsJsonAsync("/api/fiat/config/withdrawal-rules", Rule(500m));
        Assert.That(same.StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }
}
