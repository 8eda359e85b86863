using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.AspNetCore.Routing.Patterns;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Security;

/// <summary>
/// Every route the server maps, called by every development identity, a scope-less API key and an anonymous caller,
/// is allowed or denied exactly as <c>Security/route-permissions.md</c> says. The routes come from the endpoint data
/// source, so a new route without a row fails <see cref="Every_route_has_a_row_and_every_row_a_route"/>; a new
/// development identity without a column fails its own case.
/// </summary>
/// <remarks>
/// A call uses placeholder route values (an unknown GUID for every parameter) and the body <c>{}</c>: it shows whether
/// the caller gets past authentication, authorization and the route's own caller checks (401/403 = deny; anything else
/// = allow), never a 500. The designer's static pages (ExcludeFromDescription: /, /designer, /inbox) are left out: they
/// are anonymous HTML whose set of routes depends on whether designer/dist is built. The calls run on a database of
/// their own, so nothing they might write reaches other tests. Refresh the table after a deliberate change with
/// <c>UPDATE_PERMISSION_TABLE=1</c> and review its diff.
/// </remarks>
[TestFixture]
public sealed class RoutePermissionTableTests
{
    public const string ScopelessKey = "api-key";
    public const string Anonymous = "anonymous";
    private const string ScopelessKeyValue = "permission-table-scopeless-key";
    private const string Refresh = "run the tests with UPDATE_PERMISSION_TABLE=1 to rewrite Security/route-permissions.md, then review its diff";

    /// <summary>The callers, one column each: the development users (a new one needs only its column), then the extras.</summary>
    public static IEnumerable<string> Callers() =>
        [.. DevelopmentIdentities.Users.Select(u => u.Username), ScopelessKey, Anonymous];

    private ApiFactory _factory = null!;
    private List<Route> _routes = null!;
    private readonly Dictionary<string, string> _tokens = new(StringComparer.Ordinal);

    private sealed record Route(string Method, string Pattern, RoutePattern Parsed)
    {
        public string Key => $"{Method} {Pattern}";
    }

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync(new Dictionary<string, string?>
        {
            ["Identities:ApiKeys:0:Name"] = "scopeless",
            ["Identities:ApiKeys:0:Key"] = ScopelessKeyValue,
        });
        _factory.CreateClient().Dispose();
        var source = _factory.Services.GetRequiredService<EndpointDataSource>();
        _routes = [.. source.Endpoints.OfType<RouteEndpoint>()
            .Where(e => e.Metadata.GetMetadata<IExcludeFromDescriptionMetadata>() is not { ExcludeFromDescription: true })
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? ["*"])
                .Select(m => new Route(m, e.RoutePattern.RawText ?? "", e.RoutePattern)))
            .DistinctBy(r => r.Key)
            .OrderBy(r => r.Pattern, StringComparer.Ordinal).ThenBy(r => r.Method, StringComparer.Ordinal)];
        foreach (var user in DevelopmentIdentities.Users)
        {
            using var client = _factory.CreateClient();
            var response = await client.PostAsJsonAsync("/api/auth/token", new { username = user.Username, password = user.Username });
            response.EnsureSuccessStatusCode();
            _tokens[user.Username] = (await response.Content.ReadFromJsonAsync<JsonObject>())!["accessToken"]!.GetValue<string>();
        }
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    [TestCaseSource(nameof(Callers))]
    public async Task Caller_is_allowed_or_denied_as_the_table_says(string caller)
    {
        var table = PermissionTable.Load(SourcePath());
        Assert.That(table.Callers, Does.Contain(caller), $"route-permissions.md has no column for {caller}; {Refresh}.");
        var column = table.Callers.IndexOf(caller);
        var wrong = new List<string>();
        foreach (var route in _routes)
        {
            if (!table.Rows.TryGetValue(route.Key, out var row)) continue; // reported by the coverage test
            var (allowed, status) = await CallAsync(route, caller);
            Assert.That(status, Is.Not.EqualTo(HttpStatusCode.InternalServerError), $"{route.Key} as {caller} answered 500.");
            var expected = row[column];
            if (allowed != expected) wrong.Add($"{route.Key}: table says {Word(expected)}, the server answered {(int)status} ({Word(allowed)})");
        }
        Assert.That(wrong, Is.Empty, $"{caller}: {wrong.Count} route(s) differ from route-permissions.md; fix the server or, if the change is deliberate, {Refresh}.");
    }

    [Test]
    public async Task Every_route_has_a_row_and_every_row_a_route()
    {
        if (Environment.GetEnvironmentVariable("UPDATE_PERMISSION_TABLE") == "1") await RewriteTableAsync();
        var table = PermissionTable.Load(SourcePath());
        var mapped = _routes.Select(r => r.Key).ToHashSet(StringComparer.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(mapped.Except(table.Rows.Keys).Order(), Is.Empty, $"Routes without a row in route-permissions.md; {Refresh}.");
            Assert.That(table.Rows.Keys.Except(mapped).Order(), Is.Empty, "Rows in route-permissions.md for routes the server does not map.");
            Assert.That(table.Callers, Is.EquivalentTo(Callers()), "The table's columns must be exactly the development identities, the API key and the anonymous caller.");
            Assert.That(_routes, Has.Count.GreaterThan(40), "The endpoint data source lists the routes.");
        });
    }

    private async Task<(bool Allowed, HttpStatusCode Status)> CallAsync(Route route, string caller)
    {
        using var client = _factory.CreateClient(new() { AllowAutoRedirect = false });
        if (caller == ScopelessKey) client.DefaultRequestHeaders.Add(ApiKeyAuthenticationHandler.HeaderName, ScopelessKeyValue);
        else if (caller != Anonymous) client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _tokens[caller]);
        var method = route.Method == "*" ? HttpMethods.Get : route.Method;
        using var request = new HttpRequestMessage(new HttpMethod(method), Url(route.Parsed));
        if (method is not ("GET" or "HEAD" or "DELETE")) request.Content = new StringContent("{}", Encoding.UTF8, "application/json");
        using var response = await client.SendAsync(request);
        var status = response.StatusCode;
        return (status is not (HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden), status);
    }

    /// <summary>The route with every parameter replaced by a value that names nothing stored.</summary>
    private static string Url(RoutePattern pattern)
    {
        var segments = pattern.PathSegments.Select(s => string.Concat(s.Parts.Select(part => part switch
        {
            RoutePatternLiteralPart literal => literal.Content,
            RoutePatternSeparatorPart separator => separator.Content,
            // A value the parameter's constraints accept, or the call would fall through to the catch-all route
            // and the table would describe that instead (e.g. {version:int}).
            RoutePatternParameterPart p when pattern.ParameterPolicies.TryGetValue(p.Name, out var policies)
                && policies.Any(x => x.Content is "int" or "long") => "987654",
            RoutePatternParameterPart => "0190f0a0-0000-7000-8000-000000000000",
            _ => "",
        })));
        return "/" + string.Join('/', segments);
    }

    private static string Word(bool allowed) => allowed ? "allow" : "deny";

    private async Task RewriteTableAsync()
    {
        var callers = Callers().ToList();
        var rows = new List<(string, bool[])>();
        foreach (var route in _routes)
        {
            var cells = new bool[callers.Count];
            for (var i = 0; i < callers.Count; i++) cells[i] = (await CallAsync(route, callers[i])).Allowed;
            rows.Add((route.Key, cells));
        }
        var old = File.Exists(SourcePath()) ? File.ReadAllText(SourcePath()) : "";
        var header = old.Contains(PermissionTable.TableStart, StringComparison.Ordinal) ? old[..old.IndexOf(PermissionTable.TableStart, StringComparison.Ordinal)] : "";
        File.WriteAllText(SourcePath(), header + PermissionTable.Render(callers, rows));
    }

    private static string SourcePath([CallerFilePath] string here = "") => Path.Combine(Path.GetDirectoryName(here)!, "route-permissions.md");
}

