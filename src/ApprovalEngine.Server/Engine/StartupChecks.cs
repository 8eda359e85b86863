using System.Text;
using ApprovalEngine.Server.Identity;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Engine;

/// <summary>The server refused to start because a setting it needs is missing or unsafe.</summary>
public sealed class StartupCheckException(string message) : Exception(message);

/// <summary>
/// Settings without which the server must not serve (checked before migrations or anything else runs). Outside
/// Development: the sandbox adapters are refused, the signing key must be at least 256 bits, some identity must be
/// configured; in every environment: Adapters:Mode must be valid, a configured signing key long enough, and every
/// adapter bound. Each failure names the setting; all of them are reported on one log line.
/// </summary>
public static class StartupChecks
{
    /// <summary>HMAC-SHA256 wants a key of at least 256 bits.</summary>
    public const int MinimumSigningKeyBytes = 32;

    public static IReadOnlyList<string> Problems(IServiceProvider services, IConfiguration config, IHostEnvironment environment)
    {
        var problems = new List<string>();
        var development = environment.IsDevelopment();
        if (AdapterBinder.ModeIsInvalid(config))
        {
            problems.Add($"Adapters:Mode is '{config["Adapters:Mode"]}'; it must be Sandbox or Real.");
            return problems;
        }
        var binder = services.GetRequiredService<AdapterBinder>();
        if (binder.Mode == AdapterMode.Sandbox && !development)
        {
            problems.Add($"Adapters:Mode is Sandbox (the default when unset), which runs only in Development; this is {environment.EnvironmentName}. Set Adapters:Mode=Real and bind Adapters:Ledger, Adapters:Bank and Adapters:Custody.");
        }
        else
        {
            problems.AddRange(Enum.GetValues<AdapterKind>().Select(binder.Problem).OfType<string>());
            problems.AddRange(HttpLedgerBankAdapters.Problems(config, development));
            problems.AddRange(Features.Crypto.Custody.HttpCustody.Problems(config, development));
        }

        var key = services.GetRequiredService<IOptions<AuthOptions>>().Value.SigningKey;
        if (string.IsNullOrEmpty(key))
        {
            if (!development) problems.Add("Auth:SigningKey is missing; set a random secret of at least 32 bytes (256 bits).");
        }
        else if (Encoding.UTF8.GetByteCount(key) < MinimumSigningKeyBytes)
        {
            problems.Add($"Auth:SigningKey is {Encoding.UTF8.GetByteCount(key) * 8} bits; it must be at least 256 bits (32 bytes).");
        }

        var oidc = services.GetRequiredService<IOptions<OidcOptions>>().Value;
        problems.AddRange(oidc.Problems());
        var identities = services.GetRequiredService<IOptions<Identity.IdentityOptions>>().Value;
        // A user without a password hash can never sign in outside Development, so only users with one count.
        if (!development && !oidc.Enabled && !identities.Users.Any(u => !string.IsNullOrEmpty(u.PasswordHash)) && !identities.ApiKeys.Any(k => !string.IsNullOrEmpty(k.Key)))
        {
            problems.Add("Identities: no identity source is configured (no Auth:Oidc provider, no Identities:Users with a PasswordHash and no Identities:ApiKeys), so nobody could sign in.");
        }
        // Signed webhooks send their events as senders named hook:<service>; the event inbox deduplicates per sender, so
        // an API key of that name could make a genuine delivery look like a repeat of its own (attacker review).
        foreach (var reserved in identities.ApiKeys.Where(k => k.Name?.StartsWith("hook:", StringComparison.OrdinalIgnoreCase) == true))
            problems.Add($"Identities:ApiKeys: the name '{reserved.Name}' is reserved for signed webhooks (hook:…); choose another.");
        return problems;
    }

    /// <summary>Logs the problems on one critical line and throws, so the host never starts serving.</summary>
    public static void Enforce(WebApplication app)
    {
        var problems = Problems(app.Services, app.Configuration, app.Environment);
        if (problems.Count == 0) return;
        var message = $"Refusing to start: {string.Join(" ", problems)}";
        app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Startup").LogCritical("{Problems}", message);
        throw new StartupCheckException(message);
    }
}
