// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Trust;

/// <summary>
/// Attack 4 of issue 8 over HTTP on PostgreSQL: four eyes on work orders is decided by who started the application
/// and who approved, recorded by the engine, never by the <c>requestedBy</c>/<c>maker</c> input. The rule is named
/// in the 403; claims follow the same rule so a maker cannot lock the checkers out.
/// </summary>
public sealed class FourEyesTests
{
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await ApiFactory.PostgresAsync(TrustIdentities.Settings());

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private static async Task<JsonObject> ProblemDetailAsync(HttpResponseMessage response, HttpStatusCode status) =>
        await ApiAssert.ProblemAsync(response, status);

    [TestCase("Approve")]
    [TestCase("Reject")]
    public async Task A_user_holding_submit_and_approve_cannot_decide_their_own_submission(string action)
    {
        var recordNo = $"CW-own-{action}";
        var me = await _factory.AsUserAsync(TrustIdentities.MakerChecker);
        var started = await _factory.StartCoinWithdrawalAsync(me, recordNo);
        var task = await _factory.OpenTaskAsync(recordNo, "firstApproval");

        var view = await me.GetObjectAsync($"/api/tasks/{task}");
        var offered = view["actions"]!.AsArray().Single(a => a!["name"]!.GetValue<string>() == action)!;
        Assert.That(offered["available"]!.GetValue<bool>(), Is.False);
        Assert.That(offered["reason"]!.GetValue<string>(), Does.Contain("differentFrom @starter"));

        var before = await _factory.SnapshotAsync();
        var response = await me.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action, comment = "my own" });
        var problem = await ProblemDetailAsync(response, HttpStatusCode.Forbidden);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("Four eyes").And.Contain("differentFrom @starter"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "the refused decision wrote nothing");
        Assert.That(await _factory.VariableAsync(started.Text("id"), "txid"), Is.Null, "nothing was broadcast");

        // A different checker decides it.
        var checker = await _factory.AsUserAsync("checker1");
        var decided = await checker.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action, comment = "checked" });
        Assert.That(decided.StatusCode, Is.EqualTo(HttpStatusCode.OK), await decided.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_requestedBy_input_does_not_make_someone_else_the_maker()
    {
        var recordNo = "CW-forged-maker";
        var me = await _factory.AsUserAsync(TrustIdentities.MakerChecker);
        var started = await _factory.StartCoinWithdrawalAsync(me, recordNo);
        Assert.That(await _factory.VariableAsync(started.Text("id"), "requestedBy"), Is.EqualTo($"client:SA-{recordNo}"), "the input names a client as maker");
        var task = await _factory.OpenTaskAsync(recordNo, "firstApproval");
        await ApiAssert.ProblemAsync(await me.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Approve" }), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task The_maker_cannot_claim_their_own_work_order_and_lock_the_checkers_out()
    {
        var recordNo = "CW-claim";
        var me = await _factory.AsUserAsync(TrustIdentities.MakerChecker);
        await _factory.StartCoinWithdrawalAsync(me, recordNo);
        var task = await _factory.OpenTaskAsync(recordNo, "firstApproval");
        var before = await _factory.SnapshotAsync();

        var claim = await me.PostAsync($"/api/tasks/{task}/claim", null);
        var problem = await ProblemDetailAsync(claim, HttpStatusCode.Forbidden);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("claim").And.Contain("differentFrom @starter"));
        var byMaker1 = await (await _factory.AsUserAsync("maker1")).PostAsync($"/api/tasks/{task}/claim", null);
        await ProblemDetailAsync(byMaker1, HttpStatusCode.Forbidden);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "nobody holds the task");

        var checker = await _factory.AsUserAsync("checker1");
        var claimed = await checker.PostAsync($"/api/tasks/{task}/claim", null);
        Assert.That(claimed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await claimed.Content.ReadAsStringAsync());
        Assert.That((await claimed.ReadObjectAsync()).Text("assignee"), Is.EqualTo("checker1"));
    }

    [Test]
    public async Task A_second_approval_by_the_first_checker_is_refused()
    {
        var recordNo = "CW-second";
        // The threshold is a domain input (never the caller's): started as a domain route would, for maker1.
        await _factory.StartCoinWithdrawalAsDomainAsync("maker1", recordNo, amount: 2m, threshold: 1m);
        var checker1 = await _factory.AsUserAsync("checker1");
        var first = await _factory.OpenTaskAsync(recordNo, "firstApproval");
        var approved = await checker1.PostAsJsonAsync($"/api/tasks/{first}/complete", new { action = "Approve" });
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());

        var second = await _factory.OpenTaskAsync(recordNo, "secondApproval");
        var before = await _factory.SnapshotAsync();
        var again = await checker1.PostAsJsonAsync($"/api/tasks/{second}/complete", new { action = "Approve" });
        var problem = await ProblemDetailAsync(again, HttpStatusCode.Forbidden);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("differentFrom firstApproval"));
        await ProblemDetailAsync(await checker1.PostAsync($"/api/tasks/{second}/claim", null), HttpStatusCode.Forbidden);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));

        var checker2 = await _factory.AsUserAsync("checker2");
        var done = await checker2.PostAsJsonAsync($"/api/tasks/{second}/complete", new { action = "Approve" });
        Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.OK), await done.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_engine_records_the_starter_and_the_approver_in_the_stored_state()
    {
        var recordNo = "CW-recorded";
        var started = await _factory.StartCoinWithdrawalAsync(await _factory.AsUserAsync("maker1"), recordNo);
        var task = await _factory.OpenTaskAsync(recordNo, "firstApproval");
        var approved = await (await _factory.AsUserAsync("checker2")).PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Approve" });
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());
        var parentId = Guid.Parse(started.Text("id"));
        var (parent, child) = await _factory.QueryAsync(async db =>
        {
            var rows = await Microsoft.EntityFrameworkCore.EntityFrameworkQueryableExtensions.ToListAsync(
                db.Instances.Where(i => i.Id == parentId || i.ParentInstanceId == parentId).Select(i => new { i.ParentInstanceId, i.StateJson }));
            return (JsonNode.Parse(rows.Single(r => r.ParentInstanceId == null).StateJson)!, JsonNode.Parse(rows.Single(r => r.ParentInstanceId != null).StateJson)!);
        });
        Assert.That(parent["startedBy"]!.GetValue<string>(), Is.EqualTo("maker1"));
        Assert.That(child["startedBy"]!.GetValue<string>(), Is.EqualTo("maker1"));
        Assert.That(child["actors"]!["firstApproval"]!.AsArray().Select(a => a!.GetValue<string>()), Is.EqualTo(new[] { "checker2" }));
    }
}
