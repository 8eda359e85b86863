using ApprovalEngine.Server.Features.Staff;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Auth;

public sealed record TokenRequest(string? Username, string? Password);

public sealed record TokenResponse(string AccessToken, int ExpiresIn, string TokenType = "Bearer");

public sealed record MeResponse(string Username, string? DisplayName, string? Role, bool IsSystem, IReadOnlyList<string> Departments, bool AllDepartments, IReadOnlyList<string> Permissions, IReadOnlyList<string> Rights, IReadOnlyList<string> Scopes);

/// <summary>How the designer may sign people in besides the password route; <c>oidc</c> is null when no provider is offered.</summary>
public sealed record SignInProvidersResponse(OidcProviderInfo? Oidc);

/// <summary>Public facts about the company's provider for a browser client (authorization code + PKCE): nothing secret.</summary>
public sealed record OidcProviderInfo(string Authority, string ClientId, IReadOnlyList<string> Scopes, string DisplayName);

public static class AuthApi
{
    public static void MapAuthApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/auth").WithTags("Auth");
        group.MapPost("/token", Token).AllowAnonymous().RequireRateLimiting(SignInRateLimit.PolicyName).ProducesProblems(400, 401, 422, 429).WithName("issueToken").WithSummary("Sign in with a user name and password and get a bearer token");
        group.MapGet("/providers", Providers).AllowAnonymous().ProducesProblems(400).WithName("getSignInProviders").WithSummary("The identity provider the designer signs people in with (authorization code + PKCE), if one is configured");
        group.MapGet("/me", Me).ProducesProblems(401).WithName("getCurrentUser").WithSummary("Who is calling: identity, departments, permissions, rights and scopes");
    }

    private static async Task<Results<Ok<TokenResponse>, ProblemHttpResult>> Token(TokenRequest? request, TokenService tokens, SignInGuard guard, StaffDirectory staff, HttpContext http)
    {
        var username = Require.Text(request?.Username, "username", 100);
        var password = Require.Text(request?.Password, "password", 200);
        if (guard.TryAcquire(username) is { } wait) return SignInRateLimit.TooMany(http, wait, "Too many sign-in attempts for this user; try again later.");
        var user = tokens.CheckPassword(username, password);
        if (user is null)
        {
            guard.Failed(username);
            return TypedResults.Problem(statusCode: 401, title: "Sign-in failed.", detail: "Unknown user or wrong password.", extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["password"] = ["Unknown user or wrong password."] } });
        }
        guard.Succeeded(username);
        // A disabled stored account refuses sign-in (its tokens stop working too: StaffClaimsTransformation). Told
        // only after the right password, so the answer does not reveal which accounts exist.
        if (await staff.FindAsync(user.Username, http.RequestAborted) is { Enabled: false })
        {
            return TypedResults.Problem(statusCode: 401, title: "Sign-in failed.", detail: "This account is disabled.", extensions: new Dictionary<string, object?> { ["errors"] = new Dictionary<string, string[]> { ["username"] = ["This account is disabled."] } });
        }
        var (token, expiresIn) = tokens.Issue(user);
        return TypedResults.Ok(new TokenResponse(token, expiresIn));
    }

    private static Ok<SignInProvidersResponse> Providers(Microsoft.Extensions.Options.IOptions<OidcOptions> options)
    {
        var oidc = options.Value;
        if (!oidc.OffersSignIn) return TypedResults.Ok(new SignInProvidersResponse(null));
        // openid first and once: without it the provider answers with no id_token, and the designer checks the nonce in it.
        var scopes = oidc.Scopes.Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Where(s => s != "openid").Distinct(StringComparer.Ordinal).Prepend("openid").ToList();
        return TypedResults.Ok(new SignInProvidersResponse(new OidcProviderInfo(oidc.Authority!, oidc.ClientId!, scopes, oidc.DisplayName)));
    }

    private static Ok<MeResponse> Me(HttpContext http)
    {
        var user = http.User;
        return TypedResults.Ok(new MeResponse(
            user.UserId(), user.FindFirst(ClaimNames.Name)?.Value, user.FindFirst(ClaimNames.Role)?.Value, user.IsSystem(), user.Departments(), user.AllDepartments(),
            [.. user.FindAll(ClaimNames.Permission).Select(c => c.Value)], [.. user.FindAll(ClaimNames.Right).Select(c => c.Value)], user.Scopes()));
    }
}
