using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Fiat.Config;

/// <summary>
/// Four eyes on configuration changes that weaken a control (ADR 15), over HTTP on PostgreSQL: the change waits as a
/// pending change until a second holder of fiat:configure approves it; the proposer, Operations staff and systems cannot.
/// </summary>
[NonParallelizable]
public sealed class FiatFourEyesConfigTests
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

    private async Task<JsonObject> ProposeAsync(HttpResponseMessage response)
    {
        var body = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body.ToJsonString());
        Assert.That((body.Text("status"), body.Text("proposedBy")), Is.EqualTo(("Pending", "supervisor1")));
        return body;
    }

    private async Task<bool> DirectBillingNeedsApprovalAsync() => (await _supervisor1.GetObjectAsync("/api/fiat/config/settings"))["directBillingNeedsApproval"]!.GetValue<bool>();

    private async Task<JsonObject> SwitchOffDirectBillingApprovalAsync()
    {
        var settings = await _supervisor1.GetObjectAsync("/api/fiat/config/settings");
        Assert.That(settings["directBillingNeedsApproval"]!.GetValue<bool>(), Is.True, "seeded on");
        return await ProposeAsync(await _supervisor1.PutAsJsonAsync("/api/fiat/config/settings",
            new { directBillingNeedsApproval = false, defaultReviewKind = settings.Text("defaultReviewKind"), rowVersion = settings["rowVersion"]!.GetValue<int>() }));
    }

    private async Task SwitchOnAsync()
    {
        var settings = await _supervisor1.GetObjectAsync("/api/fiat/config/settings");
        await _supervisor1.PutObjectAsync("/api/fiat/config/settings", new { directBillingNeedsApproval = true, defaultReviewKind = settings.Text("defaultReviewKind"), rowVersion = settings["rowVersion"]!.GetValue<int>() });
    }

    [Test]
    public async Task Switching_off_direct_billing_approval_takes_effect_only_when_a_second_configurer_approves_and_the_journal_names_both()
    {
        var pending = await SwitchOffDirectBillingApprovalAsync();
        Assert.That(await DirectBillingNeedsApprovalAsync(), Is.True, "one person's say changes nothing");
        var listed = await _supervisor2.GetArrayAsync("/api/fiat/config/pending-changes");
        Assert.That(listed.Select(c => c.Text("id")), Does.Contain(pending.Text("id")));

        var own = await _supervisor1.PostAsJsonAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { });
        await ApiAssert.ProblemAsync(own, HttpStatusCode.Forbidden);
        Assert.That(await DirectBillingNeedsApprovalAsync(), Is.True, "the proposer cannot approve it");

        var approved = await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { reason = "agreed with treasury" });
        Assert.That((approved.Text("status"), approved.Text("decidedBy")), Is.EqualTo(("Approved", "supervisor2")));
        Assert.That(await DirectBillingNeedsApprovalAsync(), Is.False);
        var journal = await _supervisor1.GetObjectAsync("/api/fiat/config/journal?entity=Settings&pageSize=5");
        var applied = journal.Items()[0]!;
        Assert.That((applied.Text("action"), applied.Text("actor")), Is.EqualTo(("Edit", "supervisor2")));
        Assert.That(applied.Text("reason"), Does.Contain("proposed by supervisor1").And.Contain("approved by supervisor2"));
        Assert.That(journal.Items()[1]!.Text("action"), Is.EqualTo("Propose"));
        await ApiAssert.ProblemAsync(await _supervisor2.PostAsJsonAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { }), HttpStatusCode.Conflict);

        await SwitchOnAsync();
        Assert.That(await DirectBillingNeedsApprovalAsync(), Is.True, "switching the control back on applies at once");
    }

    [Test]
    public async Task Operations_staff_and_systems_cannot_approve_a_pending_change_and_a_rejected_one_is_never_applied()
    {
        var pending = await SwitchOffDirectBillingApprovalAsync();
        foreach (var client in new[] { await _factory.AsUserAsync("checker1"), await _factory.AsUserAsync("maker1"), _factory.AsSystem() })
        {
            using (client) await ApiAssert.ProblemAsync(await client.PostAsJsonAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { }), HttpStatusCode.Forbidden);
        }
        await ApiAssert.ProblemAsync(await _supervisor2.PostAsJsonAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/reject", new { }), HttpStatusCode.UnprocessableEntity, "reason");
        var rejected = await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/reject", new { reason = "not this month" });
        Assert.That((rejected.Text("status"), rejected.Text("decidedBy")), Is.EqualTo(("Rejected", "supervisor2")));
        await ApiAssert.ProblemAsync(await _supervisor2.PostAsJsonAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { }), HttpStatusCode.Conflict);
        Assert.That(await DirectBillingNeedsApprovalAsync(), Is.True);
    }

    [Test]
    public async Task An_approval_after_the_row_changed_is_refused_and_the_values_applied_meanwhile_stay()
    {
        var rule = await _supervisor1.GetObjectAsync("/api/fiat/config/interception-rules/ICBC-001");
        var version = rule["rowVersion"]!.GetValue<int>();
        var lowered = await ProposeAsync(await _supervisor1.PutAsJsonAsync("/api/fiat/config/interception-rules/ICBC-001",
            new { alertThreshold = rule.Number2("alertThreshold"), interceptionThreshold = rule.Number2("interceptionThreshold") - 1m, rowVersion = version }));
        // Meanwhile a strengthening edit applies at once (a higher alert threshold warns earlier).
        var raised = await _supervisor2.PutObjectAsync("/api/fiat/config/interception-rules/ICBC-001",
            new { alertThreshold = rule.Number2("alertThreshold") + 10m, interceptionThreshold = rule.Number2("interceptionThreshold"), rowVersion = version });
        await ApiAssert.ProblemAsync(await _supervisor2.PostAsJsonAsync($"/api/fiat/config/pending-changes/{lowered.Text("id")}/approve", new { }), HttpStatusCode.Conflict, "rowVersion");
        var now = await _supervisor1.GetObjectAsync("/api/fiat/config/interception-rules/ICBC-001");
        Assert.That((now.Number2("interceptionThreshold"), now.Number2("alertThreshold"), now["rowVersion"]!.GetValue<int>()),
            Is.EqualTo((rule.Number2("interceptionThreshold"), rule.Number2("alertThreshold") + 10m, raised["rowVersion"]!.GetValue<int>())));
        Assert.That((await _supervisor1.GetObjectAsync($"/api/fiat/config/pending-changes/{lowered.Text("id")}")).Text("status"), Is.EqualTo("Pending"), "still pending: reject it or propose again");
    }

    [Test]
    public async Task Disabling_an_interception_rule_and_raising_or_deleting_a_daily_limit_wait_for_a_second_configurer_while_tightening_applies_at_once()
    {
        var rule = await _supervisor1.GetObjectAsync("/api/fiat/config/interception-rules/HSBC-002");
        var disable = await ProposeAsync(await _supervisor1.PostAsJsonAsync("/api/fiat/config/interception-rules/HSBC-002/disable", new { rowVersion = rule["rowVersion"]!.GetValue<int>() }));
        Assert.That((await _supervisor1.GetObjectAsync("/api/fiat/config/interception-rules/HSBC-002"))["enabled"]!.GetValue<bool>(), Is.True);

        var limit = await _supervisor1.GetObjectAsync("/api/fiat/config/daily-limits/HSBC-002");
        var version = limit["rowVersion"]!.GetValue<int>();
        await ProposeAsync(await _supervisor1.PostAsJsonAsync("/api/fiat/config/daily-limits/HSBC-002/adjust", new { delta = 1_000m, reason = "month end", rowVersion = version }));
        await ProposeAsync(await _supervisor1.PutAsJsonAsync("/api/fiat/config/daily-limits/HSBC-002", new { limit = limit.Number2("limit") + 1m, alertThreshold = limit.Number2("alertThreshold"), rowVersion = version }));
        await ProposeAsync(await _supervisor1.DeleteAsync($"/api/fiat/config/daily-limits/HSBC-002?rowVersion={version}"));
        Assert.That((await _supervisor1.GetObjectAsync("/api/fiat/config/daily-limits/HSBC-002")).Number2("limit"), Is.EqualTo(limit.Number2("limit")), "nothing applied");

        var down = await _supervisor1.PostObjectAsync("/api/fiat/config/daily-limits/HSBC-002/adjust", new { delta = -1_000m, reason = "bank cut", rowVersion = version });
        Assert.That(down.Number2("limit"), Is.EqualTo(limit.Number2("limit") - 1_000m), "lowering a limit applies at once");

        await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{disable.Text("id")}/approve", new { });
        var after = await _supervisor1.GetObjectAsync("/api/fiat/config/interception-rules/HSBC-002");
        Assert.That(after["enabled"]!.GetValue<bool>(), Is.False);
        await _supervisor1.PostObjectAsync("/api/fiat/config/interception-rules/HSBC-002/enable", new { rowVersion = after["rowVersion"]!.GetValue<int>() });
    }

    [Test]
    public async Task Raising_a_withdrawal_rules_limits_or_widening_its_banks_or_windows_waits_for_a_second_configurer_while_narrowing_applies_at_once()
    {
        var original = (await _supervisor1.GetArrayAsync("/api/fiat/config/withdrawal-rules")).First()!.AsObject();
        var url = $"/api/fiat/config/withdrawal-rules/{original.Text("id")}";
        static JsonObject Edit(JsonObject from, Action<JsonObject> change)
        {
            var body = from.DeepClone().AsObject();
            change(body);
            return body;
        }
        static JsonArray Window(string day) => new(new JsonObject { ["days"] = new JsonArray(day), ["from"] = "09:00", ["to"] = "17:00" });

        // Narrowing (a lower limit, one client bank instead of all, one window instead of any time) applies at once.
        var narrowed = await _supervisor1.PutObjectAsync(url, Edit(original, b =>
        {
            b["singleLimit"] = original.Number2("singleLimit") - 1m;
            b["supportedBanks"] = new JsonArray("Bank of Test");
            b["serviceWindows"] = Window("Mon");
        }));
        Assert.That(narrowed.Number2("singleLimit"), Is.EqualTo(original.Number2("singleLimit") - 1m));
        narrowed = await _supervisor1.GetObjectAsync(url);

        var raise = await ProposeAsync(await _supervisor1.PutAsJsonAsync(url, Edit(narrowed, b => b["singleLimit"] = original.Number2("singleLimit"))));
        Assert.That(raise.Text("summary"), Does.Contain("single limit"));
        await ProposeAsync(await _supervisor1.PutAsJsonAsync(url, Edit(narrowed, b => b["customerDailyLimit"] = narrowed.Number2("customerDailyLimit") * 2)));
        await ProposeAsync(await _supervisor1.PutAsJsonAsync(url, Edit(narrowed, b => b["supportedBanks"] = new JsonArray("Bank of Test", "Another Bank"))));
        await ProposeAsync(await _supervisor1.PutAsJsonAsync(url, Edit(narrowed, b => b["serviceWindows"] = Window("Sun"))));
        var stored = await _supervisor1.GetObjectAsync(url);
        Assert.That(stored.ToJsonString(), Is.EqualTo(narrowed.ToJsonString()), "one person's widening writes nothing");

        await ApiAssert.ProblemAsync(await _supervisor1.PostAsJsonAsync($"/api/fiat/config/pending-changes/{raise.Text("id")}/approve", new { }), HttpStatusCode.Forbidden);
        await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{raise.Text("id")}/approve", new { reason = "restore" });
        var raised = await _supervisor1.GetObjectAsync(url);
        Assert.That(raised.Number2("singleLimit"), Is.EqualTo(original.Number2("singleLimit")));
        var journal = (await _supervisor1.GetObjectAsync("/api/fiat/config/journal?entity=WithdrawalRule&pageSize=1")).Items()[0]!;
        Assert.That(journal.Text("actor"), Is.EqualTo("supervisor2"));
        Assert.That(journal.Text("reason"), Does.Contain("proposed by supervisor1"));

        // The other proposals were made on the older row: approving one now is refused and changes nothing.
        var stale = (await _supervisor2.GetArrayAsync("/api/fiat/config/pending-changes")).First(c => c!.Text("entityKey") == original.Text("id"))!;
        await ApiAssert.ProblemAsync(await _supervisor2.PostAsJsonAsync($"/api/fiat/config/pending-changes/{stale.Text("id")}/approve", new { }), HttpStatusCode.Conflict);
        Assert.That((await _supervisor1.GetObjectAsync(url)).ToJsonString(), Is.EqualTo(raised.ToJsonString()));

        // Back to "every bank, any time" (widening again) through the second configurer, for the other tests.
        var back = await ProposeAsync(await _supervisor1.PutAsJsonAsync(url, Edit(raised, b => { b["supportedBanks"] = new JsonArray(); b["serviceWindows"] = new JsonArray(); })));
        await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{back.Text("id")}/approve", new { });
    }
}

internal static class FourEyesJson
{
    public static decimal Number2(this JsonObject row, string property) => row[property]!.GetValue<decimal>();
}
