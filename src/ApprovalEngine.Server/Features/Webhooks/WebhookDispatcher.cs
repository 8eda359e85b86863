using System.Collections.Concurrent;
using System.Net.Sockets;
using System.Text;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Features.Webhooks;

/// <summary>
/// Sends the outbox after the commit. One cycle claims a bounded batch of due deliveries with a lease (a guarded
/// UPDATE: of several servers' dispatchers only one gets a row, on PostgreSQL and SQLite alike), sends them signed,
/// and records each result only if its lease is still its own. A failed attempt is retried with exponential backoff
/// and jitter, capped; after <see cref="WebhookOptions.MaxAttempts"/> the delivery is Failed. Every attempt of a
/// delivery carries the same webhook-id, so a receiver that got it before (and whose answer was lost) can drop it.
/// </summary>
public sealed class WebhookDispatcher(
    IServiceScopeFactory scopes,
    IHttpClientFactory clients,
    WebhookSecrets secrets,
    WebhookClock clock,
    IOptions<WebhookOptions> options,
    ILogger<WebhookDispatcher> logger)
{
    public const string HttpClientName = "webhooks";
    private const int ExcerptChars = 500;

    private sealed record Outcome(bool Delivered, int? StatusCode, string? Error, string? Excerpt, DateTimeOffset At);

    /// <summary>One cycle: claims, sends and records at most one batch; returns how many deliveries it attempted.</summary>
    public async Task<int> RunOnceAsync(CancellationToken cancellationToken = default)
    {
        var o = options.Value;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var now = clock.Now;
        var due = await db.WebhookDeliveries.AsNoTracking()
            .Where(d => d.Status == WebhookDeliveryStatuses.Pending && d.NextAttemptAt <= now && (d.LeaseUntil == null || d.LeaseUntil < now))
            .OrderBy(d => d.NextAttemptAt).Select(d => d.Id).Take(Math.Max(1, o.BatchSize)).ToListAsync(cancellationToken);
        if (due.Count == 0) return 0;

        // The claim re-checks the lease under the row lock: a concurrent claimer that read the same ids updates none.
        var token = Guid.CreateVersion7(now);
        var until = now.AddSeconds(o.LeaseSeconds);
        await db.WebhookDeliveries
            .Where(d => due.Contains(d.Id) && d.Status == WebhookDeliveryStatuses.Pending && (d.LeaseUntil == null || d.LeaseUntil < now))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeaseUntil, until).SetProperty(d => d.LeaseToken, token), cancellationToken);
        var claimed = await db.WebhookDeliveries.AsNoTracking().Where(d => d.LeaseToken == token).ToListAsync(cancellationToken);
        if (claimed.Count == 0) return 0;
        var subscriptionIds = claimed.Select(d => d.SubscriptionId).Distinct().ToList();
        var subscriptions = await db.WebhookSubscriptions.AsNoTracking().Where(s => subscriptionIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, cancellationToken);

        var outcomes = new ConcurrentDictionary<Guid, Outcome>();
        await Parallel.ForEachAsync(claimed, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, o.Concurrency), CancellationToken = cancellationToken }, async (delivery, ct) =>
        {
            outcomes[delivery.Id] = subscriptions.GetValueOrDefault(delivery.SubscriptionId) is { DisabledAt: null } subscription
                ? await SendAsync(delivery, subscription, ct)
                : new Outcome(false, null, "The subscription was removed.", null, clock.Now);
        });

        foreach (var delivery in claimed)
        {
            var outcome = outcomes[delivery.Id];
            var attempts = delivery.Attempts + 1;
            var gone = outcome.Error == "The subscription was removed.";
            var status = outcome.Delivered ? WebhookDeliveryStatuses.Delivered
                : gone || attempts >= o.MaxAttempts ? WebhookDeliveryStatuses.Failed
                : WebhookDeliveryStatuses.Pending;
            var next = status == WebhookDeliveryStatuses.Pending ? outcome.At + Backoff(attempts, o) : delivery.NextAttemptAt;
            DateTimeOffset? deliveredAt = outcome.Delivered ? outcome.At : delivery.DeliveredAt;
            // Only the holder of the lease records: an operator's resend in between took the row back (new token).
            var recorded = await db.WebhookDeliveries.Where(d => d.Id == delivery.Id && d.LeaseToken == token)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(d => d.Status, status)
                    .SetProperty(d => d.Attempts, attempts)
                    .SetProperty(d => d.LastAttemptAt, outcome.At)
                    .SetProperty(d => d.NextAttemptAt, next)
                    .SetProperty(d => d.DeliveredAt, deliveredAt)
                    .SetProperty(d => d.LastStatusCode, outcome.StatusCode)
                    .SetProperty(d => d.LastError, outcome.Error)
                    .SetProperty(d => d.ResponseExcerpt, outcome.Excerpt)
                    .SetProperty(d => d.LeaseUntil, (DateTimeOffset?)null)
                    .SetProperty(d => d.LeaseToken, (Guid?)null), CancellationToken.None);
            if (recorded == 0) continue;
            if (status == WebhookDeliveryStatuses.Failed)
            {
                logger.LogWarning("Webhook delivery {DeliveryId} ({EventType}) to subscription {SubscriptionId} failed after {Attempts} attempts: {Error}",
                    delivery.Id, delivery.EventType, delivery.SubscriptionId, attempts, outcome.Error);
            }
        }
        return claimed.Count;
    }

    /// <summary>The wait after the <paramref name="attempts"/>-th failed attempt: base·2^(n−1), plus jitter, at most the cap.</summary>
    public static TimeSpan Backoff(int attempts, WebhookOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        var exponent = Math.Min(Math.Max(attempts - 1, 0), 30);
        var seconds = Math.Min(o.BackoffBaseSeconds * Math.Pow(2, exponent), o.BackoffCapSeconds);
#pragma warning disable CA5394 // jitter spreads retries; it protects nothing
        seconds += seconds * o.JitterFraction * Random.Shared.NextDouble();
#pragma warning restore CA5394
        return TimeSpan.FromSeconds(Math.Min(seconds, o.BackoffCapSeconds));
    }

    private async Task<Outcome> SendAsync(WebhookDeliveryRecord delivery, WebhookSubscriptionRecord subscription, CancellationToken cancellationToken)
    {
        byte[] key;
        try
        {
            key = WebhookSecrets.KeyOf(secrets.Unseal(subscription.Id, subscription.SecretSealed));
        }
        catch (Exception ex) when (ex is System.Security.Cryptography.CryptographicException or InvalidOperationException or FormatException)
        {
            return new Outcome(false, null, "The subscription's secret cannot be read with this server's webhook key.", null, clock.Now);
        }
        var id = delivery.Id.ToString();
        var timestamp = clock.Now.ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, subscription.Url)
        {
            Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
        };
        request.Headers.Add("webhook-id", id);
        request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.Add("webhook-signature", WebhookSecrets.Sign(key, id, timestamp, delivery.Payload));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(TimeSpan.FromSeconds(options.Value.TimeoutSeconds));
        try
        {
            using var response = await clients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var excerpt = await ExcerptAsync(response, timeout.Token);
            var code = (int)response.StatusCode;
            return response.IsSuccessStatusCode
                ? new Outcome(true, code, null, excerpt, clock.Now)
                : new Outcome(false, code, $"The receiver answered {code}.", excerpt, clock.Now);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new Outcome(false, null, $"No answer within {options.Value.TimeoutSeconds} s.", null, clock.Now);
        }
        catch (HttpRequestException ex)
        {
            return new Outcome(false, (int?)ex.StatusCode, Describe(ex), null, clock.Now);
        }
    }

    /// <summary>The start of the answer, read no further: a receiver's large or endless body costs nothing.</summary>
    private static async Task<string?> ExcerptAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            await using var stream = await response.Content.ReadAsStreamAsync(cancellationToken);
            var buffer = new byte[ExcerptChars * 2];
            var read = 0;
            int n;
            while (read < buffer.Length && (n = await stream.ReadAsync(buffer.AsMemory(read), cancellationToken)) > 0) read += n;
            if (read == 0) return null;
            var text = Encoding.UTF8.GetString(buffer, 0, read);
            return text.Length > ExcerptChars ? text[..ExcerptChars] : text;
        }
        catch (Exception ex) when (ex is HttpRequestException or IOException)
        {
            return null;
        }
    }

    private static string Describe(HttpRequestException ex)
    {
        var message = ex.InnerException is SocketException socket ? $"{ex.Message} ({socket.SocketErrorCode})" : ex.Message;
        return message.Length > 1000 ? message[..1000] : message;
    }
}

/// <summary>Runs the dispatcher's cycles on this server (<c>Webhooks:DispatcherEnabled</c>).</summary>
public sealed class WebhookDispatcherService(WebhookDispatcher dispatcher, IOptions<WebhookOptions> options, ILogger<WebhookDispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!options.Value.DispatcherEnabled) return;
        using var timer = new PeriodicTimer(TimeSpan.FromMilliseconds(Math.Max(50, options.Value.PollIntervalMilliseconds)));
        do
        {
            try
            {
                // A full batch means more may be due: go on at once rather than after the interval.
                while (await dispatcher.RunOnceAsync(stoppingToken) >= options.Value.BatchSize && !stoppingToken.IsCancellationRequested)
                {
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                // Whatever went wrong (the database away, a bug), the loop lives on: an exception leaving a hosted
                // service stops the whole server. Claimed rows come back when their lease ends.
                logger.LogWarning(ex, "Webhook dispatcher cycle failed; next cycle retries");
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}
