// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;

namespace ApprovalEngine.Server.Tests.Trust;

/// <summary>
/// Attack 3 of issue 8 over HTTP on PostgreSQL: an API key is not a super-user. A key configured with no rights and
/// no scopes (and the development key, which holds no task-action scope) cannot act on people's tasks, start, send
/// events or cancel for the client; a claim binds systems; refused calls write nothing and move no money.
/// </summary>
public sealed class SystemScopeTests
{
    private ApiFactory _factory = null!;
    private WdDriver _wd = null!;
    private HttpClient _bare = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await ApiFactory.PostgresAsync(TrustIdentities.Settings());
        _wd = new WdDriver(_factory);
        _bare = _factory.AsApiKey(TrustIdentities.BareKey);
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _bare.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<decimal> BalanceAsync(JsonObject card) =>
        (await _wd.GetAccountAsync(card["tradingAccount"]!.GetValue<string>()))["balance"]!.GetValue<decimal>();

    [TestCase(TrustIdentities.BareKey)]
    [TestCase("dev-system-key")]
    public async Task A_key_cannot_pass_a_WD_request_on_through_the_WD_route(string key)
    {
        var card = await _wd.DriveToAsync("New/CS");
        var before = await _factory.SnapshotAsync();
        var response = await _factory.AsApiKey(key).PostAsJsonAsync($"/api/wd-requests/{card.Id()}/actions", new { action = "PassToRetention", comment = "by key" });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        // The bare key is stopped earlier, by the read rule (it may not even read WD requests); the development key
        // reads them and is stopped by the action's rule.
        Assert.That(problem["detail"]!.GetValue<string>(), key == TrustIdentities.BareKey ? Does.Contain("may not read") : Does.Contain("no system may take it"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        Assert.That((await _wd.CardAsync(card.Id())).Status(), Is.EqualTo("New"));
    }

    [TestCase(TrustIdentities.BareKey)]
    [TestCase("dev-system-key")]
    public async Task A_key_cannot_complete_an_approved_WD_request_and_no_money_moves(string key)
    {
        var card = await _wd.DriveToAsync("ApprovedByBackoffice/Backoffice");
        var balance = await BalanceAsync(card);
        var before = await _factory.SnapshotAsync();
        var task = await _factory.OpenTaskOfInstanceAsync(card.Id(), "bo_approved");

        var viaWd = await _factory.AsApiKey(key).PostAsJsonAsync($"/api/wd-requests/{card.Id()}/actions", new { action = "Complete" });
        await ApiAssert.ProblemAsync(viaWd, HttpStatusCode.Forbidden);
        var viaTasks = await _factory.AsApiKey(key).PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Complete" });
        await ApiAssert.ProblemAsync(viaTasks, HttpStatusCode.Forbidden);

        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        Assert.That(await BalanceAsync(card), Is.EqualTo(balance), "no money moved");
        Assert.That((await _wd.CardAsync(card.Id())).Status(), Is.EqualTo("ApprovedByBackoffice"));

        // The legitimate path still pays out.
        Assert.That((await _wd.MustActAsync("bo1", card.Id(), "Complete")).Status(), Is.EqualTo("Completed"));
        Assert.That(await BalanceAsync(card), Is.LessThan(balance));
    }

    [Test]
    public async Task A_key_cannot_complete_a_task_claimed_by_cs1()
    {
        var card = await _wd.DriveToAsync("New/CS");
        var task = await _factory.OpenTaskOfInstanceAsync(card.Id(), "cs_new");
        var claimed = await (await _wd.AsAsync("cs1")).PostAsync($"/api/tasks/{task}/claim", null);
        Assert.That(claimed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await claimed.Content.ReadAsStringAsync());
        var before = await _factory.SnapshotAsync();

        var viaTasks = await _bare.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "PassToRetention" });
        // Refused before the claim is even looked at: the bare key may not read WD requests. (A key that may read and
        // holds the action's scope is stopped by the claim: A_claim_binds_a_system_that_holds_the_actions_scope.)
        var problem = await ApiAssert.ProblemAsync(viaTasks, HttpStatusCode.Forbidden);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("may not read"));
        var viaWd = await _bare.PostAsJsonAsync($"/api/wd-requests/{card.Id()}/actions", new { action = "PassToRetention" });
        Assert.That(viaWd.StatusCode, Is.AnyOf(HttpStatusCode.Forbidden, HttpStatusCode.Conflict), await viaWd.Content.ReadAsStringAsync());

        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        Assert.That((await _wd.MustActAsync("cs1", card.Id(), "PassToRetention")).Status(), Is.EqualTo("ApprovedByCS"));
    }

    [Test]
    public async Task A_claim_binds_a_system_that_holds_the_actions_scope()
    {
        await _factory.PublishAsync(TestFlows.SingleTask("test-trust-robot", department: "CS",
            actions: $$"""[ { "name": "Approve", "displayName": "Approve", "scopes": ["{{TrustIdentities.ActScope}}"] } ]"""));
        var narrow = _factory.AsApiKey(TrustIdentities.NarrowKey);
        var first = await narrow.PostObjectAsync("/api/definitions/test-trust-robot/instances", new { correlationId = "robot-1" });
        var second = await narrow.PostObjectAsync("/api/definitions/test-trust-robot/instances", new { correlationId = "robot-2" });
        var claimedTask = await _factory.OpenTaskAsync("robot-1", "task");
        var freeTask = await _factory.OpenTaskAsync("robot-2", "task");
        var claim = await (await _wd.AsAsync("cs1")).PostAsync($"/api/tasks/{claimedTask}/claim", null);
        Assert.That(claim.StatusCode, Is.EqualTo(HttpStatusCode.OK), await claim.Content.ReadAsStringAsync());

        var before = await _factory.SnapshotAsync();
        await ApiAssert.ProblemAsync(await narrow.PostAsJsonAsync($"/api/tasks/{claimedTask}/complete", new { action = "Approve" }), HttpStatusCode.Conflict);
        await ApiAssert.ProblemAsync(await _bare.PostAsJsonAsync($"/api/tasks/{freeTask}/complete", new { action = "Approve" }), HttpStatusCode.Forbidden);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));

        var done = await narrow.PostAsJsonAsync($"/api/tasks/{freeTask}/complete", new { action = "Approve" });
        Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.OK), await done.Content.ReadAsStringAsync());
        Assert.That((await done.ReadObjectAsync()).Text("status"), Is.EqualTo("Completed"));
        Assert.That(first.Text("id"), Is.Not.EqualTo(second.Text("id")));
    }

    [TestCase(TrustIdentities.BareKey)]
    [TestCase("dev-system-key")]
    public async Task A_key_cannot_approve_a_crypto_work_order(string key)
    {
        var recordNo = $"CW-{key[..4]}";
        var started = await _factory.StartCoinWithdrawalAsync(await _factory.AsUserAsync("maker1"), recordNo);
        var task = await _factory.OpenTaskAsync(recordNo, "firstApproval");
        var before = await _factory.SnapshotAsync();
        var response = await _factory.AsApiKey(key).PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Approve" });
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        var claim = await _factory.AsApiKey(key).PostAsync($"/api/tasks/{task}/claim", null);
        await ApiAssert.ProblemAsync(claim, HttpStatusCode.Forbidden);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        Assert.That(await _factory.VariableAsync(started.Text("id"), "txid"), Is.Null, "nothing was broadcast");
    }

    [Test]
    public async Task A_key_without_scopes_cannot_start_the_flows_systems_start()
    {
        var before = await _factory.SnapshotAsync();
        var response = await _bare.PostAsJsonAsync("/api/definitions/sample-approval/instances", new { correlationId = "bare-1", input = new { amount = 5 } });
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden, "scope");
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_key_without_the_events_scope_cannot_send_an_event()
    {
        await _factory.PublishAsync(TestFlows.WaitForPayment("test-trust-wait"));
        var started = await _factory.AsApiKey(TrustIdentities.NarrowKey).PostObjectAsync("/api/definitions/test-trust-wait/instances", new { correlationId = "pay-1" });
        var before = await _factory.SnapshotAsync();
        foreach (var name in new[] { "payment-received", "client-cancelled" })
        {
            var response = await _bare.PostAsJsonAsync($"/api/events/{name}", new { correlationId = "pay-1", payload = new { amount = 1 } });
            var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
            Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain($"events:{name}"));
        }
        var narrow = await _factory.AsApiKey(TrustIdentities.NarrowKey).PostAsJsonAsync("/api/events/payment-received", new { correlationId = "pay-1" });
        await ApiAssert.ProblemAsync(narrow, HttpStatusCode.Forbidden);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));

        var delivered = await _factory.AsSystem().PostObjectAsync("/api/events/payment-received", new { correlationId = "pay-1", payload = new { amount = 1 } });
        Assert.That(delivered["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(started.Text("id"), Is.Not.Empty);
    }

    [Test]
    public async Task Only_a_key_with_the_client_cancel_scope_cancels_a_WD_request_for_the_client()
    {
        var card = await _wd.DriveToAsync("New/CS");
        var before = await _factory.SnapshotAsync();
        await ApiAssert.ProblemAsync(await _bare.PostAsync($"/api/wd-requests/{card.Id()}/client-cancel", null), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await (await _wd.AsAsync("supervisor1")).PostAsync($"/api/wd-requests/{card.Id()}/client-cancel", null), HttpStatusCode.Forbidden);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        var cancelled = await _factory.AsSystem().PostAsync($"/api/wd-requests/{card.Id()}/client-cancel", null);
        Assert.That(cancelled.StatusCode, Is.EqualTo(HttpStatusCode.OK), await cancelled.Content.ReadAsStringAsync());
        Assert.That((await _wd.CardAsync(card.Id())).Status(), Is.EqualTo("CanceledByClient"));
    }

    [Test]
    public async Task A_key_without_the_comment_scope_cannot_write_on_a_WD_card()
    {
        var card = await _wd.DriveToAsync("New/CS");
        var before = await _factory.SnapshotAsync();
        foreach (var client in new[] { _bare, _factory.AsSystem() })
        {
            var response = await client.PostAsJsonAsync($"/api/wd-requests/{card.Id()}/comments", new { text = "written by a key" });
            await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        }
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_key_without_the_export_right_cannot_export_WD_requests()
    {
        var response = await _bare.GetAsync("/api/wd-requests/export.csv");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        var dev = await _factory.AsSystem().GetAsync("/api/wd-requests/export.csv");
        Assert.That(dev.StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Me_shows_a_keys_scopes()
    {
        var me = await _factory.AsSystem().GetObjectAsync("/api/auth/me");
        var scopes = me["scopes"]!.AsArray().Select(s => s!.GetValue<string>()).ToList();
        Assert.That(scopes, Is.SupersetOf(new[] { "start:crypto-coin-withdrawal", "events:*", "read:*", "wd:client-cancel" }));
        Assert.That(me["rights"]!.AsArray().Select(s => s!.GetValue<string>()), Does.Not.Contain("submit"));
        var bare = await _bare.GetObjectAsync("/api/auth/me");
        Assert.That(bare["scopes"]!.AsArray(), Is.Empty);
        var person = await (await _factory.AsUserAsync("cs1")).GetObjectAsync("/api/auth/me");
        Assert.That(person["scopes"]!.AsArray(), Is.Empty);
    }
}
