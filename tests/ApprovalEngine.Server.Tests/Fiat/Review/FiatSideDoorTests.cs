using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ApprovalEngine.Server.Tests.Fiat.Review;

/// <summary>
/// The side-door matrix of the fiat feature over HTTP on PostgreSQL: every <c>/api/fiat</c> route (from the endpoint
/// data source, so a new route is covered without a line here) called by each identity class that must not use it,
/// with real route values (a record waiting for submission, the seeded accounts, channels and rules) and bodies that
/// would change something. A refusal is 401 (anonymous) or 403, and the database is unchanged afterwards.
/// </summary>
/// <remarks>
/// The system key is the shipped development key (<c>dev-system-key</c>: start:fiat-withdrawal, events:*, read:*, the
/// sandbox right). What a system may do here is deliberate and listed in <see cref="SystemMayUse"/>: read records and
/// bills under its read scope (ADR 7), hand in applications (the client area) and drive the sandbox bank (sandbox
/// right, Sandbox mode only). Everything else — configuration, its journal and alerts, pending changes, every
/// operator action — is for people.
/// </remarks>
[NonParallelizable]
public sealed class FiatSideDoorTests
{
    private ApiFactory _factory = null!;
    private List<(string Method, RoutePattern Pattern)> _routes = null!;
    private readonly Dictionary<string, string> _values = new(StringComparer.Ordinal);
    private HttpClient _supervisor = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await ApiFactory.PostgresAsync(FiatOps.Settings());
        _factory.CreateClient().Dispose();
        _routes = [.. _factory.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => (e.RoutePattern.RawText ?? "").StartsWith("/api/fiat", StringComparison.Ordinal))
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["GET"]).Select(m => (m, e.RoutePattern)))
            .OrderBy(r => r.RoutePattern.RawText, StringComparer.Ordinal).ThenBy(r => r.m, StringComparer.Ordinal)];
        _supervisor = await _factory.AsUserAsync("supervisor1");
        // The sandbox bank opens its accounts on first use; here, not in the middle of a fingerprinted run.
        (await _supervisor.GetAsync($"/api/fiat/sandbox/bank/accounts/{FiatOps.Hkd}")).Dispose();
        Assert.That((await _supervisor.GetAsync($"/api/fiat/sandbox/bank/accounts/{FiatOps.Hkd}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        // A record waiting for an operator: the operator routes would act on it if they let the caller through.
        var record = await _factory.AsSystem().ApplyAsync("C-sidedoor", 1_000m);
        await _supervisor.WaitForStatusAsync(record.Text("id"), "Pending Submission");
        _values["record"] = record.Text("id");
        _values["recordNo"] = record.Text("recordNo");
        _values["review-rules"] = (await _supervisor.GetArrayAsync("/api/fiat/config/review-rules"))[0]!["id"]!.GetValue<string>();
        _values["withdrawal-rules"] = (await _supervisor.GetArrayAsync("/api/fiat/config/withdrawal-rules"))[0]!["id"]!.GetValue<string>();
        var parameter = await _supervisor.PostAsJsonAsync("/api/fiat/config/withdrawal-parameters", new { clientBank = "Side Door Bank", currency = "HKD", estimatedArrival = "T+1", fee = 1m });
        Assert.That(parameter.StatusCode, Is.EqualTo(HttpStatusCode.Created), await parameter.Content.ReadAsStringAsync());
        _values["withdrawal-parameters"] = (await parameter.Content.ReadFromJsonAsync<JsonObject>())!["id"]!.GetValue<string>();
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _supervisor.Dispose();
        await _factory.DisposeAsync();
    }

    [Test]
    public async Task An_anonymous_caller_gets_401_on_every_fiat_route_and_nothing_is_written() =>
        await AssertRefusedAsync(_factory.CreateClient(), "anonymous", HttpStatusCode.Unauthorized, _ => false);

    [Test]
    public async Task An_analyst_gets_403_on_every_fiat_route_and_nothing_is_written() =>
        await AssertRefusedAsync(await _factory.AsUserAsync("analyst1"), "analyst1", HttpStatusCode.Forbidden, _ => false);

    [TestCase("cs1")]
    [TestCase("dealing1")]
    public async Task Staff_of_another_department_get_403_on_every_fiat_route_and_nothing_is_written(string user) =>
        await AssertRefusedAsync(await _factory.AsUserAsync(user), user, HttpStatusCode.Forbidden, _ => false);

    [Test]
    public async Task A_systems_api_key_gets_403_on_every_fiat_route_but_its_reads_applications_and_sandbox_bank_and_nothing_is_written() =>
        await AssertRefusedAsync(_factory.AsSystem(), "dev-system-key", HttpStatusCode.Forbidden, SystemMayUse);

    [TestCase("maker1")]
    [TestCase("checker1")]
    public async Task Operations_staff_who_do_not_configure_get_403_on_every_configuration_write_and_nothing_is_written(string user) =>
        await AssertRefusedAsync(await _factory.AsUserAsync(user), user, HttpStatusCode.Forbidden, route => !ConfigurationWrite(route));

    [TestCase("maker1")]
    [TestCase("checker1")]
    [TestCase("supervisor1")]
    public async Task Operations_staff_read_every_fiat_list_and_view(string user)
    {
        using var client = await _factory.AsUserAsync(user);
        var refused = new List<string>();
        foreach (var (method, pattern) in _routes.Where(r => r.Method == "GET" && !r.Pattern.RawText!.Contains("/sandbox/", StringComparison.Ordinal)))
        {
            using var response = await client.GetAsync(Url(pattern));
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden or HttpStatusCode.InternalServerError)
            {
                refused.Add($"{method} {pattern.RawText}: {(int)response.StatusCode}");
            }
        }
        Assert.That(refused, Is.Empty, $"{user} is refused a read");
    }

    /// <summary>What the development system key may use on purpose (see the class remarks).</summary>
    private static bool SystemMayUse(string route) => route switch
    {
        "POST /api/fiat/withdrawals/" => true,
        _ when route.StartsWith("GET /api/fiat/withdrawals", StringComparison.Ordinal) => true,
        _ when route.StartsWith("GET /api/fiat/batches", StringComparison.Ordinal) => true,
        _ when route.StartsWith("GET /api/fiat/statements/", StringComparison.Ordinal) => true,
        _ when route.StartsWith("GET /api/fiat/cheques", StringComparison.Ordinal) => true,
        "GET /api/fiat/reconciliation/records" => true,
        _ when route.Contains(" /api/fiat/sandbox/bank/", StringComparison.Ordinal) => true,
        _ => false,
    };

    private static bool ConfigurationWrite(string route) =>
        !route.StartsWith("GET ", StringComparison.Ordinal) && route.Contains(" /api/fiat/config/", StringComparison.Ordinal);

    private async Task AssertRefusedAsync(HttpClient client, string caller, HttpStatusCode refusal, Func<string, bool> mayUse)
    {
        using (client)
        {
            Assert.That(_routes, Has.Count.GreaterThan(60), "the endpoint data source lists the fiat routes");
            var before = await FingerprintAsync();
            var open = new List<string>();
            foreach (var (method, pattern) in _routes)
            {
                var route = $"{method} {pattern.RawText}";
                if (mayUse(route)) continue;
                using var request = new HttpRequestMessage(new HttpMethod(method), Url(pattern));
                if (method != "GET") request.Content = new StringContent((await BodyAsync(method, pattern)).ToJsonString(), Encoding.UTF8, "application/json");
                using var response = await client.SendAsync(request);
                if (response.StatusCode != refusal) open.Add($"{route}: {(int)response.StatusCode} {Truncate(await response.Content.ReadAsStringAsync())}");
            }
            var after = await FingerprintAsync();
            var written = after.Where(t => !before.TryGetValue(t.Key, out var b) || b != t.Value).Select(t => t.Key).Order().ToList();
            Assert.Multiple(() =>
            {
                Assert.That(open, Is.Empty, $"{caller} got past these routes instead of {(int)refusal}");
                Assert.That(written, Is.Empty, $"tables written while {caller} was refused");
            });
        }
    }

    private static string Truncate(string text) => text.Length <= 200 ? text : text[..200];

    /// <summary>The route with real values: the waiting record, the seeded account, channel, currency and rules.</summary>
    private string Url(RoutePattern pattern)
    {
        var raw = pattern.RawText!;
        var segments = pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternParameterPart p => Value(raw, p.Name),
            _ => "",
        })));
        return "/" + string.Join('/', segments);
    }

    private string Value(string route, string parameter) => parameter switch
    {
        "bankAccountId" => "ICBC-001",
        "channelId" => FiatOps.Hkd,
        "code" => "HKD",
        "recordNo" => _values["recordNo"],
        "id" when route.Contains("/withdrawals/", StringComparison.Ordinal) => _values["record"],
        "id" when route.Contains("/bank-accounts/", StringComparison.Ordinal) => "ICBC-001",
        "id" when route.Contains("/channels/", StringComparison.Ordinal) => FiatOps.Hkd,
        "id" => _values.FirstOrDefault(v => route.Contains($"/{v.Key}/", StringComparison.Ordinal)).Value ?? "0190f0a0-0000-7000-8000-000000000000",
        _ => "0190f0a0-0000-7000-8000-000000000000",
    };

    /// <summary>
    /// A body that would pass the route's validation where one can be had: a PUT sends the row as its GET shows it
    /// (with the current rowVersion); an enable/disable/adjust/copy sends the row's rowVersion; every body carries the
    /// waiting record and the fields the operator actions ask for.
    /// </summary>
    private async Task<JsonObject> BodyAsync(string method, RoutePattern pattern)
    {
        var body = new JsonObject();
        var url = Url(pattern);
        var row = method == "PUT" ? url : url.EndsWith("/enable", StringComparison.Ordinal) || url.EndsWith("/disable", StringComparison.Ordinal)
            || url.EndsWith("/adjust", StringComparison.Ordinal) || url.EndsWith("/copy", StringComparison.Ordinal) ? url[..url.LastIndexOf('/')] : null;
        if (row is not null)
        {
            using var read = await _supervisor.GetAsync(row);
            if (read.IsSuccessStatusCode && JsonNode.Parse(await read.Content.ReadAsStringAsync()) is JsonObject current) body = current;
        }
        body["records"] ??= new JsonArray(_values["recordNo"]);
        body["comment"] ??= "side door";
        body["reason"] ??= "side door";
        body["delta"] ??= 1m;
        body["decision"] ??= "Approve";
        body["resolution"] ??= "SetAsSuccessful";
        body["bank"] ??= "ICBC Asia";
        body["account"] ??= "ICBC-001";
        body["channel"] ??= FiatOps.Hkd;
        body["channelId"] ??= FiatOps.Hkd;
        body["directBillingNeedsApproval"] ??= false;
        body["customerId"] ??= "C-sidedoor-2";
        body["currency"] ??= "HKD";
        body["amount"] ??= 10m;
        body["bankAccount"] ??= "CARD-C-sidedoor-2";
        return body;
    }

    /// <summary>A digest of every table's rows (Quartz's own bookkeeping left out: its scheduler writes on its own).</summary>
    private async Task<Dictionary<string, string>> FingerprintAsync()
    {
        await using var connection = new NpgsqlConnection(_factory.ConnectionString);
        await connection.OpenAsync();
        var tables = new List<string>();
        await using (var list = new NpgsqlCommand("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name NOT LIKE 'qrtz%' ORDER BY 1", connection))
        await using (var reader = await list.ExecuteReaderAsync())
        {
            while (await reader.ReadAsync()) tables.Add(reader.GetString(0));
        }
        var digests = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var table in tables)
        {
            await using var digest = new NpgsqlCommand($"SELECT count(*)::text || ':' || coalesce(md5(string_agg(md5(t::text), '' ORDER BY md5(t::text))), '') FROM \"{table}\" t", connection);
            digests[table] = (string)(await digest.ExecuteScalarAsync())!;
        }
        return digests;
    }
}
