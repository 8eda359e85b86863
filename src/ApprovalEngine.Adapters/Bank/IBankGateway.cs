namespace ApprovalEngine.Adapters.Bank;

/// <summary>Withdrawal policies of a channel (Whale "Withdrawal Rules").</summary>
public static class WithdrawalPolicies
{
    /// <summary>Real Time Payment Of Single Order: each record is paid on its own (direct billing).</summary>
    public const string RealTimeSingle = "RealTimeSingle";

    /// <summary>Manual Review Of Timed Packing: records are packed at the cut-off and the batch is approved by work order.</summary>
    public const string TimedPacking = "TimedPacking";

    /// <summary>Manual Packing: operators select records and pack them for arrangement; the batch is approved by work order.</summary>
    public const string ManualPacking = "ManualPacking";

    /// <summary>Batch Auto: records are packed on the rule's schedule and the batch is paid without a work order.</summary>
    public const string BatchAuto = "BatchAuto";

    public static readonly IReadOnlyList<string> All = [RealTimeSingle, TimedPacking, ManualPacking, BatchAuto];
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
    bool DirectBillingNeedsApproval)
{
    /// <summary>Cron schedule (Quartz syntax, UTC) of TimedPacking and BatchAuto packing; null for the other policies.</summary>
    public string? PackingCron { get; init; }

    /// <summary>Cheque channels are paid by printed cheques (Check Printing), not by a transfer.</summary>
    public bool IsCheque { get; init; }

    /// <summary>The bank reports each transfer's result by itself (API); false = operators update results per batch.</summary>
    public bool AutomaticStatus { get; init; } = true;

    public bool Enabled { get; init; } = true;
}

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

    /// <summary>Every configured channel (enabled or not), e.g. for the packing schedules.</summary>
    Task<IReadOnlyList<WithdrawalChannel>> ListChannelsAsync(CancellationToken cancellationToken);
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

    /// <summary>
    /// Submits a bank file (a packed batch: one pain.001 or CSV file, many transfers from one paying account), idempotent
    /// on <see cref="BankFileRequest.IdempotencyKey"/>; throws <see cref="BankRejectedException"/> when the bank refuses
    /// the whole file. Per-transfer results come later (bank result events, or a manual result update per batch).
    /// </summary>
    Task<BankFileReceipt> SubmitFileAsync(BankFileRequest request, CancellationToken cancellationToken);

    /// <summary>The debit and credit entries of the channel's paying account booked between the two dates (inclusive, UTC).</summary>
    Task<IReadOnlyList<BankStatementEntry>> GetStatementAsync(string channelId, DateOnly from, DateOnly to, CancellationToken cancellationToken);
}

/// <summary>One transfer of a bank file; <see cref="Reference"/> is the withdrawal record number (end-to-end id).</summary>
public sealed record BankFileTransfer(string Reference, string BeneficiaryAccount, string BeneficiaryName, string? BeneficiaryBank, decimal Amount);

/// <summary>A bank file to pay: <see cref="Format"/> is <c>pain.001</c> or <c>csv</c>, <see cref="Content"/> the file itself.</summary>
public sealed record BankFileRequest(string ChannelId, string Currency, string FileId, string Format, string Content, IReadOnlyList<BankFileTransfer> Transfers, string IdempotencyKey);

/// <summary>The bank took the file; <see cref="BankReference"/> is its file / order number.</summary>
public sealed record BankFileReceipt(string BankReference, string FileId, int Transfers, decimal Total, DateTimeOffset SubmittedAt);

/// <summary>
/// A statement entry as the bank reports it. <see cref="Amount"/> is signed as the bank wrote it (debits may come
/// negative or positive, which is why operators can reclassify); <see cref="IsDebit"/> is the bank's own marker.
/// </summary>
public sealed record BankStatementEntry(string EntryId, DateOnly BookingDate, decimal Amount, string Currency, bool IsDebit, string? Reference, string? CounterpartyAccount, string? Description);

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
