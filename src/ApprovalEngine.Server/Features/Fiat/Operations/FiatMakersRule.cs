using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Hosting;
using ApprovalEngine.Persistence;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <summary>
/// Four eyes on the fiat work orders beyond the engine's starter and requester (ADR 17): nobody who made the record
/// decides a work order about it. The makers of a record are whoever entered it and everyone who ever submitted it,
/// edited it or chose its direct billing — read from its journal, so every version and every earlier edit counts,
/// not only the last one the flow's variables keep. A batch's work order excludes its packer and the makers of every
/// record packed into the batch. Refused with 403 on every route that completes a task.
/// </summary>
public sealed class FiatMakersRule : ITaskActionRule
{
    public async Task CheckAsync(TaskActionCheck check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        if (check.Before.ParentInstanceId is not { } parentId) return;
        var db = check.Db;
        var parent = await db.Instances.AsNoTracking().Where(i => i.Id == parentId)
            .Select(i => new { i.Id, i.DefinitionId, i.CorrelationId }).FirstOrDefaultAsync(cancellationToken);
        if (parent is null) return;
        List<Guid> records;
        string what;
        if (parent.DefinitionId == FiatNames.DefinitionId)
        {
            records = [parent.Id];
            what = $"record {parent.CorrelationId}";
        }
        else if (parent.DefinitionId == FiatNames.BatchDefinitionId)
        {
            await using var fiat = FiatDbContext.Join(db);
            records = await fiat.Set<FiatBatchItem>().AsNoTracking().Where(i => i.BatchId == parent.CorrelationId).Select(i => i.RecordId).Distinct().ToListAsync(cancellationToken);
            what = $"batch {parent.CorrelationId} or one of its {records.Count} records";
        }
        else
        {
            return;
        }
        var user = check.Actor.UserId;
        // The packer of a batch started its instance; a record's entering operator started the record.
        var started = await db.Journal.AsNoTracking()
            .AnyAsync(j => j.InstanceId == parent.Id && j.Kind == JournalKinds.InstanceStarted && j.UserId == user, cancellationToken);
        if (started || await IsMakerAsync(db, records, user, cancellationToken))
        {
            throw new WorkflowForbiddenException(
                $"Four eyes: you are a maker of {what} (you entered, submitted, edited, packed it or chose its direct billing), so someone else must decide this work order.");
        }
    }

    /// <summary>Whether <paramref name="user"/> entered any of the records, or submitted, edited or chose direct billing for one of them.</summary>
    public static async Task<bool> IsMakerAsync(ApprovalDbContext db, IReadOnlyCollection<Guid> records, string user, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (records.Count == 0) return false;
        var entries = await db.Journal.AsNoTracking()
            .Where(j => records.Contains(j.InstanceId) && j.UserId == user
                && (j.Kind == JournalKinds.InstanceStarted
                    || (j.Kind == JournalKinds.TaskCompleted && (j.ActivityId == FiatTaskRules.ApplicationActivity || j.ActivityId == FiatTaskRules.PendingActivity))))
            .Select(j => new { j.Kind, j.ActivityId, j.Action }).ToListAsync(cancellationToken);
        return entries.Any(e => e.Kind == JournalKinds.InstanceStarted || FiatTaskRules.IsMakerAction(e.ActivityId, e.Action));
    }
}
