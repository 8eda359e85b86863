using ApprovalEngine.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Hosting;

/// <summary>A due row a poller took: a timer bookmark or a job run, with its instance.</summary>
public sealed record DueRow(Guid Id, Guid InstanceId);

/// <summary>
/// Fires due timers and runs due outside calls on this node (ADR 8). Every node runs one; they share the rows through
/// <c>FOR UPDATE SKIP LOCKED</c> and a short lease, so no row is taken by two nodes while its taker lives and no lock
/// is shared by all steps. Firing is idempotent (a fired timer's bookmark is gone, a finished job is no longer
/// Pending), so a row taken twice after a lease ran out still acts once.
/// </summary>
public sealed class DueWorkPoller(
    IServiceScopeFactory scopes,
    WorkflowRunner runner,
    DueWorkSignal signal,
    IOptions<EngineHostOptions> options,
    TimeProvider clock,
    EngineMetrics metrics,
    ILogger<DueWorkPoller> logger) : BackgroundService
{
    private static readonly TimeSpan MinimumPause = TimeSpan.FromMilliseconds(50);

    /// <summary>Timers this node fired (taken and handed to the runner); for metrics and tests.</summary>
    public long TimersFired => Interlocked.Read(ref _timersFired);

    private long _timersFired;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunPollers) return;
        // Start-up should not wait for the first poll.
        await Task.Yield();
        await Task.WhenAll(LoopAsync(DueKind.Timer, stoppingToken), LoopAsync(DueKind.Job, stoppingToken));
    }

    private async Task LoopAsync(DueKind kind, CancellationToken stoppingToken)
    {
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan pause;
            try
            {
                if (kind == DueKind.Timer) signal.Reset();
                var taken = await PollOnceAsync(kind, stoppingToken);
                failures = 0;
                // A full batch means more is due: look again at once.
                if (taken >= options.Value.PollBatchSize) continue;
                pause = await PauseAsync(kind, taken, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                logger.LogWarning(ex, "Polling for due {Kind}s failed ({Failures} in a row); trying again.", kind, failures);
                pause = TimeSpan.FromMilliseconds(Math.Min(30_000, options.Value.PollIntervalMilliseconds * Math.Pow(2, Math.Min(failures, 5))));
            }
            if (kind == DueKind.Timer) await signal.WaitAsync(pause, clock, stoppingToken);
            else await WaitAsync(pause, stoppingToken);
        }
    }

    /// <summary>Takes one batch of due rows of <paramref name="kind"/> and fires them; returns how many were taken.</summary>
    public async Task<int> PollOnceAsync(DueKind kind, CancellationToken cancellationToken)
    {
        var rows = await TakeAsync(kind, cancellationToken);
        if (rows.Count == 0) return 0;
        if (kind == DueKind.Timer) metrics.TimersDue(rows.Count);
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = IsSqlite ? 1 : Math.Max(1, options.Value.PollConcurrency),
            CancellationToken = cancellationToken,
        };
        await Parallel.ForEachAsync(rows, parallel, async (row, ct) =>
        {
            try
            {
                if (kind == DueKind.Timer)
                {
                    await runner.FireTimerAsync(row.InstanceId, row.Id, ct);
                    Interlocked.Increment(ref _timersFired);
                }
                else
                {
                    await runner.RunJobAsync(row.InstanceId, row.Id, ct);
                }
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Due {Kind} {Id} of instance {Instance} did not fire; it is taken again shortly.", kind, row.Id, row.InstanceId);
                await ReleaseAsync(kind, row.Id, CancellationToken.None);
            }
        });
        return rows.Count;
    }

    private bool? _isSqlite;

    private bool IsSqlite
    {
        get
        {
            if (_isSqlite is { } known) return known;
            using var scope = scopes.CreateScope();
            return (_isSqlite = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>().IsSqlite).Value;
        }
    }

    /// <summary>Takes (leases) one batch of due rows without firing them.</summary>
    internal async Task<List<DueRow>> TakeAsync(DueKind kind, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var now = clock.GetUtcNow();
        var leaseSpan = TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        var lease = now + leaseSpan;
        var batch = Math.Max(1, options.Value.PollBatchSize);
        // One statement, so the lease commits on its own at once: rows are locked only while it runs. On PostgreSQL
        // leases are written and read on the database's clock, the one clock all nodes share: a node whose clock runs
        // ahead would otherwise take (and run again) rows another node is still firing. Timers and jobs of an instance
        // that is not running (faulted) wait until it runs again, instead of being taken over and over: a job's
        // outside call would be repeated every few seconds while the instance cannot take its result. A cancelling
        // instance (ADR 10) has no timers left but waits for its jobs, so they run on.
        FormattableString sql = (kind, db.IsSqlite) switch
        {
            (DueKind.Timer, false) => $"""
                UPDATE bookmarks AS b SET lease_until = now() + {leaseSpan}
                FROM (SELECT d.id FROM bookmarks d
                      WHERE d.due_at <= {now} AND (d.lease_until IS NULL OR d.lease_until <= now())
                        AND EXISTS (SELECT 1 FROM instances i WHERE i.id = d.instance_id AND i.status = 'Running')
                      ORDER BY d.due_at LIMIT {batch}
                      FOR UPDATE OF d SKIP LOCKED) AS due
                WHERE b.id = due.id
                RETURNING b.id AS "Id", b.instance_id AS "InstanceId"
                """,
            (DueKind.Job, false) => $"""
                UPDATE jobs AS j SET lease_until = now() + {leaseSpan}
                FROM (SELECT d.id FROM jobs d
                      WHERE d.status = 'Pending' AND d.next_attempt_at <= {now} AND (d.lease_until IS NULL OR d.lease_until <= now())
                        AND EXISTS (SELECT 1 FROM instances i WHERE i.id = d.instance_id AND i.status IN ('Running', 'Cancelling'))
                      ORDER BY d.next_attempt_at LIMIT {batch}
                      FOR UPDATE OF d SKIP LOCKED) AS due
                WHERE j.id = due.id
                RETURNING j.id AS "Id", j.instance_id AS "InstanceId"
                """,
            // SQLite has one writer and no row locks: the statement itself is the claim. Times are stored as UTC ticks.
            (DueKind.Timer, true) => $"""
                UPDATE bookmarks SET lease_until = {lease.UtcTicks}
                WHERE id IN (SELECT d.id FROM bookmarks d
                             WHERE d.due_at IS NOT NULL AND d.due_at <= {now.UtcTicks} AND (d.lease_until IS NULL OR d.lease_until <= {now.UtcTicks})
                               AND EXISTS (SELECT 1 FROM instances i WHERE i.id = d.instance_id AND i.status = 'Running')
                             ORDER BY d.due_at LIMIT {batch})
                RETURNING id AS "Id", instance_id AS "InstanceId"
                """,
            _ => $"""
                UPDATE jobs SET lease_until = {lease.UtcTicks}
                WHERE id IN (SELECT d.id FROM jobs d
                             WHERE d.status = 'Pending' AND d.next_attempt_at IS NOT NULL AND d.next_attempt_at <= {now.UtcTicks}
                               AND (d.lease_until IS NULL OR d.lease_until <= {now.UtcTicks})
                               AND EXISTS (SELECT 1 FROM instances i WHERE i.id = d.instance_id AND i.status IN ('Running', 'Cancelling'))
                             ORDER BY d.next_attempt_at LIMIT {batch})
                RETURNING id AS "Id", instance_id AS "InstanceId"
                """,
        };
        return await db.Database.SqlQuery<DueRow>(sql).ToListAsync(cancellationToken);
    }

    /// <summary>A fire that failed gives its row back soon (not after the whole lease).</summary>
    private async Task ReleaseAsync(DueKind kind, Guid id, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            var pause = TimeSpan.FromSeconds(options.Value.FailedFireRetrySeconds);
            if (!db.IsSqlite)
            {
                // The database's clock, as the lease it shortens.
                if (kind == DueKind.Timer) await db.Database.ExecuteSqlAsync($"UPDATE bookmarks SET lease_until = now() + {pause} WHERE id = {id}", cancellationToken);
                else await db.Database.ExecuteSqlAsync($"UPDATE jobs SET lease_until = now() + {pause} WHERE id = {id}", cancellationToken);
                return;
            }
            DateTimeOffset? retry = clock.GetUtcNow() + pause;
            if (kind == DueKind.Timer) await db.Bookmarks.Where(b => b.Id == id).ExecuteUpdateAsync(s => s.SetProperty(b => b.LeaseUntil, retry), cancellationToken);
            else await db.Jobs.Where(j => j.Id == id).ExecuteUpdateAsync(s => s.SetProperty(j => j.LeaseUntil, retry), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogDebug(ex, "Could not shorten the lease of {Kind} {Id}; it is taken again when the lease ends.", kind, id);
        }
    }

    /// <summary>Until the next known due row (at most the poll interval): rows committed by this node also wake the timer loop.</summary>
    private async Task<TimeSpan> PauseAsync(DueKind kind, int taken, CancellationToken cancellationToken)
    {
        var interval = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.PollIntervalMilliseconds));
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var now = clock.GetUtcNow();
        DateTimeOffset? next = kind == DueKind.Timer
            ? await db.Bookmarks.AsNoTracking().Where(b => b.DueAt != null && (b.LeaseUntil == null || b.LeaseUntil <= now))
                .Where(b => db.Instances.Any(i => i.Id == b.InstanceId && i.Status == "Running"))
                .OrderBy(b => b.DueAt).Select(b => b.DueAt).FirstOrDefaultAsync(cancellationToken)
            : await db.Jobs.AsNoTracking().Where(j => j.Status == "Pending" && j.NextAttemptAt != null && (j.LeaseUntil == null || j.LeaseUntil <= now))
                .Where(j => db.Instances.Any(i => i.Id == j.InstanceId && (i.Status == "Running" || i.Status == "Cancelling")))
                .OrderBy(j => j.NextAttemptAt).Select(j => j.NextAttemptAt).FirstOrDefaultAsync(cancellationToken);
        if (kind == DueKind.Timer && signal.NextDue is { } signalled && (next is null || signalled < next)) next = signalled;
        if (next is null) return interval;
        var until = next.Value - now;
        // Something due that we did not take (another node holds it): do not spin on it.
        if (until <= TimeSpan.Zero) return taken > 0 ? TimeSpan.Zero : MinimumPause;
        return until < interval ? until : interval;
    }

    private async Task WaitAsync(TimeSpan pause, CancellationToken cancellationToken)
    {
        if (pause <= TimeSpan.Zero) return;
        await Task.Delay(pause, clock, cancellationToken);
    }
}

public enum DueKind
{
    Timer,
    Job,
}
