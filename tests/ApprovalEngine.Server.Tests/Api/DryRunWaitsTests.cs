using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// A dry run goes past every outside call (issue 14): the wait kinds are written as the OpenAPI document lists them
/// (Job, Child, Event, Timer), and the analyst reports a job's or child's result — an outcome the activity can end with
/// and its outputs — and the run continues to the end. The shipped crypto-coin-withdrawal flow (two jobs, a child work
/// order and a chain event) runs start to Completed without touching any data. Over HTTP on PostgreSQL.
/// </summary>
[TestFixture]
public sealed class DryRunWaitsTests
{
    private static readonly string[] VerifiedAddresses = ["bc1-dry"];
    private ApiFactory _factory = null!;
    private HttpClient _analyst = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _analyst = await _factory.AsUserAsync("analyst1");
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    private async Task<JsonObject> ResumeAsync(JsonNode definition, JsonObject previous, object resume) =>
        await _analyst.PostObjectAsync("/api/dry-run/resume", new { definition, state = previous["state"]!.DeepClone(), resume });

    private static JsonNode Wait(JsonObject step) => step["view"]!["waits"]!.AsArray().Single()!;

    [Test]
    public async Task The_shipped_coin_withdrawal_runs_past_its_jobs_child_and_event_to_Completed_and_stores_nothing()
    {
        var definition = (await _analyst.GetObjectAsync("/api/definitions/crypto-coin-withdrawal"))["definition"]!.DeepClone();
        var before = await _factory.SnapshotAsync();
        var started = await _analyst.PostObjectAsync("/api/dry-run/start", new
        {
            definition,
            input = new { recordNo = "DRY-1", securitiesAccount = "SA-1", coin = "BTC", network = "BTC", amount = 0.5m, address = "bc1-dry" },
        });
        var facts = Wait(started);
        Assert.That((facts.Text("kind"), facts.Text("activityId")), Is.EqualTo(("Job", "loadFacts")), started.ToJsonString());

        // the outside call's result: the coin's facts, as the ledger would return them
        var checkedStep = await ResumeAsync(definition, started, new
        {
            kind = "Job", bookmarkId = facts.Text("bookmarkId"), outcome = "Done",
            outputs = new { coinConfigured = true, withdrawalEnabled = true, depositEnabled = true, coinDecimals = 8, minWithdrawal = 0.001m, maxWithdrawal = 10m, withdrawalFee = 0.0001m, requiredConfirmations = 1, verifiedAddresses = VerifiedAddresses },
        });
        var workOrder = Wait(checkedStep);
        Assert.That((workOrder.Text("kind"), workOrder.Text("activityId")), Is.EqualTo(("Child", "workOrder")), checkedStep.ToJsonString());

        var approved = await ResumeAsync(definition, checkedStep, new { kind = "child", bookmarkId = workOrder.Text("bookmarkId"), outcome = "Approved", outputs = new { lastComment = "ok" } });
        var broadcast = Wait(approved);
        Assert.That((broadcast.Text("kind"), broadcast.Text("activityId")), Is.EqualTo(("Job", "broadcast")), approved.ToJsonString());

        var sent = await ResumeAsync(definition, approved, new { kind = "job", bookmarkId = broadcast.Text("bookmarkId"), outcome = "Broadcast", outputs = new { txId = "tx-dry" } });
        var chain = Wait(sent);
        Assert.That((chain.Text("kind"), chain.Text("eventName")), Is.EqualTo(("Event", "BlockConfirmations")), sent.ToJsonString());

        var done = await ResumeAsync(definition, sent, new { kind = "event", bookmarkId = chain.Text("bookmarkId"), eventName = "BlockConfirmations", payload = new { confirmations = 1 } });
        Assert.That(done["view"]!.Text("status"), Is.EqualTo("Completed"), done.ToJsonString());
        Assert.That(done["view"]!.Text("businessStatus"), Is.EqualTo("Completed"));
        Assert.That(done["view"]!["variables"]!.Text("txid"), Is.EqualTo("tx-dry"), "the job's outputs reached the variables");
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "a dry run stores nothing");
    }

    [Test]
    public async Task A_result_the_activity_cannot_end_with_or_a_wait_the_run_does_not_have_is_refused_naming_the_field()
    {
        var definition = (await _analyst.GetObjectAsync("/api/definitions/crypto-coin-withdrawal"))["definition"]!.DeepClone();
        var started = await _analyst.PostObjectAsync("/api/dry-run/start", new
        {
            definition,
            input = new { recordNo = "DRY-2", securitiesAccount = "SA-1", coin = "BTC", network = "BTC", amount = 0.5m, address = "bc1-dry" },
        });
        var facts = Wait(started);
        var state = started["state"]!.DeepClone();
        var teleported = await _analyst.PostAsJsonAsync("/api/dry-run/resume", new { definition, state, resume = new { kind = "job", bookmarkId = facts.Text("bookmarkId"), outcome = "Teleported" } });
        var problem = await ApiAssert.ProblemAsync(teleported, HttpStatusCode.UnprocessableEntity, "resume.outcome");
        Assert.That(problem.ToJsonString(), Does.Contain("Done"), "the problem names the outcomes to pick from");
        // the job's bookmark resumed as a child, and a bookmark the run does not have
        await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync("/api/dry-run/resume", new { definition, state, resume = new { kind = "child", bookmarkId = facts.Text("bookmarkId") } }), HttpStatusCode.UnprocessableEntity, "resume.bookmarkId");
        await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync("/api/dry-run/resume", new { definition, state, resume = new { kind = "job", bookmarkId = Guid.NewGuid() } }), HttpStatusCode.UnprocessableEntity, "resume.bookmarkId");

        // without an outcome the job takes its first one (Done), as before
        var next = await ResumeAsync(definition, started, new { kind = "job", bookmarkId = facts.Text("bookmarkId") });
        Assert.That(next["view"]!["journal"]!.AsArray().Select(j => j?["outcome"]?.GetValue<string>()), Does.Contain("Done"));
    }
}
