using System.IdentityModel.Tokens.Jwt;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;

namespace ApprovalEngine.Server.Identity;

public sealed class AuthOptions
{
    public string Issuer { get; set; } = "approval-engine";
    public string? SigningKey { get; set; }
    public int TokenLifetimeMinutes { get; set; } = 480;

    /// <summary>True when <see cref="SigningKey"/> is at least 256 bits (start-up refuses anything shorter).</summary>
    public bool HasUsableKey => SigningKey is { } key && Encoding.UTF8.GetByteCount(key) >= 32;

    public SymmetricSecurityKey Key() => new(HasUsableKey
        ? Encoding.UTF8.GetBytes(SigningKey!)
        : throw new InvalidOperationException("Auth:SigningKey must be set (at least 32 bytes) outside Development."));
}

/// <summary>Checks passwords and issues short-lived JWTs carrying departments, permissions and rights.</summary>
public sealed class TokenService(IOptions<IdentityOptions> identities, IOptions<AuthOptions> auth, IPasswordHasher<UserAccount> hasher, TimeProvider clock)
{
    // An unknown user (or one without a hash) is verified against this, so that a wrong user name costs the same
    // hashing as a wrong password and the answer time does not tell which one was wrong.
    private static readonly UserAccount Nobody = new() { Username = "(unknown user)" };
    private static readonly Lazy<string> DummyHash = new(() => new PasswordHasher<UserAccount>().HashPassword(Nobody, Guid.NewGuid().ToString("N")));

    public UserAccount? FindUser(string username) =>
        identities.Value.Users.FirstOrDefault(u => string.Equals(u.Username, username, StringComparison.Ordinal));

    public UserAccount? CheckPassword(string username, string password)
    {
        var user = FindUser(username);
        if (user is { PasswordHash: null } && identities.Value.DevelopmentPasswords)
        {
            return string.Equals(password, username, StringComparison.Ordinal) ? user : null;
        }
        bool verified;
        try
        {
            verified = hasher.VerifyHashedPassword(user ?? Nobody, user?.PasswordHash ?? DummyHash.Value, password) != PasswordVerificationResult.Failed;
        }
        catch (FormatException)
        {
            // A configured hash that is not a valid Identity hash: that user cannot sign in (not a 500).
            verified = false;
        }
        return verified && user?.PasswordHash is not null ? user : null;
    }

    public (string Token, int ExpiresIn) Issue(UserAccount user)
    {
        var claims = new List<Claim>
        {
            new(ClaimNames.Subject, user.Username),
            new(ClaimNames.Name, user.DisplayName ?? user.Username),
            new(ClaimNames.Role, user.Role ?? "user"),
        };
        claims.AddRange(user.Departments.Select(d => new Claim(ClaimNames.Department, d)));
        claims.AddRange(user.Permissions.Select(p => new Claim(ClaimNames.Permission, p)));
        claims.AddRange(user.Rights.Select(r => new Claim(ClaimNames.Right, r)));
        if (user.AllDepartments) claims.Add(new Claim(ClaimNames.AllDepartments, "true"));
        var lifetime = TimeSpan.FromMinutes(auth.Value.TokenLifetimeMinutes);
        var now = clock.GetUtcNow();
        var token = new JwtSecurityToken(
            issuer: auth.Value.Issuer,
            audience: auth.Value.Issuer,
            claims: claims,
            notBefore: now.UtcDateTime,
            expires: (now + lifetime).UtcDateTime,
            signingCredentials: new SigningCredentials(auth.Value.Key(), SecurityAlgorithms.HmacSha256));
        return (new JwtSecurityTokenHandler().WriteToken(token), (int)lifetime.TotalSeconds);
    }
}
