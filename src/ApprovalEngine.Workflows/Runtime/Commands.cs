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
