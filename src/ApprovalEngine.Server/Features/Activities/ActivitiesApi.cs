using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Activities;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Activities;

/// <summary>Activity descriptors for the designer's palette and property panel.</summary>
public static class ActivitiesApi
{
    public static void MapActivitiesApi(this IEndpointRouteBuilder app) =>
        app.MapGet("/api/activities", (ActivityRegistry registry) => TypedResults.Ok<IReadOnlyList<ActivityDescriptor>>([.. registry.Descriptors]))
            .WithTags("Activities").ProducesProblems(401).WithName("listActivities").WithSummary("List the activity types a workflow can use");
}
