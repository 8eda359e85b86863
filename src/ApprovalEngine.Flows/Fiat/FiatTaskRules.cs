namespace ApprovalEngine.Flows.Fiat;

/// <summary>
/// Pure decisions of the fiat task-action rules (ADR 17): which actions pay a record again, when evidence says money
/// left, and which completed actions make someone a maker of a record. They read variables and journal facts only, so
/// they hold for every stored version of <c>fiat-withdrawal</c>, whose flows differ.
/// </summary>
public static class FiatTaskRules
{
    /// <summary>The task where a chosen resolution waits for a second person (versions 2 and 3).</summary>
    public const string ToBeReviewedActivity = "toBeReviewed";

    /// <summary>The application task (Submit, Edit) and the Withdrawal Pending task (DirectBilling), versions 2 and 3.</summary>
    public const string ApplicationActivity = "application";
    public const string PendingActivity = "pendingTask";

    /// <summary>
    /// Whether taking <paramref name="action"/> at <paramref name="activityId"/> sends the record's money out again:
    /// choosing Resubmit or Repayment, or approving one chosen before (the resolution waits in To be reviewed).
    /// </summary>
    public static bool PaysAgain(string activityId, string action, IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        if (action is FiatNames.Resubmit or FiatNames.Repayment) return true;
        return activityId == ToBeReviewedActivity && action == FiatNames.Approve
            && variables.GetValueOrDefault("resolution") is FiatNames.Resubmit or FiatNames.Repayment;
    }

    /// <summary>
    /// Evidence that money left for the record: version 3's <c>moneyLeft</c>, or (any version) a bank result of
    /// success or a reconciliation (a statement debit tied to the record, matched or with a discrepancy).
    /// </summary>
    public static bool MoneyLeft(IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(variables);
        if (variables.GetValueOrDefault("moneyLeft") is true) return true;
        if (variables.GetValueOrDefault("bankResult") is IReadOnlyDictionary<string, object?> result && result.GetValueOrDefault("success") is true) return true;
        return variables.GetValueOrDefault("reconciled") is not null;
    }

    /// <summary>Whether completing <paramref name="action"/> at <paramref name="activityId"/> makes the actor a maker of the record.</summary>
    public static bool IsMakerAction(string? activityId, string? action) => (activityId, action) is
        (ApplicationActivity, FiatNames.Submit) or (ApplicationActivity, FiatNames.Edit) or (PendingActivity, FiatNames.DirectBilling);
}
