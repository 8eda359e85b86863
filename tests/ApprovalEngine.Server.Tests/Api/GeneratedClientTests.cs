using System.Net.Http.Headers;
using System.Text.RegularExpressions;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Tests.Client;
using ApprovalEngine.Server.Tests.Support;
using JsonNode = System.Text.Json.Nodes.JsonNode;
using JsonObject = System.Text.Json.Nodes.JsonObject;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// What a system integrating with ApprovalEngine does: generate a C# client from the OpenAPI document (NSwag, at build
/// time, from designer/openapi/v1.json, see the project file) and drive start → task → journal with it over HTTP
/// against the real server (Kestrel on a port, PostgreSQL), once with people's bearer tokens and once with a system's
/// API key. Every call is checked against the served document: the operation it hit must advertise the scheme the
/// call authenticated with. A missing or renamed operationId breaks the build (the client's method names come from
/// them); a wrong security scheme fails here.
/// </summary>
[TestFixture]
public sealed class GeneratedClientTests
{
    private const string Flow = "sample-approval";
    private ApiFactory _factory = null!;
    private Uri _server = null!;
    private JsonObject _document = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _factory.UseKestrel(0);
        _factory.StartServer();
        using var plain = _factory.CreateClient();
        _server = plain.BaseAddress!;
        Assert.That(_server.Scheme, Is.EqualTo("http"), "The client talks to a real HTTP listener.");
        _document = JsonNode.Parse(await plain.GetStringAsync(new Uri(_server, "/openapi/v1.json")))!.AsObject();
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    /// <summary>A generated client; every call it sends is added to <paramref name="calls"/> with the scheme it authenticated with.</summary>
    private ApprovalEngineClient Client(List<(string Method, string Path, string Scheme)> calls, Action<HttpRequestHeaders> authenticate)
    {
        var http = new HttpClient(new Recorder(calls) { InnerHandler = new SocketsHttpHandler() }) { BaseAddress = _server };
        authenticate(http.DefaultRequestHeaders);
        return new ApprovalEngineClient(http);
    }

    /// <summary>Signs in with the generated client (an anonymous call) and returns a client with the bearer token.</summary>
    private async Task<ApprovalEngineClient> PersonAsync(string username, List<(string, string, string)> calls)
    {
        var token = await Client(calls, _ => { }).IssueTokenAsync(new TokenRequest { Username = username, Password = username });
        return Client(calls, h => h.Authorization = new AuthenticationHeaderValue("Bearer", token.AccessToken));
    }

    [Test]
    public async Task People_start_an_instance_complete_its_task_and_read_the_journal_with_bearer_tokens()
    {
        var calls = new List<(string, string, string)>();
        var maker = await PersonAsync("maker1", calls);
        var cs = await PersonAsync("cs1", calls);

        var started = await maker.StartInstanceAsync(Flow, new StartInstanceRequest { CorrelationId = $"client-bearer-{Guid.NewGuid():N}", Input = Input(2500m) });
        var journal = await DriveTaskAndJournalAsync(cs, cs, started.Id);

        Assert.That(journal.Items.Select(e => e.Actor?.UserId), Does.Contain("maker1").And.Contain("cs1"), "The journal names who started and who approved.");
        AssertCallsMatchTheDocument(calls, "Bearer");
    }

    [Test]
    public async Task A_system_starts_an_instance_lists_its_task_and_reads_the_journal_with_an_API_key()
    {
        var systemCalls = new List<(string, string, string)>();
        var system = Client(systemCalls, h => h.Add(ApiKeyAuthenticationHandler.HeaderName, "dev-system-key"));
        var personCalls = new List<(string, string, string)>();
        // The shipped flow's review is a person's action (no scope lets a system take it): cs1 completes it.
        var cs = await PersonAsync("cs1", personCalls);
        var correlation = $"client-key-{Guid.NewGuid():N}";

        var started = await system.StartInstanceAsync(Flow, new StartInstanceRequest { CorrelationId = correlation, Input = Input(1200m) });
        var again = await system.StartInstanceAsync(Flow, new StartInstanceRequest { CorrelationId = correlation, Input = Input(1200m) });
        Assert.That(again.Id, Is.EqualTo(started.Id), "A start with the same correlation id answers the existing instance.");
        var journal = await DriveTaskAndJournalAsync(system, cs, started.Id);

        Assert.That(journal.Items.Select(e => e.Actor?.UserId), Does.Contain("dev-system").And.Contain("cs1"));
        AssertCallsMatchTheDocument(systemCalls, "ApiKey");
        AssertCallsMatchTheDocument(personCalls, "Bearer");
    }

