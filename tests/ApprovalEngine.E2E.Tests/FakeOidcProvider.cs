// Literal arrays in a discovery document read better than static fields.
#pragma warning disable CA1861

using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// An OpenID Connect provider in the test process for the designer's sign-in (authorization code + PKCE, public
/// client): discovery, JWKS, <c>/authorize</c> (a page listing the configured test users and a Deny button, as a real
/// provider's login page; choosing one redirects back with a code or <c>error=access_denied</c>), <c>/token</c> (which
/// REFUSES a missing or wrong <c>code_verifier</c>, a client secret, a reused code or another redirect URI) and
/// <c>/logout</c>. Tokens are signed with its own RSA key; the server under test validates them against the JWKS over
/// HTTP as it would Keycloak's. CORS is open, as a provider's web origins are for its SPA clients.
/// </summary>
public sealed class FakeOidcProvider : IAsyncDisposable
{
    public const string ClientId = "approval-engine-designer";
    public const string Audience = "approval-engine-api";
    public const string DisplayName = "Broker SSO";

    public sealed record User(string Username, string Name, string[] Groups);

    private sealed record Authorization(string ClientId, string RedirectUri, string State, string Nonce, string Challenge);

    private readonly WebApplication _app;
    private readonly RsaSecurityKey _key = new(RSA.Create(2048)) { KeyId = "fake-" + Guid.NewGuid().ToString("N")[..8] };
    private readonly ConcurrentDictionary<string, Authorization> _pending = new();
    private readonly ConcurrentDictionary<string, (Authorization Request, User User)> _codes = new();
    private readonly IReadOnlyList<User> _users;
    private int _refusedVerifiers;

    private FakeOidcProvider(WebApplication app, IReadOnlyList<User> users)
    {
        _app = app;
        _users = users;
    }

    public string Authority { get; private set; } = "";

    /// <summary>Token requests refused for their code_verifier (missing or not matching the challenge).</summary>
    public int RefusedVerifiers => Volatile.Read(ref _refusedVerifiers);

