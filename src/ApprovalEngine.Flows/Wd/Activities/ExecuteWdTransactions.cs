using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Wd.Activities;

public sealed class ExecuteWdTransactionsInput
{
    [System.ComponentModel.DataAnnotations.Required]
    [Description("Trading account to withdraw from.")]
    public string? Account { get; set; }

    [System.ComponentModel.DataAnnotations.Required]
    [Description("Currency of the request.")]
    public string? Currency { get; set; }

    [System.ComponentModel.DataAnnotations.Required]
    [Description("Requested amount of the WD request.")]
    public decimal RequestedAmount { get; set; }

    [Description("The transactions (drafts are executed, executed ones are kept).")]
    public List<WdTransaction>? Transactions { get; set; }

    [Description("Reference written into the balance operation comments, e.g. correlationId.")]
    public string? Reference { get; set; }
}

public sealed record ExecuteWdTransactionsOutput(
    [property: Description("The transactions, executed ones with their trade id.")] IReadOnlyList<WdTransaction> Transactions,
    [property: Description("Total executed amount, fee included.")] decimal ExecutedTotal,
    [property: Description("What happened, or why the request cannot complete.")] string CompletionMessage);

/// <summary>
/// Complete: executes every draft transaction as a balance operation (−amount) through the ledger, after the commit.
/// Nothing is sent unless the plan is completable (<see cref="WdCompletion.Plan"/>). Each operation's idempotency key
/// is the job's key + the transaction id, so a retried job never withdraws twice. Outcome per
/// <see cref="WdCompletion.Evaluate"/>: Completed, PartiallyCompleted or NotCompletable; when the platform refuses an
/// operation, execution stops and what was executed decides (PartiallyCompleted or NotCompletable). Every outcome may
/// have moved money (NotCompletable can follow an executed fee), so a late result of any kind raises an incident.
/// </summary>
[Activity("ExecuteWdTransactions", "Withdrawals", "Execute WD transactions",
    Description = "Applies the draft transactions on the trading platform and decides Completed / PartiallyCompleted / NotCompletable.",
    Outcomes = ["Completed", "PartiallyCompleted", "NotCompletable"], MovesMoney = true)]
public sealed class ExecuteWdTransactions(ILedger ledger) : ExternalActivity<ExecuteWdTransactionsInput, ExecuteWdTransactionsOutput>
{
    public const string TypeName = "ExecuteWdTransactions";

    /// <summary>The ledger idempotency key of one transaction within one job.</summary>
    public static string OperationKey(string jobKey, string transactionId) => $"{jobKey}:{transactionId}";

    protected override async Task<DomainResult<ExecuteWdTransactionsOutput>> RunAsync(ExecuteWdTransactionsInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var account = input.Account ?? throw new LedgerRejectedException("No trading account given.");
        var currency = input.Currency ?? throw new LedgerRejectedException("No currency given.");
        var transactions = (input.Transactions ?? []).ToList();
        var plan = WdCompletion.Plan(input.RequestedAmount, transactions);
        if (!plan.IsCompletable) return Result(WdCompletionOutcome.NotCompletable, transactions, plan.Reason!);

        for (var i = 0; i < transactions.Count; i++)
        {
            var tx = transactions[i];
            if (tx.IsExecuted) continue;
            var answer = await ledger.ApplyBalanceOperationAsync(
                new BalanceOperationRequest(account, -tx.Amount, currency, Comment(input.Reference, tx), OperationKey(call.IdempotencyKey, tx.Id)),
                cancellationToken);
            if (answer.Operation is not { } operation) return Refused(input, transactions, tx, currency, answer);
            transactions[i] = tx with { Status = WdTransactionStatus.Executed, TradeId = operation.TradeId, ExecutedAt = operation.CreatedAt };
        }

        var result = WdCompletion.Evaluate(input.RequestedAmount, transactions);
        return Result(result.Outcome, transactions, result.Reason ?? $"Executed {result.ExecutedTotal} of {input.RequestedAmount} {currency}.");
    }

    /// <summary>
    /// The platform refused a transaction (e.g. insufficient balance): stop. The manual sets the final status from what
    /// was executed, so a refusal after a withdrawal went through is Partially Completed (money has moved; the request
    /// must not return to a status where it could still be rejected); when nothing but the fee, or nothing at all, was
    /// executed it is not completable and goes back to Approved by Backoffice with the platform's reason.
    /// </summary>
    private static DomainResult<ExecuteWdTransactionsOutput> Refused(ExecuteWdTransactionsInput input, List<WdTransaction> transactions, WdTransaction tx, string currency, BalanceOperationResult answer)
    {
        var refusal = $"The trading platform refused transaction {tx.Id} ({tx.PaymentType} {tx.Amount} {currency}), {answer.Refusal}: {answer.Reason}";
        var executed = WdCompletion.Evaluate(input.RequestedAmount, transactions);
        return executed.Outcome == WdCompletionOutcome.PartiallyCompleted
            ? Result(WdCompletionOutcome.PartiallyCompleted, transactions, $"Executed {executed.ExecutedTotal} of {input.RequestedAmount} {currency}. {refusal}")
            : Result(WdCompletionOutcome.NotCompletable, transactions, refusal);
    }

    private static DomainResult<ExecuteWdTransactionsOutput> Result(WdCompletionOutcome outcome, IReadOnlyList<WdTransaction> transactions, string message) =>
        new(outcome.ToString(), new ExecuteWdTransactionsOutput(transactions, transactions.Where(t => t.IsExecuted).Sum(t => t.Amount), message));

    private static string Comment(string? reference, WdTransaction tx) =>
        $"WD {reference ?? ""} {(tx.IsFee ? "fee" : $"withdrawal {tx.PaymentType}")}".Replace("  ", " ", StringComparison.Ordinal).Trim();
}
