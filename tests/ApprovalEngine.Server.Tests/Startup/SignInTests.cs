using System.Net;
using System.Net.Http.Json;
using System.Text;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Startup;

/// <summary>
/// Issue 9 (2): sign-in never answers 500, costs the same for a wrong user as for a wrong password, is rate limited per
/// user and per client address (429 + Retry-After), and locks a user name out for a while after repeated failures.
/// </summary>
public sealed class SignInTests
{
    private const string Password = "s3cret-password";

    private static Dictionary<string, string?> WithUser(Dictionary<string, string?>? more = null)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Identities:Users:0:Username"] = "alice",
            ["Identities:Users:0:PasswordHash"] = new PasswordHasher<UserAccount>().HashPassword(new UserAccount { Username = "alice" }, Password),
        };
        foreach (var (k, v) in more ?? []) settings[k] = v;
        return settings;
    }

    private static Task<HttpResponseMessage> SignInAsync(HttpClient client, string username, string password) =>
        client.PostAsJsonAsync("/api/auth/token", new { username, password });

    /// <summary>Counts every verification, then lets the real hasher answer.</summary>
    private sealed class CountingHasher : IPasswordHasher<UserAccount>
    {
        private readonly PasswordHasher<UserAccount> _inner = new();
        private int _verified;

        public int Verified => Volatile.Read(ref _verified);

        public string HashPassword(UserAccount user, string password) => _inner.HashPassword(user, password);

        public PasswordVerificationResult VerifyHashedPassword(UserAccount user, string hashedPassword, string providedPassword)
        {
            Interlocked.Increment(ref _verified);
            return _inner.VerifyHashedPassword(user, hashedPassword, providedPassword);
        }
    }

    [Test]
    public async Task An_unknown_user_costs_a_password_hash_check_like_a_wrong_password_and_gets_the_same_answer()
    {
        var hasher = new CountingHasher();
        await using var factory = (await ApiFactory.PostgresAsync(WithUser())).WithServices(s => s.AddSingleton<IPasswordHasher<UserAccount>>(hasher));
        var client = factory.CreateClient();

        var unknown = await SignInAsync(client, "mallory", "guess");
        var afterUnknown = hasher.Verified;
        var wrong = await SignInAsync(client, "alice", "guess");
        var afterWrong = hasher.Verified;
        var right = await SignInAsync(client, "alice", Password);
        Assert.Multiple(async () =>
        {
            Assert.That(afterUnknown, Is.EqualTo(1), "an unknown user is verified against a dummy hash");
            Assert.That(afterWrong, Is.EqualTo(2), "a wrong password is verified against the user's hash");
            Assert.That(hasher.Verified, Is.EqualTo(3));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(await WithoutTraceAsync(unknown), Is.EqualTo(await WithoutTraceAsync(wrong)), "the answers do not tell which was wrong");
            Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }

    private static async Task<string> WithoutTraceAsync(HttpResponseMessage response)
    {
        var problem = await response.ReadObjectAsync();
        problem.Remove("traceId");
        return problem.ToJsonString();
    }

    [TestCase("{")]
    [TestCase("[]")]
    [TestCase("null")]
    [TestCase("")]
    [TestCase("{\"username\":5,\"password\":\"x\"}")]
    [TestCase("{\"username\":\"alice\"}")]
    [TestCase("{\"username\":\"alice\",\"password\":{\"a\":1}}")]
    public async Task A_malformed_sign_in_body_is_a_client_error_not_a_500(string body)
    {
        await using var factory = await ApiFactory.PostgresAsync(WithUser());
        var response = await factory.CreateClient().PostAsync("/api/auth/token", new StringContent(body, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        Assert.That((int)response.StatusCode, Is.AnyOf(400, 422), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
    }

    [Test]
    public async Task A_user_with_a_corrupt_password_hash_gets_401_not_500()
    {
        await using var factory = await ApiFactory.PostgresAsync(new() { ["Identities:Users:0:Username"] = "bob", ["Identities:Users:0:PasswordHash"] = "not-base64-!!" });
        var response = await SignInAsync(factory.CreateClient(), "bob", "anything");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Sign_in_is_rate_limited_per_user_with_retry_after()
    {
        await using var factory = await ApiFactory.PostgresAsync(WithUser(new() { ["Auth:SignIn:PermitsPerUser"] = "3", ["Auth:SignIn:MaxFailures"] = "100" }));
        var client = factory.CreateClient();
        for (var i = 0; i < 3; i++) Assert.That((await SignInAsync(client, "alice", "wrong")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        var limited = await SignInAsync(client, "alice", Password);
        var other = await SignInAsync(client, "cs1", "cs1");
        Assert.Multiple(async () =>
        {
            Assert.That(limited.StatusCode, Is.EqualTo((HttpStatusCode)429), "even the right password waits");
            Assert.That(limited.Headers.RetryAfter?.Delta, Is.Not.Null.And.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(limited.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"));
            Assert.That(await limited.Content.ReadAsStringAsync(), Does.Not.Contain("accessToken"));
            Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK), "another user is not limited");
        });
    }

    [Test]
    public async Task Sign_in_is_rate_limited_per_client_address_with_retry_after()
    {
        await using var factory = await ApiFactory.PostgresAsync(WithUser(new() { ["Auth:SignIn:PermitsPerAddress"] = "4" }));
        var client = factory.CreateClient();
        // Different user names each time: only the address ties them together.
        for (var i = 0; i < 4; i++) Assert.That((await SignInAsync(client, $"spray{i}", "x")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        var limited = await SignInAsync(client, "alice", Password);
        Assert.Multiple(async () =>
        {
            Assert.That(limited.StatusCode, Is.EqualTo((HttpStatusCode)429), await limited.Content.ReadAsStringAsync());
            Assert.That(limited.Headers.RetryAfter?.Delta, Is.Not.Null.And.GreaterThanOrEqualTo(TimeSpan.FromSeconds(1)));
            Assert.That(await limited.Content.ReadAsStringAsync(), Does.Contain("address"));
        });
    }

    [Test]
    public async Task Five_failures_lock_the_user_out_for_five_minutes_by_the_clock()
    {
        var clock = new TestClock();
        await using var factory = (await ApiFactory.PostgresAsync(WithUser())).WithServices(s => s.AddSingleton<TimeProvider>(clock));
        var client = factory.CreateClient();
        for (var i = 0; i < 5; i++) Assert.That((await SignInAsync(client, "alice", "wrong")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));

        var locked = await SignInAsync(client, "alice", Password);
        Assert.That(locked.StatusCode, Is.EqualTo((HttpStatusCode)429), "locked: even the right password is refused");
        Assert.That(locked.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromMinutes(5)));
        Assert.That((await SignInAsync(client, "cs1", "cs1")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "other users are not locked");

        clock.Advance(TimeSpan.FromMinutes(4));
        var stillLocked = await SignInAsync(client, "alice", Password);
        Assert.That(stillLocked.StatusCode, Is.EqualTo((HttpStatusCode)429));
        Assert.That(stillLocked.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromMinutes(1)));

        clock.Advance(TimeSpan.FromMinutes(1) + TimeSpan.FromSeconds(1));
        Assert.That((await SignInAsync(client, "alice", Password)).StatusCode, Is.EqualTo(HttpStatusCode.OK), "unlocked after five minutes");
    }

    [Test]
    public async Task An_unknown_user_name_is_locked_out_the_same_way_so_lockout_reveals_nothing()
    {
        await using var factory = await ApiFactory.PostgresAsync(WithUser());
        var client = factory.CreateClient();
        for (var i = 0; i < 5; i++) await SignInAsync(client, "ghost", "x");
        var known = new List<HttpStatusCode>();
        for (var i = 0; i < 5; i++) known.Add((await SignInAsync(client, "alice", "x")).StatusCode);
        var ghost = await SignInAsync(client, "ghost", "x");
        var alice = await SignInAsync(client, "alice", "x");
        Assert.Multiple(() =>
        {
            Assert.That(known, Is.All.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(ghost.StatusCode, Is.EqualTo((HttpStatusCode)429));
            Assert.That(alice.StatusCode, Is.EqualTo((HttpStatusCode)429));
        });
    }
}
