using System.Net;
using System.Text;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Review;

/// <summary>Review: the routes issue 11 added answer malformed and hostile input with 4xx, never 500.</summary>
[TestFixture]
public sealed class NewRoutesBadInputTests
{
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task SetUp() => _factory = await ApiFactory.PostgresAsync();

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    private static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static readonly string Deep = new string('[', 200) + new string(']', 200);

    [TestCase("""{ "correlationId": "c", "keepForSeconds": 1e30 }""")]
    [TestCase("""{ "correlationId": "c", "keepForSeconds": "forever" }""")]
    [TestCase("""{ "correlationId": "c", "keepForSeconds": 2147483647 }""")]
    [TestCase("""{ "correlationId": "c", "idempotencyKey": 5 }""")]
    [TestCase("""{ "correlationId": ["c"] }""")]
    [TestCase("""{ "correlationId": "c", "payload": 12345678901234567890123456789012345678901234567890 }""")]
    [TestCase("""{ "correlationId": "c", "payload": { "a": 1e400 } }""")]
    [TestCase("""[]""")]
    [TestCase("""null""")]
    public async Task A_bad_event_body_is_answered_4xx(string body)
    {
        using var response = await _factory.AsTestSystem().PostAsync("/api/events/review-bad", Json(body));
        Assert.That((int)response.StatusCode, Is.InRange(200, 499), await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// An escaped lone surrogate is valid JSON but not text: the request guard's NUL scan read it with GetString, which
    /// threw, and every JSON route answered 500 (found on the events route; the guard predates issue 11).
    /// </summary>
    [TestCase("/api/events/review-bad", """{ "correlationId": "c", "payload": { "note": "\ud800" } }""", "payload.note")]
    [TestCase("/api/events/review-bad", """{ "correlationId": "c", "payload": { "\udfff": 1 } }""", "payload")]
    [TestCase("/api/definitions/review-none/instances", """{ "correlationId": "x\ud800" }""", "correlationId")]
    public async Task An_unpaired_surrogate_in_a_body_is_a_400_naming_the_field(string url, string body, string field)
    {
        using var response = await _factory.AsTestSystem().PostAsync(url, Json(body));
        var problem = await response.ReadObjectAsync();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.BadRequest), problem.ToJsonString());
            Assert.That(problem["errors"]?.AsObject().ContainsKey(field), Is.True, problem.ToJsonString());
        }
    }

    [Test]
    public async Task A_deeply_nested_event_payload_is_answered_4xx()
    {
        using var response = await _factory.AsTestSystem().PostAsync("/api/events/review-bad", Json($$"""{ "correlationId": "c", "payload": {{Deep}} }"""));
        Assert.That((int)response.StatusCode, Is.InRange(400, 499), await response.Content.ReadAsStringAsync());
    }

    [TestCase("/api/events?page=0")]
    [TestCase("/api/events?pageSize=100000")]
    [TestCase("/api/events?page=99999999999")]
    [TestCase("/api/events?page=2147483647&pageSize=500")]
    [TestCase("/api/events?status=waiting")]
    [TestCase("/api/instance-migrations/not-an-id")]
    [TestCase("/api/instance-migrations?status=nope")]
    [TestCase("/api/instance-migrations?page=2147483647&pageSize=500")]
    public async Task A_bad_query_is_answered_without_a_500(string url)
    {
        var supervisor = await _factory.AsUserAsync(url.Contains("migrations", StringComparison.Ordinal) ? "analyst1" : "supervisor1");
        using var response = await supervisor.GetAsync(url);
        Assert.That((int)response.StatusCode, Is.InRange(200, 499), await response.Content.ReadAsStringAsync());
    }

    [TestCase("""{ "fromVersion": 1, "toVersion": 2, "mapping": { "start": null } }""")]
    [TestCase("""{ "fromVersion": 1, "toVersion": 2, "mapping": { "": "" } }""")]
    [TestCase("""{ "fromVersion": 1, "toVersion": 2, "mapping": [] }""")]
    [TestCase("""{ "fromVersion": 1, "toVersion": 2, "instanceIds": ["nope"] }""")]
    [TestCase("""{ "fromVersion": 1, "toVersion": 2, "instanceIds": [null] }""")]
    [TestCase("""{ "fromVersion": 2147483648, "toVersion": 2 }""")]
    [TestCase("""{ "fromVersion": -2147483648, "toVersion": 2147483647 }""")]
    [TestCase("""{ "fromVersion": 1 }""")]
    [TestCase("""null""")]
    [TestCase("""7""")]
    public async Task A_bad_migration_body_is_answered_4xx(string body)
    {
        var analyst = await _factory.AsUserAsync("analyst1");
        foreach (var url in new[] { "/api/definitions/wd-request/migrations/preview", "/api/definitions/wd-request/migrations" })
        {
            using var response = await analyst.PostAsync(url, Json(body));
            Assert.That((int)response.StatusCode, Is.InRange(400, 499), $"{url}: {await response.Content.ReadAsStringAsync()}");
        }
    }

    [Test]
    public async Task Approving_or_rejecting_an_unknown_or_malformed_migration_is_4xx()
    {
        var analyst = await _factory.AsUserAsync("analyst2");
        foreach (var url in new[] { $"/api/instance-migrations/{Guid.NewGuid()}/approve", "/api/instance-migrations/xyz/approve", $"/api/instance-migrations/{Guid.NewGuid()}/reject" })
        {
            using var response = await analyst.PostAsync(url, Json("""{ "reason": 5 }"""));
            Assert.That((int)response.StatusCode, Is.InRange(400, 499), $"{url}: {await response.Content.ReadAsStringAsync()}");
        }
    }
}
