using System.Net.Http.Json;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests;

/// <summary>SLA due times come from configuration (Sla:{definition}:{activity or status}), overriding the flow's dueIn.</summary>
public sealed class SlaConfigurationTests
{
    [TestCase("csReview", 1)]
    [TestCase("InReview", 2)]
    public async Task A_configured_due_time_replaces_the_definitions(string key, int hours)
    {
        await using var factory = ApiFactory.Sqlite(new() { [$"Sla:sample-approval:{key}"] = $"PT{hours}H" });
        var system = factory.AsTestSystem();
        var started = await system.PostObjectAsync("/api/definitions/sample-approval/instances", new { input = new { amount = 10 } });
        var instance = await system.GetObjectAsync($"/api/instances/{started["id"]}");
        var task = instance["openTasks"]!.AsArray().Single()!;
        var created = task["createdAt"]!.GetValue<DateTimeOffset>();
        var due = task["dueAt"]!.GetValue<DateTimeOffset>();
        Assert.That(due - created, Is.EqualTo(TimeSpan.FromHours(hours)));
    }

    [Test]
    public async Task Without_configuration_the_flows_own_due_time_applies()
    {
        await using var factory = ApiFactory.Sqlite();
        var system = factory.AsTestSystem();
        var started = await system.PostObjectAsync("/api/definitions/sample-approval/instances", new { input = new { amount = 10 } });
        var task = (await system.GetObjectAsync($"/api/instances/{started["id"]}"))["openTasks"]!.AsArray().Single()!;
        Assert.That(task["dueAt"]!.GetValue<DateTimeOffset>() - task["createdAt"]!.GetValue<DateTimeOffset>(), Is.EqualTo(TimeSpan.FromHours(4)));
    }
}
