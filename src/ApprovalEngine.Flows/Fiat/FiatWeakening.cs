namespace ApprovalEngine.Flows.Fiat;

// The configuration as the weakening rules compare it: plain values, no storage types. "null" for a whole row means
// the row does not exist (before: created by the change; after: deleted by it).

/// <summary>More settings. <see cref="SecondApprovalThresholds"/> are per-currency overrides of <see cref="DefaultSecondApprovalThreshold"/>; null default = one checker at any amount.</summary>
public sealed record FiatSettingsState(bool DirectBillingNeedsApproval, string DefaultReviewKind, decimal? DefaultSecondApprovalThreshold, IReadOnlyDictionary<string, decimal> SecondApprovalThresholds);

public sealed record FiatInterceptionState(decimal AlertThreshold, decimal InterceptionThreshold, bool Enabled);

public sealed record FiatDailyLimitState(decimal Limit, decimal AlertThreshold);

public sealed record FiatReviewRuleState(string Kind, bool Enabled, int Priority, bool? FirstWithdrawal, bool? NewBeneficiaryAccount, decimal? AmountAtLeast, string? Currency);

/// <param name="ServiceWindows">Each window as one comparable key (days, from, to); empty = any time.</param>
/// <param name="SupportedBanks">Empty = every bank.</param>
public sealed record FiatWithdrawalRuleState(decimal SingleLimit, decimal CustomerDailyLimit, IReadOnlyList<string> SupportedBanks, IReadOnlyList<string> ServiceWindows, bool Enabled);

public sealed record FiatChannelState(string BankAccountId, bool Enabled);

public sealed record FiatCurrencyState(bool WithdrawalEnabled);

/// <summary>
/// Whether a configuration change weakens a control (ADR 15) — then it waits for a second holder of
/// <c>fiat:configure</c>. Every function answers the reasons (empty = the change applies on one say). Pure: the
/// endpoints read the rows, call these, and propose or apply. One place, so that a rule is never forgotten on one route.
/// </summary>
public static class FiatWeakening
{
    /// <summary>How much a review kind holds back: a default or a rule that reviews less than before weakens a control.</summary>
    public static int Strictness(string kind) => kind switch
    {
        FiatReviewKinds.AutoReject => 3,
        FiatReviewKinds.ManualWithWorkOrder => 2,
        FiatReviewKinds.ManualWithoutWorkOrder => 1,
        _ => 0,
    };

    public static IReadOnlyList<string> Settings(FiatSettingsState before, FiatSettingsState after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var reasons = new List<string>();
        if (before.DirectBillingNeedsApproval && !after.DirectBillingNeedsApproval) reasons.Add("direct billing without work-order approval");
        if (Strictness(after.DefaultReviewKind) < Strictness(before.DefaultReviewKind)) reasons.Add($"default review {before.DefaultReviewKind} → {after.DefaultReviewKind}");
        // A higher threshold lets bigger payouts through on one checker. Compared per currency on the effective value
        // (override, else default), so that dropping an override below the default or raising the default both count.
        var currencies = before.SecondApprovalThresholds.Keys.Concat(after.SecondApprovalThresholds.Keys).Distinct(StringComparer.OrdinalIgnoreCase).Order(StringComparer.Ordinal);
        if (Raises(before.DefaultSecondApprovalThreshold, after.DefaultSecondApprovalThreshold))
        {
            reasons.Add($"second approval only above {Show(after.DefaultSecondApprovalThreshold)} (was {Show(before.DefaultSecondApprovalThreshold)}) for currencies without their own threshold");
        }
        foreach (var currency in currencies)
        {
            var old = Effective(before, currency);
            var now = Effective(after, currency);
            if (Raises(old, now)) reasons.Add($"second approval in {currency} only above {Show(now)} (was {Show(old)})");
        }
        return reasons;
    }

    /// <summary>The second-approval threshold a work order in <paramref name="currency"/> uses: its own, else the default; null = none.</summary>
    public static decimal? Effective(FiatSettingsState settings, string currency)
    {
        ArgumentNullException.ThrowIfNull(settings);
        foreach (var (code, value) in settings.SecondApprovalThresholds)
        {
            if (string.Equals(code, currency, StringComparison.OrdinalIgnoreCase)) return value;
        }
        return settings.DefaultSecondApprovalThreshold;
    }

    // No threshold means no second checker at any amount: the highest possible threshold.
    private static bool Raises(decimal? before, decimal? after) => before is { } b && (after is not { } a || a > b);

    private static string Show(decimal? value) => value is { } v ? FiatConfigRules.Plain(v).ToString(System.Globalization.CultureInfo.InvariantCulture) : "none (one checker)";

