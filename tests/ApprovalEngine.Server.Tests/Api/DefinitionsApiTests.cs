using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>Definitions over HTTP: list, read, drafts (analysts only), validation with JSON pointers, publish, versions, matrix, schema.</summary>
[TestFixture]
public sealed class DefinitionsApiTests
{
    private static readonly string[] Outcomes = ["True", "False"];
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

    [Test]
    public async Task The_list_holds_the_published_sample_flows_in_the_paging_shape()
    {
        // Other tests of this fixture add definitions (in any order): one page holds them all, whatever ran first.
        var page = await _analyst.GetObjectAsync("/api/definitions?page=1&pageSize=100");
        Assert.That(page["page"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(page["pageSize"]!.GetValue<int>(), Is.EqualTo(100));
        Assert.That(page["total"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(2));
        var sample = page.Items().Single(d => d.Text("id") == "sample-approval")!;
        Assert.That(sample["publishedVersion"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(1));
        Assert.That(page.Items().Select(d => d.Text("id")), Does.Contain("wd-request"));
    }

    [Test]
    public async Task Reading_a_definition_returns_the_published_version_and_404_for_unknown_ids_or_versions()
    {
        var view = await _analyst.GetObjectAsync("/api/definitions/sample-approval");
        Assert.That(view["isPublished"]!.GetValue<bool>(), Is.True);
        Assert.That(view["definition"]!.Text("id"), Is.EqualTo("sample-approval"));
        Assert.That(view["definition"]!["activities"]!.AsArray().Select(a => a.Text("id")), Does.Contain("csReview"));

        await ApiAssert.ProblemAsync(await _analyst.GetAsync("/api/definitions/no-such-flow"), HttpStatusCode.NotFound);
        await ApiAssert.ProblemAsync(await _analyst.GetAsync("/api/definitions/sample-approval?version=999"), HttpStatusCode.NotFound);
        await ApiAssert.ProblemAsync(await _analyst.GetAsync("/api/definitions/no-such-flow/versions"), HttpStatusCode.NotFound);
        await ApiAssert.ProblemAsync(await _analyst.GetAsync("/api/definitions/no-such-flow/matrix"), HttpStatusCode.NotFound);
        await ApiAssert.ProblemAsync(await _analyst.GetAsync("/api/definitions/sample-approval/draft"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Only_analysts_save_drafts_cs1_gets_403_and_nothing_is_stored()
    {
        var before = await _factory.SnapshotAsync();
        var cs = await _factory.AsUserAsync("cs1");
        var response = await cs.PutAsJsonAsync("/api/definitions/test-forbidden-draft/draft", TestFlows.Delay("test-forbidden-draft"));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        var publish = await cs.PostAsync("/api/definitions/sample-approval/publish", null);
        await ApiAssert.ProblemAsync(publish, HttpStatusCode.Forbidden);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));

        var saved = await _analyst.PutAsJsonAsync("/api/definitions/test-analyst-draft/draft", TestFlows.Delay("test-analyst-draft"));
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await saved.Content.ReadAsStringAsync());
        var draft = await _analyst.GetObjectAsync("/api/definitions/test-analyst-draft/draft");
        Assert.That(draft["isPublished"]!.GetValue<bool>(), Is.False);
        Assert.That(draft["createdBy"]!.GetValue<string>(), Is.EqualTo("analyst1"));
        Assert.That(draft["definition"]!["activities"]!.AsArray(), Has.Count.EqualTo(3));
    }

    [Test]
    public async Task An_invalid_draft_is_saved_with_JSON_pointer_problems_but_a_malformed_one_gets_422()
    {
        // Drafts are never lost (issue 14): the engine's rules are reported, not enforced, until publishing (DraftSaveTests).
        var definition = TestFlows.Delay("test-invalid-draft");
        definition["connections"]!.AsArray()[1]!["target"] = "nowhere";
        definition["activities"]!.AsArray()[1]!["inputs"]!["duration"] = "soon";
        var saved = await _analyst.PutObjectAsync("/api/definitions/test-invalid-draft/draft", definition);
        var keys = saved["errors"]!.AsArray().Select(e => e.Text("path")).ToList();
        Assert.That(saved["valid"]!.GetValue<bool>(), Is.False);
        Assert.That(keys, Has.All.StartsWith("/"), string.Join(", ", keys));
        Assert.That(keys, Has.Some.StartsWith("/connections/1"), string.Join(", ", keys));
        Assert.That(keys, Has.Some.EqualTo("/activities/1/inputs/duration"), string.Join(", ", keys));
        var before = await _factory.SnapshotAsync();

        // The route's id must match the body's.
        var mismatch = await _analyst.PutAsJsonAsync("/api/definitions/other-id/draft", TestFlows.Delay("test-invalid-draft"));
        await ApiAssert.ProblemAsync(mismatch, HttpStatusCode.UnprocessableEntity, "/id");

        // An unknown property is reported at its pointer too.
        var unknown = TestFlows.Delay("test-invalid-draft");
        unknown["colour"] = "blue";
        var unknownProblem = await ApiAssert.ProblemAsync(await _analyst.PutAsJsonAsync("/api/definitions/test-invalid-draft/draft", unknown), HttpStatusCode.UnprocessableEntity);
        Assert.That(unknownProblem["errors"]!.AsObject().Select(e => e.Key), Has.All.StartsWith("/"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Validate_reports_errors_without_storing_anything()
    {
        var ok = await _analyst.PostObjectAsync("/api/definitions/validate", TestFlows.Delay("test-validate"));
        Assert.That(ok["valid"]!.GetValue<bool>(), Is.True, ok.ToJsonString());
        Assert.That(ok["errors"]!.AsArray(), Is.Empty);

        var broken = TestFlows.Delay("test-validate");
        broken["activities"]!.AsArray().RemoveAt(0);
        var report = await _analyst.PostObjectAsync("/api/definitions/validate", broken);
        Assert.That(report["valid"]!.GetValue<bool>(), Is.False);
        Assert.That(report["errors"]!.AsArray().Select(e => e.Text("path")), Has.All.StartsWith("/").Or.Empty);
        Assert.That(report["errors"]!.AsArray(), Is.Not.Empty);
        await ApiAssert.ProblemAsync(await _analyst.GetAsync("/api/definitions/test-validate"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Validate_names_a_connection_whose_user_task_action_was_renamed_or_removed()
    {
        // the designer keeps such a connection (drawn from a struck-through outcome); Validate must not say "no problems"
        var shipped = (await _analyst.GetObjectAsync("/api/definitions/wd-request"))["definition"]!.AsObject();
        Assert.That((await _analyst.PostObjectAsync("/api/definitions/validate", shipped))["valid"]!.GetValue<bool>(), Is.True, "the shipped flow is valid");

        var renamed = shipped.DeepClone().AsObject();
        var csNew = renamed["activities"]!.AsArray().Single(a => a.Text("id") == "cs_new")!;
        csNew["inputs"]!["actions"]!.AsArray().Single(a => a.Text("name") == "RequestDocuments")!["name"] = "AskForDocuments";
        var removed = shipped.DeepClone().AsObject();
        var actions = removed["activities"]!.AsArray().Single(a => a.Text("id") == "cs_new")!["inputs"]!["actions"]!.AsArray();
        actions.Remove(actions.Single(a => a.Text("name") == "RequestDocuments"));

        var index = shipped["connections"]!.AsArray().Select((c, i) => (c, i)).Single(x => x.c!.Text("source") == "cs_new" && x.c!.Text("outcome") == "RequestDocuments").i;
        foreach (var broken in new[] { renamed, removed })
        {
            var report = await _analyst.PostObjectAsync("/api/definitions/validate", broken);
            Assert.That(report["valid"]!.GetValue<bool>(), Is.False);
            var error = report["errors"]!.AsArray().Single(e => e.Text("path") == $"/connections/{index}/outcome");
            Assert.That(error.Text("message"), Does.Contain("no outcome 'RequestDocuments'"));
        }
    }

    [Test]
    public async Task Publishing_a_draft_adds_version_N_plus_1_and_the_history_lists_it()
    {
        var versionsBefore = (await _analyst.GetFromJsonAsync<JsonArray>("/api/definitions/sample-approval/versions"))!;
        var latest = versionsBefore.Max(v => v!["version"]!.GetValue<int>());
        var current = (await _analyst.GetObjectAsync("/api/definitions/sample-approval"))["definition"]!.AsObject();
        current["description"] = "Republished by the API tests.";
        current.Remove("version");
        var saved = await _analyst.PutAsJsonAsync("/api/definitions/sample-approval/draft", current);
        Assert.That(saved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await saved.Content.ReadAsStringAsync());

        // Publishing is a request that another analyst approves (ADR 7); the approval answers the old { version } shape.
        var submitted = await _analyst.PostAsync("/api/definitions/sample-approval/publish", null);
        Assert.That(submitted.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), await submitted.Content.ReadAsStringAsync());
        var request = await submitted.ReadObjectAsync();
        Assert.That((await _analyst.GetFromJsonAsync<JsonArray>("/api/definitions/sample-approval/versions"))!.Count, Is.EqualTo(latest), "nothing is published on submit");
        var reviewer = await _factory.AsUserAsync("analyst2");
        var published = await reviewer.PostObjectAsync($"/api/publish-requests/{request.Text("id")}/approve", null);
        Assert.That(published["version"]!.GetValue<int>(), Is.EqualTo(latest + 1));

        var versions = (await _analyst.GetFromJsonAsync<JsonArray>("/api/definitions/sample-approval/versions"))!;
        Assert.That(versions.Select(v => v!["version"]!.GetValue<int>()), Is.EqualTo(Enumerable.Range(1, latest + 1).Reverse()));
        Assert.That(versions[0]!["isCurrent"]!.GetValue<bool>(), Is.True);
        Assert.That(versions[0]!["publishedBy"]!.GetValue<string>(), Is.EqualTo("analyst2"));
        Assert.That(versions.Skip(1).Select(v => v!["isCurrent"]!.GetValue<bool>()), Has.All.False);
        var old = await _analyst.GetObjectAsync($"/api/definitions/sample-approval?version={latest}");
        Assert.That(old["version"]!.GetValue<int>(), Is.EqualTo(latest));

        // The draft is gone once published; publishing again without a draft is a conflict.
        await ApiAssert.ProblemAsync(await _analyst.GetAsync("/api/definitions/sample-approval/draft"), HttpStatusCode.NotFound);
        await ApiAssert.ProblemAsync(await _analyst.PostAsync("/api/definitions/sample-approval/publish", null), HttpStatusCode.Conflict);
        await ApiAssert.ProblemAsync(await _analyst.PostAsync("/api/definitions/no-such-flow/publish", null), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_new_instance_follows_the_new_version_while_an_old_one_stays_on_its_version()
    {
        var v1 = TestFlows.SingleTask("test-versioned", actions: """[ { "name": "Approve", "displayName": "Approve" } ]""");
        Assert.That(await _factory.PublishAsync(v1), Is.EqualTo(1));
        var system = _factory.AsTestSystem();
        var oldInstance = await system.PostObjectAsync("/api/definitions/test-versioned/instances", new { input = new { } });
        Assert.That(oldInstance["version"]!.GetValue<int>(), Is.EqualTo(1));

        var v2 = TestFlows.SingleTask("test-versioned", actions: """[ { "name": "Accept", "displayName": "Accept" } ]""", status: "WaitingV2");
        Assert.That(await _factory.PublishAsync(v2), Is.EqualTo(2));
        var newInstance = await system.PostObjectAsync("/api/definitions/test-versioned/instances", new { input = new { } });
        Assert.That(newInstance["version"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(newInstance.Text("businessStatus"), Is.EqualTo("WaitingV2"));

        var cs = await _factory.AsUserAsync("cs1");
        async Task<string> TaskOf(JsonObject instance) =>
            (await cs.GetObjectAsync($"/api/instances/{instance.Text("id")}"))["openTasks"]!.AsArray().Single()!.Text("id");
        var oldTask = await TaskOf(oldInstance);
        var newTask = await TaskOf(newInstance);

        // The old instance still offers v1's action, the new one v2's.
        var oldActions = (await cs.GetObjectAsync($"/api/tasks/{oldTask}"))["actions"]!.AsArray().Select(a => a.Text("name"));
        Assert.That(oldActions.Single(), Is.EqualTo("Approve"));
        await ApiAssert.ProblemAsync(await cs.PostAsJsonAsync($"/api/tasks/{newTask}/complete", new { action = "Approve" }), HttpStatusCode.Conflict);

        var oldDone = await cs.PostObjectAsync($"/api/tasks/{oldTask}/complete", new { action = "Approve" });
        var newDone = await cs.PostObjectAsync($"/api/tasks/{newTask}/complete", new { action = "Accept" });
        Assert.That(oldDone.Text("status"), Is.EqualTo("Completed"));
        Assert.That(oldDone["version"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(newDone.Text("status"), Is.EqualTo("Completed"));
        Assert.That(newDone["version"]!.GetValue<int>(), Is.EqualTo(2));
    }

    /// <summary>
    /// Issue 14: the designer opens a definition with one request that never 404s for a known definition: the draft when
    /// there is one, else the published version; each answer says which version is published and whether a draft exists.
    /// </summary>
    [Test]
    public async Task Editable_answers_the_draft_or_the_published_version_and_says_what_it_is()
    {
        var id = $"editable-{Guid.NewGuid():N}"[..20];
        await ApiAssert.ProblemAsync(await _analyst.GetAsync($"/api/definitions/{id}/editable"), HttpStatusCode.NotFound);

        // a draft never published: the draft, based on nothing
        Assert.That((await _analyst.PutAsJsonAsync($"/api/definitions/{id}/draft", TestFlows.SingleTask(id, status: "One"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var first = await _analyst.GetObjectAsync($"/api/definitions/{id}/editable");
        Assert.That((first["version"], first["isPublished"]!.GetValue<bool>(), first["publishedVersion"], first["hasDraft"]!.GetValue<bool>()), Is.EqualTo(((JsonNode?)null, false, (JsonNode?)null, true)));

        // published, no draft: the published version (the draft route still answers 404, as the contract says)
        await _factory.PublishAsync(TestFlows.SingleTask(id, status: "One"));
        var published = await _analyst.GetObjectAsync($"/api/definitions/{id}/editable");
        Assert.That((published["version"]!.GetValue<int>(), published["isPublished"]!.GetValue<bool>(), published["publishedVersion"]!.GetValue<int>(), published["hasDraft"]!.GetValue<bool>()), Is.EqualTo((1, true, 1, false)));
        await ApiAssert.ProblemAsync(await _analyst.GetAsync($"/api/definitions/{id}/draft"), HttpStatusCode.NotFound);
        Assert.That((await _analyst.GetObjectAsync($"/api/definitions/{id}"))["hasDraft"]!.GetValue<bool>(), Is.False);

        // a draft on top of v1: the draft, based on v1; reading v1 says a draft exists
        Assert.That((await _analyst.PutAsJsonAsync($"/api/definitions/{id}/draft", TestFlows.SingleTask(id, status: "Two"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var draft = await _analyst.GetObjectAsync($"/api/definitions/{id}/editable");
        Assert.That((draft["version"], draft["publishedVersion"]!.GetValue<int>(), draft["hasDraft"]!.GetValue<bool>()), Is.EqualTo(((JsonNode?)null, 1, true)));
        Assert.That(draft["definition"]!["activities"]![1]!["inputs"]!.Text("status"), Is.EqualTo("Two"));
        var v1 = await _analyst.GetObjectAsync($"/api/definitions/{id}");
        Assert.That((v1["publishedVersion"]!.GetValue<int>(), v1["hasDraft"]!.GetValue<bool>()), Is.EqualTo((1, true)));
        Assert.That((await _analyst.GetObjectAsync($"/api/definitions/{id}/draft"))["publishedVersion"]!.GetValue<int>(), Is.EqualTo(1));
        // anyone signed in reads definitions; anonymous callers do not
        Assert.That((await (await _factory.AsUserAsync("cs1")).GetAsync($"/api/definitions/{id}/editable")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await _factory.CreateClient().GetAsync($"/api/definitions/{id}/editable")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    /// <summary>Issue 14: the matrix of the editor's definition (saved or not) before it is published; nothing is stored; bad bodies are 422.</summary>
    [Test]
    public async Task The_matrix_of_a_draft_is_computed_from_the_body_and_bad_bodies_are_422()
    {
        var id = $"matrix-{Guid.NewGuid():N}"[..18];
        var before = await _factory.SnapshotAsync();
        var matrix = await _analyst.PostObjectAsync("/api/definitions/matrix", TestFlows.SingleTask(id, status: "Checking", department: "Backoffice"));
        Assert.That((matrix.Text("definitionId"), matrix["version"]!.GetValue<int>()), Is.EqualTo((id, 0)));
        var row = matrix["rows"]!.AsArray().Single()!;
        Assert.That((row.Text("fromStatus"), row.Text("fromDepartment"), row.Text("action"), row.Text("toStatus")), Is.EqualTo(("Checking", "Backoffice", "Approve", "Done")));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "computing a matrix stores nothing");
        await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync("/api/definitions/matrix", new JsonArray(1, 2)), HttpStatusCode.UnprocessableEntity);
        await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync("/api/definitions/matrix", new { id, activities = "none" }), HttpStatusCode.UnprocessableEntity);
        Assert.That((await _factory.CreateClient().PostAsJsonAsync("/api/definitions/matrix", TestFlows.SingleTask(id))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        // Side doors: it walks a body the caller sends, for the designer only — operators, supervisors and keys are refused.
        foreach (var user in new[] { "cs1", "supervisor1", "checker1" })
        {
            using var other = await _factory.AsUserAsync(user);
            await ApiAssert.ProblemAsync(await other.PostAsJsonAsync("/api/definitions/matrix", TestFlows.SingleTask(id)), HttpStatusCode.Forbidden);
        }
        await ApiAssert.ProblemAsync(await _factory.AsSystem().PostAsJsonAsync("/api/definitions/matrix", TestFlows.SingleTask(id)), HttpStatusCode.Forbidden);

        // 24 decisions in a row, each with two branches to the next: 2^24 paths — refused in words, not a hang or a 500
        var activities = new JsonArray { new JsonObject { ["id"] = "start", ["type"] = "Start" } };
        var connections = new JsonArray { new JsonObject { ["source"] = "start", ["outcome"] = "Done", ["target"] = "d0" } };
        for (var i = 0; i < 24; i++)
        {
            activities.Add(new JsonObject { ["id"] = $"d{i}", ["type"] = "Decision", ["inputs"] = new JsonObject { ["condition"] = "true" } });
            foreach (var outcome in new[] { "True", "False" }) connections.Add(new JsonObject { ["source"] = $"d{i}", ["outcome"] = outcome, ["target"] = i == 23 ? "task" : $"d{i + 1}" });
        }
        var wide = TestFlows.SingleTask(id);
        var task = wide["activities"]!.AsArray().Single(a => a!.Text("id") == "task")!.DeepClone();
        var done = wide["activities"]!.AsArray().Single(a => a!.Text("id") == "done")!.DeepClone();
        activities.Add(task);
        activities.Add(done);
        connections.Add(new JsonObject { ["source"] = "task", ["outcome"] = "Approve", ["target"] = "done" });
        wide["activities"] = activities;
        wide["connections"] = connections;
        var interrupt = JsonNode.Parse("""[ { "event": "Go", "target": "d0" } ]""");
        wide["interrupts"] = interrupt;
        var refused = await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync("/api/definitions/matrix", wide), HttpStatusCode.UnprocessableEntity);
        Assert.That(refused.Text("detail"), Does.Contain("too many paths"));
    }

    [Test]
    public async Task The_matrix_of_sample_approval_lists_who_moves_it_from_which_status()
    {
        var matrix = await _analyst.GetObjectAsync("/api/definitions/sample-approval/matrix");
        var rows = matrix["rows"]!.AsArray();
        Assert.That(rows, Is.Not.Empty);
        Assert.That(rows.Select(r => $"{r.Text("fromStatus")}:{r.Text("action")}"), Does.Contain("InReview:Approve").And.Contain("InReview:Reject").And.Contain("ApprovedByCS:Approve"));
        var boApprove = rows.First(r => r.Text("fromStatus") == "ApprovedByCS" && r.Text("action") == "Approve")!;
        Assert.That(boApprove["department"]?.GetValue<string>(), Is.EqualTo("Backoffice"));
    }

    [Test]
    public async Task The_schema_is_served_as_JSON_schema()
    {
        var response = await _analyst.GetAsync("/api/definitions/schema");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/schema+json"));
        // The embedded workflow-definition.schema.json is currently an empty object (reported to the lead); the route serves it as a JSON object.
        Assert.That(JsonNode.Parse(await response.Content.ReadAsStringAsync()), Is.InstanceOf<JsonObject>());
    }
}
