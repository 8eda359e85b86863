using System.Text.RegularExpressions;
using ApprovalEngine.Workflows.Definitions;
using EngineError = ApprovalEngine.Workflows.Validation.ValidationError;
using NJsonSchema;
using NJsonSchema.Validation;

namespace ApprovalEngine.Server.Engine;

/// <summary>
/// Checks a definition document against the published JSON Schema (the same one the designer uses) before the
/// engine's semantic validation, so structural mistakes are reported with a JSON pointer and a plain message.
/// </summary>
public static partial class DefinitionSchemaValidator
{
    private static readonly Lazy<JsonSchema> Schema = new(() => JsonSchema.FromJsonAsync(DefinitionSchema.Json).GetAwaiter().GetResult());

    [GeneratedRegex(@"\[(\d+)\]")]
    private static partial Regex Index();

    /// <summary>A schema complaint with its kind, so a draft save can tell shape (refused) from content (kept, reported).</summary>
    public sealed record SchemaError(EngineError Error, ValidationErrorKind Kind);

    public static IReadOnlyList<EngineError> Validate(string json) => [.. ValidateDetailed(json).Select(e => e.Error)];

    public static IReadOnlyList<SchemaError> ValidateDetailed(string json) =>
        [.. Flatten(Schema.Value.Validate(json)).Select(error => new SchemaError(new EngineError(ToPointer(error.Path), Describe(error)), error.Kind))];

    private static IEnumerable<NJsonSchema.Validation.ValidationError> Flatten(IEnumerable<NJsonSchema.Validation.ValidationError> errors)
    {
        foreach (var error in errors)
        {
            if (error is ChildSchemaValidationError child && child.Errors.Count > 0)
            {
                foreach (var inner in Flatten(child.Errors.SelectMany(e => e.Value))) yield return inner;
            }
            else
            {
                yield return error;
            }
        }
    }

    /// <summary>NJsonSchema paths look like <c>#/activities[2].inputs</c>; JSON pointers like <c>/activities/2/inputs</c>.</summary>
    private static string ToPointer(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "#") return "";
        var p = Index().Replace(path.TrimStart('#'), "/$1").Replace('.', '/');
        return p.StartsWith('/') ? p : "/" + p;
    }

    private static string Describe(NJsonSchema.Validation.ValidationError error) => error.Kind switch
    {
        ValidationErrorKind.NoAdditionalPropertiesAllowed => $"Unknown property '{error.Property}'.",
        ValidationErrorKind.PropertyRequired => $"'{error.Property}' is required.",
        ValidationErrorKind.PatternMismatch => $"'{error.Property}' has characters that are not allowed.",
        ValidationErrorKind.StringTooLong => $"'{error.Property}' is too long.",
        ValidationErrorKind.StringTooShort => $"'{error.Property}' must not be empty.",
        ValidationErrorKind.TooManyItems => $"'{error.Property}' has too many items.",
        ValidationErrorKind.TooFewItems => $"'{error.Property}' needs at least one item.",
        ValidationErrorKind.NotInEnumeration => $"'{error.Property}' must be one of the allowed values.",
        _ => $"'{error.Property ?? "value"}' is invalid ({error.Kind}).",
    };
}
