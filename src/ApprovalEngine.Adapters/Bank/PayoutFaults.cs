namespace ApprovalEngine.Adapters.Bank;

/// <summary>
/// The sandbox banks' test controls (in-memory and database): refuse the next payout, lose responses, hold requests
/// before or after the bank makes them, answer call-offs or not. One implementation, so both banks misbehave alike.
/// </summary>
public sealed class PayoutFaults
{
    private readonly Lock _gate = new();
    private readonly List<(string Key, TaskCompletionSource Gate)> _held = [];
    private PayoutHold _hold;
    private string? _rejectNext;
    private int _loseResponses;
    private bool _cancelSupported = true;

    /// <summary>The next new payout or bank file is refused with <paramref name="reason"/>.</summary>
    public void RejectNext(string reason)
    {
        lock (_gate) _rejectNext = reason;
    }

    /// <summary>The next <paramref name="count"/> payouts are made but their response is lost (the caller sees a timeout).</summary>
    public void LoseResponses(int count)
    {
        lock (_gate) _loseResponses = count;
    }

    /// <summary>
    /// Holds every payout request from now on until <see cref="ReleaseHeld"/>: before the bank makes it (it can still be
    /// called off) or after (made, only the answer is late). Lets tests cancel an instance while its call is in flight.
    /// </summary>
    public void HoldPayouts(PayoutHold hold)
    {
        lock (_gate) _hold = hold;
    }

    /// <summary>Payout requests waiting on a hold.</summary>
    public int HeldCount
    {
        get
        {
            lock (_gate) return _held.Count;
        }
    }

    /// <summary>Lets every held request go on and stops holding new ones.</summary>
    public void ReleaseHeld()
    {
        List<(string Key, TaskCompletionSource Gate)> held;
        lock (_gate)
        {
            _hold = PayoutHold.None;
            held = [.. _held];
            _held.Clear();
        }
        foreach (var (_, gate) in held) gate.TrySetResult();
    }

    /// <summary>Whether the bank calls payouts off (true), or answers no like a bank without cancellation.</summary>
    public bool CancelSupported
    {
        get
        {
            lock (_gate) return _cancelSupported;
        }
        set
        {
            lock (_gate) _cancelSupported = value;
        }
    }

    /// <summary>Throws the refusal <see cref="RejectNext"/> set, once.</summary>
    public void ThrowIfRejected()
    {
        string? reason;
        lock (_gate)
        {
            reason = _rejectNext;
            _rejectNext = null;
        }
        if (reason is not null) throw new BankRejectedException(reason);
    }

    /// <summary>Throws the timeout of a lost response, while <see cref="LoseResponses"/> has some left.</summary>
    public void ThrowIfResponseLost()
    {
        lock (_gate)
        {
            if (_loseResponses <= 0) return;
            _loseResponses--;
        }
        throw new TimeoutException("The bank did not answer in time (the payout may have been made).");
    }

    /// <summary>A task the request waits on when the bank holds requests at <paramref name="when"/>; null otherwise.</summary>
    public Task? Hold(PayoutHold when, string key)
    {
        lock (_gate)
        {
            if (_hold != when) return null;
            var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _held.Add((key, gate));
            return gate.Task;
        }
    }

    /// <summary>A payout called off: a request held under its key goes on at once (and is refused by the bank).</summary>
    public void Release(string key)
    {
        List<TaskCompletionSource> waiting;
        lock (_gate)
        {
            waiting = [.. _held.Where(h => h.Key == key).Select(h => h.Gate)];
            _held.RemoveAll(h => h.Key == key);
        }
        foreach (var gate in waiting) gate.TrySetResult();
    }
}