    public static async Task<FakeOidcProvider> StartAsync(params User[] users)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var p = new FakeOidcProvider(app, users);
        app.Use(async (http, next) =>
        {
            http.Response.Headers.AccessControlAllowOrigin = "*";
            http.Response.Headers.AccessControlAllowHeaders = "*";
            http.Response.Headers.AccessControlAllowMethods = "GET, POST";
            if (HttpMethods.IsOptions(http.Request.Method)) return;
            await next(http);
        });
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = p.Authority,
            ["authorization_endpoint"] = p.Authority + "/authorize",
            ["token_endpoint"] = p.Authority + "/token",
            ["jwks_uri"] = p.Authority + "/jwks",
            ["end_session_endpoint"] = p.Authority + "/logout",
            ["response_types_supported"] = new[] { "code" },
            ["code_challenge_methods_supported"] = new[] { "S256" },
            ["subject_types_supported"] = new[] { "public" },
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
            ["token_endpoint_auth_methods_supported"] = new[] { "none" },
        }));
        app.MapGet("/jwks", () =>
        {
            var k = p._key.Rsa.ExportParameters(false);
            return Results.Json(new { keys = new[] { new Dictionary<string, string> { ["kty"] = "RSA", ["use"] = "sig", ["alg"] = "RS256", ["kid"] = p._key.KeyId!, ["n"] = Base64UrlEncoder.Encode(k.Modulus!), ["e"] = Base64UrlEncoder.Encode(k.Exponent!) } } });
        });
        app.MapGet("/authorize", (Func<HttpContext, IResult>)p.Authorize);
        app.MapPost("/authorize/decide", (Func<HttpContext, Task<IResult>>)p.Decide);
        app.MapPost("/token", (Func<HttpContext, Task<IResult>>)p.Token);
        app.MapGet("/logout", (HttpContext http) =>
            Results.Redirect(http.Request.Query["post_logout_redirect_uri"].ToString() is { Length: > 0 } back ? back : p.Authority));
        await app.StartAsync();
        p.Authority = app.Urls.First().TrimEnd('/');
        return p;
    }

    /// <summary>The server's configuration for this provider (resource server and the designer's client), mapping group crm-cs to the CS department.</summary>
    public Dictionary<string, string?> ServerSettings() => new()
    {
        ["Auth:Oidc:Authority"] = Authority,
        ["Auth:Oidc:Audience"] = Audience,
        ["Auth:Oidc:RequireHttpsMetadata"] = "false",
        ["Auth:Oidc:ClientId"] = ClientId,
        ["Auth:Oidc:Scopes"] = "openid profile",
        ["Auth:Oidc:DisplayName"] = DisplayName,
        ["Auth:Oidc:Groups:0:Group"] = "crm-cs",
        ["Auth:Oidc:Groups:0:Role"] = "CS agent",
        ["Auth:Oidc:Groups:0:Departments:0"] = "CS",
        ["Auth:Oidc:Groups:0:WdPermissions:0"] = "1",
        ["Auth:Oidc:Groups:0:WdPermissions:1"] = "2",
        ["Auth:Oidc:Groups:0:WdPermissions:2"] = "3",
    };

    private IResult Authorize(HttpContext http)
    {
        var q = http.Request.Query;
        string Param(string name) => q[name].ToString();
        if (Param("client_id") != ClientId) return Results.BadRequest("unknown client_id");
        if (Param("response_type") != "code") return Results.BadRequest("response_type must be code");
        if (Param("code_challenge_method") != "S256" || Param("code_challenge").Length < 43) return Results.BadRequest("PKCE with S256 is required for this public client");
        if (!Uri.TryCreate(Param("redirect_uri"), UriKind.Absolute, out var redirect) || redirect.AbsolutePath != "/inbox/auth/callback") return Results.BadRequest("redirect_uri is not registered");
        var tx = Guid.NewGuid().ToString("N");
        _pending[tx] = new Authorization(ClientId, redirect.ToString(), Param("state"), Param("nonce"), Param("code_challenge"));
        var buttons = string.Concat(_users.Select(u => $"<button type=\"submit\" name=\"user\" value=\"{WebUtility.HtmlEncode(u.Username)}\">Sign in as {WebUtility.HtmlEncode(u.Username)}</button> "));
        var html = $"""
            <!doctype html><html lang="en"><head><meta charset="utf-8"><title>{DisplayName}</title></head>
            <body><main><h1>{DisplayName}</h1><p>Sign in to ApprovalEngine</p>
            <form method="post" action="/authorize/decide"><input type="hidden" name="tx" value="{tx}">{buttons}
            <button type="submit" name="deny" value="1">Deny</button></form></main></body></html>
            """;
        return Results.Content(html, "text/html");
    }

    private async Task<IResult> Decide(HttpContext http)
    {
        var form = await http.Request.ReadFormAsync();
        if (!_pending.TryRemove(form["tx"].ToString(), out var request)) return Results.BadRequest("unknown or used sign-in");
        string Back(string query) => $"{request.RedirectUri}?{query}&state={Uri.EscapeDataString(request.State)}";
        if (form["deny"].ToString() == "1") return Results.Redirect(Back("error=access_denied&error_description=" + Uri.EscapeDataString("The user denied the sign-in.")));
        var user = _users.FirstOrDefault(u => u.Username == form["user"].ToString());
        if (user is null) return Results.BadRequest("unknown user");
        var code = Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(24));
        _codes[code] = (request, user);
        return Results.Redirect(Back("code=" + code));
    }

    private async Task<IResult> Token(HttpContext http)
    {
        if (!http.Request.HasFormContentType) return Error("invalid_request", "form body expected");
        var form = await http.Request.ReadFormAsync();
        if (form["grant_type"].ToString() != "authorization_code") return Error("unsupported_grant_type", "authorization_code only");
        if (form.ContainsKey("client_secret") || http.Request.Headers.Authorization.Count > 0) return Error("invalid_client", "a public client has no secret");
        // A code is good once, whatever happens next.
        if (!_codes.TryRemove(form["code"].ToString(), out var granted)) return Error("invalid_grant", "unknown or used code");
        var (request, user) = granted;
        if (form["client_id"].ToString() != request.ClientId) return Error("invalid_client", "another client's code");
        if (form["redirect_uri"].ToString() != request.RedirectUri) return Error("invalid_grant", "redirect_uri differs from the authorization request's");
        var verifier = form["code_verifier"].ToString();
        if (verifier.Length is < 43 or > 128 || Base64UrlEncoder.Encode(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))) != request.Challenge)
        {
            Interlocked.Increment(ref _refusedVerifiers);
            return Error("invalid_grant", "code_verifier does not match the code_challenge");
        }
        var now = DateTime.UtcNow;
        var handler = new JsonWebTokenHandler { SetDefaultTimesOnTokenCreation = false };
        var signing = new SigningCredentials(_key, SecurityAlgorithms.RsaSha256);
        string Jwt(string audience, Dictionary<string, object> claims) => handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = Authority, Audience = audience, Claims = claims, IssuedAt = now, NotBefore = now, Expires = now.AddMinutes(10), SigningCredentials = signing,
        });
        var sub = "sub-" + user.Username;
        var access = Jwt(Audience, new() { ["sub"] = sub, ["preferred_username"] = user.Username, ["name"] = user.Name, ["groups"] = user.Groups });
        var id = Jwt(request.ClientId, new() { ["sub"] = sub, ["nonce"] = request.Nonce, ["preferred_username"] = user.Username, ["name"] = user.Name });
        return Results.Json(new Dictionary<string, object> { ["access_token"] = access, ["token_type"] = "Bearer", ["expires_in"] = 600, ["id_token"] = id });
    }

    private static IResult Error(string error, string description) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: 400);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
