using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Activities.BuiltIn;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Workflows.Runtime;

/// <summary>Comment modes of a user-task action (ADR 7).</summary>
public static class CommentModes
{
    public const string Required = "required";
    public const string Optional = "optional";
    public const string None = "none";

    public static readonly IReadOnlySet<string> All = new HashSet<string>(StringComparer.Ordinal) { Required, Optional, None };
}

/// <summary>
/// What an action's form accepts and which variables no form may write (ADR 7). Shared by the engine (run time), the
/// validator (publish time) and the views that show the form to clients, so the three cannot disagree.
/// </summary>
public static class Forms
{
    private static readonly ConditionalWeakTable<WorkflowDefinition, IReadOnlySet<string>> OutputCache = [];

    /// <summary>The comment mode in effect: the declared one, else required when legacy <c>requiredFields</c> names "comment".</summary>
    public static string CommentMode(UserTaskAction action) =>
        action.Comment ?? (action.RequiredFields.Contains("comment", StringComparer.Ordinal) ? CommentModes.Required : CommentModes.Optional);

    /// <summary>
    /// The fields the action accepts: its declared <c>fields</c> (a name also in <c>requiredFields</c> is required), or,
    /// for a legacy action without fields, its non-comment <c>requiredFields</c> as required values of any type.
    /// </summary>
    public static IReadOnlyList<FormField> EffectiveFields(UserTaskAction action)
    {
        var required = action.RequiredFields.Where(f => f != "comment").ToHashSet(StringComparer.Ordinal);
        if (action.Fields.Count > 0)
        {
            return [.. action.Fields.Select(f => required.Contains(f.Name) && !f.Required ? f with { Required = true } : f)];
        }
        return [.. required.Select(name => new FormField(name, "any", Required: true))];
    }

    /// <summary>The variable a field writes, or null when the flow declares none by that name.</summary>
    public static string? TargetVariable(WorkflowDefinition definition, FormField field)
    {
        var name = field.Variable ?? field.Name;
        return definition.Variables.Any(v => v.Name == name) ? name : null;
    }

    /// <summary>Why no form may write <paramref name="variable"/>, or null when a form may.</summary>
    public static string? WhyProtected(WorkflowDefinition definition, ActivityRegistry registry, string variable)
    {
        if (definition.Variables.Any(v => v.Name == variable && v.ReadOnly)) return $"The variable '{variable}' is read-only: only the flow's activities write it.";
        if (ActivityOutputs(definition, registry).Contains(variable)) return $"The variable '{variable}' is written by an activity of the flow; a form cannot set it.";
        return null;
    }

    /// <summary>
    /// Variables that activities other than user tasks write: typed activities' outputs (mapped through <c>outputs</c>,
    /// or by the declared variable of the output's name) and the <c>resultVariable</c> of waits and sub-workflows.
    /// </summary>
    public static IReadOnlySet<string> ActivityOutputs(WorkflowDefinition definition, ActivityRegistry registry) =>
        OutputCache.GetValue(definition, d => Compute(d, registry));

    private static HashSet<string> Compute(WorkflowDefinition definition, ActivityRegistry registry) =>
        ActivityOutputSources(definition, registry).Keys.ToHashSet(StringComparer.Ordinal);

    /// <summary>The variables of <see cref="ActivityOutputs"/>, each with the id of the (first) activity that writes it.</summary>
    public static IReadOnlyDictionary<string, string> ActivityOutputSources(WorkflowDefinition definition, ActivityRegistry registry)
    {
        var declared = definition.Variables.Select(v => v.Name).ToHashSet(StringComparer.Ordinal);
        var written = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var activity in definition.Activities)
        {
            if (activity.Type == UserTaskActivity.TypeName || activity.Inputs is null) continue;
            if (activity.Inputs["resultVariable"] is JsonValue rv && rv.TryGetValue<string>(out var result)) written.TryAdd(result, activity.Id);
            if (!registry.TryGet(activity.Type ?? "", out var type) || type.Descriptor.Outputs.Count == 0) continue;
            var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
            if (activity.Inputs["outputs"] is JsonArray outputs)
            {
                foreach (var o in outputs)
                {
                    if (o is JsonObject m && m["name"] is JsonValue n && n.TryGetValue<string>(out var from) && m["value"] is JsonValue t && t.TryGetValue<string>(out var to))
                        mapping[from] = to;
                }
            }
            foreach (var output in type.Descriptor.Outputs)
            {
                if (mapping.TryGetValue(output.Name, out var target)) written.TryAdd(target, activity.Id);
                else if (declared.Contains(output.Name)) written.TryAdd(output.Name, activity.Id);
            }
        }
        return written;
    }
}
