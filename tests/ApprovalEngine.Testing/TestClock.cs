namespace ApprovalEngine.Testing;

/// <summary>
/// A clock that moves only when told to. Starts on a whole second (UTC) so that timestamps survive PostgreSQL's
/// microsecond precision unchanged. Thread-safe.
/// </summary>
public sealed class TestClock : TimeProvider
{
    private readonly Lock _lock = new();
    private DateTimeOffset _now;

    public TestClock(DateTimeOffset? start = null)
    {
        var s = start ?? new DateTimeOffset(2026, 1, 5, 9, 0, 0, TimeSpan.Zero);
        _now = s.ToUniversalTime();
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_lock) return _now;
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_lock) _now += by;
    }

    public void Set(DateTimeOffset to)
    {
        lock (_lock) _now = to.ToUniversalTime();
    }
}
