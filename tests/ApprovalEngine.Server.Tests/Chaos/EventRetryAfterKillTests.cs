using System.Net.Http.Json;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;

namespace ApprovalEngine.Server.Tests.Chaos;

/// <summary>
/// A node killed with SIGKILL in the middle of <c>POST /api/events/{name}</c> to eight waiting instances: the event and
/// each target's delivery commit with that target's step (issue 11's inbox), so whatever the kill cut — before the
/// first target, between two, or before the answer — the sender's retry with the same key, on another node, delivers
/// to exactly the targets still missing, and each instance gets the event once.
/// </summary>
[TestFixture]
[Category("Chaos")]
public sealed class EventRetryAfterKillTests : ChaosFixture
{
    private const int Targets = 8;

    [Test]
    public async Task An_event_retried_after_its_node_was_killed_mid_delivery_reaches_every_target_once()
    {
        StartClock();
        var connection = await SharedPostgres.CreateDatabaseAsync("chaos_event");
        var db = Own(new ChaosDatabase(connection));
        var cluster = $"chaos-{Guid.NewGuid():N}";
        var a = await StartNodeAsync("A", connection, cluster);
        var clientsA = Own(NodeClients.Of(a));
        var correlation = $"pay-{Guid.NewGuid():N}";
        var ids = new List<string>();
        for (var i = 0; i < Targets; i++)
        {
            // One flow per target: a top-level correlation id is unique per definition.
            await clientsA.PublishAsync(TestFlows.WaitForPayment($"chaos-wait-payment-{i}"));
            ids.Add((await clientsA.System.PostObjectAsync($"/api/definitions/chaos-wait-payment-{i}/instances", new { correlationId = correlation, input = new { } })).Text("id")!);
        }

        const string key = "sender-key-1";
        var body = new { correlationId = correlation, payload = new { amount = 1 }, idempotencyKey = key };
        var first = clientsA.System.PostAsJsonAsync("/api/events/payment-received", body);
        // Kill A as soon as the first delivery is committed (while it delivers to the others, or before it answers).
        var started = await WaitForAsync(async () => await db.CountAsync("SELECT count(*) FROM event_deliveries") > 0, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(5));
        await a.KillHardAsync();
        var deliveredBeforeKill = await db.CountAsync("SELECT count(*) FROM event_deliveries");
        Report($"A killed after {deliveredBeforeKill} of {Targets} deliveries (first delivery seen: {started})");
        try
        {
            await first;
        }
        catch (HttpRequestException)
        {
            // The sender never got its answer: it retries with the same key, as it must.
        }

        var b = await StartNodeAsync("B", connection, cluster);
        var clientsB = Own(NodeClients.Of(b));
        var retry = await (await clientsB.System.PostAsJsonAsync("/api/events/payment-received", body)).ReadObjectAsync();
        Report($"retry answered {retry.ToJsonString()}");
        Assert.That(retry["resumed"]!.GetValue<int>(), Is.EqualTo(Targets), retry.ToJsonString());
        foreach (var id in ids)
        {
            var instance = await clientsB.System.GetObjectAsync($"/api/instances/{id}");
            Assert.That(instance.Text("status"), Is.EqualTo("Completed"), $"{id}: the event was lost ({retry.ToJsonString()})");
            Assert.That(await db.CountAsync("SELECT count(*) FROM journal WHERE instance_id = @id AND kind = 'EventDelivered'", ("id", Guid.Parse(id))), Is.EqualTo(1), $"{id} got the event more than once");
        }
        Assert.That(await db.CountAsync("SELECT count(*) FROM event_deliveries"), Is.EqualTo(Targets));
        Assert.That(await db.CountAsync("SELECT count(*) FROM events"), Is.EqualTo(1));
        // A second retry is answered as the first one was, and changes nothing.
        var again = await (await clientsB.System.PostAsJsonAsync("/api/events/payment-received", body)).ReadObjectAsync();
        Assert.That(again.ToJsonString(), Is.EqualTo(retry.ToJsonString()));
    }
}
