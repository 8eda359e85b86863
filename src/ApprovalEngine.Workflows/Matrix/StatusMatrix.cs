using System.Text.Json.Nodes;
using ApprovalEngine.Workflows.Activities.BuiltIn;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Workflows.Matrix;

/// <summary>One transition of the status matrix: from a status held by a department, an action by whom, to a status.</summary>
public sealed record MatrixRow(
    string FromStatus,
    string? FromDepartment,
    string Action,
    string ActionDisplayName,
    string? Department,
    string? Permission,
    string ToStatus,
    string? ToDepartment,
    string? Condition);

/// <summary>
/// Derives the from-status × to-status matrix (the CRM manual's "WD Statuses Matrix") from a definition: for each
/// task action, follows the flow through decisions and automatic steps to the next task or End.
/// </summary>
public static class StatusMatrix
{
    private const int MaxDepth = 64;

    /// <summary>Steps of the walk a definition may take (a chain of decisions doubles the paths at every diamond).</summary>
    public const int DefaultStepBudget = 200_000;

    /// <summary>
    /// Characters of conditions the walk may build. The step budget alone does not bound memory: every path joins the
    /// conditions of its decisions, so a few long conditions on a chain of diamonds (a 64 KB body) made gigabytes of rows.
    /// </summary>
    public const int DefaultConditionBudget = 4_000_000;

    /// <summary>Thrown when a definition's paths exceed the step budget: its matrix would be unreadable anyway.</summary>
    public sealed class TooManyPathsException(string message) : Exception(message);

    public static IReadOnlyList<MatrixRow> Build(WorkflowDefinition definition) => Build(definition, int.MaxValue, int.MaxValue);

    public static IReadOnlyList<MatrixRow> Build(WorkflowDefinition definition, int stepBudget, int conditionBudget = DefaultConditionBudget)
    {
        var budget = new Budget(stepBudget, conditionBudget);
        var rows = new List<MatrixRow>();
        foreach (var task in definition.Activities.Where(a => a.Type == UserTaskActivity.TypeName))
        {
            var fromStatus = Text(task, "status") ?? task.DisplayName ?? task.Id;
            var department = Text(task, "department");
            foreach (var action in UserTaskActivity.ReadActions(task))
            {
                foreach (var (status, toDepartment, condition) in Targets(definition, task.Id, action.Name, fromStatus, department, budget))
                {
                    rows.Add(new MatrixRow(fromStatus, department, action.Name, action.DisplayName, department, action.Permission, status, toDepartment, budget.Charge(Join(action.Guard, condition))));
                }
            }
        }
        foreach (var interrupt in definition.Interrupts)
        {
            foreach (var (status, toDepartment, condition) in Walk(definition, interrupt.Target, "*", null, null, 0, [], budget))
            {
                rows.Add(new MatrixRow("*", null, interrupt.Event, interrupt.DisplayName ?? interrupt.Event, "system", null, status, toDepartment, budget.Charge(Join(interrupt.Condition, condition))));
            }
        }
        return rows;
    }

    private static IEnumerable<(string Status, string? Department, string? Condition)> Targets(WorkflowDefinition definition, string source, string outcome, string status, string? department, Budget budget)
    {
        var connection = definition.FindConnection(source, outcome);
        return connection is null ? [] : Walk(definition, connection.Target, status, department, null, 0, [], budget);
    }

    private static IEnumerable<(string Status, string? Department, string? Condition)> Walk(WorkflowDefinition definition, string activityId, string status, string? department, string? condition, int depth, HashSet<string> seen, Budget budget)
    {
        budget.Step();
        var activity = definition.FindActivity(activityId);
        if (activity is null || depth > MaxDepth || !seen.Add(activityId)) yield break;
        switch (activity.Type)
        {
            case UserTaskActivity.TypeName:
                yield return (Text(activity, "status") ?? status, Text(activity, "department") ?? department, condition);
                break;
            case EndActivity.TypeName:
                yield return (Text(activity, "status") ?? status, department, condition);
                break;
            default:
                if (activity.Type == "SetStatus")
                {
                    status = Text(activity, "status") ?? status;
                    department = Text(activity, "department") ?? department;
                }
                foreach (var c in definition.Connections.Where(c => c.Source == activityId))
                {
                    var branchCondition = activity.Type switch
                    {
                        "Decision" => c.Outcome == "True" ? Text(activity, "condition") : $"!({Text(activity, "condition")})",
                        "Switch" => SwitchActivity.ReadCases(activity).FirstOrDefault(x => x.Name == c.Outcome).Condition ?? "none of the cases",
                        _ => c.Outcome is "Done" or "Received" or "Completed" ? null : $"{activity.DisplayName ?? activity.Id}: {c.Outcome}",
                    };
                    foreach (var row in Walk(definition, c.Target, status, department, budget.Charge(Join(condition, branchCondition)), depth + 1, [.. seen], budget))
                    {
                        yield return row;
                    }
                }
                break;
        }
    }

    private sealed class Budget(int steps, int characters)
    {
        private int _used;
        private long _characters;

        public void Step()
        {
            if (++_used > steps) throw new TooManyPathsException($"The flow has too many paths to list in a status matrix (more than {steps} steps).");
        }

        /// <summary>Counts a condition built for a path (before it is kept in a row or joined further).</summary>
        public string? Charge(string? condition)
        {
            if (condition is not null && (_characters += condition.Length) > characters)
            {
                throw new TooManyPathsException($"The flow has too many paths to list in a status matrix (their conditions exceed {characters} characters).");
            }
            return condition;
        }
    }

    private static string? Join(string? a, string? b) => (a, b) switch
    {
        (null, _) => b,
        (_, null) => a,
        _ => $"{a} && {b}",
    };

    private static string? Text(ActivityDefinition activity, string name) =>
        activity.Inputs[name] is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;
}
