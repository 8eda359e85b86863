namespace ApprovalEngine.Flows.Fiat;

/// <summary>Definition ids, statuses, events and actions of the Whale fiat withdrawal (workflows/fiat-withdrawal.json, fiat-batch.json).</summary>
public static class FiatNames
{
    public const string DefinitionId = "fiat-withdrawal";
    public const string BatchDefinitionId = "fiat-batch";
    public const string Department = "Operations";

    /// <summary>The bank's result of a payout; correlation = record number; payload { success, reason, bankReference } (version 1: bankReference optional).</summary>
    public const string BankResult = "BankResult";

    /// <summary>Version 1 only: a bank statement (debit) line; correlation = record number; payload { amount, currency, reference }.</summary>
    public const string BankStatementLine = "BankStatementLine";

    // Domain-only interrupts of version 2 (marked with via: POST /api/events refuses them).

    /// <summary>Reconciliation result of a record in Unmatch: { result: "Matched"|"Discrepancy", entryId, reasons[], manual }.</summary>
    public const string FiatReconciled = "FiatReconciled";

    /// <summary>The record was packed into a batch: { batchId }.</summary>
    public const string FiatPacked = "FiatPacked";

    /// <summary>The batch's file went to the bank: { batchId, bankReference }.</summary>
    public const string FiatBatchPaid = "FiatBatchPaid";

    /// <summary>The batch's work order was rejected: { batchId, reason } (back to Withdrawal Pending).</summary>
    public const string FiatBatchReleased = "FiatBatchReleased";

    /// <summary>The bank refused the batch's file: { batchId, reason } (Withdrawal Exception).</summary>
    public const string FiatBatchRefused = "FiatBatchRefused";

    // Business statuses of version 2, in the order of the indicator cards (the manual's names).
    public const string PendingSubmission = "Pending Submission";
    public const string EditPendingApproval = "Edit Pending Approval";
    public const string WithdrawalPending = "Withdrawal Pending";
    public const string Intercepted = "Intercepted";
    public const string WithdrawalDirectlyPending = "Withdrawal Directly Pending";
    public const string BatchPending = "Batch Pending";
    public const string Paying = "Paying";
    public const string WithdrawalException = "Withdrawal Exception";
    public const string ToBeReviewed = "To be reviewed";
    public const string Unmatch = "Unmatch";
    public const string Completed = "Completed";
    public const string Rejected = "Rejected";
    public const string Failed = "Failed";
    public const string Deleted = "Deleted";

    /// <summary>The indicator cards, left to right in business order; the finals after Completed.</summary>
    public static readonly IReadOnlyList<string> CardOrder =
    [
        PendingSubmission, EditPendingApproval, WithdrawalPending, Intercepted, WithdrawalDirectlyPending, BatchPending, Paying,
        WithdrawalException, ToBeReviewed, Unmatch, Completed, Rejected, Failed, Deleted,
    ];

    public static readonly IReadOnlySet<string> Finals = new HashSet<string>(StringComparer.Ordinal) { Completed, Rejected, Failed, Deleted };

    /// <summary>Reconciliation result per record.</summary>
    public const string Matched = "Matched";

    // Actions of version 2.
    public const string Submit = "Submit";
    public const string Reject = "Reject";
    public const string Delete = "Delete";
    public const string Edit = "Edit";
    public const string DirectBilling = "DirectBilling";
    public const string Release = "Release";
    public const string SetAsSuccessful = "SetAsSuccessful";
    public const string SetAsFailed = "SetAsFailed";
    public const string Repayment = "Repayment";
    public const string Resubmit = "Resubmit";
    public const string Approve = "Approve";

    public static readonly IReadOnlyList<string> Resolutions = [SetAsSuccessful, SetAsFailed, Repayment, Resubmit];

    // Work-order types.
    public const string ReviewWorkOrder = "whale.withdraw.review";
    public const string EditWorkOrder = "whale.withdraw.edit";
    public const string DirectBillingWorkOrder = "whale.withdraw.direct_billing";
    public const string BatchWorkOrder = "whale.withdraw.batch";

    // Statuses of version 1 (instances stored before version 2 keep them).
    public const string Pending = "Pending";
    public const string PendingReview = "Pending Review";
    public const string Approved = "Approved";
    public const string DirectBillingPending = "Direct Billing Pending";
    public const string AwaitingBatch = "Awaiting Batch";
    public const string AwaitingBankResult = "Awaiting Bank Result";
    public const string Reconciling = "Reconciling";
    public const string ReconciliationException = "Reconciliation Exception";
}
