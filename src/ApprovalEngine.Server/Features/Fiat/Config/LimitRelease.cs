using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <summary>
/// Gives back a record's daily-limit reservations (customer and paying bank) when it ends Rejected, Failed or
/// Deleted or is cancelled, in the step's own transaction: the limit returns exactly when the record's end commits.
/// A batch (<c>fiat-batch</c>, keyed by its <c>batchId</c>) gives back its bank consumption the same way.
/// </summary>
public sealed class LimitRelease : IStepObserver
{
    public const string BatchDefinitionId = "fiat-batch";
    private static readonly string[] Ended = ["Rejected", "Failed", "Deleted"];

    public async ValueTask OnStepSavedAsync(ApprovalDbContext db, StepResult step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(step);
        var state = step.State;
        if (state.ParentInstanceId is not null) return;
        var record = state.DefinitionId == FiatNames.DefinitionId;
        if (!record && state.DefinitionId != BatchDefinitionId) return;
        var voided = state.Status == InstanceStatus.Cancelled || (state.BusinessStatus is { } status && Ended.Contains(status, StringComparer.Ordinal));
        if (!voided) return;
        var reference = record
            ? FiatProjection.Text(state.Variables, "recordNo") ?? state.CorrelationId ?? state.Id.ToString("N")
            : FiatProjection.Text(state.Variables, "batchId") ?? state.CorrelationId;
        if (reference is null) return;
        // Money left (the bank reported the payout paid, it was set successful, or a statement debit was tied to it):
        // a record set as Failed afterwards keeps both limits consumed, because the money is gone all the same.
        if (record && MoneyLeft(state.Variables)) return;
        // Cancelled while Paying, and the bank paid anyway or may have (the record shows Withdrawal Exception, see
        // FiatProjection.RecordStatus): the limits stay consumed, as for money that left; only a payout the bank
        // called off (the record ends Failed) gives them back. Giving them back here would let the customer withdraw
        // the same amount again the same day while the first payout may be on its way.
        if (record && state.Status == InstanceStatus.Cancelled && FiatProjection.RecordStatus(step) == FiatNames.WithdrawalException) return;
        await using var fiat = FiatDbContext.Join(db);
        // A record replaced by a Repayment ends Failed, but its money goes out again through the new order, whose
        // review rules reserve the customer's limit under the old record's number (repaymentOf): it stays held.
        var repaid = record && FiatProjection.Text(state.Variables, "repaymentRecordNo") is not null;
        var customerKey = record ? FiatProjection.Text(state.Variables, "repaymentOf") ?? reference : reference;
        if (record && !repaid) await DbFiatConfigStore.ReleaseInAsync(fiat, FiatReservationKinds.Customer, customerKey, cancellationToken);
        await DbFiatConfigStore.ReleaseInAsync(fiat, FiatReservationKinds.Bank, reference, cancellationToken);
    }

    /// <summary>Evidence that money left for the record (<see cref="ApprovalEngine.Flows.Fiat.FiatTaskRules.MoneyLeft"/>).</summary>
    public static bool MoneyLeft(IReadOnlyDictionary<string, object?> variables) => ApprovalEngine.Flows.Fiat.FiatTaskRules.MoneyLeft(variables);
}
