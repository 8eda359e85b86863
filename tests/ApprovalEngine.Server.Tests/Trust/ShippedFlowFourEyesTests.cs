// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Tests.Trust;

/// <summary>
/// The security review's holes in the shipped flows, over HTTP on PostgreSQL: a maker submitting the review of the
/// fiat withdrawal they started (payout with no checker), a WD request created and completed by the same person, and
/// a caller choosing secondApprovalThreshold (and so whether a second checker is needed) on the generic start route.
/// </summary>
public sealed class ShippedFlowFourEyesTests
{
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await ApiFactory.PostgresAsync(TrustIdentities.Settings());

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    /// <summary>A first withdrawal to a new beneficiary account: the review rules leave it to an operator (Pending Submission, version 2).</summary>
    private async Task<string> StartFiatForReviewAsync(HttpClient caller, string recordNo)
    {
        var started = await caller.PostObjectAsync("/api/definitions/fiat-withdrawal/instances", new
        {
            correlationId = recordNo,
            input = new { recordNo, customerId = $"FC-{recordNo}", channel = "ICBC-001-FPS", currency = "HKD", amount = 1000m, bankAccount = $"HK-{recordNo}" },
        });
        var id = started.Text("id");
        Assert.That(await ApiAssert.EventuallyAsync(() => _factory.QueryAsync(db => db.Tasks.AnyAsync(t => t.CorrelationId == recordNo && t.ActivityId == "application" && t.Status == "Open")), TimeSpan.FromSeconds(20)), Is.True, "the record waits in Pending Submission");
        return id;
    }

    [Test]
    public async Task Maker1_cannot_submit_the_review_of_the_fiat_withdrawal_they_started()
    {
        var recordNo = "FW-own-maker1";
        var maker1 = await _factory.AsUserAsync("maker1");
        var id = await StartFiatForReviewAsync(maker1, recordNo);
        var task = await _factory.OpenTaskAsync(recordNo, "application");
        var before = await _factory.SnapshotAsync();

        var response = await maker1.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Submit" });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        // Version 2: any operator may submit an application, but never the one who entered it.
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("Four eyes").And.Contain("differentFrom @starter"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "the refused Submit wrote nothing and queued no payout job");
        Assert.That(await _factory.VariableAsync(id, "bankReference"), Is.Null, "no payout was sent");
    }

