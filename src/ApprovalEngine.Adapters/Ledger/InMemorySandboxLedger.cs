namespace ApprovalEngine.Adapters.Ledger;

/// <summary>
/// A thread-safe in-memory trading platform for tests and development. Withdrawals reduce balance, equity and free
/// margin; a withdrawal larger than the balance is refused. Idempotent on the request's key.
/// </summary>
public sealed class InMemorySandboxLedger(TimeProvider? clock = null) : ILedger
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<string, TradingAccount> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, BalanceOperation> _byKey = new(StringComparer.Ordinal);
    private readonly List<BalanceOperation> _operations = [];
    private readonly Dictionary<string, string> _depositMethods = new(StringComparer.Ordinal);
    private long _nextTradeId = 1_000_000;

    /// <summary>Creates or replaces an account.</summary>
    public void SetAccount(TradingAccount account)
    {
        ArgumentNullException.ThrowIfNull(account);
        lock (_gate) _accounts[account.Account] = account;
    }

    /// <summary>Records the method of the last deposit to <paramref name="account"/> (null: none known).</summary>
    public void SetLastDepositMethod(string account, string? method)
    {
        lock (_gate)
        {
            if (method is null) _depositMethods.Remove(account);
            else _depositMethods[account] = method;
        }
    }

    public Task<string?> GetLastDepositMethodAsync(string account, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate) return Task.FromResult(_depositMethods.GetValueOrDefault(account));
    }

    /// <summary>The account now, or null.</summary>
    public TradingAccount? FindAccount(string account)
    {
        lock (_gate) return _accounts.GetValueOrDefault(account);
    }

    /// <summary>Operations applied, oldest first; all accounts when <paramref name="account"/> is null.</summary>
    public IReadOnlyList<BalanceOperation> Operations(string? account = null)
    {
        lock (_gate) return [.. _operations.Where(o => account is null || o.Account == account)];
    }

    public Task<TradingAccount?> GetAccountAsync(string account, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(FindAccount(account));
    }

    public Task<BalanceOperationResult> ApplyBalanceOperationAsync(BalanceOperationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        return Task.FromResult(Apply(request));
    }

    private BalanceOperationResult Apply(BalanceOperationRequest request)
    {
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) return BalanceOperationResult.Refused(BalanceOperationRefusal.InvalidRequest, "A balance operation needs an idempotency key.");
        lock (_gate)
        {
            if (_byKey.TryGetValue(request.IdempotencyKey, out var earlier))
            {
                return earlier.Account != request.Account || earlier.Amount != request.Amount || earlier.Currency != request.Currency
                    ? BalanceOperationResult.Refused(BalanceOperationRefusal.KeyConflict, $"The idempotency key '{request.IdempotencyKey}' was already used for a different operation.")
                    : BalanceOperationResult.Applied(earlier);
            }
            if (!_accounts.TryGetValue(request.Account, out var account)) return BalanceOperationResult.Refused(BalanceOperationRefusal.UnknownAccount, $"Unknown trading account '{request.Account}'.");
            if (!string.Equals(account.Currency, request.Currency, StringComparison.OrdinalIgnoreCase))
            {
                return BalanceOperationResult.Refused(BalanceOperationRefusal.CurrencyMismatch, $"Account '{request.Account}' is in {account.Currency}, not {request.Currency}.");
            }
            if (request.Amount == 0) return BalanceOperationResult.Refused(BalanceOperationRefusal.InvalidRequest, "A balance operation needs a non-zero amount.");
            if (account.Balance + request.Amount < 0)
            {
                return BalanceOperationResult.Refused(BalanceOperationRefusal.InsufficientBalance, $"Insufficient balance on '{request.Account}': {account.Balance} {account.Currency}, operation {request.Amount}.");
            }
            _accounts[request.Account] = account with
            {
                Balance = account.Balance + request.Amount,
                Equity = account.Equity + request.Amount,
                FreeMargin = account.FreeMargin + request.Amount,
            };
            var operation = new BalanceOperation(++_nextTradeId, request.Account, request.Amount, account.Currency, request.Comment, request.IdempotencyKey, _clock.GetUtcNow());
            _byKey[request.IdempotencyKey] = operation;
            _operations.Add(operation);
            return BalanceOperationResult.Applied(operation);
        }
    }
}
