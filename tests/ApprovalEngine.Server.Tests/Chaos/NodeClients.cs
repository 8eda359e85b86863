using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Chaos;

/// <summary>Clients of one node over real HTTP: the tests' integration key and development users (signed in once per node).</summary>
public sealed class NodeClients(string name, Func<HttpClient> create) : IDisposable
{
    private readonly ConcurrentDictionary<string, Lazy<Task<HttpClient>>> _users = new();
    private readonly Lazy<HttpClient> _system = new(() =>
    {
        var client = create();
        client.DefaultRequestHeaders.Add("X-Api-Key", ApiFactory.TestSystemKey);
        return client;
    });

    public string Name => name;

    public static NodeClients Of(ServerProcess server) => new(server.Name, server.CreateClient);

    public static NodeClients Of(string name, ApiFactory factory) => new(name, factory.CreateClient);

    /// <summary>The tests' integration key (start:*, events:*, read:*, sandbox).</summary>
    public HttpClient System => _system.Value;

    /// <summary>A development user's client (password = user name); the token is fetched once per node.</summary>
    public Task<HttpClient> AsAsync(string user) => _users.GetOrAdd(user, u => new Lazy<Task<HttpClient>>(() => SignInAsync(u))).Value;

    private async Task<HttpClient> SignInAsync(string user)
    {
        var client = create();
        using var response = await client.PostAsJsonAsync("/api/auth/token", new { username = user, password = user });
        var text = await response.Content.ReadAsStringAsync();
        if (response.StatusCode != HttpStatusCode.OK)
        {
            // Not cached: the next caller signs in again (e.g. on the restarted node).
            _users.TryRemove(user, out _);
            throw new HttpRequestException($"sign-in of {user} on {name}: {(int)response.StatusCode} {text}");
        }
        var token = JsonNode.Parse(text)!["accessToken"]!.GetValue<string>();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    /// <summary>Publishes <paramref name="definition"/>: analyst1 saves and submits it, analyst2 approves (four eyes).</summary>
    public async Task<int> PublishAsync(JsonObject definition)
    {
        var id = definition.Text("id");
        var analyst = await AsAsync("analyst1");
        using (var saved = await analyst.PutAsJsonAsync($"/api/definitions/{id}/draft", definition))
        {
            Assert.That(saved.IsSuccessStatusCode, Is.True, $"draft of {id}: {await saved.Content.ReadAsStringAsync()}");
        }
        var request = await (await analyst.PostAsJsonAsync($"/api/definitions/{id}/publish", new { note = "chaos" })).ReadObjectAsync();
        var reviewer = await AsAsync("analyst2");
        var approved = await reviewer.PostObjectAsync($"/api/publish-requests/{request.Text("id")}/approve", null);
        return approved["version"]!.GetValue<int>();
    }

    public void Dispose()
    {
        if (_system.IsValueCreated) _system.Value.Dispose();
        foreach (var user in _users.Values)
        {
            if (user.IsValueCreated && user.Value.IsCompletedSuccessfully) user.Value.Result.Dispose();
        }
    }
}