    [Test]
    public async Task A_maker_holding_the_approve_right_cannot_submit_their_own_fiat_review()
    {
        var recordNo = "FW-own-makerchecker";
        var me = await _factory.AsUserAsync(TrustIdentities.MakerChecker);
        var id = await StartFiatForReviewAsync(me, recordNo);
        var task = await _factory.OpenTaskAsync(recordNo, "application");
        var before = await _factory.SnapshotAsync();

        var response = await me.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Submit" });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("Four eyes").And.Contain("differentFrom @starter"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "the refused Submit wrote nothing and queued no payout job");
        Assert.That(await _factory.VariableAsync(id, "bankReference"), Is.Null, "no payout was sent");

        var checker = await _factory.AsUserAsync("checker1");
        var submitted = await checker.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Submit" });
        Assert.That(submitted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await submitted.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Supervisor1_cannot_approve_or_complete_a_WD_request_they_created()
    {
        var wd = new WdDriver(_factory);
        var (customer, account) = WdDriver.NewAccountIds();
        await wd.PutAccountAsync(account, customer);
        var created = await wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 100m, currency = "USD", comment = "by phone" }, "supervisor1");
        var card = await created.ReadObjectAsync();
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), card.ToJsonString());
        var id = card.Id();
        await wd.MustActAsync("supervisor1", id, "RequestDocuments", "send passport");
        await wd.MustActAsync("supervisor1", id, "PassToBackoffice");

        var before = await _factory.SnapshotAsync();
        var approve = await (await wd.ActAsync("supervisor1", id, "Approve")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(approve["detail"]!.GetValue<string>(), Does.Contain("differentFrom @starter"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "the refused Approve wrote nothing");

        await wd.MustActAsync("bo1", id, "Approve");
        var balance = (await wd.GetAccountAsync(account))["balance"]!.Dec();
        before = await _factory.SnapshotAsync();
        var complete = await (await wd.ActAsync("supervisor1", id, "Complete")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(complete["detail"]!.GetValue<string>(), Does.Contain("differentFrom @starter"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "the refused Complete wrote nothing");
        Assert.That((await wd.GetAccountAsync(account))["balance"]!.Dec(), Is.EqualTo(balance), "no money moved");
        Assert.That((await wd.CardAsync(id)).Status(), Is.EqualTo("ApprovedByBackoffice"));
    }

    [Test]
    public async Task The_Backoffice_approver_cannot_complete_the_WD_request_too()
    {
        var wd = new WdDriver(_factory);
        var card = await wd.DriveToAsync("ApprovedByRetention/Backoffice");
        var id = card.Id();
        await wd.MustActAsync("bo1", id, "Approve");
        var account = card["tradingAccount"]!.GetValue<string>();
        var balance = (await wd.GetAccountAsync(account))["balance"]!.Dec();
        var before = await _factory.SnapshotAsync();

        var complete = await (await wd.ActAsync("bo1", id, "Complete")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That(complete["detail"]!.GetValue<string>(), Does.Contain("differentFrom bo_ret"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "the refused Complete wrote nothing");
        Assert.That((await wd.GetAccountAsync(account))["balance"]!.Dec(), Is.EqualTo(balance), "no money moved");

        Assert.That((await wd.MustActAsync("supervisor1", id, "Complete")).Status(), Is.EqualTo("Completed"));
    }

    private static JsonObject StartInput(string definitionId, string recordNo) => definitionId switch
    {
        "crypto-coin-withdrawal" => new JsonObject
        {
            ["recordNo"] = recordNo, ["securitiesAccount"] = $"SA-{recordNo}", ["coin"] = "BTC", ["network"] = "BTC", ["amount"] = 2m, ["address"] = "bc1qtrust",
        },
        "crypto-deposit" => new JsonObject
        {
            ["recordNo"] = recordNo, ["securitiesAccount"] = $"SA-{recordNo}", ["coin"] = "BTC", ["network"] = "BTC", ["amount"] = 0.25m, ["txid"] = $"tx-{recordNo}",
        },
        _ => new JsonObject
        {
            ["recordNo"] = recordNo, ["customerId"] = $"FC-{recordNo}", ["channel"] = "ICBC-001-FPS", ["currency"] = "HKD", ["amount"] = 1000m, ["bankAccount"] = $"HK-{recordNo}",
        },
    };

    [TestCase("crypto-coin-withdrawal", "maker1")]
    [TestCase("crypto-deposit", "maker1")]
    [TestCase("fiat-withdrawal", "maker1")]
    [TestCase("fiat-withdrawal", "system")]
    public async Task The_second_approval_threshold_is_refused_on_the_generic_start_route(string definitionId, string caller)
    {
        var recordNo = $"TH-{definitionId}-{caller}";
        var client = caller == "system" ? _factory.AsSystem() : await _factory.AsUserAsync(caller);
        var input = StartInput(definitionId, recordNo);
        input["secondApprovalThreshold"] = 1_000_000_000m;
        var before = await _factory.SnapshotAsync();

        var response = await client.PostAsJsonAsync($"/api/definitions/{definitionId}/instances", new { correlationId = recordNo, input });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "input.secondApprovalThreshold");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EqualTo(new[] { "input.secondApprovalThreshold" }), "the rest of the input was valid");
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "nothing was started");

        // Without it the same start goes through: the threshold is for configuration/domain routes to set.
        input.Remove("secondApprovalThreshold");
        var started = await client.PostAsJsonAsync($"/api/definitions/{definitionId}/instances", new { correlationId = recordNo, input });
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Created), await started.Content.ReadAsStringAsync());
    }
}
