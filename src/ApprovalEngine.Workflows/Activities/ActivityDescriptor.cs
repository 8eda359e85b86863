using System.Text.Json.Nodes;

namespace ApprovalEngine.Workflows.Activities;

/// <summary>What the designer needs to list, draw and edit an activity type, and what the validator checks inputs against.</summary>
public sealed record ActivityDescriptor
{
    public required string Type { get; init; }
    public required string Category { get; init; }
    public required string DisplayName { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<ActivityInputDescriptor> Inputs { get; init; } = [];
    public IReadOnlyList<ActivityOutputDescriptor> Outputs { get; init; } = [];
    public IReadOnlyList<string> Outcomes { get; init; } = [];

    /// <summary>Which input's entries are outcomes too: "actions", "cases", "branches" or "outcomes"; null for static outcomes only.</summary>
    public string? DynamicOutcomes { get; init; }

    /// <summary>True when the activity can suspend the instance; cycles must pass through one.</summary>
    public bool IsWaitState { get; init; }
}

public sealed record ActivityInputDescriptor
{
    public required string Name { get; init; }
    public string? DisplayName { get; init; }
    public required string Kind { get; init; }
    public bool Required { get; init; }
    public string Description { get; init; } = "";
    public IReadOnlyList<string>? Options { get; init; }
    public JsonNode? DefaultValue { get; init; }
}

public sealed record ActivityOutputDescriptor(string Name, string Type, string Description = "");

/// <summary>The kinds of activity input values (see docs/definition-format.md).</summary>
public static class InputKinds
{
    public const string Text = "text";
    public const string Number = "number";
    public const string Boolean = "boolean";
    public const string Expression = "expression";
    public const string Duration = "duration";
    public const string Cron = "cron";
    public const string StringList = "stringList";
    public const string Assignments = "assignments";
    public const string Cases = "cases";
    public const string Actions = "actions";
    public const string Definition = "definition";

    public static readonly IReadOnlySet<string> All = new HashSet<string>
    {
        Text, Number, Boolean, Expression, Duration, Cron, StringList, Assignments, Cases, Actions, Definition,
    };
}
