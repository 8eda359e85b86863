using System.IdentityModel.Tokens.Jwt;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Security.Claims;
using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.IdentityModel.Tokens;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>Health, activities, identities (tokens, keys, /me), expressions, dry runs and the sandbox ledger.</summary>
[TestFixture]
public sealed class PlatformApiTests
{
    private const string DevSigningKey = "development-only-signing-key-change-me-0123456789abcdef";
    private ApiFactory _factory = null!;
    private HttpClient _system = null!;
    private HttpClient _anonymous = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _system = _factory.AsSystem();
        _anonymous = _factory.CreateClient();
        await _factory.PublishAsync(TestFlows.WaitForPayment());
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _system.Dispose();
        _anonymous.Dispose();
        await _factory.DisposeAsync();
    }

    [Test]
    public async Task Health_is_200_without_credentials()
    {
        var response = await _anonymous.GetAsync("/api/health");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(await response.Content.ReadAsStringAsync(), Is.EqualTo("Healthy"));
    }

    [Test]
    public async Task Activities_list_the_built_ins_and_the_WD_domain_activities_with_their_inputs_and_outcomes()
    {
        var activities = (await _system.GetFromJsonAsync<JsonArray>("/api/activities"))!;
        var byType = activities.ToDictionary(a => a.Text("type"), a => a!.AsObject());
        Assert.That(byType.Keys, Is.SupersetOf(new List<string> { "Start", "End", "UserTask", "Decision", "Switch", "SetVariables", "Delay", "WaitForEvent", "CallWorkflow", "Fork", "Join" }));
        Assert.That(byType.Keys, Is.SupersetOf(new List<string> { "LoadTradingAccount", "ExecuteWdTransactions", "CreateDraftTransactions" }));
        Assert.That(byType["LoadTradingAccount"].Text("category"), Is.EqualTo("Withdrawals"));
        Assert.That(byType["LoadTradingAccount"]["inputs"]!.AsArray().Select(i => i.Text("name")), Does.Contain("account"));
        Assert.That(byType["LoadTradingAccount"]["outputs"]!.AsArray().Select(o => o.Text("name")), Does.Contain("freeMargin"));
        Assert.That(byType["WaitForEvent"]["outcomes"]!.AsArray().Select(o => o!.GetValue<string>()), Is.EquivalentTo(new List<string> { "Received", "TimedOut" }));
        Assert.That(byType["UserTask"]["inputs"]!.AsArray().Single(i => i.Text("name") == "department")!["required"]!.GetValue<bool>(), Is.True);
    }

    [Test]
    public async Task A_token_for_a_development_user_and_me_describe_the_caller()
    {
        var token = await _anonymous.PostObjectAsync("/api/auth/token", new { username = "bo1", password = "bo1" });
        Assert.That(token["expiresIn"]!.GetValue<int>(), Is.GreaterThan(0));
        using var bo = _factory.CreateClient();
        bo.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.Text("accessToken"));
        var me = await bo.GetObjectAsync("/api/auth/me");
        Assert.That(me.Text("username"), Is.EqualTo("bo1"));
        Assert.That(me.Text("role"), Is.EqualTo("Backoffice officer"));
        Assert.That(me["isSystem"]!.GetValue<bool>(), Is.False);
        Assert.That(me["departments"]!.AsArray().Select(d => d!.GetValue<string>()), Is.EquivalentTo(new List<string> { "Backoffice" }));
        Assert.That(me["permissions"]!.AsArray().Select(d => d!.GetValue<string>()), Does.Contain("wd:4"));

        var system = await _system.GetObjectAsync("/api/auth/me");
        Assert.That(system["isSystem"]!.GetValue<bool>(), Is.True);
        Assert.That(system.Text("username"), Is.EqualTo("dev-system"));

        var analyst = await (await _factory.AsUserAsync("analyst1")).GetObjectAsync("/api/auth/me");
        Assert.That(analyst["rights"]!.AsArray().Select(r => r!.GetValue<string>()), Does.Contain("definitions:edit"));
    }

    [Test]
    public async Task A_wrong_password_or_unknown_user_is_401_problem_naming_password()
    {
        await ApiAssert.ProblemAsync(await _anonymous.PostAsJsonAsync("/api/auth/token", new { username = "cs1", password = "wrong" }), HttpStatusCode.Unauthorized, "password");
        await ApiAssert.ProblemAsync(await _anonymous.PostAsJsonAsync("/api/auth/token", new { username = "nobody", password = "nobody" }), HttpStatusCode.Unauthorized, "password");
        await ApiAssert.ProblemAsync(await _anonymous.PostAsJsonAsync("/api/auth/token", new { username = "cs1" }), HttpStatusCode.UnprocessableEntity, "password");
    }

    private static string Jwt(DateTime notBefore, DateTime expires, string signingKey, string issuer = "approval-engine")
    {
        var credentials = new SigningCredentials(new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey)), SecurityAlgorithms.HmacSha256);
        var token = new JwtSecurityToken(issuer, issuer, [new Claim("sub", "supervisor1"), new Claim("right", "instances:cancel"), new Claim("all_departments", "true")], notBefore, expires, credentials);
        return new JwtSecurityTokenHandler().WriteToken(token);
    }

    [TestCase("none")]
    [TestCase("garbage")]
    [TestCase("expired")]
    [TestCase("forged")]
    [TestCase("other-issuer")]
    [TestCase("wrong-api-key")]
    public async Task Missing_expired_forged_or_wrong_credentials_are_401_problem_json(string kind)
    {
        using var client = _factory.CreateClient();
        var now = DateTime.UtcNow;
        switch (kind)
        {
            case "garbage": client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", "not.a.jwt"); break;
            case "expired": client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Jwt(now.AddHours(-2), now.AddHours(-1), DevSigningKey)); break;
            case "forged": client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Jwt(now, now.AddHours(1), "an-attacker-signing-key-of-sufficient-length-0123456789")); break;
            case "other-issuer": client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Jwt(now, now.AddHours(1), DevSigningKey, "someone-else")); break;
            case "wrong-api-key": client.DefaultRequestHeaders.Add("X-Api-Key", "dev-system-key-guess"); break;
        }
        await ApiAssert.ProblemAsync(await client.GetAsync("/api/tasks"), HttpStatusCode.Unauthorized);
        await ApiAssert.ProblemAsync(await client.PostAsJsonAsync("/api/definitions/test-wait-payment/instances", new { input = new { } }), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_valid_hand_made_token_signed_with_the_dev_key_is_accepted_so_the_401s_above_are_about_the_defects()
    {
        using var client = _factory.CreateClient();
        var now = DateTime.UtcNow;
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Jwt(now.AddMinutes(-1), now.AddHours(1), DevSigningKey));
        var me = await client.GetObjectAsync("/api/auth/me");
        Assert.That(me.Text("username"), Is.EqualTo("supervisor1"));
    }

    [Test]
    public async Task A_missing_right_from_the_authorization_middleware_is_403_problem_json()
    {
        var cs = await _factory.AsUserAsync("cs1");
        await ApiAssert.ProblemAsync(await cs.PostAsJsonAsync($"/api/instances/{Guid.NewGuid()}/cancel", new { reason = "x" }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await cs.GetAsync("/api/sandbox/trading-accounts/ACC-1"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Expressions_check_evaluate_and_list_functions()
    {
        // Checking and the function list are the designer's (definitions:edit); evaluating stays with the dry run.
        using var analyst = await _factory.AsUserAsync("analyst1");
        var ok = await analyst.PostObjectAsync("/api/expressions/check", new { expression = "amount > 100 && currency == 'USD'", variables = new { amount = "number", currency = "string" } });
        Assert.That(ok["valid"]!.GetValue<bool>(), Is.True, ok.ToJsonString());
        Assert.That(ok.Text("type"), Is.EqualTo("boolean"));
        var typeError = await analyst.PostObjectAsync("/api/expressions/check", new { expression = "amount + 1", variables = new { amount = "boolean" } });
        Assert.That(typeError["valid"]!.GetValue<bool>(), Is.False);
        var syntax = await analyst.PostObjectAsync("/api/expressions/check", new { expression = "amount >" });
        Assert.That(syntax["valid"]!.GetValue<bool>(), Is.False);
        Assert.That(syntax["errors"]!.AsArray(), Is.Not.Empty);
        Assert.That(syntax["errors"]!.AsArray()[0]!["position"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(0));

        var value = await _system.PostObjectAsync("/api/expressions/evaluate", new { expression = "amount * 2 + 1", variables = new { amount = 20.5 } });
        Assert.That(value["value"]!.GetValue<decimal>(), Is.EqualTo(42m));
        Assert.That(value.Text("type"), Is.EqualTo("number"));
        await ApiAssert.ProblemAsync(await _system.PostAsJsonAsync("/api/expressions/evaluate", new { expression = "amount >" }), HttpStatusCode.UnprocessableEntity, "expression");
        await ApiAssert.ProblemAsync(await _system.PostAsJsonAsync("/api/expressions/evaluate", new { expression = "" }), HttpStatusCode.UnprocessableEntity, "expression");

        var functions = (await analyst.GetFromJsonAsync<JsonArray>("/api/expressions/functions"))!;
        Assert.That(functions, Is.Not.Empty);
        Assert.That(functions.Select(f => f.Text("name")), Does.Contain("addDays"));
    }

    [Test]
    public async Task A_dry_run_starts_and_resumes_with_an_action_without_storing_anything()
    {
        var definition = (await _system.GetObjectAsync("/api/definitions/sample-approval"))["definition"]!.DeepClone();
        var before = await _factory.SnapshotAsync();
        var started = await _system.PostObjectAsync("/api/dry-run/start", new { definition, input = new { amount = 50_000 } });
        var view = started["view"]!;
        Assert.That(view.Text("status"), Is.EqualTo("Running"));
        Assert.That(view.Text("businessStatus"), Is.EqualTo("InReview"));
        var task = view["openTasks"]!.AsArray().Single()!;
        Assert.That(task.Text("activityId"), Is.EqualTo("csReview"));
        Assert.That(task["actions"]!.AsArray().Select(a => a.Text("name")), Does.Contain("Approve"));

        var resumed = await _system.PostObjectAsync("/api/dry-run/resume", new
        {
            definition, state = started["state"]!.DeepClone(),
            resume = new { kind = "action", taskId = task.Text("taskId"), action = "Approve" },
        });
        Assert.That(resumed["view"]!.Text("businessStatus"), Is.EqualTo("ApprovedByCS"));
        Assert.That(resumed["view"]!["openTasks"]!.AsArray().Single()!.Text("activityId"), Is.EqualTo("boReview"));
        Assert.That(resumed["view"]!["traversedConnections"]!.AsArray().Select(c => c.Text("target")), Does.Contain("bigAmount"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "a dry run stores nothing");

        // A required comment is still enforced.
        var missing = await _system.PostAsJsonAsync("/api/dry-run/resume", new
        {
            definition, state = resumed["state"]!.DeepClone(),
            resume = new { kind = "action", taskId = resumed["view"]!["openTasks"]![0]!.Text("taskId"), action = "Reject" },
        });
        await ApiAssert.ProblemAsync(missing, HttpStatusCode.UnprocessableEntity, "comment");
    }

    [Test]
    public async Task A_dry_run_resumes_with_an_event_and_rejects_a_bad_resume_kind()
    {
        var definition = (await _system.GetObjectAsync("/api/definitions/test-wait-payment"))["definition"]!.DeepClone();
        var started = await _system.PostObjectAsync("/api/dry-run/start", new { definition, input = new { } });
        Assert.That(started["view"]!["waits"]!.AsArray().Single()!.Text("eventName"), Is.EqualTo("payment-received"));
        var resumed = await _system.PostObjectAsync("/api/dry-run/resume", new
        {
            definition, state = started["state"]!.DeepClone(),
            resume = new { kind = "event", eventName = "payment-received", payload = new { amount = 7 } },
        });
        Assert.That(resumed["view"]!.Text("status"), Is.EqualTo("Completed"));
        Assert.That(resumed["view"]!.Text("businessStatus"), Is.EqualTo("Paid"));
        Assert.That(resumed["view"]!["variables"]!["payment"]!["amount"]!.GetValue<decimal>(), Is.EqualTo(7m));

        var interrupted = await _system.PostObjectAsync("/api/dry-run/resume", new
        {
            definition, state = started["state"]!.DeepClone(),
            resume = new { kind = "event", eventName = "client-cancelled" },
        });
        Assert.That(interrupted["view"]!.Text("businessStatus"), Is.EqualTo("CancelledByClient"));

        var bad = await _system.PostAsJsonAsync("/api/dry-run/resume", new { definition, state = started["state"]!.DeepClone(), resume = new { kind = "teleport" } });
        await ApiAssert.ProblemAsync(bad, HttpStatusCode.UnprocessableEntity, "resume.kind");
        var noState = await _system.PostAsJsonAsync("/api/dry-run/resume", new { definition, resume = new { kind = "event", eventName = "x" } });
        await ApiAssert.ProblemAsync(noState, HttpStatusCode.UnprocessableEntity, "state");
        var invalid = await _system.PostAsJsonAsync("/api/dry-run/start", new { definition = new { id = "x" } });
        Assert.That((int)invalid.StatusCode, Is.EqualTo(422), await invalid.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task The_sandbox_sets_and_reads_trading_accounts_for_the_system_key_and_supervisor_only()
    {
        var account = $"SB-{Guid.NewGuid():N}"[..16];
        var set = await _system.PutObjectAsync($"/api/sandbox/trading-accounts/{account}", new { customerId = "C-9", currency = "EUR", balance = 1000.25, equity = 1100, margin = 100, freeMargin = 1000, credit = 50, openTrades = 2 });
        Assert.That(set.Text("account"), Is.EqualTo(account));
        var supervisor = await _factory.AsUserAsync("supervisor1");
        var read = await supervisor.GetObjectAsync($"/api/sandbox/trading-accounts/{account}");
        Assert.That(read["balance"]!.GetValue<decimal>(), Is.EqualTo(1000.25m));
        Assert.That(read["openTrades"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(read.Text("currency"), Is.EqualTo("EUR"));
        Assert.That(read["operations"]!.AsArray(), Is.Empty);

        var before = await _factory.SnapshotAsync();
        var invalid = await _system.PutAsJsonAsync($"/api/sandbox/trading-accounts/{account}", new { customerId = "C-9", currency = "eur", balance = 1, equity = 1, margin = -1, freeMargin = 1, credit = 0, openTrades = -3 });
        var problem = await ApiAssert.ProblemAsync(invalid, HttpStatusCode.UnprocessableEntity, "currency");
        Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.SupersetOf(new List<string> { "currency", "margin", "openTrades" }));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        Assert.That((await supervisor.GetObjectAsync($"/api/sandbox/trading-accounts/{account}")).Text("currency"), Is.EqualTo("EUR"));

        var bo = await _factory.AsUserAsync("bo1");
        await ApiAssert.ProblemAsync(await bo.GetAsync($"/api/sandbox/trading-accounts/{account}"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _system.GetAsync("/api/sandbox/trading-accounts/NO-SUCH"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Unknown_api_routes_are_404_problem_json()
    {
        await ApiAssert.ProblemAsync(await _system.GetAsync("/api/no-such-route"), HttpStatusCode.NotFound);
    }
}
