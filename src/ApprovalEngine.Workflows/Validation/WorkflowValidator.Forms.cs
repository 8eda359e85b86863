using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Activities.BuiltIn;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Workflows.Validation;

/// <summary>Publish-time checks of what callers may supply (ADR 7): start input constraints and action forms.</summary>
public sealed partial class WorkflowValidator
{
    private void ValidateTrust(WorkflowDefinition definition, IReadOnlyDictionary<string, ExpressionType> types, List<ValidationError> errors)
    {
        var inputNames = definition.Inputs.Where(i => i?.Name is not null).Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < definition.Inputs.Count; i++)
        {
            var input = definition.Inputs[i];
            if (input?.Name is null) continue;
            var at = $"/inputs/{i}";
            if (input.Source is not (null or "caller" or "domain")) errors.Add(new($"{at}/source", "source is 'caller' or 'domain'."));
            ValidateSpec(at, input, input.Type, types, errors, null);
            if (input.CurrencyInput is { } currency && (!inputNames.Contains(currency) || currency == input.Name))
                errors.Add(new($"{at}/currencyInput", $"currencyInput must name another input of the flow ('{currency}' is not one)."));
        }

        for (var a = 0; a < definition.Activities.Count; a++)
        {
            var activity = definition.Activities[a];
            if (activity?.Type != UserTaskActivity.TypeName || activity.Inputs?["actions"] is not JsonArray actions) continue;
            for (var j = 0; j < actions.Count; j++)
            {
                if (actions[j] is JsonObject action) ValidateAction(definition, activity, $"/activities/{a}/inputs/actions/{j}", action, types, errors);
            }
        }
    }

    private void ValidateAction(WorkflowDefinition definition, ActivityDefinition activity, string at, JsonObject action, IReadOnlyDictionary<string, ExpressionType> types, List<ValidationError> errors)
    {
        if (action["comment"] is { } comment && !(comment is JsonValue c && c.TryGetValue<string>(out var mode) && CommentModes.All.Contains(mode)))
            errors.Add(new($"{at}/comment", "comment is 'required', 'optional' or 'none'.", activity.Id));
        var fieldsNode = action["fields"];
        if (fieldsNode is null) return;
        if (fieldsNode is not JsonArray array)
        {
            errors.Add(new($"{at}/fields", "fields must be a list of { name, type, … }.", activity.Id));
            return;
        }
        var fields = new List<(FormField Field, int Index)>();
        for (var k = 0; k < array.Count; k++)
        {
            if (array[k] is not JsonObject node)
            {
                errors.Add(new($"{at}/fields/{k}", "A field must be an object { name, type, … }.", activity.Id));
                continue;
            }
            try
            {
                var field = node.Deserialize<FormField>(DefinitionJson.Options);
                if (field?.Name is null) errors.Add(new($"{at}/fields/{k}/name", "A field needs a name.", activity.Id));
                else fields.Add((field, k));
            }
            catch (JsonException ex)
            {
                errors.Add(new($"{at}/fields/{k}", $"The field is malformed: {ex.Message.Split(" Path:", 2)[0]}", activity.Id));
            }
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        var siblings = fields.Select(f => f.Field.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var (field, k) in fields)
        {
            var path = $"{at}/fields/{k}";
            if (!IdentifierPattern().IsMatch(field.Name)) errors.Add(new($"{path}/name", "Field names start with a letter and hold letters, digits or '_'.", activity.Id));
            else if (field.Name == "comment") errors.Add(new($"{path}/name", "'comment' is not a field; use the action's comment mode.", activity.Id));
            if (!seen.Add(field.Name)) errors.Add(new($"{path}/name", $"The field '{field.Name}' appears twice.", activity.Id));
            ValidateSpec(path, field, field.Type, types, errors, activity.Id, formScope: true);
            if (field.CurrencyInput is { } currency && !siblings.Contains(currency) && !types.ContainsKey(currency))
                errors.Add(new($"{path}/currencyInput", $"currencyInput must name another field of the action or a variable ('{currency}' is neither).", activity.Id));
            if (field.Variable is { } variable && !definition.Variables.Any(v => v.Name == variable))
                errors.Add(new($"{path}/variable", $"Unknown variable '{variable}'; declare it in the variables list.", activity.Id));
            if (Forms.TargetVariable(definition, field) is { } target && Forms.WhyProtected(definition, registry, target) is { } why)
                errors.Add(new(field.Variable is null ? $"{path}/name" : $"{path}/variable", why, activity.Id));
        }
        if (action["requiredFields"] is JsonArray required && fields.Count > 0)
        {
            foreach (var name in required.OfType<JsonValue>().Select(v => v.TryGetValue<string>(out var s) ? s : null))
            {
                if (name is not null && name != "comment" && !siblings.Contains(name))
                    errors.Add(new($"{at}/requiredFields", $"'{name}' is required but is not one of the action's fields.", activity.Id));
            }
        }
    }

    private static void ValidateSpec(string at, ValueSpec spec, string? type, IReadOnlyDictionary<string, ExpressionType> types, List<ValidationError> errors, string? activityId, bool formScope = false)
    {
        if (type is null || !VariableTypes.Contains(type)) errors.Add(new($"{at}/type", $"Unknown type '{type}'; use one of {string.Join(", ", VariableTypes)}."));
        var isNumber = type == "number";
        var isText = type == "string";
        if (!isNumber && (spec.Minimum ?? spec.Maximum ?? spec.ExclusiveMinimum) is not null || !isNumber && (spec.Scale is not null || spec.CurrencyInput is not null))
            errors.Add(new(at, "minimum, maximum, exclusiveMinimum, scale and currencyInput apply to numbers only.", activityId));
        if (!isText && (spec.MinLength is not null || spec.MaxLength is not null || spec.Pattern is not null || spec.Enum is not null || spec.Format is not null))
            errors.Add(new(at, "minLength, maxLength, pattern, enum and format apply to text only.", activityId));
        if (spec.Minimum is { } min && spec.Maximum is { } max && min > max) errors.Add(new($"{at}/minimum", "minimum is greater than maximum.", activityId));
        if (spec.ExclusiveMinimum is { } above && spec.Maximum is { } top && above >= top) errors.Add(new($"{at}/exclusiveMinimum", "exclusiveMinimum leaves no value up to maximum.", activityId));
        if (spec.Scale is < 0 or > 18) errors.Add(new($"{at}/scale", "scale is 0–18 decimal places.", activityId));
        if (spec.MinLength is < 0) errors.Add(new($"{at}/minLength", "minLength cannot be negative.", activityId));
        if (spec.MaxLength is < 0) errors.Add(new($"{at}/maxLength", "maxLength cannot be negative.", activityId));
        if (spec.MinLength is { } shortest && spec.MaxLength is { } longest && shortest > longest) errors.Add(new($"{at}/minLength", "minLength is greater than maxLength.", activityId));
        if (spec.Format is not (null or "currency")) errors.Add(new($"{at}/format", "The only format is 'currency'.", activityId));
        if (spec.Enum is { Count: 0 }) errors.Add(new($"{at}/enum", "enum needs at least one value.", activityId));
        if (spec.Pattern is { } pattern)
        {
            try
            {
                ValueChecker.Pattern(pattern);
            }
            catch (ArgumentException ex)
            {
                errors.Add(new($"{at}/pattern", $"The pattern is not a valid .NET regular expression: {ex.Message}", activityId));
            }
        }
        if (spec.Validation is { } validation)
        {
            if (string.IsNullOrWhiteSpace(validation.Expression)) errors.Add(new($"{at}/validation/expression", "The validation needs an expression.", activityId));
            var extra = new Dictionary<string, ExpressionType> { ["value"] = ToExpressionType(type ?? "any") };
            if (formScope)
            {
                extra["data"] = ExpressionType.Object;
                extra["action"] = ExpressionType.String;
            }
            CheckExpression($"{at}/validation/expression", validation.Expression, ExpressionType.Boolean, types, errors, activityId, extra);
        }
    }
}
