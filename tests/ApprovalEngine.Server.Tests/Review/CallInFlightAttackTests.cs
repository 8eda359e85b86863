// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Features.Fiat.Bank;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Review;

/// <summary>
/// Review of issue 11 (ADR 9 and 10 together), over HTTP on PostgreSQL: what happens to an outside call in flight
/// when something other than the cancel route ends or diverts the flow. The sandbox bank holds the payout until the
/// test releases it.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CallInFlightAttackTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private ApiFactory _factory = null!;
    private DatabaseBankSandbox _bank = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _factory = await ApiFactory.PostgresAsync();
        _bank = _factory.Services.GetRequiredService<DatabaseBankSandbox>();
        await _factory.PublishAsync(InterruptiblePayout("review-stoppable-payout"));
        await _factory.PublishAsync(PayoutRacingAnEnd("review-payout-racing-end"));
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _bank.Faults.ReleaseHeld();
        await _factory.DisposeAsync();
    }

    [TearDown]
    public void Reset() => _bank.Faults.ReleaseHeld();

    /// <summary>Start → SendBankPayout → Paid / Refused, with a generic interrupt 'Stop' → Stopped.</summary>
    private static JsonObject InterruptiblePayout(string id) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Payout a system may stop",
          "variables": [ { "name": "amount", "type": "number" } ],
          "inputs": [ { "name": "amount", "type": "number", "required": true } ],
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "pay", "type": "SendBankPayout", "inputs": { "channel": "'ICBC-001-FPS'", "bankAccount": "'HK-001-123'", "amount": "amount", "currency": "'HKD'", "reference": "correlationId" } },
            { "id": "paid", "type": "End", "inputs": { "status": "Paid" } },
            { "id": "refused", "type": "End", "inputs": { "status": "Refused" } },
            { "id": "stopped", "type": "End", "inputs": { "status": "Stopped" } }
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "pay" },
            { "source": "pay", "outcome": "Sent", "target": "paid" },
            { "source": "pay", "outcome": "Refused", "target": "refused" }
          ],
          "interrupts": [ { "event": "Stop", "target": "stopped", "displayName": "A system stops the payout" } ]
        }
        """)!.AsObject();

    /// <summary>Start → Fork: one branch pays, the other waits for 'Abort' and ends the instance.</summary>
    private static JsonObject PayoutRacingAnEnd(string id) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Payout next to a branch that may end the instance",
          "variables": [ { "name": "amount", "type": "number" } ],
          "inputs": [ { "name": "amount", "type": "number", "required": true } ],
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "fork", "type": "Fork", "inputs": { "branches": ["pay", "watch"] } },
            { "id": "pay", "type": "SendBankPayout", "inputs": { "channel": "'ICBC-001-FPS'", "bankAccount": "'HK-001-123'", "amount": "amount", "currency": "'HKD'", "reference": "correlationId" } },
            { "id": "abort", "type": "WaitForEvent", "inputs": { "event": "Abort" } },
            { "id": "paid", "type": "End", "inputs": { "status": "Paid" } },
            { "id": "refused", "type": "End", "inputs": { "status": "Refused" } },
            { "id": "aborted", "type": "End", "inputs": { "status": "Aborted" } }
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "fork" },
            { "source": "fork", "outcome": "pay", "target": "pay" },
            { "source": "fork", "outcome": "watch", "target": "abort" },
            { "source": "pay", "outcome": "Sent", "target": "paid" },
            { "source": "pay", "outcome": "Refused", "target": "refused" },
            { "source": "abort", "outcome": "Received", "target": "aborted" }
          ]
        }
        """)!.AsObject();

    private async Task<(Task<HttpResponseMessage> Start, Guid Id)> StartHeldAsync(string definitionId, string correlation)
    {
        var start = _factory.AsTestSystem().PostAsJsonAsync($"/api/definitions/{definitionId}/instances", new { correlationId = correlation, input = new { amount = 120m } });
        Assert.That(await Poll.UntilAsync(() => Task.FromResult(_bank.Faults.HeldCount == 1 || start.IsCompleted), Wait), Is.True, "the payout is held");
        Assert.That(start.IsCompleted, Is.False, "the payout is in flight");
        var id = await _factory.QueryAsync(db => db.Instances.Where(i => i.CorrelationId == correlation && i.DefinitionId == definitionId).Select(i => i.Id).SingleAsync());
        return (start, id);
    }

    private async Task<JsonObject> InstanceAsync(Guid id) => await (await _factory.AsUserAsync("supervisor1")).GetObjectAsync($"/api/instances/{id}");

    private async Task<List<JsonObject>> JournalAsync(Guid id) =>
        [.. (await (await _factory.AsUserAsync("supervisor1")).GetObjectAsync($"/api/instances/{id}/journal"))["items"]!.AsArray().Select(e => e!.AsObject())];

    private async Task<List<JsonObject>> IncidentsAsync(Guid id) =>
        [.. (await (await _factory.AsUserAsync("supervisor1")).GetObjectAsync($"/api/incidents?instanceId={id}"))["items"]!.AsArray().Select(e => e!.AsObject())];

    /// <summary>
    /// ADR 10 promises a 409 to an interrupt while a call is in flight, so the sender tries again. Through the events
    /// route the refusal used to be swallowed: the sender got 200 "Waiting", the event was stored Waiting (which the
    /// inbox poller never delivers as an interrupt) and a retry with the same key got that answer again: lost.
    /// </summary>
    [Test]
    public async Task An_interrupt_event_while_a_payout_is_in_flight_is_refused_with_409_and_nothing_is_stored()
    {
        var correlation = $"stop-{Guid.NewGuid():N}";
        _bank.Faults.HoldPayouts(PayoutHold.BeforeMaking);
        var (start, id) = await StartHeldAsync("review-stoppable-payout", correlation);

        var system = _factory.AsTestSystem();
        var response = await system.PostAsJsonAsync("/api/events/Stop", new { correlationId = correlation, idempotencyKey = "stop-1" });
        var body = await response.ReadObjectAsync();
        var stored = await _factory.QueryAsync(db => db.Events.CountAsync(e => e.CorrelationId == correlation));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Conflict), body.ToJsonString());
            Assert.That(body.ToJsonString(), Does.Contain("in flight"));
            Assert.That(stored, Is.Zero, "a refused event is not stored, so the retry with the same key is acted on");
        }

        _bank.Faults.ReleaseHeld();
        Assert.That((await start).IsSuccessStatusCode, Is.True);
        Assert.That(await Poll.UntilAsync(async () => (await InstanceAsync(id)).Text("status") == "Completed", Wait), Is.True);
        // The payout reported: the sender's retry with the same key now reaches the instance (it has ended, so
        // nothing is interrupted, but the answer is not the stored "Waiting" of a refused try).
        var retry = await (await system.PostAsJsonAsync("/api/events/Stop", new { correlationId = correlation, idempotencyKey = "stop-1" })).ReadObjectAsync();
        Assert.That(retry["duplicate"]!.GetValue<bool>(), Is.False, retry.ToJsonString());
    }

    /// <summary>
    /// Issue 11 must-have 3: a money movement in flight cannot vanish silently. ADR 10 leaves out an End reached on
    /// another branch: the instance completes, the job bookmark is dropped, and the bank's later success is only a
    /// log line (job row Done) — no journal entry, no incident.
    /// </summary>
    [Test]
    public async Task A_payout_in_flight_when_another_branch_ends_the_instance_is_journaled_and_raises_an_incident()
    {
        var correlation = $"race-end-{Guid.NewGuid():N}";
        _bank.Faults.HoldPayouts(PayoutHold.AfterMaking);
        var (start, id) = await StartHeldAsync("review-payout-racing-end", correlation);

        var sent = await _factory.AsTestSystem().PostObjectAsync("/api/events/Abort", new { correlationId = correlation });
        Assert.That(sent["resumed"]!.GetValue<int>(), Is.EqualTo(1), sent.ToJsonString());

        _bank.Faults.ReleaseHeld();
        Assert.That((await start).IsSuccessStatusCode, Is.True);
        Assert.That(_bank.Payouts.Count(p => p.Reference == correlation), Is.EqualTo(1), "the bank paid");
        Assert.That(await Poll.UntilAsync(async () => await _factory.QueryAsync(db => db.Jobs.AnyAsync(j => j.InstanceId == id && j.Status == "Done")), Wait), Is.True);

        var kinds = (await JournalAsync(id)).Select(e => e.Text("kind")).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(kinds, Does.Contain("LateResult"), string.Join(", ", kinds));
            Assert.That((await IncidentsAsync(id)).Select(i => i.Text("activityType")), Does.Contain("SendBankPayout"));
        }
    }
}
