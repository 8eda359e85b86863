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

    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    /// <summary>Every operation of the served document: "METHOD /path" and the operation.</summary>
    private IEnumerable<(string Key, JsonObject Operation, string Path)> Operations() =>
        _document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject()
            .Where(m => Methods.Contains(m.Key))
            .Select(m => ($"{m.Key.ToUpperInvariant()} {path.Key}", m.Value!.AsObject(), path.Key)));

    /// <summary>A response, with a shared one (<c>$ref: #/components/responses/…</c>) resolved.</summary>
    private JsonNode? Resolve(JsonNode? response) =>
        response?["$ref"]?.GetValue<string>() is { } reference && reference.StartsWith("#/components/responses/", StringComparison.Ordinal)
            ? _document["components"]?["responses"]?[reference["#/components/responses/".Length..]]
            : response;

    private static List<string> SchemesOf(JsonObject operation) =>
        [.. (operation["security"]?.AsArray() ?? []).SelectMany(r => r!.AsObject().Select(s => s.Key))];

    [Test]
    public void The_document_has_operations()
    {
        // Guards the tests below against passing on an empty document.
        Assert.That(Operations().Count(), Is.GreaterThan(150));
    }

    [Test]
    public void Every_operation_has_an_operationId_and_a_summary()
    {
        var missing = Operations().Where(o => string.IsNullOrWhiteSpace(o.Operation["operationId"]?.GetValue<string>()) || string.IsNullOrWhiteSpace(o.Operation["summary"]?.GetValue<string>()))
            .Select(o => o.Key).ToList();
        Assert.That(missing, Is.Empty, "Name each route with .WithName(\"verbNoun\") and .WithSummary(\"what it does, in business words\").");
    }

    [Test]
    public void OperationIds_are_unique_camelCase_names_a_client_can_expose()
    {
        var ids = Operations().Select(o => o.Operation["operationId"]?.GetValue<string>() ?? "").Where(id => id.Length > 0).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(ids.GroupBy(id => id, StringComparer.OrdinalIgnoreCase).Where(g => g.Count() > 1).Select(g => g.Key), Is.Empty, "Duplicate operationIds.");
            Assert.That(ids.Where(id => !System.Text.RegularExpressions.Regex.IsMatch(id, "^[a-z][a-zA-Z0-9]*$")), Is.Empty, "operationIds are camelCase: verb then noun (startInstance).");
        });
    }

    [Test]
    public void Every_operation_declares_its_security_and_its_problem_responses()
    {
        var wrong = new List<string>();
        foreach (var (key, operation, _) in Operations())
        {
            var security = operation["security"]?.AsArray();
            var responses = operation["responses"]?.AsObject() ?? [];
            var parameters = operation["parameters"]?.AsArray() ?? [];
            if (security is null || security.Count == 0) { wrong.Add($"{key}: no security"); continue; }
            var anonymous = security.Count == 1 && security[0]!.AsObject().Count == 0;
            if (!anonymous && !responses.ContainsKey("401")) wrong.Add($"{key}: authenticated but no 401");
            if (!responses.Any(r => r.Key.StartsWith('4'))) wrong.Add($"{key}: no 4xx");
            if (operation["requestBody"] is not null && !(responses.ContainsKey("400") && responses.ContainsKey("422"))) wrong.Add($"{key}: takes a body but lacks 400/422");
            if (parameters.Any(p => p?["in"]?.GetValue<string>() == "path") && !responses.ContainsKey("404")) wrong.Add($"{key}: takes an id but lacks 404");
            foreach (var (status, response) in responses.Where(r => r.Key[0] is '4' or '5'))
            {
                if (Resolve(response)?["content"]?["application/problem+json"]?["schema"] is null) wrong.Add($"{key}: {status} is not application/problem+json");
            }
        }
        Assert.That(wrong, Is.Empty);
    }

    [Test]
    public void The_security_schemes_and_the_server_are_declared()
    {
        var schemes = _document["components"]!["securitySchemes"]!.AsObject();
        Assert.Multiple(() =>
        {
            Assert.That(schemes["Bearer"]?["type"]?.GetValue<string>(), Is.EqualTo("http"));
            Assert.That(schemes["Bearer"]?["scheme"]?.GetValue<string>(), Is.EqualTo("bearer"));
            Assert.That(schemes["ApiKey"]?["type"]?.GetValue<string>(), Is.EqualTo("apiKey"));
            Assert.That(schemes["ApiKey"]?["in"]?.GetValue<string>(), Is.EqualTo("header"));
            Assert.That(schemes["ApiKey"]?["name"]?.GetValue<string>(), Is.EqualTo(Identity.ApiKeyAuthenticationHandler.HeaderName));
            Assert.That(_document["servers"]?.AsArray().Select(s => s?["url"]?.GetValue<string>()), Is.Not.Empty);
            // Every scheme an operation names is declared.
            Assert.That(Operations().SelectMany(o => SchemesOf(o.Operation)).Distinct().Where(s => !schemes.ContainsKey(s)), Is.Empty);
        });
    }

    [Test]
    public void Every_tag_an_operation_uses_is_declared_with_a_description()
    {
        var declared = (_document["tags"]?.AsArray() ?? []).ToDictionary(t => t!["name"]!.GetValue<string>(), t => t!["description"]?.GetValue<string>());
        var used = Operations().SelectMany(o => (o.Operation["tags"]?.AsArray() ?? []).Select(t => t!.GetValue<string>())).Distinct().ToList();
        Assert.Multiple(() =>
        {
            Assert.That(Operations().Where(o => (o.Operation["tags"]?.AsArray().Count ?? 0) == 0).Select(o => o.Key), Is.Empty, "Operations without a tag (.WithTags).");
            Assert.That(used.Where(t => string.IsNullOrWhiteSpace(declared.GetValueOrDefault(t))), Is.Empty, "Tags without a description: add them to ApiDocument.Tags.");
        });
    }

    /// <summary>
    /// Anonymous in the document exactly where the server lets an anonymous caller in, as the permission table
    /// (measured against the running server by <see cref="Security.RoutePermissionTableTests"/>) records it.
    /// </summary>
    [Test]
    public void Operations_are_anonymous_in_the_document_exactly_where_the_server_lets_anonymous_callers_in()
    {
        var table = Security.PermissionTable.Load(Path.Combine(Path.GetDirectoryName(CommittedPath())!, "..", "..", "tests", "ApprovalEngine.Server.Tests", "Security", "route-permissions.md"));
        var anonymousColumn = table.Callers.IndexOf(Security.RoutePermissionTableTests.Anonymous);
        // The table's routes are the endpoints' patterns: constraints ({id:guid}) and a group's trailing slash, which the document drops.
        var rows = table.Rows.ToDictionary(
            r => System.Text.RegularExpressions.Regex.Replace(r.Key, "\\{([^}:]+):[^}]+\\}", "{$1}").TrimEnd('/'), r => r.Value[anonymousColumn], StringComparer.OrdinalIgnoreCase);
        var wrong = new List<string>();
        foreach (var (key, operation, _) in Operations())
        {
            if (!rows.TryGetValue(key, out var anonymousAllowed)) { wrong.Add($"{key}: no row in route-permissions.md"); continue; }
            var documentAnonymous = operation["security"]?.AsArray() is [JsonObject { Count: 0 }];
            if (documentAnonymous != anonymousAllowed) wrong.Add($"{key}: the document says {(documentAnonymous ? "anonymous" : "authenticated")}, the server {(anonymousAllowed ? "lets anonymous callers in" : "refuses them")}");
        }
        Assert.That(wrong, Is.Empty);
    }

    /// <summary>
    /// The side door: a route that advertises only the bearer scheme refuses even a key holding every right and scope
    /// the tests configure, and the routes that do so are there (the fiat operator actions).
    /// </summary>
    [Test]
    public async Task Routes_that_do_not_advertise_the_API_key_refuse_one()
    {
        var bearerOnly = Operations().Where(o => SchemesOf(o.Operation) is ["Bearer"]).ToList();
        Assert.That(bearerOnly.Select(o => o.Operation["operationId"]?.GetValue<string>()), Does.Contain("submitFiatWithdrawals"));
        using var system = _factory.AsTestSystem();
        var wrong = new List<string>();
        foreach (var (key, _, path) in bearerOnly)
        {
            var method = new HttpMethod(key[..key.IndexOf(' ', StringComparison.Ordinal)]);
            using var request = new HttpRequestMessage(method, System.Text.RegularExpressions.Regex.Replace(path, "\\{[^}]+\\}", "0190f0a0-0000-7000-8000-000000000000"));
            if (method != HttpMethod.Get) request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
            using var response = await system.SendAsync(request);
            if (response.StatusCode is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)) wrong.Add($"{key}: the API key got {(int)response.StatusCode}");
        }
        Assert.That(wrong, Is.Empty);
    }

    /// <summary>
    /// /docs is served anonymously, reads this document, and loads nothing from elsewhere: every script, style and
    /// font it names is served by the server itself (the reference must work on a network without internet).
    /// </summary>
    [Test]
    public async Task The_API_reference_page_is_served_anonymously_from_the_server_itself()
    {
        using var anonymous = _factory.CreateClient(new() { AllowAutoRedirect = true });
        var page = await anonymous.GetAsync("/docs");
        var html = await page.Content.ReadAsStringAsync();
        Assert.That(page.StatusCode, Is.EqualTo(HttpStatusCode.OK), html);
        Assert.That(page.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/html"));
        var external = System.Text.RegularExpressions.Regex.Matches(html, "(?:src|href)\\s*=\\s*[\"']?(https?:)?//[^\"' >]+").Select(m => m.Value).ToList();
        Assert.That(external, Is.Empty, "The reference page loads something from another host.");
        Assert.That(html, Does.Not.Contain("fonts.scalar.com").And.Not.Contain("cdn.jsdelivr.net"));
        // Scalar resolves the source against the application's root (the page's path minus /docs/): /openapi/v1.json.
        Assert.That(html, Does.Contain("\"url\":\"openapi/v1.json\""), "It reads the server's own document.");
        var scripts = System.Text.RegularExpressions.Regex.Matches(html, "<script[^>]+src\\s*=\\s*[\"']([^\"']+)[\"']").Select(m => m.Groups[1].Value).ToList();
        Assert.That(scripts, Is.Not.Empty, html);
        foreach (var script in scripts)
        {
            var response = await anonymous.GetAsync(new Uri(page.RequestMessage!.RequestUri!, script));
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{script} is not served by the server.");
            Assert.That((await response.Content.ReadAsByteArrayAsync()).Length, Is.GreaterThan(1000), $"{script} is empty.");
        }
    }

    [TestCase("startInstance")]
    [TestCase("completeTask")]
    [TestCase("sendEvent")]
    [TestCase("createWdRequest")]
    public void The_main_requests_have_examples(string operationId)
    {
        var operation = Operations().Single(o => o.Operation["operationId"]?.GetValue<string>() == operationId).Operation;
        var examples = operation["requestBody"]?["content"]?["application/json"]?["examples"]?.AsObject();
        Assert.That(examples?.Select(e => e.Value?["value"]).Where(v => v is JsonObject { Count: > 0 }), Is.Not.Empty, operation["requestBody"]?.ToJsonString());
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
        Assert.That(Resolve(response)?["content"]?["application/problem+json"], Is.Not.Null, $"{method.ToUpperInvariant()} {path} should document {status} as application/problem+json: {_document["paths"]?[path]?[method]?["responses"]?.ToJsonString()}");
    }
}
