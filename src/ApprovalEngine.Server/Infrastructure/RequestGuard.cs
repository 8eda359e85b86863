using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Net.Http.Headers;

namespace ApprovalEngine.Server.Infrastructure;

/// <summary>
/// The one place that refuses, for every route, what no handler should have to think about: a body larger than the
/// route's cap (413) and text PostgreSQL cannot store — a NUL character — in a JSON body, the query string or a route
/// value (400 naming the field). Runs after routing and authorization, before the endpoint binds anything, so a refused
/// request writes nothing.
/// </summary>
public sealed class RequestGuard(RequestDelegate next)
{
    public const int DefaultBodyLimit = 64 * 1024;

    /// <summary>Body caps by route (method and pattern as mapped); every other route gets <see cref="DefaultBodyLimit"/>.</summary>
    public static readonly IReadOnlyDictionary<string, int> BodyLimits = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase)
    {
        ["PUT /api/definitions/{id}/draft"] = 1024 * 1024,
        ["POST /api/definitions/validate"] = 1024 * 1024,
        // The draft travels with each check so that the expression is checked in Validate's scope.
        ["POST /api/expressions/check"] = 1024 * 1024,
        ["POST /api/dry-run/start"] = 256 * 1024,
        ["POST /api/dry-run/resume"] = 256 * 1024,
        ["POST /api/definitions/{id}/instances"] = 256 * 1024,
        ["POST /api/events/{name}"] = 256 * 1024,
        ["POST /api/hooks/custody/confirmations"] = Features.Crypto.Custody.CustodyHooksApi.BodyLimit,
        ["POST /api/hooks/bank/results"] = Features.Hooks.BankHooksApi.BodyLimit,
        ["POST /api/tasks/{id}/complete"] = 256 * 1024,
        ["POST /api/wd-requests/mass-edit"] = 256 * 1024,
        ["POST /api/auth/token"] = 4 * 1024,
        // A month of a busy paying account's camt.053 statement.
        ["POST /api/fiat/statements/imports"] = 8 * 1024 * 1024,
    };

    public static int LimitFor(HttpContext http)
    {
        var pattern = (http.GetEndpoint() as RouteEndpoint)?.RoutePattern.RawText;
        if (pattern is null) return DefaultBodyLimit;
        var key = $"{http.Request.Method} {(pattern.StartsWith('/') ? pattern : "/" + pattern).TrimEnd('/')}";
        return BodyLimits.TryGetValue(key, out var limit) ? limit : DefaultBodyLimit;
    }

    public async Task InvokeAsync(HttpContext http)
    {
        foreach (var (key, values) in http.Request.Query)
        {
            if (key.Contains('\0')) throw Nul("query");
            foreach (var value in values)
            {
                if (value is not null && value.Contains('\0')) throw Nul(key);
            }
        }
        foreach (var (key, value) in http.Request.RouteValues)
        {
            if (value is string s && s.Contains('\0')) throw Nul(key);
        }
        if (http.GetEndpoint() is RouteEndpoint && HasBody(http.Request))
        {
            var limit = LimitFor(http);
            if (http.Request.ContentLength > limit) throw TooLarge(limit);
            if (http.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size) size.MaxRequestBodySize = limit;
            if (http.Request.HasJsonContentType())
            {
                if (UnknownCharset(http.Request.ContentType) is { } charset) throw UnknownCharsetProblem(charset);
                http.Request.EnableBuffering(limit + 1);
                var body = await ReadAsync(http.Request.Body, limit, http.RequestAborted);
                http.Request.Body.Position = 0;
                if (body is null) throw TooLarge(limit);
                if (FindNul(body) is { } field) throw Nul(field);
            }
        }
        await next(http);
    }

    /// <summary>
    /// The charset of a JSON content type that .NET cannot decode (<c>application/json; charset=nope</c>), else null.
    /// Reading such a body as JSON throws InvalidOperationException, which no binding turns into a client error (a 500).
    /// </summary>
    public static string? UnknownCharset(string? contentType)
    {
        if (!MediaTypeHeaderValue.TryParse(contentType, out var type) || type.Charset is not { HasValue: true } charset) return null;
        var name = charset.Value!.Trim('"');
        if (name.Equals("utf-8", StringComparison.OrdinalIgnoreCase)) return null;
        try
        {
            _ = Encoding.GetEncoding(name);
            return null;
        }
        catch (Exception e) when (e is ArgumentException or NotSupportedException)
        {
            return name;
        }
    }

    private static ApiProblemException UnknownCharsetProblem(string charset) =>
        new(415, "Unsupported media type.", new Dictionary<string, string[]> { ["Content-Type"] = [$"The charset '{charset}' is not one the API can read; send the body as UTF-8."] },
            "Send the body as application/json in UTF-8.");

    private static bool HasBody(HttpRequest request) =>
        request.ContentLength > 0 || (request.ContentLength is null && request.Headers.TransferEncoding.Count > 0);

    /// <summary>The body, or null when it is longer than <paramref name="limit"/>.</summary>
    private static async Task<byte[]?> ReadAsync(Stream body, int limit, CancellationToken ct)
    {
        var buffer = new ArrayBufferWriter<byte>(Math.Min(limit + 1, 16 * 1024));
        while (true)
        {
            var memory = buffer.GetMemory(4096);
            var read = await body.ReadAsync(memory, ct);
            if (read == 0) return buffer.WrittenSpan.ToArray();
            buffer.Advance(read);
            if (buffer.WrittenCount > limit) return null;
        }
    }

    /// <summary>The JSON path ("input.note", "items[2]") of the first string or property name holding a NUL; null if none or not JSON.</summary>
    public static string? FindNul(ReadOnlySpan<byte> json)
    {
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = 256 });
        var path = new List<(bool Array, int Index, string? Property)>();
        try
        {
            while (reader.Read())
            {
                switch (reader.TokenType)
                {
                    case JsonTokenType.StartObject or JsonTokenType.StartArray:
                        Advance(path);
                        path.Add((reader.TokenType == JsonTokenType.StartArray, -1, null));
                        break;
                    case JsonTokenType.EndObject or JsonTokenType.EndArray:
                        path.RemoveAt(path.Count - 1);
                        break;
                    case JsonTokenType.PropertyName:
                        var name = Text(ref reader, path);
                        path[^1] = (false, -1, name);
                        if (name.Contains('\0')) return Render(path);
                        break;
                    default:
                        Advance(path);
                        // Only an escaped string can hold a NUL: JSON forbids raw control characters.
                        if (reader.TokenType == JsonTokenType.String && reader.ValueIsEscaped && Text(ref reader, path).Contains('\0')) return Render(path);
                        break;
                }
            }
        }
        catch (JsonException)
        {
            // Malformed: the endpoint's own binding reports it with its position.
        }
        return null;
    }

    /// <summary>The string token; an escaped lone surrogate (valid JSON, not text UTF-8 or PostgreSQL can hold) is a 400 naming its field.</summary>
    private static string Text(ref Utf8JsonReader reader, List<(bool Array, int Index, string? Property)> path)
    {
        try
        {
            return reader.GetString()!;
        }
        catch (InvalidOperationException)
        {
            var field = path.Count == 0 ? "body" : Render(path);
            throw ApiProblemException.BadRequest(field, $"'{field}' holds an unpaired surrogate (e.g. \\ud800), which is not text.");
        }
    }

    private static void Advance(List<(bool Array, int Index, string? Property)> path)
    {
        if (path.Count > 0 && path[^1].Array) path[^1] = (true, path[^1].Index + 1, null);
    }

    private static string Render(List<(bool Array, int Index, string? Property)> path)
    {
        var text = new StringBuilder();
        foreach (var (array, index, property) in path)
        {
            if (array) text.Append('[').Append(index).Append(']');
            else if (property is not null) text.Append(text.Length == 0 ? "" : ".").Append(property.Replace("\0", "\\u0000", StringComparison.Ordinal));
        }
        return text.Length == 0 ? "body" : text.ToString();
    }

    private static ApiProblemException Nul(string field) =>
        ApiProblemException.BadRequest(field, $"'{field}' contains a NUL character (\\u0000), which cannot be stored.");

    private static ApiProblemException TooLarge(int limit) =>
        new(413, "The request body is too large.", new Dictionary<string, string[]> { ["body"] = [$"The body of this route is capped at {limit} bytes (maxRequestBodyBytes)."] },
            $"The body of this route is capped at {limit} bytes.");
}
