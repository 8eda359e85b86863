using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Activities.BuiltIn;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Workflows.Validation;

/// <summary>
/// One reason a definition cannot be published; <see cref="Path"/> is a JSON pointer into the definition. For a problem
/// in an expression, <see cref="At"/> is where in the expression's text (see <see cref="SourceSpan"/>) and
/// <see cref="Message"/> does not repeat it.
/// </summary>
public sealed record ValidationError(string Path, string Message, string? ActivityId = null, SourceSpan? At = null)
{
    /// <summary>The message with the place in the expression, if any: what a plain-text report (a 422 problem) shows.</summary>
    public string Describe() => At is { } at ? $"{Message} (at {at.Describe()})" : Message;
}

/// <summary>
/// One expression the validator checks: its pointer, its text, the names in scope there with their types and the result
/// type it must have. The designer's inline check asks for the site of the field being edited, so it checks with exactly
/// what Validate checks with.
/// </summary>
public sealed record ExpressionSite(string Path, string? Source, IReadOnlyDictionary<string, ExpressionType> Scope, ExpressionType? Expected, string? ActivityId);

/// <summary>The one check of one expression, used by Validate and by <c>POST /api/expressions/check</c>.</summary>
public static class ExpressionChecks
{
    /// <summary>
    /// Parses and type-checks <paramref name="source"/> against <paramref name="scope"/>; blank text has no problems
    /// (whether a blank is allowed is the field's own rule). Problems carry the expression's span; a result of the wrong
    /// type is reported over the whole expression.
    /// </summary>
    public static (ExpressionType Type, IReadOnlyList<ExpressionDiagnostic> Problems) Check(string? source, IReadOnlyDictionary<string, ExpressionType> scope, ExpressionType? expected)
    {
        if (string.IsNullOrWhiteSpace(source)) return (ExpressionType.Any, []);
        if (!CompiledExpression.TryParse(source, out var expression, out var syntax)) return (ExpressionType.Any, syntax);
        var check = expression.Check(scope);
        if (check.Errors.Count == 0 && expected is { } want && check.Type is not ExpressionType.Any and not ExpressionType.Null && check.Type != want)
        {
            var start = source.Length - source.TrimStart().Length;
            var whole = SourceSpan.At(source, start, source.Trim().Length);
            return (check.Type, [new ExpressionDiagnostic(whole, $"Expected a {Name(want)} expression, but this is a {Name(check.Type)}.")]);
        }
        return (check.Type, check.Errors);
    }

    /// <summary>The lower-case type name the API and the messages use.</summary>
    public static string Name(ExpressionType type) => type.ToString().ToLowerInvariant();
}

/// <summary>The error list of one validation, which also reports the expression sites it checks when asked to.</summary>
internal sealed class ValidationErrors(Action<ExpressionSite>? sites) : List<ValidationError>
{
    public Action<ExpressionSite>? Sites { get; } = sites;
}

/// <summary>
/// Checks a definition before it is saved or published: structure, activity types and inputs, connections,
/// reachability, expressions (syntax, types, variables), sub-workflow references and loops without a wait state.
/// </summary>
public sealed partial class WorkflowValidator(ActivityRegistry registry)
{
    public static readonly IReadOnlySet<string> VariableTypes = new HashSet<string> { "string", "number", "boolean", "datetime", "list", "object", "any" };

