using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Validation;

namespace ApprovalEngine.Workflows.Activities.BuiltIn;

public sealed class StartActivity : IActivity
{
    public const string TypeName = "Start";

    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = TypeName,
        Category = "Flow",
        DisplayName = "Start",
        Description = "Where every instance begins. Exactly one per flow.",
        Outcomes = ["Done"],
    };

    public ActivityResult Execute(ActivityContext context) => ActivityResult.Done;
}

public sealed class EndActivity : IActivity
{
    public const string TypeName = "End";

    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = TypeName,
        Category = "Flow",
        DisplayName = "End",
        Description = "Finishes the instance with a final business status; open tasks and waits are cancelled.",
        Inputs =
        [
            In.Put("status", InputKinds.Text, "Final business status, e.g. Completed or Rejected.", displayName: "Final status"),
            In.Put("outcome", InputKinds.Text, "Outcome reported to a parent flow that called this one.", displayName: "Outcome"),
        ],
    };

    public ActivityResult Execute(ActivityContext context) =>
        ActivityResult.Finish(context.GetText("status"), context.GetText("outcome") ?? context.GetText("status"));
}

public sealed class DecisionActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Decision",
        Category = "Flow",
        DisplayName = "Decision",
        Description = "If/else on a boolean expression.",
        Inputs = [In.Put("condition", InputKinds.Expression, "Boolean expression over the variables.", required: true, displayName: "Condition")],
        Outcomes = ["True", "False"],
    };

    public ActivityResult Execute(ActivityContext context) =>
        ActivityResult.Outcome(context.EvaluateCondition(context.GetText("condition")!) ? "True" : "False");

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation) =>
        validation.CheckExpression("condition", ExpressionType.Boolean);
}

public sealed class SwitchActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Switch",
        Category = "Flow",
        DisplayName = "Switch",
        Description = "Takes the first case whose condition is true, otherwise Default.",
        Inputs = [In.Put("cases", InputKinds.Cases, "Ordered cases: outcome name and condition.", required: true, displayName: "Cases")],
        Outcomes = ["Default"],
        DynamicOutcomes = "cases",
    };

    public ActivityResult Execute(ActivityContext context)
    {
        foreach (var (name, condition) in ReadCases(context.Activity))
        {
            if (context.EvaluateCondition(condition)) return ActivityResult.Outcome(name);
        }
        return ActivityResult.Outcome("Default");
    }

    public IReadOnlyList<string> GetOutcomes(ActivityDefinition activity) => [.. ReadCases(activity).Select(c => c.Name), "Default"];

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation)
    {
        var cases = ReadCases(activity);
        for (var i = 0; i < cases.Count; i++)
        {
            validation.CheckExpression($"cases/{i}/condition", cases[i].Condition, ExpressionType.Boolean);
        }
        validation.CheckUnique("cases", cases.Select(c => c.Name));
    }

    internal static IReadOnlyList<(string Name, string Condition)> ReadCases(ActivityDefinition activity) =>
        activity.Inputs["cases"] is System.Text.Json.Nodes.JsonArray array
            ? [.. array.Select(n => (n?["name"]?.GetValue<string>() ?? "", n?["condition"]?.GetValue<string>() ?? ""))]
            : [];
}

public sealed class SetVariablesActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "SetVariables",
        Category = "Data",
        DisplayName = "Set variables",
        Description = "Assigns expressions to variables, in order (later assignments see earlier ones).",
        Inputs = [In.Put("assignments", InputKinds.Assignments, "Variable name and expression, in order.", required: true, displayName: "Assignments")],
        Outcomes = ["Done"],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        foreach (var (name, expression) in ReadAssignments(context.Activity))
        {
            context.SetVariable(name, context.Evaluate(expression));
        }
        return ActivityResult.Done;
    }

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation)
    {
        var list = ReadAssignments(activity);
        for (var i = 0; i < list.Count; i++)
        {
            validation.CheckVariableName($"assignments/{i}/name", list[i].Name);
            validation.CheckExpression($"assignments/{i}/value", list[i].Value, null);
        }
    }

    internal static IReadOnlyList<(string Name, string Value)> ReadAssignments(ActivityDefinition activity, string input = "assignments") =>
        activity.Inputs[input] is System.Text.Json.Nodes.JsonArray array
            ? [.. array.Select(n => (n?["name"]?.GetValue<string>() ?? "", n?["value"]?.GetValue<string>() ?? ""))]
            : [];
}

