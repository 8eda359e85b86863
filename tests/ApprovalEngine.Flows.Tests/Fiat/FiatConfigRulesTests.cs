using ApprovalEngine.Flows.Fiat;

namespace ApprovalEngine.Flows.Tests.Fiat;

/// <summary>The configured application check, service windows and thresholds (<see cref="FiatConfigRules"/>), by table.</summary>
public class FiatConfigRulesTests
{
    private static readonly FiatChannelRule Fps = new("ICBC-FPS", "HKD", "RealTimeSingle", 50_000m, 100_000m, [], 20, true);
    private static readonly FiatChannelRule Chq = new("ICBC-CHQ", "HKD", "ManualPacking", 500_000m, 1_000_000m, ["HSBC", "BOC"], 10, true);
    private static readonly FiatChannelRule Off = new("OFF-FPS", "HKD", "RealTimeSingle", 1_000_000m, 1_000_000m, [], 0, false);
    private static readonly FiatChannelRule Wire = new("HSBC-WIRE", "USD", "TimedPacking", 200_000m, 500_000m, [], 10, true);
    private static readonly FiatChannelRule[] Rules = [Fps, Chq, Off, Wire];

    private static readonly FiatReviewRule[] Reviews =
    [
        new("Big", FiatReviewKinds.ManualWithWorkOrder, 5, null, null, 30_000m, "HKD"),
        new("First", FiatReviewKinds.ManualWithoutWorkOrder, 10, true, null, null, null),
        new("New account", FiatReviewKinds.ManualWithoutWorkOrder, 20, null, true, null, null),
        new("Tiny", FiatReviewKinds.AutoReject, 30, null, null, null, "JPY"),
    ];

    // amount, client bank, asked channel, previous, known, currency on → outcome, channel
    [TestCase(1_000, "HSBC", null, 3, true, true, "AutoSubmit", "ICBC-CHQ", Description = "first enabled rule by priority that supports the bank")]
    [TestCase(1_000, "DBS", null, 3, true, true, "AutoSubmit", "ICBC-FPS", Description = "the cheque channel does not pay DBS")]
    [TestCase(60_000, "DBS", null, 3, true, true, "AutoReject", null, Description = "no channel for DBS admits 60,000")]
    [TestCase(60_000, "BOC", null, 3, true, true, "ManualWithWorkOrder", "ICBC-CHQ", Description = "the cheque channel admits it; the big-amount rule applies")]
    [TestCase(1_000, "DBS", "ICBC-CHQ", 3, true, true, "AutoReject", "ICBC-CHQ", Description = "asked channel does not pay the client's bank")]
    [TestCase(1_000, "DBS", "OFF-FPS", 3, true, true, "AutoReject", null, Description = "asked channel's rule is disabled")]
    [TestCase(1_000, "DBS", "HSBC-WIRE", 3, true, true, "AutoReject", "HSBC-WIRE", Description = "asked channel pays another currency")]
    [TestCase(50_000, "DBS", "ICBC-FPS", 3, true, true, "ManualWithWorkOrder", "ICBC-FPS", Description = "at the single limit")]
    [TestCase(50_000.01, "DBS", "ICBC-FPS", 3, true, true, "AutoReject", "ICBC-FPS", Description = "above the single limit")]
    [TestCase(1_000, "DBS", null, 3, true, false, "AutoReject", "ICBC-FPS", Description = "withdrawal function switched off for the currency")]
    [TestCase(1_000, "DBS", null, 0, true, true, "ManualWithoutWorkOrder", "ICBC-FPS", Description = "first withdrawal")]
    [TestCase(1_000, "DBS", null, 3, false, true, "ManualWithoutWorkOrder", "ICBC-FPS", Description = "new beneficiary account")]
    [TestCase(40_000, "DBS", null, 0, false, true, "ManualWithWorkOrder", "ICBC-FPS", Description = "priority: the big-amount rule beats first withdrawal")]
    [TestCase(0, "DBS", null, 3, true, true, "AutoReject", "ICBC-FPS", Description = "zero amount")]
    [TestCase(10.001, "DBS", null, 3, true, true, "AutoReject", "ICBC-FPS", Description = "more decimals than HKD has")]
    public void Application_table(decimal amount, string bank, string? channel, int previous, bool known, bool currencyOn, string outcome, string? chosen)
    {
        var decision = FiatConfigRules.EvaluateApplication(new FiatApplicationFacts("HKD", amount, bank, channel, currencyOn, previous, known), Rules, Reviews, FiatReviewKinds.AutoSubmit);
        Assert.That((decision.Outcome, decision.Rule?.ChannelId), Is.EqualTo((outcome, chosen)), string.Join(" | ", decision.Reasons));
        Assert.That(decision.Reasons, outcome == FiatReviewKinds.AutoSubmit ? Is.Empty : Is.Not.Empty);
    }

