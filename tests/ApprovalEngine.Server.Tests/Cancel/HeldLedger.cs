using ApprovalEngine.Adapters.Ledger;

namespace ApprovalEngine.Server.Tests.Cancel;

/// <summary>
/// The sandbox ledger with a gate: while held, balance operations wait (after the operation is applied: the money has
/// moved, only the answer is late), so a test can act on an instance whose outside call is in flight.
/// </summary>
public sealed class HeldLedger(ILedger inner) : ILedger
{
    public Task<string?> GetLastDepositMethodAsync(string account, CancellationToken cancellationToken) => inner.GetLastDepositMethodAsync(account, cancellationToken);

    private readonly Lock _gate = new();
    private TaskCompletionSource? _release;
    private int _held;

    public int HeldCount => Volatile.Read(ref _held);

    public void Hold()
    {
        lock (_gate) _release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
    }

    public void Release()
    {
        TaskCompletionSource? release;
        lock (_gate)
        {
            release = _release;
            _release = null;
        }
        release?.TrySetResult();
    }

    public Task<TradingAccount?> GetAccountAsync(string account, CancellationToken cancellationToken) => inner.GetAccountAsync(account, cancellationToken);

    public async Task<BalanceOperationResult> ApplyBalanceOperationAsync(BalanceOperationRequest request, CancellationToken cancellationToken)
    {
        var result = await inner.ApplyBalanceOperationAsync(request, cancellationToken);
        Task? wait;
        lock (_gate) wait = _release?.Task;
        if (wait is null) return result;
        Interlocked.Increment(ref _held);
        try
        {
            await wait.WaitAsync(cancellationToken);
        }
        finally
        {
            Interlocked.Decrement(ref _held);
        }
        return result;
    }
}