    [GeneratedRegex("^[A-Za-z][A-Za-z0-9_]{0,63}$")]
    private static partial Regex IdentifierPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,99}$")]
    private static partial Regex DefinitionIdPattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9_.-]{0,99}$")]
    private static partial Regex ActivityIdPattern();

    /// <param name="definitionExists">Whether a published definition with that id exists (for CallWorkflow).</param>
    /// <param name="sites">Told about every expression the validation checks (its scope and expected type).</param>
    public IReadOnlyList<ValidationError> Validate(WorkflowDefinition definition, Func<string, bool>? definitionExists = null, Action<ExpressionSite>? sites = null)
    {
        var errors = new ValidationErrors(sites);
        definitionExists ??= _ => true;
        if (!DefinitionIdPattern().IsMatch(definition.Id ?? ""))
            errors.Add(new("/id", "The id must be 1–100 lower-case letters, digits, '.', '_' or '-'."));
        if (string.IsNullOrWhiteSpace(definition.Name) || definition.Name.Length > 200)
            errors.Add(new("/name", "The name is required (at most 200 characters)."));
        if (definition.Description?.Length > 4000) errors.Add(new("/description", "The description is longer than 4000 characters."));

        var types = ValidateVariables(definition, errors);
        var activities = definition.Activities;
        var byId = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < activities.Count; i++)
        {
            var a = activities[i];
            if (!ActivityIdPattern().IsMatch(a.Id ?? ""))
                errors.Add(new($"/activities/{i}/id", "Activity ids are 1–100 letters, digits, '_', '.' or '-'.", a.Id));
            else if (!byId.TryAdd(a.Id!, i))
                errors.Add(new($"/activities/{i}/id", $"The activity id '{a.Id}' is used twice.", a.Id));
        }
        var starts = activities.Select((a, i) => (a, i)).Where(x => x.a.Type == StartActivity.TypeName).ToList();
        if (starts.Count == 0) errors.Add(new("/activities", "The flow needs exactly one Start activity."));
        foreach (var extra in starts.Skip(1)) errors.Add(new($"/activities/{extra.i}/type", "Only one Start activity is allowed.", extra.a.Id));

        var outcomes = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
        for (var i = 0; i < activities.Count; i++)
        {
            var a = activities[i];
            if (!registry.TryGet(a.Type ?? "", out var activity))
            {
                errors.Add(new($"/activities/{i}/type", $"Unknown activity type '{a.Type}'.", a.Id));
                continue;
            }
            var context = new ActivityValidationContext(a, i, types, errors, definitionExists);
            ValidateInputs(activity.Descriptor, context);
            try
            {
                activity.Validate(a, context);
                outcomes[a.Id] = activity.GetOutcomes(a);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
            {
                // A malformed input (e.g. an action's fields that do not read as a form) is the author's error, not a crash.
                errors.Add(new($"/activities/{i}/inputs", $"The inputs cannot be read: {ex.Message.Split(" Path:", 2)[0]}", a.Id));
            }
        }
        ValidateTrust(definition, types, errors);

        ValidateConnections(definition, byId, outcomes, errors);
        for (var i = 0; i < definition.Interrupts.Count; i++)
        {
            var interrupt = definition.Interrupts[i];
            if (string.IsNullOrWhiteSpace(interrupt.Event)) errors.Add(new($"/interrupts/{i}/event", "An interrupt needs an event name."));
            if (!byId.ContainsKey(interrupt.Target ?? "")) errors.Add(new($"/interrupts/{i}/target", $"Unknown target activity '{interrupt.Target}'."));
            if (interrupt.Condition is not null) CheckExpression($"/interrupts/{i}/condition", interrupt.Condition, ExpressionType.Boolean, types, errors, null, extra: new Dictionary<string, ExpressionType> { ["event"] = ExpressionType.Any });
        }
        ValidateFourEyes(definition, errors);
        ValidateStartTriggers(definition, errors);
        // The customer filter of GET /api/instances reads this variable; one that is never declared would match nothing.
        if (definition.Customer is { } customer && !definition.Variables.Any(v => v.Name == customer) && !definition.Inputs.Any(v => v.Name == customer))
        {
            errors.Add(new("/customer", $"'{customer}' is not a declared variable or input of this flow."));
        }
        // The inbox shows and searches these variables; one that is never declared would show and match nothing.
        foreach (var column in SubjectColumns.Columns)
        {
            if (definition.Subject?.Named(column) is { } name && !definition.Variables.Any(v => v.Name == name) && !definition.Inputs.Any(v => v.Name == name))
            {
                errors.Add(new($"/subject/{column}", $"'{name}' is not a declared variable or input of this flow."));
            }
        }
        // Always, not only when everything else is fine: an analyst who fixes the reported problems must not then meet a
        // second round of them. Dangling connections and bad ids were reported above and are left out of the walk.
        ValidateGraph(definition, byId, errors);
        return errors;
    }

    /// <summary>
    /// Start triggers (ADR 9): an event with a correlation expression, or a cron schedule Quartz parses, never both;
    /// inputs name declared start inputs and are expressions over <c>event</c> or <c>tick</c>. A flow that only a
    /// domain route may start (<c>start.via</c>) cannot be started by a trigger.
    /// </summary>
    private void ValidateStartTriggers(WorkflowDefinition definition, List<ValidationError> errors)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var inputs = definition.Inputs.Select(i => i.Name).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < definition.StartTriggers.Count; i++)
        {
            var trigger = definition.StartTriggers[i];
            var path = $"/startTriggers/{i}";
            if (definition.Start?.Via is { } via) errors.Add(new(path, $"Only {via} starts this flow (start.via), so no trigger may start it."));
            if (!keys.Add(trigger.KeyAt(i))) errors.Add(new($"{path}/id", $"The trigger '{trigger.KeyAt(i)}' is declared twice; give each an id."));
            if (trigger.Id is { } id && !ActivityIdPattern().IsMatch(id)) errors.Add(new($"{path}/id", "Trigger ids are 1–100 letters, digits, '_', '.' or '-'."));
            var scope = new Dictionary<string, ExpressionType>(StringComparer.Ordinal);
            if (trigger.Event is not null == trigger.Cron is not null)
            {
                errors.Add(new(path, "A trigger has either an event or a cron schedule."));
                continue;
            }
            if (trigger.Event is { } name)
            {
                if (string.IsNullOrWhiteSpace(name) || name.Length > 100) errors.Add(new($"{path}/event", "The event name is 1–100 characters."));
                if (trigger.TimeZone is not null) errors.Add(new($"{path}/timeZone", "A time zone belongs to a cron trigger."));
                if (string.IsNullOrWhiteSpace(trigger.Correlation)) errors.Add(new($"{path}/correlation", "An event trigger needs a correlation expression (over event) for the instance's correlation id."));
                scope["event"] = ExpressionType.Any;
                CheckExpression($"{path}/correlation", trigger.Correlation, null, scope, errors, null);
            }
            else
            {
                if (trigger.Correlation is not null) errors.Add(new($"{path}/correlation", "A cron trigger has no correlation (each tick starts one instance)."));
                if (registry.Cron is null)
                {
                    errors.Add(new($"{path}/cron", "This host has no cron scheduler."));
                }
                else if (registry.Cron.Next(trigger.Cron!, DateTimeOffset.UnixEpoch, trigger.TimeZone, out var error) is null)
                {
                    var field = error?.Contains("time zone", StringComparison.OrdinalIgnoreCase) == true ? "timeZone" : "cron";
                    errors.Add(new($"{path}/{field}", error ?? "The cron expression never fires."));
                }
                scope["tick"] = ExpressionType.DateTime;
            }
            foreach (var (input, expression) in trigger.Input ?? new Dictionary<string, string>())
            {
                if (!inputs.Contains(input)) errors.Add(new($"{path}/input/{input}", $"'{input}' is not a start input of this flow."));
                if (string.IsNullOrWhiteSpace(expression)) errors.Add(new($"{path}/input/{input}", "The input needs an expression."));
                else CheckExpression($"{path}/input/{input}", expression, null, scope, errors, null);
            }
        }
    }

    /// <summary><c>differentFrom</c> names the starter or user tasks of the same flow; anything else would never match.</summary>
    private static void ValidateFourEyes(WorkflowDefinition definition, List<ValidationError> errors)
    {
        var userTasks = definition.Activities.Where(a => a.Type == UserTaskActivity.TypeName && a.Id is not null).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        for (var i = 0; i < definition.Activities.Count; i++)
        {
            var activity = definition.Activities[i];
            if (activity.Type != UserTaskActivity.TypeName) continue;
            IReadOnlyList<UserTaskAction> actions;
            try
            {
                actions = UserTaskActivity.ReadActions(activity);
            }
            catch (Exception ex) when (ex is System.Text.Json.JsonException or InvalidOperationException or FormatException)
            {
                continue; // reported by the activity's own validation
            }
            for (var j = 0; j < actions.Count; j++)
            {
                for (var k = 0; k < actions[j].DifferentFrom.Count; k++)
                {
                    var name = actions[j].DifferentFrom[k];
                    if (name == WorkflowEngine.StarterReference || userTasks.Contains(name)) continue;
                    errors.Add(new($"/activities/{i}/inputs/actions/{j}/differentFrom/{k}",
                        $"differentFrom names '{WorkflowEngine.StarterReference}' or a user task of this flow; '{name}' is neither.", activity.Id));
                }
            }
        }
    }

    private static Dictionary<string, ExpressionType> ValidateVariables(WorkflowDefinition definition, List<ValidationError> errors)
    {
        var types = new Dictionary<string, ExpressionType>(ExpressionScope.BuiltInNames, StringComparer.Ordinal);
        var declared = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < definition.Variables.Count; i++)
        {
            var v = definition.Variables[i];
            if (!IdentifierPattern().IsMatch(v.Name ?? "")) { errors.Add(new($"/variables/{i}/name", "Variable names start with a letter and hold letters, digits or '_'.")); continue; }
            if (!declared.Add(v.Name!)) errors.Add(new($"/variables/{i}/name", $"The variable '{v.Name}' is declared twice."));
            if (!VariableTypes.Contains(v.Type)) errors.Add(new($"/variables/{i}/type", $"Unknown type '{v.Type}'; use one of {string.Join(", ", VariableTypes)}."));
            else if (v.Default is not null && !WorkflowEngine.TypeMatches(v.Type, SafeValue(v.Default))) errors.Add(new($"/variables/{i}/default", $"The default is not a {v.Type}."));
            types[v.Name!] = ToExpressionType(v.Type);
        }
        var inputs = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < definition.Inputs.Count; i++)
        {
            var input = definition.Inputs[i];
            if (!IdentifierPattern().IsMatch(input.Name ?? "")) { errors.Add(new($"/inputs/{i}/name", "Input names start with a letter and hold letters, digits or '_'.")); continue; }
            if (!inputs.Add(input.Name!)) errors.Add(new($"/inputs/{i}/name", $"The input '{input.Name}' is declared twice."));
            if (!VariableTypes.Contains(input.Type)) errors.Add(new($"/inputs/{i}/type", $"Unknown type '{input.Type}'."));
            types.TryAdd(input.Name!, ToExpressionType(input.Type));
        }
        types.TryAdd("event", ExpressionType.Any);
        return types;
    }

    private static object? SafeValue(JsonNode node)
    {
        try
        {
            return ExpressionValues.FromJsonNode(node);
        }
        catch (FormatException)
        {
            return null;
        }
    }

    /// <summary>The expression type of a declared variable or input type name.</summary>
    public static ExpressionType ToExpressionType(string type) => type switch
    {
        "string" => ExpressionType.String,
        "number" => ExpressionType.Number,
        "boolean" => ExpressionType.Boolean,
        "datetime" => ExpressionType.DateTime,
        "list" => ExpressionType.List,
        "object" => ExpressionType.Object,
        _ => ExpressionType.Any,
    };

    private static void ValidateInputs(ActivityDescriptor descriptor, ActivityValidationContext context)
    {
        var inputs = context.Activity.Inputs;
        foreach (var (name, value) in inputs)
        {
            var input = descriptor.Inputs.FirstOrDefault(i => i.Name == name);
            if (input is null)
            {
                context.Error(name, $"{descriptor.Type} has no input '{name}'.");
                continue;
            }
            if (value is null) continue;
            var ok = input.Kind switch
            {
                InputKinds.Text or InputKinds.Expression or InputKinds.Duration or InputKinds.Cron or InputKinds.Definition => value is JsonValue v && v.TryGetValue<string>(out _),
                InputKinds.Number => value is JsonValue n && n.TryGetValue<decimal>(out _),
                InputKinds.Boolean => value is JsonValue b && b.TryGetValue<bool>(out _),
                InputKinds.StringList => value is JsonArray a && a.All(x => x is JsonValue s && s.TryGetValue<string>(out _)),
                InputKinds.Assignments => value is JsonArray a && a.All(x => x is JsonObject o && IsString(o["name"]) && IsString(o["value"])),
                InputKinds.Cases => value is JsonArray a && a.All(x => x is JsonObject o && IsString(o["name"]) && IsString(o["condition"])),
                InputKinds.Actions => value is JsonArray a && a.All(x => x is JsonObject o && IsString(o["name"])
                    && (o["requiredFields"] is null || o["requiredFields"] is JsonArray f && f.All(IsString))
                    && OptionalString(o["displayName"]) && OptionalString(o["permission"]) && OptionalString(o["guard"]) && OptionalString(o["guardMessage"])),
                _ => true,
            };
            if (!ok) context.Error(name, $"'{name}' must be a {Describe(input.Kind)}.");
            else if (input.Options is { } options && value is JsonValue ov && ov.TryGetValue<string>(out var text) && !options.Contains(text))
                context.Error(name, $"'{name}' must be one of {string.Join(", ", options)}.");
        }
        foreach (var required in descriptor.Inputs.Where(i => i.Required))
        {
            var present = inputs.TryGetPropertyValue(required.Name, out var node) && node is not null
                && !(node is JsonValue v && v.TryGetValue<string>(out var s) && string.IsNullOrWhiteSpace(s));
            if (!present) context.Error(required.Name, $"'{required.DisplayName ?? required.Name}' is required.");
        }
    }

    private static bool IsString(JsonNode? node) => node is JsonValue v && v.TryGetValue<string>(out _);

    private static bool OptionalString(JsonNode? node) => node is null || IsString(node);

    private static string Describe(string kind) => kind switch
    {
        InputKinds.StringList => "list of strings",
        InputKinds.Assignments => "list of { name, value }",
        InputKinds.Cases => "list of { name, condition }",
        InputKinds.Actions => "list of actions { name, displayName?, permission?, guard?, guardMessage?, requiredFields? }",
        InputKinds.Number => "number",
        InputKinds.Boolean => "boolean",
        _ => "string",
    };

    private static void ValidateConnections(WorkflowDefinition definition, Dictionary<string, int> byId, Dictionary<string, IReadOnlyList<string>> outcomes, List<ValidationError> errors)
    {
        var seen = new HashSet<(string, string)>();
        for (var i = 0; i < definition.Connections.Count; i++)
        {
            var c = definition.Connections[i];
            if (!byId.ContainsKey(c.Source ?? "")) { errors.Add(new($"/connections/{i}/source", $"Dangling connection: no activity '{c.Source}'.")); continue; }
            if (!byId.ContainsKey(c.Target ?? "")) errors.Add(new($"/connections/{i}/target", $"Dangling connection: no activity '{c.Target}'.", c.Source));
            if (outcomes.TryGetValue(c.Source!, out var known) && !known.Contains(c.Outcome))
                errors.Add(new($"/connections/{i}/outcome", $"'{c.Source}' has no outcome '{c.Outcome}' (it has {(known.Count == 0 ? "none" : string.Join(", ", known))}).", c.Source));
            if (!seen.Add((c.Source!, c.Outcome ?? "")))
                errors.Add(new($"/connections/{i}", $"Outcome '{c.Outcome}' of '{c.Source}' is connected twice.", c.Source));
        }
    }

    private void ValidateGraph(WorkflowDefinition definition, Dictionary<string, int> byId, List<ValidationError> errors)
    {
        var next = byId.Keys.ToDictionary(id => id, _ => new List<string>(), StringComparer.Ordinal);
        var previous = byId.Keys.ToDictionary(id => id, _ => new List<string>(), StringComparer.Ordinal);
        foreach (var c in definition.Connections)
        {
            if (c.Source is null || c.Target is null || !next.ContainsKey(c.Source) || !next.ContainsKey(c.Target)) continue;
            next[c.Source].Add(c.Target);
            previous[c.Target].Add(c.Source);
        }
        var known = definition.Activities.Where((a, i) => a.Id is not null && byId.TryGetValue(a.Id, out var at) && at == i).ToList();
        var roots = known.Where(a => a.Type == StartActivity.TypeName).Select(a => a.Id).Concat(definition.Interrupts.Select(i => i.Target).OfType<string>());
        var reachable = Walk(roots, next);
        var ends = known.Where(a => a.Type == EndActivity.TypeName).Select(a => a.Id).ToList();
        if (ends.Count == 0) errors.Add(new("/activities", "The flow needs at least one End activity."));
        var reachesEnd = Walk(ends, previous);
        // Without a Start everything would be "unreachable"; the missing Start is reported already.
        var hasStart = known.Any(a => a.Type == StartActivity.TypeName);
        foreach (var a in known)
        {
            var i = byId[a.Id];
            if (!hasStart && !reachable.Contains(a.Id)) continue;
            if (!reachable.Contains(a.Id)) errors.Add(new($"/activities/{i}", $"'{a.DisplayName ?? a.Id}' is unreachable from Start.", a.Id));
            else if (ends.Count > 0 && !reachesEnd.Contains(a.Id)) errors.Add(new($"/activities/{i}", $"'{a.DisplayName ?? a.Id}' has no path to an End.", a.Id));
        }

        // A cycle made only of activities that never wait would spin within one step forever.
        var spinning = known.Where(a => registry.TryGet(a.Type ?? "", out var t) && !t.Descriptor.IsWaitState).Select(a => a.Id).ToHashSet(StringComparer.Ordinal);
        foreach (var component in StronglyConnected(spinning, next))
        {
            var first = component[0];
            errors.Add(new($"/activities/{byId[first]}", $"The loop {string.Join(" → ", component)} has no wait state; an instance would spin forever.", first));
        }
    }

    private static HashSet<string> Walk(IEnumerable<string> roots, Dictionary<string, List<string>> edges)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var stack = new Stack<string>(roots.Where(edges.ContainsKey));
        while (stack.Count > 0)
        {
            var id = stack.Pop();
            if (!seen.Add(id)) continue;
            foreach (var n in edges[id]) stack.Push(n);
        }
        return seen;
    }

    /// <summary>Tarjan's algorithm over the given nodes; returns components that contain a cycle.</summary>
    private static List<List<string>> StronglyConnected(HashSet<string> nodes, Dictionary<string, List<string>> edges)
    {
        var index = 0;
        var indices = new Dictionary<string, int>();
        var low = new Dictionary<string, int>();
        var stack = new Stack<string>();
        var onStack = new HashSet<string>();
        var result = new List<List<string>>();

        void Connect(string v)
        {
            indices[v] = low[v] = index++;
            stack.Push(v);
            onStack.Add(v);
            foreach (var w in edges[v].Where(nodes.Contains))
            {
                if (!indices.TryGetValue(w, out var wIndex))
                {
                    Connect(w);
                    low[v] = Math.Min(low[v], low[w]);
                }
                else if (onStack.Contains(w))
                {
                    low[v] = Math.Min(low[v], wIndex);
                }
            }
            if (low[v] != indices[v]) return;
            var component = new List<string>();
            string x;
            do
            {
                x = stack.Pop();
                onStack.Remove(x);
                component.Add(x);
            }
            while (x != v);
            if (component.Count > 1 || edges[v].Contains(v))
            {
                component.Reverse();
                result.Add(component);
            }
        }

        foreach (var v in nodes.Order(StringComparer.Ordinal))
        {
            if (!indices.ContainsKey(v)) Connect(v);
        }
        return result;
    }

    internal static void CheckExpression(string path, string? source, ExpressionType? expected, IReadOnlyDictionary<string, ExpressionType> types, List<ValidationError> errors, string? activityId, IReadOnlyDictionary<string, ExpressionType>? extra = null)
    {
        var scope = types;
        if (extra is not null)
        {
            var merged = new Dictionary<string, ExpressionType>(types, StringComparer.Ordinal);
            foreach (var (k, v) in extra) merged.TryAdd(k, v);
            scope = merged;
        }
        (errors as ValidationErrors)?.Sites?.Invoke(new ExpressionSite(path, source, scope, expected, activityId));
        foreach (var e in ExpressionChecks.Check(source, scope, expected).Problems) errors.Add(new(path, e.Message, activityId, e.Span));
    }
}

