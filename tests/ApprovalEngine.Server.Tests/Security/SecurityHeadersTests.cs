using System.Net;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;

namespace ApprovalEngine.Server.Tests.Security;

/// <summary>Every kind of answer forbids framing (clickjacking of approve buttons), sniffing and cross-site referrers.</summary>
[TestFixture]
public sealed class SecurityHeadersTests
{
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        // The health route answers 503 until Quartz has started (after the host's start, on its own); these cases are
        // about the headers of a healthy answer, so they begin once the server is ready.
        using var client = _factory.CreateClient();
        Assert.That(await Poll.UntilAsync(async () => (await client.GetAsync("/api/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30)),
            Is.True, "the server did not become healthy");
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    [TestCase("/api/health", HttpStatusCode.OK)]
    [TestCase("/openapi/v1.json", HttpStatusCode.OK)]
    [TestCase("/docs", HttpStatusCode.OK)]
    [TestCase("/api/auth/providers", HttpStatusCode.OK)]
    [TestCase("/api/tasks", HttpStatusCode.Unauthorized)]
    [TestCase("/api/no-such-route", HttpStatusCode.NotFound)]
    public async Task The_answer_may_not_be_framed_or_sniffed(string path, HttpStatusCode status)
    {
        using var anonymous = _factory.CreateClient();
        using var response = await anonymous.GetAsync(path);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(response.StatusCode, Is.EqualTo(status));
            Assert.That(string.Join(",", response.Headers.GetValues("X-Frame-Options")), Is.EqualTo("DENY"));
            Assert.That(string.Join(",", response.Headers.GetValues("Content-Security-Policy")), Is.EqualTo("frame-ancestors 'none'"));
            Assert.That(string.Join(",", response.Headers.GetValues("X-Content-Type-Options")), Is.EqualTo("nosniff"));
            Assert.That(string.Join(",", response.Headers.GetValues("Referrer-Policy")), Is.EqualTo("same-origin"));
        }
    }
}
