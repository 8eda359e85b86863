using ApprovalEngine.Flows.Fiat;

namespace ApprovalEngine.Flows.Tests.Fiat;

/// <summary>Which configuration changes weaken a control (ADR 15), by table: before, after, weakens or not, and why.</summary>
public class FiatWeakeningTests
{
    private const string With = FiatReviewKinds.ManualWithWorkOrder;
    private const string Without = FiatReviewKinds.ManualWithoutWorkOrder;
    private const string Auto = FiatReviewKinds.AutoSubmit;
    private const string Reject = FiatReviewKinds.AutoReject;

    private static FiatSettingsState Settings(bool approval = true, string kind = Without, decimal? threshold = 10_000m, params (string Currency, decimal Value)[] own) =>
        new(approval, kind, threshold, own.ToDictionary(o => o.Currency, o => o.Value));

    private static FiatReviewRuleState Rule(string kind = With, bool enabled = true, int priority = 10, bool? first = null, bool? isNew = null, decimal? amount = null, string? currency = null) =>
        new(kind, enabled, priority, first, isNew, amount, currency);

    private static FiatWithdrawalRuleState Withdrawal(decimal single = 50_000m, decimal daily = 100_000m, string[]? banks = null, string[]? windows = null, bool enabled = true) =>
        new(single, daily, banks ?? [], windows ?? [], enabled);

    private static FiatReviewRule R(string name, string kind, int priority, bool? first = null, bool? isNew = null, decimal? amount = null, string? currency = null) =>
        new(name, kind, priority, first, isNew, amount, currency);

    private static IReadOnlyList<string> Set(FiatReviewRule[] before, FiatReviewRule[] after, string defaultKind = Auto) => FiatWeakening.ReviewRuleSet(before, after, defaultKind);