/// <summary>Lets an activity type report problems in its own inputs, with paths relative to the activity.</summary>
public sealed class ActivityValidationContext
{
    private readonly int _index;
    private readonly IReadOnlyDictionary<string, ExpressionType> _types;
    private readonly List<ValidationError> _errors;
    private readonly Func<string, bool> _definitionExists;

    internal ActivityValidationContext(ActivityDefinition activity, int index, IReadOnlyDictionary<string, ExpressionType> types, List<ValidationError> errors, Func<string, bool> definitionExists)
    {
        Activity = activity;
        _index = index;
        _types = types;
        _errors = errors;
        _definitionExists = definitionExists;
    }

    public ActivityDefinition Activity { get; }

    public void Error(string inputPath, string message) =>
        _errors.Add(new($"/activities/{_index}/inputs/{inputPath}", message, Activity.Id));

    /// <summary>Checks the expression held by input <paramref name="input"/>.</summary>
    public void CheckExpression(string input, ExpressionType? expected) =>
        CheckExpression(input, Activity.Inputs[input] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null, expected);

    public void CheckExpression(string inputPath, string? source, ExpressionType? expected, bool taskGuard = false) =>
        WorkflowValidator.CheckExpression($"/activities/{_index}/inputs/{inputPath}", source, expected, _types, _errors, Activity.Id, taskGuard ? ExpressionScope.TaskGuardNames : null);

    public void CheckUnique(string inputPath, IEnumerable<string> names)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        foreach (var n in names)
        {
            if (!seen.Add(n)) Error(inputPath, $"'{n}' appears twice.");
        }
    }

    public void CheckVariableName(string inputPath, string name)
    {
        if (!_types.ContainsKey(name) || ExpressionScope.BuiltInNames.ContainsKey(name)) Error(inputPath, $"Unknown variable '{name}'; declare it in the variables list.");
    }

    public void CheckDuration(string input)
    {
        if (Activity.Inputs[input] is JsonValue v && v.TryGetValue<string>(out var text))
        {
            try
            {
                if (ActivityContext.ParseDuration(text) <= TimeSpan.Zero) Error(input, "The duration must be positive.");
            }
            catch (ExpressionEvaluationException ex)
            {
                Error(input, ex.Message);
            }
        }
    }

    public void CheckDefinitionExists(string input, string id)
    {
        if (!_definitionExists(id)) Error(input, $"No published definition '{id}'.");
    }
}
