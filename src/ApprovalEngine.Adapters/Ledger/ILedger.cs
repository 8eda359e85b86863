namespace ApprovalEngine.Adapters.Ledger;

/// <summary>
/// The trading platform behind the ledger (MT4-like): reads trading accounts and applies balance operations.
/// Implementations must be idempotent on <see cref="BalanceOperationRequest.IdempotencyKey"/>: the same key twice
/// returns the first operation and never applies a second one.
/// </summary>
public interface ILedger
{
    /// <summary>The account, or null when the platform does not know it.</summary>
    Task<TradingAccount?> GetAccountAsync(string account, CancellationToken cancellationToken);

    /// <summary>
    /// The payment method of the last deposit to the account, as the platform names it (e.g. <c>CreditCard</c>,
    /// <c>WireTransfer</c>); null when it knows none. A WD withdrawal is paid back the way the money came in (manual 003).
    /// </summary>
    Task<string?> GetLastDepositMethodAsync(string account, CancellationToken cancellationToken);

    /// <summary>
    /// Applies a balance operation (negative amount = withdrawal) atomically: the balance check and the change are one
    /// step on the platform, so concurrent withdrawals can never take the balance below zero. A definitive refusal
    /// (unknown account, currency mismatch, insufficient balance, key reused for a different operation) is returned as
    /// <see cref="BalanceOperationResult.Refused"/>, never thrown; exceptions mean "unknown, retry with the same key".
    /// A concurrent call with the same key gets the first call's operation.
    /// </summary>
    Task<BalanceOperationResult> ApplyBalanceOperationAsync(BalanceOperationRequest request, CancellationToken cancellationToken);
}

/// <summary>Why the platform refused a balance operation.</summary>
public enum BalanceOperationRefusal
{
    /// <summary>The operation would take the balance below zero.</summary>
    InsufficientBalance,

    /// <summary>The platform does not know the account.</summary>
    UnknownAccount,

    /// <summary>The account is kept in another currency.</summary>
    CurrencyMismatch,

    /// <summary>The idempotency key was already used for a different operation.</summary>
    KeyConflict,

    /// <summary>The request itself is malformed (no key, zero amount).</summary>
    InvalidRequest,
}

/// <summary>
/// The answer to a balance operation: applied (with the platform's operation) or refused (with the reason). A refusal
/// is final for that request; retrying it unchanged gets the same answer unless the account changed.
/// </summary>
public sealed record BalanceOperationResult
{
    private BalanceOperationResult(BalanceOperation? operation, BalanceOperationRefusal? refusal, string? reason)
    {
        Operation = operation;
        Refusal = refusal;
        Reason = reason;
    }

    /// <summary>The applied operation; null when refused.</summary>
    public BalanceOperation? Operation { get; }

    /// <summary>Why it was refused; null when applied.</summary>
    public BalanceOperationRefusal? Refusal { get; }

    /// <summary>The platform's explanation of the refusal, for people.</summary>
    public string? Reason { get; }

    public bool IsApplied => Operation is not null;

    public static BalanceOperationResult Applied(BalanceOperation operation) =>
        new(operation ?? throw new ArgumentNullException(nameof(operation)), null, null);

    public static BalanceOperationResult Refused(BalanceOperationRefusal refusal, string reason) => new(null, refusal, reason);
}

/// <summary>A trading account as the platform reports it. Money is in <see cref="Currency"/>.</summary>
public sealed record TradingAccount(
    string Account,
    string CustomerId,
    string Currency,
    decimal Balance,
    decimal Equity,
    decimal Margin,
    decimal FreeMargin,
    decimal Credit,
    int OpenTrades);

/// <summary>A balance operation to apply; <see cref="Amount"/> is negative for a withdrawal.</summary>
public sealed record BalanceOperationRequest(
    string Account,
    decimal Amount,
    string Currency,
    string Comment,
    string IdempotencyKey);

/// <summary>A balance operation the platform applied; <see cref="TradeId"/> is the platform's ticket.</summary>
public sealed record BalanceOperation(
    long TradeId,
    string Account,
    decimal Amount,
    string Currency,
    string Comment,
    string IdempotencyKey,
    DateTimeOffset CreatedAt);

/// <summary>
/// The platform refused a request (e.g. reading an account it does not know); retrying the same request will not help.
/// Balance operations answer refusals with <see cref="BalanceOperationResult"/> instead.
/// </summary>
public sealed class LedgerRejectedException : Exception
{
    public LedgerRejectedException()
    {
    }

    public LedgerRejectedException(string message) : base(message)
    {
    }

    public LedgerRejectedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
