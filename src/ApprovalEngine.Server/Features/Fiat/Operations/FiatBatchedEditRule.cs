using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Hosting;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <summary>
/// A record in an open batch is not edited (ADR 17): the batch's work order approves the batch's total and the bank
/// file carries each item's packed amount, so an edit applied meanwhile would pay an amount nobody approved. Editing
/// (the record's Edit action) and approving a pending edit (Approve on the record's work order while it is in Edit
/// Pending Approval) are refused with 409 while the record has an open batch item, on every route.
/// </summary>
public sealed class FiatBatchedEditRule : ITaskActionRule
{
    public async Task CheckAsync(TaskActionCheck check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        Guid record;
        string recordNo;
        if (check.Before.DefinitionId == FiatNames.DefinitionId && check.Action == FiatNames.Edit)
        {
            record = check.Before.Id;
            recordNo = check.Before.CorrelationId ?? record.ToString();
        }
        else if (check.Before.ParentInstanceId is { } parentId && check.Action == FiatNames.Approve)
        {
            var parent = await check.Db.Instances.AsNoTracking().Where(i => i.Id == parentId)
                .Select(i => new { i.Id, i.DefinitionId, i.CorrelationId, i.BusinessStatus }).FirstOrDefaultAsync(cancellationToken);
            if (parent is null || parent.DefinitionId != FiatNames.DefinitionId || parent.BusinessStatus != FiatNames.EditPendingApproval) return;
            record = parent.Id;
            recordNo = parent.CorrelationId ?? record.ToString();
        }
        else
        {
            return;
        }
        await using var fiat = FiatDbContext.Join(check.Db);
        var batch = await fiat.Set<FiatBatchItem>().AsNoTracking().Where(i => i.RecordId == record && i.IsOpen).Select(i => i.BatchId).FirstOrDefaultAsync(cancellationToken);
        if (batch is not null)
        {
            throw new WorkflowConflictException(
                $"Record {recordNo} is in batch {batch}, pending its approval and bank file with the packed amount: it cannot be edited until the batch has finished or released it.");
        }
    }
}
