using System.Diagnostics;

namespace ApprovalEngine.Testing;

/// <summary>
/// The one way tests wait: on a condition, asked again on a periodic timer until it holds or the time is up. Used where
/// the thing awaited lives in another process (a server, PostgreSQL) or another thread and has no event to subscribe to.
/// </summary>
public static class Poll
{
    /// <summary>Asks <paramref name="condition"/> until it returns true or <paramref name="timeout"/> passes; returns whether it held.</summary>
    public static async Task<bool> UntilAsync(Func<Task<bool>> condition, TimeSpan timeout, TimeSpan? interval = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(condition);
        var watch = Stopwatch.StartNew();
        using var timer = new PeriodicTimer(interval ?? TimeSpan.FromMilliseconds(50));
        while (!await condition())
        {
            if (watch.Elapsed > timeout) return false;
            await timer.WaitForNextTickAsync(cancellationToken);
        }
        return true;
    }
}
