using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// Client mistakes of every kind get a clear 4xx problem+json whose <c>errors</c> map names the field, never a 500,
/// and nothing is written: the database counts and the instance are unchanged.
/// </summary>
[TestFixture]
public sealed class BadInputTests
{
    private ApiFactory _factory = null!;
    private readonly Dictionary<string, HttpClient> _clients = [];
    private string _instance = "";
    private string _task = "";

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _clients["system"] = _factory.AsSystem();
        foreach (var user in new[] { "cs1", "analyst1", "supervisor1" }) _clients[user] = await _factory.AsUserAsync(user);
        var started = await _clients["system"].PostObjectAsync("/api/definitions/sample-approval/instances", new { correlationId = "bad-input", input = new { amount = 5 } });
        _instance = started.Text("id");
        _task = (await _clients["system"].GetObjectAsync($"/api/instances/{_instance}"))["openTasks"]!.AsArray().Single()!.Text("id");
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        foreach (var client in _clients.Values) client.Dispose();
        await _factory.DisposeAsync();
    }

    /// <summary>One bad request: who sends it, what, and the expected status and field ("*": any field, null: no field to name).</summary>
    public sealed record Case(string Name, string Client, string Method, string Url, string? Body, int Status, string? Field, string ContentType = "application/json")
    {
        public override string ToString() => Name;
    }

    private static string Nested(int depth) => "{\"input\":" + string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth) + "}";

    private static readonly string Long201 = new('x', 201);
    private static readonly string Long4001 = new('x', 4001);

    public static IEnumerable<TestCaseData> Cases()
    {
        const string start = "/api/definitions/sample-approval/instances";
        const string complete = "/api/tasks/{task}/complete";
        Case[] cases =
        [
            // Malformed JSON.
            new("malformed start", "system", "POST", start, "{\"correlationId\": \"x\",", 400, "*"),
            new("malformed complete", "cs1", "POST", complete, "{action: Approve}", 400, "*"),
            new("malformed event", "system", "POST", "/api/events/go", "{\"correlationId\": ", 400, "*"),
            new("malformed draft", "analyst1", "PUT", "/api/definitions/x/draft", "{\"id\": \"x\"", 400, "*"),
            new("malformed token", "system", "POST", "/api/auth/token", "{'username': 'cs1'}", 400, "*"),
            new("malformed sandbox", "system", "PUT", "/api/sandbox/trading-accounts/A1", "{\"balance\": 1,,}", 400, "*"),
            new("malformed dry run", "system", "POST", "/api/dry-run/start", "[{]", 400, "*"),
            new("malformed cancel", "supervisor1", "POST", "/api/instances/{instance}/cancel", "{\"reason\": \"x\"} trailing", 400, "*"),
            // Wrong JSON types.
            new("input is a string", "system", "POST", start, "{\"input\": \"amount=5\"}", 400, "input"),
            new("correlationId is a number", "system", "POST", start, "{\"correlationId\": 5, \"input\": {\"amount\": 1}}", 400, "correlationId"),
            new("action is a number", "cs1", "POST", complete, "{\"action\": 5}", 400, "action"),
            new("expectedVersion is text", "cs1", "POST", complete, "{\"action\": \"Approve\", \"expectedVersion\": \"abc\"}", 400, "expectedVersion"),
            new("data is an array", "cs1", "POST", complete, "{\"action\": \"Approve\", \"data\": [1]}", 400, "data"),
            new("correlationId is a boolean", "system", "POST", "/api/events/go", "{\"correlationId\": true}", 400, "correlationId"),
            new("balance is text", "system", "PUT", "/api/sandbox/trading-accounts/A1", "{\"customerId\": \"C\", \"currency\": \"USD\", \"balance\": \"lots\", \"equity\": 1, \"margin\": 0, \"freeMargin\": 1, \"credit\": 0, \"openTrades\": 0}", 400, "balance"),
            new("reason is an array", "supervisor1", "POST", "/api/instances/{instance}/cancel", "{\"reason\": [\"x\"]}", 400, "reason"),
            new("amount is text where the flow wants a number", "system", "POST", start, "{\"input\": {\"amount\": \"five\"}}", 422, "input.amount"),
            new("expression variable types are not strings", "analyst1", "POST", "/api/expressions/check", "{\"expression\": \"a\", \"variables\": {\"a\": 5}}", 400, "variables.a"),
            new("dry run task id is not a GUID", "system", "POST", "/api/dry-run/resume", "{\"definition\": {}, \"state\": {}, \"resume\": {\"kind\": \"action\", \"taskId\": \"abc\"}}", 400, "resume.taskId"),
            new("dry run state is garbage", "system", "POST", "/api/dry-run/resume", DryRunGarbageState, 422, "state"),
            new("dry run state of another definition", "system", "POST", "/api/dry-run/resume", DryRunOtherState, 422, "state"),
            // Missing required fields.
            new("token without username", "system", "POST", "/api/auth/token", "{\"password\": \"x\"}", 422, "username"),
            new("complete without action", "cs1", "POST", complete, "{}", 422, "action"),
            new("complete with an empty body", "cs1", "POST", complete, "", 422, "action"),
            new("event without correlation", "system", "POST", "/api/events/go", "{\"payload\": 1}", 422, "correlationId"),
            new("cancel without reason", "supervisor1", "POST", "/api/instances/{instance}/cancel", "{}", 422, "reason"),
            new("start without the required input", "system", "POST", start, "{\"input\": {}}", 422, "input.amount"),
            new("check without expression", "analyst1", "POST", "/api/expressions/check", "{}", 422, "expression"),
            new("sandbox without data", "system", "PUT", "/api/sandbox/trading-accounts/A1", "{}", 422, "customerId"),
            // Unknown ids, also non-GUIDs.
            new("unknown instance", "system", "GET", "/api/instances/{guid}", null, 404, null),
            new("non-GUID instance", "system", "GET", "/api/instances/not-a-guid", null, 404, null),
            new("non-GUID journal", "system", "GET", "/api/instances/12345/journal", null, 404, null),
            new("unknown instance cancel", "supervisor1", "POST", "/api/instances/{guid}/cancel", "{\"reason\": \"x\"}", 404, null),
            new("non-GUID instance cancel", "supervisor1", "POST", "/api/instances/xyz/cancel", "{\"reason\": \"x\"}", 404, null),
            new("unknown task", "cs1", "GET", "/api/tasks/{guid}", null, 404, null),
            new("non-GUID task", "cs1", "GET", "/api/tasks/abc", null, 404, null),
            new("unknown task complete", "cs1", "POST", "/api/tasks/{guid}/complete", "{\"action\": \"Approve\"}", 404, null),
            new("non-GUID task claim", "cs1", "POST", "/api/tasks/abc/claim", null, 404, null),
            new("unknown task unclaim", "cs1", "POST", "/api/tasks/{guid}/unclaim", null, 404, null),
            new("unknown incident", "supervisor1", "POST", "/api/incidents/{guid}/retry", null, 404, null),
            new("non-GUID incident", "supervisor1", "POST", "/api/incidents/abc/retry", null, 404, null),
            new("unknown definition", "system", "GET", "/api/definitions/nope", null, 404, null),
            new("unknown definition start", "system", "POST", "/api/definitions/nope/instances", "{\"input\": {}}", 404, null),
            new("unknown definition publish", "analyst1", "POST", "/api/definitions/nope/publish", null, 404, null),
            new("publish note over 2000", "analyst1", "POST", "/api/definitions/sample-approval/publish", $"{{\"note\": \"{Long4001}\"}}", 422, "note"),
            new("publish note not a string", "analyst1", "POST", "/api/definitions/sample-approval/publish", "{\"note\": 5}", 400, "*"),
            new("suspend reason over 1000", "analyst1", "POST", "/api/definitions/sample-approval/versions/1/suspend", $"{{\"reason\": \"{Long4001}\"}}", 422, "reason"),
            new("suspend without reason", "analyst1", "POST", "/api/definitions/sample-approval/versions/1/suspend", "{}", 422, "reason"),
            new("unknown publish request", "analyst1", "POST", "/api/publish-requests/{guid}/approve", null, 404, null),
            new("reject reason over 2000", "analyst1", "POST", "/api/publish-requests/{guid}/reject", $"{{\"reason\": \"{Long4001}\"}}", 422, "reason"),
            // Absurd amounts.
            new("amount 1e30", "system", "POST", start, "{\"input\": {\"amount\": 1e30}}", 422, "input.amount"),
            new("amount -1e30", "system", "POST", start, "{\"input\": {\"amount\": -1e30}}", 422, "input.amount"),
            new("balance 1e30", "system", "PUT", "/api/sandbox/trading-accounts/A1", "{\"customerId\": \"C\", \"currency\": \"USD\", \"balance\": 1e30, \"equity\": 1, \"margin\": 0, \"freeMargin\": 1, \"credit\": 0, \"openTrades\": 0}", 400, "balance"),
            new("balance out of range", "system", "PUT", "/api/sandbox/trading-accounts/A1", "{\"customerId\": \"C\", \"currency\": \"USD\", \"balance\": 1e20, \"equity\": 1, \"margin\": 0, \"freeMargin\": 1, \"credit\": 0, \"openTrades\": 0}", 422, "balance"),
            new("negative margin", "system", "PUT", "/api/sandbox/trading-accounts/A1", "{\"customerId\": \"C\", \"currency\": \"USD\", \"balance\": 1, \"equity\": 1, \"margin\": -5, \"freeMargin\": 1, \"credit\": 0, \"openTrades\": 0}", 422, "margin"),
            new("event payload 1e30", "system", "POST", "/api/events/go", "{\"correlationId\": \"c\", \"payload\": {\"amount\": 1e30}}", 422, "payload"),
            new("task data 1e30", "cs1", "POST", complete, "{\"action\": \"Approve\", \"data\": {\"fee\": 1e30}}", 422, "data.fee"),
            new("dry run input 1e30", "system", "POST", "/api/dry-run/start", "{\"definition\": " + TestFlows.Delay("dry-big").ToJsonString() + ", \"input\": {\"x\": 1e30}}", 422, "input.x"),
            new("evaluate with 1e30", "system", "POST", "/api/expressions/evaluate", "{\"expression\": \"a\", \"variables\": {\"a\": 1e30}}", 422, "variables.a"),
            new("openTrades 1e30", "system", "PUT", "/api/sandbox/trading-accounts/A1", "{\"customerId\": \"C\", \"currency\": \"USD\", \"balance\": 1, \"equity\": 1, \"margin\": 0, \"freeMargin\": 1, \"credit\": 0, \"openTrades\": 1e30}", 400, "openTrades"),
            // Over-long strings.
            new("correlationId over 200", "system", "POST", start, $"{{\"correlationId\": \"{Long201}\", \"input\": {{\"amount\": 1}}}}", 422, "correlationId"),
            new("comment over 4000", "cs1", "POST", complete, $"{{\"action\": \"Approve\", \"comment\": \"{Long4001}\"}}", 422, "comment"),
            new("reason over 1000", "supervisor1", "POST", "/api/instances/{instance}/cancel", $"{{\"reason\": \"{Long4001}\"}}", 422, "reason"),
            new("event name over 100", "system", "POST", $"/api/events/{Long201}", "{\"correlationId\": \"c\"}", 422, "name"),
            new("idempotencyKey over 200", "system", "POST", "/api/events/go", $"{{\"correlationId\": \"c\", \"idempotencyKey\": \"{Long201}\"}}", 422, "idempotencyKey"),
            new("event correlation over 200", "system", "POST", "/api/events/go", $"{{\"correlationId\": \"{Long201}\"}}", 422, "correlationId"),
            new("username over 100", "system", "POST", "/api/auth/token", $"{{\"username\": \"{Long201}\", \"password\": \"x\"}}", 422, "username"),
            new("account over 64", "system", "PUT", $"/api/sandbox/trading-accounts/{Long201}", "{\"customerId\": \"C\", \"currency\": \"USD\", \"balance\": 1, \"equity\": 1, \"margin\": 0, \"freeMargin\": 1, \"credit\": 0, \"openTrades\": 0}", 422, "account"),
            new("definition id over 100", "analyst1", "PUT", $"/api/definitions/{new string('d', 150)}/draft", DraftWithId(new string('d', 150)), 422, "/id"),
            new("definition name over 200", "analyst1", "PUT", "/api/definitions/long-name/draft", DraftWithId("long-name", name: new string('n', 300)), 422, "/name"),
            new("definition description over 4000", "analyst1", "PUT", "/api/definitions/long-desc/draft", DraftWithId("long-desc", description: Long4001), 422, "/description"),
            // Paging out of range or not numbers.
            new("pageSize 501", "cs1", "GET", "/api/tasks?pageSize=501", null, 400, "pageSize"),
            new("pageSize 0", "system", "GET", "/api/instances?pageSize=0", null, 400, "pageSize"),
            new("page 0", "system", "GET", "/api/instances?page=0", null, 400, "page"),
            new("page -1", "system", "GET", "/api/definitions?page=-1", null, 400, "page"),
            new("page not a number", "cs1", "GET", "/api/tasks?page=abc", null, 400, "page"),
            new("pageSize not a number", "system", "GET", "/api/incidents?pageSize=lots", null, 400, "pageSize"),
            new("page beyond int", "system", "GET", "/api/instances?page=99999999999", null, 400, "page"),
            new("page too far", "system", "GET", "/api/instances?page=2147483647&pageSize=500", null, 400, "page"),
            new("journal pageSize 501", "system", "GET", "/api/instances/{instance}/journal?pageSize=501", null, 400, "pageSize"),
            new("overdue not a boolean", "cs1", "GET", "/api/tasks?overdue=maybe", null, 400, "overdue"),
            new("incident instanceId not a GUID", "system", "GET", "/api/incidents?instanceId=abc", null, 400, "instanceId"),
            new("definition version not a number", "system", "GET", "/api/definitions/sample-approval?version=latest", null, 400, "version"),
            new("unknown sort", "cs1", "GET", "/api/tasks?sort=amount", null, 400, "sort"),
            new("unknown task status", "cs1", "GET", "/api/tasks?status=sleeping", null, 400, "status"),
            new("unknown instance status", "system", "GET", "/api/instances?status=sleeping", null, 400, "status"),
            // A JSON array where an object belongs.
            new("array start", "system", "POST", start, "[{\"input\": {\"amount\": 1}}]", 400, "*"),
            new("array complete", "cs1", "POST", complete, "[\"Approve\"]", 400, "*"),
            new("array event", "system", "POST", "/api/events/go", "[]", 400, "*"),
            new("array draft", "analyst1", "PUT", "/api/definitions/x/draft", "[]", 422, "/"),
            new("array input", "system", "POST", start, "{\"input\": [1, 2]}", 400, "input"),
            new("array token", "system", "POST", "/api/auth/token", "[]", 400, "*"),
            new("array dry run", "system", "POST", "/api/dry-run/resume", "[]", 400, "*"),
            new("scalar body", "system", "POST", start, "42", 400, "*"),
            // Huge nesting.
            new("nesting 200 deep", "system", "POST", start, Nested(200), 400, "*"),
            new("nesting 60 deep", "system", "POST", start, Nested(60), 422, "*"),
            new("draft nesting 200 deep", "analyst1", "PUT", "/api/definitions/x/draft", Nested(200), 400, "*"),
            new("event payload nesting 200 deep", "system", "POST", "/api/events/go", "{\"correlationId\": \"c\", \"payload\": " + Nested(200) + "}", 400, "*"),
            // Not JSON at all.
            new("text/plain body", "system", "POST", start, "{\"input\": {\"amount\": 1}}", 415, "Content-Type", "text/plain"),
            new("form body", "cs1", "POST", complete, "action=Approve", 415, "Content-Type", "application/x-www-form-urlencoded"),
            // Values the engine cannot use.
            new("division by zero", "system", "POST", "/api/expressions/evaluate", "{\"expression\": \"1 / 0\"}", 422, "expression"),
            new("member of null", "system", "POST", "/api/expressions/evaluate", "{\"expression\": \"a.b.c\", \"variables\": {\"a\": null}}", 200, null),
            new("expression nested 5000 deep", "analyst1", "POST", "/api/expressions/check", "{\"expression\": \"" + new string('(', 2000) + "1" + new string(')', 2000) + "\"}", 200, null),
            new("expression over the length limit", "analyst1", "POST", "/api/expressions/check", "{\"expression\": \"" + new string('1', 5000) + "\"}", 422, "expression"),
            new("draft with null activities", "analyst1", "PUT", "/api/definitions/nulls/draft", "{\"id\": \"nulls\", \"name\": \"n\", \"activities\": null}", 422, "*"),
            new("draft with a null activity", "analyst1", "PUT", "/api/definitions/nulls/draft", "{\"id\": \"nulls\", \"name\": \"n\", \"activities\": [null], \"connections\": [null]}", 422, "*"),
            new("draft with null inputs", "analyst1", "PUT", "/api/definitions/nulls/draft", "{\"id\": \"nulls\", \"name\": \"n\", \"activities\": [{\"id\": \"s\", \"type\": \"Start\", \"inputs\": null}]}", 422, "*"),
            new("draft without id", "analyst1", "PUT", "/api/definitions/nulls/draft", "{\"name\": \"n\"}", 422, "*"),
            new("draft with a null id", "analyst1", "PUT", "/api/definitions/nulls/draft", "{\"id\": null, \"name\": null}", 422, "*"),
            new("validate null activities", "analyst1", "POST", "/api/definitions/validate", "{\"id\": \"nulls\", \"name\": \"n\", \"activities\": [null], \"variables\": [null], \"interrupts\": [null]}", 200, null),
            new("dry run with null activities", "system", "POST", "/api/dry-run/start", "{\"definition\": {\"id\": \"nulls\", \"name\": \"n\", \"activities\": [null]}}", 422, "*"),
            new("dry run without input", "system", "POST", "/api/dry-run/start", "{\"definition\": " + TestFlows.Delay("dry-no-input").ToJsonString() + "}", 200, null),
            // Text PostgreSQL cannot store (NUL), refused by the one request guard wherever it comes from.
            new("NUL in a task comment", "cs1", "POST", complete, "{\"action\": \"Approve\", \"comment\": \"a\\u0000b\"}", 400, "comment"),
            new("NUL in a correlation id", "system", "POST", start, "{\"correlationId\": \"x\\u0000\", \"input\": {\"amount\": 1}}", 400, "correlationId"),
            new("NUL in an event correlation id", "system", "POST", "/api/events/go", "{\"correlationId\": \"\\u0000\"}", 400, "correlationId"),
            new("NUL in an input value", "system", "POST", start, "{\"input\": {\"amount\": 1, \"note\": [\"ok\", \"\\u0000\"]}}", 400, "input.note[1]"),
            new("NUL in a cancel reason", "supervisor1", "POST", "/api/instances/{instance}/cancel", "{\"reason\": \"\\u0000\"}", 400, "reason"),
            new("NUL in a WD comment", "cs1", "POST", "/api/wd-requests/{guid}/comments", "{\"text\": \"hi\\u0000\"}", 400, "text"),
            new("NUL in the instances filter", "system", "GET", "/api/instances?correlationId=a%00b", null, 400, "correlationId"),
            new("NUL in the task inbox filter", "cs1", "GET", "/api/tasks?department=%00", null, 400, "department"),
            new("NUL in the WD grid filter", "cs1", "GET", "/api/wd-requests?customerId=C%00", null, 400, "customerId"),
            // (A NUL in the path is refused by ASP.NET Core itself before routing; the guard checks route values anyway.)
            new("NUL in a WD action comment", "cs1", "POST", "/api/wd-requests/{guid}/actions", "{\"action\": \"RequestDocuments\", \"comment\": \"\\u0000\"}", 400, "comment"),
            // Bodies over the route's cap.
            new("task complete body over 256 KB", "cs1", "POST", complete, "{\"action\": \"Approve\", \"comment\": \"" + new string('x', 300 * 1024) + "\"}", 413, "body"),
            new("token body over 4 KB", "system", "POST", "/api/auth/token", "{\"username\": \"" + new string('u', 5000) + "\", \"password\": \"x\"}", 413, "body"),
            new("dry run body over 256 KB", "system", "POST", "/api/dry-run/start", DryRunWith(TestFlows.Delay("dry-huge"), description: new string('d', 300 * 1024)), 413, "body"),
            // Hostile dry runs and evaluations: every cap is named.
            new("dry run of 250 steps", "system", "POST", "/api/dry-run/start", DryRunWith(Chain("dry-steps", 250, _ => ("n", "n + 1")), variables: "[{\"name\": \"n\", \"type\": \"number\", \"default\": 0}]"), 422, "maxSteps"),
            new("dry run growing a huge string", "system", "POST", "/api/dry-run/start", DryRunWith(Chain("dry-string", 12, _ => ("s", "s + s + s + s")), variables: "[{\"name\": \"s\", \"type\": \"string\", \"default\": \"x\"}]"), 422, "maxStringLength"),
            new("dry run filling the state", "system", "POST", "/api/dry-run/start", DryRunWith(Chain("dry-state", 20, i => ($"v{i}", "s")), variables: "[" + string.Join(", ", Enumerable.Range(1, 20).Select(i => $"{{\"name\": \"v{i}\", \"type\": \"string\"}}")) + "]", input: "{\"s\": \"" + new string('s', 60_000) + "\"}", inputs: "[{\"name\": \"s\", \"type\": \"string\"}]"), 422, "maxStateBytes"),
            new("dry run input list over 1000 items", "system", "POST", "/api/dry-run/start", DryRunWith(TestFlows.Delay("dry-list"), input: "{\"xs\": [" + string.Join(",", Enumerable.Range(0, 1001)) + "]}"), 422, "maxCollectionSize"),
            new("dry run definition nested 200 deep", "system", "POST", "/api/dry-run/start", "{\"definition\": " + Nested(200) + "}", 400, "*"),
            new("evaluate with a list over 1000 items", "system", "POST", "/api/expressions/evaluate", "{\"expression\": \"count(xs)\", \"variables\": {\"xs\": [" + string.Join(",", Enumerable.Range(0, 1001)) + "]}}", 422, "maxCollectionSize"),
            new("evaluate producing a huge string", "system", "POST", "/api/expressions/evaluate", "{\"expression\": \"s + s + s\", \"variables\": {\"s\": \"" + new string('s', 30_000) + "\"}}", 422, "maxStringLength"),
        ];
        return cases.Select(c => new TestCaseData(c).SetName($"Bad_input_{c.Name.Replace(' ', '_')}"));
    }

    /// <summary>start → a1 … aN (SetVariables, one assignment each) → end.</summary>
    private static JsonObject Chain(string id, int count, Func<int, (string Name, string Value)> assignment)
    {
        var activities = new JsonArray { new JsonObject { ["id"] = "start", ["type"] = "Start" } };
        var connections = new JsonArray();
        var previous = "start";
        for (var i = 1; i <= count; i++)
        {
            var (name, value) = assignment(i);
            activities.Add(new JsonObject { ["id"] = $"a{i}", ["type"] = "SetVariables", ["inputs"] = new JsonObject { ["assignments"] = new JsonArray(new JsonObject { ["name"] = name, ["value"] = value }) } });
            connections.Add(new JsonObject { ["source"] = previous, ["outcome"] = "Done", ["target"] = $"a{i}" });
            previous = $"a{i}";
        }
        activities.Add(new JsonObject { ["id"] = "end", ["type"] = "End", ["inputs"] = new JsonObject { ["status"] = "Done" } });
        connections.Add(new JsonObject { ["source"] = previous, ["outcome"] = "Done", ["target"] = "end" });
        return new JsonObject { ["id"] = id, ["name"] = id, ["variables"] = new JsonArray(), ["inputs"] = new JsonArray(), ["activities"] = activities, ["connections"] = connections };
    }

    private static string DryRunWith(JsonObject definition, string? variables = null, string? input = null, string? inputs = null, string? description = null)
    {
        if (variables is not null) definition["variables"] = JsonNode.Parse(variables);
        if (inputs is not null) definition["inputs"] = JsonNode.Parse(inputs);
        if (description is not null) definition["description"] = description;
        return "{\"definition\": " + definition.ToJsonString() + (input is null ? "" : ", \"input\": " + input) + "}";
    }

    private static string DryRunGarbageState =>
        "{\"definition\": " + TestFlows.Delay("dry-garbage").ToJsonString() + ", \"state\": {\"id\": 5, \"bookmarks\": \"none\"}, \"resume\": {\"kind\": \"timer\"}}";

    private static string DryRunOtherState =>
        "{\"definition\": " + TestFlows.Delay("dry-one").ToJsonString() + ", \"state\": {\"id\": \"" + Guid.NewGuid() + "\", \"definitionId\": \"dry-two\", \"definitionVersion\": 0, \"status\": \"Running\"}, \"resume\": {\"kind\": \"timer\", \"bookmarkId\": \"" + Guid.NewGuid() + "\"}}";

    private static string DraftWithId(string id, string? name = null, string? description = null)
    {
        var definition = TestFlows.Delay(id);
        if (name is not null) definition["name"] = name;
        if (description is not null) definition["description"] = description;
        return definition.ToJsonString();
    }

    [TestCaseSource(nameof(Cases))]
    public async Task Bad_input(Case c)
    {
        var before = await _factory.SnapshotAsync();
        var instanceBefore = await _clients["system"].GetStringAsync($"/api/instances/{_instance}");
        var url = c.Url.Replace("{task}", _task, StringComparison.Ordinal).Replace("{instance}", _instance, StringComparison.Ordinal)
            .Replace("{guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal);
        using var request = new HttpRequestMessage(new HttpMethod(c.Method), url);
        if (c.Body is not null) request.Content = new StringContent(c.Body, Encoding.UTF8, c.ContentType);
        var response = await _clients[c.Client].SendAsync(request);

        if (c.Status < 400)
        {
            // Odd but acceptable input (e.g. a validation report that lists the problems): answered, not a 500.
            Assert.That((int)response.StatusCode, Is.EqualTo(c.Status), await response.Content.ReadAsStringAsync());
        }
        else
        {
            await ApiAssert.ProblemAsync(response, (HttpStatusCode)c.Status, c.Field is null or "*" ? null : c.Field);
        }
        if (c.Field == "*")
        {
            var problem = JsonNode.Parse(await response.Content.ReadAsStringAsync())!;
            Assert.That(problem["errors"]?.AsObject(), Is.Not.Null.And.Not.Empty, "the errors map should name what is wrong");
        }
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "nothing may be written");
        Assert.That(await _clients["system"].GetStringAsync($"/api/instances/{_instance}"), Is.EqualTo(instanceBefore), "the instance is unchanged");
    }
}
