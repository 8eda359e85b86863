// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Features.Fiat.Bank;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Server.Features.Sandbox;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Cancel;

/// <summary>
/// ADR 10 over HTTP on PostgreSQL: a cancel while an outside call is in flight waits for the call (Cancelling), the late
/// result is journaled, a late payout raises an incident, and every route obeys the same rule. The sandbox bank and a
/// gated ledger hold the call until the test releases it.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class CancellingApiTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private ApiFactory _factory = null!;
    private DatabaseBankSandbox _bank = null!;
    private HeldLedger _ledger = null!;
    private WdDriver _wd = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _factory = (await ApiFactory.PostgresAsync()).WithServices(services =>
        {
            services.AddSingleton(sp => new HeldLedger(sp.GetRequiredService<DatabaseSandboxLedger>()));
            services.AddSingleton<ILedger>(sp => sp.GetRequiredService<HeldLedger>());
        });
        _bank = _factory.Services.GetRequiredService<DatabaseBankSandbox>();
        _ledger = _factory.Services.GetRequiredService<HeldLedger>();
        _wd = new WdDriver(_factory);
        await _factory.PublishAsync(Payout("test-late-payout"));
        await _factory.PublishAsync(Parent());
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _bank.Faults.ReleaseHeld();
        _ledger.Release();
        await _factory.DisposeAsync();
    }

    [TearDown]
    public void Reset()
    {
        _bank.Faults.ReleaseHeld();
        _bank.Faults.CancelSupported = true;
        _ledger.Release();
    }

    /// <summary>Start → SendBankPayout (HKD, reference = correlation id) → Paid / Refused.</summary>
    private static JsonObject Payout(string id) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Late payout test",
          "variables": [ { "name": "amount", "type": "number" }, { "name": "bankReference", "type": "string" }, { "name": "failureReason", "type": "string" } ],
          "inputs": [ { "name": "amount", "type": "number", "required": true } ],
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "pay", "type": "SendBankPayout", "inputs": { "channel": "'ICBC-001-FPS'", "bankAccount": "'HK-001-123'", "amount": "amount", "currency": "'HKD'", "reference": "correlationId" } },
            { "id": "paid", "type": "End", "inputs": { "status": "Paid" } },
            { "id": "refused", "type": "End", "inputs": { "status": "Refused" } }
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "pay" },
            { "source": "pay", "outcome": "Sent", "target": "paid" },
            { "source": "pay", "outcome": "Refused", "target": "refused" }
          ]
        }
        """)!.AsObject();

    /// <summary>Calls test-late-payout as a child and ends with its outcome.</summary>
    private static JsonObject Parent() => JsonNode.Parse("""
        {
          "id": "test-late-payout-parent", "name": "Parent of a payout",
          "variables": [ { "name": "amount", "type": "number" } ],
          "inputs": [ { "name": "amount", "type": "number", "required": true } ],
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "child", "type": "CallWorkflow", "inputs": { "definition": "test-late-payout", "input": [ { "name": "amount", "value": "amount" } ] } },
            { "id": "done", "type": "End", "inputs": { "status": "ChildCompleted" } },
            { "id": "childCancelled", "type": "End", "inputs": { "status": "ChildCancelled" } }
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "child" },
            { "source": "child", "outcome": "Completed", "target": "done" },
            { "source": "child", "outcome": "Cancelled", "target": "childCancelled" }
          ]
        }
        """)!.AsObject();

    /// <summary>Starts <paramref name="definitionId"/>; its payout is held by the bank, so the start request is still open. Returns it and the instance.</summary>
    private async Task<(Task<HttpResponseMessage> Start, Guid Id)> StartHeldAsync(string definitionId, string correlation, decimal amount = 150m)
    {
        var start = _factory.AsTestSystem().PostAsJsonAsync($"/api/definitions/{definitionId}/instances", new { correlationId = correlation, input = new { amount } });
        Assert.That(await Poll.UntilAsync(() => Task.FromResult(_bank.Faults.HeldCount == 1 || start.IsCompleted), Wait), Is.True, "the payout is held");
        Assert.That(start.IsCompleted, Is.False, $"the start finished without holding: {(start.IsCompleted ? await (await start).Content.ReadAsStringAsync() : "")}");
        var id = await _factory.QueryAsync(db => db.Instances.Where(i => i.CorrelationId == correlation && i.DefinitionId == definitionId).Select(i => i.Id).SingleAsync());
        return (start, id);
    }

    private async Task<string> StatusAsync(Guid id) => (await (await _factory.AsUserAsync("supervisor1")).GetObjectAsync($"/api/instances/{id}")).Text("status");

    private async Task<bool> BecomesAsync(Guid id, string status) => await Poll.UntilAsync(async () => await StatusAsync(id) == status, Wait);

    private async Task<List<JsonObject>> JournalAsync(Guid id) =>
        [.. (await (await _factory.AsUserAsync("supervisor1")).GetObjectAsync($"/api/instances/{id}/journal"))["items"]!.AsArray().Select(e => e!.AsObject())];

    private async Task<List<JsonObject>> IncidentsAsync(Guid id) =>
        [.. (await (await _factory.AsUserAsync("supervisor1")).GetObjectAsync($"/api/incidents?instanceId={id}"))["items"]!.AsArray().Select(e => e!.AsObject())];

    private int PayoutsOf(string reference) => _bank.Payouts.Count(p => p.Reference == reference);

    private static async Task<JsonObject> CancelAsync(HttpClient client, Guid id, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await client.PostAsJsonAsync($"/api/instances/{id}/cancel", new { reason = "customer withdrew the request" });
        var body = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), body.ToJsonString());
        return body;
    }

    [Test]
    public async Task A_supervisor_cancel_during_a_payout_waits_and_a_late_success_is_journaled_with_an_incident_money_moved_once()
    {
        var correlation = $"late-ok-{Guid.NewGuid():N}";
        _bank.Faults.HoldPayouts(PayoutHold.AfterMaking);
        var (start, id) = await StartHeldAsync("test-late-payout", correlation);

        var cancelled = await CancelAsync(await _factory.AsUserAsync("supervisor1"), id);
        Assert.That(cancelled.Text("status"), Is.EqualTo("Cancelling"), "the payout is in flight");
        Assert.That(cancelled["waits"]!.AsArray().Select(w => w!.Text("kind")), Is.EqualTo(new[] { "Job" }));
        // A second cancel, or anything else, is refused while it waits.
        await CancelAsync(await _factory.AsUserAsync("supervisor1"), id, HttpStatusCode.Conflict);

        _bank.Faults.ReleaseHeld();
        Assert.That((await start).IsSuccessStatusCode, Is.True);
        Assert.That(await BecomesAsync(id, "Cancelled"), Is.True, "the late result ends the cancel");

        var journal = await JournalAsync(id);
        var late = journal.Single(e => e.Text("kind") == "LateResult");
        var incident = (await IncidentsAsync(id)).Single();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(journal.Select(e => e.Text("kind")), Is.SupersetOf(new[] { "InstanceCancelling", "CallCancelRequested", "LateResult", "InstanceCancelled" }));
            Assert.That(journal.Single(e => e.Text("kind") == "CallCancelRequested").Text("message"), Does.Contain("too late"));
            Assert.That(late.Text("outcome"), Is.EqualTo("Sent"));
            Assert.That(late.Text("message"), Does.Contain("BANK-"));
            Assert.That(incident.Text("activityType"), Is.EqualTo("SendBankPayout"));
            Assert.That(incident.Text("message"), Does.Contain("Money moved after the instance was cancelled"));
            Assert.That(PayoutsOf(correlation), Is.EqualTo(1), "money moved once");
            Assert.That(await _factory.QueryAsync(db => db.Jobs.Where(j => j.InstanceId == id).Select(j => j.Status).SingleAsync()), Is.EqualTo("Done"));
        }
        // Nothing to re-run: the instance no longer waits for a payout.
        var retry = await (await _factory.AsUserAsync("supervisor1")).PostAsync($"/api/incidents/{incident.Text("id")}/retry", null);
        Assert.That(retry.StatusCode, Is.EqualTo(HttpStatusCode.Conflict));
        Assert.That(PayoutsOf(correlation), Is.EqualTo(1));
    }

    [Test]
    public async Task A_system_key_cancel_during_a_payout_the_bank_then_refuses_ends_cancelled_without_an_incident()
    {
        var correlation = $"late-refused-{Guid.NewGuid():N}";
        _bank.Faults.CancelSupported = false;
        _bank.Faults.RejectNext("Beneficiary account closed.");
        _bank.Faults.HoldPayouts(PayoutHold.BeforeMaking);
        var (start, id) = await StartHeldAsync("test-late-payout", correlation);

        var cancelled = await CancelAsync(_factory.AsSystem(), id);
        Assert.That(cancelled.Text("status"), Is.EqualTo("Cancelling"));

        _bank.Faults.ReleaseHeld();
        Assert.That((await start).IsSuccessStatusCode, Is.True);
        Assert.That(await BecomesAsync(id, "Cancelled"), Is.True);
        var journal = await JournalAsync(id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(journal.Single(e => e.Text("kind") == "LateResult").Text("outcome"), Is.EqualTo("Refused"));
            Assert.That(journal.Single(e => e.Text("kind") == "LateResult").Text("message"), Does.Contain("Beneficiary account closed"));
            Assert.That(await IncidentsAsync(id), Is.Empty, "nothing moved");
            Assert.That(PayoutsOf(correlation), Is.Zero);
        }
    }

    [Test]
    public async Task A_cancel_asks_the_bank_to_call_off_a_payout_not_yet_made()
    {
        var correlation = $"called-off-{Guid.NewGuid():N}";
        _bank.Faults.HoldPayouts(PayoutHold.BeforeMaking);
        var (start, id) = await StartHeldAsync("test-late-payout", correlation);

        var cancelled = await CancelAsync(await _factory.AsUserAsync("supervisor1"), id);
        Assert.That(cancelled.Text("status"), Is.AnyOf("Cancelling", "Cancelled"));
        // Called off, the held request answers at once (refused) without a release.
        Assert.That((await start).IsSuccessStatusCode, Is.True);
        Assert.That(await BecomesAsync(id, "Cancelled"), Is.True);
        var journal = await JournalAsync(id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(journal.Single(e => e.Text("kind") == "CallCancelRequested").Text("message"), Does.Contain("called it off"));
            Assert.That(journal.Single(e => e.Text("kind") == "LateResult").Text("outcome"), Is.EqualTo("Refused"));
            Assert.That(await IncidentsAsync(id), Is.Empty);
            Assert.That(PayoutsOf(correlation), Is.Zero, "the bank never paid");
        }
    }

    [Test]
    public async Task A_parent_cancel_leaves_its_child_cancelling_until_the_childs_payout_reports()
    {
        var correlation = $"parent-{Guid.NewGuid():N}";
        _bank.Faults.HoldPayouts(PayoutHold.AfterMaking);
        var (start, parentId) = await StartHeldAsync("test-late-payout-parent", correlation);
        var childId = await _factory.QueryAsync(db => db.Instances.Where(i => i.ParentInstanceId == parentId).Select(i => i.Id).SingleAsync());

        var parent = await CancelAsync(await _factory.AsUserAsync("supervisor1"), parentId);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(parent.Text("status"), Is.EqualTo("Cancelled"), "the parent itself has no call in flight");
            Assert.That(await StatusAsync(childId), Is.EqualTo("Cancelling"), "the child waits for its payout");
        }

        _bank.Faults.ReleaseHeld();
        Assert.That((await start).IsSuccessStatusCode, Is.True);
        Assert.That(await BecomesAsync(childId, "Cancelled"), Is.True);
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await IncidentsAsync(childId)).Single().Text("message"), Does.Contain("Money moved"));
            Assert.That(await StatusAsync(parentId), Is.EqualTo("Cancelled"));
            Assert.That(PayoutsOf(correlation), Is.EqualTo(1));
        }
    }

    [Test]
    public async Task A_child_cancelled_on_its_own_tells_its_parent_once_its_payout_has_reported()
    {
        var correlation = $"child-{Guid.NewGuid():N}";
        _bank.Faults.CancelSupported = false;
        _bank.Faults.RejectNext("Limit exceeded.");
        _bank.Faults.HoldPayouts(PayoutHold.BeforeMaking);
        var (start, parentId) = await StartHeldAsync("test-late-payout-parent", correlation);
        var childId = await _factory.QueryAsync(db => db.Instances.Where(i => i.ParentInstanceId == parentId).Select(i => i.Id).SingleAsync());

        Assert.That((await CancelAsync(await _factory.AsUserAsync("supervisor1"), childId)).Text("status"), Is.EqualTo("Cancelling"));
        Assert.That(await StatusAsync(parentId), Is.EqualTo("Running"), "the parent is told only when the child is Cancelled");

        _bank.Faults.ReleaseHeld();
        Assert.That((await start).IsSuccessStatusCode, Is.True);
        Assert.That(await BecomesAsync(parentId, "Completed"), Is.True);
        var parent = await (await _factory.AsUserAsync("supervisor1")).GetObjectAsync($"/api/instances/{parentId}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await StatusAsync(childId), Is.EqualTo("Cancelled"));
            Assert.That(parent.Text("businessStatus"), Is.EqualTo("ChildCancelled"));
        }
    }

    [Test]
    public async Task While_Complete_executes_the_client_cancel_route_is_refused_by_the_engine_rule_and_the_instance_route_waits()
    {
        var card = await _wd.DriveToAsync("ApprovedByBackoffice/Backoffice");
        var id = card.Id();
        _ledger.Hold();
        var complete = _wd.ActAsync("bo1", id, "Complete");
        Assert.That(await Poll.UntilAsync(() => Task.FromResult(_ledger.HeldCount > 0 || complete.IsCompleted), Wait), Is.True);
        Assert.That(complete.IsCompleted, Is.False, "Complete is held at the ledger");

        // The domain route: an interrupt while a call is in flight is refused by the engine, before the flow's own
        // `executing != true` condition is even looked at.
        var clientCancel = await (await _wd.AsAsync("system")).PostAsync($"/api/wd-requests/{id}/client-cancel", null);
        var problem = await clientCancel.ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(problem.ToJsonString(), Does.Contain("An outside call is in flight"));

        // The instance route (supervisor): the cancel waits for the ledger.
        var instanceId = Guid.Parse(id);
        Assert.That((await CancelAsync(await _factory.AsUserAsync("supervisor1"), instanceId)).Text("status"), Is.EqualTo("Cancelling"));
        _ledger.Release();
        await complete;
        Assert.That(await BecomesAsync(instanceId, "Cancelled"), Is.True);
        var account = await _wd.GetAccountAsync(card["tradingAccount"]!.GetValue<string>());
        using (Assert.EnterMultipleScope())
        {
            Assert.That(account["operations"]!.AsArray(), Has.Count.EqualTo(card["transactions"]!.AsArray().Count), "each transaction went through once");
            Assert.That((await JournalAsync(instanceId)).Single(e => e.Text("kind") == "LateResult").Text("outcome"), Is.EqualTo("Completed"));
            Assert.That((await IncidentsAsync(instanceId)).Single().Text("activityType"), Is.EqualTo("ExecuteWdTransactions"));
        }
    }
}
