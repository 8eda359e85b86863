// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApprovalEngine.Server.Tests.SignIn;

/// <summary>
/// An OpenID Connect provider in the test process, as far as a resource server sees one: a real Kestrel listener serving
/// <c>/.well-known/openid-configuration</c> and the JWKS with RSA keys generated here, and tokens signed with them. The
/// server under test fetches both over HTTP like it would from Keycloak or Entra ID. <see cref="Rotate"/> replaces the
/// published key (key rollover); <see cref="DiscoveryRequests"/> counts how often the server asked.
/// </summary>
public sealed class TestTokenIssuer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private volatile RsaSecurityKey[] _published;
    private int _discoveryRequests;

    private TestTokenIssuer(WebApplication app, RsaSecurityKey key)
    {
        _app = app;
        Current = key;
        _published = [key];
    }

    public string Authority { get; private set; } = "";

    /// <summary>The key new tokens are signed with.</summary>
    public RsaSecurityKey Current { get; private set; }

    public int DiscoveryRequests => Volatile.Read(ref _discoveryRequests);

    public static RsaSecurityKey NewKey(string? kid = null) => new(RSA.Create(2048)) { KeyId = kid ?? Guid.NewGuid().ToString("N")[..12] };

    public static async Task<TestTokenIssuer> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var issuer = new TestTokenIssuer(app, NewKey());
        app.MapGet("/.well-known/openid-configuration", () =>
        {
            Interlocked.Increment(ref issuer._discoveryRequests);
            return Results.Json(new Dictionary<string, object>
            {
                ["issuer"] = issuer.Authority,
                ["jwks_uri"] = issuer.Authority + "/jwks",
                ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
                ["response_types_supported"] = new[] { "code" },
                ["subject_types_supported"] = new[] { "public" },
            });
        });
        app.MapGet("/jwks", () => Results.Json(new
        {
            keys = issuer._published.Select(k =>
            {
                var p = k.Rsa.ExportParameters(false);
                return new Dictionary<string, string>
                {
                    ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = k.KeyId,
                    ["n"] = Base64UrlEncoder.Encode(p.Modulus!), ["e"] = Base64UrlEncoder.Encode(p.Exponent!),
                };
            }).ToArray(),
        }));
        await app.StartAsync();
        issuer.Authority = app.Urls.First().TrimEnd('/');
        return issuer;
    }

    /// <summary>Key rollover: a new signing key; only it is published from now on (the old one is withdrawn).</summary>
    public void Rotate()
    {
        Current = NewKey();
        _published = [Current];
    }

    /// <summary>An access token as the provider would issue it; every part can be spoiled for the negative cases.</summary>
    public string Issue(string username, IEnumerable<string>? groups = null, string audience = OidcFixture.Audience, string? issuer = null,
        TimeSpan? lifetime = null, SigningCredentials? signing = null, bool unsigned = false, IDictionary<string, object>? extra = null, string? displayName = null)
    {
        var claims = new Dictionary<string, object>
        {
            ["sub"] = Guid.NewGuid().ToString(),
            ["preferred_username"] = username,
            ["groups"] = (groups ?? []).ToArray(),
        };
        if (displayName is not null) claims["name"] = displayName;
        foreach (var (k, v) in extra ?? new Dictionary<string, object>()) claims[k] = v;
        // Expired tokens are issued an hour back, so that the lifetime (not the clock skew) is what fails.
        var start = lifetime is { } l && l < TimeSpan.Zero ? DateTime.UtcNow.AddHours(-1) : DateTime.UtcNow;
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Authority,
            Audience = audience,
            Claims = claims,
            IssuedAt = start,
            NotBefore = start,
            Expires = lifetime is { } life && life < TimeSpan.Zero ? start.AddMinutes(5) : start + (lifetime ?? TimeSpan.FromMinutes(10)),
            SigningCredentials = unsigned ? null : signing ?? new SigningCredentials(Current, SecurityAlgorithms.RsaSha256),
        };
        return new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false }.CreateToken(descriptor);
    }

    /// <summary>The same token with <c>alg: none</c> and no signature, the classic forgery.</summary>
    public string Unsigned(string username, IEnumerable<string>? groups = null)
    {
        var signed = Issue(username, groups);
        var payload = signed.Split('.')[1];
        var header = Base64UrlEncoder.Encode(Encoding.UTF8.GetBytes("{\"alg\":\"none\",\"typ\":\"JWT\"}"));
        return $"{header}.{payload}.";
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}

/// <summary>Settings that point the server under test at a <see cref="TestTokenIssuer"/>, with the group mapping the tests rely on.</summary>
public static class OidcFixture
{
    public const string Audience = "approval-engine-api";

    /// <summary>The designer's public client (authorization code + PKCE, no secret).</summary>
    public const string ClientId = "approval-engine-designer";

    public static Dictionary<string, string?> Settings(TestTokenIssuer issuer)
    {
        ArgumentNullException.ThrowIfNull(issuer);
        var s = new Dictionary<string, string?>
        {
            ["Auth:Oidc:Authority"] = issuer.Authority,
            ["Auth:Oidc:Audience"] = Audience,
            ["Auth:Oidc:RequireHttpsMetadata"] = "false",
            ["Auth:Oidc:GroupsClaim"] = "groups",
            ["Auth:Oidc:DepartmentsClaim"] = "departments",
            ["Auth:Oidc:RefreshIntervalSeconds"] = "1",
            ["Auth:Oidc:ClientId"] = ClientId,
            ["Auth:Oidc:Scopes"] = "profile openid groups",
            ["Auth:Oidc:DisplayName"] = "Broker SSO",
        };
        void Group(int i, string group, string? role, string[] departments, int[] wd, string[] rights)
        {
            s[$"Auth:Oidc:Groups:{i}:Group"] = group;
            s[$"Auth:Oidc:Groups:{i}:Role"] = role;
            foreach (var (d, j) in departments.Select((d, j) => (d, j))) s[$"Auth:Oidc:Groups:{i}:Departments:{j}"] = d;
            foreach (var (n, j) in wd.Select((n, j) => (n, j))) s[$"Auth:Oidc:Groups:{i}:WdPermissions:{j}"] = n.ToString(System.Globalization.CultureInfo.InvariantCulture);
            foreach (var (r, j) in rights.Select((r, j) => (r, j))) s[$"Auth:Oidc:Groups:{i}:Rights:{j}"] = r;
        }
        Group(0, "crm-cs", "CS agent", ["CS"], [1, 2, 3], ["wd:create"]);
        Group(1, "crm-cs-trainee", "CS trainee", ["CS"], [1], []);
        Group(2, "bpm-analysts", "Business analyst", [], [], ["definitions:edit"]);
        Group(3, "it-user-admins", "User administrator", [], [], ["users:manage", "definitions:edit"]);
        return s;
    }
}
