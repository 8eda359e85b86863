namespace ApprovalEngine.Flows.Fiat;

/// <summary>What the automatic rules decide, strongest first: Reject beats Intercept beats Review beats Approve.</summary>
public enum FiatDecision
{
    Approve,
    Review,
    Intercept,
    Reject,
}

/// <summary>The facts the automatic withdrawal rules read (channel rules, the day's usage, the paying bank's balance, history).</summary>
public sealed record FiatRuleFacts
{
    public decimal Amount { get; init; }
    public string Currency { get; init; } = "";
    public bool ChannelConfigured { get; init; }
    public string? ChannelCurrency { get; init; }
    public decimal SingleLimit { get; init; }
    public decimal CustomerDailyLimit { get; init; }
    public decimal CustomerUsedToday { get; init; }
    public decimal ChannelDailyLimit { get; init; }
    public decimal ChannelUsedToday { get; init; }

    /// <summary>Null when the paying bank has no balance inquiry (no interception check).</summary>
    public decimal? BankAvailableBalance { get; init; }
    public decimal InterceptionThreshold { get; init; }
    public int PreviousWithdrawals { get; init; }
    public bool KnownBankAccount { get; init; }
    public decimal ReviewThreshold { get; init; }
}

public sealed record FiatRuleResult(FiatDecision Decision, IReadOnlyList<string> RejectReasons, IReadOnlyList<string> InterceptReasons, IReadOnlyList<string> ReviewReasons)
{
    /// <summary>Every reason that applies, strongest group first.</summary>
    public IReadOnlyList<string> AllReasons => [.. RejectReasons, .. InterceptReasons, .. ReviewReasons];
}

/// <summary>Pure decision functions of the Whale withdrawal: limits, balance interception, automatic review, reconciliation.</summary>
public static class FiatRules
{
    /// <summary>Minor units of a currency (ISO 4217, from the engine's table); 2 for a code the table does not know.</summary>
    public static int CurrencyDecimals(string currency) => ApprovalEngine.Workflows.Definitions.Currencies.MinorUnits(currency) ?? 2;

    public static FiatRuleResult Evaluate(FiatRuleFacts f)
    {
        ArgumentNullException.ThrowIfNull(f);
        var reject = new List<string>();
        var intercept = new List<string>();
        var review = new List<string>();

        // Limits and validity: the client's request cannot be paid as asked.
        if (!f.ChannelConfigured) reject.Add("The withdrawal channel is not configured.");
        else if (f.ChannelCurrency != f.Currency) reject.Add($"The channel pays {f.ChannelCurrency}, not {f.Currency}.");
        if (f.Amount <= 0) reject.Add("The amount must be positive.");
        if (decimal.Round(f.Amount, CurrencyDecimals(f.Currency)) != f.Amount) reject.Add($"{f.Currency} amounts have at most {CurrencyDecimals(f.Currency)} decimals.");
        if (f.ChannelConfigured && f.Amount > f.SingleLimit) reject.Add($"The amount exceeds the single-withdrawal limit of {f.SingleLimit} {f.Currency}.");
        if (f.ChannelConfigured && f.CustomerUsedToday + f.Amount > f.CustomerDailyLimit)
        {
            reject.Add($"The customer's daily limit of {f.CustomerDailyLimit} {f.Currency} on this channel would be exceeded ({f.CustomerUsedToday} already used today).");
        }

        // Interception: the broker's paying account cannot take it now; finance holds it for manual review.
        if (f.ChannelConfigured && f.ChannelUsedToday + f.Amount > f.ChannelDailyLimit)
        {
            intercept.Add($"The channel's daily limit of {f.ChannelDailyLimit} {f.Currency} would be exceeded ({f.ChannelUsedToday} already paid today).");
        }
        if (f.BankAvailableBalance is { } balance)
        {
            if (balance < f.Amount) intercept.Add($"Insufficient available balance on the paying account ({balance} {f.Currency}).");
            else if (balance - f.Amount < f.InterceptionThreshold) intercept.Add($"The paying account would fall below its interception threshold of {f.InterceptionThreshold} {f.Currency}.");
        }

        // Automatic review rules: manual review before payment.
        if (f.PreviousWithdrawals == 0) review.Add("First withdrawal of the customer.");
        if (f.ChannelConfigured && f.Amount >= f.ReviewThreshold) review.Add($"The amount is at or above the review threshold of {f.ReviewThreshold} {f.Currency}.");
        if (!f.KnownBankAccount) review.Add("New beneficiary bank account.");

        var decision = reject.Count > 0 ? FiatDecision.Reject
            : intercept.Count > 0 ? FiatDecision.Intercept
            : review.Count > 0 ? FiatDecision.Review
            : FiatDecision.Approve;
        return new(decision, reject, intercept, review);
    }

    /// <summary>
    /// Matches a bank statement debit line to the payout: same amount (a debit may be parsed as negative), same
    /// currency, and the line's reference carries the record number or the bank's order number. Empty = matched.
    /// </summary>
    public static IReadOnlyList<string> Reconcile(decimal paidAmount, string currency, string recordNo, string? bankReference, decimal? lineAmount, string? lineCurrency, string? lineReference)
    {
        var reasons = new List<string>();
        if (lineAmount is not { } amount) reasons.Add("The statement line has no amount.");
        else if (Math.Abs(amount) != paidAmount) reasons.Add($"Amount mismatch: statement {Math.Abs(amount)}, withdrawal {paidAmount}.");
        if (lineCurrency != currency) reasons.Add($"Currency mismatch: statement {lineCurrency ?? "none"}, withdrawal {currency}.");
        var reference = lineReference ?? "";
        if (!reference.Contains(recordNo, StringComparison.Ordinal) && (bankReference is null || !reference.Contains(bankReference, StringComparison.Ordinal)))
        {
            reasons.Add($"Reference mismatch: '{reference}' names neither {recordNo} nor the bank order {bankReference ?? "(none)"}.");
        }
        return reasons;
    }
}
