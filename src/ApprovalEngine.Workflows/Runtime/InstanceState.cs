using System.Text.Json.Nodes;

namespace ApprovalEngine.Workflows.Runtime;

public enum InstanceStatus
{
    Running,
    Completed,
    Cancelled,
    Faulted,

    /// <summary>
    /// Cancelled, but outside calls that were in flight have not reported yet (ADR 10): tasks, timers and event waits
    /// are gone; the instance becomes <see cref="Cancelled"/> when the last call reports. Appended last: the state
    /// JSON stores the status by number.
    /// </summary>
    Cancelling,
}

public enum BookmarkKind
{
    /// <summary>A human task is open.</summary>
    Task,
    /// <summary>The SLA timer of an open task.</summary>
    TaskDue,
    /// <summary>Waiting for a named external event.</summary>
    Event,
    /// <summary>A durable timer (Delay, Timer, Cron, WaitUntil, event time-outs).</summary>
    Timer,
    /// <summary>A domain activity that calls an outside system after the commit.</summary>
    Job,
    /// <summary>Waiting for a child workflow.</summary>
    Child,
}

/// <summary>A place where the instance waits. Resumes name a bookmark; a bookmark is consumed exactly once.</summary>
public sealed record Bookmark
{
    public required Guid Id { get; init; }
    public required BookmarkKind Kind { get; init; }
    public required string ActivityId { get; init; }
    public required string ActivityType { get; init; }
    public string? EventName { get; init; }
    public string? CorrelationKey { get; init; }
    public DateTimeOffset? DueAt { get; init; }

    /// <summary>Fork lineage ("forkExecutionId/branch;…"), so a join-any can cancel its sibling branches.</summary>
    public string? Branch { get; init; }

    public Guid? TaskId { get; init; }
    public Guid? ChildInstanceId { get; init; }
    public JsonObject? Data { get; init; }

    /// <summary>Set in <see cref="Data"/> when a job's call failed for good (an incident is open): it is not in flight.</summary>
    public const string CallFailedKey = "callFailed";

    /// <summary>A job whose outside call may still act (pending, running or retrying), so it must be waited for.</summary>
    [System.Text.Json.Serialization.JsonIgnore]
    public bool IsCallInFlight => Kind == BookmarkKind.Job && !(Data?[CallFailedKey] is JsonValue v && v.TryGetValue<bool>(out var failed) && failed);
}

/// <summary>The whole state of one instance between steps; persisted as one row plus derived index rows.</summary>
public sealed class InstanceState
{
    public required Guid Id { get; init; }
    public required string DefinitionId { get; init; }
    public required int DefinitionVersion { get; init; }
    public string? CorrelationId { get; init; }
    public InstanceStatus Status { get; set; }
    public string? BusinessStatus { get; set; }
    public string? Department { get; set; }
    public int Priority { get; set; }
    public Dictionary<string, object?> Variables { get; init; } = new(StringComparer.Ordinal);
    public List<Bookmark> Bookmarks { get; init; } = [];

    /// <summary>Join activity id → incoming connection keys that have arrived.</summary>
    public Dictionary<string, List<string>> Joins { get; init; } = new(StringComparer.Ordinal);

