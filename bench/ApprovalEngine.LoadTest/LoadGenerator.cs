using System.Collections.Concurrent;
using System.Diagnostics;

namespace ApprovalEngine.LoadTest;

/// <summary>A request that did not answer 2xx (or did not answer at all). The operation it belongs to counts as failed.</summary>
internal sealed class RequestFailedException(string key, string detail) : Exception($"{key}: {detail}")
{
    /// <summary>"409 POST /api/wd-requests/{id}/actions" or "HttpRequestException GET /api/tasks": how errors are grouped.</summary>
    public string Key { get; } = key;

    public string Detail { get; } = detail;
}

/// <summary>What one closed-loop phase measured.</summary>
internal sealed class LoadResult
{
    public required string Name { get; init; }

    public required int Connections { get; init; }

    public long Operations { get; init; }

    public long Failed { get; init; }

    public TimeSpan Elapsed { get; init; }

    /// <summary>Latencies of the successful operations in milliseconds, sorted.</summary>
    public required double[] LatenciesMs { get; init; }

    public required IReadOnlyDictionary<string, long> Errors { get; init; }

    public required IReadOnlyList<string> ErrorSamples { get; init; }

    /// <summary>The work source ran dry before the duration was up (the phase ended early).</summary>
    public bool Exhausted { get; init; }

    public double PerSecond => Elapsed.TotalSeconds > 0 ? Operations / Elapsed.TotalSeconds : 0;

    public double Percentile(double p)
    {
        if (LatenciesMs.Length == 0) return double.NaN;
        // Nearest rank: the smallest value with at least p% of the samples at or below it.
        var rank = (int)Math.Ceiling(p / 100.0 * LatenciesMs.Length);
        return LatenciesMs[Math.Clamp(rank - 1, 0, LatenciesMs.Length - 1)];
    }

    public long ErrorCount => Errors.Values.Sum();
}

/// <summary>
/// Closed loop: N workers, each sends its next operation as soon as the previous one answered, until the duration is up
/// or the work source is empty. One operation may be several requests (a whole WD flow); its latency is the sum.
/// </summary>
internal static class LoadGenerator
{
    /// <param name="operation">Runs one operation for worker <c>w</c>; false = nothing left to do (the worker stops).</param>
    public static async Task<LoadResult> RunAsync(string name, int workers, TimeSpan duration, Func<int, CancellationToken, Task<bool>> operation, CancellationToken cancellationToken)
    {
        var latencies = new List<double>[workers];
        var errors = new ConcurrentDictionary<string, long>(StringComparer.Ordinal);
        var samples = new ConcurrentQueue<string>();
        long failed = 0;
        var exhausted = false;
        var clock = Stopwatch.StartNew();
        var deadline = duration;

        async Task Worker(int w)
        {
            var mine = latencies[w] = new List<double>(4096);
            while (clock.Elapsed < deadline && !cancellationToken.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    if (!await operation(w, cancellationToken))
                    {
                        exhausted = true;
                        return;
                    }
                    mine.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                }
                catch (RequestFailedException ex)
                {
                    Interlocked.Increment(ref failed);
                    errors.AddOrUpdate(ex.Key, 1, (_, n) => n + 1);
                    if (samples.Count < 5) samples.Enqueue($"{ex.Key}: {Trim(ex.Detail)}");
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
            }
        }

        await Task.WhenAll(Enumerable.Range(0, workers).Select(w => Task.Run(() => Worker(w), CancellationToken.None)));
        var elapsed = clock.Elapsed;
        cancellationToken.ThrowIfCancellationRequested();
        var all = latencies.Where(l => l is not null).SelectMany(l => l).ToArray();
        Array.Sort(all);
        return new LoadResult
        {
            Name = name,
            Connections = workers,
            Operations = all.Length,
            Failed = failed,
            Elapsed = elapsed,
            LatenciesMs = all,
            Errors = new Dictionary<string, long>(errors, StringComparer.Ordinal),
            ErrorSamples = [.. samples],
            Exhausted = exhausted,
        };
    }

    private static string Trim(string text)
    {
        var oneLine = text.ReplaceLineEndings(" ");
        return oneLine.Length > 300 ? oneLine[..300] + "…" : oneLine;
    }
}
