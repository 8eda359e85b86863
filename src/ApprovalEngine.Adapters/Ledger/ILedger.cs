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
    /// Applies a balance operation (negative amount = withdrawal). Throws <see cref="LedgerRejectedException"/> when
    /// the platform refuses it (unknown account, currency mismatch, insufficient balance, key reused differently).
    /// </summary>
    Task<BalanceOperation> ApplyBalanceOperationAsync(BalanceOperationRequest request, CancellationToken cancellationToken);
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

/// <summary>The platform refused an operation; retrying the same request will not help.</summary>
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
