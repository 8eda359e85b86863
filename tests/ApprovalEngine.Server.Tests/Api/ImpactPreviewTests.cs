using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Definitions;
using ApprovalEngine.Server.Tests.Golden;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Replay;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// The impact preview over HTTP on PostgreSQL: real instances of sample-approval run through the API (their step
/// commands recorded with each step), an analyst edits the draft, and the preview lists exactly the instances the edit
/// affects, with the first divergent step.
/// </summary>
[TestFixture]
public sealed class ImpactPreviewTests
{
    private ApiFactory _factory = null!;
    private readonly Dictionary<string, string> _ids = [];

    [OneTimeSetUp]
    public async Task RunRealInstancesAsync()
    {
        _factory = await ApiFactory.PostgresAsync();
        var cs = await _factory.AsUserAsync("cs1");
        var bo = await _factory.AsUserAsync("bo1");
        // small: 500, approved by CS (under the limit of 10,000); big: 50,000, approved by CS, waits for Backoffice;
        // rejected: 900, rejected by CS; bigDone: 50,000, approved by CS and Backoffice; old: as small, but its
        // commands are removed below as if it had run before this release.
        _ids["small"] = await StartAsync(500m, "impact-small");
        await ActAsync(cs, _ids["small"], "Approve");
        _ids["big"] = await StartAsync(50_000m, "impact-big");
        await ActAsync(cs, _ids["big"], "Approve");
        _ids["rejected"] = await StartAsync(900m, "impact-rejected");
        await ActAsync(cs, _ids["rejected"], "Reject", "not this one");
        _ids["bigDone"] = await StartAsync(50_000m, "impact-big-done");
        await ActAsync(cs, _ids["bigDone"], "Approve");
        await ActAsync(bo, _ids["bigDone"], "Approve");
        _ids["old"] = await StartAsync(500m, "impact-old");
        await ActAsync(cs, _ids["old"], "Approve");
        var old = Guid.Parse(_ids["old"]);
        await _factory.QueryAsync(db => db.StepCommands.Where(c => c.InstanceId == old).ExecuteDeleteAsync());
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _factory.DisposeAsync();

    private async Task<string> StartAsync(decimal amount, string correlationId) =>
        (await _factory.AsSystem().PostObjectAsync("/api/definitions/sample-approval/instances", new { correlationId, input = new { amount } }))["id"]!.GetValue<string>();

    private async Task ActAsync(HttpClient person, string instanceId, string action, string? comment = null)
    {
        var instance = await _factory.AsSystem().GetObjectAsync($"/api/instances/{instanceId}");
        var taskId = instance["openTasks"]!.AsArray().Single()!["id"]!.GetValue<string>();
        var response = await person.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { action, comment });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    private static async Task<JsonObject> PublishedAsync(HttpClient analyst)
    {
        var current = (await analyst.GetObjectAsync("/api/definitions/sample-approval"))["definition"]!.AsObject();
        current.Remove("version");
        return current;
    }

    private async Task<JsonObject> PreviewAsync(JsonObject draft)
    {
        var analyst = await _factory.AsUserAsync("analyst1");
        var saved = await analyst.PutAsJsonAsync("/api/definitions/sample-approval/draft", draft);
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await saved.Content.ReadAsStringAsync());
        var response = await (await _factory.AsUserAsync("analyst2")).PostAsync("/api/definitions/sample-approval/draft/impact?limit=100", null);
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        return await response.ReadObjectAsync();
    }

    private static string Impacts(Dictionary<string, JsonObject> items) => string.Join("; ", items.Select(p => $"{p.Key}={p.Value.Text("impact")}"));

    private static string Explain(Dictionary<string, JsonObject> items) => string.Join("\n", items.Select(p => $"{p.Key}: {p.Value.ToJsonString()}"));

    private Dictionary<string, JsonObject> ByName(JsonObject report) =>
        _ids.ToDictionary(p => p.Key, p => report["items"]!.AsArray().Select(i => i!.AsObject()).Single(i => i.Text("instanceId") == p.Value));

