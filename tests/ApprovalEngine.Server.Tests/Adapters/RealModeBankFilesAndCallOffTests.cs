// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Features.Fiat.Bank;
using ApprovalEngine.Server.Tests.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Adapters;

/// <summary>
/// Issue 15, "the flow ends the same as with the sandbox, and money moves once", for the two bank paths the direct
/// billing tests do not reach: a packed batch paid as one bank file (<c>POST files</c>) with per-transfer results by the
/// signed webhook, and the call-off of a payout in flight (<c>POST payouts/cancel</c>, ADR 10). Each scenario runs twice
/// on PostgreSQL through HTTP: on a Sandbox-mode server (the database sandbox bank, results as <c>BankResult</c>
/// events) and on a Real-mode server whose <c>HttpBankGateway</c> talks to the in-process Kestrel fake bank (results by
/// <c>POST /api/hooks/bank/results</c>); the end states of records, instances and batches must be equal, and the fake's
/// own books show the money moved once.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class RealModeBankFilesAndCallOffTests
{
    private const string HookUrl = "/api/hooks/bank/results";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    private FakeLedgerService _ledger = null!;
    private FakeBankService _bank = null!;
    private Side _real = null!;
    private Side _sandbox = null!;
    private DatabaseBankSandbox _sandboxBank = null!;

    /// <summary>One of the two servers a scenario runs on.</summary>
    private sealed record Side(string Name, ApiFactory Factory, bool Real);

    [OneTimeSetUp]
    public async Task Start()
    {
        _ledger = new FakeLedgerService();
        _bank = new FakeBankService();
        await _ledger.StartAsync();
        await _bank.StartAsync();
        _real = new Side("real", await RealModeServer.StartAsync(_ledger, _bank), Real: true);
        _bank.PutChannel(FiatOps.Hkd, "HKD", 1_000_000m);
        _bank.PutChannel(FiatOps.Usd, "USD", 1_000_000m);
        _sandbox = new Side("sandbox", await ApiFactory.PostgresAsync(FiatOps.Settings()), Real: false);
        _sandboxBank = _sandbox.Factory.Services.GetRequiredService<DatabaseBankSandbox>();
        // The USD channel packed by hand (Manual Packing), each transfer's result reported by the bank itself: on both
        // servers, through the configuration routes as an operator does.
        foreach (var side in new[] { _real, _sandbox })
        {
            using var admin = await side.Factory.AsUserAsync("supervisor1");
            var rule = (await admin.GetArrayAsync("/api/fiat/config/withdrawal-rules")).Single(r => r.Text("channelId") == FiatOps.Usd)!.AsObject();
            rule["policy"] = WithdrawalPolicies.ManualPacking;
            rule["packingCron"] = null;
            await admin.PutObjectAsync($"/api/fiat/config/withdrawal-rules/{rule.Text("id")}", rule);
            var channel = await admin.GetObjectAsync($"/api/fiat/config/channels/{FiatOps.Usd}");
            Assert.That(channel["automaticStatus"]!.GetValue<bool>(), Is.True, "results come from the bank");
        }
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _bank.ReleaseHeld();
        _sandboxBank?.Faults.ReleaseHeld();
        await _real.Factory.DisposeAsync();
        await _sandbox.Factory.DisposeAsync();
        await _ledger.DisposeAsync();
        await _bank.DisposeAsync();
    }

    [TearDown]
    public void Reset()
    {
        _bank.ReleaseHeld();
        _sandboxBank.Faults.ReleaseHeld();
    }

    // ---- the bank's side, per server ----

    /// <summary>The bank reports one transfer's result: the signed webhook (Real) or the BankResult event a system sends (Sandbox). Returns whether it was a duplicate.</summary>
    private static async Task<bool> DeliverResultAsync(Side side, string delivery, string recordNo, string bankReference, bool success, string? reason = null)
    {
        if (side.Real)
        {
            var accepted = await FakeBankService.DeliverUntilAcceptedAsync(side.Factory.CreateClient(), HookUrl, delivery,
                FakeBankService.ResultBody(recordNo, bankReference, success, reason), Wait);
            return accepted["duplicate"]!.GetValue<bool>();
        }
        var answer = await side.Factory.AsSystem().PostObjectAsync("/api/events/BankResult",
            new { correlationId = recordNo, payload = new { success, reason, bankReference }, idempotencyKey = delivery });
        return answer["duplicate"]!.GetValue<bool>();
    }

    private void HoldPayouts(Side side, PayoutHold hold)
    {
        if (side.Real) _bank.HoldPayouts(hold);
        else _sandboxBank.Faults.HoldPayouts(hold);
    }

    private int HeldCount(Side side) => side.Real ? _bank.HeldCount : _sandboxBank.Faults.HeldCount;

    private void ReleaseHeld(Side side)
    {
        if (side.Real) _bank.ReleaseHeld();
        else _sandboxBank.Faults.ReleaseHeld();
    }

    private int PayoutsOf(Side side, string recordNo) => side.Real
        ? _bank.Payouts().Count(p => p.Reference == recordNo)
        : _sandboxBank.Payouts.Count(p => p.Reference == recordNo);

    // ---- bank files (batch packing, manual 002 "Batch Submission for Review") ----

    private sealed record RecordEnd(string RecordStatus, string InstanceStatus, string? BusinessStatus, bool ShowsTheFilesReference, int ResultEvents, int ResultDeliveries);

    private sealed record BatchEnd(string BatchStatus, bool HasBankReference, string RecordsBeforeResults, IReadOnlyList<RecordEnd> Records);

    /// <summary>
    /// Manual 002: withdrawals approved (Withdrawal Pending) are packed for arrangement by maker1, the batch's work order
    /// is approved by checker1, the batch's file goes to the bank; then <paramref name="results"/> (record index,
    /// success) are reported by the bank, each once, and the one at <paramref name="duplicate"/> twice.
    /// </summary>
    private static async Task<(BatchEnd End, JsonObject Batch, List<JsonObject> Records)> BatchScenarioAsync(Side side, int count, (int Index, bool Success)[] results, int? duplicate = null)
    {
        var factory = side.Factory;
        var customer = $"C-file-{side.Name}-{Guid.NewGuid():N}"[..24];
        factory.KnownCustomer(customer, known: true);
        var system = factory.AsSystem();
        var ids = new List<string>();
        for (var i = 0; i < count; i++) ids.Add((await system.ApplyAsync(customer, 1_000m + i, "USD")).Text("id"));
        foreach (var id in ids) await system.WaitForStatusAsync(id, "Withdrawal Pending");

        var maker = await factory.AsUserAsync("maker1");
        var batch = await maker.PostObjectAsync("/api/fiat/batches", new { records = ids });
        var batchId = batch.Text("id");
        var checker = await factory.AsUserAsync("checker1");
        await checker.CompleteOkAsync(await factory.WorkOrderTaskAsync(batch.Text("instanceId")), "Approve");
        JsonObject? last = null;
        Assert.That(await ApiAssert.EventuallyAsync(async () => (last = await checker.GetObjectAsync($"/api/fiat/batches/{batchId}"))["dispatched"]!.GetValue<bool>(), Wait),
            Is.True, $"{side.Name}: batch never dispatched: {last?.ToJsonString()}");
        batch = last!;

        // The records once the batch's outcome reached them (each record's own step: it leaves Batch Pending).
        var records = new List<JsonObject>();
        foreach (var id in ids)
        {
            JsonObject? record = null;
            Assert.That(await ApiAssert.EventuallyAsync(async () =>
            {
                record = await checker.RecordAsync(id);
                return record.Text("status") != "Batch Pending" && (record.Text("status") != "Paying" || record["bankReference"] is not null);
            }, Wait), Is.True, $"{side.Name}: record {id} stayed in its batch: {record?.ToJsonString()}");
            records.Add(record!);
        }
        var before = string.Join(",", records.Select(r => r.Text("status")));

        foreach (var (index, success) in results)
        {
            var recordNo = records[index].Text("recordNo");
            var delivery = $"d-{side.Name}-{Guid.NewGuid():N}";
            Assert.That(await DeliverResultAsync(side, delivery, recordNo, batch.Text("bankReference"), success, success ? null : "beneficiary account closed"), Is.False);
            if (index == duplicate)
            {
                Assert.That(await DeliverResultAsync(side, delivery, recordNo, batch.Text("bankReference"), success, success ? null : "beneficiary account closed"),
                    Is.True, $"{side.Name}: the second delivery is answered as a duplicate");
            }
        }

        var ends = new List<RecordEnd>();
        var supervisor = await factory.AsUserAsync("supervisor1");
        for (var i = 0; i < ids.Count; i++)
        {
            var reported = results.Any(r => r.Index == i);
            JsonObject? record = null;
            // A reported result takes the record out of Paying in its event's step.
            Assert.That(await ApiAssert.EventuallyAsync(async () => !reported || (record = await checker.RecordAsync(ids[i])).Text("status") != "Paying", Wait), Is.True,
                $"{side.Name}: record {ids[i]} never settled: {record?.ToJsonString()}");
            record = await checker.RecordAsync(ids[i]);
            var instance = await supervisor.GetObjectAsync($"/api/instances/{ids[i]}");
            var recordNo = record.Text("recordNo");
            var (events, deliveries) = await factory.QueryAsync(async db => (
                await db.Events.CountAsync(e => e.CorrelationId == recordNo && e.Name == "BankResult"),
                await db.EventDeliveries.CountAsync(d => db.Events.Any(e => e.Id == d.EventId && e.CorrelationId == recordNo && e.Name == "BankResult"))));
            ends.Add(new RecordEnd(record.Text("status"), instance.Text("status"), (string?)instance["businessStatus"],
                record["bankReference"] is not null && record.Text("bankReference") == (string?)batch["bankReference"], events, deliveries));
        }
        return (new BatchEnd(batch.Text("status"), batch["bankReference"] is not null, before, ends), batch, records);
    }

    [Test]
    public async Task Bank_file_of_a_packed_batch_reaches_the_bank_once_after_a_lost_response_and_a_503_and_webhook_results_settle_each_withdrawal_once_as_in_the_sandbox()
    {
        // Three transfers: paid, paid (its result delivered twice), failed.
        var results = new[] { (0, true), (1, true), (2, false) };
        var (expected, _, _) = await BatchScenarioAsync(_sandbox, 3, results, duplicate: 1);

        var posts = _bank.Count("POST", "/files");
        var balance = _bank.Balance(FiatOps.Usd)!.Value;
        // The bank takes the file but the answer is lost; the next try gets a 503; the third the first receipt.
        _bank.Fault("POST", "/files", FaultKind.LoseResponse);
        _bank.Fault("POST", "/files", FaultKind.Status, status: 503);
        var (actual, batch, records) = await BatchScenarioAsync(_real, 3, results, duplicate: 1);

        var files = _bank.FilesOf(batch.Text("id"));
        TestContext.Out.WriteLine($"sandbox: {Describe(expected)}\nreal:    {Describe(actual)}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual, Is.EqualTo(expected).Using<BatchEnd>(SameBatchEnd), $"real {Describe(actual)} vs sandbox {Describe(expected)}");
            Assert.That(_bank.Count("POST", "/files") - posts, Is.EqualTo(3), "lost, 503, answered: three tries with one key");
            Assert.That(files, Has.Count.EqualTo(1), "the bank took one file");
            Assert.That(files.Select(f => f.BankReference), Is.EqualTo(new[] { batch.Text("bankReference") }));
            Assert.That(files.SelectMany(f => f.Transfers).Select(t => (t.Reference, t.Amount)),
                Is.EquivalentTo(records.Select(r => (r.Text("recordNo"), r["amount"]!.GetValue<decimal>()))));
            Assert.That(_bank.Balance(FiatOps.Usd), Is.EqualTo(balance - batch["total"]!.GetValue<decimal>()), "the file's total left the account once");
            Assert.That(actual.Records.Select(r => (r.ResultEvents, r.ResultDeliveries)), Has.All.EqualTo((1, 1)), "each result, the duplicate too, delivered once");
            Assert.That(actual.Records[0].RecordStatus, Is.Not.EqualTo(actual.Records[2].RecordStatus), "a failed transfer ends elsewhere than a paid one");
        }
    }

    [Test]
    public async Task Bank_refusing_the_whole_file_leaves_its_withdrawals_where_the_sandbox_leaves_them_and_pays_nothing()
    {
        const string Reason = "File rejected: debtor account blocked.";
        _sandboxBank.Faults.RejectNext(Reason);
        var (expected, sandboxBatch, _) = await BatchScenarioAsync(_sandbox, 2, []);

        var posts = _bank.Count("POST", "/files");
        var balance = _bank.Balance(FiatOps.Usd);
        _bank.Fault("POST", "/files", FaultKind.Status, status: 422, code: "beneficiary-rejected", detail: Reason);
        var (actual, batch, records) = await BatchScenarioAsync(_real, 2, []);
        TestContext.Out.WriteLine($"sandbox: {Describe(expected)}\nreal:    {Describe(actual)}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual, Is.EqualTo(expected).Using<BatchEnd>(SameBatchEnd), $"real {Describe(actual)} vs sandbox {Describe(expected)}");
            Assert.That(actual.RecordsBeforeResults, Does.Not.Contain("Paying"), "no record waits for a payment the bank refused");
            Assert.That(_bank.Count("POST", "/files") - posts, Is.EqualTo(1), "a refusal is final: not retried");
            Assert.That(_bank.FilesOf(batch.Text("id")), Is.Empty);
            Assert.That(_bank.Balance(FiatOps.Usd), Is.EqualTo(balance), "nothing paid");
            Assert.That(((string?)batch["reason"], (string?)sandboxBatch["reason"]), Is.EqualTo((Reason, Reason)), "the bank's reason on the batch");
            Assert.That(records.Select(r => PayoutsOf(_real, r.Text("recordNo"))), Has.All.Zero);
        }
    }

    private static bool SameBatchEnd(BatchEnd a, BatchEnd b) =>
        a.BatchStatus == b.BatchStatus && a.HasBankReference == b.HasBankReference && a.RecordsBeforeResults == b.RecordsBeforeResults && a.Records.SequenceEqual(b.Records);

    private static string Describe(BatchEnd end) =>
        $"{end.BatchStatus} ref={end.HasBankReference} before=[{end.RecordsBeforeResults}] [{string.Join("; ", end.Records)}]";

    // ---- call-off of a payout in flight (direct billing, ADR 10) ----

    private sealed record CallOffEnd(string InstanceStatus, string RecordStatus, string Answer, string LateOutcome, int Incidents, int Payouts);

    /// <summary>
    /// A withdrawal paid by direct billing whose payout the bank holds (<paramref name="hold"/>) is cancelled by a
    /// supervisor while the payout is in flight; <paramref name="whileHeld"/> runs after the cancel (e.g. releasing a
    /// payout already made). Returns the end state once the instance is Cancelled, and the record number.
    /// </summary>
    private async Task<(CallOffEnd End, string RecordNo)> CallOffScenarioAsync(Side side, PayoutHold hold, Action? whileHeld = null)
    {
        var factory = side.Factory;
        var customer = $"C-off-{side.Name}-{Guid.NewGuid():N}"[..24];
        factory.KnownCustomer(customer, known: true);
        var id = (await factory.AsSystem().ApplyAsync(customer, 1_000m)).Text("id");
        var checker = await factory.AsUserAsync("checker1");
        var recordNo = (await checker.WaitForStatusAsync(id, "Withdrawal Directly Pending")).Text("recordNo");
        var task = await factory.WorkOrderTaskAsync(id);

        HoldPayouts(side, hold);
        // The approval runs the payout after its commit; the request may stay open while the bank holds it.
        var approve = checker.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Approve" });
        Assert.That(await Poll.UntilAsync(() => Task.FromResult(HeldCount(side) >= 1 || approve.IsFaulted), Wait), Is.True, $"{side.Name}: the payout is held");
        Assert.That(approve.IsFaulted, Is.False);

        using var supervisor = await factory.AsUserAsync("supervisor1");
        var cancel = await supervisor.PostAsJsonAsync($"/api/instances/{id}/cancel", new { reason = "customer withdrew the request" });
        var cancelled = await cancel.ReadObjectAsync();
        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK), cancelled.ToJsonString());
        whileHeld?.Invoke();
        string status = "";
        Assert.That(await Poll.UntilAsync(async () => (status = (await supervisor.GetObjectAsync($"/api/instances/{id}")).Text("status")) == "Cancelled", Wait), Is.True,
            $"{side.Name}: instance {id} stayed {status}");
        Assert.That((await approve).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var journal = (await supervisor.GetObjectAsync($"/api/instances/{id}/journal"))["items"]!.AsArray().Select(e => e!.AsObject()).ToList();
        var asked = journal.Single(e => e.Text("kind") == "CallCancelRequested").Text("message");
        var incidents = (await supervisor.GetObjectAsync($"/api/incidents?instanceId={id}"))["items"]!.AsArray().Count;
        var record = await checker.RecordAsync(id);
        return (new CallOffEnd(status, record.Text("status"), asked[(asked.IndexOf("): ", StringComparison.Ordinal) + 3)..],
            journal.Single(e => e.Text("kind") == "LateResult").Text("outcome"), incidents, PayoutsOf(side, recordNo)), recordNo);
    }

    [Test]
    public async Task Call_off_of_a_payout_not_yet_made_stops_it_at_the_bank_as_in_the_sandbox()
    {
        var (expected, _) = await CallOffScenarioAsync(_sandbox, PayoutHold.BeforeMaking);
        var asks = _bank.Count("POST", "/payouts/cancel");
        var calledOff = _bank.CalledOff().Count;
        var (actual, _) = await CallOffScenarioAsync(_real, PayoutHold.BeforeMaking);
        TestContext.Out.WriteLine($"sandbox: {expected}\nreal:    {actual}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual, Is.EqualTo(expected));
            Assert.That(actual.Answer, Does.Contain("called it off"));
            Assert.That(actual.Payouts, Is.Zero, "the bank never paid");
            Assert.That((expected.RecordStatus, actual.RecordStatus), Is.EqualTo(("Failed", "Failed")), "called off, not paid: the record must not show Paying");
            Assert.That((_bank.Count("POST", "/payouts/cancel") - asks, _bank.CalledOff().Count - calledOff), Is.EqualTo((1, 1)), "asked once over HTTP, called off once");
        }
    }

    [Test]
    public async Task Call_off_refused_because_the_bank_already_paid_ends_cancelled_with_the_money_moved_once_and_an_incident_as_in_the_sandbox()
    {
        var (expected, sandboxRecord) = await CallOffScenarioAsync(_sandbox, PayoutHold.AfterMaking, () => ReleaseHeld(_sandbox));
        var (actual, realRecord) = await CallOffScenarioAsync(_real, PayoutHold.AfterMaking, () => ReleaseHeld(_real));
        TestContext.Out.WriteLine($"sandbox: {expected}\nreal:    {actual}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That((await ReservationsAsync(_sandbox, sandboxRecord), await ReservationsAsync(_real, realRecord)), Is.EqualTo((2, 2)),
                "the money left: the customer's and the paying account's daily limits stay consumed after the cancel");
            Assert.That(actual, Is.EqualTo(expected));
            Assert.That(actual.Answer, Does.Contain("too late"));
            Assert.That((actual.Payouts, actual.Incidents), Is.EqualTo((1, 1)), "paid once; the operator sees the money that left after the cancel");
            Assert.That(actual.LateOutcome, Is.EqualTo("Sent"), "the late result is journaled");
            Assert.That((expected.RecordStatus, actual.RecordStatus), Is.EqualTo(("Withdrawal Exception", "Withdrawal Exception")),
                "money left after the cancel: the record shows an exception to check, neither Paying nor Failed");
        }
    }

    [Test]
    public async Task Call_off_whose_answer_is_lost_is_asked_again_with_the_same_key_and_called_off_once_as_in_the_sandbox()
    {
        var (expected, _) = await CallOffScenarioAsync(_sandbox, PayoutHold.BeforeMaking);
        var asks = _bank.Count("POST", "/payouts/cancel");
        var calledOff = _bank.CalledOff().Count;
        _bank.Fault("POST", "/payouts/cancel", FaultKind.LoseResponse);
        var (actual, realRecord) = await CallOffScenarioAsync(_real, PayoutHold.BeforeMaking);
        TestContext.Out.WriteLine($"sandbox: {expected}\nreal:    {actual}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual, Is.EqualTo(expected));
            Assert.That(_bank.Count("POST", "/payouts/cancel") - asks, Is.EqualTo(2), "the lost answer was asked for again");
            Assert.That(_bank.CalledOff().Count - calledOff, Is.EqualTo(1), "called off once");
            Assert.That(await ReservationsAsync(_real, realRecord), Is.Zero, "called off, not paid: the daily limits are given back");
            Assert.That(actual.Payouts, Is.Zero);
            Assert.That((expected.RecordStatus, actual.RecordStatus), Is.EqualTo(("Failed", "Failed")), "called off, not paid: the record must not show Paying");
        }
    }

    /// <summary>Daily-limit reservations (customer and paying account) the record still holds.</summary>
    private static async Task<int> ReservationsAsync(Side side, string recordNo)
    {
        await using var scope = side.Factory.Services.CreateAsyncScope();
        var fiat = scope.ServiceProvider.GetRequiredService<ApprovalEngine.Server.Features.Fiat.FiatDbContext>();
        return await fiat.Set<ApprovalEngine.Server.Features.Fiat.Config.LimitReservation>().CountAsync(r => r.Reference == recordNo);
    }

    /// <summary>A record of a batch whose file is at the bank (Paying, waiting for the transfer's result) is cancelled: no call is in flight, so the cancel is immediate.</summary>
    private static async Task<(string InstanceStatus, string RecordStatus, string CardStatuses)> CancelPackedRecordAsync(Side side)
    {
        var (_, _, records) = await BatchScenarioAsync(side, 1, []);
        var id = records[0].Text("id");
        Assert.That(records[0].Text("status"), Is.EqualTo("Paying"), $"{side.Name}: the record waits for its transfer's result");
        using var supervisor = await side.Factory.AsUserAsync("supervisor1");
        var cancel = await supervisor.PostAsJsonAsync($"/api/instances/{id}/cancel", new { reason = "customer withdrew the request" });
        Assert.That(cancel.StatusCode, Is.EqualTo(HttpStatusCode.OK), await cancel.Content.ReadAsStringAsync());
        var instance = await supervisor.GetObjectAsync($"/api/instances/{id}");
        var checker = await side.Factory.AsUserAsync("checker1");
        var record = await checker.RecordAsync(id);
        var listed = (await checker.GetObjectAsync($"/api/fiat/withdrawals?recordNo={record.Text("recordNo")}"))["items"]!.AsArray().Select(r => r!.Text("status"));
        return (instance.Text("status"), record.Text("status"), string.Join(",", listed));
    }

    [Test]
    public async Task A_packed_record_cancelled_while_its_file_is_at_the_bank_shows_a_withdrawal_exception_not_paying_as_in_the_sandbox()
    {
        var expected = await CancelPackedRecordAsync(_sandbox);
        var actual = await CancelPackedRecordAsync(_real);
        TestContext.Out.WriteLine($"sandbox: {expected}\nreal:    {actual}");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(actual, Is.EqualTo(expected));
            Assert.That(actual, Is.EqualTo(("Cancelled", "Withdrawal Exception", "Withdrawal Exception")),
                "the file may still pay the transfer: the record shows an exception to check with the bank, not Paying");
        }
    }
}
