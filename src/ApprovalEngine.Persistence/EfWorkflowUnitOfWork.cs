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
    private readonly Dictionary<Guid, InstanceRecord> _loaded = [];
    private readonly Dictionary<Guid, long> _journalSequence = [];

    public ApprovalDbContext Db => db;

    /// <summary>Job runs (retries) decided in this unit; the host schedules them with the unit's timers.</summary>
    public List<PendingJobRun> JobRuns { get; } = [];

    public async ValueTask<WorkflowDefinition?> GetDefinitionAsync(string id, int? version, CancellationToken cancellationToken)
    {
        if (version is null)
        {
            var published = await db.Definitions.AsNoTracking().Where(d => d.Id == id).Select(d => d.PublishedVersion).FirstOrDefaultAsync(cancellationToken);
            if (published is null) return null;
            await RefuseSuspendedAsync(id, published.Value, cancellationToken);
            version = published;
        }
        return await definitions.GetAsync(db, id, version.Value, cancellationToken);
    }

    /// <summary>
    /// Asking for the current version means starting a new instance (a top-level start or a CallWorkflow child), which
    /// a suspended version refuses. Checked here so that every start path, whatever route caused it, is covered.
    /// </summary>
    private async Task RefuseSuspendedAsync(string id, int version, CancellationToken cancellationToken)
    {
        var suspended = await db.DefinitionVersions.AsNoTracking()
            .Where(v => v.DefinitionId == id && v.Version == version && v.SuspendedAt != null)
            .Select(v => new { v.SuspendReason, v.SuspendedBy })
            .FirstOrDefaultAsync(cancellationToken);
        if (suspended is not null)
        {
            throw new WorkflowConflictException($"'{id}' v{version} is suspended for new starts by {suspended.SuspendedBy} ({suspended.SuspendReason}); instances already running continue. An analyst holding definitions:approve can resume it.");
        }
    }

    public async ValueTask<InstanceState?> GetInstanceAsync(Guid id, CancellationToken cancellationToken)
    {
        if (!_loaded.TryGetValue(id, out var record))
        {
            record = await db.Instances.FirstOrDefaultAsync(i => i.Id == id, cancellationToken);
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
            db.Instances.Add(record);
            _loaded[state.Id] = record;
            _journalSequence[state.Id] = 0;
        }
        else
        {
            if (!_loaded.TryGetValue(state.Id, out var record))
            {
                record = await db.Instances.FirstOrDefaultAsync(i => i.Id == state.Id, cancellationToken)
                    ?? throw new WorkflowNotFoundException($"No instance {state.Id}.");
                _loaded[state.Id] = record;
            }
            if (record.Version != step.ExpectedVersion) throw Stale();
            // Claim the version before writing anything else. Two steps computed from the same version derive the
            // same new task and bookmark ids (they are seeded from the instance's sequence), so if the rows were
            // written first the loser would fail on a primary key (and abort the PostgreSQL transaction) instead
            // of being reported as stale. The row lock also makes a concurrent claimer wait for our commit and
            // then find the version gone.
            var claimed = await db.Instances
                .Where(i => i.Id == state.Id && i.Version == step.ExpectedVersion)
                .ExecuteUpdateAsync(s => s.SetProperty(i => i.Version, state.Version), cancellationToken);
            if (claimed == 0) throw Stale();
            Apply(record, state);
            // The stored version is now the new one; the UPDATE below still carries "WHERE version = …" as a guard.
            db.Entry(record).Property(x => x.Version).OriginalValue = state.Version;
        }

        foreach (var task in step.TasksOpened)
        {
            db.Tasks.Add(new TaskRecord
            {
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
        var touched = step.TasksClosed.Select(c => c.TaskId).Concat(step.TasksUpdated.Select(u => u.TaskId)).ToList();
        if (touched.Count > 0)
        {
            var rows = await db.Tasks.Where(t => touched.Contains(t.Id)).ToDictionaryAsync(t => t.Id, cancellationToken);
            foreach (var u in step.TasksUpdated)
            {
                if (!rows.TryGetValue(u.TaskId, out var row)) continue;
                row.Overdue = u.Overdue;
                row.Priority = u.Priority;
            }
            foreach (var c in step.TasksClosed)
            {
                if (!rows.TryGetValue(c.TaskId, out var row)) continue;
                row.Status = c.Status.ToString();
                row.ClosedAt = c.ClosedAt;
                row.ClosedBy = c.ClosedBy;
                row.ClosedAction = c.Action;
            }
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
        var removed = step.BookmarksRemoved.Select(b => b.Id).ToList();
        if (removed.Count > 0)
        {
            await db.Bookmarks.Where(b => removed.Contains(b.Id)).ExecuteDeleteAsync(cancellationToken);
            var finishedJobs = step.BookmarksRemoved.Where(b => b.Kind == BookmarkKind.Job).Select(b => b.Id).ToList();
            if (finishedJobs.Count > 0)
            {
                foreach (var job in await db.Jobs.Where(j => finishedJobs.Contains(j.Id)).ToListAsync(cancellationToken))
                {
                    job.Status = JobStatuses.Done;
                    job.UpdatedAt = state.UpdatedAt;
                    job.NextAttemptAt = null;
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
                NextAttemptAt = state.UpdatedAt,
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
            if (!_journalSequence.TryGetValue(state.Id, out var sequence))
            {
                sequence = await db.Journal.Where(j => j.InstanceId == state.Id).MaxAsync(j => (long?)j.Sequence, cancellationToken) ?? 0;
            }
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
            _journalSequence[state.Id] = sequence;
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
    }

    private static WorkflowConflictException Stale() =>
        new("The instance changed underneath (someone else acted first); reload and try again.", stale: true);

    private static void Apply(InstanceRecord record, InstanceState state)
    {
        record.Status = state.Status.ToString();
        record.BusinessStatus = state.BusinessStatus;
        record.Department = state.Department;
        record.Priority = state.Priority;
        record.StateJson = InstanceStateJson.Serialize(state);
        record.Version = state.Version;
        record.UpdatedAt = state.UpdatedAt;
        record.CompletedAt = state.CompletedAt;
    }

    private static string? Truncate(string? text, int max) => text is null || text.Length <= max ? text : text[..max];
}

public sealed record PendingJobRun(Guid InstanceId, Guid JobId, int Attempt, DateTimeOffset RunAt);

public static class JobStatuses
{
    public const string Pending = "Pending";
    public const string Done = "Done";
    public const string Failed = "Failed";
}

public static class IncidentStatuses
{
    public const string Open = "Open";
    public const string Resolved = "Resolved";
}
