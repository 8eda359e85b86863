using System.Security.Claims;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Identity;

namespace ApprovalEngine.Server.Features.Fiat;

/// <summary>Who the fiat routes are for, in one place (docs/fiat-configuration.md, "Who may do what").</summary>
public static class FiatAccess
{
    /// <summary>A person of Operations, or a supervisor of all departments; never a system.</summary>
    public static bool IsOperator(ClaimsPrincipal user)
    {
        ArgumentNullException.ThrowIfNull(user);
        return !user.IsSystem() && (user.AllDepartments() || user.Departments().Contains(FiatNames.Department, StringComparer.Ordinal));
    }
}
