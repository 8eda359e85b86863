using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <summary>A withdrawal record as the operations screens list it, with the task waiting on it (if any).</summary>
public sealed record FiatRecordView(Guid Id, string RecordNo, string CustomerId, string Currency, decimal Amount, decimal Fee, string BankAccount,
    string? BeneficiaryBank, string? BeneficiaryName, string? Channel, string? Policy, string Status, string? Reconciliation, string? BatchId,
    string? BankReference, string? RepaymentOf, DateOnly BusinessDay, bool Finished, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    Guid? OpenTaskId, string? OpenActivityId, DateTimeOffset? PaidAt = null);

/// <summary>Reads the records projection (fiat_withdrawals) and the open task of each record.</summary>
public sealed class FiatRecords(FiatDbContext fiat, ApprovalDbContext db)
{
    public IQueryable<FiatWithdrawalRecord> Query => fiat.Set<FiatWithdrawalRecord>().AsNoTracking();

    public async Task<FiatRecordView> ViewAsync(Guid id, CancellationToken ct)
    {
        var row = await Query.FirstOrDefaultAsync(r => r.Id == id, ct) ?? throw ApiProblemException.NotFound($"No withdrawal record {id}.");
        return (await ViewsAsync([row], ct)).Single();
    }

    public async Task<Guid?> FindByClientReferenceAsync(string startedBy, string clientReference, CancellationToken ct) =>
        await Query.Where(r => r.StartedBy == startedBy && r.ClientReference == clientReference).Select(r => (Guid?)r.Id).FirstOrDefaultAsync(ct);

    /// <summary>The record by id or by record number.</summary>
    public async Task<FiatWithdrawalRecord> FindAsync(string idOrNumber, CancellationToken ct)
    {
        var row = Guid.TryParse(idOrNumber, out var id)
            ? await Query.FirstOrDefaultAsync(r => r.Id == id, ct)
            : await Query.FirstOrDefaultAsync(r => r.RecordNo == idOrNumber, ct);
        return row ?? throw ApiProblemException.NotFound($"No withdrawal record '{idOrNumber}'.");
    }

    public async Task<IReadOnlyList<FiatRecordView>> ViewsAsync(IReadOnlyList<FiatWithdrawalRecord> rows, CancellationToken ct)
    {
        var ids = rows.Select(r => r.Id).ToList();
        var tasks = await db.Tasks.AsNoTracking().Where(t => ids.Contains(t.InstanceId) && t.Status == "Open")
            .Select(t => new { t.InstanceId, t.Id, t.ActivityId }).ToListAsync(ct);
        return [.. rows.Select(r =>
        {
            var task = tasks.FirstOrDefault(t => t.InstanceId == r.Id);
            return new FiatRecordView(r.Id, r.RecordNo, r.CustomerId, r.Currency, r.Amount, r.Fee, r.BeneficiaryAccount, r.BeneficiaryBank, r.BeneficiaryName,
                r.ChannelId, r.Policy, r.Status, r.Reconciliation, r.BatchId, r.BankReference, r.RepaymentOf, r.BusinessDay, r.Finished, r.CreatedAt, r.UpdatedAt,
                task?.Id, task?.ActivityId, r.PaidAt);
        })];
    }

    /// <summary>People and systems the fiat-withdrawal read policy admits (ADR 7) may use the operations routes.</summary>
    public static async Task RequireReaderAsync(HttpContext http, CancellationToken ct)
    {
        var services = http.RequestServices;
        await services.GetRequiredService<ReadAccess>().EnsureCanReadAsync(services.GetRequiredService<ApprovalDbContext>(), http.User, FiatNames.DefinitionId, ct);
    }
}
