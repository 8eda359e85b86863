using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Validation;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Expressions;

/// <summary>
/// <paramref name="Definition"/> (the draft being edited) and <paramref name="Path"/> (the JSON pointer of the
/// expression in it, e.g. <c>/activities/3/inputs/actions/0/guard</c>) give the expression the scope and expected type
/// Validate checks it with. Without a definition, <paramref name="Variables"/> (name → type) is the whole scope.
/// </summary>
public sealed record CheckExpressionRequest(string? Expression, JsonNode? Definition = null, string? Path = null, Dictionary<string, string>? Variables = null);

/// <summary>
/// Where a problem is, in the one convention of the designer and the API: <c>line</c> and <c>column</c> count from 1
/// (what people read), <c>offset</c> and <c>length</c> count UTF-16 code units from 0 (what editors index).
/// </summary>
public sealed record SourcePosition(int Line, int Column, int Offset, int Length)
{
    public static SourcePosition From(SourceSpan span) => new(span.Line, span.Column, span.Offset, span.Length);
}

/// <summary>One problem: what is wrong (<c>message</c> does not repeat the place) and where.</summary>
public sealed record ExpressionDiagnosticView(string Message, SourcePosition At);

/// <summary>Obsolete: <c>position</c> is the 0-based offset; use <see cref="CheckExpressionResponse.Diagnostics"/>.</summary>
public sealed record ExpressionError(int Position, string Message);

/// <summary>
/// A name in scope: <c>kind</c> is <c>variable</c>, <c>output</c> (a variable an activity writes; <c>detail</c> names
/// it), <c>input</c> (a start input) or <c>context</c> (given by the engine or the place: the instance's status, a task
/// action's data, a form field's value, an event's payload…).
/// </summary>
public sealed record ScopeEntry(string Name, string Type, string Kind, string? Detail);

/// <param name="Expected">The result type the place requires (<c>boolean</c> for conditions and guards), if any.</param>
/// <param name="Errors">Obsolete, kept for older clients: the diagnostics with 0-based positions.</param>
public sealed record CheckExpressionResponse(bool Valid, string Type, string? Expected, IReadOnlyList<ExpressionDiagnosticView> Diagnostics, IReadOnlyList<ScopeEntry> Scope, IReadOnlyList<ExpressionError> Errors);

public sealed record EvaluateExpressionRequest(string? Expression, JsonObject? Variables);

public sealed record EvaluateExpressionResponse(JsonNode? Value, string Type);

