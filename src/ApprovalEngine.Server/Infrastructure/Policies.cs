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

    /// <summary>The fiat operator actions: people of Operations (or of all departments), never a system (four eyes need people).</summary>
    public const string FiatOperator = nameof(FiatOperator);

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
        // PeopleOnly first: it is what the OpenAPI document reads to offer only the bearer scheme on these routes.
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
