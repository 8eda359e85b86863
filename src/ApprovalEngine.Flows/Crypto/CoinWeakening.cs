namespace ApprovalEngine.Flows.Crypto;

/// <summary>A coin's settings as the four-eyes check compares them (amounts in coin units).</summary>
public sealed record CoinSettingsState(int Decimals, decimal MinWithdrawal, decimal MaxWithdrawal, decimal WithdrawalFee, int RequiredConfirmations, bool DepositEnabled, bool WithdrawalEnabled);

/// <summary>
/// Which edits of a coin weaken a control and so wait for a second holder of <c>crypto:configure</c> (ADR 18, as ADR 15
/// for fiat): fewer confirmations credit deposits that a chain reorganisation can still undo, and a higher maximum lets a
/// single withdrawal take more. The rest does not weaken a control: switches stop or resume a function whose limits all
/// still hold (stopping money must never wait), a lower minimum or fee changes no risk, more decimals only allow finer
/// amounts. The reasons are the summary the second configurer reads.
/// </summary>
public static class CoinWeakening
{
    public static IReadOnlyList<string> Edit(CoinSettingsState before, CoinSettingsState after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var reasons = new List<string>();
        if (after.RequiredConfirmations < before.RequiredConfirmations)
        {
            reasons.Add($"deposits are credited after fewer confirmations ({before.RequiredConfirmations} → {after.RequiredConfirmations})");
        }
        if (after.MaxWithdrawal > before.MaxWithdrawal)
        {
            reasons.Add($"a single withdrawal may take more (maximum {CoinRules.Normalize(before.MaxWithdrawal)} → {CoinRules.Normalize(after.MaxWithdrawal)})");
        }
        return reasons;
    }
}
