using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// Drafts are never lost (issue 14): a draft of the right shape is saved whatever its problems and the answer lists
/// them; every way to publish (submit as either analyst, approve, the impact preview, the draft matrix, a dry run)
/// still refuses an invalid definition, and API keys cannot reach any of it. Over HTTP on PostgreSQL.
/// </summary>
[TestFixture]
public sealed class DraftSaveTests
{
    private ApiFactory _factory = null!;
    private HttpClient _analyst1 = null!;
    private HttpClient _analyst2 = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _analyst1 = await _factory.AsUserAsync("analyst1");
        _analyst2 = await _factory.AsUserAsync("analyst2");
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    /// <summary>A connection to an activity that does not exist and a duration that is not one: the engine's rules.</summary>
    private static JsonObject Broken(string id)
    {
        var definition = TestFlows.Delay(id);
        definition["connections"]!.AsArray()[1]!["target"] = "nowhere";
        definition["activities"]!.AsArray()[1]!["inputs"]!["duration"] = "soon";
        return definition;
    }

    private static readonly string[] UnfinishedPaths = ["/name", "/variables/0/name", "/interrupts/0/event", "/interrupts/0/target"];

    private static IReadOnlyList<string> Paths(JsonObject saved) => [.. saved["errors"]!.AsArray().Select(e => e.Text("path"))];