    /// <summary>A row: what changes, the decision, whether it weakens, and a word the reason must contain (empty when it does not weaken).</summary>
    public sealed record Row(string Name, Func<IReadOnlyList<string>> Decide, bool Weakens, string Reason)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<Row> Rows() =>
    [
        // More settings
        new("settings: direct billing approval off", () => FiatWeakening.Settings(Settings(), Settings(approval: false)), true, "direct billing"),
        new("settings: direct billing approval on", () => FiatWeakening.Settings(Settings(approval: false), Settings()), false, ""),
        new("settings: default review laxer", () => FiatWeakening.Settings(Settings(), Settings(kind: Auto)), true, "default review"),
        new("settings: default review stricter", () => FiatWeakening.Settings(Settings(), Settings(kind: Reject)), false, ""),
        new("settings: default threshold raised", () => FiatWeakening.Settings(Settings(), Settings(threshold: 20_000m)), true, "currencies without their own"),
        new("settings: default threshold lowered", () => FiatWeakening.Settings(Settings(), Settings(threshold: 5_000m)), false, ""),
        new("settings: threshold set where there was none", () => FiatWeakening.Settings(Settings(threshold: null), Settings(threshold: 1m)), false, ""),
        new("settings: currency's own threshold above the default", () => FiatWeakening.Settings(Settings(), Settings(own: ("USD", 50_000m))), true, "USD"),
        new("settings: currency's own threshold below the default", () => FiatWeakening.Settings(Settings(), Settings(own: ("USD", 1_000m))), false, ""),
        new("settings: currency's own threshold raised", () => FiatWeakening.Settings(Settings(own: ("USD", 1_000m)), Settings(own: ("USD", 2_000m))), true, "USD"),
        new("settings: currency's own threshold dropped for a higher default", () => FiatWeakening.Settings(Settings(own: ("USD", 1_000m)), Settings()), true, "USD"),
        new("settings: currency's own threshold dropped for a lower default", () => FiatWeakening.Settings(Settings(own: ("USD", 20_000m)), Settings()), false, ""),
        new("settings: default raised but every currency keeps its own", () => FiatWeakening.Settings(Settings(own: ("HKD", 1m)), Settings(threshold: 20_000m, own: ("HKD", 1m))), true, "currencies without their own"),

        // Interception rules
        new("interception: threshold lowered", () => FiatWeakening.InterceptionRule(new(1_000m, 500m, true), new(1_000m, 400m, true)), true, "interception threshold"),
        new("interception: alert lowered", () => FiatWeakening.InterceptionRule(new(1_000m, 500m, true), new(900m, 500m, true)), true, "alert threshold"),
        new("interception: disabled", () => FiatWeakening.InterceptionRule(new(1_000m, 500m, true), new(1_000m, 500m, false)), true, "switched off"),
        new("interception: raised and enabled", () => FiatWeakening.InterceptionRule(new(1_000m, 500m, false), new(2_000m, 600m, true)), false, ""),
        new("interception: lowered while disabled (enabling later applies at once)", () => FiatWeakening.InterceptionRule(new(1_000m, 500m, false), new(1_000m, 100m, false)), true, "interception threshold"),

        // Daily limits
        new("daily limit: raised", () => FiatWeakening.DailyLimit(new(100m, 10m), new(200m, 110m)), true, "limit 100 → 200"),
        new("daily limit: alert fires later", () => FiatWeakening.DailyLimit(new(100m, 10m), new(100m, 5m)), true, "alert fires later"),
        new("daily limit: lowered with its alert", () => FiatWeakening.DailyLimit(new(100m, 10m), new(90m, 10m)), false, ""),
        new("daily limit: deleted", () => FiatWeakening.DailyLimit(new(100m, 10m), null), true, "no daily limit"),
        new("daily limit: added", () => FiatWeakening.DailyLimit(null, new(100m, 10m)), false, ""),

        // Review rules: a rule that holds applications back
        new("review: a work-order rule disabled", () => FiatWeakening.ReviewRule(Rule(), Rule(enabled: false)), true, "stops applying"),
        new("review: a work-order rule made laxer", () => FiatWeakening.ReviewRule(Rule(), Rule(kind: Without)), true, "kind"),
        new("review: a rule made stricter", () => FiatWeakening.ReviewRule(Rule(kind: Without), Rule(kind: Reject)), false, ""),
        new("review: amount condition raised", () => FiatWeakening.ReviewRule(Rule(amount: 10_000m), Rule(amount: 20_000m)), true, "narrower conditions"),
        new("review: amount condition lowered", () => FiatWeakening.ReviewRule(Rule(amount: 20_000m), Rule(amount: 10_000m)), false, ""),
        new("review: amount condition removed", () => FiatWeakening.ReviewRule(Rule(amount: 20_000m), Rule()), false, ""),
        new("review: amount condition added", () => FiatWeakening.ReviewRule(Rule(), Rule(amount: 1m)), true, "narrower conditions"),
        new("review: first-withdrawal condition added", () => FiatWeakening.ReviewRule(Rule(isNew: true), Rule(first: true, isNew: true)), true, "narrower conditions"),
        new("review: new-account condition removed", () => FiatWeakening.ReviewRule(Rule(isNew: true), Rule()), false, ""),
        new("review: currency condition added", () => FiatWeakening.ReviewRule(Rule(), Rule(currency: "USD")), true, "narrower conditions"),
        new("review: currency condition changed", () => FiatWeakening.ReviewRule(Rule(currency: "HKD"), Rule(currency: "USD")), true, "narrower conditions"),
        new("review: condition flipped yes → no", () => FiatWeakening.ReviewRule(Rule(first: true), Rule(first: false)), true, "narrower conditions"),
        new("review: evaluated later", () => FiatWeakening.ReviewRule(Rule(priority: 10), Rule(priority: 50)), true, "evaluated later"),
        new("review: evaluated earlier", () => FiatWeakening.ReviewRule(Rule(priority: 10), Rule(priority: 5)), false, ""),
        new("review: a disabled work-order rule narrowed", () => FiatWeakening.ReviewRule(Rule(enabled: false), Rule(enabled: false, amount: 1m)), false, ""),
        new("review: a work-order rule enabled", () => FiatWeakening.ReviewRule(Rule(enabled: false), Rule()), false, ""),
        new("review: a work-order rule created", () => FiatWeakening.ReviewRule(null, Rule()), false, ""),

        // Review rules: AutoSubmit lets applications through
        new("review: an AutoSubmit rule created", () => FiatWeakening.ReviewRule(null, Rule(kind: Auto)), true, "starts applying"),
        new("review: a disabled AutoSubmit rule created", () => FiatWeakening.ReviewRule(null, Rule(kind: Auto, enabled: false)), false, ""),
        new("review: an AutoSubmit rule enabled", () => FiatWeakening.ReviewRule(Rule(kind: Auto, enabled: false), Rule(kind: Auto)), true, "starts applying"),
        new("review: an AutoSubmit rule disabled", () => FiatWeakening.ReviewRule(Rule(kind: Auto), Rule(kind: Auto, enabled: false)), false, ""),
        new("review: an AutoSubmit rule's amount lowered", () => FiatWeakening.ReviewRule(Rule(kind: Auto, amount: 100m), Rule(kind: Auto, amount: 50m)), true, "wider conditions"),
        new("review: an AutoSubmit rule's currency removed", () => FiatWeakening.ReviewRule(Rule(kind: Auto, currency: "HKD"), Rule(kind: Auto)), true, "wider conditions"),
        new("review: an AutoSubmit rule narrowed", () => FiatWeakening.ReviewRule(Rule(kind: Auto), Rule(kind: Auto, first: false, currency: "HKD")), false, ""),
        new("review: an AutoSubmit rule evaluated earlier", () => FiatWeakening.ReviewRule(Rule(kind: Auto, priority: 50), Rule(kind: Auto, priority: 5)), true, "evaluated earlier"),
        new("review: a work-order rule turned AutoSubmit", () => FiatWeakening.ReviewRule(Rule(), Rule(kind: Auto)), true, "kind"),
        new("review: an AutoSubmit rule turned into a work-order rule", () => FiatWeakening.ReviewRule(Rule(kind: Auto), Rule()), false, ""),

        // Review rules as a set: the first match by priority decides, so a change is judged on what the set decides
        new("set: a laxer rule created in front of a stricter one", () => Set([R("reject all", Reject, 50)], [R("reject all", Reject, 50), R("look only", Without, 1)]), true, "look only"),
        new("set: a laxer rule created behind a stricter one that matches the same", () => Set([R("reject all", Reject, 1)], [R("reject all", Reject, 1), R("look only", Without, 50)]), false, ""),
        new("set: a laxer rule in front, only for HKD", () => Set([R("reject all", Reject, 50)], [R("reject all", Reject, 50), R("HKD look", Without, 1, currency: "HKD")]), true, "HKD"),
        new("set: a laxer rule in front, only from 10000", () => Set([R("work order", With, 50)], [R("work order", With, 50), R("big look", Without, 1, amount: 10_000m)]), true, "≥ 10000"),
        new("set: a laxer rule in front of a narrower stricter one, where they do not overlap", () => Set([R("HKD reject", Reject, 50, currency: "HKD")], [R("HKD reject", Reject, 50, currency: "HKD"), R("USD look", Without, 1, currency: "USD")], defaultKind: Without), false, ""),
        new("set: a stricter rule created in front", () => Set([R("look", Without, 50)], [R("look", Without, 50), R("reject first", Reject, 1, first: true)]), false, ""),
        new("set: a narrowed rule still covered by the next one", () => Set([R("a", With, 10, amount: 100m), R("b", With, 20, amount: 50m)], [R("a", With, 10, amount: 200m), R("b", With, 20, amount: 50m)]), false, ""),
        new("set: a narrowed rule leaves applications to the laxer default", () => Set([R("a", With, 10, amount: 100m)], [R("a", With, 10, amount: 200m)]), true, "(default)"),
        new("set: the same priority, the name decides", () => Set([R("a reject", Reject, 10)], [R("a reject", Reject, 10), R("0 look", Without, 10)]), true, "0 look"),
        new("set: nothing changed", () => Set([R("a", With, 10, first: true), R("b", Reject, 20, isNew: true)], [R("b", Reject, 20, isNew: true), R("a", With, 10, first: true)]), false, ""),
        new("set: many laxer classes are summed up", () => Set([R("reject", Reject, 50)], [R("reject", Reject, 50), R("look", Without, 1)]), true, "more classes"),

        // Withdrawal rules
        new("withdrawal rule: single limit raised", () => FiatWeakening.WithdrawalRule(Withdrawal(), Withdrawal(single: 60_000m)), true, "single limit"),
        new("withdrawal rule: customer daily limit raised", () => FiatWeakening.WithdrawalRule(Withdrawal(), Withdrawal(daily: 200_000m)), true, "customer daily limit"),
        new("withdrawal rule: a client bank added", () => FiatWeakening.WithdrawalRule(Withdrawal(banks: ["HSBC"]), Withdrawal(banks: ["HSBC", "BOC"])), true, "client banks"),
        new("withdrawal rule: bank list dropped (every bank)", () => FiatWeakening.WithdrawalRule(Withdrawal(banks: ["HSBC"]), Withdrawal()), true, "client banks"),
        new("withdrawal rule: a service window added", () => FiatWeakening.WithdrawalRule(Withdrawal(windows: ["Mon|09:00|17:00"]), Withdrawal(windows: ["Mon|09:00|17:00", "Sat|09:00|12:00"])), true, "service windows"),
        new("withdrawal rule: narrowed", () => FiatWeakening.WithdrawalRule(Withdrawal(), Withdrawal(single: 1m, banks: ["HSBC"], windows: ["Mon|09:00|17:00"])), false, ""),
        new("withdrawal rule: disabled (its channel pays nothing)", () => FiatWeakening.WithdrawalRule(Withdrawal(), Withdrawal(enabled: false)), false, ""),
        new("withdrawal rule: enabled with higher limits", () => FiatWeakening.WithdrawalRule(Withdrawal(enabled: false), Withdrawal(single: 60_000m)), true, "single limit"),
        new("withdrawal rule: deleted", () => FiatWeakening.WithdrawalRule(Withdrawal(), null), false, ""),

        // Channels and currencies
        new("channel: disabled", () => FiatWeakening.Channel(new("ICBC-001", true), new("ICBC-001", false)), false, ""),
        new("channel: enabled", () => FiatWeakening.Channel(new("ICBC-001", false), new("ICBC-001", true)), false, ""),
        new("channel: moved to another paying account", () => FiatWeakening.Channel(new("ICBC-001", true), new("HSBC-002", true)), true, "paying account"),
        new("currency: withdrawals switched off", () => FiatWeakening.Currency(new(true), new(false)), false, ""),
        new("currency: withdrawals switched on", () => FiatWeakening.Currency(new(false), new(true)), false, ""),
    ];

    [TestCaseSource(nameof(Rows))]
    public void Weakening_table(Row row)
    {
        var reasons = row.Decide();
        Assert.That(reasons.Count > 0, Is.EqualTo(row.Weakens), string.Join("; ", reasons));
        if (row.Weakens) Assert.That(string.Join("; ", reasons), Does.Contain(row.Reason));
    }

    [TestCase("USD", 1_000)]
    [TestCase("usd", 1_000)]
    [TestCase("HKD", 10_000)]
    public void A_currency_uses_its_own_threshold_else_the_default(string currency, decimal expected) =>
        Assert.That(FiatWeakening.Effective(Settings(own: ("USD", 1_000m)), currency), Is.EqualTo(expected));
}
