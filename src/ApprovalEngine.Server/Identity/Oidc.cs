using System.Security.Claims;
using ApprovalEngine.Flows.Wd;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace ApprovalEngine.Server.Identity;

/// <summary>
/// <c>Auth:Oidc</c>: people sign in with the company's OpenID Connect provider (Keycloak, Entra ID, Okta) and call the
/// API with the provider's access token. Off unless <see cref="Authority"/> or <see cref="MetadataAddress"/> is set.
/// </summary>
public sealed class OidcOptions
{
    /// <summary>The provider's issuer URL; its <c>/.well-known/openid-configuration</c> names the signing keys (JWKS).</summary>
    public string? Authority { get; set; }

    /// <summary>The audience the provider puts into tokens for this service (Keycloak: the client id; Entra: the app id URI).</summary>
    public string? Audience { get; set; }

    /// <summary>The discovery document when it is not at <c>{Authority}/.well-known/openid-configuration</c>.</summary>
    public string? MetadataAddress { get; set; }

    /// <summary>Null: true outside Development. Discovery and keys over plain HTTP only for a local provider.</summary>
    public bool? RequireHttpsMetadata { get; set; }

    /// <summary>The claim that carries the user name, the identity the app keys everything on (journal, four eyes, stored accounts).</summary>
    public string UsernameClaim { get; set; } = "preferred_username";

    public string DisplayNameClaim { get; set; } = "name";

    /// <summary>A claim whose values are department names as the app knows them (CS, Backoffice, …); unset: none.</summary>
    public string? DepartmentsClaim { get; set; }

    /// <summary>A claim whose values are groups or roles, looked up in <see cref="Groups"/> (Keycloak: a group mapper; Entra: <c>roles</c> or <c>groups</c>).</summary>
    public string? GroupsClaim { get; set; } = "groups";

    /// <summary>How soon after a failed key lookup the discovery document and keys may be fetched again (key rollover).</summary>
    public int RefreshIntervalSeconds { get; set; } = 300;

    /// <summary>Group or role → what it grants. A user gets the union of every group they are in; nothing for unknown groups.</summary>
    public List<OidcGroupMapping> Groups { get; set; } = [];

    /// <summary>
    /// The designer's client at the provider: a public client (no secret; authorization code with PKCE) whose redirect
    /// URI is <c>{app origin}/auth/callback</c>. Unset: the designer offers no provider sign-in (tokens still work).
    /// </summary>
    public string? ClientId { get; set; }

    /// <summary>What the designer asks the provider for (space separated); <c>openid</c> is always asked for.</summary>
    public string Scopes { get; set; } = "openid profile";

    /// <summary>The provider's name on the sign-in button ("Sign in with …").</summary>
    public string DisplayName { get; set; } = "your company account";

    public bool Enabled => !string.IsNullOrWhiteSpace(Authority) || !string.IsNullOrWhiteSpace(MetadataAddress);

    /// <summary>The designer signs people in through the provider: an authority (its issuer) and a client id.</summary>
    public bool OffersSignIn => !string.IsNullOrWhiteSpace(Authority) && !string.IsNullOrWhiteSpace(ClientId);

    /// <summary>Configuration mistakes that would let the server start but sign nobody in correctly; start-up refuses them.</summary>
    public IEnumerable<string> Problems()
    {
        // The browser needs the issuer to find the provider (a metadata address alone is the server's business).
        if (!string.IsNullOrWhiteSpace(ClientId) && string.IsNullOrWhiteSpace(Authority))
            yield return "Auth:Oidc:ClientId is set without Auth:Oidc:Authority; the designer needs the provider's issuer to sign people in.";
        if (!Enabled) yield break;
        if (!string.IsNullOrWhiteSpace(ClientId) && string.IsNullOrWhiteSpace(DisplayName)) yield return "Auth:Oidc:DisplayName is empty; the sign-in button names the provider.";
        if (string.IsNullOrWhiteSpace(Audience)) yield return "Auth:Oidc:Audience is missing; set the audience the provider issues tokens for this service with.";
        if (string.IsNullOrWhiteSpace(UsernameClaim)) yield return "Auth:Oidc:UsernameClaim is empty.";
        foreach (var (g, i) in Groups.Select((g, i) => (g, i)))
        {
            if (string.IsNullOrWhiteSpace(g.Group)) yield return $"Auth:Oidc:Groups:{i}:Group is empty.";
            foreach (var n in g.WdPermissions.Where(n => n is < 1 or > 5)) yield return $"Auth:Oidc:Groups:{i}:WdPermissions has {n}; WD permissions are numbered 1 to 5 (manual 003).";
            foreach (var r in g.Rights.Where(r => !Rights.All.Contains(r, StringComparer.Ordinal))) yield return $"Auth:Oidc:Groups:{i}:Rights has '{r}', which is no right of the app.";
        }
    }
}

