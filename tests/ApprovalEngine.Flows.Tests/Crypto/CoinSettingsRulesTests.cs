using System.Globalization;
using ApprovalEngine.Flows.Crypto;

namespace ApprovalEngine.Flows.Tests.Crypto;

/// <summary><see cref="CoinRules.ValidateSettings"/> by table: what an operator may store for a coin.</summary>
public class CoinSettingsRulesTests
{
    private static decimal D(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);

    // decimals, min, max, fee, confirmations → the field refused (null = accepted)
    [TestCase(8, "0.001", "10", "0.0002", 3, null, TestName = "BTC as seeded")]
    [TestCase(18, "0.01", "200", "0.002", 12, null, TestName = "ETH as seeded")]
    [TestCase(6, "10", "100000", "1", 20, null, TestName = "USDT-TRC20 as seeded")]
    [TestCase(18, "0.000000000000000001", "1", "0", 1, null, TestName = "one wei, no fee")]
    [TestCase(8, "0.000000001", "10", "0", 3, "minWithdrawal", TestName = "minimum finer than the coin")]
    [TestCase(8, "0.001", "10.000000001", "0", 3, "maxWithdrawal", TestName = "maximum finer than the coin")]
    [TestCase(6, "10", "100", "0.0000001", 20, "withdrawalFee", TestName = "fee finer than the coin")]
    [TestCase(0, "1", "100", "0.5", 1, "withdrawalFee", TestName = "no decimals, fee with one")]
    [TestCase(8, "0", "10", "0", 3, "minWithdrawal", TestName = "zero minimum")]
    [TestCase(8, "1", "0.5", "0", 3, "maxWithdrawal", TestName = "maximum below minimum")]
    [TestCase(8, "0.001", "10", "-0.0001", 3, "withdrawalFee", TestName = "negative fee")]
    [TestCase(8, "0.001", "10", "0.001", 3, "withdrawalFee", TestName = "fee eats the minimum")]
    [TestCase(19, "1", "10", "0", 3, "decimals", TestName = "more decimals than wei")]
    [TestCase(-1, "1", "10", "0", 3, "decimals", TestName = "negative decimals")]
    [TestCase(8, "0.001", "10", "0", 0, "requiredConfirmations", TestName = "no confirmations")]
    [TestCase(8, "0.001", "100000000000000000001", "0", 3, "maxWithdrawal", TestName = "maximum beyond numeric(38,18)")]
    public void Settings(int decimals, string min, string max, string fee, int confirmations, string? refused)
    {
        var errors = CoinRules.ValidateSettings(new CoinSettings(decimals, D(min), D(max), D(fee), confirmations));
        if (refused is null) Assert.That(errors, Is.Empty);
        else Assert.That(errors.Select(e => e.Field), Does.Contain(refused), string.Join("; ", errors));
    }

    [TestCase("0.100000000000000000", "0.1")]
    [TestCase("10.000000000000000000", "10")]
    [TestCase("0.000000000000000001", "0.000000000000000001")]
    [TestCase("100000", "100000")]
    public void Stored_amounts_read_back_without_trailing_zeros(string stored, string shown) =>
        Assert.That(CoinRules.Normalize(D(stored)).ToString(CultureInfo.InvariantCulture), Is.EqualTo(shown));
}
