using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Identity;

/// <summary>Authenticates calling systems by the <c>X-Api-Key</c> header.</summary>
public sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    IOptions<IdentityOptions> identities) : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values)) return Task.FromResult(AuthenticateResult.NoResult());
        var presented = Encoding.UTF8.GetBytes(values.ToString());
        // Constant-time comparison: the key is a secret.
        var account = identities.Value.ApiKeys.FirstOrDefault(k => CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(k.Key), presented));
        if (account is null) return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));
        var claims = new List<Claim>
        {
            new(ClaimNames.Subject, account.Name),
            new(ClaimNames.Name, account.Name),
            new(ClaimNames.Role, "system"),
            new(ClaimNames.IsSystem, "true"),
        };
        claims.AddRange(account.Rights.Select(r => new Claim(ClaimNames.Right, r)));
        claims.AddRange(account.Scopes.Select(s => new Claim(ClaimNames.Scope, s)));
        var identity = new ClaimsIdentity(claims, SchemeName, ClaimNames.Name, ClaimNames.Role);
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName)));
    }
}
