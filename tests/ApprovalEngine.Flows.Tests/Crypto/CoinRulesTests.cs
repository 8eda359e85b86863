using ApprovalEngine.Flows.Crypto;

namespace ApprovalEngine.Flows.Tests.Crypto;

public class CoinRulesTests
{
    private static readonly CoinFacts Btc = new(true, true, 8, 0.001m, 10m, 0.0002m);
    private static readonly string[] Verified = ["addr-ok"];
    private static readonly string[] NotConfigured = ["BTC is not configured on this network."];

    [TestCase("0.5", 1)]
    [TestCase("0.50000000", 1)]
    [TestCase("0.00000001", 8)]
    [TestCase("1.000000000000000001", 18)]
    [TestCase("100", 0)]
    public void Significant_scale_ignores_trailing_zeros(string amount, int scale) =>
        Assert.That(CoinRules.SignificantScale(decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture)), Is.EqualTo(scale));

    [TestCase("0.5", "addr-ok", null, "0.4998")]
    [TestCase("10", "addr-ok", null, "9.9998")]
    [TestCase("0.001", "addr-ok", null, "0.0008")]
    [TestCase("10.00000001", "addr-ok", "The amount is above the maximum withdrawal of 10 BTC.", "0")]
    [TestCase("0.0009", "addr-ok", "The amount is below the minimum withdrawal of 0.001 BTC.", "0")]
    [TestCase("0.5", "addr-other", "The destination address is not a verified wallet address of the customer.", "0")]
    [TestCase("0.5", "ADDR-OK", "The destination address is not a verified wallet address of the customer.", "0")]
    [TestCase("0.000000001", "addr-ok", "BTC amounts have at most 8 decimals.", "0")]
    [TestCase("-1", "addr-ok", "The amount must be positive.", "0")]
    public void Withdrawal_checks(string amount, string address, string? reason, string net)
    {
        var check = CoinRules.CheckWithdrawal(Btc, "BTC", decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), address, Verified);
        if (reason is null) Assert.That(check.Reasons, Is.Empty);
        else Assert.That(check.Reasons, Does.Contain(reason));
        Assert.That(check.NetAmount, Is.EqualTo(decimal.Parse(net, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Fee_must_be_covered_and_the_coin_enabled_and_configured()
    {
        var tinyMin = Btc with { MinWithdrawal = 0m };
        Assert.That(CoinRules.CheckWithdrawal(tinyMin, "BTC", 0.0002m, "addr-ok", Verified).Reasons, Does.Contain("The amount does not cover the fee of 0.0002 BTC."));
        Assert.That(CoinRules.CheckWithdrawal(Btc with { WithdrawalEnabled = false }, "BTC", 1m, "addr-ok", Verified).Reasons, Does.Contain("Withdrawals of BTC are disabled."));
        Assert.That(CoinRules.CheckWithdrawal(Btc with { Configured = false }, "BTC", 1m, "addr-ok", Verified).Reasons, Is.EqualTo(NotConfigured));
    }

    [TestCase(0, 1, 3, false, 1, ConfirmationState.Confirming)]
    [TestCase(2, 1, 3, false, 2, ConfirmationState.Confirming)]
    [TestCase(2, null, 3, false, 2, ConfirmationState.Confirming)]
    [TestCase(2, 3, 3, false, 3, ConfirmationState.Confirmed)]
    [TestCase(0, 20, 3, false, 20, ConfirmationState.Confirmed)]
    [TestCase(2, 5, 3, true, 2, ConfirmationState.Failed)]
    [TestCase(0, 0, 0, false, 0, ConfirmationState.Confirming)]
    public void Confirmations_only_go_up(int current, int? reported, int required, bool failed, int expected, ConfirmationState state) =>
        Assert.That(CoinRules.ApplyConfirmations(current, reported, required, failed), Is.EqualTo((expected, state)));

    [TestCase(null, null, "1.25", null)]
    [TestCase("1.25", null, "1.25", null)]
    [TestCase("1.2", null, "1.2", "An adjusted refund amount needs a reason for the adjustment.")]
    [TestCase("1.2", "fee", "1.2", null)]
    [TestCase("1.3", "more", "1.3", "The refund amount cannot exceed the deposit amount of 1.25.")]
    [TestCase("0", "zero", "0", "The refund amount must be positive.")]
    [TestCase("1.0000001", "precision", "1.0000001", "The refund amount has more than 6 decimals.")]
    public void Refund_amount_rules(string? requested, string? reason, string amount, string? refusal)
    {
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        var (result, reasons) = CoinRules.PrepareRefund(1.25m, requested is null ? null : D(requested), reason, 6);
        Assert.That(result, Is.EqualTo(D(amount)));
        if (refusal is null) Assert.That(reasons, Is.Empty);
        else Assert.That(reasons, Does.Contain(refusal));
    }
}
