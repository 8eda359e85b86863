using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Flows.Fiat.Activities;

public sealed class ReconcileWithdrawalInput
{
    [Description("Amount paid.")] public decimal Amount { get; set; }
    [Description("Currency.")] public string? Currency { get; set; }
    [Description("Record number.")] public string? RecordNo { get; set; }
    [Description("The bank's order number.")] public string? BankReference { get; set; }
    [Description("Statement line amount, e.g. statementLine.amount.")] public decimal? LineAmount { get; set; }
    [Description("Statement line currency.")] public string? LineCurrency { get; set; }
    [Description("Statement line reference / remark.")] public string? LineReference { get; set; }
}

public sealed record ReconcileWithdrawalOutput(
    [property: Description("Matched or Mismatch.")] string ReconciliationResult,
    [property: Description("Discrepancies found.")] IReadOnlyList<string> Discrepancies);

/// <summary>Matches the bank statement line with the withdrawal (<see cref="FiatRules.Reconcile"/>).</summary>
[Activity("ReconcileWithdrawal", "Fiat", "Reconcile withdrawal",
    Description = "Matches the bank statement debit line against the withdrawal (amount, currency, reference).",
    Outcomes = ["Matched", "Mismatch"])]
public sealed class ReconcileWithdrawal : DomainActivity<ReconcileWithdrawalInput, ReconcileWithdrawalOutput>
{
    protected override DomainResult<ReconcileWithdrawalOutput> Run(ReconcileWithdrawalInput input, ActivityContext context)
    {
        var reasons = FiatRules.Reconcile(input.Amount, input.Currency ?? "", input.RecordNo ?? "", input.BankReference, input.LineAmount, input.LineCurrency, input.LineReference);
        var result = reasons.Count == 0 ? "Matched" : "Mismatch";
        return new(result, new ReconcileWithdrawalOutput(result, reasons));
    }
}
