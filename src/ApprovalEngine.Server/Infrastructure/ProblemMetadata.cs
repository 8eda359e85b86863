using Microsoft.AspNetCore.Http.Metadata;

namespace ApprovalEngine.Server.Infrastructure;

/// <summary>
/// Documents the problem responses an endpoint (or a group) can answer, so that the OpenAPI document the designer
/// generates its types from describes them: application/problem+json with the <c>errors</c> map
/// (<see cref="HttpValidationProblemDetails"/>, which is exactly what <see cref="ProblemExceptionHandler"/> writes).
/// </summary>
public static class ProblemMetadata
{
    private static readonly string[] ProblemJson = ["application/problem+json"];

    public static TBuilder ProducesProblems<TBuilder>(this TBuilder builder, params int[] statusCodes) where TBuilder : IEndpointConventionBuilder
    {
        foreach (var status in statusCodes)
        {
            builder.WithMetadata(new ProducesResponseTypeMetadata(status, typeof(HttpValidationProblemDetails), ProblemJson));
        }
        return builder;
    }
}
