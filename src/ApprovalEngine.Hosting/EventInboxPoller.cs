using ApprovalEngine.Persistence;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Hosting;

/// <summary>
/// Delivers waiting events once a matching WaitForEvent bookmark is committed, and expires the ones nothing took in
/// time. Runs on every node like <see cref="DueWorkPoller"/>: one statement leases a bounded batch of waiting events
/// that now have a bookmark (<c>FOR UPDATE SKIP LOCKED</c>), so two nodes do not work on one event; delivery itself
/// is once per target whatever happens (a delivery row and the instance's version check commit with the step).
/// A node looks when its own step committed an event bookmark or stored a waiting event, and at every poll interval,
/// so a bookmark and an event committed at the same moment on two nodes are matched by whichever looks last.
/// </summary>
public sealed class EventInboxPoller(
    IServiceScopeFactory scopes,
    EventInbox inbox,
    EventInboxSignal signal,
    IOptions<EngineHostOptions> options,
    TimeProvider clock,
    ILogger<EventInboxPoller> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.RunPollers) return;
        await Task.Yield();
        var failures = 0;
        while (!stoppingToken.IsCancellationRequested)
        {
            TimeSpan pause = TimeSpan.FromMilliseconds(Math.Max(10, options.Value.PollIntervalMilliseconds));
            try
            {
                var taken = await PollOnceAsync(stoppingToken);
                failures = 0;
                if (taken >= options.Value.PollBatchSize) continue;
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                failures++;
                logger.LogWarning(ex, "Polling the event inbox failed ({Failures} in a row); trying again.", failures);
                pause = TimeSpan.FromMilliseconds(Math.Min(30_000, options.Value.PollIntervalMilliseconds * Math.Pow(2, Math.Min(failures, 5))));
            }
            await signal.WaitAsync(pause, clock, stoppingToken);
        }
    }

    /// <summary>Expires one batch, then takes and delivers one batch of waiting events that have a bookmark now; returns how many it took.</summary>
    public async Task<int> PollOnceAsync(CancellationToken cancellationToken)
    {
        await ExpireAsync(cancellationToken);
        var taken = await TakeAsync(cancellationToken);
        foreach (var id in taken)
        {
            try
            {
                await inbox.DeliverWaitingAsync(id, cancellationToken);
                await ReleaseAsync(id, TimeSpan.Zero, cancellationToken);
            }
            catch (Exception ex) when (!cancellationToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Waiting event {Event} was not delivered; it is taken again shortly.", id);
                await ReleaseAsync(id, TimeSpan.FromSeconds(options.Value.FailedFireRetrySeconds), CancellationToken.None);
            }
        }
        return taken.Count;
    }

    private async Task<List<Guid>> TakeAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var now = clock.GetUtcNow();
        var leaseSpan = TimeSpan.FromSeconds(options.Value.LeaseSeconds);
        var batch = Math.Max(1, options.Value.PollBatchSize);
        // Oldest first, so a bookmark gets the event sent first. Only events with a bookmark of a running instance
        // are taken (the statement reads the bookmark index per waiting event, not every bookmark).
        FormattableString sql = db.IsSqlite
            ? (FormattableString)$"""
                UPDATE events SET lease_until = {(now + leaseSpan).UtcTicks}
                WHERE id IN (SELECT d.id FROM events d
                             WHERE d.status = 'Waiting' AND d.expires_at > {now.UtcTicks} AND (d.lease_until IS NULL OR d.lease_until <= {now.UtcTicks})
                               AND EXISTS (SELECT 1 FROM bookmarks b JOIN instances i ON i.id = b.instance_id
                                           WHERE b.event_name = d.name AND b.correlation_key = d.correlation_id AND b.kind = 'Event' AND i.status = 'Running')
                             ORDER BY d.received_at LIMIT {batch})
                RETURNING id AS "Value"
                """
            : $"""
                UPDATE events AS e SET lease_until = now() + {leaseSpan}
                FROM (SELECT d.id FROM events d
                      WHERE d.status = 'Waiting' AND d.expires_at > {now} AND (d.lease_until IS NULL OR d.lease_until <= now())
                        AND EXISTS (SELECT 1 FROM bookmarks b JOIN instances i ON i.id = b.instance_id
                                    WHERE b.event_name = d.name AND b.correlation_key = d.correlation_id AND b.kind = 'Event' AND i.status = 'Running')
                      ORDER BY d.received_at LIMIT {batch}
                      FOR UPDATE OF d SKIP LOCKED) AS due
                WHERE e.id = due.id
                RETURNING e.id AS "Value"
                """;
        var ids = await db.Database.SqlQuery<Guid>(sql).ToListAsync(cancellationToken);
        // RETURNING gives no order; deliver oldest (version 7 ids sort by time) first.
        ids.Sort();
        return ids;
    }

    /// <summary>Waiting events past their time become Expired, one bounded batch per look.</summary>
    private async Task ExpireAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var now = clock.GetUtcNow();
        var batch = Math.Max(1, options.Value.PollBatchSize);
        var expired = db.IsSqlite
            ? await db.Database.ExecuteSqlAsync($"""
                UPDATE events SET status = 'Expired', lease_until = NULL
                WHERE id IN (SELECT id FROM events WHERE status = 'Waiting' AND expires_at <= {now.UtcTicks} ORDER BY expires_at LIMIT {batch})
                """, cancellationToken)
            : await db.Database.ExecuteSqlAsync($"""
                UPDATE events SET status = 'Expired', lease_until = NULL
                WHERE id IN (SELECT id FROM events WHERE status = 'Waiting' AND expires_at <= {now} ORDER BY expires_at LIMIT {batch} FOR UPDATE SKIP LOCKED)
                """, cancellationToken);
        if (expired > 0) logger.LogInformation("{Count} waiting events expired undelivered.", expired);
    }

    private async Task ReleaseAsync(Guid id, TimeSpan after, CancellationToken cancellationToken)
    {
        try
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            DateTimeOffset? until = after == TimeSpan.Zero ? null : clock.GetUtcNow() + after;
            await db.Events.Where(e => e.Id == id).ExecuteUpdateAsync(s => s.SetProperty(e => e.LeaseUntil, until), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            logger.LogDebug(ex, "Could not release waiting event {Event}; it is taken again when its lease ends.", id);
        }
    }
}
