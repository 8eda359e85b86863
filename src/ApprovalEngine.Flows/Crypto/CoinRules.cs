namespace ApprovalEngine.Flows.Crypto;

/// <summary>Result of the automatic withdrawal checks: refusal reasons (empty = passed), fee and the amount sent on chain.</summary>
public sealed record CoinWithdrawalCheck(IReadOnlyList<string> Reasons, decimal Fee, decimal NetAmount)
{
    public bool Passed => Reasons.Count == 0;
}

/// <summary>The coin facts the rules need (from the coin configuration).</summary>
public sealed record CoinFacts(bool Configured, bool WithdrawalEnabled, int Decimals, decimal MinWithdrawal, decimal MaxWithdrawal, decimal WithdrawalFee);

/// <summary>What an operator sets for one coin on one network (the coin configuration screen), amounts in coin units.</summary>
public sealed record CoinSettings(int Decimals, decimal MinWithdrawal, decimal MaxWithdrawal, decimal WithdrawalFee, int RequiredConfirmations);

public enum ConfirmationState
{
    Confirming,
    Confirmed,
    Failed,
}

/// <summary>Pure rules of the crypto flows. Amounts are decimals in coin units, never floating point.</summary>
public static class CoinRules
{
    /// <summary>Number of decimals actually used (trailing zeros do not count): 0.10000000 → 1.</summary>
    public static int SignificantScale(decimal amount)
    {
        var bits = decimal.GetBits(amount);
        var scale = (bits[3] >> 16) & 0xFF;
        var value = amount;
        while (scale > 0 && value == decimal.Round(value, scale - 1)) scale--;
        return scale;
    }

    /// <summary>The amount without trailing zeros (numeric(38,18) reads 0.1 back as 0.100000000000000000), so messages show what was set.</summary>
    public static decimal Normalize(decimal amount) => amount / 1.000000000000000000000000000000000m;

    /// <summary>True when the amount has at most the coin's decimals (BTC 8, ETH 18, …).</summary>
    public static bool FitsPrecision(decimal amount, int decimals) => SignificantScale(amount) <= decimals;

    /// <summary>The most decimals a coin may have: the stored amounts are numeric(38,18) (ETH's wei).</summary>
    public const int MaxDecimals = 18;

    /// <summary>Amounts above this do not fit numeric(38,18) (20 integer digits).</summary>
    public const decimal MaxAmount = 100_000_000_000_000_000_000m;

