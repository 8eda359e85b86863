using ApprovalEngine.Flows.Crypto;

namespace ApprovalEngine.Flows.Tests.Crypto;

/// <summary>Which coin edits weaken a control and wait for a second configurer (ADR 18 amended), by table.</summary>
public class CoinWeakeningTests
{
    private static CoinSettingsState Coin(int decimals = 8, decimal min = 0.01m, decimal max = 100m, decimal fee = 0.001m, int confirmations = 6, bool deposit = true, bool withdrawal = true) =>
        new(decimals, min, max, fee, confirmations, deposit, withdrawal);

    public sealed record Row(string Name, CoinSettingsState Before, CoinSettingsState After, string? Reason)
    {
        public override string ToString() => Name;
    }

    public static IEnumerable<Row> Rows() =>
    [
        new("fewer confirmations", Coin(), Coin(confirmations: 3), "fewer confirmations (6 → 3)"),
        new("more confirmations", Coin(), Coin(confirmations: 12), null),
        new("a higher maximum", Coin(), Coin(max: 150m), "maximum 100 → 150"),
        new("a higher maximum by one wei", Coin(decimals: 18, max: 1m), Coin(decimals: 18, max: 1.000000000000000001m), "maximum 1 → 1.000000000000000001"),
        new("a lower maximum", Coin(), Coin(max: 50m), null),
        new("a lower minimum", Coin(), Coin(min: 0.001m), null),
        new("a higher minimum", Coin(), Coin(min: 1m), null),
        new("a lower fee", Coin(), Coin(fee: 0.0001m), null),
        new("more decimals", Coin(), Coin(decimals: 10), null),
        new("withdrawals switched on", Coin(withdrawal: false), Coin(), null),
        new("deposits switched off", Coin(), Coin(deposit: false), null),
        new("both at once", Coin(), Coin(confirmations: 1, max: 1000m), "fewer confirmations"),
        new("nothing changed", Coin(), Coin(), null),
    ];

    [TestCaseSource(nameof(Rows))]
    public void An_edit_weakens_a_control_only_when_it_lowers_confirmations_or_raises_the_maximum(Row row)
    {
        var reasons = CoinWeakening.Edit(row.Before, row.After);
        if (row.Reason is null) Assert.That(reasons, Is.Empty);
        else Assert.That(string.Join("; ", reasons), Does.Contain(row.Reason));
    }

    [Test]
    public void Lowering_confirmations_and_raising_the_maximum_together_gives_both_reasons()
    {
        var reasons = CoinWeakening.Edit(Coin(), Coin(confirmations: 1, max: 1000m));
        Assert.That(reasons, Has.Count.EqualTo(2));
    }
}
