namespace ApprovalEngine.Flows.Fiat;

/// <summary>Definition id, statuses, events and actions of the Whale fiat withdrawal (workflows/fiat-withdrawal.json).</summary>
public static class FiatNames
{
    public const string DefinitionId = "fiat-withdrawal";
    public const string Department = "Operations";

    /// <summary>The bank's result of a payout; correlation = record number; payload { success, reason }.</summary>
    public const string BankResult = "BankResult";

    /// <summary>A bank statement (debit) line for the payout; correlation = record number; payload { amount, currency, reference }.</summary>
    public const string BankStatementLine = "BankStatementLine";

    public const string Pending = "Pending";
    public const string Intercepted = "Intercepted";
    public const string PendingReview = "Pending Review";
    public const string Approved = "Approved";
    public const string DirectBillingPending = "Direct Billing Pending";
    public const string AwaitingBatch = "Awaiting Batch";
    public const string BatchPending = "Batch Pending";
    public const string Paying = "Paying";
    public const string AwaitingBankResult = "Awaiting Bank Result";
    public const string Reconciling = "Reconciling";
    public const string WithdrawalException = "Withdrawal Exception";
    public const string ReconciliationException = "Reconciliation Exception";
    public const string Completed = "Completed";
    public const string Rejected = "Rejected";
    public const string Failed = "Failed";
}