    [Test]
    public void No_channel_for_the_currency_is_an_automatic_rejection_that_says_so()
    {
        var decision = FiatConfigRules.EvaluateApplication(new FiatApplicationFacts("EUR", 10m, null, null, true, 3, true), Rules, Reviews, FiatReviewKinds.AutoSubmit);
        Assert.That((decision.Outcome, decision.Reasons.Single()), Is.EqualTo((FiatReviewKinds.AutoReject, "No enabled withdrawal channel pays EUR.")));
    }

    [Test]
    public void Without_a_matching_review_rule_the_default_kind_decides()
    {
        var decision = FiatConfigRules.EvaluateApplication(new FiatApplicationFacts("USD", 10m, null, null, true, 3, true), Rules, Reviews, FiatReviewKinds.ManualWithoutWorkOrder);
        Assert.That((decision.Outcome, decision.Rule?.ChannelId, decision.Reasons.Count), Is.EqualTo((FiatReviewKinds.ManualWithoutWorkOrder, "HSBC-WIRE", 0)));
    }

    private static readonly TimeZoneInfo Hk = TimeZoneInfo.FindSystemTimeZoneById("Asia/Hong_Kong");

    // UTC instant, window days (empty = all), from, to → open, opens at (UTC) or null
    [TestCase("2026-03-10T01:00:00Z", "", "09:00", "17:00", true, null, Description = "09:00 HKT on a Tuesday")]
    [TestCase("2026-03-10T00:59:59Z", "", "09:00", "17:00", false, "2026-03-10T01:00:00Z", Description = "a second before it opens")]
    [TestCase("2026-03-10T09:00:00Z", "", "09:00", "17:00", false, "2026-03-11T01:00:00Z", Description = "17:00 HKT: closed, opens tomorrow")]
    [TestCase("2026-03-14T02:00:00Z", "Mon,Tue,Wed,Thu,Fri", "09:00", "17:00", false, "2026-03-16T01:00:00Z", Description = "Saturday: opens Monday")]
    [TestCase("2026-03-10T15:30:00Z", "", "22:00", "02:00", true, null, Description = "23:30 HKT in a window over midnight")]
    [TestCase("2026-03-10T17:30:00Z", "Tue", "22:00", "02:00", true, null, Description = "01:30 HKT Wednesday, window started Tuesday")]
    [TestCase("2026-03-10T18:30:00Z", "", "22:00", "02:00", false, "2026-03-11T14:00:00Z", Description = "02:30 HKT: after the night window")]
    public void Service_window_table(string now, string days, string from, string to, bool open, string? opensAt)
    {
        var window = new FiatServiceWindow(days.Length == 0 ? [] : [.. days.Split(',').Select(d => Enum.GetValues<DayOfWeek>().First(x => x.ToString().StartsWith(d, StringComparison.Ordinal)))],
            TimeOnly.Parse(from, System.Globalization.CultureInfo.InvariantCulture), TimeOnly.Parse(to, System.Globalization.CultureInfo.InvariantCulture));
        var (isOpen, next) = FiatConfigRules.ServiceWindow([window], DateTimeOffset.Parse(now, System.Globalization.CultureInfo.InvariantCulture), Hk);
        Assert.That((isOpen, next), Is.EqualTo((open, opensAt is null ? (DateTimeOffset?)null : DateTimeOffset.Parse(opensAt, System.Globalization.CultureInfo.InvariantCulture))));
    }

    [Test]
    public void No_service_windows_means_always_open() =>
        Assert.That(FiatConfigRules.ServiceWindow([], DateTimeOffset.UnixEpoch, Hk), Is.EqualTo((true, (DateTimeOffset?)null)));

    // amount, balance, alert threshold, interception threshold → intercept, alert
    [TestCase(1_000, 999, 0, 0, true, true, Description = "insufficient balance")]
    [TestCase(1_000, 101_000, 150_000, 100_000, false, true, Description = "lands exactly on the interception threshold: alert only")]
    [TestCase(1_000, 100_999, 150_000, 100_000, true, true, Description = "would fall below the interception threshold")]
    [TestCase(1_000, 151_000, 150_000, 100_000, false, true, Description = "reaches the alert threshold")]
    [TestCase(1_000, 151_001, 150_000, 100_000, false, false, Description = "above both")]
    public void Balance_table(decimal amount, decimal balance, decimal alert, decimal intercept, bool intercepted, bool alerted)
    {
        var check = FiatConfigRules.Balance(amount, balance, alert, intercept, "HKD");
        Assert.That((check.Intercept, check.Alert, check.Reason is not null), Is.EqualTo((intercepted, alerted, alerted)));
    }

    [TestCase(100_000, 69_999, 30_000, false)]
    [TestCase(100_000, 70_000, 30_000, true)]
    [TestCase(100_000, 100_000, 0, true)]
    public void Daily_limit_alert_when_the_remaining_limit_reaches_the_threshold(decimal limit, decimal usedAfter, decimal alert, bool expected) =>
        Assert.That(FiatConfigRules.DailyLimitAlert(limit, usedAfter, alert), Is.EqualTo(expected));
}
