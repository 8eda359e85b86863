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

/// <summary>The four automatic review rule kinds (Whale "Automatic Review Rules"); also the outcomes of EvaluateFiatApplication.</summary>
public static class FiatReviewKinds
{
    public const string ManualWithWorkOrder = "ManualWithWorkOrder";
    public const string ManualWithoutWorkOrder = "ManualWithoutWorkOrder";
    public const string AutoSubmit = "AutoSubmit";
    public const string AutoReject = "AutoReject";

    public static readonly IReadOnlyList<string> All = [ManualWithWorkOrder, ManualWithoutWorkOrder, AutoSubmit, AutoReject];
}

/// <summary>A service window in the business time zone: <see cref="From"/> inclusive to <see cref="To"/> exclusive on <see cref="Days"/> (empty = every day). From &gt; To spans midnight.</summary>
public sealed record FiatServiceWindow(IReadOnlyList<DayOfWeek> Days, TimeOnly From, TimeOnly To);

/// <summary>A withdrawal rule as the application check reads it: the channel it pays through and its limits. <see cref="Enabled"/> = rule and channel enabled.</summary>
public sealed record FiatChannelRule(string ChannelId, string Currency, string Policy, decimal SingleLimit, decimal CustomerDailyLimit, IReadOnlyList<string> SupportedBanks, int Priority, bool Enabled);

/// <summary>An automatic review rule; a null condition is not checked, every set condition must hold.</summary>
public sealed record FiatReviewRule(string Name, string Kind, int Priority, bool? FirstWithdrawal, bool? NewBeneficiaryAccount, decimal? AmountAtLeast, string? Currency);

/// <summary>The application as the rules see it, with the customer's history read from stored withdrawals.</summary>
public sealed record FiatApplicationFacts(string Currency, decimal Amount, string? ClientBank, string? Channel, bool CurrencyWithdrawalEnabled, int PreviousWithdrawals, bool KnownBankAccount);

/// <summary>What the application check decided: one of <see cref="FiatReviewKinds"/>, the channel (null when none fits) and why.</summary>
public sealed record FiatApplicationDecision(string Outcome, FiatChannelRule? Rule, IReadOnlyList<string> Reasons);

/// <summary>What the balance check says about one payout.</summary>
public sealed record FiatBalanceCheck(bool Intercept, bool Alert, string? Reason);

/// <summary>Pure rules of the configured Whale withdrawal: channel choice, validity, review rules, service windows, thresholds.</summary>
public static class FiatConfigRules
{
    /// <summary>An amount without the trailing zeros of its stored scale (numeric(28,8) gives 20000.00000000), for values and messages.</summary>
    public static decimal Plain(decimal value) => value / 1.0000000000000000000000000000m;

