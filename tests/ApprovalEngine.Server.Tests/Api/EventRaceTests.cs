using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// An event arriving on one node while another node commits the bookmark that waits for it (issue 11): whichever
/// commits second finds the other, and the event is delivered exactly once — never lost, never twice.
/// </summary>
[TestFixture]
public sealed class EventRaceTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private ApiFactory _a = null!;
    private ApiFactory _b = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _a = await ApiFactory.PostgresAsync();
        _ = _a.Services;
        _b = ApiFactory.PostgresOn(_a.ConnectionString);
        _ = _b.Services;
        await _a.PublishAsync(TestFlows.WaitForPayment("race-wait"));
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        await _b.DisposeAsync();
        await _a.DisposeAsync();
    }

    [Test]
    public async Task An_event_sent_on_one_node_while_another_creates_its_bookmark_is_delivered_once()
    {
        using var sender = _a.AsTestSystem();
        using var starter = _b.AsTestSystem();
        var ids = new List<string>();
        for (var i = 0; i < 16; i++)
        {
            var correlation = $"race-{i}-{Guid.NewGuid():N}";
            var send = sender.PostObjectAsync("/api/events/payment-received", new { correlationId = correlation, payload = new { n = i }, idempotencyKey = correlation });
            var start = starter.PostObjectAsync("/api/definitions/race-wait/instances", new { correlationId = correlation });
            await Task.WhenAll(send, start);
            ids.Add((await start).Text("id")!);
        }
        foreach (var id in ids)
        {
            Assert.That(await Poll.UntilAsync(async () => (await sender.GetObjectAsync($"/api/instances/{id}")).Text("status") == "Completed", Bound), Is.True, $"{id}: the event was lost");
            var kinds = (await sender.GetObjectAsync($"/api/instances/{id}/journal?pageSize=200")).Items().Select(e => e.Text("kind")).ToList();
            Assert.That(kinds.Count(k => k == JournalKinds.EventDelivered), Is.EqualTo(1), id);
        }
        var deliveries = await _a.QueryAsync(db => db.EventDeliveries.GroupBy(d => d.EventId).Select(g => g.Count()).ToListAsync());
        Assert.That(deliveries, Has.Count.EqualTo(16).And.All.EqualTo(1));
    }
}