    public static IReadOnlyList<string> InterceptionRule(FiatInterceptionState before, FiatInterceptionState after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var reasons = new List<string>();
        // Compared even on a disabled rule: enabling applies at once, with whatever thresholds it then has.
        if (after.InterceptionThreshold < before.InterceptionThreshold) reasons.Add($"interception threshold {before.InterceptionThreshold} → {after.InterceptionThreshold}");
        if (after.AlertThreshold < before.AlertThreshold) reasons.Add($"alert threshold {before.AlertThreshold} → {after.AlertThreshold}");
        if (before.Enabled && !after.Enabled) reasons.Add("interception switched off");
        return reasons;
    }

    /// <param name="after">null: the limit is deleted (the bank then pays without one).</param>
    public static IReadOnlyList<string> DailyLimit(FiatDailyLimitState? before, FiatDailyLimitState? after)
    {
        if (before is null) return [];
        if (after is null) return ["no daily limit at all"];
        var reasons = new List<string>();
        if (after.Limit > before.Limit) reasons.Add($"limit {before.Limit} → {after.Limit}");
        // The alert fires once limit − alertThreshold is used: the more that is, the later it warns.
        if (after.Limit - after.AlertThreshold > before.Limit - before.AlertThreshold) reasons.Add($"alert fires later (after {after.Limit - after.AlertThreshold} used, was {before.Limit - before.AlertThreshold})");
        return reasons;
    }

    /// <summary>
    /// A rule that holds applications back (any kind but AutoSubmit) weakens when it stops holding some of them: disabled,
    /// a laxer kind, narrower conditions (fewer applications match), or evaluated later (a laxer rule may now decide
    /// first). An AutoSubmit rule weakens when it lets more through: starts applying (created or enabled, or a rule
    /// turned into one), wider conditions, or evaluated earlier.
    /// </summary>
    public static IReadOnlyList<string> ReviewRule(FiatReviewRuleState? before, FiatReviewRuleState? after)
    {
        var reasons = new List<string>();
        var held = before is { Enabled: true } b && Strictness(b.Kind) > 0 ? b : null;
        var live = after is { Enabled: true } ? after : null;
        if (held is not null)
        {
            if (live is null) reasons.Add($"a {held.Kind} rule stops applying");
            else
            {
                if (Strictness(live.Kind) < Strictness(held.Kind)) reasons.Add($"kind {held.Kind} → {live.Kind}");
                if (!Covers(live, held)) reasons.Add($"narrower conditions: applications it sent to {held.Kind} no longer match ({Conditions(held)} → {Conditions(live)})");
                if (live.Priority > held.Priority) reasons.Add($"evaluated later (priority {held.Priority} → {live.Priority})");
            }
        }
        if (live is { Kind: FiatReviewKinds.AutoSubmit })
        {
            var old = before is { Enabled: true, Kind: FiatReviewKinds.AutoSubmit } o ? o : null;
            if (old is null)
            {
                if (held is null) reasons.Add("an AutoSubmit rule starts applying");
            }
            else
            {
                if (!Covers(old, live)) reasons.Add($"wider conditions: more applications are submitted unreviewed ({Conditions(old)} → {Conditions(live)})");
                if (live.Priority < old.Priority) reasons.Add($"evaluated earlier (priority {old.Priority} → {live.Priority})");
            }
        }
        return reasons;
    }

    /// <summary>
    /// The rules decide together, first match by priority, so one rule's change can be harmless alone and still let an
    /// application through: a laxer rule created, enabled or moved in front of a stricter one. This compares what the
    /// whole ordered set of enabled rules decides, before and after, for every class of application the rules can tell
    /// apart — first withdrawal yes/no × new beneficiary account yes/no × each currency a rule names (and any other) ×
    /// each amount threshold (and below all of them) — and reports the classes whose decision becomes laxer. The
    /// decision is <see cref="FiatConfigRules.DecidingReviewRule"/>, the one the application check runs.
    /// </summary>
    public static IReadOnlyList<string> ReviewRuleSet(IReadOnlyList<FiatReviewRule> before, IReadOnlyList<FiatReviewRule> after, string defaultKind)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var all = before.Concat(after).ToList();
        // "" stands for every currency no rule names; no ISO code is empty, so no currency condition matches it.
        var currencies = all.Select(r => r.Currency).Where(c => !string.IsNullOrEmpty(c)).Select(c => c!.ToUpperInvariant()).Distinct().Order(StringComparer.Ordinal).Prepend("").ToList();
        var amounts = all.Select(r => r.AmountAtLeast).OfType<decimal>().Append(0m).Distinct().Order().ToList();
        var laxer = new List<string>();
        foreach (var first in new[] { true, false })
        foreach (var isNew in new[] { true, false })
        foreach (var currency in currencies)
        foreach (var amount in amounts)
        {
            var was = FiatConfigRules.DecidingReviewRule(before, first, isNew, amount, currency);
            var now = FiatConfigRules.DecidingReviewRule(after, first, isNew, amount, currency);
            var wasKind = was?.Kind ?? defaultKind;
            var nowKind = now?.Kind ?? defaultKind;
            if (Strictness(nowKind) >= Strictness(wasKind)) continue;
            var who = $"{(first ? "first" : "repeat")} withdrawal to a {(isNew ? "new" : "known")} account, {(currency.Length == 0 ? "any other currency" : currency)}, amount {(amount == 0m ? "below every threshold" : $"≥ {FiatConfigRules.Plain(amount)}")}";
            laxer.Add($"{who}: {wasKind}{Source(was)} → {nowKind}{Source(now)}");
        }
        if (laxer.Count == 0) return [];
        const int shown = 3;
        var text = string.Join("; ", laxer.Take(shown)) + (laxer.Count > shown ? $"; and {laxer.Count - shown} more classes of application" : "");
        return [$"the rule set decides laxer for {text}"];

