// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// Publishing needs a second analyst (ADR 7, issue 8 attack 5): submit a snapshot, another analyst approves exactly that
/// snapshot, the submitter never can; reject, identical content, stale base, suspension and the definition journal.
/// Over HTTP on PostgreSQL.
/// </summary>
[TestFixture]
public sealed class PublishingApprovalTests : WdFixture
{
    private static int _counter;

    private static string NewId(string prefix) => $"{prefix}-{Interlocked.Increment(ref _counter)}";

    private Task<HttpClient> As(string user) => Wd.AsAsync(user);

    private async Task<JsonArray> VersionsAsync(string id) =>
        (await (await As("analyst1")).GetFromJsonAsync<JsonArray>($"/api/definitions/{id}/versions"))!;

    private async Task<JsonArray> JournalAsync(string id) =>
        (await (await As("analyst1")).GetObjectAsync($"/api/definitions/{id}/journal")).Items();

    private async Task<JsonObject> ApproveAsync(JsonObject request, string reviewer = "analyst2") =>
        await (await As(reviewer)).PostObjectAsync($"/api/publish-requests/{request.Text("id")}/approve", null);

    /// <summary>The current wd-request as an editable document: start → create drafts → execute, no person involved.</summary>
    private async Task<JsonObject> WdVersionThatPaysWithoutApprovalAsync()
    {
        var current = (await (await As("analyst1")).GetObjectAsync("/api/definitions/wd-request"))["definition"]!.AsObject();
        current.Remove("version");
        foreach (var c in current["connections"]!.AsArray().OfType<JsonObject>())
        {
            if (c.Text("source") == "start") c["target"] = "create_drafts";
            if (c.Text("source") == "create_drafts") c["target"] = "mark_executing";
        }
        // Keeps the people's stages reachable so that the version is valid: the attack is a valid flow, not a broken one.
        current["interrupts"]!.AsArray().Add(new JsonObject { ["event"] = "Backdoor", ["target"] = "cs_new" });
        return current;
    }

    [Test]
    public async Task Attack5_analyst1_alone_cannot_publish_a_wd_request_version_that_pays_without_approval()
    {
        var versionsBefore = await VersionsAsync("wd-request");
        var current = versionsBefore.Single(v => v!["isCurrent"]!.GetValue<bool>())!["version"]!.GetValue<int>();
        var request = await Factory.SubmitAsync(await WdVersionThatPaysWithoutApprovalAsync(), "analyst1", "faster payouts");
        Assert.That(request.Text("status"), Is.EqualTo("Pending"));
        Assert.That(request["baseVersion"]!.GetValue<int>(), Is.EqualTo(current));
        Assert.That(request["validation"]!["valid"]!.GetValue<bool>(), Is.True);
        var before = await Factory.SnapshotAsync();

        var own = await (await As("analyst1")).PostAsync($"/api/publish-requests/{request.Text("id")}/approve", null);
        var problem = await ApiAssert.ProblemAsync(own, HttpStatusCode.Forbidden);
        Assert.That(problem.Text("detail"), Does.Contain("Four eyes").And.Contain("analyst1"));

        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "a refused approval writes nothing");
        Assert.That((await VersionsAsync("wd-request")).ToJsonString(), Is.EqualTo(versionsBefore.ToJsonString()));
        var detail = await (await As("analyst2")).GetObjectAsync($"/api/publish-requests/{request.Text("id")}");
        Assert.That(detail["request"]!.Text("status"), Is.EqualTo("Pending"));

