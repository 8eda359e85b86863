using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ApprovalEngine.LoadTest;

/// <summary>Who sends a request: a development user (bearer token) or a system (API key).</summary>
internal sealed record Caller(string Name, string? Token, string? ApiKey)
{
    public static Caller System(string key) => new("system", null, key);
}

/// <summary>
/// One HTTP client with at most <c>connections</c> connections to one server. Every answer that is not 2xx throws
/// <see cref="RequestFailedException"/>, so the load generator counts it; nothing is retried.
/// </summary>
internal sealed class Api : IDisposable
{
    public const string DevSystemKey = "dev-system-key";

    /// <summary>The extra key the harness configures on the server: it may start the benchmark's own timer flow.</summary>
    public const string BenchSystemKey = "bench-system-key";

    private readonly HttpClient _http;

    public Api(Uri baseAddress, int connections)
    {
        var handler = new SocketsHttpHandler
        {
            MaxConnectionsPerServer = connections,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(5),
            UseCookies = false,
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = TimeSpan.FromSeconds(120) };
    }

    public Uri BaseAddress => _http.BaseAddress!;

    public Task<JsonNode?> GetAsync(string path, Caller caller, CancellationToken ct) => SendAsync(HttpMethod.Get, path, null, caller, ct);

    public Task<JsonNode?> PostAsync(string path, object? body, Caller caller, CancellationToken ct) => SendAsync(HttpMethod.Post, path, body, caller, ct);

    public Task<JsonNode?> PutAsync(string path, object? body, Caller caller, CancellationToken ct) => SendAsync(HttpMethod.Put, path, body, caller, ct);

    /// <param name="route">The route template for grouping errors (ids replaced by {id}); the path itself when null.</param>
    public async Task<JsonNode?> SendAsync(HttpMethod method, string path, object? body, Caller caller, CancellationToken ct, string? route = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (caller.Token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", caller.Token);
        if (caller.ApiKey is not null) request.Headers.Add("X-Api-Key", caller.ApiKey);
        if (body is not null)
        {
            var json = body as string ?? JsonSerializer.Serialize(body, JsonOptions);
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }
        var key = $"{method} {route ?? path}";
        HttpResponseMessage response;
        try
        {
            response = await _http.SendAsync(request, ct);
        }
        catch (HttpRequestException ex)
        {
            throw new RequestFailedException($"{ex.GetType().Name} {key}", ex.Message);
        }
        catch (TaskCanceledException ex) when (!ct.IsCancellationRequested)
        {
            throw new RequestFailedException($"Timeout {key}", ex.Message);
        }
        using (response)
        {
            var text = await response.Content.ReadAsStringAsync(ct);
            if (!response.IsSuccessStatusCode) throw new RequestFailedException($"{(int)response.StatusCode} {key}", text);
            return text.Length == 0 ? null : JsonNode.Parse(text);
        }
    }

    public async Task<Caller> SignInAsync(string user, CancellationToken ct)
    {
        var answer = await PostAsync("/api/auth/token", new { username = user, password = user }, new Caller("anonymous", null, null), ct);
        return new Caller(user, answer?["accessToken"]?.GetValue<string>() ?? throw new InvalidOperationException($"No token for {user}."), null);
    }

    public void Dispose() => _http.Dispose();

    public static readonly JsonSerializerOptions JsonOptions = new(JsonSerializerDefaults.Web);
}