        static string Source(FiatReviewRule? rule) => rule is null ? " (default)" : $" (rule '{rule.Name}')";
    }

    /// <summary>True when every application <paramref name="narrow"/> matches is matched by <paramref name="wide"/> too.</summary>
    public static bool Covers(FiatReviewRuleState wide, FiatReviewRuleState narrow)
    {
        ArgumentNullException.ThrowIfNull(wide);
        ArgumentNullException.ThrowIfNull(narrow);
        if (wide.FirstWithdrawal is { } first && first != narrow.FirstWithdrawal) return false;
        if (wide.NewBeneficiaryAccount is { } isNew && isNew != narrow.NewBeneficiaryAccount) return false;
        if (!string.IsNullOrEmpty(wide.Currency) && !string.Equals(wide.Currency, narrow.Currency, StringComparison.OrdinalIgnoreCase)) return false;
        if (wide.AmountAtLeast is { } min && (narrow.AmountAtLeast is not { } other || other < min)) return false;
        return true;
    }

    private static string Conditions(FiatReviewRuleState r)
    {
        var parts = new List<string>();
        if (r.FirstWithdrawal is { } f) parts.Add($"first withdrawal {(f ? "yes" : "no")}");
        if (r.NewBeneficiaryAccount is { } n) parts.Add($"new account {(n ? "yes" : "no")}");
        if (r.AmountAtLeast is { } a) parts.Add($"amount ≥ {FiatConfigRules.Plain(a)}");
        if (!string.IsNullOrEmpty(r.Currency)) parts.Add(r.Currency);
        return parts.Count == 0 ? "any application" : string.Join(", ", parts);
    }

    /// <summary>
    /// Higher limits, a client bank or a service window the rule did not have let more money out. Disabling,
    /// creating or deleting a rule does not: a channel without an enabled rule pays nothing, and a new rule's limits
    /// are the only ones its channel has (the daily limit, interception and review rules still apply).
    /// </summary>
    public static IReadOnlyList<string> WithdrawalRule(FiatWithdrawalRuleState? before, FiatWithdrawalRuleState? after)
    {
        if (before is null || after is null) return [];
        var reasons = new List<string>();
        if (after.SingleLimit > before.SingleLimit) reasons.Add($"single limit {before.SingleLimit} → {after.SingleLimit}");
        if (after.CustomerDailyLimit > before.CustomerDailyLimit) reasons.Add($"customer daily limit {before.CustomerDailyLimit} → {after.CustomerDailyLimit}");
        // No banks listed means every bank: dropping the list, or adding a bank to it, reaches clients it did not.
        var oldBanks = before.SupportedBanks.ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (oldBanks.Count > 0 && (after.SupportedBanks.Count == 0 || after.SupportedBanks.Any(b => !oldBanks.Contains(b)))) reasons.Add("client banks widened");
        // No windows means any time: a window that was not there before (or dropping them all) pays at new times.
        var oldWindows = before.ServiceWindows.ToHashSet(StringComparer.Ordinal);
        if (oldWindows.Count > 0 && (after.ServiceWindows.Count == 0 || after.ServiceWindows.Any(w => !oldWindows.Contains(w)))) reasons.Add("service windows widened");
        return reasons;
    }

    /// <summary>
    /// Disabling a channel stops its money: never weakening. Moving it to another paying account does weaken: its
    /// payouts then run on that account's daily limit and interception rule (perhaps none).
    /// </summary>
    public static IReadOnlyList<string> Channel(FiatChannelState? before, FiatChannelState? after)
    {
        if (before is null || after is null) return [];
        return string.Equals(before.BankAccountId, after.BankAccountId, StringComparison.Ordinal) ? []
            : [$"paying account {before.BankAccountId} → {after.BankAccountId} (its daily limit and interception rule apply instead)"];
    }

    /// <summary>Switching a currency's withdrawal function off stops money; on, every channel's rules and limits still apply: neither weakens.</summary>
    public static IReadOnlyList<string> Currency(FiatCurrencyState? before, FiatCurrencyState? after) => [];
}