/// <summary>What one provider group or role grants.</summary>
public sealed class OidcGroupMapping
{
    public string Group { get; set; } = "";
    public string? Role { get; set; }
    public List<string> Departments { get; set; } = [];
    public bool AllDepartments { get; set; }

    /// <summary>The CRM manual's WD permissions 1–5 (1 request documents … 5 mass update).</summary>
    public List<int> WdPermissions { get; set; } = [];

    /// <summary>Other task permissions (e.g. <c>workorders:approve</c>, <c>crypto-deposit:refund</c>).</summary>
    public List<string> Permissions { get; set; } = [];

    public List<string> Rights { get; set; } = [];
}

/// <summary>The provider's bearer tokens as a second JwtBearer scheme beside our own.</summary>
public static class OidcSignIn
{
    public const string SchemeName = "Oidc";

    /// <summary>
    /// The signature algorithms accepted from the provider: asymmetric only, so a token "signed" with a shared secret
    /// (or not at all, alg none) never passes however the keys are published.
    /// </summary>
    private static readonly string[] Algorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    /// <summary>
    /// Which bearer scheme validates the request's token: ours when its (unvalidated) <c>iss</c> is our issuer or it
    /// cannot be read, the provider's otherwise (when configured). Only the choice of validator rests on the unvalidated
    /// claim; the chosen scheme then validates issuer, audience, lifetime and signature itself, so a token lying about
    /// its issuer simply fails there (401).
    /// </summary>
    public static string BearerSchemeFor(HttpContext http)
    {
        var oidc = http.RequestServices.GetRequiredService<IOptions<OidcOptions>>().Value;
        if (!oidc.Enabled) return JwtBearerDefaults.AuthenticationScheme;
        var header = http.Request.Headers.Authorization.ToString();
        if (!header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)) return JwtBearerDefaults.AuthenticationScheme;
        var token = header["Bearer ".Length..].Trim();
        var handler = new JsonWebTokenHandler();
        // CanReadToken bounds the size and the shape (three base64url parts) before anything is decoded.
        if (!handler.CanReadToken(token)) return JwtBearerDefaults.AuthenticationScheme;
        try
        {
            var issuer = handler.ReadJsonWebToken(token).Issuer;
            var ours = http.RequestServices.GetRequiredService<IOptions<AuthOptions>>().Value.Issuer;
            return string.Equals(issuer, ours, StringComparison.Ordinal) ? JwtBearerDefaults.AuthenticationScheme : SchemeName;
        }
        catch (Exception e) when (e is ArgumentException or SecurityTokenException)
        {
            return JwtBearerDefaults.AuthenticationScheme;
        }
    }

    /// <summary>Options of the provider's scheme, from <see cref="OidcOptions"/> (read when the scheme is first used).</summary>
    public static void Configure(JwtBearerOptions o, OidcOptions oidc, bool isDevelopment)
    {
        ArgumentNullException.ThrowIfNull(o);
        ArgumentNullException.ThrowIfNull(oidc);
        if (!oidc.Enabled) return;
        o.Authority = string.IsNullOrWhiteSpace(oidc.Authority) ? null : oidc.Authority;
        o.MetadataAddress = string.IsNullOrWhiteSpace(oidc.MetadataAddress) ? null! : oidc.MetadataAddress;
        o.Audience = oidc.Audience;
        o.RequireHttpsMetadata = oidc.RequireHttpsMetadata ?? !isDevelopment;
        // The provider's claim names as they are (no WS-Federation renaming): the mapping below names them.
        o.MapInboundClaims = false;
        // Key rollover: a token signed with a key not in the cached JWKS makes the handler ask for a refresh, allowed
        // at most this often; the 12-hour automatic refresh picks up new keys anyway.
        o.RefreshInterval = TimeSpan.FromSeconds(Math.Max(1, oidc.RefreshIntervalSeconds));
        o.RefreshOnIssuerKeyNotFound = true;
        o.TokenValidationParameters = new TokenValidationParameters
        {
            ValidateIssuer = true,
            ValidateAudience = true,
            ValidAudience = oidc.Audience,
            ValidateLifetime = true,
            RequireExpirationTime = true,
            RequireSignedTokens = true,
            ValidateIssuerSigningKey = true,
            ValidAlgorithms = Algorithms,
            NameClaimType = ClaimNames.Name,
            RoleClaimType = ClaimNames.Role,
            ClockSkew = TimeSpan.FromSeconds(30),
        };
        o.Events = new JwtBearerEvents
        {
            OnTokenValidated = async context =>
            {
                var mapped = Map(context.Principal!, oidc);
                if (mapped is null)
                {
                    context.Fail($"The provider's token has no '{oidc.UsernameClaim}' claim (Auth:Oidc:UsernameClaim).");
                    return;
                }
                // A name configured for local sign-in (or an API key's name) belongs to that identity alone. Stored staff
                // accounts are keyed by name; if a provider user could take such a name, a stored record made for the
                // local user (whose configured grants count as held when it is created) would lend the provider user
                // those rights (attacker review). The provider must use its own names.
                var identities = context.HttpContext.RequestServices.GetRequiredService<IOptions<IdentityOptions>>().Value;
                var name = mapped.FindFirst(ClaimNames.Subject)!.Value;
                // Look-alikes of such a name (" supervisor1", "supervisor1" + a zero-width space, full-width letters)
                // passed an ordinal comparison and then showed as that user in journals, lists and task history
                // (review 9). No provider means a name with spaces at either end or invisible characters; the rest is
                // compared with full-width forms folded.
                if (!IsPlainName(name))
                {
                    context.Fail("The provider's user name has spaces at either end or control or invisible characters.");
                    return;
                }
                if (identities.Users.Any(u => SameName(u.Username, name)) || identities.ApiKeys.Any(k => SameName(k.Name, name)))
                {
                    context.Fail($"The provider's user name '{name}' is reserved for a configured identity.");
                    return;
                }
                context.Principal = mapped;
                await Features.Staff.StaffSignIn.RefuseDisabledAsync(context);
            },
            OnChallenge = Features.Staff.StaffSignIn.ExplainDisabledAsync,
        };
    }

    /// <summary>
    /// A user name without spaces at either end, control or format (invisible) characters, or broken UTF-16 (a lone
    /// surrogate, which Unicode normalization would throw on).
    /// </summary>
    public static bool IsPlainName(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        if (name.Length == 0 || char.IsWhiteSpace(name[0]) || char.IsWhiteSpace(name[^1])) return false;
        var rest = name.AsSpan();
        while (!rest.IsEmpty)
        {
            if (System.Text.Rune.DecodeFromUtf16(rest, out var rune, out var used) != System.Buffers.OperationStatus.Done) return false;
            if (System.Text.Rune.GetUnicodeCategory(rune) is System.Globalization.UnicodeCategory.Control or System.Globalization.UnicodeCategory.Format) return false;
            rest = rest[used..];
        }
        return true;
    }

    /// <summary>
    /// Two user names that read the same: equal ignoring case once full-width letters and digits are folded to ASCII.
    /// Folded by hand: the server runs with invariant globalization, where <see cref="string.Normalize()"/> leaves
    /// such text as it is. Look-alikes from other scripts (a Cyrillic "е") are not caught here.
    /// </summary>
    private static bool SameName(string? configured, string name) =>
        configured is not null && string.Equals(FoldWidth(configured), FoldWidth(name), StringComparison.OrdinalIgnoreCase);

    /// <summary>U+FF01–U+FF5E (full-width ASCII forms) → U+0021–U+007E.</summary>
    private static string FoldWidth(string text) =>
        string.Create(text.Length, text, static (span, source) =>
        {
            for (var i = 0; i < source.Length; i++) span[i] = source[i] is >= '\uFF01' and <= '\uFF5E' ? (char)(source[i] - 0xFEE0) : source[i];
        });

    /// <summary>
    /// No "last known good" keys: by default the library keeps validating with the previous key set for an hour after
    /// the provider withdrew a key, so a key the provider pulled (say, because it leaked) would still sign tokens we
    /// accept. Here a withdrawn key stops working as soon as the keys are fetched again.
    /// </summary>
    public static void AfterSetup(JwtBearerOptions o)
    {
        ArgumentNullException.ThrowIfNull(o);
        if (o.ConfigurationManager is BaseConfigurationManager manager) manager.UseLastKnownGoodConfiguration = false;
    }

    /// <summary>
    /// The provider's principal → the same claims our own tokens carry (<see cref="TokenService.Issue"/>), built from
    /// scratch: nothing of the provider's token passes through unmapped, so a token carrying, say, <c>right</c> or
    /// <c>is_system</c> claims gains nothing by them. Null when the token names no user.
    /// </summary>
    public static ClaimsPrincipal? Map(ClaimsPrincipal provider, OidcOptions oidc)
    {
        ArgumentNullException.ThrowIfNull(provider);
        ArgumentNullException.ThrowIfNull(oidc);
        var username = provider.FindFirst(oidc.UsernameClaim)?.Value;
        if (string.IsNullOrWhiteSpace(username) || username.Length > 200) return null;
        var groups = oidc.GroupsClaim is { Length: > 0 } g ? provider.FindAll(g).Select(c => c.Value).ToHashSet(StringComparer.Ordinal) : [];
        var mappings = oidc.Groups.Where(m => groups.Contains(m.Group)).ToList();
        var departments = new SortedSet<string>(StringComparer.Ordinal);
        if (oidc.DepartmentsClaim is { Length: > 0 } d) departments.UnionWith(provider.FindAll(d).Select(c => c.Value).Where(v => v.Length is > 0 and <= 100));
        var permissions = new SortedSet<string>(StringComparer.Ordinal);
        var rights = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var m in mappings)
        {
            departments.UnionWith(m.Departments);
            permissions.UnionWith(m.WdPermissions.Where(n => n is >= 1 and <= 5).Select(WdPermissions.FromNumber));
            permissions.UnionWith(m.Permissions);
            rights.UnionWith(m.Rights.Where(r => Rights.All.Contains(r, StringComparer.Ordinal)));
        }
        var claims = new List<Claim>
        {
            new(ClaimNames.Subject, username),
            new(ClaimNames.Name, provider.FindFirst(oidc.DisplayNameClaim)?.Value is { Length: > 0 and <= 200 } name ? name : username),
            new(ClaimNames.Role, mappings.Select(m => m.Role).FirstOrDefault(r => r is not null) ?? "user"),
            new(ClaimNames.SignInSource, SchemeName),
        };
        claims.AddRange(departments.Select(x => new Claim(ClaimNames.Department, x)));
        claims.AddRange(permissions.Select(x => new Claim(ClaimNames.Permission, x)));
        claims.AddRange(rights.Select(x => new Claim(ClaimNames.Right, x)));
        if (mappings.Any(m => m.AllDepartments)) claims.Add(new Claim(ClaimNames.AllDepartments, "true"));
        return new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName, ClaimNames.Name, ClaimNames.Role));
    }
}
