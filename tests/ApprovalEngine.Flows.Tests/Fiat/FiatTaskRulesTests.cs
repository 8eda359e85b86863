using ApprovalEngine.Flows.Fiat;

namespace ApprovalEngine.Flows.Tests.Fiat;

/// <summary>The pure decisions behind the fiat task-action rules (ADR 17), by table.</summary>
public class FiatTaskRulesTests
{
    private static Dictionary<string, object?> Vars(params (string Name, object? Value)[] values) =>
        values.ToDictionary(v => v.Name, v => v.Value, StringComparer.Ordinal);

    [TestCase("exception", "Resubmit", null, true)]
    [TestCase("exception", "Repayment", null, true)]
    [TestCase("exception", "SetAsFailed", null, false)]
    [TestCase("exception", "SetAsSuccessful", null, false)]
    [TestCase("toBeReviewed", "Approve", "Resubmit", true)]
    [TestCase("toBeReviewed", "Approve", "Repayment", true)]
    [TestCase("toBeReviewed", "Approve", "SetAsFailed", false)]
    [TestCase("toBeReviewed", "Reject", "Resubmit", false)]
    [TestCase("application", "Approve", "Resubmit", false)]
    public void Which_actions_pay_the_record_again(string activity, string action, string? resolution, bool expected) =>
        Assert.That(FiatTaskRules.PaysAgain(activity, action, Vars(("resolution", resolution))), Is.EqualTo(expected));

    private static readonly object?[][] MoneyLeftCases =
    [
        [Vars(), false],
        [Vars(("moneyLeft", false)), false],
        [Vars(("moneyLeft", true)), true],
        [Vars(("bankResult", new Dictionary<string, object?> { ["success"] = true })), true],
        [Vars(("bankResult", new Dictionary<string, object?> { ["success"] = false })), false],
        [Vars(("reconciled", new Dictionary<string, object?> { ["result"] = "Discrepancy" })), true],
        [Vars(("reconciled", null)), false],
    ];

    [TestCaseSource(nameof(MoneyLeftCases))]
    public void Evidence_that_money_left(Dictionary<string, object?> variables, bool expected) =>
        Assert.That(FiatTaskRules.MoneyLeft(variables), Is.EqualTo(expected));

    [TestCase("application", "Submit", true)]
    [TestCase("application", "Edit", true)]
    [TestCase("pendingTask", "DirectBilling", true)]
    [TestCase("application", "Reject", false)]
    [TestCase("application", "Delete", false)]
    [TestCase("exception", "Resubmit", false)]
    [TestCase("toBeReviewed", "Approve", false)]
    [TestCase(null, "Submit", false)]
    public void Which_completed_actions_make_a_maker(string? activity, string action, bool expected) =>
        Assert.That(FiatTaskRules.IsMakerAction(activity, action), Is.EqualTo(expected));
}
