// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// Moving running instances to another version (ADR 12) over HTTP on PostgreSQL: preview, submit by one analyst,
/// apply by another; open tasks, timers and the rows derived from them follow; and the doors around it stay shut.
/// </summary>
[TestFixture]
public sealed class InstanceMigrationApiTests
{
    private static int _counter;
    private ApiFactory _factory = null!;
    private HttpClient _system = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _system = _factory.AsTestSystem();
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _system.Dispose();
        await _factory.DisposeAsync();
    }

    private static string NewId() => $"mig-{Interlocked.Increment(ref _counter)}";

    /// <summary>v1: start → review (CS, SLA 4 h) → done. v2: review renamed to check, then a second approval.</summary>
    private static JsonObject V1(string id) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Migration test",
          "variables": [ { "name": "amount", "type": "number", "default": 0 } ],
          "inputs": [ { "name": "amount", "type": "number" } ],
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "review", "type": "UserTask", "inputs": { "title": "Review", "status": "Review", "department": "CS", "dueIn": "PT4H", "actions": [ { "name": "Approve", "displayName": "Approve" } ] } },
            { "id": "done", "type": "End", "inputs": { "status": "Done" } }
          ],
          "connections": [ { "source": "start", "outcome": "Done", "target": "review" }, { "source": "review", "outcome": "Approve", "target": "done" } ]
        }
        """)!.AsObject();

    private static JsonObject V2(string id) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Migration test",
          "variables": [ { "name": "amount", "type": "number", "default": 0 }, { "name": "limit", "type": "number", "default": 500 } ],
          "inputs": [ { "name": "amount", "type": "number" } ],
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "check", "type": "UserTask", "inputs": { "title": "Check", "status": "Review", "department": "CS", "dueIn": "PT4H", "actions": [ { "name": "Approve", "displayName": "Approve" } ] } },
            { "id": "second", "type": "UserTask", "inputs": { "title": "Second", "status": "Second review", "department": "CS", "actions": [ { "name": "Approve", "displayName": "Approve" } ] } },
            { "id": "done", "type": "End", "inputs": { "status": "Done" } }
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "check" },
            { "source": "check", "outcome": "Approve", "target": "second" },
            { "source": "second", "outcome": "Approve", "target": "done" }
          ]
        }
        """)!.AsObject();

    private async Task<(string Id, List<string> Instances)> TwoVersionsAsync(int instances = 2)
    {
        var id = NewId();
        Assert.That(await _factory.PublishAsync(V1(id)), Is.EqualTo(1));
        var started = new List<string>();
        for (var i = 0; i < instances; i++)
        {
            started.Add((await _system.PostObjectAsync($"/api/definitions/{id}/instances", new { correlationId = $"{id}-{i}", input = new { amount = 100 + i } })).Text("id"));
        }
        Assert.That(await _factory.PublishAsync(V2(id)), Is.EqualTo(2));
        return (id, started);
    }

    private static object Request(object? mapping = null, IEnumerable<string>? instanceIds = null, string? note = null, int from = 1, int to = 2) =>
        new { fromVersion = from, toVersion = to, mapping = mapping ?? new { review = "check" }, instanceIds, note };

    private async Task<JsonObject> SubmitAsync(string id, object request, string submitter = "analyst1")
    {
        var response = await (await _factory.AsUserAsync(submitter)).PostAsJsonAsync($"/api/definitions/{id}/migrations", request);
        var body = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body.ToJsonString());
        return body;
    }

    private async Task<HttpResponseMessage> ApproveAsync(JsonObject migration, string approver = "analyst2") =>
        await (await _factory.AsUserAsync(approver)).PostAsync($"/api/instance-migrations/{migration.Text("id")}/approve", null);

    [Test]
    public async Task Preview_lists_what_each_instance_would_do_and_the_waits_the_mapping_misses()
    {
        var (id, instances) = await TwoVersionsAsync();
        var analyst = await _factory.AsUserAsync("analyst1");
        var unmapped = await analyst.PostObjectAsync($"/api/definitions/{id}/migrations/preview", Request(mapping: new { }));
        Assert.That(unmapped["refused"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(unmapped["unmapped"]!.AsArray().Select(n => n!.GetValue<string>()), Is.EqualTo(new[] { "review" }));

        var mapped = await analyst.PostObjectAsync($"/api/definitions/{id}/migrations/preview", Request());
        Assert.That(mapped["ready"]!.GetValue<int>(), Is.EqualTo(2));
        var first = mapped["instances"]!.AsArray().Single(i => i!.Text("instanceId") == instances[0])!;
        Assert.That(first["moves"]!.AsArray().Select(m => $"{m!.Text("kind")}:{m.Text("from")}>{m.Text("to")}"), Is.EquivalentTo(new[] { "Task:review>check", "TaskDue:review>check" }));
        Assert.That(first["notes"]!.ToJsonString(), Does.Contain("limit"));
        // Ids are random and may contain "100" themselves: look at the preview without them.
        var withoutIds = System.Text.RegularExpressions.Regex.Replace(first.ToJsonString(), "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "<id>");
        Assert.That(withoutIds, Does.Not.Contain("100"), "analysts see waits and variable names, never values");
    }

    [Test]
    public async Task A_second_analyst_applies_it_and_the_instance_runs_on_the_new_version_with_its_task_and_timer()
    {
        var (id, instances) = await TwoVersionsAsync();
        var dueBefore = await _factory.QueryAsync(db => db.Bookmarks.Where(b => b.InstanceId == Guid.Parse(instances[0]) && b.DueAt != null).Select(b => b.DueAt).SingleAsync());
        var migration = await SubmitAsync(id, Request(note: "rename review"));
        Assert.That(migration.Text("status"), Is.EqualTo("Pending"));
        Assert.That(await _factory.QueryAsync(db => db.Instances.Where(i => i.Id == Guid.Parse(instances[0])).Select(i => i.DefinitionVersion).SingleAsync()), Is.EqualTo(1),
            "nothing moves before the second analyst applies it");

        using var approved = await ApproveAsync(migration);
        var applied = await approved.ReadObjectAsync();
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), applied.ToJsonString());
        Assert.That(applied.Text("status"), Is.EqualTo("Applied"));
        Assert.That(applied["results"]!.AsArray().Select(r => r!.Text("outcome")), Is.All.EqualTo("Migrated"));

        var instanceId = Guid.Parse(instances[0]);
        var instance = await _system.GetObjectAsync($"/api/instances/{instanceId}");
        Assert.That(instance["version"]!.GetValue<int>(), Is.EqualTo(2));
        var rows = await _factory.QueryAsync(async db => new
        {
            Task = await db.Tasks.Where(t => t.InstanceId == instanceId && t.Status == "Open").Select(t => new { t.ActivityId, t.DefinitionVersion }).SingleAsync(),
            Bookmarks = await db.Bookmarks.Where(b => b.InstanceId == instanceId).Select(b => new { b.ActivityId, b.DueAt }).ToListAsync(),
            Journal = await db.Journal.Where(j => j.InstanceId == instanceId).OrderBy(j => j.Sequence).Select(j => j.Kind).ToListAsync(),
            Definition = await db.DefinitionJournal.Where(j => j.DefinitionId == id).Select(j => j.Kind).ToListAsync(),
        });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(rows.Task.ActivityId, Is.EqualTo("check"));
            Assert.That(rows.Task.DefinitionVersion, Is.EqualTo(2));
            Assert.That(rows.Bookmarks.Select(b => b.ActivityId), Is.All.EqualTo("check"));
            Assert.That(rows.Bookmarks.Single(b => b.DueAt != null).DueAt, Is.EqualTo(dueBefore), "the SLA timer row keeps its due time");
            Assert.That(rows.Journal[^1], Is.EqualTo("InstanceMigrated"));
            Assert.That(rows.Definition, Does.Contain("MigrationSubmitted").And.Contain("MigrationApplied"));
        }

        // cs1 works the carried-over task; the instance now follows v2 to its second approval.
        var cs1 = await _factory.AsUserAsync("cs1");
        var taskId = (await _system.GetObjectAsync($"/api/instances/{instanceId}"))["openTasks"]!.AsArray().Single()!.Text("id");
        using var completed = await cs1.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { action = "Approve" });
        Assert.That(completed.StatusCode, Is.EqualTo(HttpStatusCode.OK), await completed.Content.ReadAsStringAsync());
        var after = await _system.GetObjectAsync($"/api/instances/{instanceId}");
        Assert.That(after.Text("businessStatus"), Is.EqualTo("Second review"));
    }

    [Test]
    public async Task A_migrated_task_obeys_the_target_versions_rules_on_the_generic_routes()
    {
        var (id, instances) = await TwoVersionsAsync(1);
        var migration = await SubmitAsync(id, Request());
        using (var approved = await ApproveAsync(migration)) Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var instance = await _system.GetObjectAsync($"/api/instances/{instances[0]}");
        var taskId = instance["openTasks"]!.AsArray().Single()!.Text("id");
        var before = await _factory.SnapshotAsync();

        // Another department, a form field the target's action does not offer, an API key, an analyst: all refused.
        using (var retention = await (await _factory.AsUserAsync("retention1")).PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { action = "Approve" }))
        {
            Assert.That(retention.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }
        var cs1 = await _factory.AsUserAsync("cs1");
        using (var extra = await cs1.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { action = "Approve", data = new { amount = 1 } }))
        {
            await ApiAssert.ProblemAsync(extra, HttpStatusCode.UnprocessableEntity, "data.amount");
        }
        using (var key = await _system.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { action = "Approve" }))
        {
            Assert.That(key.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }
        using (var analyst = await (await _factory.AsUserAsync("analyst1")).GetAsync($"/api/instances/{instances[0]}"))
        {
            Assert.That(analyst.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "analysts move instances but do not read them");
        }
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "nothing a refused call sent was written");

        using var ok = await cs1.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { action = "Approve" });
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.OK), await ok.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_submitter_cannot_apply_their_own_migration()
    {
        var (id, instances) = await TwoVersionsAsync(1);
        var migration = await SubmitAsync(id, Request());
        using var own = await ApproveAsync(migration, "analyst1");
        Assert.That(own.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await _factory.QueryAsync(db => db.Instances.Where(i => i.Id == Guid.Parse(instances[0])).Select(i => i.DefinitionVersion).SingleAsync()), Is.EqualTo(1));
    }

    [Test]
    public async Task A_migration_is_applied_once_and_a_rejected_one_never()
    {
        var (id, _) = await TwoVersionsAsync(1);
        var migration = await SubmitAsync(id, Request());
        using (var first = await ApproveAsync(migration)) Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        using (var again = await ApproveAsync(migration)) Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));

        var (other, instances) = await TwoVersionsAsync(1);
        var rejected = await SubmitAsync(other, Request());
        var analyst2 = await _factory.AsUserAsync("analyst2");
        using (var reject = await analyst2.PostAsJsonAsync($"/api/instance-migrations/{rejected.Text("id")}/reject", new { reason = "map to second instead" }))
        {
            Assert.That(reject.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        }
        using (var late = await ApproveAsync(rejected)) Assert.That(late.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(await _factory.QueryAsync(db => db.Instances.Where(i => i.Id == Guid.Parse(instances[0])).Select(i => i.DefinitionVersion).SingleAsync()), Is.EqualTo(1));
    }

    [Test]
    public async Task An_instance_that_moved_on_after_the_submission_is_reported_refused_and_the_others_move()
    {
        var (id, instances) = await TwoVersionsAsync(2);
        var migration = await SubmitAsync(id, Request());
        // The first instance finishes on v1 before the reviewer gets to it.
        var cs1 = await _factory.AsUserAsync("cs1");
        var taskId = (await _system.GetObjectAsync($"/api/instances/{instances[0]}"))["openTasks"]!.AsArray().Single()!.Text("id");
        using (var done = await cs1.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { action = "Approve" })) Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        using var approved = await ApproveAsync(migration);
        var applied = await approved.ReadObjectAsync();
        Assert.That(applied.Text("status"), Is.EqualTo("PartiallyApplied"));
        var results = applied["results"]!.AsArray().ToDictionary(r => r!.Text("instanceId"), r => r!);
        Assert.That(results[instances[0]]!.Text("outcome"), Is.EqualTo("Refused"));
        Assert.That(results[instances[0]]!["problems"]!.ToJsonString(), Does.Contain("Completed"));
        Assert.That(results[instances[1]]!.Text("outcome"), Is.EqualTo("Migrated"));
        var finished = await _system.GetObjectAsync($"/api/instances/{instances[0]}");
        Assert.That(finished["version"]!.GetValue<int>(), Is.EqualTo(1), "a finished instance keeps the version it finished on");
    }

    [Test]
    public async Task A_mapping_to_an_activity_the_target_lacks_is_a_problem_naming_it_and_nothing_is_stored()
    {
        var (id, _) = await TwoVersionsAsync(1);
        var analyst = await _factory.AsUserAsync("analyst1");
        using var response = await analyst.PostAsJsonAsync($"/api/definitions/{id}/migrations", Request(mapping: new { review = "nowhere" }));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "mapping.review");
        using var missing = await analyst.PostAsJsonAsync($"/api/definitions/{id}/migrations", new { toVersion = 2 });
        await ApiAssert.ProblemAsync(missing, HttpStatusCode.UnprocessableEntity, "fromVersion");
        using var unknown = await analyst.PostAsJsonAsync($"/api/definitions/{id}/migrations", Request(to: 7));
        await ApiAssert.ProblemAsync(unknown, HttpStatusCode.UnprocessableEntity, "toVersion");
        Assert.That(await _factory.QueryAsync(db => db.InstanceMigrations.CountAsync(m => m.DefinitionId == id)), Is.Zero);
    }

    [Test]
    public async Task Instances_are_not_moved_onto_a_suspended_version()
    {
        var (id, _) = await TwoVersionsAsync(1);
        var migration = await SubmitAsync(id, Request());
        var analyst2 = await _factory.AsUserAsync("analyst2");
        using (var suspend = await analyst2.PostAsJsonAsync($"/api/definitions/{id}/versions/2/suspend", new { reason = "wrong limit" }))
        {
            Assert.That(suspend.IsSuccessStatusCode, Is.True, await suspend.Content.ReadAsStringAsync());
        }
        using var approved = await ApproveAsync(migration);
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
    }

    [TestCase("cs1")]
    [TestCase("supervisor1")]
    [TestCase("checker1")]
    public async Task People_without_definition_rights_can_neither_preview_nor_submit_nor_apply(string user)
    {
        var (id, instances) = await TwoVersionsAsync(1);
        var client = await _factory.AsUserAsync(user);
        using (var preview = await client.PostAsJsonAsync($"/api/definitions/{id}/migrations/preview", Request())) Assert.That(preview.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using (var submit = await client.PostAsJsonAsync($"/api/definitions/{id}/migrations", Request())) Assert.That(submit.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var migration = await SubmitAsync(id, Request());
        using (var approve = await ApproveAsync(migration, user)) Assert.That(approve.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        Assert.That(await _factory.QueryAsync(db => db.Instances.Where(i => i.Id == Guid.Parse(instances[0])).Select(i => i.DefinitionVersion).SingleAsync()), Is.EqualTo(1));
    }

    [Test]
    public async Task A_system_key_with_every_scope_cannot_migrate_instances()
    {
        var (id, _) = await TwoVersionsAsync(1);
        using var preview = await _system.PostAsJsonAsync($"/api/definitions/{id}/migrations/preview", Request());
        Assert.That(preview.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        using var submit = await _system.PostAsJsonAsync($"/api/definitions/{id}/migrations", Request());
        Assert.That(submit.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
    }
}
