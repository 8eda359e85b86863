namespace ApprovalEngine.Hosting;

/// <summary>
/// Wakes this node's pollers when a step commits a timer due before their next look, so a short timer (a one-second
/// delay, an SLA already due) fires on time without polling often. Other nodes find it on their next poll.
/// </summary>
public sealed class DueWorkSignal : IDisposable
{
    private readonly SemaphoreSlim _wake = new(0, 1);
    private long _nextDueTicks = long.MaxValue;

    /// <summary>The earliest due time signalled since the pollers last looked (UTC ticks).</summary>
    public DateTimeOffset? NextDue
    {
        get
        {
            var ticks = Interlocked.Read(ref _nextDueTicks);
            return ticks == long.MaxValue ? null : new DateTimeOffset(ticks, TimeSpan.Zero);
        }
    }

    public void TimerDue(DateTimeOffset dueAt)
    {
        var ticks = dueAt.UtcTicks;
        long seen;
        do
        {
            seen = Interlocked.Read(ref _nextDueTicks);
            if (seen <= ticks) return;
        }
        while (Interlocked.CompareExchange(ref _nextDueTicks, ticks, seen) != seen);
        Wake();
    }

    public void Wake()
    {
        // At most one pending wake-up: a second one while the poller is busy would add nothing.
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
            }
        }
    }

    public void Dispose() => _wake.Dispose();

    /// <summary>Forgets what was signalled (the poller is about to look at the table itself).</summary>
    public void Reset() => Interlocked.Exchange(ref _nextDueTicks, long.MaxValue);

    public async Task WaitAsync(TimeSpan timeout, TimeProvider clock, CancellationToken cancellationToken)
    {
        if (timeout <= TimeSpan.Zero) return;
        // The clock's own timer, so a test's FakeTimeProvider drives the wait.
        using var elapsed = new CancellationTokenSource(timeout, clock);
        using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, elapsed.Token);
        try
        {
            await _wake.WaitAsync(either.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
        }
    }
}