    public HashSet<string> Visited { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Optimistic concurrency version; every committed step increments it.</summary>
    public long Version { get; set; }

    /// <summary>Monotonic counter for ids and idempotency keys that must be the same on replay.</summary>
    public long Sequence { get; set; }

    public Guid? ParentInstanceId { get; init; }
    public Guid? ParentBookmarkId { get; init; }

    /// <summary>
    /// Who started the instance: the authenticated caller, or for a sub-workflow its parent's starter (ADR 7). Null
    /// only for instances stored before it was recorded; four-eyes rules then refuse rather than guess.
    /// </summary>
    public string? StartedBy { get; init; }

    /// <summary>For a sub-workflow started by a person's action in the parent (e.g. a refund request): that person.</summary>
    public string? RequestedBy { get; init; }

    /// <summary>User task activity id → the users who took its actions, in order (four eyes by identity).</summary>
    public Dictionary<string, List<string>> Actors { get; init; } = new(StringComparer.Ordinal);

    public string? FinalOutcome { get; set; }
    public string? Fault { get; set; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }

    public bool IsFinished => Status is InstanceStatus.Completed or InstanceStatus.Cancelled;

    /// <summary>Outside calls that may still act: job bookmarks whose call has not failed for good (ADR 10).</summary>
    public IEnumerable<Bookmark> CallsInFlight => Bookmarks.Where(b => b.IsCallInFlight);

    /// <summary>Whether <paramref name="userId"/> took an action of the user task <paramref name="activityId"/>.</summary>
    public bool ActedOn(string activityId, string userId) =>
        Actors.TryGetValue(activityId, out var users) && users.Contains(userId, StringComparer.Ordinal);

    /// <param name="definitionVersion">Another version of the same definition, for an instance migration.</param>
    public InstanceState Clone(int? definitionVersion = null) => new()
    {
        Id = Id,
        DefinitionId = DefinitionId,
        DefinitionVersion = definitionVersion ?? DefinitionVersion,
        CorrelationId = CorrelationId,
        Status = Status,
        BusinessStatus = BusinessStatus,
        Department = Department,
        Priority = Priority,
        Variables = new Dictionary<string, object?>(Variables, StringComparer.Ordinal),
        Bookmarks = [.. Bookmarks],
        Joins = Joins.ToDictionary(p => p.Key, p => new List<string>(p.Value), StringComparer.Ordinal),
        Visited = new HashSet<string>(Visited, StringComparer.Ordinal),
        Version = Version,
        Sequence = Sequence,
        ParentInstanceId = ParentInstanceId,
        ParentBookmarkId = ParentBookmarkId,
        StartedBy = StartedBy,
        RequestedBy = RequestedBy,
        Actors = Actors.ToDictionary(p => p.Key, p => new List<string>(p.Value), StringComparer.Ordinal),
        FinalOutcome = FinalOutcome,
        Fault = Fault,
        CreatedAt = CreatedAt,
        UpdatedAt = UpdatedAt,
        CompletedAt = CompletedAt,
    };
}

public enum TaskStatus
{
    Open,
    Completed,
    Cancelled,
}

/// <summary>A human task as the inbox shows it. The engine opens and closes tasks; the store keeps them as rows.</summary>
public sealed record WorkTask
{
    public required Guid Id { get; init; }
    public required Guid InstanceId { get; init; }
    public required string DefinitionId { get; init; }
    public required int DefinitionVersion { get; init; }
    public required string ActivityId { get; init; }
    public required string Title { get; init; }
    public string? BusinessStatus { get; init; }
    public string? Department { get; init; }
    public string? CorrelationId { get; init; }
    public TaskStatus Status { get; init; } = TaskStatus.Open;
    public string? Assignee { get; init; }
    public int Priority { get; init; }
    public DateTimeOffset? DueAt { get; init; }
    public bool Overdue { get; init; }
    public required DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ClosedAt { get; init; }
    public string? ClosedBy { get; init; }
    public string? ClosedAction { get; init; }
}

/// <summary>One line of the execution and audit journal.</summary>
public sealed record JournalEntry
{
    public required long Sequence { get; init; }
    public required DateTimeOffset Timestamp { get; init; }
    public required string Kind { get; init; }
    public string? ActivityId { get; init; }
    public string? ActivityType { get; init; }
    public string? Outcome { get; init; }
    public string? UserId { get; init; }
    public string? Role { get; init; }
    public string? IpAddress { get; init; }
    public string? Action { get; init; }
    public string? Comment { get; init; }
    public IReadOnlyList<VariableChange> Changes { get; init; } = [];
    public string? Message { get; init; }
}

/// <summary>
/// One change of a variable. <see cref="Path"/> null: the whole value; otherwise the part that changed, e.g. "[12]"
/// (a list item; before null = appended) or "[3].amount" (see <see cref="JournalDiff"/>).
/// </summary>
public sealed record VariableChange(string Name, JsonNode? Before, JsonNode? After)
{
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public string? Path { get; init; }
}

public static class JournalKinds
{
    public const string InstanceStarted = "InstanceStarted";
    public const string ActivityEntered = "ActivityEntered";
    public const string ActivityCompleted = "ActivityCompleted";
    public const string ActivitySuspended = "ActivitySuspended";
    public const string TaskOpened = "TaskOpened";
    public const string TaskCompleted = "TaskCompleted";
    public const string TaskCancelled = "TaskCancelled";
    public const string TaskOverdue = "TaskOverdue";
    public const string TaskClaimed = "TaskClaimed";
    public const string EventReceived = "EventReceived";

    /// <summary>The host delivered an inbox event (its name and id) to the instance; the step's other entries follow.</summary>
    public const string EventDelivered = "EventDelivered";
    public const string TimerFired = "TimerFired";
    public const string TimerIgnored = "TimerIgnored";
    public const string JobCompleted = "JobCompleted";
    public const string JobFailed = "JobFailed";
    public const string Interrupted = "Interrupted";
    public const string StatusChanged = "StatusChanged";
    public const string InstanceCompleted = "InstanceCompleted";
    public const string InstanceCancelled = "InstanceCancelled";

    /// <summary>A cancel that waits for outside calls in flight (status Cancelling).</summary>
    public const string InstanceCancelling = "InstanceCancelling";

    /// <summary>An outside call reported after the instance was cancelled: outcome and outputs, never dropped.</summary>
    public const string LateResult = "LateResult";

    /// <summary>The host asked the outside system to cancel a call in flight, and its answer.</summary>
    public const string CallCancelRequested = "CallCancelRequested";
    public const string InstanceFaulted = "InstanceFaulted";
    public const string IncidentRetried = "IncidentRetried";
    public const string Note = "Note";
    public const string VariablesUpdated = "VariablesUpdated";
    public const string InstanceMigrated = "InstanceMigrated";
}