public sealed class SetStatusActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "SetStatus",
        Category = "Data",
        DisplayName = "Set status",
        Description = "Sets the business status (and optionally the department holding the instance).",
        Inputs =
        [
            In.Put("status", InputKinds.Text, "Business status.", required: true, displayName: "Status"),
            In.Put("department", InputKinds.Text, "Department that holds the instance from now on.", displayName: "Department"),
        ],
        Outcomes = ["Done"],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        context.SetBusinessStatus(context.GetText("status"), context.GetText("department"));
        return ActivityResult.Done;
    }
}

public sealed class ForkActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Fork",
        Category = "Flow",
        DisplayName = "Fork",
        Description = "Runs every branch in parallel.",
        Inputs = [In.Put("branches", InputKinds.StringList, "Branch names (each is an outcome).", required: true, displayName: "Branches")],
        DynamicOutcomes = "branches",
    };

    public ActivityResult Execute(ActivityContext context) => ActivityResult.Many(context.GetStringList("branches"));

    public IReadOnlyList<string> GetOutcomes(ActivityDefinition activity) =>
        activity.Inputs["branches"] is System.Text.Json.Nodes.JsonArray a ? [.. a.Select(n => n?.GetValue<string>() ?? "")] : [];

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation) =>
        validation.CheckUnique("branches", GetOutcomes(activity));
}

public sealed class JoinActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Join",
        Category = "Flow",
        DisplayName = "Join",
        Description = "Waits for every incoming branch (all), or continues on the first and cancels the others (any).",
        Inputs = [In.Put("mode", InputKinds.Text, "all or any", displayName: "Mode", options: ["all", "any"])],
        Outcomes = ["Done"],
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var step = context.Step;
        var mode = context.GetText("mode") ?? "all";
        var branch = context.Branch ?? "";
        var cut = branch.LastIndexOf(';');
        var segment = cut >= 0 ? branch[(cut + 1)..] : branch;
        var parentBranch = cut >= 0 ? branch[..cut] : "";
        if (mode == "any")
        {
            var forkKey = segment.Contains('/', StringComparison.Ordinal) ? segment[..(segment.IndexOf('/', StringComparison.Ordinal) + 1)] : segment;
            var firedKey = context.Activity.Id + "|any";
            if (!context.State.Joins.TryGetValue(firedKey, out var fired)) context.State.Joins[firedKey] = fired = [];
            if (fired.Contains(forkKey)) return ActivityResult.Stop;
            fired.Add(forkKey);
            if (forkKey.Length > 0) step.CancelBranches(forkKey);
            step.ContinueOnBranch = parentBranch;
            return ActivityResult.Done;
        }
        // Reached on a forked branch: wait for every connected branch of that fork execution, however each one
        // gets here (a branch may reach the join by several connections, e.g. both sides of a decision).
        if (ForkBranches(context, segment) is { } branches)
        {
            var forkKey = segment[..(segment.IndexOf('/', StringComparison.Ordinal) + 1)];
            var key = context.Activity.Id + "|" + forkKey;
            if (!context.State.Joins.TryGetValue(key, out var done)) context.State.Joins[key] = done = [];
            var name = segment[forkKey.Length..];
            if (!done.Contains(name)) done.Add(name);
            if (branches.Any(b => !done.Contains(b))) return ActivityResult.Stop;
            context.State.Joins.Remove(key);
            step.ContinueOnBranch = parentBranch;
            return ActivityResult.Done;
        }
        var incoming = context.Definition.Connections.Where(c => c.Target == context.Activity.Id).Select(c => $"{c.Source}:{c.Outcome}").ToList();
        if (!context.State.Joins.TryGetValue(context.Activity.Id, out var arrived)) context.State.Joins[context.Activity.Id] = arrived = [];
        if (step.Via is { } via && !arrived.Contains(via)) arrived.Add(via);
        if (incoming.Any(i => !arrived.Contains(i))) return ActivityResult.Stop;
        context.State.Joins.Remove(context.Activity.Id);
        step.ContinueOnBranch = parentBranch;
        return ActivityResult.Done;
    }

    /// <summary>The connected branches of the fork named by a lineage segment ("forkId@seq/branch"), or null.</summary>
    private static List<string>? ForkBranches(ActivityContext context, string segment)
    {
        var at = segment.IndexOf('@', StringComparison.Ordinal); // activity ids cannot hold '@'; branch names may
        var slash = segment.IndexOf('/', StringComparison.Ordinal);
        if (at <= 0 || slash < at) return null;
        var fork = context.Definition.FindActivity(segment[..at]);
        if (fork?.Inputs["branches"] is not System.Text.Json.Nodes.JsonArray list) return null;
        var branches = new List<string>();
        foreach (var node in list)
        {
            if (node?.GetValue<string>() is { } b && context.Definition.FindConnection(fork.Id, b) is not null) branches.Add(b);
        }
        return branches;
    }
}
