namespace ApprovalEngine.Workflows.Runtime;

public sealed record StartWorkflow
{
    public required Guid InstanceId { get; init; }
    public string? CorrelationId { get; init; }
    public IReadOnlyDictionary<string, object?> Input { get; init; } = new Dictionary<string, object?>();
    public Actor Actor { get; init; } = Actor.System();
    public Guid? ParentInstanceId { get; init; }
    public Guid? ParentBookmarkId { get; init; }

    /// <summary>
    /// Inputs declared <c>source: "domain"</c> that the caller computed itself: set only by a domain route (e.g.
    /// POST /api/wd-requests passes availableAmount). Any other start supplying them is refused (ADR 7).
    /// </summary>
    public IReadOnlySet<string> DomainInputs { get; init; } = new HashSet<string>();

    /// <summary>The starter to record when it is not <see cref="Actor"/> (a sub-workflow inherits its parent's).</summary>
    public string? StartedBy { get; init; }

    /// <summary>A sub-workflow: the person whose action in the parent started it.</summary>
    public string? RequestedBy { get; init; }
}

public sealed record CompleteTask
{
    public required Guid TaskId { get; init; }
    public required string Action { get; init; }
    public string? Comment { get; init; }
    public IReadOnlyDictionary<string, object?> Data { get; init; } = new Dictionary<string, object?>();
    public required Actor Actor { get; init; }

    /// <summary>When given, the instance version the caller saw; a different one is a stale conflict.</summary>
    public long? ExpectedVersion { get; init; }

    /// <summary>
    /// Only for dry runs (in memory, nothing stored): an analyst steps through every action, so who may take it
    /// (department, permission, scopes, four eyes) is not checked. Guards and required fields still are.
    /// </summary>
    public bool DryRun { get; init; }

    /// <summary>
    /// Current facts the host read from an outside system just before the action (e.g. a trading account's balance):
    /// set as the definition's variables of the same names before the form and guards are judged, and stored by this
    /// step (journaled before → after), so that a guard never judges figures read when the task was entered.
    /// Names the definition does not declare are ignored.
    /// </summary>
    public IReadOnlyDictionary<string, object?> Facts { get; init; } = new Dictionary<string, object?>();
}

/// <summary>What a resumed bookmark receives.</summary>
public sealed record ResumeSignal
{
    public string? Action { get; init; }
    public string? Comment { get; init; }
    public IReadOnlyDictionary<string, object?> Data { get; init; } = new Dictionary<string, object?>();
    public object? Payload { get; init; }
    public string? Outcome { get; init; }
    public IReadOnlyDictionary<string, object?> Outputs { get; init; } = new Dictionary<string, object?>();
    public Actor Actor { get; init; } = Actor.System();
}

/// <summary>Whether the caller may take an action on a task now, and why not.</summary>
public sealed record ActionAvailability(string Name, string DisplayName, string? Permission, IReadOnlyList<string> RequiredFields, bool Available, string? Reason)
{
    /// <summary>The action's form: the only data it accepts.</summary>
    public IReadOnlyList<Definitions.FormField> Fields { get; init; } = [];

    /// <summary>required, optional or none.</summary>
    public string Comment { get; init; } = CommentModes.Optional;
}
