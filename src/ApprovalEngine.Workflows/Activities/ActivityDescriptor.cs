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

    /// <summary>
    /// An outside call that moves money (a payout, a ledger debit or credit, a broadcast): a result that arrives after
    /// its instance was cancelled raises an incident unless its outcome is one of <see cref="NothingMovedOutcomes"/>.
    /// </summary>
    public bool MovesMoney { get; init; }

    /// <summary>Outcomes of a <see cref="MovesMoney"/> activity after which certainly nothing moved (e.g. the bank refused).</summary>
    public IReadOnlyList<string> NothingMovedOutcomes { get; init; } = [];

    /// <summary>Whether a result with <paramref name="outcome"/> may have moved money.</summary>
    public bool MayHaveMovedMoney(string? outcome) => MovesMoney && (outcome is null || !NothingMovedOutcomes.Contains(outcome, StringComparer.Ordinal));
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
