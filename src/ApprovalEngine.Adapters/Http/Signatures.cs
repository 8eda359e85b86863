using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace ApprovalEngine.Adapters.Http;

/// <summary>What a signature check found. Anything but <see cref="Valid"/> is refused with no detail to the caller.</summary>
public enum SignatureCheck
{
    Valid,

    /// <summary>A signature, timestamp or id header is absent.</summary>
    Missing,

    /// <summary>The timestamp is not whole Unix seconds.</summary>
    Malformed,

    /// <summary>The timestamp is outside the tolerance (a replay, or a clock far off).</summary>
    OutOfTolerance,

    /// <summary>No signature matches any of the keys.</summary>
    Mismatch,
}

/// <summary>
/// Signed webhooks in the Standard Webhooks scheme (standardwebhooks.com), used both ways: for the results the bank and
/// custody send us, and for the events we send to subscribed systems. Headers: <c>webhook-id</c> (the delivery id; a
/// re-send keeps it so the receiver can drop duplicates), <c>webhook-timestamp</c> (Unix seconds) and
/// <c>webhook-signature</c>: space-separated <c>v1,&lt;base64 HMAC-SHA256(key, "{id}.{timestamp}.{body}")&gt;</c>; several
/// signatures let a sender rotate its key without a gap. Why this scheme: receivers have libraries for it in every
/// language, and the timestamp inside the signed text makes a captured delivery useless after the tolerance.
/// </summary>
public static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";

    /// <summary>How far a timestamp may be from our clock, either way.</summary>
    public static readonly TimeSpan DefaultTolerance = TimeSpan.FromMinutes(5);

    /// <summary>The <c>webhook-signature</c> value for one key.</summary>
    public static string Sign(ReadOnlySpan<byte> key, string id, long timestamp, ReadOnlySpan<byte> body) =>
        "v1," + Convert.ToBase64String(Mac(key, id, timestamp, body));

    /// <summary>
    /// Checks a delivery against every key in <paramref name="keys"/> (current and previous during a rotation) in
    /// constant time per comparison.
    /// </summary>
    public static SignatureCheck Verify(IEnumerable<byte[]> keys, string? id, string? timestamp, string? signatures, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(id) || string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signatures)) return SignatureCheck.Missing;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return SignatureCheck.Malformed;
        var sent = DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799));
        if ((now - sent).Duration() > (tolerance ?? DefaultTolerance)) return SignatureCheck.OutOfTolerance;
        var offered = new List<byte[]>();
        foreach (var part in signatures.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (!part.StartsWith("v1,", StringComparison.Ordinal)) continue;
            var raw = new byte[32];
            if (Convert.TryFromBase64String(part[3..], raw, out var written) && written == 32) offered.Add(raw);
        }
        foreach (var key in keys)
        {
            var expected = Mac(key, id, seconds, body);
            foreach (var candidate in offered)
                if (CryptographicOperations.FixedTimeEquals(expected, candidate)) return SignatureCheck.Valid;
        }
        return SignatureCheck.Mismatch;
    }

    private static byte[] Mac(ReadOnlySpan<byte> key, string id, long timestamp, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{timestamp.ToString(CultureInfo.InvariantCulture)}.");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return HMACSHA256.HashData(key, message);
    }
}

/// <summary>
/// Signs our requests to the ledger, bank and custody (docs/adapters/README.md): the service can tell they come from
/// us and were not changed or replayed. The signed text is
/// <c>"{METHOD}\n{path and query}\n{timestamp}\n{idempotency key or empty}\n{hex SHA-256 of the body}"</c>, sent as
/// <c>X-Signature: v1,&lt;base64 HMAC-SHA256&gt;</c> with <c>X-Timestamp</c> (Unix seconds) and <c>X-Key-Id</c>.
/// The idempotency key is inside the signature, so a replayed body cannot be paired with a fresh key.
/// </summary>
public static class RequestSignature
{
    public const string KeyIdHeader = "X-Key-Id";
    public const string TimestampHeader = "X-Timestamp";
    public const string SignatureHeader = "X-Signature";
    public const string IdempotencyKeyHeader = "Idempotency-Key";

    public static string Sign(ReadOnlySpan<byte> key, string method, string pathAndQuery, long timestamp, string? idempotencyKey, ReadOnlySpan<byte> body) =>
        "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, Encoding.UTF8.GetBytes(Canonical(method, pathAndQuery, timestamp, idempotencyKey, body))));

    /// <summary>The receiving side's check (used by the fake services in the contract tests and documented for the real ones).</summary>
    public static SignatureCheck Verify(ReadOnlySpan<byte> key, string method, string pathAndQuery, string? timestamp, string? idempotencyKey, string? signature, ReadOnlySpan<byte> body, DateTimeOffset now, TimeSpan? tolerance = null)
    {
        if (string.IsNullOrEmpty(timestamp) || string.IsNullOrEmpty(signature)) return SignatureCheck.Missing;
        if (!long.TryParse(timestamp, NumberStyles.None, CultureInfo.InvariantCulture, out var seconds)) return SignatureCheck.Malformed;
        if ((now - DateTimeOffset.FromUnixTimeSeconds(Math.Clamp(seconds, 0, 253402300799))).Duration() > (tolerance ?? WebhookSignature.DefaultTolerance)) return SignatureCheck.OutOfTolerance;
        var expected = Encoding.ASCII.GetBytes(Sign(key, method, pathAndQuery, seconds, idempotencyKey, body));
        return CryptographicOperations.FixedTimeEquals(expected, Encoding.ASCII.GetBytes(signature)) ? SignatureCheck.Valid : SignatureCheck.Mismatch;
    }

    private static string Canonical(string method, string pathAndQuery, long timestamp, string? idempotencyKey, ReadOnlySpan<byte> body) =>
        $"{method.ToUpperInvariant()}\n{pathAndQuery}\n{timestamp.ToString(CultureInfo.InvariantCulture)}\n{idempotencyKey}\n{Convert.ToHexStringLower(SHA256.HashData(body))}";
}
