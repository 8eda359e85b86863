using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Review;

/// <summary>Review of instance migration (ADR 12) over HTTP on PostgreSQL: moves the planner must refuse.</summary>
[TestFixture]
public sealed class MigrationAttackTests
{
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

    /// <summary>v1: start → review → done.</summary>
    private static JsonObject V1(string id) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Migration into a parallel section",
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "review", "type": "UserTask", "inputs": { "title": "Review", "status": "Review", "department": "CS", "actions": [ { "name": "Approve", "displayName": "Approve" } ] } },
            { "id": "done", "type": "End", "inputs": { "status": "Done" } }
          ],
          "connections": [ { "source": "start", "outcome": "Done", "target": "review" }, { "source": "review", "outcome": "Approve", "target": "done" } ]
        }
        """)!.AsObject();

    /// <summary>v2: the review became one of two parallel checks that a join waits for.</summary>
    private static JsonObject V2(string id) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Migration into a parallel section",
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "fork", "type": "Fork", "inputs": { "branches": ["cs", "risk"] } },
            { "id": "review", "type": "UserTask", "inputs": { "title": "Review", "status": "Review", "department": "CS", "actions": [ { "name": "Approve", "displayName": "Approve" } ] } },
            { "id": "risk", "type": "UserTask", "inputs": { "title": "Risk", "status": "Risk", "department": "CS", "actions": [ { "name": "Approve", "displayName": "Approve" } ] } },
            { "id": "join", "type": "Join", "inputs": { "mode": "all" } },
            { "id": "done", "type": "End", "inputs": { "status": "Done" } }
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "fork" },
            { "source": "fork", "outcome": "cs", "target": "review" },
            { "source": "fork", "outcome": "risk", "target": "risk" },
            { "source": "review", "outcome": "Approve", "target": "join" },
            { "source": "risk", "outcome": "Approve", "target": "join" },
            { "source": "join", "outcome": "Done", "target": "done" }
          ]
        }
        """)!.AsObject();

    /// <summary>
    /// ADR 12 promises that no instance is left waiting somewhere its version cannot continue from, and lists
    /// "moving an instance into the middle of a new parallel section" as not covered. The planner does not refuse it:
    /// the wait keeps its id and type, so the move is "ready"; once the task is done the join waits for a branch
    /// that was never forked and the instance stays Running with nothing left to wait for.
    /// </summary>
    [Test]
    public async Task A_wait_outside_any_fork_cannot_move_into_a_parallel_section_of_the_target()
    {
        var id = $"review-mig-fork-{Guid.NewGuid():N}"[..40];
        Assert.That(await _factory.PublishAsync(V1(id)), Is.EqualTo(1));
        var instance = (await _system.PostObjectAsync($"/api/definitions/{id}/instances", new { correlationId = $"{id}-1", input = new { } })).Text("id");
        Assert.That(await _factory.PublishAsync(V2(id)), Is.EqualTo(2));

        var preview = await (await _factory.AsUserAsync("analyst1")).PostObjectAsync($"/api/definitions/{id}/migrations/preview",
            new { fromVersion = 1, toVersion = 2, mapping = new { }, instanceIds = new[] { instance } });
        var plan = preview["instances"]!.AsArray().Single()!;
        Assert.That(plan["ready"]!.GetValue<bool>(), Is.False, preview.ToJsonString());
        Assert.That(plan["problems"]!.ToJsonString(), Does.Contain("fork"));
    }
}