/// <summary>The checked-in table: a markdown table, one row per route (<c>METHOD /pattern</c>), one column per caller.</summary>
public sealed class PermissionTable
{
    public const string TableStart = "| route |";

    public required List<string> Callers { get; init; }
    public required Dictionary<string, bool[]> Rows { get; init; }

    public static PermissionTable Load(string path)
    {
        var lines = File.ReadAllLines(path).Where(l => l.StartsWith('|')).ToList();
        if (lines.Count < 2 || !lines[0].StartsWith(TableStart, StringComparison.Ordinal)) throw new FormatException($"{path} has no table starting with '{TableStart}'.");
        static string[] Cells(string line) => [.. line.Trim().Trim('|').Split('|').Select(c => c.Trim().Trim('`'))];
        var callers = Cells(lines[0]).Skip(1).ToList();
        var rows = new Dictionary<string, bool[]>(StringComparer.Ordinal);
        foreach (var line in lines.Skip(2))
        {
            var cells = Cells(line);
            if (cells.Length != callers.Count + 1) throw new FormatException($"{path}: '{line}' has {cells.Length - 1} cells for {callers.Count} callers.");
            var values = cells.Skip(1).Select(c => c switch
            {
                "allow" => true,
                "deny" => false,
                _ => throw new FormatException($"{path}: '{c}' in the row of {cells[0]} is neither allow nor deny."),
            }).ToArray();
            if (!rows.TryAdd(cells[0], values)) throw new FormatException($"{path}: {cells[0]} has two rows.");
        }
        return new PermissionTable { Callers = callers, Rows = rows };
    }

    public static string Render(IReadOnlyList<string> callers, IEnumerable<(string Route, bool[] Cells)> rows)
    {
        var text = new StringBuilder();
        text.AppendLine($"{TableStart} {string.Join(" | ", callers)} |");
        text.AppendLine($"| --- |{string.Concat(callers.Select(_ => " --- |"))}");
        foreach (var (route, cells) in rows)
        {
            text.AppendLine($"| `{route}` | {string.Join(" | ", cells.Select(c => c ? "allow" : "deny"))} |");
        }
        return text.ToString();
    }
}
