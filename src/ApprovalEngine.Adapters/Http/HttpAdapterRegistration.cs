using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Resilience;
using Polly;

namespace ApprovalEngine.Adapters.Http;

/// <summary>
/// One named <see cref="HttpClient"/> per outside service, with the resilience every adapter needs, declared once:
/// a total time limit, retries on transient failures only, a circuit breaker, a per-attempt time limit, and the
/// request signature on every attempt.
/// </summary>
public static class HttpAdapterRegistration
{
    /// <summary>
    /// Registers the client <paramref name="name"/>. Retries are safe because they only happen where a repeat cannot
    /// move money twice: GET/HEAD, or a request carrying an <c>Idempotency-Key</c> (the service returns the first
    /// result for a key it has seen). A POST without one is never retried: a lost response leaves the outcome unknown,
    /// and the caller's own step retry (with its stable key) resolves it.
    /// </summary>
    public static IHttpClientBuilder AddSignedHttpAdapter(this IServiceCollection services, string name, HttpAdapterOptions options)
    {
        var builder = services.AddHttpClient(name, c =>
        {
            c.BaseAddress = options.BaseAddress;
            // Polly's timeouts govern; HttpClient's own 100 s default would only hide them.
            c.Timeout = Timeout.InfiniteTimeSpan;
            // A faulty or hostile service must not make us hold an endless answer in memory: past the limit the
            // read fails (an outage, outcome unknown) instead of buffering up to HttpClient's 2 GB default.
            c.MaxResponseContentBufferSize = ServiceCalls.MaxAnswerBytes;
        });
        // No redirects: a 307 from the service's address would resend our signed request (body, signature,
        // Idempotency-Key) to whatever host the answer names. A 3xx is read like any other undocumented answer.
        builder.ConfigurePrimaryHttpMessageHandler((handler, _) =>
        {
            switch (handler)
            {
                case SocketsHttpHandler sockets:
                    sockets.AllowAutoRedirect = false;
                    break;
                case HttpClientHandler client:
                    client.AllowAutoRedirect = false;
                    break;
            }
        });
        // Outermost first: the total limit, then retries, the breaker, and each attempt's limit. The signing handler is
        // added after the resilience handler, so it sits inside it and signs every attempt afresh.
        builder.AddResilienceHandler($"{name}-resilience", pipeline =>
        {
            pipeline.AddTimeout(options.TotalTimeout);
            pipeline.AddRetry(new HttpRetryStrategyOptions
            {
                MaxRetryAttempts = Math.Max(options.MaxRetries, 1),
                Delay = options.RetryDelay,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                ShouldHandle = args => ValueTask.FromResult(options.MaxRetries > 0 && IsRepeatable(args.Context.GetRequestMessage()) && IsTransient(args.Outcome)),
            });
            pipeline.AddCircuitBreaker(new HttpCircuitBreakerStrategyOptions
            {
                FailureRatio = 0.5,
                MinimumThroughput = 10,
                SamplingDuration = TimeSpan.FromSeconds(30),
                BreakDuration = TimeSpan.FromSeconds(15),
            });
            pipeline.AddTimeout(options.AttemptTimeout);
        });
        builder.AddHttpMessageHandler(sp => new SignedRequestHandler(options, sp.GetService<TimeProvider>() ?? TimeProvider.System));
        return builder;
    }

    /// <summary>May this request be sent again without risking a second effect?</summary>
    public static bool IsRepeatable(HttpRequestMessage? request) =>
        request is not null && (request.Method == HttpMethod.Get || request.Method == HttpMethod.Head || request.Headers.Contains(RequestSignature.IdempotencyKeyHeader));

    /// <summary>Transient: no answer at all (network, attempt timeout), 408, 429 or 5xx. A 4xx is the service's answer and final.</summary>
    public static bool IsTransient(Outcome<HttpResponseMessage> outcome) => outcome switch
    {
        { Exception: HttpRequestException or Polly.Timeout.TimeoutRejectedException } => true,
        { Result: { } r } => r.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests || (int)r.StatusCode >= 500,
        _ => false,
    };
}