    /// <summary>
    /// Why a coin configuration cannot be stored, per field (empty = it can). Amounts must fit the coin's own
    /// precision — a minimum of 0.000000001 BTC could never be withdrawn — and the minimum must cover the fee, since
    /// <see cref="CheckWithdrawal"/> refuses every amount that does not.
    /// </summary>
    public static IReadOnlyList<(string Field, string Message)> ValidateSettings(CoinSettings settings)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var errors = new List<(string, string)>();
        if (settings.Decimals is < 0 or > MaxDecimals) errors.Add(("decimals", $"'decimals' must be between 0 and {MaxDecimals}."));
        if (settings.RequiredConfirmations is < 1 or > 10_000) errors.Add(("requiredConfirmations", "'requiredConfirmations' must be between 1 and 10000."));
        var decimals = Math.Clamp(settings.Decimals, 0, MaxDecimals);
        void Amount(decimal value, string field, bool positive)
        {
            if (positive ? value <= 0 : value < 0) errors.Add((field, positive ? $"'{field}' must be more than 0." : $"'{field}' must not be negative."));
            if (value >= MaxAmount) errors.Add((field, $"'{field}' must be less than {MaxAmount} (numeric(38,18))."));
            if (!FitsPrecision(value, decimals)) errors.Add((field, $"'{field}' has more than the coin's {decimals} decimals."));
        }
        Amount(settings.MinWithdrawal, "minWithdrawal", positive: true);
        Amount(settings.MaxWithdrawal, "maxWithdrawal", positive: true);
        Amount(settings.WithdrawalFee, "withdrawalFee", positive: false);
        if (settings.MaxWithdrawal < settings.MinWithdrawal) errors.Add(("maxWithdrawal", "'maxWithdrawal' must not be below 'minWithdrawal'."));
        if (settings.WithdrawalFee >= settings.MinWithdrawal && settings.MinWithdrawal > 0) errors.Add(("withdrawalFee", "'withdrawalFee' must be below 'minWithdrawal' (a withdrawal must cover its fee)."));
        return errors;
    }

    /// <summary>
    /// Withdrawal checks in the order an operator reads them: the coin is configured and enabled, the amount is
    /// positive, within the coin's precision, within min/max and above the fee, and the destination is one of the
    /// customer's verified (whitelisted) addresses. The customer receives amount − fee.
    /// </summary>
    public static CoinWithdrawalCheck CheckWithdrawal(CoinFacts coin, string coinName, decimal amount, string? address, IReadOnlyCollection<string> verifiedAddresses)
    {
        ArgumentNullException.ThrowIfNull(coin);
        ArgumentNullException.ThrowIfNull(verifiedAddresses);
        var reasons = new List<string>();
        if (!coin.Configured) return new([$"{coinName} is not configured on this network."], 0m, 0m);
        if (!coin.WithdrawalEnabled) reasons.Add($"Withdrawals of {coinName} are disabled.");
        if (amount <= 0) reasons.Add("The amount must be positive.");
        if (!FitsPrecision(amount, coin.Decimals)) reasons.Add($"{coinName} amounts have at most {coin.Decimals} decimals.");
        if (amount > 0 && amount < coin.MinWithdrawal) reasons.Add($"The amount is below the minimum withdrawal of {coin.MinWithdrawal} {coinName}.");
        if (amount > coin.MaxWithdrawal) reasons.Add($"The amount is above the maximum withdrawal of {coin.MaxWithdrawal} {coinName}.");
        if (amount > 0 && amount <= coin.WithdrawalFee) reasons.Add($"The amount does not cover the fee of {coin.WithdrawalFee} {coinName}.");
        if (string.IsNullOrWhiteSpace(address) || !verifiedAddresses.Contains(address, StringComparer.Ordinal))
        {
            reasons.Add("The destination address is not a verified wallet address of the customer.");
        }
        var net = reasons.Count == 0 ? amount - coin.WithdrawalFee : 0m;
        return new(reasons, coin.WithdrawalFee, net);
    }

    /// <summary>
    /// Folds a confirmations report into the progress: confirmations never go back (a lower report is ignored),
    /// a failed/dropped transaction fails, and reaching <paramref name="required"/> confirms.
    /// </summary>
    public static (int Confirmations, ConfirmationState State) ApplyConfirmations(int current, int? reported, int required, bool failed)
    {
        if (failed) return (current, ConfirmationState.Failed);
        var confirmations = Math.Max(current, reported ?? current);
        return (confirmations, confirmations >= Math.Max(required, 1) ? ConfirmationState.Confirmed : ConfirmationState.Confirming);
    }

    /// <summary>
    /// The refund amount: the deposit amount unless adjusted; an adjusted amount needs a reason, must be positive, at
    /// most the deposit amount and within the coin's precision. Returns the amount and the refusal reasons.
    /// </summary>
    public static (decimal Amount, IReadOnlyList<string> Reasons) PrepareRefund(decimal depositAmount, decimal? requested, string? adjustReason, int decimals)
    {
        var amount = requested ?? depositAmount;
        var reasons = new List<string>();
        if (amount <= 0) reasons.Add("The refund amount must be positive.");
        if (amount > depositAmount) reasons.Add($"The refund amount cannot exceed the deposit amount of {depositAmount}.");
        if (!FitsPrecision(amount, decimals)) reasons.Add($"The refund amount has more than {decimals} decimals.");
        if (amount != depositAmount && string.IsNullOrWhiteSpace(adjustReason)) reasons.Add("An adjusted refund amount needs a reason for the adjustment.");
        return (amount, reasons);
    }
}
