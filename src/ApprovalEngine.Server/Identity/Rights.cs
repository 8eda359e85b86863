using ApprovalEngine.Flows.Crypto;

namespace ApprovalEngine.Server.Identity;

/// <summary>Rights beyond task permissions; held by people (claims) or systems (API keys).</summary>
public static class Rights
{
    public const string Submit = "submit";
    public const string ApproveWorkOrders = "workorders:approve";
    public const string EditDefinitions = "definitions:edit";

    /// <summary>Approve or reject another analyst's publish request; suspend and resume versions.</summary>
    public const string ApproveDefinitions = "definitions:approve";
    public const string RetryIncidents = "incidents:retry";
    public const string CancelInstances = "instances:cancel";
    public const string ExportWdRequests = "wd:export";
    public const string CreateWdRequests = "wd:create";
    public const string Sandbox = "sandbox";

    /// <summary>Change the fiat withdrawal configuration (channels, rules, limits, interception, review rules, settings).</summary>
    public const string ConfigureFiat = "fiat:configure";

    /// <summary>Change the crypto configuration (coins and networks: precision, limits, fee, confirmations, deposit/withdrawal on or off).</summary>
    public const string ConfigureCrypto = "crypto:configure";

    /// <summary>Scrape <c>/metrics</c> (README "Observability"): operational counts only, held by the monitoring system's key.</summary>
    public const string ReadMetrics = "metrics:read";
    /// <summary>Manage systems' webhook subscriptions, read their deliveries and resend them (issue 15).</summary>
    public const string ManageWebhooks = "webhooks:manage";

    /// <summary>
    /// Manage staff accounts in the app (/api/admin/users). Held only through configuration (Identities:Users or an
    /// Auth:Oidc group mapping): the app itself never grants it (ADR 21).
    /// </summary>
    public const string ManageUsers = "users:manage";

    /// <summary>Every right a person can hold; stored accounts and the provider mapping accept only these.</summary>
    public static readonly IReadOnlyList<string> All =
        [Submit, ApproveWorkOrders, EditDefinitions, ApproveDefinitions, RetryIncidents, CancelInstances, ExportWdRequests, CreateWdRequests, Sandbox, ConfigureFiat, ConfigureCrypto, ManageUsers, ManageWebhooks, ReadMetrics];
}

public static class ClaimNames
{
    public const string Subject = "sub";
    public const string Name = "name";
    public const string Role = "role";
    public const string Department = "department";
    public const string Permission = "permission";
    public const string Right = "right";
    public const string AllDepartments = "all_departments";
    public const string IsSystem = "is_system";
    public const string Scope = "scope";

    /// <summary>Which sign-in made the principal: <c>Oidc</c> for the provider's tokens (absent on our own).</summary>
    public const string SignInSource = "sign_in";
}

/// <summary>Scopes of calling systems (ADR 7); a held scope ending in <c>*</c> matches any suffix.</summary>
public static class Scopes
{
    public static string Start(string definitionId) => $"start:{definitionId}";

    public static string Event(string name) => $"events:{name}";

    public const string WdClientCancel = "wd:client-cancel";
    public const string WdComment = "wd:comment";
}

/// <summary>A person who signs in: departments, task permissions (e.g. wd:3) and rights.</summary>
public sealed record UserAccount
{
    public required string Username { get; init; }
    public string? DisplayName { get; init; }

    /// <summary>ASP.NET Core Identity password hash; development users compare with the username instead.</summary>
    public string? PasswordHash { get; init; }

    public string? Role { get; init; }
    public IReadOnlyList<string> Departments { get; init; } = [];
    public bool AllDepartments { get; init; }
    public IReadOnlyList<string> Permissions { get; init; } = [];
    public IReadOnlyList<string> Rights { get; init; } = [];
}

/// <summary>A calling system identified by an API key.</summary>
public sealed record ApiKeyAccount
{
    public required string Name { get; init; }
    public required string Key { get; init; }

    /// <summary>Route-level rights, as people hold them (e.g. wd:create, incidents:retry, sandbox).</summary>
    public IReadOnlyList<string> Rights { get; init; } = [];

    /// <summary>What the system may do inside flows: <c>start:&lt;id&gt;</c>, <c>events:&lt;name&gt;</c>, <c>read:&lt;id&gt;</c>, task-action scopes.</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];
}

/// <summary>Identities from configuration (<c>Identities:Users</c>, <c>Identities:ApiKeys</c>), plus the development ones in Development.</summary>
public sealed class IdentityOptions
{
    public List<UserAccount> Users { get; set; } = [];
    public List<ApiKeyAccount> ApiKeys { get; set; } = [];

    /// <summary>True only in Development: passwords equal usernames.</summary>
    public bool DevelopmentPasswords { get; set; }
}

public static class DevelopmentIdentities
{
    private static readonly string[] Wd123 = ["wd:1", "wd:2", "wd:3"];

    // Both checkers cancel and refund deposit records (one requests a refund, the other approves its work order);
    // only checker1 deletes abnormal applications, so a test can show that the delete right is its own.
    private static readonly string[] Checker1Permissions =
        [Rights.ApproveWorkOrders, CryptoNames.CancelDepositPermission, CryptoNames.RefundDepositPermission, CryptoNames.DeleteDepositPermission];

