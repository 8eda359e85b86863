namespace ApprovalEngine.Adapters.Bank;

/// <summary>Withdrawal policies of a channel (Whale "Withdrawal Rules").</summary>
public static class WithdrawalPolicies
{
    /// <summary>Real Time Payment Of Single Order: each record is paid on its own (direct billing).</summary>
    public const string RealTimeSingle = "RealTimeSingle";

    /// <summary>Manual Review Of Timed Packing: records are packed at the cut-off and the batch is approved by work order.</summary>
    public const string TimedPacking = "TimedPacking";

    public static readonly IReadOnlyList<string> All = [RealTimeSingle, TimedPacking];
}

/// <summary>
/// A withdrawal channel: the broker's paying bank account and method (e.g. "ICBC Asia 001 — Cheque Transfer"),
/// with its rules: policy, single-transaction limit, the channel's and each customer's daily limits, the automatic
/// review threshold, the balance interception threshold and whether direct billing needs a work order.
/// </summary>
public sealed record WithdrawalChannel(
    string ChannelId,
    string BankName,
    string Method,
    string Currency,
    string Policy,
    decimal SingleLimit,
    decimal ChannelDailyLimit,
    decimal CustomerDailyLimit,
    decimal ReviewThreshold,
    decimal InterceptionThreshold,
    bool DirectBillingNeedsApproval);

/// <summary>What the back office knows of a customer's withdrawals relevant to the automatic rules.</summary>
public sealed record WithdrawalHistory(
    decimal CustomerUsedToday,
    decimal ChannelUsedToday,
    int PreviousWithdrawals,
    bool KnownBankAccount);

public interface IWithdrawalChannels
{
    /// <summary>The channel, or null when it is not configured.</summary>
    Task<WithdrawalChannel?> GetChannelAsync(string channelId, CancellationToken cancellationToken);
}

public interface IWithdrawalHistory
{
    /// <summary>Amounts already withdrawn on <paramref name="day"/> (UTC) by the customer and on the channel, earlier withdrawals, and whether the bank account was paid before.</summary>
    Task<WithdrawalHistory> GetHistoryAsync(string customerId, string channelId, string bankAccount, DateOnly day, CancellationToken cancellationToken);
}

/// <summary>A payout to a customer's bank account through a channel.</summary>
public sealed record PayoutRequest(
    string ChannelId,
    string BeneficiaryAccount,
    decimal Amount,
    string Currency,
    string Reference,
    string IdempotencyKey);

/// <summary>A payout the bank accepted; <see cref="BankReference"/> is the bank's order number.</summary>
public sealed record BankPayout(string BankReference, string ChannelId, string BeneficiaryAccount, decimal Amount, string Currency, string Reference, string IdempotencyKey, DateTimeOffset SubmittedAt);

/// <summary>
/// The paying bank (bank-enterprise connection). Payouts must be idempotent on <see cref="PayoutRequest.IdempotencyKey"/>:
/// the same key again returns the first payout and never pays twice.
/// </summary>
public interface IBankGateway
{
    /// <summary>The available balance of the channel's account, or null when the bank has no balance inquiry.</summary>
    Task<decimal?> GetAvailableBalanceAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>Submits the payout, or throws <see cref="BankRejectedException"/> when the bank refuses it.</summary>
    Task<BankPayout> PayAsync(PayoutRequest request, CancellationToken cancellationToken);
}

/// <summary>A bank that can call off a payout it has not made yet (optional; ADR 10).</summary>
public interface ICancellablePayouts
{
    /// <summary>
    /// True when the payout with this key will not be made: it had not been made and any later or waiting request with
    /// the key is refused (<see cref="BankRejectedException"/>). False when it was already made.
    /// </summary>
    Task<bool> TryCancelPayoutAsync(string idempotencyKey, CancellationToken cancellationToken);
}

/// <summary>The bank refused a payout; retrying the same request will not help.</summary>
public sealed class BankRejectedException : Exception
{
    public BankRejectedException()
    {
    }

    public BankRejectedException(string message) : base(message)
    {
    }

    public BankRejectedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
