using System.Text.Json;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Persistence;

/// <summary>Runs inside the step's transaction after the engine rows are written (projections, domain rows).</summary>
public interface IStepObserver
{
    ValueTask OnStepSavedAsync(ApprovalDbContext db, StepResult step, CancellationToken cancellationToken);
}

/// <summary>
/// Writes engine steps to the database inside a transaction the caller owns. The instance row is updated only if its
/// version is still the one the step was computed from, so two concurrent resumes cannot both win.
/// </summary>
public sealed class EfWorkflowUnitOfWork(ApprovalDbContext db, IEnumerable<IStepObserver> observers, DefinitionCache definitions) : IWorkflowUnitOfWork
{
    // Instance rows this unit read or wrote, untracked: the unit writes them itself with one guarded UPDATE per step.
    private readonly Dictionary<Guid, InstanceRecord> _loaded = [];

    // The last state this unit saved per instance.
    private readonly Dictionary<Guid, InstanceState> _saved = [];

    public ApprovalDbContext Db => db;

    /// <summary>The state of <paramref name="instanceId"/> as this unit last saved it, or null.</summary>
    public InstanceState? SavedState(Guid instanceId) => _saved.GetValueOrDefault(instanceId);

    /// <summary>
    /// When a new job's row becomes due for the job pollers. The host runs jobs inline right after the commit, so there
    /// the row is only the durable backup and is due later; without inline runs it is due at once.
    /// </summary>
    public TimeSpan JobFirstRunDelay { get; init; }

    public async ValueTask<WorkflowDefinition?> GetDefinitionAsync(string id, int? version, CancellationToken cancellationToken)
    {
        if (version is null)
        {
            // The published version and its suspension in one query: every start asks this.
            var published = await db.Definitions.AsNoTracking().Where(d => d.Id == id)
                .Select(d => new
                {
                    d.PublishedVersion,
                    Suspended = db.DefinitionVersions.Where(v => v.DefinitionId == id && v.Version == d.PublishedVersion && v.SuspendedAt != null)
                        .Select(v => new { v.SuspendReason, v.SuspendedBy }).FirstOrDefault(),
                })
                .FirstOrDefaultAsync(cancellationToken);
            if (published?.PublishedVersion is not { } current) return null;
            if (published.Suspended is { } suspended) throw Suspended(id, current, suspended.SuspendedBy, suspended.SuspendReason);
            version = current;
        }
        return await definitions.GetAsync(db, id, version.Value, cancellationToken);
    }

    /// <summary>
    /// Asking for the current version means starting a new instance (a top-level start or a CallWorkflow child), which
    /// a suspended version refuses. Checked here so that every start path, whatever route caused it, is covered.
    /// </summary>
    private static WorkflowConflictException Suspended(string id, int version, string? by, string? reason) =>
        new($"'{id}' v{version} is suspended for new starts by {by} ({reason}); instances already running continue. An analyst holding definitions:approve can resume it.");

