using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests;

/// <summary>The README's walk-through, on both databases: start a sample flow, see the task, complete it, read the journal.</summary>
[TestFixture]
public sealed class SmokeFlowTests
{
    [TestCase("Postgres")]
    [TestCase("Sqlite")]
    public async Task A_newcomer_starts_the_sample_flow_and_completes_the_CS_task(string provider)
    {
        await using var factory = provider == "Postgres" ? await ApiFactory.PostgresAsync() : ApiFactory.Sqlite();
        var system = factory.AsSystem();
        var start = await system.PostAsJsonAsync("/api/definitions/sample-approval/instances", new { correlationId = "smoke-1", input = new { amount = 500 } });
        Assert.That(start.StatusCode, Is.EqualTo(HttpStatusCode.Created), await start.Content.ReadAsStringAsync());
        var instance = await start.ReadObjectAsync();
        var instanceId = instance["id"]!.GetValue<string>();

        var again = await system.PostAsJsonAsync("/api/definitions/sample-approval/instances", new { correlationId = "smoke-1", input = new { amount = 500 } });
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await again.ReadObjectAsync())["id"]!.GetValue<string>(), Is.EqualTo(instanceId));

        var cs = await factory.AsUserAsync("cs1");
        var inbox = await cs.GetObjectAsync("/api/tasks?department=CS");
        var task = inbox["items"]!.AsArray().Single(t => t!["instanceId"]!.GetValue<string>() == instanceId)!;
        var after = await cs.PostObjectAsync($"/api/tasks/{task["id"]}/complete", new { action = "Approve" });
        Assert.That(after["status"]!.GetValue<string>(), Is.EqualTo("Completed"));
        Assert.That(after["businessStatus"]!.GetValue<string>(), Is.EqualTo("Approved"));

        var journal = await cs.GetObjectAsync($"/api/instances/{instanceId}/journal");
        var kinds = journal["items"]!.AsArray().Select(e => e!["kind"]!.GetValue<string>()).ToList();
        Assert.That(kinds, Does.Contain("TaskCompleted").And.Contain("InstanceCompleted"));
        var completed = journal["items"]!.AsArray().First(e => e!["kind"]!.GetValue<string>() == "TaskCompleted")!;
        Assert.That(completed["actor"]!["userId"]!.GetValue<string>(), Is.EqualTo("cs1"));
    }
}

/// <summary>A task of another department cannot be read by id, just as it is not listed in the inbox.</summary>
[TestFixture]
public sealed class TaskScopingTests
{
    [Test]
    public async Task Reading_another_departments_task_by_id_is_forbidden()
    {
        await using var factory = await ApiFactory.PostgresAsync();
        var started = await factory.AsSystem().PostObjectAsync("/api/definitions/sample-approval/instances", new { input = new { amount = 10 } });
        var instance = await factory.AsSystem().GetObjectAsync($"/api/instances/{started["id"]}");
        var taskId = instance["openTasks"]!.AsArray().Single()!["id"]!.GetValue<string>();

        var dealing = await factory.AsUserAsync("dealing1");
        var refused = await dealing.GetAsync($"/api/tasks/{taskId}");
        Assert.That(refused.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Forbidden));
        Assert.That(refused.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));

        var cs = await factory.AsUserAsync("cs1");
        Assert.That((await cs.GetAsync($"/api/tasks/{taskId}")).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
        var supervisor = await factory.AsUserAsync("supervisor1");
        Assert.That((await supervisor.GetAsync($"/api/tasks/{taskId}")).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.OK));
    }
}
