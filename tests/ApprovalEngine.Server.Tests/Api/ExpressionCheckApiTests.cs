using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// The designer's inline check (<c>POST /api/expressions/check</c>) against the shipped flows on PostgreSQL: it checks
/// an expression with the scope and expected type Validate uses at that place, reports positions in one convention
/// (1-based line/column, 0-based offset/length) and reports exactly what Validate reports for the same expression.
/// </summary>
[TestFixture]
public sealed class ExpressionCheckApiTests
{
    // Places in the shipped flows (read over HTTP below): a guard of a user-task action and a decision's condition.
    private const string WdGuard = "/activities/5/inputs/actions/0/guard";
    private const string SampleCondition = "/activities/2/inputs/condition";

    private ApiFactory _factory = null!;
    private HttpClient _analyst = null!;
    private JsonObject _wd = null!;
    private JsonObject _sample = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _analyst = await _factory.AsUserAsync("analyst1");
        _wd = (await _analyst.GetObjectAsync("/api/definitions/wd-request"))["definition"]!.AsObject();
        _sample = (await _analyst.GetObjectAsync("/api/definitions/sample-approval"))["definition"]!.AsObject();
        // The places the tests use are what they claim to be, so a change to the shipped flows fails here, not later.
        Assert.That(At(_wd, WdGuard)?.GetValue<string>(), Is.Not.Null.And.Not.Empty, "wd-request has a guard at " + WdGuard);
        Assert.That(At(_sample, "/activities/2/type")?.GetValue<string>(), Is.EqualTo("Decision"));
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _analyst.Dispose();
        await _factory.DisposeAsync();
    }

    private Task<JsonObject> CheckAsync(JsonObject definition, string path, string expression) =>
        _analyst.PostObjectAsync("/api/expressions/check", new { expression, definition, path });

    [Test]
    public async Task A_start_input_is_known_in_a_guard_and_the_scope_says_where_each_name_comes_from()
    {
        // requestedAmount and customerId are start inputs of wd-request, not variables: the old inline check flagged them.
        Assert.That(_wd["variables"]!.AsArray().Select(v => v.Text("name")), Does.Not.Contain("requestedAmount").And.Not.Contain("customerId"));
        var result = await CheckAsync(_wd, WdGuard, "requestedAmount > 0 && customerId != ''");
        Assert.That(result["valid"]!.GetValue<bool>(), Is.True, result.ToJsonString());
        Assert.That(result["diagnostics"]!.AsArray(), Is.Empty);
        Assert.That(result.Text("type"), Is.EqualTo("boolean"));
        Assert.That(result.Text("expected"), Is.EqualTo("boolean"));

        var scope = result["scope"]!.AsArray().ToDictionary(e => e.Text("name"), e => e!.AsObject());
        Assert.That(scope["requestedAmount"].Text("kind"), Is.EqualTo("input"));
        Assert.That(scope["requestedAmount"].Text("type"), Is.EqualTo("number"));
        Assert.That(scope["fee"].Text("kind"), Is.EqualTo("variable"));
        // freeMargin is written by the account-loading activity: an activity output.
        Assert.That(scope["freeMargin"].Text("kind"), Is.EqualTo("output"));
        Assert.That(scope["freeMargin"].Text("detail"), Does.StartWith("written by "));
        // A guard also sees the task action's names; a decision does not.
        Assert.That(scope["action"].Text("kind"), Is.EqualTo("context"));
        var condition = await CheckAsync(_sample, SampleCondition, "amount > limit");
        Assert.That(condition["scope"]!.AsArray().Select(e => e.Text("name")), Does.Contain("amount").And.Not.Contain("action"));
    }

    [Test]
    public async Task An_unknown_variable_is_reported_once_at_its_1_based_column_with_its_offset_and_length()
    {
        var result = await CheckAsync(_wd, WdGuard, "requestedAmount > frobnicator");
        Assert.That(result["valid"]!.GetValue<bool>(), Is.False);
        var diagnostic = result["diagnostics"]!.AsArray().Single()!;
        Assert.That(diagnostic.Text("message"), Is.EqualTo("Unknown variable 'frobnicator'"));
        var at = diagnostic["at"]!;
        Assert.That((at["line"]!.GetValue<int>(), at["column"]!.GetValue<int>(), at["offset"]!.GetValue<int>(), at["length"]!.GetValue<int>()), Is.EqualTo((1, 19, 18, 11)));

        var below = await CheckAsync(_wd, WdGuard, "requestedAmount > 0 &&\n  >");
        var second = below["diagnostics"]!.AsArray().Single()!;
        Assert.That(second.Text("message"), Is.EqualTo("Unexpected '>'"), "the message does not repeat the place");
        Assert.That((second["at"]!["line"]!.GetValue<int>(), second["at"]!["column"]!.GetValue<int>(), second["at"]!["offset"]!.GetValue<int>()), Is.EqualTo((2, 3, 25)));
    }

    /// <summary>For each expression, put at a place of a shipped flow: Validate's errors at that pointer are the check's diagnostics, message and position.</summary>
    [TestCase("wd", WdGuard, "requestedAmount > 0", 0)]
    [TestCase("wd", WdGuard, "hasOpenTrades == true && customerId != ''", 0)]
    [TestCase("wd", WdGuard, "requestedAmount >", 1)]
    [TestCase("wd", WdGuard, "requestedAmount > frobnicator && nam == 'x'", 2)]
    [TestCase("wd", WdGuard, "requestedAmount + 1", 1)]
    [TestCase("wd", WdGuard, "'a' * 2 > 0", 1)]
    [TestCase("wd", WdGuard, "action == 'Approve' && len(comment) > 0", 0)]
    [TestCase("wd", WdGuard, "(requestedAmount > 0", 1)]
    [TestCase("wd", WdGuard, "frobnicate(requestedAmount)", 1)]
    [TestCase("wd", WdGuard, "requestedAmount > 0 &&\r\n  ghost", 1)]
    [TestCase("sample", SampleCondition, "amount > limit", 0)]
    [TestCase("sample", SampleCondition, "amount = limit", 1)]
    [TestCase("sample", SampleCondition, "amount", 1)]
    [TestCase("sample", SampleCondition, "currency == 5", 1)]
    [TestCase("sample", SampleCondition, "action == 'x'", 1)]
    public async Task Check_and_Validate_report_the_same_diagnostics(string flow, string path, string expression, int count)
    {
        var definition = (flow == "wd" ? _wd : _sample).DeepClone().AsObject();
        var checkedAlone = await CheckAsync(definition, path, expression);
        var fromCheck = checkedAlone["diagnostics"]!.AsArray().Select(d => (d.Text("message"), d!["at"]!.ToJsonString())).ToList();

        Place(definition, path, expression);
        var report = await _analyst.PostObjectAsync("/api/definitions/validate", definition);
        var errors = report["errors"]!.AsArray();
        Assert.That(errors.Where(e => e.Text("path") != path), Is.Empty, "the shipped flow has no other problem: " + report.ToJsonString());
        var fromValidate = errors.Select(e => (e.Text("message"), e!["at"]!.ToJsonString())).ToList();

        Assert.That(fromCheck, Has.Count.EqualTo(count), checkedAlone.ToJsonString());
        Assert.That(fromValidate, Is.EqualTo(fromCheck), report.ToJsonString());
        Assert.That(checkedAlone["valid"]!.GetValue<bool>(), Is.EqualTo(count == 0));
        Assert.That(report["valid"]!.GetValue<bool>(), Is.EqualTo(count == 0));
    }

    [Test]
    public async Task The_function_list_is_the_languages_own_table()
    {
        var functions = (await _analyst.GetFromJsonAsync<JsonArray>("/api/expressions/functions"))!;
        Assert.That(functions.Select(f => f.Text("name")), Is.EqualTo(ExpressionFunctions.All.Select(f => f.Name)));
        var addDays = functions.Single(f => f.Text("name") == "addDays")!;
        Assert.That(addDays.Text("signature"), Does.StartWith("addDays("));
        Assert.That(addDays.Text("description"), Is.Not.Empty);
    }

    [Test]
    public async Task Bad_input_is_a_problem_naming_the_field()
    {
        var check = "/api/expressions/check";
        await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync(check, new { definition = _wd, path = WdGuard }), HttpStatusCode.UnprocessableEntity, "expression");
        await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync(check, new { expression = new string('1', ExpressionLimits.MaxSourceLength + 1), definition = _wd, path = WdGuard }), HttpStatusCode.UnprocessableEntity, "expression");
        await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync(check, new { expression = "a", definition = _wd }), HttpStatusCode.UnprocessableEntity, "path");
        await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync(check, new { expression = "a", definition = _wd, path = "/activities/99/inputs/condition" }), HttpStatusCode.UnprocessableEntity, "path");
        // a place that exists but holds no expression: the definition's name
        await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync(check, new { expression = "a", definition = _wd, path = "/name" }), HttpStatusCode.UnprocessableEntity, "path");
        await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync(check, new { expression = "a", definition = new { id = "x" }, path = "/activities/0/inputs/condition" }), HttpStatusCode.UnprocessableEntity, "path");
        await ApiAssert.ProblemAsync(await _analyst.PostAsJsonAsync(check, new { expression = "a", definition = new { id = 5, activities = new object[] { new { id = "d", type = "Decision", inputs = new { } } } }, path = "/activities/0/inputs/condition" }), HttpStatusCode.UnprocessableEntity, "definition");
        await ApiAssert.ProblemAsync(await _analyst.PostRawAsync(check, "{\"expression\": 5}"), HttpStatusCode.BadRequest, "expression");
        // A blank field has nothing to report (whether it may be blank is the field's own rule), but gets the scope.
        var blank = await CheckAsync(_wd, WdGuard, "");
        Assert.That(blank["valid"]!.GetValue<bool>(), Is.True);
        Assert.That(blank["scope"]!.AsArray().Select(e => e.Text("name")), Does.Contain("requestedAmount"));
    }

    [TestCase("cs1", HttpStatusCode.Forbidden)]
    [TestCase("supervisor1", HttpStatusCode.Forbidden)]
    [TestCase("checker1", HttpStatusCode.Forbidden)]
    [TestCase("api-key", HttpStatusCode.Forbidden)]
    [TestCase("anonymous", HttpStatusCode.Unauthorized)]
    public async Task Only_those_who_edit_definitions_check_validate_or_list_functions(string who, HttpStatusCode status)
    {
        using var client = who switch
        {
            "api-key" => _factory.AsSystem(),
            "anonymous" => _factory.CreateClient(),
            _ => await _factory.AsUserAsync(who),
        };
        await ApiAssert.ProblemAsync(await client.PostAsJsonAsync("/api/expressions/check", new { expression = "requestedAmount > 0", definition = _wd, path = WdGuard }), status);
        await ApiAssert.ProblemAsync(await client.PostAsJsonAsync("/api/expressions/check", new { expression = "a > 0", variables = new { a = "number" } }), status);
        await ApiAssert.ProblemAsync(await client.GetAsync("/api/expressions/functions"), status);
        // Validate reports the same diagnostics, so it is no side door.
        await ApiAssert.ProblemAsync(await client.PostAsJsonAsync("/api/definitions/validate", _wd), status);
        // analyst2 may (both analysts hold definitions:edit)
        using var analyst2 = await _factory.AsUserAsync("analyst2");
        Assert.That((await analyst2.PostAsJsonAsync("/api/expressions/check", new { expression = "a", definition = _wd, path = WdGuard })).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    private static JsonNode? At(JsonNode? node, string pointer)
    {
        foreach (var segment in pointer[1..].Split('/'))
            node = node is JsonArray a ? a[int.Parse(segment)] : node?[segment];
        return node;
    }

    private static void Place(JsonObject definition, string pointer, string value)
    {
        var cut = pointer.LastIndexOf('/');
        var parent = At(definition, pointer[..cut])!;
        parent[pointer[(cut + 1)..]] = value;
    }
}