    [Test]
    public async Task A_draft_breaking_the_engines_rules_is_saved_and_the_answer_lists_its_problems()
    {
        var saved = await _analyst1.PutObjectAsync("/api/definitions/draft-broken/draft", Broken("draft-broken"));
        Assert.That(saved["valid"]!.GetValue<bool>(), Is.False, saved.ToJsonString());
        Assert.That(Paths(saved), Has.Some.StartsWith("/connections/1"), saved.ToJsonString());
        Assert.That(Paths(saved), Has.Some.EqualTo("/activities/1/inputs/duration"), saved.ToJsonString());

        // It reads back exactly as saved, and the list says there is a draft.
        var draft = await _analyst1.GetObjectAsync("/api/definitions/draft-broken/draft");
        Assert.That(draft["definition"]!["connections"]![1]!.Text("target"), Is.EqualTo("nowhere"));
        Assert.That(draft["definition"]!["activities"]![1]!["inputs"]!.Text("duration"), Is.EqualTo("soon"));
        Assert.That(draft.Text("createdBy"), Is.EqualTo("analyst1"));
        var list = await _analyst1.GetObjectAsync("/api/definitions?pageSize=200");
        Assert.That(list.Items().Single(d => d.Text("id") == "draft-broken")!["hasDraft"]!.GetValue<bool>(), Is.True);

        // A valid draft answers valid with no problems.
        var fixedDraft = await _analyst1.PutObjectAsync("/api/definitions/draft-broken/draft", TestFlows.Delay("draft-broken"));
        Assert.That(fixedDraft["valid"]!.GetValue<bool>(), Is.True, fixedDraft.ToJsonString());
        Assert.That(fixedDraft["errors"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task A_draft_breaking_the_formats_value_rules_is_saved_too_and_keeps_the_last_name_in_the_list()
    {
        await _analyst1.PutObjectAsync("/api/definitions/draft-unfinished/draft", TestFlows.Delay("draft-unfinished"));
        // what the designer holds mid-edit: the name cleared, a variable row added but not named yet, a half-typed interrupt
        var unfinished = TestFlows.Delay("draft-unfinished");
        unfinished["name"] = "";
        unfinished["variables"] = new JsonArray(new JsonObject { ["name"] = "", ["type"] = "string" });
        unfinished["interrupts"] = new JsonArray(new JsonObject { ["event"] = "", ["target"] = "" });
        var saved = await _analyst1.PutObjectAsync("/api/definitions/draft-unfinished/draft", unfinished);
        Assert.That(saved["valid"]!.GetValue<bool>(), Is.False);
        Assert.That(Paths(saved), Is.SupersetOf(UnfinishedPaths), saved.ToJsonString());

        var draft = await _analyst1.GetObjectAsync("/api/definitions/draft-unfinished/draft");
        Assert.That(draft["definition"]!.Text("name"), Is.Empty);
        Assert.That(draft["definition"]!["variables"]![0]!.Text("name"), Is.Empty);
        var list = await _analyst1.GetObjectAsync("/api/definitions?pageSize=200");
        Assert.That(list.Items().Single(d => d.Text("id") == "draft-unfinished")!.Text("name"), Is.EqualTo("Test flow draft-unfinished"), "an unnamed draft keeps the last name in the list");
    }

    [TestCase("activities is text", "/activities", """{"id":"draft-shape","name":"n","activities":"start","connections":[]}""")]
    [TestCase("an unknown property", "/colour", """{"id":"draft-shape","name":"n","colour":"blue","activities":[{"id":"s","type":"Start"}],"connections":[]}""")]
    [TestCase("a connection without a target", "/connections/0/target", """{"id":"draft-shape","name":"n","activities":[{"id":"s","type":"Start"}],"connections":[{"source":"s","outcome":"Done"}]}""")]
    [TestCase("a name over 200 characters", "/name", """{"id":"draft-shape","name":"NAME","activities":[{"id":"s","type":"Start"}],"connections":[]}""")]
    [TestCase("a body that is an array", "/", "[]")]
    public async Task A_draft_of_the_wrong_shape_is_refused_naming_the_field_and_nothing_changes(string what, string field, string body)
    {
        _ = what;
        await _analyst1.PutObjectAsync("/api/definitions/draft-shape/draft", TestFlows.Delay("draft-shape"));
        var before = await _factory.SnapshotAsync();
        var response = await _analyst1.SendRawAsync(HttpMethod.Put, "/api/definitions/draft-shape/draft", body.Replace("NAME", new string('n', 201), StringComparison.Ordinal));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, field);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        var draft = await _analyst1.GetObjectAsync("/api/definitions/draft-shape/draft");
        Assert.That(draft["definition"]!["activities"]!.AsArray(), Has.Count.EqualTo(3), "the stored draft is untouched");
    }

    [Test]
    public async Task The_id_must_be_valid_and_match_the_route_even_in_a_draft()
    {
        var before = await _factory.SnapshotAsync();
        await ApiAssert.ProblemAsync(await _analyst1.PutAsJsonAsync("/api/definitions/other-id/draft", TestFlows.Delay("draft-id")), HttpStatusCode.UnprocessableEntity, "/id");
        await ApiAssert.ProblemAsync(await _analyst1.PutAsJsonAsync("/api/definitions/Bad Id/draft", TestFlows.Delay("Bad Id")), HttpStatusCode.UnprocessableEntity, "/id");
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Every_way_to_publish_refuses_an_invalid_draft_for_either_analyst_and_api_keys_reach_none_of_it()
    {
        await _analyst1.PutObjectAsync("/api/definitions/draft-publish/draft", Broken("draft-publish"));
        var before = await _factory.SnapshotAsync();

        foreach (var analyst in new[] { _analyst1, _analyst2 })
        {
            var problem = await ApiAssert.ProblemAsync(await analyst.PostAsJsonAsync("/api/definitions/draft-publish/publish", new { note = "try" }), HttpStatusCode.UnprocessableEntity);
            var keys = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
            Assert.That(keys, Has.Some.StartsWith("/connections/1").And.Some.EqualTo("/activities/1/inputs/duration"), problem.ToJsonString());
        }
        // a POST without a body reaches the same rule
        await ApiAssert.ProblemAsync(await _analyst2.PostAsync("/api/definitions/draft-publish/publish", null), HttpStatusCode.UnprocessableEntity);
        // the impact preview replays only a valid draft; the matrix of a never-published flow is built from a valid draft only
        await ApiAssert.ProblemAsync(await _analyst2.PostAsync("/api/definitions/draft-publish/draft/impact", null), HttpStatusCode.UnprocessableEntity);
        await ApiAssert.ProblemAsync(await _analyst1.GetAsync("/api/definitions/draft-publish/matrix"), HttpStatusCode.UnprocessableEntity);
        // nothing to start: an unpublished flow has no version
        var start = await _factory.AsTestSystem().PostAsJsonAsync("/api/definitions/draft-publish/instances", new { input = new { } });
        Assert.That((int)start.StatusCode, Is.AnyOf(404, 409), await start.Content.ReadAsStringAsync());
        // a dry run of the draft as saved is refused with its problems
        var draft = (await _analyst1.GetObjectAsync("/api/definitions/draft-publish/draft"))["definition"]!.DeepClone();
        await ApiAssert.ProblemAsync(await _analyst1.PostAsJsonAsync("/api/dry-run/start", new { definition = draft, input = new { } }), HttpStatusCode.UnprocessableEntity, "/activities/1/inputs/duration");

        // API keys and operators neither save, submit nor approve
        foreach (var client in new[] { _factory.AsSystem(), _factory.AsTestSystem(), await _factory.AsUserAsync("cs1") })
        {
            await ApiAssert.ProblemAsync(await client.PutAsJsonAsync("/api/definitions/draft-publish/draft", Broken("draft-publish")), HttpStatusCode.Forbidden);
            await ApiAssert.ProblemAsync(await client.PostAsync("/api/definitions/draft-publish/publish", null), HttpStatusCode.Forbidden);
        }
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "no publish request, version or journal entry");
        Assert.That((await _analyst2.GetObjectAsync("/api/publish-requests?definitionId=draft-publish")).Items(), Is.Empty);

        // fixed, it goes through: analyst1 submits, analyst2 approves
        await _analyst1.PutObjectAsync("/api/definitions/draft-publish/draft", TestFlows.Delay("draft-publish"));
        var request = await (await _analyst1.PostAsync("/api/definitions/draft-publish/publish", null)).ReadObjectAsync();
        var approved = await _analyst2.PostObjectAsync($"/api/publish-requests/{request.Text("id")}/approve", null);
        Assert.That(approved["version"]!.GetValue<int>(), Is.EqualTo(1));
    }

    [Test]
    public async Task An_approval_publishes_the_submitted_snapshot_never_an_invalid_draft_saved_after_it()
    {
        await _analyst1.PutObjectAsync("/api/definitions/draft-after/draft", TestFlows.Delay("draft-after", "PT5S"));
        var request = await (await _analyst1.PostAsync("/api/definitions/draft-after/publish", null)).ReadObjectAsync();
        Assert.That(request.Text("status"), Is.EqualTo("Pending"), request.ToJsonString());
        // analyst1 goes on editing and saves a broken draft while the request waits
        var saved = await _analyst1.PutObjectAsync("/api/definitions/draft-after/draft", Broken("draft-after"));
        Assert.That(saved["valid"]!.GetValue<bool>(), Is.False);

        // an API key cannot approve; analyst2 can, and gets the snapshot
        await ApiAssert.ProblemAsync(await _factory.AsTestSystem().PostAsync($"/api/publish-requests/{request.Text("id")}/approve", null), HttpStatusCode.Forbidden);
        var approved = await _analyst2.PostObjectAsync($"/api/publish-requests/{request.Text("id")}/approve", null);
        var version = await _analyst2.GetObjectAsync($"/api/definitions/draft-after?version={approved["version"]!.GetValue<int>()}");
        Assert.That(version["definition"]!["activities"]![1]!["inputs"]!.Text("duration"), Is.EqualTo("PT5S"));
        Assert.That(version["definition"]!["connections"]![1]!.Text("target"), Is.EqualTo("done"));
        // the broken draft stays a draft: nothing of the analyst's work is lost
        var draft = await _analyst1.GetObjectAsync("/api/definitions/draft-after/draft");
        Assert.That(draft["definition"]!["connections"]![1]!.Text("target"), Is.EqualTo("nowhere"));
    }

    [Test]
    public async Task A_draft_stored_by_an_earlier_release_still_loads_and_is_held_to_the_rules_when_submitted()
    {
        await _analyst1.PutObjectAsync("/api/definitions/draft-legacy/draft", TestFlows.Delay("draft-legacy"));
        // an earlier release stored drafts it had validated, written with a version number and without the lists it did not know
        const string legacy = """
            {"id":"draft-legacy","name":"Legacy draft","version":3,"description":null,
             "activities":[{"id":"start","type":"Start"},{"id":"delay","type":"Delay","inputs":{"duration":"PT1M"}},{"id":"done","type":"End","inputs":{"status":"Waited"}}],
             "connections":[{"source":"start","outcome":"Done","target":"delay"},{"source":"delay","outcome":"Done","target":"done"}]}
            """;
        await _factory.QueryAsync(db => db.Definitions.Where(d => d.Id == "draft-legacy").ExecuteUpdateAsync(u => u.SetProperty(d => d.DraftJson, legacy)));

        var draft = await _analyst1.GetObjectAsync("/api/definitions/draft-legacy/draft");
        Assert.That(draft["definition"]!.Text("name"), Is.EqualTo("Legacy draft"));
        var request = await _analyst1.PostAsync("/api/definitions/draft-legacy/publish", null);
        Assert.That(request.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await request.Content.ReadAsStringAsync());
    }
}
