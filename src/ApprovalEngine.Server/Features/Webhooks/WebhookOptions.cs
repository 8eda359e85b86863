namespace ApprovalEngine.Server.Features.Webhooks;

/// <summary>Settings of webhooks for systems (<c>Webhooks:*</c>); the defaults suit production.</summary>
public sealed class WebhookOptions
{
    /// <summary>Whether this server runs the background dispatcher (several servers may; they claim deliveries with a lease).</summary>
    public bool DispatcherEnabled { get; set; } = true;

    /// <summary>How often the dispatcher looks for due deliveries.</summary>
    public int PollIntervalMilliseconds { get; set; } = 1000;

    /// <summary>Deliveries one dispatcher cycle claims at most.</summary>
    public int BatchSize { get; set; } = 20;

    /// <summary>Deliveries of one cycle sent at the same time.</summary>
    public int Concurrency { get; set; } = 4;

    /// <summary>How long one attempt may take (connect, send, answer headers, the excerpt of the body).</summary>
    public int TimeoutSeconds { get; set; } = 10;

    /// <summary>After this many failed attempts a delivery is Failed (an operator may resend it).</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>The wait after the first failed attempt; it doubles after each further one.</summary>
    public int BackoffBaseSeconds { get; set; } = 10;

    /// <summary>No wait is longer than this (jitter included).</summary>
    public int BackoffCapSeconds { get; set; } = 3600;

    /// <summary>Up to this fraction of the wait is added at random, so that many deliveries failing together do not retry together.</summary>
    public double JitterFraction { get; set; } = 0.2;

    /// <summary>How long a claimed delivery stays with its dispatcher before another may take it (a node died mid-send).</summary>
    public int LeaseSeconds { get; set; } = 120;

    /// <summary>Active subscriptions at most (each step writes at most one delivery per subscription and event).</summary>
    public int MaxSubscriptions { get; set; } = 200;

    /// <summary>How long a server trusts its copy of the subscriptions (changes made on this server apply at once).</summary>
    public int SubscriptionCacheSeconds { get; set; } = 5;

    /// <summary>
    /// The key that seals subscription secrets at rest (base64, 32 bytes). Unset: derived from Auth:SigningKey; in
    /// Development without either, a fixed development key.
    /// </summary>
    public string? SecretKey { get; set; }

    /// <summary>
    /// Refuse plain http and private, loopback and link-local addresses (SSRF). Unset: on everywhere except the
    /// Development and Testing environments.
    /// </summary>
    public bool? StrictUrls { get; set; }

    /// <summary>Hosts (names or IP addresses) allowed even though they are private or loopback, e.g. an internal service.</summary>
    public List<string> AllowedHosts { get; set; } = [];

    /// <summary>Allow plain http under strict URLs (e.g. inside a closed network).</summary>
    public bool AllowHttp { get; set; }
}
