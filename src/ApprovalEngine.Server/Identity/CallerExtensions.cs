using System.Security.Claims;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Server.Identity;

public static class CallerExtensions
{
    public static bool IsSystem(this ClaimsPrincipal user) => user.HasClaim(ClaimNames.IsSystem, "true");

    public static bool HasRight(this ClaimsPrincipal user, string right) => user.HasClaim(ClaimNames.Right, right);

    public static string UserId(this ClaimsPrincipal user) =>
        user.FindFirstValue(ClaimNames.Subject) ?? "anonymous";

    public static IReadOnlyList<string> Departments(this ClaimsPrincipal user) =>
        [.. user.FindAll(ClaimNames.Department).Select(c => c.Value)];

    public static bool AllDepartments(this ClaimsPrincipal user) => user.HasClaim(ClaimNames.AllDepartments, "true");

    /// <summary>The engine's view of the caller, with the client IP for the journal.</summary>
    public static Actor ToActor(this HttpContext http)
    {
        var user = http.User;
        return new Actor
        {
            UserId = user.UserId(),
            DisplayName = user.FindFirstValue(ClaimNames.Name),
            Role = user.FindFirstValue(ClaimNames.Role),
            IpAddress = http.Connection.RemoteIpAddress?.ToString(),
            IsSystem = user.IsSystem(),
            AllDepartments = user.AllDepartments(),
            Departments = user.FindAll(ClaimNames.Department).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
            Permissions = user.FindAll(ClaimNames.Permission).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
            Scopes = user.FindAll(ClaimNames.Scope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal),
        };
    }
}
