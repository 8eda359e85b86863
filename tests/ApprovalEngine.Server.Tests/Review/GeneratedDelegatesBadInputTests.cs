using System.Net;
using System.Net.Http.Headers;
using System.Text;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Review;

/// <summary>
/// Review of ADR 0024 (request delegates written at build time): inputs where the generated delegates answer
/// differently from the runtime factory still get an RFC 9457 problem whose <c>errors</c> map names the field.
/// </summary>
[TestFixture]
public sealed class GeneratedDelegatesBadInputTests
{
    private ApiFactory _factory = null!;
    private readonly Dictionary<string, HttpClient> _clients = [];

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _clients["system"] = _factory.AsSystem();
        foreach (var user in new[] { "cs1", "supervisor1", "analyst1" }) _clients[user] = await _factory.AsUserAsync(user);
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        foreach (var client in _clients.Values) client.Dispose();
        await _factory.DisposeAsync();
    }

    /// <summary>
    /// A parsable optional query value sent twice: the generated code parses the values joined ("1,2") and answers a bare
    /// 400; UnboundParameter looked at each value alone, found each parsable and left the 400 without its field.
    /// </summary>
    [TestCase("cs1", "/api/tasks?page=1&page=2", "page", TestName = "A_repeated_page_is_a_400_naming_page")]
    [TestCase("cs1", "/api/tasks?overdue=true&overdue=false", "overdue", TestName = "A_repeated_boolean_is_a_400_naming_it")]
    [TestCase("system", "/api/incidents?instanceId={guid}&instanceId={guid}", "instanceId", TestName = "A_repeated_GUID_is_a_400_naming_it")]
    [TestCase("system", "/api/definitions/sample-approval?version=1&version=1", "version", TestName = "A_repeated_definition_version_is_a_400_naming_it")]
    [TestCase("supervisor1", "/api/wd-requests?minAmount=1.5&minAmount=2", "minAmount", TestName = "A_repeated_decimal_is_a_400_naming_it")]
    [TestCase("supervisor1", "/api/wd-requests?from=2026-01-01&from=2026-01-02", "from", TestName = "A_repeated_date_is_a_400_naming_it")]
    public async Task Repeated_query_value(string client, string url, string field)
    {
        using var response = await _clients[client].GetAsync(url.Replace("{guid}", Guid.NewGuid().ToString(), StringComparison.Ordinal));
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    /// <summary>
    /// A JSON body in a character set .NET does not know: reading it threw InvalidOperationException, a 500 on every
    /// route with a JSON body, bound by the delegates or read by <c>OptionalJsonBody</c>.
    /// </summary>
    [TestCase("system", "/api/events/review-charset", """{"correlationId": "c"}""", TestName = "An_unknown_charset_on_a_bound_body_is_a_415_naming_Content_Type")]
    [TestCase("analyst1", "/api/definitions/sample-approval/publish", """{"note": "n"}""", TestName = "An_unknown_charset_on_an_optional_body_is_a_415_naming_Content_Type")]
    public async Task Unknown_charset(string client, string url, string body)
    {
        var before = await _factory.SnapshotAsync();
        using var content = new StringContent(body, Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/json; charset=no-such-charset");
        using var response = await _clients[client].PostAsync(url, content);
        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnsupportedMediaType, "Content-Type");
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "nothing may be written");
    }
}
