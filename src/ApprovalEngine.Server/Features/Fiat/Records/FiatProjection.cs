using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Persistence;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Records;

/// <summary>
/// Keeps <c>fiat_withdrawals</c> in step with every step of a fiat-withdrawal instance, in the step's transaction.
/// One upsert, without reading the row: an instance started by an earlier release (no row yet, or a row the migration
/// back-filled) is simply brought up to date by its next step.
/// </summary>
public sealed class FiatProjection(FiatClock clock) : IStepObserver
{
    public async ValueTask OnStepSavedAsync(ApprovalDbContext db, StepResult step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(step);
        var state = step.State;
        if (state.DefinitionId != FiatNames.DefinitionId || state.ParentInstanceId is not null) return;
        var v = state.Variables;
        var recordNo = Text(v, "recordNo") ?? state.CorrelationId ?? state.Id.ToString("N");
        var status = RecordStatus(step);
        // A later step of an instance already cancelled (e.g. the answer of a call-off asked again, journaled after the
        // late result ended the cancel) must not undo what the ending step decided: it keeps the stored status.
        var keepStatus = step.State.Status == InstanceStatus.Cancelled && !step.Journal.Any(e => e.Kind == JournalKinds.InstanceCancelled);
        var day = clock.BusinessDay(state.CreatedAt);
        // SQLite keeps instants as UTC ticks (ModelConventions); raw SQL must write what the model reads back.
        object createdAt = db.IsSqlite ? state.CreatedAt.UtcTicks : state.CreatedAt;
        object updatedAt = db.IsSqlite ? state.UpdatedAt.UtcTicks : state.UpdatedAt;
        var finished = state.IsFinished;
        // Paid = the first step that shows the payout confirmed; later steps keep that time (COALESCE below).
        object? paidAt = PaidStatuses.Contains(status) ? updatedAt : null;
        // Columns a step can change are updated; who asked and when it arrived are kept from the first write.
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO fiat_withdrawals (id, record_no, customer_id, currency, amount, fee, beneficiary_account, beneficiary_bank, beneficiary_name,
                channel_id, policy, status, batch_id, bank_reference, reconciliation, repayment_of, started_by, client_reference, business_day, finished, created_at, updated_at, paid_at)
            VALUES ({state.Id}, {recordNo}, {Text(v, "customerId") ?? ""}, {Text(v, "currency") ?? ""}, {Number(v, "amount") ?? 0m}, {Number(v, "fee") ?? 0m},
                {Text(v, "bankAccount") ?? ""}, {Text(v, "beneficiaryBank")}, {Text(v, "beneficiaryName")}, {Text(v, "channel")}, {Text(v, "policy")},
                {status}, {Text(v, "batchId")}, {Text(v, "bankReference")}, {Text(v, "reconciliation")}, {Text(v, "repaymentOf")}, {state.StartedBy}, {Text(v, "clientReference")}, {day}, {finished}, {createdAt}, {updatedAt}, {paidAt})
            ON CONFLICT (id) DO UPDATE SET
                amount = excluded.amount, fee = excluded.fee, beneficiary_account = excluded.beneficiary_account,
                beneficiary_bank = excluded.beneficiary_bank, beneficiary_name = excluded.beneficiary_name,
                channel_id = excluded.channel_id, policy = excluded.policy, status = CASE WHEN {keepStatus} THEN fiat_withdrawals.status ELSE excluded.status END, batch_id = excluded.batch_id,
                bank_reference = excluded.bank_reference, reconciliation = excluded.reconciliation, finished = excluded.finished, updated_at = excluded.updated_at,
                paid_at = COALESCE(fiat_withdrawals.paid_at, excluded.paid_at)
            """, cancellationToken);
    }

    /// <summary>
    /// The record's status after <paramref name="step"/>: the flow's business status, except for an instance cancelled
    /// while Paying. The flow never runs again after a cancel, so its business status would stay "Paying" for good and
    /// operators would take money as leaving that did not (or not see that it did). The step that ends such a cancel
    /// is the one journaling the payout's late result (ADR 10), so the right status is known in that very step and
    /// written in its transaction (the step journaling <c>InstanceCancelled</c>; later steps keep what it wrote):
    /// - the payout reported an outcome that moved nothing (the bank called it off: SendBankPayout's Refused), and the
    ///   engine opened no money-moved incident → <c>Failed</c>, the manual's end of a withdrawal that was not paid;
    /// - anything else — the bank paid it anyway (the engine's "Money moved after the instance was cancelled"
    ///   incident), the call failed for good (unknown), or the cancel came while the record waited for a bank result
    ///   with no call in flight (a batch's file, a failed call) → <c>Withdrawal Exception</c>: money may have left,
    ///   and an operator must check it with the bank (the incident, or the statements).
    /// While the instance is Cancelling the payout is still at the bank and the record stays Paying.
    /// </summary>
    public static string RecordStatus(StepResult step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var state = step.State;
        var status = state.BusinessStatus ?? FiatNames.PendingSubmission;
        if (state.Status != InstanceStatus.Cancelled || status != FiatNames.Paying) return status;
        var late = step.Journal.Where(e => e.Kind == JournalKinds.LateResult).ToList();
        var calledOff = late.Count > 0 && step.Incidents.Count == 0
            && late.All(e => e.Outcome is { } outcome && outcome != "Failed" && NothingMovedOutcomes.Contains(outcome));
        return calledOff ? FiatNames.Failed : FiatNames.WithdrawalException;
    }

    /// <summary>Outcomes of the fiat payout calls that moved nothing (SendBankPayout's and SubmitBankFile's <c>NothingMovedOutcomes</c>).</summary>
    private static readonly IReadOnlySet<string> NothingMovedOutcomes = new HashSet<string>(StringComparer.Ordinal) { "Refused" };

    /// <summary>Statuses a record reaches only once its payout is confirmed paid (version 1's Reconciling included).</summary>
    public static readonly IReadOnlySet<string> PaidStatuses = new HashSet<string>(StringComparer.Ordinal) { FiatNames.Unmatch, FiatNames.Completed, FiatNames.Reconciling };

    internal static string? Text(IReadOnlyDictionary<string, object?> variables, string name) =>
        variables.TryGetValue(name, out var value) ? value as string : null;

    internal static decimal? Number(IReadOnlyDictionary<string, object?> variables, string name) =>
        variables.TryGetValue(name, out var value) ? value switch
        {
            decimal d => d,
            int i => i,
            long l => l,
            _ => null,
        } : null;
}

/// <summary>
/// The broker's business day: daily limits reset at midnight in <c>Fiat:BusinessTimeZone</c> (IANA id; default
/// Asia/Hong_Kong), not at UTC midnight, so a withdrawal at 01:00 HKT counts on the Hong Kong day it was made.
/// </summary>
public sealed class FiatClock(TimeProvider time, IConfiguration config)
{
    public TimeZoneInfo Zone { get; } = TimeZoneInfo.FindSystemTimeZoneById(config["Fiat:BusinessTimeZone"] is { Length: > 0 } id ? id : "Asia/Hong_Kong");

    public DateOnly BusinessDay(DateTimeOffset at) => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(at, Zone).DateTime);

    public DateOnly Today => BusinessDay(time.GetUtcNow());
}
