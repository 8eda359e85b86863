using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Expressions;

public sealed record CheckExpressionRequest(string? Expression, Dictionary<string, string>? Variables);

public sealed record ExpressionError(int Position, string Message);

public sealed record CheckExpressionResponse(bool Valid, string Type, IReadOnlyList<ExpressionError> Errors);

public sealed record EvaluateExpressionRequest(string? Expression, JsonObject? Variables);

public sealed record EvaluateExpressionResponse(JsonNode? Value, string Type);

/// <summary>The same parser, checker and evaluator the engine uses, for the designer's inline checks and dry runs.</summary>
public static class ExpressionsApi
{
    public static void MapExpressionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/expressions").WithTags("Expressions").ProducesProblems(400, 401);
        group.MapPost("/check", Check).ProducesProblems(422).WithName("checkExpression").WithSummary("Check an expression for errors");
        group.MapPost("/evaluate", Evaluate).ProducesProblems(422).WithName("evaluateExpression").WithSummary("Evaluate an expression on sample data");
        group.MapGet("/functions", () => TypedResults.Ok(ExpressionFunctions.All)).WithName("listExpressionFunctions").WithSummary("List the functions expressions can use");
    }

    private static Ok<CheckExpressionResponse> Check(CheckExpressionRequest? request)
    {
        var source = Require.Text(request?.Expression, "expression", ExpressionLimits.MaxSourceLength);
        if (!CompiledExpression.TryParse(source, out var expression, out var syntax))
        {
            return TypedResults.Ok(new CheckExpressionResponse(false, "any", [.. syntax.Select(e => new ExpressionError(e.Position, e.Message))]));
        }
        if (request!.Variables is null) return TypedResults.Ok(new CheckExpressionResponse(true, "any", []));
        var types = request.Variables.ToDictionary(v => v.Key, v => WorkflowValidator.ToExpressionType(v.Value), StringComparer.Ordinal);
        var check = expression.Check(types);
        return TypedResults.Ok(new CheckExpressionResponse(check.Errors.Count == 0, check.Type.ToString().ToLowerInvariant(), [.. check.Errors.Select(e => new ExpressionError(e.Position, e.Message))]));
    }


    private static Ok<EvaluateExpressionResponse> Evaluate(EvaluateExpressionRequest? request, TimeProvider clock)
    {
        var source = Require.Text(request?.Expression, "expression", ExpressionLimits.MaxSourceLength);
        if (!CompiledExpression.TryParse(source, out var expression, out var syntax))
        {
            throw ApiProblemException.Invalid("expression", syntax[0].Message);
        }
        var variables = InstancesApi.ToInput(request!.Variables, "variables");
        // The same caps as a dry run: the variables and the result are the caller's data, sent back in the answer.
        long total = 0;
        foreach (var (name, v) in variables) total += DryRun.DryRunApi.Budget.Measure($"variables.{name}", v);
        if (total > DryRun.DryRunApi.Budget.MaxStateBytes)
            throw new Workflows.Runtime.StepLimitExceededException("maxStateBytes", $"The variables take about {total} bytes; the cap is {DryRun.DryRunApi.Budget.MaxStateBytes}.");
        var scope = new DictionaryScope(variables, clock.GetUtcNow());
        try
        {
            var value = expression.Evaluate(scope);
            DryRun.DryRunApi.Budget.Measure("The result", value);
            return TypedResults.Ok(new EvaluateExpressionResponse(ExpressionValues.ToJsonNode(value), ExpressionValues.TypeOf(value).ToString().ToLowerInvariant()));
        }
        catch (ExpressionEvaluationException ex)
        {
            throw ApiProblemException.Invalid("expression", ex.Message);
        }
    }

    private sealed class DictionaryScope(Dictionary<string, object?> values, DateTimeOffset now) : IExpressionScope
    {
        public DateTimeOffset Now { get; } = now;

        public bool TryGetValue(string name, out object? value) => values.TryGetValue(name, out value);
    }
}