    private static readonly string[] Checker2Permissions = [Rights.ApproveWorkOrders, CryptoNames.CancelDepositPermission, CryptoNames.RefundDepositPermission];

    public static readonly IReadOnlyList<UserAccount> Users =
    [
        new() { Username = "cs1", DisplayName = "Customer Support 1", Role = "CS agent", Departments = ["CS"], Permissions = Wd123, Rights = [Rights.CreateWdRequests] },
        new() { Username = "retention1", DisplayName = "Retention 1", Role = "Retention agent", Departments = ["Retention"], Permissions = Wd123 },
        new() { Username = "dealing1", DisplayName = "Dealing 1", Role = "Dealer", Departments = ["Dealing"], Permissions = Wd123 },
        new() { Username = "bo1", DisplayName = "Backoffice 1", Role = "Backoffice officer", Departments = ["Backoffice"], Permissions = ["wd:1", "wd:2", "wd:3", "wd:4"], Rights = [Rights.ExportWdRequests] },
        new()
        {
            Username = "supervisor1", DisplayName = "Supervisor 1", Role = "Supervisor", Departments = ["CS", "Retention", "Dealing", "Backoffice", "Operations"], AllDepartments = true,
            Permissions = ["wd:1", "wd:2", "wd:3", "wd:4", "wd:5"],
            // Webhooks too: a subscription sends what its definition's readers see, so its manager must read the
            // definition (ADR 20, amendment), and the all-department supervisor reads every shipped flow by default.
            Rights = [Rights.ExportWdRequests, Rights.CreateWdRequests, Rights.RetryIncidents, Rights.CancelInstances, Rights.Sandbox, Rights.ConfigureFiat, Rights.ConfigureCrypto, Rights.ManageWebhooks],
        },
        // A second holder of fiat:configure: a change that weakens a fiat control waits for another configurer (ADR 15).
        // The Operations supervisor also configures coins.
        new()
        {
            Username = "supervisor2", DisplayName = "Supervisor 2", Role = "Operations supervisor", Departments = ["Operations"],
            Rights = [Rights.ConfigureFiat, Rights.ConfigureCrypto],
        },
        new() { Username = "maker1", DisplayName = "Maker 1", Role = "Operations maker", Departments = ["Operations"], Rights = [Rights.Submit] },
        new() { Username = "checker1", DisplayName = "Checker 1", Role = "Operations checker", Departments = ["Operations"], Permissions = Checker1Permissions, Rights = [Rights.ApproveWorkOrders] },
        new() { Username = "checker2", DisplayName = "Checker 2", Role = "Operations checker", Departments = ["Operations"], Permissions = Checker2Permissions, Rights = [Rights.ApproveWorkOrders] },
        // Two analysts, so that either can review what the other submits for publishing (never their own). They read
        // no instances, so they manage no webhooks either (ADR 20, amendment).
        new() { Username = "analyst1", DisplayName = "Analyst 1", Role = "Business analyst", Rights = [Rights.EditDefinitions, Rights.ApproveDefinitions] },
        new() { Username = "analyst2", DisplayName = "Analyst 2", Role = "Business analyst", Rights = [Rights.EditDefinitions, Rights.ApproveDefinitions] },
        // Manages staff accounts in the app; grants only what it holds itself (not definitions:approve, not fiat:configure).
        new()
        {
            Username = "admin1", DisplayName = "User administrator 1", Role = "User administrator", Permissions = ["wd:1", "wd:2", "wd:3", "wd:4"],
            Rights = [Rights.ManageUsers, Rights.EditDefinitions, Rights.CreateWdRequests, Rights.ExportWdRequests],
        },
        // A second user manager, so that tests can show one manager changing another's record (never their own).
        new() { Username = "admin2", DisplayName = "User administrator 2", Role = "User administrator", Rights = [Rights.ManageUsers] },
    ];

    public static readonly IReadOnlyList<ApiKeyAccount> ApiKeys =
    [
        new()
        {
            Name = "dev-system", Key = "dev-system-key",
            Rights = [Rights.CreateWdRequests, Rights.CancelInstances, Rights.RetryIncidents, Rights.Sandbox, Rights.ExportWdRequests],
            // What the shipped integrations do: the client areas start applications, the chain, bank and packing
            // services send events, the CRM client area cancels WD requests. No scope acts on people's tasks.
            Scopes =
            [
                Scopes.Start("sample-approval"), Scopes.Start("crypto-coin-withdrawal"), Scopes.Start("crypto-deposit"), Scopes.Start("crypto-address-verification"), Scopes.Start("fiat-withdrawal"),
                "events:*", "read:*", Scopes.WdClientCancel,
            ],
        },
        // What a local Prometheus scrapes /metrics with: that right alone, no scope (it starts, reads and sends nothing).
        new() { Name = "dev-metrics", Key = "dev-metrics-key", Rights = [Rights.ReadMetrics] },
    ];
}
