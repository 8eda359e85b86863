using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Instances;

public sealed record InstanceSummary(Guid Id, string DefinitionId, int Version, string Status, string? BusinessStatus, string? Department, string? CorrelationId, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

public sealed record InstanceStarted(Guid Id, string DefinitionId, int Version, string Status, string? BusinessStatus, string? CorrelationId);

public sealed record TaskView(
    Guid Id, Guid InstanceId, string DefinitionId, int DefinitionVersion, string ActivityId, string Title, string? BusinessStatus,
    string? Department, string Status, string? Assignee, int Priority, DateTimeOffset? DueAt, bool Overdue, DateTimeOffset CreatedAt,
    string? CorrelationId, string? SubjectType, string? SubjectId, DateTimeOffset? ClosedAt, string? ClosedBy, string? ClosedAction,
    Tasks.TaskSubjectView? Subject = null);

public sealed record IncidentView(Guid Id, Guid InstanceId, string ActivityId, string ActivityType, string Message, int Attempts, string Status, DateTimeOffset CreatedAt, DateTimeOffset? ResolvedAt, string? ResolvedBy);

/// <summary>
/// What an instance (or a dry run) waits for; the OpenAPI document lists the values so clients switch on them with
/// the compiler's help (a dry run once looked for "job" while the server wrote "Job").
/// </summary>
[System.Text.Json.Serialization.JsonConverter(typeof(System.Text.Json.Serialization.JsonStringEnumConverter<WaitKind>))]
public enum WaitKind
{
    /// <summary>A human task (instance views only; a dry run lists tasks separately).</summary>
    Task,
    /// <summary>A named outside event.</summary>
    Event,
    /// <summary>A timer: a delay, a deadline, a cron tick or an event's time-out.</summary>
    Timer,
    /// <summary>An outside call (ledger, bank, blockchain) whose result resumes the flow.</summary>
    Job,
    /// <summary>A child flow (CallWorkflow) whose end resumes the flow.</summary>
    Child,
}

public sealed record WaitView(Guid BookmarkId, WaitKind Kind, string ActivityId, string? EventName, string? CorrelationKey, DateTimeOffset? DueAt)
{
    /// <summary>The view of a bookmark other than a task's SLA timer (which is part of its task).</summary>
    public static WaitView Of(Bookmark b) => new(b.Id, b.Kind switch
    {
        BookmarkKind.Task => WaitKind.Task,
        BookmarkKind.Event => WaitKind.Event,
        BookmarkKind.Timer or BookmarkKind.TaskDue => WaitKind.Timer,
        BookmarkKind.Job => WaitKind.Job,
        BookmarkKind.Child => WaitKind.Child,
        _ => throw new ArgumentOutOfRangeException(nameof(b), b.Kind, "A bookmark kind without a wait view."),
    }, b.ActivityId, b.EventName, b.CorrelationKey, b.DueAt);
}

public sealed record InstanceView(
    Guid Id, string DefinitionId, int Version, string Status, string? BusinessStatus, string? Department, string? CorrelationId,
    int Priority, long ConcurrencyVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt,
    string? FinalOutcome, string? Fault, Guid? ParentInstanceId, JsonObject Variables, IReadOnlyList<TaskView> OpenTasks,
    IReadOnlyList<IncidentView> Incidents, IReadOnlyList<WaitView> Waits, IReadOnlyList<string> VisitedActivities);

/// <summary>A variable's change; <c>path</c> names the part that changed ("[12]": a list item, before null = appended), null for the whole value.</summary>
public sealed record VariableChangeView(string Name, JsonNode? Before, JsonNode? After, string? Path = null);

public sealed record ActorView(string? UserId, string? Role, string? IpAddress);

public sealed record JournalEntryView(long Sequence, DateTimeOffset Timestamp, string Kind, string? ActivityId, string? ActivityType, string? Outcome, ActorView? Actor, string? Action, string? Comment, IReadOnlyList<VariableChangeView> Changes, string? Message);

public static class InstanceViews
{
    public static TaskView ToView(TaskRecord t) => new(
        t.Id, t.InstanceId, t.DefinitionId, t.DefinitionVersion, t.ActivityId, t.Title, t.BusinessStatus, t.Department, t.Status, t.Assignee,
        t.Priority, t.DueAt, t.Overdue, t.CreatedAt, t.CorrelationId, SubjectType(t.DefinitionId), t.DefinitionId == WdSubject ? t.InstanceId.ToString() : null,
        t.ClosedAt, t.ClosedBy, t.ClosedAction);

    public const string WdSubject = "wd-request";

    private static string? SubjectType(string definitionId) => definitionId == WdSubject ? WdSubject : null;

    public static IncidentView ToView(IncidentRow i) => new(i.Id, i.InstanceId, i.ActivityId, i.ActivityType, i.Message, i.Attempts, i.Status, i.CreatedAt, i.ResolvedAt, i.ResolvedBy);

    public static InstanceSummary ToSummary(InstanceRecord r) => new(r.Id, r.DefinitionId, r.DefinitionVersion, r.Status, r.BusinessStatus, r.Department, r.CorrelationId, r.CreatedAt, r.UpdatedAt);

    public static async Task<InstanceView> LoadAsync(ApprovalDbContext db, Guid id, CancellationToken ct)
    {
        var record = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct)
            ?? throw new WorkflowNotFoundException($"No instance {id}.");
        return await FromStateAsync(db, InstanceStateJson.Deserialize(record.StateJson), ct);
    }

    /// <summary>The view of an instance whose state the caller holds (e.g. the one a step just saved): no read of it again.</summary>
    public static async Task<InstanceView> FromStateAsync(ApprovalDbContext db, InstanceState state, CancellationToken ct)
    {
        var id = state.Id;
        var tasks = await db.Tasks.AsNoTracking().Where(t => t.InstanceId == id && t.Status == "Open").OrderBy(t => t.CreatedAt).ToListAsync(ct);
        var incidents = await db.Incidents.AsNoTracking().Where(i => i.InstanceId == id).ToListAsync(ct);
        return new InstanceView(
            state.Id, state.DefinitionId, state.DefinitionVersion, state.Status.ToString(), state.BusinessStatus, state.Department, state.CorrelationId,
            state.Priority, state.Version, state.CreatedAt, state.UpdatedAt, state.CompletedAt, state.FinalOutcome, state.Fault, state.ParentInstanceId,
            InstanceStateJson.VariablesToJson(state.Variables), [.. tasks.Select(ToView)], [.. incidents.OrderByDescending(i => i.CreatedAt).Select(ToView)],
            [.. state.Bookmarks.Where(b => b.Kind != BookmarkKind.TaskDue).Select(WaitView.Of)],
            [.. state.Visited.Order(StringComparer.Ordinal)]);
    }

    public static JournalEntryView ToView(JournalRecord j) => new(
        j.Sequence, j.Timestamp, j.Kind, j.ActivityId, j.ActivityType, j.Outcome,
        j.UserId is null ? null : new ActorView(j.UserId, j.Role, j.IpAddress), j.Action, j.Comment,
        j.ChangesJson is null ? [] : JsonSerializer.Deserialize<List<VariableChangeView>>(j.ChangesJson, JsonSerializerOptions.Web) ?? [],
        j.Message);
}
