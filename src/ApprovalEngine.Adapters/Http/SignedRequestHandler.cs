using System.Globalization;
using System.Text;

namespace ApprovalEngine.Adapters.Http;

/// <summary>
/// Signs every attempt (inside the retry loop, so each retry carries a fresh timestamp) with
/// <see cref="RequestSignature"/>. The idempotency key is whatever the adapter put in the <c>Idempotency-Key</c> header.
/// </summary>
public sealed class SignedRequestHandler(HttpAdapterOptions options, TimeProvider time) : DelegatingHandler
{
    private readonly byte[] _key = Encoding.UTF8.GetBytes(options.SigningKey ?? "");

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var body = request.Content is null ? [] : await request.Content.ReadAsByteArrayAsync(cancellationToken);
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        var idempotencyKey = request.Headers.TryGetValues(RequestSignature.IdempotencyKeyHeader, out var keys) ? keys.FirstOrDefault() : null;
        var pathAndQuery = request.RequestUri!.PathAndQuery;
        request.Headers.Remove(RequestSignature.KeyIdHeader);
        request.Headers.Remove(RequestSignature.TimestampHeader);
        request.Headers.Remove(RequestSignature.SignatureHeader);
        request.Headers.Add(RequestSignature.KeyIdHeader, options.KeyId);
        request.Headers.Add(RequestSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(RequestSignature.SignatureHeader, RequestSignature.Sign(_key, request.Method.Method, pathAndQuery, timestamp, idempotencyKey, body));
        return await base.SendAsync(request, cancellationToken);
    }
}
