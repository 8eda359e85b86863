using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json;
using ApprovalEngine.Server.Identity;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Features.Staff;

/// <summary>A stored account as the sign-in reads it.</summary>
public sealed record StaffGrant(string Username, string? DisplayName, string? Role, IReadOnlyList<string> Departments, bool AllDepartments,
    IReadOnlyList<string> Permissions, IReadOnlyList<string> Rights, bool Enabled)
{
    public static StaffGrant Of(StaffAccount a)
    {
        ArgumentNullException.ThrowIfNull(a);
        return new(a.Username, a.DisplayName, a.Role, StaffJson.List(a.DepartmentsJson), a.AllDepartments, StaffJson.List(a.PermissionsJson), StaffJson.List(a.RightsJson), a.Enabled);
    }
}

public static class StaffJson
{
    public static IReadOnlyList<string> List(string json) => JsonSerializer.Deserialize<string[]>(json) ?? [];

    public static string Of(IEnumerable<string> values) => JsonSerializer.Serialize(values.ToArray());
}

/// <summary><c>Auth:StaffAccounts</c>.</summary>
public sealed class StaffAccountOptions
{
    /// <summary>
    /// How long a node reuses what it read of one user's stored account. A change made on this node takes effect at
    /// once (the entry is dropped); on other nodes within this many seconds. 0 reads the database on every request.
    /// </summary>
    public int CacheSeconds { get; set; } = 5;
}

/// <summary>
/// The stored accounts, looked up per request by user name (<see cref="StaffClaimsTransformation"/>), so that a token
/// issued before a change does not keep what the change took away. Entries expire after
/// <see cref="StaffAccountOptions.CacheSeconds"/>; "no stored account" is cached too, so most requests cost no query.
/// </summary>
public sealed class StaffDirectory(IDbContextFactory<StaffDbContext> contexts, IOptions<StaffAccountOptions> options, TimeProvider clock)
{
    private const int MaxEntries = 10_000;
    private readonly ConcurrentDictionary<string, (StaffGrant? Grant, DateTimeOffset Until)> _cache = new(StringComparer.Ordinal);

    public async Task<StaffGrant?> FindAsync(string username, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        if (_cache.TryGetValue(username, out var hit) && hit.Until > now) return hit.Grant;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Set<StaffAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Username == username, ct);
        var grant = row is null ? null : StaffGrant.Of(row);
        var seconds = options.Value.CacheSeconds;
        if (seconds > 0)
        {
            // Bounded: entries exist only for user names that presented a valid token, but never let them pile up.
            if (_cache.Count >= MaxEntries) _cache.Clear();
            _cache[username] = (grant, now.AddSeconds(seconds));
        }
        return grant;
    }

    /// <summary>After a change on this node: the next request of that user reads the stored account again.</summary>
    public void Forget(string username) => _cache.TryRemove(username, out _);
}

/// <summary>Both bearer schemes (ours and the provider's) fail a token whose user's stored account is disabled: 401, as for a bad token.</summary>
public static class StaffSignIn
{
    private const string Disabled = "The staff account is disabled.";

    /// <summary>
    /// The 401 of a disabled account says so (RFC 9457, as the password route does), so that a person signing in through
    /// the provider learns why the app refuses them instead of meeting a bare 401. Only a token that passed every check
    /// but this one reaches here, so the answer tells its bearer nothing they could not learn from the password route;
    /// every other failure keeps the bare 401.
    /// </summary>
    public static async Task ExplainDisabledAsync(Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerChallengeContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.AuthenticateFailure?.Message != Disabled) return;
        context.HandleResponse();
        var http = context.HttpContext;
        http.Response.StatusCode = StatusCodes.Status401Unauthorized;
        http.Response.Headers.WWWAuthenticate = "Bearer error=\"invalid_token\"";
        await Results.Problem(statusCode: 401, title: "Sign-in failed.", detail: "This account is disabled.").ExecuteAsync(http);
    }

    public static async Task RefuseDisabledAsync(Microsoft.AspNetCore.Authentication.JwtBearer.TokenValidatedContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        if (context.Principal?.FindFirstValue(ClaimNames.Subject) is not { } username) return;
        var directory = context.HttpContext.RequestServices.GetRequiredService<StaffDirectory>();
        if (await directory.FindAsync(username, context.HttpContext.RequestAborted) is { Enabled: false }) context.Fail(Disabled);
    }
}

/// <summary>
/// Applies the stored account to every authenticated person, whichever token they came with (ours or the provider's):
/// a disabled account makes the request anonymous (401), an enabled one replaces departments, permissions, rights and
/// all-departments by what is stored — except <c>users:manage</c>, kept exactly as configuration or the provider's
/// mapping gave it (the app never grants or takes it; ADR 21). Systems (API keys) are not staff and pass untouched.
/// Idempotent: ASP.NET Core may transform the same principal more than once per request.
/// </summary>
public sealed class StaffClaimsTransformation(StaffDirectory directory) : IClaimsTransformation
{
    public async Task<ClaimsPrincipal> TransformAsync(ClaimsPrincipal principal)
    {
        ArgumentNullException.ThrowIfNull(principal);
        if (principal.Identity?.IsAuthenticated != true || principal.IsSystem()) return principal;
        var username = principal.FindFirstValue(ClaimNames.Subject);
        if (username is null) return principal;
        var grant = await directory.FindAsync(username, CancellationToken.None);
        if (grant is null) return principal;
        // The bearer schemes already fail a disabled account's token (StaffSignIn); this is the backstop.
        if (!grant.Enabled) return new ClaimsPrincipal(new ClaimsIdentity());
        return Apply(principal, grant);
    }

    public static ClaimsPrincipal Apply(ClaimsPrincipal principal, StaffGrant grant)
    {
        ArgumentNullException.ThrowIfNull(principal);
        ArgumentNullException.ThrowIfNull(grant);
        var identity = principal.Identity!;
        var replaced = new HashSet<string>(StringComparer.Ordinal) { ClaimNames.Department, ClaimNames.Permission, ClaimNames.Right, ClaimNames.AllDepartments, ClaimNames.Name, ClaimNames.Role };
        var claims = principal.Claims.Where(c => !replaced.Contains(c.Type)).Select(c => new Claim(c.Type, c.Value)).ToList();
        claims.Add(new Claim(ClaimNames.Name, grant.DisplayName ?? principal.FindFirstValue(ClaimNames.Name) ?? grant.Username));
        claims.Add(new Claim(ClaimNames.Role, grant.Role ?? principal.FindFirstValue(ClaimNames.Role) ?? "user"));
        claims.AddRange(grant.Departments.Select(d => new Claim(ClaimNames.Department, d)));
        claims.AddRange(grant.Permissions.Select(p => new Claim(ClaimNames.Permission, p)));
        claims.AddRange(grant.Rights.Where(r => r != Rights.ManageUsers).Select(r => new Claim(ClaimNames.Right, r)));
        if (principal.HasRight(Rights.ManageUsers)) claims.Add(new Claim(ClaimNames.Right, Rights.ManageUsers));
        if (grant.AllDepartments) claims.Add(new Claim(ClaimNames.AllDepartments, "true"));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, identity.AuthenticationType, ClaimNames.Name, ClaimNames.Role));
    }
}
