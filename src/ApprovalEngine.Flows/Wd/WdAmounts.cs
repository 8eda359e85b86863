using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Flows.Wd;

/// <summary>Which pair of formulas the manual's "OR" selects (config).</summary>
public enum WdAmountFormula
{
    /// <summary>Available = Free Margin − open; Recommended = Equity − Margin × MinimumLevelGeneral / 100 − open.</summary>
    Margin,

    /// <summary>Available = Recommended = (Equity − Credit) − open.</summary>
    EquityMinusCredit,
}

/// <summary>WD settings (config section WithdrawalRequest). Plain record: the host binds it however it likes.</summary>
/// <param name="Formula">Which formula variant the amounts use.</param>
/// <param name="MinimumLevelGeneral">WithdrawalRequest:MinimumLevelGeneral, a margin level in percent.</param>
public sealed record WdSettings(WdAmountFormula Formula = WdAmountFormula.Margin, decimal MinimumLevelGeneral = 100m)
{
    public static WdSettings Default { get; } = new();
}

/// <summary>A WD request of the same customer, as far as the amount formulas care.</summary>
public sealed record WdRequestAmount(string Status, decimal RequestedAmount);

/// <summary>The manual's available and recommended amounts, and the checks of a new request.</summary>
public static class WdAmounts
{
    /// <summary>Sum of requested amounts of the customer's requests in New, AwaitingDocs, ApprovedByCS or ApprovedByRetention.</summary>
    public static decimal SumOfOpenRequests(IEnumerable<WdRequestAmount> requests) =>
        requests.Where(r => WdStatuses.IsOpen(r.Status)).Sum(r => r.RequestedAmount);

    /// <summary>
    /// Available = FreeMargin − open, or (Equity − Credit) − open. Not clamped: a negative value means nothing can be
    /// withdrawn, and the card shows it as it is.
    /// </summary>
    public static decimal Available(TradingAccount account, decimal sumOfOpenRequests, WdSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        return (settings ?? WdSettings.Default).Formula switch
        {
            WdAmountFormula.Margin => account.FreeMargin - sumOfOpenRequests,
            _ => account.Equity - account.Credit - sumOfOpenRequests,
        };
    }

    /// <summary>Recommended = Equity − Margin × MinimumLevelGeneral / 100 − open, or (Equity − Credit) − open. Not clamped.</summary>
    public static decimal Recommended(TradingAccount account, decimal sumOfOpenRequests, WdSettings? settings = null)
    {
        ArgumentNullException.ThrowIfNull(account);
        var s = settings ?? WdSettings.Default;
        return s.Formula switch
        {
            WdAmountFormula.Margin => account.Equity - (account.Margin * s.MinimumLevelGeneral / 100m) - sumOfOpenRequests,
            _ => account.Equity - account.Credit - sumOfOpenRequests,
        };
    }

    /// <summary>
    /// Margin level in percent = Equity / Margin × 100, truncated (never rounded up) to 2 decimals so that 99.996 does
    /// not pass a "≥ 100" check; null when no margin is used (no open positions), which the flow treats as fine.
    /// </summary>
    public static decimal? MarginLevel(decimal equity, decimal margin) =>
        margin == 0 ? null : Math.Round(equity / margin * 100m, 2, MidpointRounding.ToZero);

    /// <summary>
    /// Checks a new WD request (the 422 of POST /api/wd-requests): positive amount with the currency's precision,
    /// strictly below the available amount, and a comment. Empty when valid; otherwise field → messages.
    /// </summary>
    public static IReadOnlyDictionary<string, string[]> ValidateNewRequest(decimal requestedAmount, decimal availableAmount, string currency, string? comment)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (WdCurrencies.CheckAmount(requestedAmount, currency) is { } amountError) errors["requestedAmount"] = [amountError];
        else if (requestedAmount >= availableAmount) errors["requestedAmount"] = [$"The requested amount must be less than the available amount ({availableAmount} {currency})."];
        if (string.IsNullOrWhiteSpace(comment)) errors["comment"] = ["A comment is required."];
        return errors;
    }
}

/// <summary>Money precision per currency, from the engine's one table (<see cref="Currencies"/>).</summary>
public static class WdCurrencies
{
    /// <summary>Decimal places allowed: the ISO 4217 minor units (2 for a code the table does not know), 8 for coins.</summary>
    public static int Precision(string currency) => Currencies.MinorUnits(currency?.ToUpperInvariant()) ?? 2;

    /// <summary>Null when <paramref name="amount"/> is positive with at most the currency's decimal places; otherwise why not.</summary>
    public static string? CheckAmount(decimal amount, string currency)
    {
        if (amount <= 0) return "The amount must be greater than zero.";
        var precision = Precision(currency);
        if (decimal.Round(amount, precision) != amount) return $"The amount has more than {precision} decimal places for {currency}.";
        return null;
    }
}
