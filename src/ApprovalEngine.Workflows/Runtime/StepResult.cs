using System.Text.Json.Nodes;

namespace ApprovalEngine.Workflows.Runtime;

/// <summary>
/// Everything one step changed, from wait state to wait state. The persistence layer commits all of it in one
/// transaction (or none of it): the instance row guarded by <see cref="ExpectedVersion"/>, tasks, bookmarks,
/// timers, journal, jobs and incidents. Domain rows derived from a step (e.g. the WD grid) are written by the host's
/// step observers in the same transaction; activities themselves write nothing.
/// </summary>
public sealed class StepResult
{
    public required InstanceState State { get; init; }

    /// <summary>The version the step was computed from; 0 for a new instance. The commit fails as stale if the stored version differs.</summary>
    public required long ExpectedVersion { get; init; }

    public bool IsNew => ExpectedVersion == 0;
    public List<JournalEntry> Journal { get; } = [];
    public List<WorkTask> TasksOpened { get; } = [];
    public List<TaskUpdate> TasksUpdated { get; } = [];
    public List<TaskClosure> TasksClosed { get; } = [];
    public List<Bookmark> BookmarksAdded { get; } = [];
    public List<Bookmark> BookmarksRemoved { get; } = [];
    public List<JobRequest> Jobs { get; } = [];
    public List<ChildStart> ChildStarts { get; } = [];

    /// <summary>Child instances the parent no longer waits for (its CallWorkflow was cancelled): the host cancels them in the same transaction.</summary>
    public List<Guid> ChildrenCancelled { get; } = [];
    public List<IncidentRecord> Incidents { get; } = [];

    /// <summary>Outside calls in flight when this step cancelled the instance: the host asks their adapters to call them off.</summary>
    public List<JobRequest> CallsToCancel { get; } = [];

    /// <summary>Set when this step finished a child instance: the host resumes the parent in the same transaction.</summary>
    public ParentNotification? Parent { get; set; }

    /// <summary>
    /// Set when the step moved the instance to another version of its definition: the host rewrites the version and
    /// activity ids of the rows derived from its waits (tasks, bookmarks, jobs) in the same transaction.
    /// </summary>
    public VersionMove? Migrated { get; set; }

    /// <summary>What caused the step (the engine call, its arguments, caller and clock), for replays; set by every engine entry point.</summary>
    public StepCommand? Command { get; set; }

    /// <summary>Timers to schedule: bookmarks added with a due time.</summary>
    public IEnumerable<Bookmark> TimersToSchedule => BookmarksAdded.Where(b => b.DueAt is not null);

    /// <summary>Timers to unschedule: bookmarks removed that had a due time.</summary>
    public IEnumerable<Bookmark> TimersToCancel => BookmarksRemoved.Where(b => b.DueAt is not null);
}

/// <param name="Bookmarks">Bookmark id (also the task's or job's row) → its activity id in the new version.</param>
public sealed record VersionMove(int FromVersion, int ToVersion, IReadOnlyList<(Guid BookmarkId, BookmarkKind Kind, Guid? TaskId, string ActivityId)> Bookmarks);

public sealed record TaskUpdate(Guid TaskId, bool Overdue, int Priority);

public sealed record TaskClosure(Guid TaskId, TaskStatus Status, string? Action, string? ClosedBy, DateTimeOffset ClosedAt);

/// <summary>A domain activity's outside call, run by a worker after the commit, at least once, with this idempotency key.</summary>
public sealed record JobRequest(Guid BookmarkId, Guid InstanceId, string ActivityId, string ActivityType, JsonObject Input, string IdempotencyKey);

public sealed record ChildStart(Guid ChildInstanceId, string DefinitionId, Guid ParentInstanceId, Guid ParentBookmarkId, IReadOnlyDictionary<string, object?> Input, string? CorrelationId)
{
    /// <summary>The parent's starter, inherited by the child (four eyes: a work order's maker is who submitted the application).</summary>
    public string? StartedBy { get; init; }

    /// <summary>The person whose action in the parent started the child, when a person did.</summary>
    public string? RequestedBy { get; init; }
}

public sealed record ParentNotification(Guid ParentInstanceId, Guid ParentBookmarkId, string Outcome, IReadOnlyDictionary<string, object?> Variables);

/// <summary>An activity failed and needs an operator; retrying it re-runs that activity.</summary>
public sealed record IncidentRecord(Guid Id, Guid InstanceId, string ActivityId, string ActivityType, string Message, Guid? BookmarkId, DateTimeOffset CreatedAt);
