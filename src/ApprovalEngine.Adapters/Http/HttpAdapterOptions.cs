namespace ApprovalEngine.Adapters.Http;

/// <summary>
/// <c>Adapters:Http:{Ledger|Bank|Custody}</c>: where one outside service is and how we talk to it. Checked at start-up
/// (<see cref="Problems"/>): a server in Real mode with a half-configured adapter does not start.
/// </summary>
public sealed class HttpAdapterOptions
{
    /// <summary>The service's base address, e.g. <c>https://ledger.internal/</c>.</summary>
    public Uri? BaseAddress { get; set; }

    /// <summary>Which of our keys signed the request (the service may hold several during a rotation).</summary>
    public string KeyId { get; set; } = "approval-engine";

    /// <summary>The shared HMAC key for request signing, at least 32 characters. Never logged.</summary>
    public string? SigningKey { get; set; }

    /// <summary>
    /// Keys the service signs its webhooks to us with (current first, then the previous one during a rotation).
    /// Empty means the service sends no webhooks, and they are refused.
    /// </summary>
    public List<string> WebhookKeys { get; set; } = [];

    /// <summary>One attempt's time limit.</summary>
    public TimeSpan AttemptTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>The whole call's time limit, retries included.</summary>
    public TimeSpan TotalTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries after the first attempt, on transient failures only.</summary>
    public int MaxRetries { get; set; } = 3;

    /// <summary>The first retry's delay; later ones grow exponentially with jitter.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Let plain http through outside Development (a service on a trusted private network). Off by default.</summary>
    public bool AllowInsecureHttp { get; set; }

    public const int MinimumKeyLength = 32;

    private const string StandardPrefix = "whsec_";

    /// <summary>
    /// The webhook keys as bytes, one rule for every service: <c>whsec_</c> + base64 is the Standard Webhooks form
    /// (decoded), anything else is the text's UTF-8 bytes. Start-up refuses a key this cannot read (<see cref="Problems"/>),
    /// so a delivery never meets a malformed one.
    /// </summary>
    public IReadOnlyList<byte[]> WebhookKeyBytes() =>
        [.. WebhookKeys.Where(k => WebhookKeyProblem(k) is null).Select(k => k.StartsWith(StandardPrefix, StringComparison.Ordinal)
            ? Convert.FromBase64String(k[StandardPrefix.Length..])
            : System.Text.Encoding.UTF8.GetBytes(k))];

    private static string? WebhookKeyProblem(string key)
    {
        if (!key.StartsWith(StandardPrefix, StringComparison.Ordinal)) return key.Length >= MinimumKeyLength ? null : "too short";
        var raw = new byte[key.Length];
        return Convert.TryFromBase64String(key[StandardPrefix.Length..], raw, out var written) && written >= 24 ? null : "not base64 of at least 24 bytes";
    }

    /// <summary>What is wrong with this configuration, for start-up to refuse; empty when usable.</summary>
    public IEnumerable<string> Problems(string section, bool development)
    {
        if (BaseAddress is null || !BaseAddress.IsAbsoluteUri) yield return $"{section}:BaseAddress must be an absolute URL.";
        else if (BaseAddress.Scheme != Uri.UriSchemeHttps && !(development || AllowInsecureHttp && BaseAddress.Scheme == Uri.UriSchemeHttp))
            yield return $"{section}:BaseAddress must be https (or set {section}:AllowInsecureHttp on a trusted network).";
        if (string.IsNullOrEmpty(SigningKey) || SigningKey.Length < MinimumKeyLength) yield return $"{section}:SigningKey must be at least {MinimumKeyLength} characters.";
        if (WebhookKeys.Any(k => WebhookKeyProblem(k) is not null)) yield return $"{section}:WebhookKeys must each be whsec_ followed by base64 of at least 24 bytes, or at least {MinimumKeyLength} characters of text.";
        if (AttemptTimeout <= TimeSpan.Zero || TotalTimeout < AttemptTimeout) yield return $"{section}: AttemptTimeout must be positive and TotalTimeout at least as long.";
        if (MaxRetries is < 0 or > 10) yield return $"{section}:MaxRetries must be 0–10.";
    }
}
