using System.Text.Json;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Expressions;
using ApprovalEngine.Flows.Wd.Activities;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Flows.Wd;

/// <summary>
/// "Check the current state of balance" (manual, Dealing and Backoffice): the trading account's facts are read from the
/// ledger when an approving action is taken, not taken from the figures loaded when the task was entered. The rules
/// here are code, not definition guards, so that they hold for every stored version of wd-request (ADR 0019): a guard
/// on money must not depend on which version an instance started on.
/// </summary>
public static class WdFacts
{
    /// <summary>
    /// Actions whose guards or checks depend on the account: Retention's routing (open trades), Dealing's Pass to
    /// Backoffice, Backoffice Approve and Complete. Refusing actions (Reject, Back to CS, …) never wait for the ledger,
    /// so an outage of the platform never stops anyone from stopping a withdrawal.
    /// </summary>
    public static bool NeedsFacts(string? action) =>
        action is WdActions.PassToDealing or WdActions.PassToBackoffice or WdActions.Approve or WdActions.Complete;

    /// <summary>The account as the variables LoadTradingAccount writes (same names, same value shapes).</summary>
    public static IReadOnlyDictionary<string, object?> ToVariables(TradingAccount account, DateTimeOffset readAt)
    {
        ArgumentNullException.ThrowIfNull(account);
        var output = new LoadTradingAccountOutput(account.Balance, account.Equity, account.Margin, account.FreeMargin, account.Credit,
            account.OpenTrades, account.OpenTrades > 0, WdAmounts.MarginLevel(account.Equity, account.Margin), readAt);
        return (IReadOnlyDictionary<string, object?>)ExpressionValues.FromJsonNode(JsonSerializer.SerializeToNode(output, DefinitionJson.Options))!;
    }

    /// <summary>
    /// Null when <paramref name="action"/> may be taken on these current facts; otherwise why not. Only Dealing's
    /// Pass to Backoffice (balance covers the request), Backoffice Approve (balance covers the request) and Complete
    /// (balance covers what is still to execute) are checked here; all three also need margin level ≥ 100 (or no margin used).
    /// </summary>
    /// <param name="department">The department that holds the task (Pass to Backoffice is checked only for Dealing).</param>
    /// <param name="account">The account as the platform reports it now; null when it does not know it.</param>
    public static string? Check(string action, string? department, decimal requestedAmount, string currency, IReadOnlyList<WdTransaction> transactions, TradingAccount? account)
    {
        ArgumentNullException.ThrowIfNull(transactions);
        var checkedHere = action switch
        {
            WdActions.PassToBackoffice => department == WdDepartments.Dealing,
            WdActions.Approve or WdActions.Complete => true,
            _ => false,
        };
        if (!checkedHere) return null;
        if (account is null) return "The trading platform does not know the request's trading account now; the balance cannot be checked.";
        var needed = action == WdActions.Complete ? transactions.Where(t => !t.IsExecuted).Sum(t => t.Amount) : requestedAmount;
        if (account.Balance < needed)
        {
            return action == WdActions.Complete
                ? $"The current balance {account.Balance} {currency} does not cover the {needed} {currency} still to execute."
                : $"The current balance {account.Balance} {currency} does not cover the requested amount {requestedAmount} {currency}.";
        }
        // Dealing checks the margin level (manual 003, c3); Backoffice "checks all the stages again", so Approve and
        // Complete check it too — else a request routed past Dealing (CS docs → Backoffice, mass edit) would pay out
        // of an account that is under margin.
        if (WdAmounts.MarginLevel(account.Equity, account.Margin) is { } level && level < 100m)
        {
            var what = action switch { WdActions.Approve => "Approve", WdActions.Complete => "Complete", _ => "Pass to Backoffice" };
            return $"The current margin level is {level}; {what} needs a margin level of at least 100.";
        }
        return null;
    }
}