        // The next WD request still runs the published version: it waits at CS, nothing was paid.
        var card = await Wd.CreateAsync(amount: 250m);
        Assert.That(card.Status(), Is.Not.EqualTo("Completed").And.Not.EqualTo("Executing"));
        var id = Guid.Parse(card.Text("id"));
        var version = await Factory.QueryAsync(db => db.Instances.Where(i => i.Id == id).Select(i => i.DefinitionVersion).SingleAsync());
        Assert.That(version, Is.EqualTo(current));
        Assert.That(await Factory.QueryAsync(db => db.BalanceOperations.CountAsync(o => o.Account == card.Text("tradingAccount"))), Is.Zero);
    }

    [Test]
    public async Task A_second_analyst_approves_and_exactly_the_submitted_snapshot_is_published_even_if_the_draft_changed_since()
    {
        var id = NewId("pub-snapshot");
        Assert.That(await Factory.PublishAsync(TestFlows.SingleTask(id, status: "One")), Is.EqualTo(1));
        var request = await Factory.SubmitAsync(TestFlows.SingleTask(id, status: "Two"), note: "rename the stage");
        // analyst1 keeps editing after submitting; the reviewer approves what they saw, not this.
        var later = await (await As("analyst1")).PutAsJsonAsync($"/api/definitions/{id}/draft", TestFlows.SingleTask(id, status: "Three"));
        Assert.That(later.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var approved = await ApproveAsync(request);
        Assert.That(approved["version"]!.GetValue<int>(), Is.EqualTo(2));
        var v2 = await (await As("analyst1")).GetObjectAsync($"/api/definitions/{id}?version=2");
        Assert.That(v2["definition"]!["activities"]![1]!["inputs"]!.Text("status"), Is.EqualTo("Two"));
        Assert.That(v2.Text("createdBy"), Is.EqualTo("analyst2"));
        // The later edit is still a draft of its own.
        var draft = await (await As("analyst1")).GetObjectAsync($"/api/definitions/{id}/draft");
        Assert.That(draft["definition"]!["activities"]![1]!["inputs"]!.Text("status"), Is.EqualTo("Three"));

        var started = await Factory.AsTestSystem().PostObjectAsync($"/api/definitions/{id}/instances", new { input = new { } });
        Assert.That(started["version"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(started.Text("businessStatus"), Is.EqualTo("Two"));

        var decided = await (await As("analyst1")).GetObjectAsync($"/api/publish-requests/{request.Text("id")}");
        Assert.That(decided["request"]!.Text("status"), Is.EqualTo("Approved"));
        Assert.That(decided["request"]!.Text("decidedBy"), Is.EqualTo("analyst2"));
        Assert.That(decided["request"]!["publishedVersion"]!.GetValue<int>(), Is.EqualTo(2));
        // Decided once: a second approval or a rejection afterwards is a conflict.
        await ApiAssert.ProblemAsync(await (await As("analyst2")).PostAsync($"/api/publish-requests/{request.Text("id")}/approve", null), HttpStatusCode.Conflict);
        await ApiAssert.ProblemAsync(await (await As("analyst2")).PostAsJsonAsync($"/api/publish-requests/{request.Text("id")}/reject", new { reason = "late" }), HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Approving_a_draft_unchanged_since_submitting_clears_the_draft()
    {
        var id = NewId("pub-clear");
        await Factory.PublishAsync(TestFlows.SingleTask(id));
        await ApiAssert.ProblemAsync(await (await As("analyst1")).GetAsync($"/api/definitions/{id}/draft"), HttpStatusCode.NotFound);
        var list = (await (await As("analyst1")).GetObjectAsync("/api/definitions?pageSize=500")).Items();
        Assert.That(list.Single(d => d!.Text("id") == id)!["hasDraft"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task The_review_shows_the_published_json_a_diff_with_old_and_new_values_and_the_validation_result()
    {
        var id = NewId("pub-diff");
        await Factory.PublishAsync(TestFlows.SingleTask(id, status: "Before"));
        var changed = TestFlows.SingleTask(id, status: "After", actions: """[ { "name": "Approve", "displayName": "Approve" }, { "name": "Reject", "displayName": "Reject" } ]""");
        changed["variables"] = JsonNode.Parse("""[ { "name": "reason", "type": "string" } ]""");
        changed["description"] = "Now with a rejection.";
        var request = await Factory.SubmitAsync(changed);

        var detail = await (await As("analyst2")).GetObjectAsync($"/api/publish-requests/{request.Text("id")}");
        Assert.That(detail["publishedVersion"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(detail["published"]!["activities"]![1]!["inputs"]!.Text("status"), Is.EqualTo("Before"));
        Assert.That(detail["definition"]!["activities"]![1]!["inputs"]!.Text("status"), Is.EqualTo("After"));
        Assert.That(detail["validation"]!["valid"]!.GetValue<bool>(), Is.True);
        var diff = detail["diff"]!.AsObject();
        Assert.That(diff["isEmpty"]!.GetValue<bool>(), Is.False);
        var task = diff["activities"]!["changed"]!.AsArray().Single()!;
        Assert.That(task.Text("key"), Is.EqualTo("task"));
        var status = task["fields"]!.AsArray().Single(f => f!.Text("field") == "inputs.status")!;
        Assert.That((status.Text("old"), status.Text("new")), Is.EqualTo(("Before", "After")));
        Assert.That(task["fields"]!.AsArray().Select(f => f!.Text("field")), Does.Contain("inputs.actions"));
        Assert.That(diff["connections"]!["added"]!.AsArray().Select(c => c!.Text("outcome")), Is.EqualTo(new[] { "Reject" }));
        Assert.That(diff["connections"]!["removed"]!.AsArray(), Is.Empty);
        Assert.That(diff["variables"]!["added"]!.AsArray().Select(v => v!.Text("name")), Is.EqualTo(new[] { "reason" }));
        var description = diff["definition"]!.AsArray().Single(f => f!.Text("field") == "description")!;
        Assert.That(description["new"]!.GetValue<string>(), Is.EqualTo("Now with a rejection."));
        Assert.That(diff["inputs"]!["changed"]!.AsArray(), Is.Empty);

        var pending = (await (await As("analyst2")).GetObjectAsync($"/api/publish-requests?status=pending&definitionId={id}")).Items();
        Assert.That(pending.Select(r => r!.Text("id")), Is.EqualTo(new[] { request.Text("id") }));
        var forDefinition = (await (await As("analyst2")).GetObjectAsync($"/api/definitions/{id}/publish-requests")).Items();
        Assert.That(forDefinition.Select(r => r!.Text("status")), Is.EquivalentTo(new[] { "Pending", "Approved" }));
    }

    [Test]
    public async Task Rejecting_needs_a_reason_publishes_nothing_and_is_journaled()
    {
        var id = NewId("pub-reject");
        await Factory.PublishAsync(TestFlows.SingleTask(id, status: "One"));
        var request = await Factory.SubmitAsync(TestFlows.SingleTask(id, status: "Two"));
        var before = await Factory.SnapshotAsync();
        var reviewer = await As("analyst2");
        await ApiAssert.ProblemAsync(await reviewer.PostAsJsonAsync($"/api/publish-requests/{request.Text("id")}/reject", new { reason = "  " }), HttpStatusCode.UnprocessableEntity, "reason");
        await ApiAssert.ProblemAsync(await reviewer.PostAsync($"/api/publish-requests/{request.Text("id")}/reject", null), HttpStatusCode.UnprocessableEntity, "reason");
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));

        var rejected = await reviewer.PostObjectAsync($"/api/publish-requests/{request.Text("id")}/reject", new { reason = "Two is not a status the manual knows." });
        Assert.That(rejected.Text("status"), Is.EqualTo("Rejected"));
        Assert.That(rejected.Text("decisionReason"), Is.EqualTo("Two is not a status the manual knows."));
        Assert.That((await VersionsAsync(id)).Count, Is.EqualTo(1));
        await ApiAssert.ProblemAsync(await reviewer.PostAsync($"/api/publish-requests/{request.Text("id")}/approve", null), HttpStatusCode.Conflict);
        var last = (await JournalAsync(id)).Last()!;
        Assert.That((last.Text("kind"), last.Text("userId"), last.Text("contentHash"), last.Text("note")),
            Is.EqualTo(("Rejected", "analyst2", request.Text("contentHash"), "Two is not a status the manual knows.")));
    }

    [Test]
    public async Task Content_identical_to_the_published_version_is_409_and_a_repeated_submit_returns_the_pending_request()
    {
        var id = NewId("pub-same");
        await Factory.PublishAsync(TestFlows.SingleTask(id, status: "One"));
        var analyst = await As("analyst1");
        Assert.That((await analyst.PutAsJsonAsync($"/api/definitions/{id}/draft", TestFlows.SingleTask(id, status: "One"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var before = await Factory.SnapshotAsync();
        var same = await ApiAssert.ProblemAsync(await analyst.PostAsync($"/api/definitions/{id}/publish", null), HttpStatusCode.Conflict);
        Assert.That(same.Text("detail"), Does.Contain("identical content is not a new version"));
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));

        var first = await Factory.SubmitAsync(TestFlows.SingleTask(id, status: "Two"));
        var again = await Factory.SubmitAsync(TestFlows.SingleTask(id, status: "Two"), "analyst2");
        Assert.That(again.Text("id"), Is.EqualTo(first.Text("id")));
        Assert.That(again.Text("submittedBy"), Is.EqualTo("analyst1"));
        Assert.That(await Factory.QueryAsync(db => db.PublishRequests.CountAsync(r => r.DefinitionId == id && r.Status == "Pending")), Is.EqualTo(1));
        await ApiAssert.ProblemAsync(await analyst.PostAsync($"/api/definitions/no-such-flow/publish", null), HttpStatusCode.NotFound);
    }

    /// <summary>
    /// Issue 14: identical content is refused on every route that publishes — another analyst's submit (with a note),
    /// an API key, and the approval of an older request whose content another request published meanwhile.
    /// </summary>
    [Test]
    public async Task Identical_content_is_refused_on_every_publish_route_with_a_problem_that_says_so()
    {
        var id = NewId("pub-identical");
        Assert.That(await Factory.PublishAsync(TestFlows.SingleTask(id, status: "A")), Is.EqualTo(1));
        var older = await Factory.SubmitAsync(TestFlows.SingleTask(id, status: "B"), note: "B first");
        Assert.That(await Factory.PublishAsync(TestFlows.SingleTask(id, status: "C")), Is.EqualTo(2));
        Assert.That(await Factory.PublishAsync(TestFlows.SingleTask(id, status: "B")), Is.EqualTo(3));

        // the draft now equals v3: analyst2 (another identity) submits it with a note, and with no body
        var analyst2 = await As("analyst2");
        Assert.That((await analyst2.PutAsJsonAsync($"/api/definitions/{id}/draft", TestFlows.SingleTask(id, status: "B"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var before = await Factory.SnapshotAsync();
        foreach (var body in new object?[] { new { note = "same again" }, null })
        {
            var response = await analyst2.PostAsync($"/api/definitions/{id}/publish", body is null ? null : JsonContent.Create(body));
            var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict);
            Assert.That(problem.Text("detail"), Does.Contain("identical content is not a new version").And.Contain("version 3"));
        }
        // an API key never publishes (and learns nothing about the content)
        await ApiAssert.ProblemAsync(await Factory.AsTestSystem().PostAsJsonAsync($"/api/definitions/{id}/publish", new { note = "key" }), HttpStatusCode.Forbidden);

        // the side door: approving the older request whose content (B) v3 already holds
        var approval = await ApiAssert.ProblemAsync(await (await As("analyst2")).PostAsync($"/api/publish-requests/{older.Text("id")}/approve", null), HttpStatusCode.Conflict);
        Assert.That(approval.Text("detail"), Does.Contain("identical content is not a new version"));
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "nothing was written by any refusal");
        Assert.That((await VersionsAsync(id)).Count, Is.EqualTo(3));
        Assert.That((await VersionsAsync(id)).Select(v => v!.Text("contentHash")).Distinct().Count(), Is.EqualTo(3), "no two versions hold the same content");
    }

    /// <summary>Issue 14: the submitter's note is stored as typed and shown to the reviewer (detail, list, journal); too long a note is a 422 naming it.</summary>
    [Test]
    public async Task The_note_is_stored_and_shown_to_the_reviewer_and_an_over_long_note_is_refused()
    {
        var id = NewId("pub-note");
        await Factory.PublishAsync(TestFlows.SingleTask(id, status: "One"));
        var analyst1 = await As("analyst1");
        Assert.That((await analyst1.PutAsJsonAsync($"/api/definitions/{id}/draft", TestFlows.SingleTask(id, status: "Two"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var before = await Factory.SnapshotAsync();
        await ApiAssert.ProblemAsync(await analyst1.PostAsJsonAsync($"/api/definitions/{id}/publish", new { note = new string('x', 2001) }), HttpStatusCode.UnprocessableEntity, "note");
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));

        const string note = "Stage renamed to Two: the manual calls it so (p. 12).";
        var request = await analyst1.PostObjectAsync($"/api/definitions/{id}/publish", new { note = "  " + note + "  " });
        Assert.That(request.Text("note"), Is.EqualTo(note));
        var reviewer = await As("analyst2");
        var detail = await reviewer.GetObjectAsync($"/api/publish-requests/{request.Text("id")}");
        Assert.That(detail["request"]!.Text("note"), Is.EqualTo(note));
        var listed = (await reviewer.GetObjectAsync($"/api/publish-requests?status=Pending&definitionId={id}")).Items().Single()!;
        Assert.That(listed.Text("note"), Is.EqualTo(note));
        var submitted = (await JournalAsync(id)).Last(j => j!.Text("kind") == "Submitted")!;
        Assert.That(submitted.Text("note"), Is.EqualTo(note));
    }

    /// <summary>Issue 14: the reviewer sees the impact of exactly the submitted snapshot on recent instances, not of the draft as it is now.</summary>
    [Test]
    public async Task The_reviewer_previews_the_impact_of_the_submitted_snapshot()
    {
        var id = NewId("pub-impact");
        await Factory.PublishAsync(TestFlows.SingleTask(id, status: "One"));
        var waiting = await Factory.AsTestSystem().PostObjectAsync($"/api/definitions/{id}/instances", new { input = new { } });
        // the snapshot renames the stage the instance waits at; the draft is then put back to v1's content
        var renamed = TestFlows.SingleTask(id, status: "One");
        renamed["activities"]![1]!["id"] = "check";
        foreach (var c in renamed["connections"]!.AsArray().OfType<JsonObject>())
        {
            if (c.Text("target") == "task") c["target"] = "check";
            if (c.Text("source") == "task") c["source"] = "check";
        }
        var request = await Factory.SubmitAsync(renamed, note: "rename the stage");
        Assert.That((await (await As("analyst1")).PutAsJsonAsync($"/api/definitions/{id}/draft", TestFlows.SingleTask(id, status: "One"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var before = await Factory.SnapshotAsync();
        var report = await (await As("analyst2")).PostObjectAsync($"/api/publish-requests/{request.Text("id")}/impact", null);
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "a preview writes nothing");
        var item = report["items"]!.AsArray().Single()!;
        Assert.That((item.Text("instanceId"), item.Text("impact")), Is.EqualTo((waiting.Text("id"), "pathChanged")));
        await ApiAssert.ProblemAsync(await (await As("analyst2")).PostAsync($"/api/publish-requests/{Guid.NewGuid()}/impact", null), HttpStatusCode.NotFound);
        await ApiAssert.ProblemAsync(await (await As("analyst2")).PostAsync($"/api/publish-requests/{request.Text("id")}/impact?limit=0", null), HttpStatusCode.UnprocessableEntity, "limit");
    }

    [Test]
    public async Task An_analyst_who_wrote_the_draft_cannot_approve_it_even_when_a_colleague_submitted_it()
    {
        // The review's attack: analyst1 writes the change, analyst2 saves over it (or not) and submits, analyst1 approves.
        var id = NewId("pub-author");
        await Factory.PublishAsync(TestFlows.SingleTask(id, status: "One"));
        var analyst1 = await As("analyst1");
        Assert.That((await analyst1.PutAsJsonAsync($"/api/definitions/{id}/draft", TestFlows.SingleTask(id, status: "Two"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var request = await Factory.SubmitAsync(TestFlows.SingleTask(id, status: "Two"), "analyst2", "submitted by a colleague");
        var before = await Factory.SnapshotAsync();

        var problem = await ApiAssert.ProblemAsync(await analyst1.PostAsync($"/api/publish-requests/{request.Text("id")}/approve", null), HttpStatusCode.Forbidden);
        Assert.That(problem.Text("detail"), Does.Contain("Four eyes").And.Contain("saved a draft"));
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "a refused approval writes nothing");
        Assert.That((await VersionsAsync(id)).Count, Is.EqualTo(1), "nothing was published");
        var journal = (await analyst1.GetObjectAsync($"/api/definitions/{id}/journal")).ToJsonString();
        Assert.That(journal, Does.Contain("DraftSaved"), "every draft save is journaled with who saved it");
    }

    [Test]
    public async Task A_request_whose_base_version_moved_is_refused_on_approval_and_must_be_resubmitted()
    {
        var id = NewId("pub-stale");
        await Factory.PublishAsync(TestFlows.SingleTask(id, status: "One"));
        var older = await Factory.SubmitAsync(TestFlows.SingleTask(id, status: "Two"));
        Assert.That(await Factory.PublishAsync(TestFlows.SingleTask(id, status: "Three")), Is.EqualTo(2));

        var list = (await (await As("analyst2")).GetObjectAsync($"/api/definitions/{id}/publish-requests?status=Pending")).Items();
        Assert.That(list.Single()!["stale"]!.GetValue<bool>(), Is.True);
        var before = await Factory.SnapshotAsync();
        var problem = await ApiAssert.ProblemAsync(await (await As("analyst2")).PostAsync($"/api/publish-requests/{older.Text("id")}/approve", null), HttpStatusCode.Conflict);
        Assert.That(problem.Text("detail"), Does.Contain("resubmit"));
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));

        var resubmitted = await Factory.SubmitAsync(TestFlows.SingleTask(id, status: "Two"));
        Assert.That(resubmitted.Text("id"), Is.Not.EqualTo(older.Text("id")));
        Assert.That(resubmitted["baseVersion"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That((await ApproveAsync(resubmitted))["version"]!.GetValue<int>(), Is.EqualTo(3));
    }

    [Test]
    public async Task A_suspended_version_refuses_new_starts_on_every_route_and_resuming_allows_them()
    {
        var id = NewId("pub-suspend");
        await Factory.PublishAsync(TestFlows.SingleTask(id));
        var reviewer = await As("analyst2");
        await ApiAssert.ProblemAsync(await reviewer.PostAsJsonAsync($"/api/definitions/{id}/versions/1/suspend", new { reason = "" }), HttpStatusCode.UnprocessableEntity, "reason");
        var suspended = await reviewer.PostObjectAsync($"/api/definitions/{id}/versions/1/suspend", new { reason = "Wrong department" });
        Assert.That((suspended["suspended"]!.GetValue<bool>(), suspended.Text("suspendedBy"), suspended.Text("suspendReason")), Is.EqualTo((true, "analyst2", "Wrong department")));
        Assert.That((await VersionsAsync(id)).Single()!["suspended"]!.GetValue<bool>(), Is.True);
        await ApiAssert.ProblemAsync(await reviewer.PostAsJsonAsync($"/api/definitions/{id}/versions/1/suspend", new { reason = "again" }), HttpStatusCode.Conflict);

        var before = await Factory.SnapshotAsync();
        var refused = await ApiAssert.ProblemAsync(await Factory.AsTestSystem().PostAsJsonAsync($"/api/definitions/{id}/instances", new { input = new { } }), HttpStatusCode.Conflict);
        Assert.That(refused.Text("detail"), Does.Contain("suspended").And.Contain("Wrong department"));
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));

        await reviewer.PostObjectAsync($"/api/definitions/{id}/versions/1/resume", new { reason = "Fixed in the configuration" });
        Assert.That((await VersionsAsync(id)).Single()!["suspended"]!.GetValue<bool>(), Is.False);
        var started = await Factory.AsTestSystem().PostObjectAsync($"/api/definitions/{id}/instances", new { input = new { } });
        Assert.That(started["version"]!.GetValue<int>(), Is.EqualTo(1));
        await ApiAssert.ProblemAsync(await reviewer.PostAsync($"/api/definitions/{id}/versions/1/resume", null), HttpStatusCode.Conflict);
        await ApiAssert.ProblemAsync(await reviewer.PostAsJsonAsync($"/api/definitions/{id}/versions/9/suspend", new { reason = "x" }), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task A_suspended_wd_request_refuses_new_WD_requests_through_the_domain_route()
    {
        var current = (await VersionsAsync("wd-request")).Single(v => v!["isCurrent"]!.GetValue<bool>())!["version"]!.GetValue<int>();
        var reviewer = await As("analyst2");
        await reviewer.PostObjectAsync($"/api/definitions/wd-request/versions/{current}/suspend", new { reason = "Ledger maintenance" });
        try
        {
            var (customer, account) = WdDriver.NewAccountIds();
            await Wd.PutAccountAsync(account, customer);
            var before = await Factory.SnapshotAsync();
            var response = await Wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 100m, currency = "USD", comment = "Customer asked by phone" });
            var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Conflict);
            Assert.That(problem.Text("detail"), Does.Contain("suspended"));
            Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));
            Assert.That(await Factory.QueryAsync(db => db.WdRequests.CountAsync(w => w.TradingAccount == account)), Is.Zero);
        }
        finally
        {
            await reviewer.PostObjectAsync($"/api/definitions/wd-request/versions/{current}/resume", null);
        }
        Assert.That((await Wd.CreateAsync()).Status(), Is.Not.Empty);
    }

    [Test]
    public async Task Instances_in_flight_continue_on_a_suspended_version()
    {
        var id = NewId("pub-inflight");
        await Factory.PublishAsync(TestFlows.SingleTask(id));
        var started = await Factory.AsTestSystem().PostObjectAsync($"/api/definitions/{id}/instances", new { input = new { } });
        await (await As("analyst2")).PostObjectAsync($"/api/definitions/{id}/versions/1/suspend", new { reason = "Review" });

        var cs = await As("cs1");
        var task = (await cs.GetObjectAsync($"/api/instances/{started.Text("id")}"))["openTasks"]!.AsArray().Single()!.Text("id");
        var after = await cs.PostObjectAsync($"/api/tasks/{task}/complete", new { action = "Approve" });
        Assert.That(after.Text("status"), Is.EqualTo("Completed"));
    }

    [Test]
    public async Task A_CallWorkflow_child_of_a_suspended_flow_is_refused_and_the_parent_step_writes_nothing()
    {
        var child = NewId("pub-child");
        var parent = NewId("pub-parent");
        await Factory.PublishAsync(TestFlows.SingleTask(child, department: "Backoffice"));
        var parentFlow = TestFlows.SingleTask(parent);
        parentFlow["activities"]!.AsArray().Insert(2, JsonNode.Parse($$"""{ "id": "call", "type": "CallWorkflow", "inputs": { "definition": "{{child}}" } }"""));
        parentFlow["connections"] = JsonNode.Parse("""
            [ { "source": "start", "outcome": "Done", "target": "task" }, { "source": "task", "outcome": "Approve", "target": "call" },
              { "source": "call", "outcome": "Completed", "target": "done" } ]
            """);
        await Factory.PublishAsync(parentFlow);
        var started = await Factory.AsTestSystem().PostObjectAsync($"/api/definitions/{parent}/instances", new { input = new { } });
        await (await As("analyst2")).PostObjectAsync($"/api/definitions/{child}/versions/1/suspend", new { reason = "Checker rules under review" });

        var cs = await As("cs1");
        var task = (await cs.GetObjectAsync($"/api/instances/{started.Text("id")}"))["openTasks"]!.AsArray().Single()!.Text("id");
        var before = await Factory.SnapshotAsync();
        var problem = await ApiAssert.ProblemAsync(await cs.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Approve" }), HttpStatusCode.Conflict);
        Assert.That(problem.Text("detail"), Does.Contain(child).And.Contain("suspended"));
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));

        await (await As("analyst2")).PostObjectAsync($"/api/definitions/{child}/versions/1/resume", null);
        var after = await cs.PostObjectAsync($"/api/tasks/{task}/complete", new { action = "Approve" });
        Assert.That(after.Text("status"), Is.EqualTo("Running"));
        Assert.That(await Factory.QueryAsync(db => db.Instances.CountAsync(i => i.DefinitionId == child)), Is.EqualTo(1));
    }

    [Test]
    public async Task The_definition_journal_records_submit_approve_suspend_resume_and_files_with_the_content_hash()
    {
        var id = NewId("pub-journal");
        var request = await Factory.SubmitAsync(TestFlows.SingleTask(id), note: "first cut");
        await ApproveAsync(request);
        var reviewer = await As("analyst1");
        await reviewer.PostObjectAsync($"/api/definitions/{id}/versions/1/suspend", new { reason = "pause" });
        await reviewer.PostObjectAsync($"/api/definitions/{id}/versions/1/resume", null);

        var hash = request.Text("contentHash");
        var version = (await VersionsAsync(id)).Single()!;
        Assert.That(version.Text("contentHash"), Is.EqualTo(hash));
        var journal = await JournalAsync(id);
        Assert.That(journal.OfType<JsonObject>().Select(j => (j.Text("kind"), j.Text("userId"), j["contentHash"]!.GetValue<string>(), j["version"]?.GetValue<int>())), Is.EqualTo(new[]
        {
            ("DraftSaved", "analyst1", hash, (int?)null),
            ("Submitted", "analyst1", hash, (int?)null),
            ("Approved", "analyst2", hash, 1),
            ("Suspended", "analyst1", hash, 1),
            ("Resumed", "analyst1", hash, 1),
        }));
        Assert.That(journal[1]!.Text("note"), Is.EqualTo("first cut"));
        Assert.That(journal[1]!.Text("requestId"), Is.EqualTo(request.Text("id")));
        Assert.That(journal[2]!.Text("requestId"), Is.EqualTo(request.Text("id")));
        Assert.That(journal[3]!.Text("note"), Is.EqualTo("pause"));

        // Development start-up published the shipped flows straight from workflows/ (code-reviewed files) and says so.
        var shipped = await JournalAsync("sample-approval");
        var fromFile = shipped.First(j => j!.Text("kind") == "PublishedFromFile")!;
        var sampleVersion = (await VersionsAsync("sample-approval")).Last()!;
        Assert.That((fromFile.Text("userId"), fromFile["version"]!.GetValue<int>(), fromFile.Text("contentHash")),
            Is.EqualTo(("workflows/", sampleVersion["version"]!.GetValue<int>(), sampleVersion.Text("contentHash"))));
    }

    [TestCase("cs1")]
    [TestCase("supervisor1")]
    [TestCase("system")]
    [TestCase("anonymous")]
    public async Task Non_analysts_cannot_submit_review_approve_reject_suspend_or_read_the_journal(string caller)
    {
        var id = NewId("pub-refused");
        await Factory.PublishAsync(TestFlows.SingleTask(id, status: "One"));
        var request = await Factory.SubmitAsync(TestFlows.SingleTask(id, status: "Two"));
        var client = caller == "anonymous" ? Factory.CreateClient() : await As(caller);
        var expected = caller == "anonymous" ? HttpStatusCode.Unauthorized : HttpStatusCode.Forbidden;
        var before = await Factory.SnapshotAsync();
        var calls = new (HttpMethod Method, string Url, object? Body)[]
        {
            (HttpMethod.Post, $"/api/definitions/{id}/publish", new { note = "x" }),
            (HttpMethod.Get, $"/api/definitions/{id}/publish-requests", null),
            (HttpMethod.Get, "/api/publish-requests", null),
            (HttpMethod.Get, $"/api/publish-requests/{request.Text("id")}", null),
            (HttpMethod.Post, $"/api/publish-requests/{request.Text("id")}/impact", null),
            (HttpMethod.Post, $"/api/publish-requests/{request.Text("id")}/approve", null),
            (HttpMethod.Post, $"/api/publish-requests/{request.Text("id")}/reject", new { reason = "no" }),
            (HttpMethod.Post, $"/api/definitions/{id}/versions/1/suspend", new { reason = "no" }),
            (HttpMethod.Post, $"/api/definitions/{id}/versions/1/resume", new { reason = "no" }),
            (HttpMethod.Get, $"/api/definitions/{id}/journal", null),
        };
        foreach (var (method, url, body) in calls)
        {
            var response = await client.SendAsync(new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) });
            Assert.That(response.StatusCode, Is.EqualTo(expected), $"{caller} {method} {url}: {await response.Content.ReadAsStringAsync()}");
        }
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));
        var pending = await Factory.QueryAsync(db => db.PublishRequests.SingleAsync(r => r.Id == Guid.Parse(request.Text("id"))));
        Assert.That(pending.Status, Is.EqualTo("Pending"));
    }

    [Test]
    public async Task Unknown_or_malformed_request_ids_are_404()
    {
        var reviewer = await As("analyst2");
        await ApiAssert.ProblemAsync(await reviewer.GetAsync($"/api/publish-requests/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        await ApiAssert.ProblemAsync(await reviewer.PostAsync("/api/publish-requests/not-a-guid/approve", null), HttpStatusCode.NotFound);
        await ApiAssert.ProblemAsync(await reviewer.GetAsync("/api/publish-requests?status=Maybe"), HttpStatusCode.BadRequest, "status");
        await ApiAssert.ProblemAsync(await reviewer.GetAsync("/api/definitions/no-such-flow/journal"), HttpStatusCode.NotFound);
    }
}
