using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;

namespace ApprovalEngine.Server.Features.Crypto;

/// <summary>Who may read and change the crypto configuration (README, "Crypto configuration").</summary>
public static class CryptoAccess
{
    /// <summary>
    /// Operators: people of Operations (makers, checkers), all-department supervisors and configurers. Never a system
    /// (the flows read coins through the port, not the route) and never an analyst outside Operations.
    /// </summary>
    public static void RequireReader(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        var user = http.User;
        if (user.IsSystem()) throw ApiProblemException.Forbidden("The coin configuration is read by operators, not by systems.");
        if (user.AllDepartments() || user.Departments().Contains(CryptoNames.Department, StringComparer.Ordinal) || user.HasRight(Rights.ConfigureCrypto)) return;
        throw ApiProblemException.Forbidden($"Reading the coin configuration needs the {CryptoNames.Department} department or the right {Rights.ConfigureCrypto}.");
    }

    /// <summary>A person holding <c>crypto:configure</c>; a system never changes it (every change names the person who made it).</summary>
    public static void RequireConfigurer(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!http.User.IsSystem() && http.User.HasRight(Rights.ConfigureCrypto)) return;
        throw ApiProblemException.Forbidden($"Changing the coin configuration needs a person holding the right {Rights.ConfigureCrypto}.");
    }
}
