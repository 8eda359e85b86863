namespace ApprovalEngine.Flows.Wd;

public enum WdCompletionOutcome
{
    Completed,
    PartiallyCompleted,
    NotCompletable,
}

/// <param name="ExecutedTotal">Total of the (executed, or for a plan: all) transactions, fee included.</param>
/// <param name="FeeTotal">The fee part of <paramref name="ExecutedTotal"/>.</param>
/// <param name="Reason">Why it is not completable; null otherwise.</param>
public sealed record WdCompletionResult(WdCompletionOutcome Outcome, decimal ExecutedTotal, decimal FeeTotal, string? Reason)
{
    public bool IsCompletable => Outcome != WdCompletionOutcome.NotCompletable;
}

/// <summary>
/// The manual's final statuses: Completed when the total executed amount equals the requested amount;
/// PartiallyCompleted when it is less and does not consist only of the fee; anything else cannot complete.
/// </summary>
public static class WdCompletion
{
    /// <summary>
    /// Whether Complete is executing now. The <c>executing</c> variable is left true when the flow ends Completed or
    /// Partially Completed (the end needs no reset step), so a final request is never executing, whatever it says.
    /// </summary>
    public static bool IsExecuting(string? status, bool executingVariable) => executingVariable && !WdStatuses.IsFinal(status);

    /// <summary>Judges the executed transactions (drafts are ignored).</summary>
    public static WdCompletionResult Evaluate(decimal requestedAmount, IEnumerable<WdTransaction> transactions) =>
        Judge(requestedAmount, [.. transactions.Where(t => t.IsExecuted)], "executed");

    /// <summary>
    /// Judges what Complete would execute (executed plus drafts) before anything is sent to the ledger, including that
    /// every wire transfer has bank details. Complete executes nothing unless this is completable.
    /// </summary>
    public static WdCompletionResult Plan(decimal requestedAmount, IEnumerable<WdTransaction> transactions)
    {
        var all = transactions.ToList();
        var result = Judge(requestedAmount, all, "to execute");
        if (!result.IsCompletable) return result;
        var missing = all.FirstOrDefault(t => !t.IsExecuted && WdTransactions.NeedsBankDetails(t.PaymentType) && string.IsNullOrWhiteSpace(t.BankDetails));
        return missing is null ? result : result with { Outcome = WdCompletionOutcome.NotCompletable, Reason = $"Transaction {missing.Id} ({missing.PaymentType}) has no bank details." };
    }

    private static WdCompletionResult Judge(decimal requestedAmount, IReadOnlyList<WdTransaction> transactions, string what)
    {
        var total = transactions.Sum(t => t.Amount);
        var fee = transactions.Where(t => t.IsFee).Sum(t => t.Amount);
        if (total == requestedAmount && total > 0) return new(WdCompletionOutcome.Completed, total, fee, null);
        if (total <= 0) return new(WdCompletionOutcome.NotCompletable, total, fee, $"There is nothing {what}: add a withdrawal transaction or reject the request.");
        if (total > requestedAmount) return new(WdCompletionOutcome.NotCompletable, total, fee, $"The transactions {what} total {total}, more than the requested amount {requestedAmount}.");
        if (total == fee) return new(WdCompletionOutcome.NotCompletable, total, fee, $"Only the fee is {what} ({fee}); a partial completion needs a withdrawal transaction besides the fee.");
        return new(WdCompletionOutcome.PartiallyCompleted, total, fee, null);
    }
}
