using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ApprovalEngine.Server.Tests.Support;

/// <summary>
/// The real server in-process (Development: dev identities, sandbox, workflows/ published) on a fresh database:
/// PostgreSQL from the shared throwaway server by default, or a temporary SQLite file.
/// </summary>
public sealed class ApiFactory : WebApplicationFactory<Program>
{
    private readonly DatabaseProvider _provider;
    private readonly string _connectionString;
    private readonly Dictionary<string, string?> _settings;
    private readonly SqliteTempDatabase? _sqlite;
    private Action<IServiceCollection>? _services;
    private bool _fromTemplate;

    private ApiFactory(DatabaseProvider provider, string connectionString, SqliteTempDatabase? sqlite, Dictionary<string, string?>? settings)
    {
        _provider = provider;
        _connectionString = connectionString;
        _sqlite = sqlite;
        _settings = settings ?? [];
    }

    /// <summary>A server on a new database, a copy of the migrated template (<see cref="ServerDatabase"/>).</summary>
    public static async Task<ApiFactory> PostgresAsync(Dictionary<string, string?>? settings = null) =>
        new(DatabaseProvider.Postgres, await ServerDatabase.CreateAsync("api"), null, settings) { _fromTemplate = true };

    /// <summary>A server on a PostgreSQL database the test provides (e.g. through a proxy it can cut).</summary>
    public static ApiFactory Postgres(string connectionString, Dictionary<string, string?>? settings = null) =>
        new(DatabaseProvider.Postgres, connectionString, null, settings);

    /// <summary>The server on an existing PostgreSQL database (e.g. one restored from an older release's dump).</summary>
    public static ApiFactory PostgresOn(string connectionString, Dictionary<string, string?>? settings = null) =>
        Postgres(connectionString, settings);

    public static ApiFactory Sqlite(Dictionary<string, string?>? settings = null)
    {
        var db = new SqliteTempDatabase();
        return new(DatabaseProvider.Sqlite, db.ConnectionString, db, settings);
    }

    public DatabaseProvider Provider => _provider;

    /// <summary>Extra service registrations (e.g. a test-only <see cref="IActivityModule"/>); call before the first client.</summary>
    public ApiFactory WithServices(Action<IServiceCollection> configure)
    {
        _services += configure;
        return this;
    }

    /// <summary>A fresh scope's database context, to check what the API wrote (or did not write).</summary>
    public async Task<T> QueryAsync<T>(Func<ApprovalDbContext, Task<T>> query)
    {
        await using var scope = Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<ApprovalDbContext>());
    }

    public string ConnectionString => _connectionString;

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", _provider.ToString());
        builder.UseSetting("ConnectionStrings:ApprovalEngine", _connectionString);
        // Quartz keeps schedulers by name per process; every test server gets its own.
        builder.UseSetting("Engine:SchedulerName", $"test-{Guid.NewGuid():N}");
        builder.UseSetting("Engine:JobBackoffSeconds", "1");
        builder.UseSetting("Engine:JobMaxAttempts", "3");
        // A configured integration key for the tests' own flows (an analyst's new flow needs start:<id>; the
        // development key only starts the shipped ones). Index 9 leaves room for keys a test configures itself.
        builder.UseSetting("Identities:ApiKeys:9:Name", "test-system");
        builder.UseSetting("Identities:ApiKeys:9:Key", TestSystemKey);
        foreach (var (i, right) in TestSystemRights.Index()) builder.UseSetting($"Identities:ApiKeys:9:Rights:{i}", right);
        foreach (var (i, scope) in TestSystemScopes.Index()) builder.UseSetting($"Identities:ApiKeys:9:Scopes:{i}", scope);
        // Every test client signs in from one address and a shared server signs the same users in many times a minute;
        // the sign-in limits have their own tests, which set them lower again.
        builder.UseSetting("Auth:SignIn:PermitsPerAddress", "100000");
        builder.UseSetting("Auth:SignIn:PermitsPerUser", "100000");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        if (_services is { } configure) builder.ConfigureServices(configure);
    }

    protected override IHost CreateHost(IHostBuilder builder)
    {
        var host = base.CreateHost(builder);
        // The server migrated at start-up; on a copy of the template it must have found nothing to do.
        try
        {
            if (_fromTemplate) ServerDatabase.EnsureNothingMigratedAsync(_connectionString).GetAwaiter().GetResult();
        }
        catch (InvalidOperationException)
        {
            host.StopAsync().GetAwaiter().GetResult();
            host.Dispose();
            throw;
        }
        return host;
    }

    /// <summary>A client authenticated as a development user (password = username).</summary>
    public async Task<HttpClient> AsUserAsync(string username)
    {
        var client = CreateClient();
        var response = await client.PostAsJsonAsync("/api/auth/token", new { username, password = username });
        response.EnsureSuccessStatusCode();
        var token = (await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    public const string TestSystemKey = "test-system-key";
    private static readonly string[] TestSystemRights = ["wd:create", "instances:cancel", "incidents:retry", "sandbox", "wd:export"];
    private static readonly string[] TestSystemScopes = ["start:*", "events:*", "read:*", "wd:client-cancel"];

    /// <summary>A client with the tests' integration key: the development key's rights, and it may start any flow.</summary>
    public HttpClient AsTestSystem()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", TestSystemKey);
        return client;
    }

    /// <summary>A client authenticated with the development system key.</summary>
    public HttpClient AsSystem()
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", "dev-system-key");
        return client;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _sqlite?.Dispose();
    }
}

public static class HttpJson
{
    public static async Task<JsonObject> ReadObjectAsync(this HttpResponseMessage response)
    {
        var text = await response.Content.ReadAsStringAsync();
        return JsonNode.Parse(text) as JsonObject ?? throw new JsonException($"Expected a JSON object, got: {text}");
    }

    public static async Task<JsonObject> PostObjectAsync(this HttpClient client, string url, object? body)
    {
        var response = await client.PostAsJsonAsync(url, body);
        var json = await response.ReadObjectAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode} {url}: {json.ToJsonString()}");
        return json;
    }

    public static async Task<JsonArray> GetArrayAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var text = await response.Content.ReadAsStringAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode} {url}: {text}");
        return JsonNode.Parse(text) as JsonArray ?? throw new JsonException($"Expected a JSON array, got: {text}");
    }

    public static async Task<JsonObject> GetObjectAsync(this HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var json = await response.ReadObjectAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode} {url}: {json.ToJsonString()}");
        return json;
    }
}
