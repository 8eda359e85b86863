using ApprovalEngine.Flows.Fiat;

namespace ApprovalEngine.Flows.Tests.Fiat;

public class FiatRulesTests
{
    /// <summary>A known customer on a configured HKD channel with plenty of bank balance: approved.</summary>
    private static readonly FiatRuleFacts Clean = new()
    {
        Amount = 1_000m,
        Currency = "HKD",
        ChannelConfigured = true,
        ChannelCurrency = "HKD",
        SingleLimit = 50_000m,
        CustomerDailyLimit = 100_000m,
        CustomerUsedToday = 0m,
        ChannelDailyLimit = 1_000_000m,
        ChannelUsedToday = 0m,
        BankAvailableBalance = 2_000_000m,
        InterceptionThreshold = 100_000m,
        PreviousWithdrawals = 3,
        KnownBankAccount = true,
        ReviewThreshold = 20_000m,
    };

    [Test]
    public void A_clean_request_is_approved_without_reasons()
    {
        var result = FiatRules.Evaluate(Clean);
        Assert.That((result.Decision, result.AllReasons.Count), Is.EqualTo((FiatDecision.Approve, 0)));
    }

    // amount, customer used today, channel used today, bank balance (-1 = no inquiry), previous, known account → decision
    [TestCase(50_000, 0, 0, 2_000_000, 3, true, FiatDecision.Review, Description = "at the single limit, above the review threshold")]
    [TestCase(50_000.01, 0, 0, 2_000_000, 3, true, FiatDecision.Reject, Description = "above the single limit")]
    [TestCase(1_000, 99_000, 0, 2_000_000, 3, true, FiatDecision.Approve, Description = "exactly reaches the customer's daily limit")]
    [TestCase(1_000, 99_000.01, 0, 2_000_000, 3, true, FiatDecision.Reject, Description = "customer's daily limit exceeded")]
    [TestCase(1_000, 0, 999_500, 2_000_000, 3, true, FiatDecision.Intercept, Description = "channel's daily limit exceeded")]
    [TestCase(1_000, 0, 0, 999, 3, true, FiatDecision.Intercept, Description = "insufficient bank balance")]
    [TestCase(1_000, 0, 0, 101_000, 3, true, FiatDecision.Approve, Description = "balance lands exactly on the threshold")]
    [TestCase(1_000, 0, 0, 100_999, 3, true, FiatDecision.Intercept, Description = "balance would fall below the threshold")]
    [TestCase(1_000, 0, 0, -1, 3, true, FiatDecision.Approve, Description = "no balance inquiry: no interception")]
    [TestCase(1_000, 0, 0, 2_000_000, 0, true, FiatDecision.Review, Description = "first withdrawal")]
    [TestCase(1_000, 0, 0, 2_000_000, 3, false, FiatDecision.Review, Description = "new bank account")]
    [TestCase(1_000, 0, 0, 999, 0, false, FiatDecision.Intercept, Description = "interception beats review")]
    [TestCase(60_000, 0, 0, 999, 0, false, FiatDecision.Reject, Description = "rejection beats everything")]
    public void Decision_table(decimal amount, decimal customerUsed, decimal channelUsed, decimal balance, int previous, bool known, FiatDecision expected)
    {
        var result = FiatRules.Evaluate(Clean with
        {
            Amount = amount,
            CustomerUsedToday = customerUsed,
            ChannelUsedToday = channelUsed,
            BankAvailableBalance = balance < 0 ? null : balance,
            PreviousWithdrawals = previous,
            KnownBankAccount = known,
        });
        Assert.That(result.Decision, Is.EqualTo(expected));
    }

    [Test]
    public void Every_hit_rule_is_listed_in_its_group()
    {
        var result = FiatRules.Evaluate(Clean with { Amount = 60_000m, BankAvailableBalance = 999m, PreviousWithdrawals = 0, KnownBankAccount = false });
        Assert.Multiple(() =>
        {
            Assert.That(result.RejectReasons, Has.Count.EqualTo(1));
            Assert.That(result.InterceptReasons, Has.Count.EqualTo(1));
            Assert.That(result.ReviewReasons, Has.Count.EqualTo(3));
            Assert.That(result.AllReasons[0], Does.Contain("single-withdrawal limit"));
        });
    }

    [TestCase(false, "HKD", "The withdrawal channel is not configured.")]
    [TestCase(true, "USD", "The channel pays USD, not HKD.")]
    public void Channel_must_exist_and_pay_the_currency(bool configured, string channelCurrency, string reason) =>
        Assert.That(FiatRules.Evaluate(Clean with { ChannelConfigured = configured, ChannelCurrency = channelCurrency }).RejectReasons, Does.Contain(reason));

    [TestCase("JPY", 0)]
    [TestCase("KRW", 0)]
    [TestCase("HKD", 2)]
    [TestCase("USD", 2)]
    public void Currency_precision(string currency, int decimals) => Assert.That(FiatRules.CurrencyDecimals(currency), Is.EqualTo(decimals));

    [TestCase(1_000, "HKD", "FPS FW-1", 0, Description = "negative debit amount is matched by absolute value")]
    [TestCase(-1_000, "HKD", "FPS FW-1", 0)]
    [TestCase(-1_000, "HKD", "ORDER BANK-00000001", 0, Description = "the bank's order number also matches")]
    [TestCase(-999.99, "HKD", "FW-1", 1)]
    [TestCase(-1_000, "USD", "FW-1", 1)]
    [TestCase(-1_000, "HKD", "unrelated", 1)]
    [TestCase(-5, "USD", "unrelated", 3)]
    public void Reconciliation(decimal lineAmount, string lineCurrency, string lineReference, int discrepancies) =>
        Assert.That(FiatRules.Reconcile(1_000m, "HKD", "FW-1", "BANK-00000001", lineAmount, lineCurrency, lineReference), Has.Count.EqualTo(discrepancies));
}