/// <summary>The same parser, checker and evaluator the engine uses, for the designer's inline checks and dry runs.</summary>
public static class ExpressionsApi
{
    public static void MapExpressionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/expressions").WithTags("Expressions").ProducesProblems(400, 401);
        // Checking and the function list serve the designer's expression editor: those who may edit definitions.
        group.MapPost("/check", Check).RequireAuthorization(Policies.EditDefinitions).ProducesProblems(403, 413, 422).WithName("checkExpression").WithSummary("Check an expression for errors");
        group.MapPost("/evaluate", Evaluate).ProducesProblems(422).WithName("evaluateExpression").WithSummary("Evaluate an expression on sample data");
        group.MapGet("/functions", () => TypedResults.Ok(ExpressionFunctions.All)).RequireAuthorization(Policies.EditDefinitions).ProducesProblems(403).WithName("listExpressionFunctions").WithSummary("List the functions expressions can use");
    }

    /// <summary>What the engine and the place supply besides the flow's declarations, for the autocomplete's hints.</summary>
    private static readonly Dictionary<string, string> ContextNames = new(StringComparer.Ordinal)
    {
        ["businessStatus"] = "the instance's business status",
        ["department"] = "the department the instance is with",
        ["correlationId"] = "the instance's correlation id",
        ["instanceId"] = "the instance's id",
        ["action"] = "the action being taken",
        ["comment"] = "the comment given with the action",
        ["data"] = "the form data given with the action",
        ["actor"] = "who takes the action",
        ["value"] = "the value of the form field",
        ["event"] = "the event's payload",
        ["tick"] = "the time of the cron tick",
    };

    private static Ok<CheckExpressionResponse> Check(CheckExpressionRequest? request, WorkflowValidator validator, ActivityRegistry registry)
    {
        if (request?.Expression is null) throw ApiProblemException.Invalid("expression", "'expression' is required (it may be empty).");
        var source = request.Expression;
        if (source.Length > ExpressionLimits.MaxSourceLength)
            throw ApiProblemException.Invalid("expression", $"'expression' is longer than {ExpressionLimits.MaxSourceLength} characters.");

        IReadOnlyDictionary<string, ExpressionType>? scope = null;
        ExpressionType? expected = null;
        var entries = new List<ScopeEntry>();
        if (request.Definition is not null)
        {
            var path = request.Path;
            if (string.IsNullOrEmpty(path) || !path.StartsWith('/') || path.Length > 400)
                throw ApiProblemException.Invalid("path", "'path' is the JSON pointer of the expression in the definition, e.g. /activities/2/inputs/condition.");
            var document = request.Definition.DeepClone();
            // A blank field is dropped by some readers (an action without a guard), so the place is found with a stand-in.
            if (!Place(document, path, string.IsNullOrWhiteSpace(source) ? "null" : source)) throw ApiProblemException.Invalid("path", $"The definition has no place '{path}' for an expression.");
            var (definition, problems) = DefinitionService.Parse(document);
            if (definition is null)
                throw ApiProblemException.Invalid("definition", $"The definition cannot be read: {(problems.Count > 0 ? $"{problems[0].Path} {problems[0].Message}".Trim() : "it is empty")}");
            ExpressionSite? site = null;
            // Validate itself decides the scope and the expected type: the check cannot drift from it.
            validator.Validate(definition, _ => true, s => { if (s.Path == path) site ??= s; });
            if (site is null) throw ApiProblemException.Invalid("path", $"No expression is checked at '{path}'.");
            scope = site.Scope;
            expected = site.Expected;
            var outputs = Forms.ActivityOutputSources(definition, registry);
            var variables = definition.Variables.Where(v => v.Name is not null).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
            var inputs = definition.Inputs.Where(v => v.Name is not null).Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
            foreach (var (name, nameType) in scope.OrderBy(e => e.Key, StringComparer.Ordinal))
            {
                var typeName = ExpressionChecks.Name(nameType);
                if (variables.Contains(name))
                {
                    var writer = outputs.TryGetValue(name, out var id) ? definition.Activities.FirstOrDefault(a => a.Id == id) : null;
                    entries.Add(writer is null
                        ? new ScopeEntry(name, typeName, "variable", definition.Variables.First(v => v.Name == name).Description)
                        : new ScopeEntry(name, typeName, "output", $"written by {writer.DisplayName ?? writer.Id}"));
                }
                else if (inputs.Contains(name))
                {
                    entries.Add(new ScopeEntry(name, typeName, "input", "start input"));
                }
                else
                {
                    entries.Add(new ScopeEntry(name, typeName, "context", ContextNames.GetValueOrDefault(name)));
                }
            }
        }
        else if (request.Variables is not null)
        {
            scope = request.Variables.ToDictionary(v => v.Key, v => WorkflowValidator.ToExpressionType(v.Value), StringComparer.Ordinal);
            entries.AddRange(scope.OrderBy(e => e.Key, StringComparer.Ordinal).Select(e => new ScopeEntry(e.Key, ExpressionChecks.Name(e.Value), "variable", null)));
        }

        IReadOnlyList<ExpressionDiagnostic> diagnostics;
        var type = ExpressionType.Any;
        if (scope is null)
        {
            // Only the text: syntax, functions and argument counts.
            diagnostics = string.IsNullOrWhiteSpace(source) || CompiledExpression.TryParse(source, out _, out var syntax) ? [] : syntax;
        }
        else
        {
            (type, diagnostics) = ExpressionChecks.Check(source, scope, expected);
        }
        return TypedResults.Ok(new CheckExpressionResponse(
            diagnostics.Count == 0,
            ExpressionChecks.Name(type),
            expected is { } e ? ExpressionChecks.Name(e) : null,
            [.. diagnostics.Select(d => new ExpressionDiagnosticView(d.Message, SourcePosition.From(d.Span)))],
            entries,
            [.. diagnostics.Select(d => new ExpressionError(d.Position, d.Message))]));
    }

    /// <summary>Puts <paramref name="expression"/> at the JSON pointer <paramref name="path"/>; the parent must exist.</summary>
    private static bool Place(JsonNode? document, string path, string expression)
    {
        var segments = path[1..].Split('/').Select(s => s.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)).ToArray();
        var node = document;
        for (var i = 0; i < segments.Length - 1; i++)
        {
            node = node switch
            {
                JsonObject o => o[segments[i]],
                JsonArray a when int.TryParse(segments[i], out var k) && k >= 0 && k < a.Count => a[k],
                _ => null,
            };
            if (node is null) return false;
        }
        var last = segments[^1];
        switch (node)
        {
            case JsonObject parent when last.Length > 0:
                parent[last] = expression;
                return true;
            case JsonArray list when int.TryParse(last, out var index) && index >= 0 && index < list.Count:
                list[index] = expression;
                return true;
            default:
                return false;
        }
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