    public async ValueTask<InstanceState?> GetInstanceAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!_loaded.TryGetValue(id, out var record))
        {
            record = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
            if (record is null) return null;
            _loaded[id] = record;
        }
        return InstanceStateJson.Deserialize(record.StateJson);
    }

    public async ValueTask SaveAsync(StepResult step, CancellationToken cancellationToken)
    {
        if (db.Database.CurrentTransaction is null && System.Transactions.Transaction.Current is null)
        {
            // Bookmark deletes and the version claim run as their own statements: without the caller's transaction
            // they would commit on their own even when the step then fails.
            throw new InvalidOperationException("EfWorkflowUnitOfWork.SaveAsync needs the caller's transaction: begin one with db.Database.BeginTransactionAsync() and commit it after the step(s).");
        }
        var state = step.State;
        long sequence;
        if (step.IsNew)
        {
            var record = new InstanceRecord
            {
                Id = state.Id,
                DefinitionId = state.DefinitionId,
                DefinitionVersion = state.DefinitionVersion,
                CorrelationId = state.CorrelationId,
                ParentInstanceId = state.ParentInstanceId,
                CreatedAt = state.CreatedAt,
                Status = "",
                StateJson = "",
            };
            Apply(record, state);
            sequence = 0;
            record.JournalSequence = step.Journal.Count;
            db.Instances.Add(record);
            _loaded[state.Id] = record;
        }
        else
        {
            if (!_loaded.TryGetValue(state.Id, out var record))
            {
                record = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.Id == state.Id, cancellationToken)
                    ?? throw new WorkflowNotFoundException($"No instance {state.Id}.");
                _loaded[state.Id] = record;
            }
            if (record.Version != step.ExpectedVersion) throw Stale();
            sequence = record.JournalSequence;
            // One guarded UPDATE writes the whole row and claims the version, before anything else is written. Two
            // steps computed from the same version derive the same new task and bookmark ids (they are seeded from
            // the instance's sequence), so if those rows were written first the loser would fail on a primary key
            // (and abort the PostgreSQL transaction) instead of being reported as stale. The row lock also makes a
            // concurrent claimer wait for our commit and then find the version gone.
            var json = InstanceStateJson.Serialize(state);
            var status = state.Status.ToString();
            var journalSequence = sequence + step.Journal.Count;
            var claimed = await db.Instances
                .Where(i => i.Id == state.Id && i.Version == step.ExpectedVersion)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(i => i.Version, state.Version)
                    .SetProperty(i => i.DefinitionVersion, state.DefinitionVersion)
                    .SetProperty(i => i.Status, status)
                    .SetProperty(i => i.BusinessStatus, state.BusinessStatus)
                    .SetProperty(i => i.Department, state.Department)
                    .SetProperty(i => i.Priority, state.Priority)
                    .SetProperty(i => i.StateJson, json)
                    .SetProperty(i => i.UpdatedAt, state.UpdatedAt)
                    .SetProperty(i => i.CompletedAt, state.CompletedAt)
                    .SetProperty(i => i.JournalSequence, journalSequence), cancellationToken);
            if (claimed == 0) throw Stale();
            Apply(record, state, json);
            record.JournalSequence = journalSequence;
        }

        // The subject columns (ADR 23): from the instance's own version, in this step's transaction.
        var refresh = !step.IsNew && await SubjectMayHaveChangedAsync(step, state, cancellationToken);
        (TaskSubject Subject, string? ParentDefinitionId, int ParentColumns)? subject = step.TasksOpened.Count > 0 || refresh ? await SubjectAsync(state, cancellationToken) : null;
        if (refresh)
        {
            // Tasks stay open while other branches, events or migrations change variables: the open ones follow.
            var (s, parentDefinition, parentColumns) = subject!.Value;
            await db.Tasks.Where(t => t.InstanceId == state.Id && t.Status == OpenStatus)
                .ExecuteUpdateAsync(u => u
                    .SetProperty(t => t.SubjectCustomer, s.Customer)
                    .SetProperty(t => t.SubjectAccount, s.Account)
                    .SetProperty(t => t.SubjectAmount, s.Amount)
                    .SetProperty(t => t.SubjectCurrency, s.Currency)
                    .SetProperty(t => t.SubjectParentDefinitionId, parentDefinition)
                    .SetProperty(t => t.SubjectParentColumns, parentColumns), cancellationToken);
        }
        foreach (var task in step.TasksOpened)
        {
            var (own, parentDefinitionId, parentMask) = subject!.Value;
            db.Tasks.Add(new TaskRecord
            {
                SubjectCustomer = own.Customer,
                SubjectAccount = own.Account,
                SubjectAmount = own.Amount,
                SubjectCurrency = own.Currency,
                SubjectParentDefinitionId = parentDefinitionId,
                SubjectParentColumns = parentMask,
                Id = task.Id,
                InstanceId = task.InstanceId,
                DefinitionId = task.DefinitionId,
                DefinitionVersion = task.DefinitionVersion,
                ActivityId = task.ActivityId,
                Title = task.Title,
                BusinessStatus = task.BusinessStatus,
                Department = task.Department,
                CorrelationId = task.CorrelationId,
                Status = nameof(Workflows.Runtime.TaskStatus.Open),
                Priority = task.Priority,
                DueAt = task.DueAt,
                CreatedAt = task.CreatedAt,
            });
        }
        // Rows the step changes are written as partial updates in the same batch, without reading them first.
        foreach (var u in step.TasksUpdated)
        {
            var row = Track(db.Tasks, u.TaskId, () => new TaskRecord { Id = u.TaskId, DefinitionId = "", ActivityId = "", Title = "", Status = "" });
            Set(db, row, t => t.Overdue, u.Overdue);
            Set(db, row, t => t.Priority, u.Priority);
        }
        foreach (var c in step.TasksClosed)
        {
            var row = Track(db.Tasks, c.TaskId, () => new TaskRecord { Id = c.TaskId, DefinitionId = "", ActivityId = "", Title = "", Status = "" });
            Set(db, row, t => t.Status, c.Status.ToString());
            Set(db, row, t => t.ClosedAt, c.ClosedAt);
            Set(db, row, t => t.ClosedBy, c.ClosedBy);
            Set(db, row, t => t.ClosedAction, c.Action);
        }

        foreach (var b in step.BookmarksAdded)
        {
            db.Bookmarks.Add(new BookmarkRecord
            {
                Id = b.Id,
                InstanceId = state.Id,
                Kind = b.Kind.ToString(),
                ActivityId = b.ActivityId,
                EventName = b.EventName,
                CorrelationKey = b.CorrelationKey,
                DueAt = b.DueAt,
                CreatedAt = state.UpdatedAt,
            });
        }
        // Removing a timer's bookmark is cancelling the timer: the row is what the pollers fire.
        foreach (var b in step.BookmarksRemoved)
        {
            var row = Track(db.Bookmarks, b.Id, () => new BookmarkRecord { Id = b.Id, Kind = "", ActivityId = "" });
            db.Bookmarks.Remove(row);
            if (b.Kind == BookmarkKind.Job)
            {
                var job = Track(db.Jobs, b.Id, () => new JobRecord { Id = b.Id, ActivityId = "", ActivityType = "", InputJson = "", IdempotencyKey = "", Status = "" });
                // A call this unit just recorded as failed for good stays Failed (its incident names it). A call whose
                // result this step consumed is Done; one the flow stopped waiting for without its result (an End on
                // another branch, a join-any) is Abandoned, so a result arriving later is journaled, not dropped.
                if (job.Status != JobStatuses.Failed) Set(db, job, j => j.Status, Consumed(step, b.Id) ? JobStatuses.Done : JobStatuses.Abandoned);
                Set(db, job, j => j.UpdatedAt, state.UpdatedAt);
                Set(db, job, j => j.NextAttemptAt, null);
                Set(db, job, j => j.LeaseUntil, null);
            }
        }

        // An instance moved to another version: the rows derived from its waits follow it.
        if (step.Migrated is { } move)
        {
            foreach (var (bookmarkId, kind, taskId, activityId) in move.Bookmarks)
            {
                var bookmark = Track(db.Bookmarks, bookmarkId, () => new BookmarkRecord { Id = bookmarkId, Kind = "", ActivityId = "" });
                Set(db, bookmark, b => b.ActivityId, activityId);
                if (taskId is { } t)
                {
                    var task = Track(db.Tasks, t, () => new TaskRecord { Id = t, DefinitionId = "", ActivityId = "", Title = "", Status = "" });
                    Set(db, task, x => x.ActivityId, activityId);
                    Set(db, task, x => x.DefinitionVersion, move.ToVersion);
                }
                if (kind == BookmarkKind.Job)
                {
                    var job = Track(db.Jobs, bookmarkId, () => new JobRecord { Id = bookmarkId, ActivityId = "", ActivityType = "", InputJson = "", IdempotencyKey = "", Status = "" });
                    Set(db, job, j => j.ActivityId, activityId);
                }
            }
        }

        foreach (var job in step.Jobs)
        {
            db.Jobs.Add(new JobRecord
            {
                Id = job.BookmarkId,
                InstanceId = job.InstanceId,
                ActivityId = job.ActivityId,
                ActivityType = job.ActivityType,
                InputJson = job.Input.ToJsonString(),
                IdempotencyKey = job.IdempotencyKey,
                Status = JobStatuses.Pending,
                NextAttemptAt = state.UpdatedAt + JobFirstRunDelay,
                CreatedAt = state.UpdatedAt,
                UpdatedAt = state.UpdatedAt,
            });
        }

        foreach (var incident in step.Incidents)
        {
            db.Incidents.Add(new IncidentRow
            {
                Id = incident.Id,
                InstanceId = incident.InstanceId,
                ActivityId = incident.ActivityId,
                ActivityType = incident.ActivityType,
                Message = Truncate(incident.Message, 4000)!,
                JobId = incident.BookmarkId,
                Status = IncidentStatuses.Open,
                CreatedAt = incident.CreatedAt,
            });
        }

        if (step.Journal.Count > 0)
        {
            foreach (var entry in step.Journal)
            {
                db.Journal.Add(new JournalRecord
                {
                    InstanceId = state.Id,
                    Sequence = ++sequence,
                    Timestamp = entry.Timestamp,
                    Kind = entry.Kind,
                    ActivityId = entry.ActivityId,
                    ActivityType = entry.ActivityType,
                    Outcome = entry.Outcome,
                    UserId = entry.UserId,
                    Role = entry.Role,
                    IpAddress = entry.IpAddress,
                    Action = entry.Action,
                    Comment = Truncate(entry.Comment, 4000),
                    Message = Truncate(entry.Message, 4000),
                    ChangesJson = entry.Changes.Count == 0 ? null : JsonSerializer.Serialize(entry.Changes, JsonSerializerOptions.Web),
                });
            }
        }

        // What caused the step, for replays (impact preview): one row in the same batch.
        if (step.Command is { } command)
        {
            db.StepCommands.Add(new StepCommandRecord
            {
                InstanceId = state.Id,
                Version = state.Version,
                Kind = command.Kind,
                Chained = command.Chained,
                At = command.At,
                CommandJson = command.ToJson().ToJsonString(),
            });
        }

        foreach (var observer in observers) await observer.OnStepSavedAsync(db, step, cancellationToken);

        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw Stale();
        }
        _saved[state.Id] = state;
        // Later steps of this unit on the same instance update it with their own guarded UPDATE, not through tracking.
        if (step.IsNew) db.Entry(_loaded[state.Id]).State = EntityState.Detached;
    }

    private static readonly string OpenStatus = nameof(Workflows.Runtime.TaskStatus.Open);

    /// <summary>
    /// Whether the step may have changed the subject: it moved the instance to another version (which may name other
    /// variables), or its journal records a change of a subject variable or folds changes into a capped summary ("…").
    /// </summary>
    private async ValueTask<bool> SubjectMayHaveChangedAsync(StepResult step, InstanceState state, CancellationToken cancellationToken)
    {
        if (step.Migrated is not null) return true;
        if (!step.Journal.Any(j => j.Changes.Count > 0)) return false;
        var definition = await definitions.GetAsync(db, state.DefinitionId, state.DefinitionVersion, cancellationToken);
        if (definition is null) return false;
        var names = TaskSubject.Variables(definition);
        return step.Journal.Any(j => j.Changes.Any(c => c.Name == "…" || names.Contains(c.Name)));
    }

    /// <summary>
    /// The instance's subject by its own version's <see cref="SubjectColumns"/>; the columns that version holds no
    /// variable for are its parent's (by the parent's own version), with the parent's flow so reads can hide them from
    /// whoever may not read it.
    /// </summary>
    private async Task<(TaskSubject Subject, string? ParentDefinitionId, int ParentColumns)> SubjectAsync(InstanceState state, CancellationToken cancellationToken)
    {
        var definition = await definitions.GetAsync(db, state.DefinitionId, state.DefinitionVersion, cancellationToken);
        if (definition is null) return (TaskSubject.None, null, 0);
        var own = TaskSubject.Own(definition, state.Variables);
        var mask = TaskSubject.ParentColumns(definition);
        if (mask == 0 || state.ParentInstanceId is not { } parentId) return (own, null, 0);
        var parent = _saved.GetValueOrDefault(parentId);
        if (parent is null)
        {
            var json = _loaded.TryGetValue(parentId, out var loaded) ? loaded.StateJson
                : await db.Instances.AsNoTracking().Where(i => i.Id == parentId).Select(i => i.StateJson).FirstOrDefaultAsync(cancellationToken);
            if (string.IsNullOrEmpty(json)) return (own, null, 0);
            parent = InstanceStateJson.Deserialize(json);
        }
        var parentDefinition = await definitions.GetAsync(db, parent.DefinitionId, parent.DefinitionVersion, cancellationToken);
        if (parentDefinition is null) return (own, null, 0);
        return (own.WithParent(TaskSubject.Own(parentDefinition, parent.Variables), mask), parent.DefinitionId, mask);
    }

    /// <summary>Whether the step is the resume of this call by its own result (the command that caused it names the bookmark).</summary>
    private static bool Consumed(StepResult step, Guid bookmarkId) =>
        step.Command is { } command
        && command.Kind is StepCommandKinds.Resume or StepCommandKinds.CompleteCall
        && (string?)command.Args["bookmarkId"] == bookmarkId.ToString();

    /// <summary>The tracked row with this key, or an attached stand-in whose changed columns alone are written.</summary>
    private static T Track<T>(DbSet<T> set, Guid id, Func<T> stub) where T : class
    {
        var entry = set.Local.FindEntry(id);
        if (entry is not null) return entry.Entity;
        var row = stub();
        set.Attach(row);
        return row;
    }

    private static void Set<T, TValue>(ApprovalDbContext db, T row, System.Linq.Expressions.Expression<Func<T, TValue>> property, TValue value) where T : class
    {
        var entry = db.Entry(row).Property(property);
        entry.CurrentValue = value;
        // A stand-in's placeholder may equal the new value; the column must still be written.
        if (db.Entry(row).State != EntityState.Added) entry.IsModified = true;
    }

    private static WorkflowConflictException Stale() =>
        new("The instance changed underneath (someone else acted first); reload and try again.", stale: true);

    private static void Apply(InstanceRecord record, InstanceState state, string? json = null)
    {
        record.Status = state.Status.ToString();
        record.BusinessStatus = state.BusinessStatus;
        record.Department = state.Department;
        record.Priority = state.Priority;
        record.StateJson = json ?? InstanceStateJson.Serialize(state);
        record.Version = state.Version;
        record.UpdatedAt = state.UpdatedAt;
        record.CompletedAt = state.CompletedAt;
    }

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}

public static class JobStatuses
{
    public const string Pending = "Pending";
    public const string Done = "Done";
    public const string Failed = "Failed";

    /// <summary>The flow stopped waiting for the call without its result (ADR 10): a result that still comes is journaled.</summary>
    public const string Abandoned = "Abandoned";
}

public static class IncidentStatuses
{
    public const string Open = "Open";
    public const string Resolved = "Resolved";
}
