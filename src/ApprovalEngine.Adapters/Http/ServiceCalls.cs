using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using Polly.CircuitBreaker;
using Polly.Timeout;

namespace ApprovalEngine.Adapters.Http;

/// <summary>
/// An outside service gave no usable answer (no connection, every attempt timed out, the breaker is open, or a 5xx
/// after the retries): the outcome is unknown. Callers treat it as an outage (503 to people; the engine retries the
/// step later with the same idempotency key). An <see cref="HttpRequestException"/>, so code that already handles
/// network failures handles it too.
/// </summary>
public sealed class ServiceUnavailableException : HttpRequestException
{
    public ServiceUnavailableException()
    {
    }

    public ServiceUnavailableException(string message) : base(message)
    {
    }

    public ServiceUnavailableException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public ServiceUnavailableException(string message, Exception? innerException, HttpStatusCode? statusCode) : base(message, innerException, statusCode)
    {
    }
}

/// <summary>A 4xx answer of an outside service: RFC 9457 problem details with the service's <c>code</c> member.</summary>
public sealed record ServiceProblem(int Status, string? Code, string? Detail)
{
    /// <summary>For people and logs: the code and the service's explanation, never more than 500 characters.</summary>
    public string Describe(string service)
    {
        var text = $"{service} answered {Status}{(Code is null ? "" : $" ({Code})")}: {Detail ?? "no detail"}";
        return text.Length <= 500 ? text : text[..500];
    }
}

/// <summary>What the REST adapters share: JSON with decimal strings, sending with outage mapping, reading problems.</summary>
public static class ServiceCalls
{
    /// <summary>
    /// Money crosses the wire as JSON strings ("1234.50"), never as numbers a client might read as a double; numbers
    /// are still accepted when reading. Names are camelCase.
    /// </summary>
    public static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        NumberHandling = JsonNumberHandling.AllowReadingFromString,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
    };

    /// <summary>The largest answer body an adapter reads (a statement page, an account); more is refused as malformed.</summary>
    public const int MaxAnswerBytes = 4 * 1024 * 1024;

    /// <summary>
    /// Sends through the named client's pipeline (signature, retries, breaker, time limits). Transport failures and
    /// 5xx/408/429 answers left after the retries become <see cref="ServiceUnavailableException"/>; any other answer is
    /// returned for the adapter to read. The caller's own cancellation propagates as it is.
    /// </summary>
    public static async Task<HttpResponseMessage> SendAsync(HttpClient client, HttpRequestMessage request, string service, CancellationToken cancellationToken)
    {
        HttpResponseMessage response;
        try
        {
            response = await client.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or OperationCanceledException or IOException)
        {
            throw new ServiceUnavailableException($"{service} did not answer {request.Method} {request.RequestUri?.AbsolutePath}: {ex.Message}", ex);
        }
        var status = (int)response.StatusCode;
        if (status >= 500 || response.StatusCode is HttpStatusCode.RequestTimeout or HttpStatusCode.TooManyRequests)
        {
            response.Dispose();
            throw new ServiceUnavailableException($"{service} answered {status} to {request.Method} {request.RequestUri?.AbsolutePath} after the retries.", null, response.StatusCode);
        }
        return response;
    }

    /// <summary>A request with a JSON body and, for calls that move money, its idempotency key (signed with the request).</summary>
    public static HttpRequestMessage Request(HttpMethod method, string path, object? body = null, string? idempotencyKey = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (body is not null) request.Content = JsonContent.Create(body, body.GetType(), options: Json);
        if (idempotencyKey is not null) request.Headers.Add(RequestSignature.IdempotencyKeyHeader, idempotencyKey);
        return request;
    }

    /// <summary>Reads a 2xx body; a body that is not the documented JSON is the service's fault (unknown outcome).</summary>
    public static async Task<T> ReadAsync<T>(HttpResponseMessage response, string service, CancellationToken cancellationToken)
    {
        try
        {
            if (response.Content.Headers.ContentLength > MaxAnswerBytes) throw new JsonException($"The answer is larger than {MaxAnswerBytes} bytes.");
            return await response.Content.ReadFromJsonAsync<T>(Json, cancellationToken) ?? throw new JsonException("The answer is empty.");
        }
        catch (JsonException ex)
        {
            throw new ServiceUnavailableException($"{service} answered {(int)response.StatusCode} with a body that is not the documented JSON: {ex.Message}", ex);
        }
    }

    /// <summary>The problem of a 4xx answer (RFC 9457 with a <c>code</c> member); tolerant of a body that is not one.</summary>
    public static async Task<ServiceProblem> ProblemAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        string? code = null, detail = null;
        try
        {
            var text = await response.Content.ReadAsStringAsync(cancellationToken);
            if (text.Length <= 64 * 1024 && JsonNode.Parse(text) is JsonObject o)
            {
                code = o["code"] is JsonValue c && c.TryGetValue<string>(out var s) ? s : null;
                detail = o["detail"] is JsonValue d && d.TryGetValue<string>(out var t) ? t : o["title"] is JsonValue ti && ti.TryGetValue<string>(out var tt) ? tt : null;
            }
        }
        catch (JsonException)
        {
            // Not a problem document: the status alone speaks.
        }
        return new ServiceProblem((int)response.StatusCode, code, detail);
    }

    /// <summary>
    /// Our request was refused as unauthenticated or forbidden (wrong key id, signing key or clock): a configuration
    /// fault on our side, not an answer about the operation, so it is an outage to be fixed, never a refusal.
    /// </summary>
    public static bool IsOurConfiguration(HttpStatusCode status) => status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden;

    /// <summary>Path segment, escaped.</summary>
    public static string Segment(string value) => Uri.EscapeDataString(value);
}