    [Test]
    public async Task Lowering_the_threshold_changes_exactly_the_instance_under_the_old_one_and_names_the_decision()
    {
        var draft = await PublishedAsync(await _factory.AsUserAsync("analyst1"));
        draft["activities"]!.AsArray().Single(a => a.Text("id") == "bigAmount")!["inputs"]!["condition"] = "amount > 400";

        var report = await PreviewAsync(draft);
        var items = ByName(report);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(report["considered"]!.GetValue<int>(), Is.EqualTo(5));
            Assert.That(Impacts(items), Is.EqualTo("small=outcomeChanged; big=unchanged; rejected=unchanged; bigDone=unchanged; old=notPreviewable"), () => Explain(items));
            var step = items["small"]["firstDivergentStep"]!;
            Assert.That(step.Text("activityId"), Is.EqualTo("bigAmount"), step.ToJsonString());
            Assert.That(step.Text("recorded"), Does.Contain("bigAmount → False"), step.ToJsonString());
            Assert.That(step.Text("draft"), Does.Contain("bigAmount → True"), step.ToJsonString());
            Assert.That((items["small"]["recorded"].Text("status"), items["small"]["draft"].Text("status")), Is.EqualTo(("Completed", "Running")), "the draft sends it on to Backoffice");
            Assert.That(items["old"].Text("reason"), Does.Contain("before this release"));
            Assert.That(report["counts"]!["outcomeChanged"]!.GetValue<int>(), Is.EqualTo(1));
            // Newest first.
            Assert.That(report["items"]!.AsArray().Select(i => i.Text("instanceId")).First(), Is.EqualTo(_ids["old"]));
        }
    }

    [Test]
    public async Task Renaming_the_Backoffice_review_makes_its_acted_on_instances_not_applicable_and_moves_the_waiting_one()
    {
        var draft = await PublishedAsync(await _factory.AsUserAsync("analyst1"));
        foreach (var a in draft["activities"]!.AsArray().Where(a => a.Text("id") == "boReview")) a!["id"] = "boCheck";
        foreach (var c in draft["connections"]!.AsArray())
        {
            if (c.Text("source") == "boReview") c!["source"] = "boCheck";
            if (c.Text("target") == "boReview") c!["target"] = "boCheck";
        }

        var items = ByName(await PreviewAsync(draft));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Impacts(items), Is.EqualTo("small=unchanged; big=pathChanged; rejected=unchanged; bigDone=notApplicable; old=notPreviewable"), () => Explain(items));
            Assert.That(items["bigDone"].Text("reason"), Does.Contain("'boReview'"));
            Assert.That(items["big"]["firstDivergentStep"].Text("recorded"), Does.Contain("boReview"));
            Assert.That(items["big"]["firstDivergentStep"].Text("draft"), Does.Contain("boCheck"));
        }
    }

    [Test]
    public async Task Lowering_the_limit_variable_also_shows_that_every_other_instance_keeps_its_path_but_not_its_values()
    {
        var draft = await PublishedAsync(await _factory.AsUserAsync("analyst1"));
        draft["variables"]!.AsArray().Single(v => v.Text("name") == "limit")!["default"] = 400;

        var items = ByName(await PreviewAsync(draft));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Impacts(items), Is.EqualTo("small=outcomeChanged; big=valuesChanged; rejected=valuesChanged; bigDone=valuesChanged; old=notPreviewable"), () => Explain(items));
            Assert.That(items["big"].Text("reason"), Does.Contain("variables.limit"));
        }
    }

    /// <summary>The commands the server stored with its steps replay, in memory, to exactly the journal and state it stored.</summary>
    [TestCase("small")]
    [TestCase("big")]
    [TestCase("rejected")]
    [TestCase("bigDone")]
    public async Task The_stored_commands_of_a_real_instance_replay_to_what_the_server_stored(string name)
    {
        var id = Guid.Parse(_ids[name]);
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var registry = scope.ServiceProvider.GetRequiredService<ActivityRegistry>();
        var engine = scope.ServiceProvider.GetRequiredService<WorkflowEngine>();
        var (history, missing) = await new ImpactPreview(db, registry, engine.Options).LoadHistoryAsync(id, CancellationToken.None);
        Assert.That(missing, Is.Null);
        await using var stored = await PostgresHistoryHost.OnAsync(_factory.ConnectionString);
        var expected = await HistoryOutcome.CaptureAsync(stored, id);

        var replayed = await HistoryReplayer.ReplayAsync(history!, new InMemoryHistoryHost(registry, engine.Options));
        var comparison = HistoryComparison.Compare(expected, replayed.Outcome);
        Assert.That((replayed.Stop, comparison.Same), Is.EqualTo(((ReplayStop?)null, true)), comparison.Report());
        Assert.That(history!.Commands.Select(c => c.Kind), Does.Contain(StepCommandKinds.CompleteTask), "the person's action is in the history");
    }

    [TestCase("cs1")]
    [TestCase("bo1")]
    [TestCase("supervisor1")]
    [TestCase("maker1")]
    public async Task People_who_neither_edit_nor_approve_definitions_are_refused(string user)
    {
        var response = await (await _factory.AsUserAsync(user)).PostAsync("/api/definitions/sample-approval/draft/impact", null);
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_system_key_even_one_that_reads_every_instance_is_refused()
    {
        // dev-system-key holds read:* and starts sample-approval, but no right over definitions.
        await ApiAssert.ProblemAsync(await _factory.AsSystem().PostAsync("/api/definitions/sample-approval/draft/impact", null), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _factory.AsTestSystem().PostAsync("/api/definitions/sample-approval/draft/impact", null), HttpStatusCode.Forbidden);
        Assert.That((await _factory.CreateClient().PostAsync("/api/definitions/sample-approval/draft/impact", null)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task The_limit_is_bounded_and_a_definition_without_a_draft_is_404()
    {
        var analyst = await _factory.AsUserAsync("analyst1");
        await ApiAssert.ProblemAsync(await analyst.PostAsync("/api/definitions/sample-approval/draft/impact?limit=1000", null), HttpStatusCode.UnprocessableEntity, "limit");
        await ApiAssert.ProblemAsync(await analyst.PostAsync("/api/definitions/crypto-deposit/draft/impact", null), HttpStatusCode.NotFound);
    }
}