    /// <summary>Lists the instance's open task with <paramref name="reader"/>, approves it as <paramref name="approver"/>, reads the journal with <paramref name="reader"/>.</summary>
    private static async Task<PagedOfJournalEntryView> DriveTaskAndJournalAsync(ApprovalEngineClient reader, ApprovalEngineClient approver, Guid instanceId)
    {
        var tasks = await reader.ListTasksAsync(department: "CS", status: "open", definitionId: Flow, pageSize: 500);
        var task = tasks.Items.SingleOrDefault(t => t.InstanceId == instanceId);
        Assert.That(task, Is.Not.Null, $"The instance's CS review is in the inbox ({tasks.Total} open tasks).");
        var detail = await approver.GetTaskAsync(task!.Id.ToString());
        Assert.That(detail.Actions.Select(a => a.Name), Does.Contain("Approve"));

        var after = await approver.CompleteTaskAsync(task.Id.ToString(), new CompleteTaskRequest { Action = "Approve", Comment = "Checked through the generated client." });
        Assert.That(after.OpenTasks.Select(t => t.Id), Does.Not.Contain(task.Id), "The completed task is no longer open.");

        var journal = await reader.GetInstanceJournalAsync(instanceId.ToString(), pageSize: 500);
        Assert.That(journal.Items, Is.Not.Empty);
        return journal;
    }

    private static JsonObject Input(decimal amount) => new() { ["amount"] = amount, ["currency"] = "USD" };

    /// <summary>Each call hit a documented operation whose security lists the scheme the call used.</summary>
    private void AssertCallsMatchTheDocument(IReadOnlyList<(string Method, string Path, string Scheme)> calls, string scheme)
    {
        Assert.That(calls, Is.Not.Empty);
        var wrong = new List<string>();
        foreach (var (method, path, used) in calls)
        {
            var operation = Find(method, path);
            if (operation is null) { wrong.Add($"{method} {path}: no such operation in the document"); continue; }
            var advertised = (operation["security"]?.AsArray() ?? []).Select(r => r!.AsObject().Select(s => s.Key).ToList()).ToList();
            var anonymous = advertised.Any(r => r.Count == 0);
            if (used == "none" ? !anonymous : !advertised.Any(r => r.Contains(used)))
            {
                wrong.Add($"{method} {path} ({operation["operationId"]}): called with {used}, the document advertises {operation["security"]?.ToJsonString()}");
            }
            if (used != "none" && used != scheme) wrong.Add($"{method} {path}: expected {scheme}, used {used}");
        }
        Assert.That(wrong, Is.Empty);
    }

    private JsonObject? Find(string method, string path)
    {
        foreach (var (template, item) in _document["paths"]!.AsObject())
        {
            var pattern = "^" + Regex.Replace(Regex.Escape(template), @"\\\{[^}]+\}", "[^/]+") + "$";
            if (Regex.IsMatch(path, pattern) && item?[method.ToLowerInvariant()] is JsonObject operation) return operation;
        }
        return null;
    }

    /// <summary>Records the method, path and credential of every request the generated client sends.</summary>
    private sealed class Recorder(List<(string, string, string)> calls) : DelegatingHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var scheme = request.Headers.Authorization?.Scheme == "Bearer" ? "Bearer"
                : request.Headers.Contains(ApiKeyAuthenticationHandler.HeaderName) ? "ApiKey" : "none";
            lock (calls) calls.Add((request.Method.Method, request.RequestUri!.AbsolutePath, scheme));
            return base.SendAsync(request, cancellationToken);
        }
    }
}
