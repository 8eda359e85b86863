using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Fiat.Config;

/// <summary>
/// The review rules decide together (first match by priority), so four eyes judge a change on what the whole set
/// decides (ADR 15, <c>FiatWeakening.ReviewRuleSet</c>): a laxer rule created, enabled or moved in front of a stricter
/// one waits for a second configurer, although each rule alone looks harmless. Over HTTP on PostgreSQL, with the
/// side doors (the proposer's own approval, the system key, an Operations checker).
/// </summary>
[NonParallelizable]
public sealed class FiatReviewRuleSetTests
{
    private const string Rules = "/api/fiat/config/review-rules";
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

    private static async Task<JsonObject> ProposedAsync(HttpResponseMessage response)
    {
        var body = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body.ToJsonString());
        Assert.That(body.Text("summary"), Does.Contain("the rule set decides laxer"));
        return body;
    }

    private async Task<JsonObject> RuleAsync(string name) =>
        (await _supervisor1.GetArrayAsync(Rules)).Select(r => r!.AsObject()).Single(r => r.Text("name") == name);

    private static JsonObject Edited(JsonObject from, Action<JsonObject> change)
    {
        var body = from.DeepClone().AsObject();
        change(body);
        return body;
    }

    [Test]
    public async Task A_laxer_rule_created_enabled_or_moved_in_front_of_a_stricter_one_waits_for_a_second_configurer()
    {
        // A stricter rule applies at once: EUR applications are rejected before the seeded rules look at them.
        var reject = await _supervisor1.PostObjectAsync(Rules, new { name = "EUR reject", kind = "AutoReject", currency = "EUR", priority = 5, enabled = true });
        Assert.That(reject["enabled"]!.GetValue<bool>(), Is.True);
        var rulesBefore = (await _supervisor1.GetArrayAsync(Rules)).ToJsonString();

        // 1. Created in front of it: looking is laxer than rejecting, for EUR.
        var look = new { name = "EUR look", kind = "ManualWithoutWorkOrder", currency = "EUR", priority = 2, enabled = true };
        var create = await ProposedAsync(await _supervisor1.PostAsJsonAsync(Rules, look));
        Assert.That(create.Text("summary"), Does.Contain("EUR").And.Contain("AutoReject (rule 'EUR reject') → ManualWithoutWorkOrder (rule 'EUR look')"));

        // 2. The side door: create it switched off (no effect, at once), then switch it on by the button or by an edit.
        var off = await _supervisor1.PostObjectAsync(Rules, new { name = "EUR look later", kind = "ManualWithoutWorkOrder", currency = "EUR", priority = 3, enabled = false });
        var url = $"{Rules}/{off.Text("id")}";
        await ProposedAsync(await _supervisor1.PostAsJsonAsync($"{url}/enable", new { rowVersion = off["rowVersion"]!.GetValue<int>() }));
        await ProposedAsync(await _supervisor1.PutAsJsonAsync(url, Edited(off, b => b["enabled"] = true)));

        // 3. Moving a seeded rule earlier: alone it "holds back more", in the set it now decides new-account EUR
        //    applications before the reject rule does.
        var newAccount = await RuleAsync("New beneficiary account");
        var moved = await ProposedAsync(await _supervisor1.PutAsJsonAsync($"{Rules}/{newAccount.Text("id")}", Edited(newAccount, b => b["priority"] = 1)));
        Assert.That(moved.Text("summary"), Does.Contain("new account, EUR"));

        var rulesNow = await _supervisor1.GetArrayAsync(Rules);
        Assert.That(rulesNow.Count, Is.EqualTo(JsonNode.Parse(rulesBefore)!.AsArray().Count + 1), "only the switched-off rule was written");
        Assert.That((await RuleAsync("New beneficiary account")).ToJsonString(), Is.EqualTo(newAccount.ToJsonString()), "the move is not applied");
        Assert.That((await _supervisor1.GetObjectAsync(url))["enabled"]!.GetValue<bool>(), Is.False, "the enable is not applied");

        // Nobody but a second configurer approves: not the proposer, not the system key, not a checker.
        await ApiAssert.ProblemAsync(await _supervisor1.PostAsJsonAsync($"/api/fiat/config/pending-changes/{create.Text("id")}/approve", new { }), HttpStatusCode.Forbidden);
        using var system = _factory.AsSystem();
        await ApiAssert.ProblemAsync(await system.PostAsJsonAsync($"/api/fiat/config/pending-changes/{create.Text("id")}/approve", new { }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await system.PostAsJsonAsync(Rules, look), HttpStatusCode.Forbidden);
        using var checker = await _factory.AsUserAsync("checker1");
        await ApiAssert.ProblemAsync(await checker.PostAsJsonAsync(Rules, look), HttpStatusCode.Forbidden);

        await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{create.Text("id")}/approve", new { reason = "EUR goes to a manual look" });
        var created = await RuleAsync("EUR look");
        Assert.That((created.Text("kind"), created["priority"]!.GetValue<int>(), created["enabled"]!.GetValue<bool>()), Is.EqualTo(("ManualWithoutWorkOrder", 2, true)));
    }

    [Test]
    public async Task A_laxer_rule_behind_a_stricter_one_that_decides_the_same_applications_applies_at_once()
    {
        await _supervisor1.PostObjectAsync(Rules, new { name = "GBP reject", kind = "AutoReject", currency = "GBP", priority = 4, enabled = true });
        var behind = await _supervisor1.PostAsJsonAsync(Rules, new { name = "GBP look", kind = "ManualWithoutWorkOrder", currency = "GBP", priority = 900, enabled = true });
        Assert.That(behind.StatusCode, Is.EqualTo(HttpStatusCode.Created), await behind.Content.ReadAsStringAsync());
    }
}