    public static bool SupportsBank(IReadOnlyList<string> supportedBanks, string? clientBank)
    {
        ArgumentNullException.ThrowIfNull(supportedBanks);
        if (supportedBanks.Count == 0) return true;
        var bank = clientBank?.Trim();
        return !string.IsNullOrEmpty(bank) && supportedBanks.Any(b => string.Equals(b.Trim(), bank, StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>
    /// Validity first (currency withdrawal on, a channel that pays the currency, supports the client bank and whose
    /// single limit admits the amount; the one asked for or, when none is asked for, the first such enabled rule by
    /// priority), then the review rules: the first enabled rule by priority whose conditions all hold decides; none
    /// hold → <paramref name="defaultKind"/>. The customer's daily limit is not checked here: it is reserved atomically.
    /// </summary>
    public static FiatApplicationDecision EvaluateApplication(FiatApplicationFacts facts, IReadOnlyList<FiatChannelRule> rules, IReadOnlyList<FiatReviewRule> reviewRules, string defaultKind)
    {
        ArgumentNullException.ThrowIfNull(facts);
        ArgumentNullException.ThrowIfNull(rules);
        ArgumentNullException.ThrowIfNull(reviewRules);
        var reasons = new List<string>();
        if (!facts.CurrencyWithdrawalEnabled) reasons.Add($"Withdrawals in {facts.Currency} are switched off.");
        if (facts.Amount <= 0) reasons.Add("The amount must be positive.");
        var decimals = FiatRules.CurrencyDecimals(facts.Currency);
        if (decimal.Round(facts.Amount, decimals) != facts.Amount) reasons.Add($"{facts.Currency} amounts have at most {decimals} decimals.");
        var rule = PickRule(facts, rules, reasons);
        if (reasons.Count > 0) return new(FiatReviewKinds.AutoReject, rule, reasons);

        var review = DecidingReviewRule(reviewRules, facts.PreviousWithdrawals == 0, !facts.KnownBankAccount, facts.Amount, facts.Currency);
        return review is null ? new(defaultKind, rule, []) : new(review.Kind, rule, [$"Review rule '{review.Name}' applies."]);
    }

    /// <summary>
    /// The review rule that decides an application: the first by priority (then name) whose set conditions all hold;
    /// null → the default review kind. The four-eyes check of a rule-set change (<see cref="FiatWeakening.ReviewRuleSet"/>)
    /// calls this same function, so it judges exactly what the application check will do.
    /// </summary>
    public static FiatReviewRule? DecidingReviewRule(IReadOnlyList<FiatReviewRule> reviewRules, bool firstWithdrawal, bool newBeneficiaryAccount, decimal amount, string currency)
    {
        ArgumentNullException.ThrowIfNull(reviewRules);
        foreach (var review in reviewRules.OrderBy(r => r.Priority).ThenBy(r => r.Name, StringComparer.Ordinal))
        {
            if (review.FirstWithdrawal is { } first && first != firstWithdrawal) continue;
            if (review.NewBeneficiaryAccount is { } isNew && isNew != newBeneficiaryAccount) continue;
            if (review.AmountAtLeast is { } min && amount < min) continue;
            if (review.Currency is { Length: > 0 } ruleCurrency && !string.Equals(ruleCurrency, currency, StringComparison.OrdinalIgnoreCase)) continue;
            return review;
        }
        return null;
    }

    private static FiatChannelRule? PickRule(FiatApplicationFacts facts, IReadOnlyList<FiatChannelRule> rules, List<string> reasons)
    {
        if (!string.IsNullOrWhiteSpace(facts.Channel))
        {
            var asked = rules.FirstOrDefault(r => r.ChannelId == facts.Channel);
            if (asked is null || !asked.Enabled)
            {
                reasons.Add($"The withdrawal channel '{facts.Channel}' has no enabled withdrawal rule.");
                return null;
            }
            if (!string.Equals(asked.Currency, facts.Currency, StringComparison.OrdinalIgnoreCase)) reasons.Add($"The channel pays {asked.Currency}, not {facts.Currency}.");
            if (!SupportsBank(asked.SupportedBanks, facts.ClientBank)) reasons.Add($"The channel does not pay to the client's bank '{facts.ClientBank}'.");
            if (facts.Amount > asked.SingleLimit) reasons.Add($"The amount exceeds the single-withdrawal limit of {asked.SingleLimit} {asked.Currency}.");
            return asked;
        }
        var candidates = rules.Where(r => r.Enabled && string.Equals(r.Currency, facts.Currency, StringComparison.OrdinalIgnoreCase))
            .OrderBy(r => r.Priority).ThenBy(r => r.ChannelId, StringComparer.Ordinal).ToList();
        if (candidates.Count == 0)
        {
            reasons.Add($"No enabled withdrawal channel pays {facts.Currency}.");
            return null;
        }
        var banks = candidates.Where(r => SupportsBank(r.SupportedBanks, facts.ClientBank)).ToList();
        if (banks.Count == 0)
        {
            reasons.Add($"No {facts.Currency} withdrawal channel pays to the client's bank '{facts.ClientBank}'.");
            return null;
        }
        var fits = banks.FirstOrDefault(r => facts.Amount <= r.SingleLimit);
        if (fits is null) reasons.Add($"The amount exceeds the single-withdrawal limit of every {facts.Currency} channel (at most {banks.Max(r => r.SingleLimit)}).");
        return fits;
    }

    /// <summary>Whether <paramref name="now"/> falls in a window (no windows = always open) and, when not, when the next one opens (null: none within a week).</summary>
    public static (bool Open, DateTimeOffset? OpensAt) ServiceWindow(IReadOnlyList<FiatServiceWindow> windows, DateTimeOffset now, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(windows);
        ArgumentNullException.ThrowIfNull(zone);
        if (windows.Count == 0) return (true, null);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        foreach (var w in windows)
        {
            var today = local.DayOfWeek;
            var yesterday = local.AddDays(-1).DayOfWeek;
            bool On(DayOfWeek d) => w.Days.Count == 0 || w.Days.Contains(d);
            var open = w.From < w.To
                ? On(today) && time >= w.From && time < w.To
                : (On(today) && time >= w.From) || (On(yesterday) && time < w.To);
            if (open) return (true, null);
        }
        DateTimeOffset? next = null;
        for (var d = 0; d <= 7; d++)
        {
            var date = DateOnly.FromDateTime(local.DateTime).AddDays(d);
            foreach (var w in windows.Where(w => w.Days.Count == 0 || w.Days.Contains(date.DayOfWeek)))
            {
                var startLocal = date.ToDateTime(w.From);
                var offset = zone.GetUtcOffset(startLocal);
                var start = new DateTimeOffset(startLocal, offset);
                if (start > now && (next is null || start < next)) next = start;
            }
            if (next is not null) break;
        }
        return (false, next?.ToUniversalTime());
    }

    /// <summary>
    /// Balance interception: the paying account's balance after the payout below the interception threshold (or
    /// below the amount) intercepts and alerts; at or below the alert threshold only alerts.
    /// </summary>
    public static FiatBalanceCheck Balance(decimal amount, decimal balance, decimal alertThreshold, decimal interceptionThreshold, string currency)
    {
        if (balance < amount) return new(true, true, $"Insufficient available balance on the paying account ({balance} {currency}) for {amount} {currency}.");
        var after = balance - amount;
        if (after < interceptionThreshold) return new(true, true, $"The paying account would fall below its interception threshold of {interceptionThreshold} {currency} ({after} {currency} left).");
        if (after <= alertThreshold) return new(false, true, $"The paying account falls to its alert threshold of {alertThreshold} {currency} ({after} {currency} left).");
        return new(false, false, null);
    }

    /// <summary>The remaining daily limit after a payout reached the alert threshold.</summary>
    public static bool DailyLimitAlert(decimal limit, decimal usedAfter, decimal alertThreshold) => limit - usedAfter <= alertThreshold;
}
