using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Fiat.Review;

/// <summary>Second attacker review of issue 12 (after money safety, four eyes on weakening settings, side doors): one test per finding.</summary>
public sealed class FiatAttackerReview2Tests : FiatPostgresFixture
{
    private async Task<JsonObject> ReviewRuleAsync(HttpClient client, string name) =>
        (JsonObject)(await client.GetArrayAsync("/api/fiat/config/review-rules")).Single(r => r!.Text("name") == name)!;

    private static object EditBody(JsonObject rule, string kind, bool enabled) => new
    {
        name = rule.Text("name"), kind, firstWithdrawal = rule["firstWithdrawal"]?.GetValue<bool>(), newBeneficiaryAccount = rule["newBeneficiaryAccount"]?.GetValue<bool>(),
        amountAtLeast = rule["amountAtLeast"]?.GetValue<decimal>(), currency = rule["currency"]?.GetValue<string>(), priority = rule["priority"]!.GetValue<int>(),
        enabled, rowVersion = rule["rowVersion"]!.GetValue<int>(),
    };

    [Test]
    public async Task One_configurer_cannot_switch_off_a_review_rule_by_editing_it_instead_of_pressing_Disable()
    {
        var supervisor1 = await Factory.AsUserAsync("supervisor1");
        var supervisor2 = await Factory.AsUserAsync("supervisor2");
        foreach (var (name, kind, enabled) in new[] { ("First withdrawal", "ManualWithoutWorkOrder", false), ("New beneficiary account", "AutoSubmit", true) })
        {
            var rule = await ReviewRuleAsync(supervisor1, name);
            // Disable is four-eyed (202, pending); the same weakening through PUT (enabled: false, or a laxer kind) must be too.
            var edit = await supervisor1.PutAsJsonAsync($"/api/fiat/config/review-rules/{rule.Text("id")}", EditBody(rule, kind, enabled));
            TestContext.Out.WriteLine($"{name}: {(int)edit.StatusCode} {await edit.Content.ReadAsStringAsync()}");
            Assert.That(edit.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), $"{name}: one person weakened the review rule alone");
            var stored = await ReviewRuleAsync(supervisor1, name);
            Assert.That((stored["enabled"]!.GetValue<bool>(), stored.Text("kind"), stored["rowVersion"]!.GetValue<int>()),
                Is.EqualTo((true, "ManualWithoutWorkOrder", rule["rowVersion"]!.GetValue<int>())), "nothing applied before the second person approves");

            var pending = await edit.Content.ReadFromJsonAsync<JsonObject>();
            var own = await supervisor1.PostAsJsonAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { });
            Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), await own.Content.ReadAsStringAsync());
            var approved = await supervisor2.PostAsJsonAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { });
            Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());
            var applied = await ReviewRuleAsync(supervisor1, name);
            Assert.That((applied["enabled"]!.GetValue<bool>(), applied.Text("kind")), Is.EqualTo((enabled, kind)), applied.ToJsonString());
        }
    }

    /// <summary>Probe, passing today: kept as a guard. Two tabs of the approver approving the same pending change apply it once.</summary>
    [Test]
    public async Task Approving_the_same_pending_change_from_two_tabs_at_once_applies_it_once()
    {
        var supervisor1 = await Factory.AsUserAsync("supervisor1");
        var limit = await supervisor1.GetObjectAsync("/api/fiat/config/daily-limits/ICBC-001");
        var proposed = await supervisor1.PostAsJsonAsync("/api/fiat/config/daily-limits/ICBC-001/adjust",
            new { delta = 1_000m, reason = "two tabs", rowVersion = limit["rowVersion"]!.GetValue<int>() });
        Assert.That(proposed.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await proposed.Content.ReadAsStringAsync());
        var id = (await proposed.Content.ReadFromJsonAsync<JsonObject>()).Text("id");
        var tabs = await Task.WhenAll(Enumerable.Range(0, 4).Select(async _ =>
        {
            var tab = await Factory.AsUserAsync("supervisor2");
            return await tab.PostAsJsonAsync($"/api/fiat/config/pending-changes/{id}/approve", new { });
        }));
        var codes = string.Join(", ", tabs.Select(t => (int)t.StatusCode).Order());
        Assert.That(codes, Is.EqualTo("200, 409, 409, 409"), "one approval applies the change; the other tabs find it decided");
        var after = await supervisor1.GetObjectAsync("/api/fiat/config/daily-limits/ICBC-001");
        Assert.That(after["limit"]!.GetValue<decimal>(), Is.EqualTo(limit["limit"]!.GetValue<decimal>() + 1_000m), after.ToJsonString());
    }
}
