using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Records;

/// <summary>
/// <c>GET /api/crypto/{withdrawals|deposits}/{id}</c> (instance id or record number): the record, the reasons it
/// carries, its open tasks and its history — its own journal and its work orders' (atm.va.coin_withdraw_apply,
/// atm.va.coin_deposit_refund), in time order, each entry with who acted, when, the action and the comment.
/// </summary>
public static class GetCryptoRecord
{
    public static async Task<Ok<CryptoRecordDetail>> HandleAsync(CryptoRecordKind kind, string id, HttpContext http, ApprovalDbContext db, ReadAccess reads, CancellationToken ct)
    {
        // The read check comes first, so a caller who may not read these records cannot probe which numbers exist.
        await reads.EnsureCanReadAsync(db, http.User, kind.DefinitionId, ct);
        var row = await FindAsync(kind, id, db, ct) ?? throw ApiProblemException.NotFound($"No {kind.Route[..^1]} record '{id}'.");
        var state = InstanceStateJson.Deserialize(row.StateJson);
        var children = await db.Instances.AsNoTracking().Where(i => i.ParentInstanceId == row.Id).Select(i => new { i.Id, i.DefinitionId }).ToListAsync(ct);
        var ids = children.Select(c => c.Id).Append(row.Id).ToList();
        var journal = await db.Journal.AsNoTracking().Where(j => ids.Contains(j.InstanceId)).ToListAsync(ct);
        var tasks = await db.Tasks.AsNoTracking().Where(t => ids.Contains(t.InstanceId) && t.Status == "Open").OrderBy(t => t.CreatedAt).ToListAsync(ct);
        var history = journal.OrderBy(j => j.Timestamp).ThenBy(j => j.InstanceId == row.Id ? 0 : 1).ThenBy(j => j.Sequence)
            .Select(j => new CryptoHistoryEntry(j.InstanceId == row.Id ? kind.DefinitionId : children.First(c => c.Id == j.InstanceId).DefinitionId, j.InstanceId, InstanceViews.ToView(j)))
            .ToList();
        return TypedResults.Ok(new CryptoRecordDetail(CryptoRecordViews.ToView(row, kind, state), CryptoRecordViews.Reasons(state), [.. tasks.Select(InstanceViews.ToView)], history));
    }

    private static async Task<InstanceRecord?> FindAsync(CryptoRecordKind kind, string id, ApprovalDbContext db, CancellationToken ct)
    {
        var definitionId = kind.DefinitionId;
        var records = db.Instances.AsNoTracking().Where(i => i.DefinitionId == definitionId && i.ParentInstanceId == null);
        if (Guid.TryParse(id, out var instanceId)) return await records.FirstOrDefaultAsync(i => i.Id == instanceId, ct);
        if (id.Length > 64) return null;
        return await records.Where(i => ApprovalDbContext.StateVariable(i.StateJson, "recordNo") == id).OrderBy(i => i.CreatedAt).FirstOrDefaultAsync(ct);
    }
}
