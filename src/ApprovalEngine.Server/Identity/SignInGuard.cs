using System.Collections.Concurrent;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Identity;

/// <summary><c>Auth:SignIn</c>: how often sign-in may be tried and when a user name is locked out.</summary>
public sealed class SignInOptions
{
    /// <summary>Sign-in attempts per client address per window (the rate limiter middleware).</summary>
    public int PermitsPerAddress { get; set; } = 600;

    /// <summary>Sign-in attempts per user name per window.</summary>
    public int PermitsPerUser { get; set; } = 60;

    public int WindowSeconds { get; set; } = 60;

    /// <summary>Consecutive failed sign-ins of one user name that lock it out.</summary>
    public int MaxFailures { get; set; } = 5;

    public int LockoutMinutes { get; set; } = 5;
}

/// <summary>
/// Per user name: a fixed-window rate limit (System.Threading.RateLimiting, as ASP.NET Core's rate limiter; the body
/// must be read to know the name, so this runs in the handler, the per-address limit in the middleware) and a
/// temporary lockout after repeated failures, timed by <see cref="TimeProvider"/>. Keyed by the name as typed, known
/// or not, so neither answer tells whether a user exists. Kept per server node.
/// </summary>
public sealed class SignInGuard : IDisposable
{
    private const int MaxTrackedNames = 10_000;
    private readonly SignInOptions _options;
    private readonly TimeProvider _clock;
    private readonly PartitionedRateLimiter<string> _perUser;
    private readonly ConcurrentDictionary<string, Failures> _failures = new(StringComparer.Ordinal);

    public SignInGuard(IOptions<SignInOptions> options, TimeProvider clock)
    {
        _options = options.Value;
        _clock = clock;
        _perUser = PartitionedRateLimiter.Create<string, string>(name => RateLimitPartition.GetFixedWindowLimiter(name, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = Math.Max(1, _options.PermitsPerUser),
            Window = TimeSpan.FromSeconds(Math.Max(1, _options.WindowSeconds)),
            QueueLimit = 0,
        }));
    }

    /// <summary>Null when the attempt may go on; otherwise how long the caller must wait.</summary>
    public TimeSpan? TryAcquire(string username)
    {
        using var lease = _perUser.AttemptAcquire(username);
        if (!lease.IsAcquired)
        {
            return lease.TryGetMetadata(MetadataName.RetryAfter, out var retry) ? retry : TimeSpan.FromSeconds(_options.WindowSeconds);
        }
        return LockedFor(username);
    }

    /// <summary>How long <paramref name="username"/> stays locked, or null.</summary>
    public TimeSpan? LockedFor(string username)
    {
        if (!_failures.TryGetValue(username, out var f) || f.LockedUntil is not { } until) return null;
        var left = until - _clock.GetUtcNow();
        return left > TimeSpan.Zero ? left : null;
    }

    public void Failed(string username)
    {
        var now = _clock.GetUtcNow();
        if (_failures.Count >= MaxTrackedNames) Prune(now);
        _failures.AddOrUpdate(
            username,
            _ => new Failures(1, null, now),
            (_, f) =>
            {
                // A lockout that has run out starts a fresh count.
                var count = f.LockedUntil is { } until && until <= now ? 1 : f.Count + 1;
                var locked = count >= _options.MaxFailures ? now + TimeSpan.FromMinutes(_options.LockoutMinutes) : (DateTimeOffset?)null;
                return new Failures(count >= _options.MaxFailures ? 0 : count, locked, now);
            });
    }

    public void Succeeded(string username) => _failures.TryRemove(username, out _);

    public void Dispose() => _perUser.Dispose();

    private void Prune(DateTimeOffset now)
    {
        var stale = now - TimeSpan.FromMinutes(Math.Max(_options.LockoutMinutes, 1));
        foreach (var (name, f) in _failures)
        {
            if ((f.LockedUntil ?? f.Last) < stale) _failures.TryRemove(name, out _);
        }
    }

    private sealed record Failures(int Count, DateTimeOffset? LockedUntil, DateTimeOffset Last);
}
