using ApprovalEngine.Server.Identity;
using Microsoft.AspNetCore.Authorization;

namespace ApprovalEngine.Server.Infrastructure;

public static class Policies
{
    public const string EditDefinitions = nameof(EditDefinitions);
    public const string ApproveDefinitions = nameof(ApproveDefinitions);

    /// <summary>Publish requests and the definition journal: analysts who edit or review definitions.</summary>
    public const string ReviewDefinitions = nameof(ReviewDefinitions);
    public const string CancelInstances = nameof(CancelInstances);
    public const string RetryIncidents = nameof(RetryIncidents);
    public const string Sandbox = nameof(Sandbox);

    /// <summary>The Prometheus scrape endpoint (<c>/metrics</c>).</summary>
    public const string ReadMetrics = nameof(ReadMetrics);
    /// <summary>Webhook subscriptions and deliveries: holders of webhooks:manage (people or a system's key configured with it).</summary>
    public const string ManageWebhooks = nameof(ManageWebhooks);

    /// <summary>The fiat operator actions: people of Operations (or of all departments), never a system (four eyes need people).</summary>
    public const string FiatOperator = nameof(FiatOperator);

    /// <summary>
    /// Routes only people may call (their handlers then check department and rights): what a change names must be a
    /// person, or four eyes need two people. In the policy, not only in the handler, so the OpenAPI document offers
    /// these routes the bearer scheme alone.
    /// </summary>
    public const string People = nameof(People);
    /// <summary>Staff accounts (/api/admin/users): people holding users:manage, never a system.</summary>
    public const string ManageUsers = nameof(ManageUsers);

    public static void Add(AuthorizationOptions options)
    {
        options.FallbackPolicy = new AuthorizationPolicyBuilder().RequireAuthenticatedUser().Build();
        options.AddPolicy(EditDefinitions, p => p.RequireClaim(ClaimNames.Right, Rights.EditDefinitions));
        options.AddPolicy(ApproveDefinitions, p => p.RequireClaim(ClaimNames.Right, Rights.ApproveDefinitions));
        options.AddPolicy(ReviewDefinitions, p => p.RequireClaim(ClaimNames.Right, Rights.EditDefinitions, Rights.ApproveDefinitions));
        options.AddPolicy(CancelInstances, p => p.RequireClaim(ClaimNames.Right, Rights.CancelInstances));
        options.AddPolicy(RetryIncidents, p => p.RequireClaim(ClaimNames.Right, Rights.RetryIncidents));
        options.AddPolicy(Sandbox, p => p.RequireClaim(ClaimNames.Right, Rights.Sandbox));
        options.AddPolicy(ReadMetrics, p => p.RequireClaim(ClaimNames.Right, Rights.ReadMetrics));
        options.AddPolicy(ManageWebhooks, p => p.RequireClaim(ClaimNames.Right, Rights.ManageWebhooks));
        // PeopleOnly first: it is what the OpenAPI document reads to offer only the bearer scheme on these routes.
        options.AddPolicy(People, p => p.AddRequirements(PeopleOnlyRequirement.Instance));
        options.AddPolicy(ManageUsers, p => p.AddRequirements(PeopleOnlyRequirement.Instance).RequireClaim(ClaimNames.Right, Rights.ManageUsers));
        options.AddPolicy(FiatOperator, p => p.AddRequirements(PeopleOnlyRequirement.Instance).RequireAssertion(c => Features.Fiat.FiatAccess.IsOperator(c.User)));
    }
}

/// <summary>
/// Only people pass (a signed-in user, never a system's API key). A requirement of its own rather than an assertion so
/// that the OpenAPI document can see it in the route's policy and advertise only the bearer scheme there
/// (<see cref="ApiDocument"/>): what the document says comes from what the server enforces.
/// </summary>
public sealed class PeopleOnlyRequirement : AuthorizationHandler<PeopleOnlyRequirement>, IAuthorizationRequirement
{
    public static readonly PeopleOnlyRequirement Instance = new();

    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, PeopleOnlyRequirement requirement)
    {
        if (context.User.Identity?.IsAuthenticated == true && !context.User.IsSystem()) context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
