using System.Net;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// The designer generates its TypeScript types from designer/openapi/v1.json: it must match what the server serves
/// and describe the main responses with real schemas.
/// </summary>
[TestFixture]
public sealed class OpenApiDocumentTests
{
    private const string Refresh = "run the test with UPDATE_OPENAPI=1 to refresh designer/openapi/v1.json";
    private ApiFactory _factory = null!;
    private JsonObject _document = null!;
    private string _served = "";

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        using var anonymous = _factory.CreateClient();
        var response = await anonymous.GetAsync("/openapi/v1.json");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        _document = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsObject();
        _served = _document.ToJsonString(new JsonSerializerOptions { WriteIndented = true }).ReplaceLineEndings("\n") + "\n";
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    private static string CommittedPath()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ApprovalEngine.sln"))) return Path.Combine(dir.FullName, "designer", "openapi", "v1.json");
        }
        throw new InvalidOperationException("ApprovalEngine.sln not found above the test binaries.");
    }

    [Test]
    public async Task The_committed_designer_copy_matches_the_served_document()
    {
        var path = CommittedPath();
        if (Environment.GetEnvironmentVariable("UPDATE_OPENAPI") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, _served);
            TestContext.Out.WriteLine($"Wrote {path}.");
        }
        Assert.That(File.Exists(path), Is.True, $"{path} is missing; {Refresh}.");
        var committed = (await File.ReadAllTextAsync(path)).ReplaceLineEndings("\n");
        if (committed == _served) return;
        var committedLines = committed.Split('\n');
        var servedLines = _served.Split('\n');
        var first = Enumerable.Range(0, Math.Min(committedLines.Length, servedLines.Length)).FirstOrDefault(i => committedLines[i] != servedLines[i], Math.Min(committedLines.Length, servedLines.Length));
        Assert.Fail($"designer/openapi/v1.json differs from GET /openapi/v1.json (first difference at line {first + 1}: committed '{committedLines.ElementAtOrDefault(first)?.Trim()}', served '{servedLines.ElementAtOrDefault(first)?.Trim()}'); {Refresh}.");
    }

    private JsonObject Schemas => _document["components"]!["schemas"]!.AsObject();

    private JsonNode? Response(string path, string method, string status) =>
        _document["paths"]?[path]?[method]?["responses"]?[status];

    private static string? RefOf(JsonNode? response) =>
        response?["content"]?["application/json"]?["schema"]?["$ref"]?.GetValue<string>();

    [TestCase("/api/tasks", "get", "200", "PagedOfTaskView")]
    [TestCase("/api/tasks/{id}", "get", "200", "TaskDetail")]
    [TestCase("/api/tasks/{id}/complete", "post", "200", "InstanceView")]
    [TestCase("/api/instances/{id}", "get", "200", "InstanceView")]
    [TestCase("/api/instances", "get", "200", "PagedOfInstanceSummary")]
    [TestCase("/api/instances/{id}/journal", "get", "200", "PagedOfJournalEntryView")]
    [TestCase("/api/definitions/{id}/instances", "post", "201", "InstanceStarted")]
    [TestCase("/api/definitions/{id}/instances", "post", "200", "InstanceStarted")]
    [TestCase("/api/incidents", "get", "200", "PagedOfIncidentView")]
    [TestCase("/api/events/{name}", "post", "200", "EventDelivered")]
    [TestCase("/api/auth/me", "get", "200", "MeResponse")]
    public void Main_responses_reference_named_schemas(string path, string method, string status, string schema)
    {
        var reference = RefOf(Response(path, method, status));
        Assert.That(reference, Is.EqualTo($"#/components/schemas/{schema}"), $"{method.ToUpperInvariant()} {path} {status}: {Response(path, method, status)?.ToJsonString()}");
        Assert.That(Schemas.ContainsKey(schema), Is.True);
    }

    [Test]
    public void The_paged_task_view_schema_has_items_of_TaskView_and_the_paging_numbers()
    {
        var paged = Schemas["PagedOfTaskView"]!["properties"]!.AsObject();
        Assert.That(paged.Select(p => p.Key), Is.SupersetOf(new List<string> { "items", "total", "page", "pageSize" }));
        Assert.That(paged["items"]!["items"]!["$ref"]!.GetValue<string>(), Is.EqualTo("#/components/schemas/TaskView"));
        var task = Schemas["TaskView"]!["properties"]!.AsObject();
        Assert.That(task.Select(p => p.Key), Is.SupersetOf(new List<string> { "id", "instanceId", "department", "status", "assignee", "dueAt", "overdue" }));
        var instance = Schemas["InstanceView"]!["properties"]!.AsObject();
        Assert.That(instance.Select(p => p.Key), Is.SupersetOf(new List<string> { "id", "status", "businessStatus", "variables", "openTasks", "incidents" }));
    }

    [TestCase("/api/tasks/{id}/complete", "post", "422")]
    [TestCase("/api/tasks/{id}/complete", "post", "409")]
    [TestCase("/api/tasks/{id}/complete", "post", "403")]
    [TestCase("/api/tasks/{id}/complete", "post", "404")]
    [TestCase("/api/definitions/{id}/instances", "post", "422")]
    [TestCase("/api/definitions/{id}/draft", "put", "422")]
    [TestCase("/api/tasks", "get", "400")]
    [TestCase("/api/tasks", "get", "401")]
    public void Error_responses_are_documented_as_problem_details(string path, string method, string status)
    {
        var response = Response(path, method, status);
        Assert.That(response?["content"]?["application/problem+json"], Is.Not.Null, $"{method.ToUpperInvariant()} {path} should document {status} as application/problem+json: {_document["paths"]?[path]?[method]?["responses"]?.ToJsonString()}");
    }
}
