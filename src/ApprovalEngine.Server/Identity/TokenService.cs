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

    public SymmetricSecurityKey Key() => new(Encoding.UTF8.GetBytes(SigningKey is { Length: >= 32 } key
        ? key
        : throw new InvalidOperationException("Auth:SigningKey must be set (at least 32 characters) outside Development.")));
}

/// <summary>Checks passwords and issues short-lived JWTs carrying departments, permissions and rights.</summary>
public sealed class TokenService(IOptions<IdentityOptions> identities, IOptions<AuthOptions> auth, TimeProvider clock)
{
    private static readonly PasswordHasher<UserAccount> Hasher = new();

    public UserAccount? FindUser(string username) =>
        identities.Value.Users.FirstOrDefault(u => string.Equals(u.Username, username, StringComparison.Ordinal));

    public UserAccount? CheckPassword(string username, string password)
    {
        var user = FindUser(username);
        if (user is null) return null;
        if (user.PasswordHash is { } hash)
        {
            return Hasher.VerifyHashedPassword(user, hash, password) == PasswordVerificationResult.Failed ? null : user;
        }
        return identities.Value.DevelopmentPasswords && string.Equals(password, username, StringComparison.Ordinal) ? user : null;
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
