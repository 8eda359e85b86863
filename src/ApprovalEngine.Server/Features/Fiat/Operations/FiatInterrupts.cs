using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Hosting;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <summary>
/// Fires the record flow's domain-only interrupts (marked <c>via</c>: POST /api/events refuses them) in process, one
/// step per record. The flow's conditions decide: a record no longer where the interrupt applies is a conflict.
/// </summary>
public sealed class FiatInterrupts(WorkflowRunner runner)
{
    public Task<InstanceState> FireAsync(Guid recordId, string name, IReadOnlyDictionary<string, object?> payload, Actor actor, CancellationToken ct) =>
        runner.StepAsync(recordId, (d, s) => runner.Engine.Interrupt(d, s, name, payload.ToDictionary(p => p.Key, p => p.Value), actor), ct);
}

/// <summary>
/// What the bank side (statement matching, manual tags) calls for a record in Unmatch: <c>FiatReconciled</c>
/// { result: Matched | Discrepancy, entryId, reasons[], manual }. In process only.
/// </summary>
public sealed class FiatRecordEvents(FiatInterrupts interrupts, IDbContextFactory<FiatDbContext> contexts)
{
    public async Task<InstanceState> ReconciledAsync(string recordNo, bool matched, string? entryId, IReadOnlyList<string> reasons, bool manual, Actor actor, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(reasons);
        await using var fiat = await contexts.CreateDbContextAsync(ct);
        var id = await fiat.Set<Records.FiatWithdrawalRecord>().AsNoTracking().Where(r => r.RecordNo == recordNo).Select(r => (Guid?)r.Id).FirstOrDefaultAsync(ct)
            ?? throw new WorkflowNotFoundException($"No withdrawal record {recordNo}.");
        return await interrupts.FireAsync(id, FiatNames.FiatReconciled, new Dictionary<string, object?>
        {
            ["result"] = matched ? FiatNames.Matched : "Discrepancy",
            ["entryId"] = entryId,
            ["reasons"] = reasons.Cast<object?>().ToList(),
            ["manual"] = manual,
        }, actor, ct);
    }
}

/// <summary>
/// Repayment: the new record (same customer, amount, fee and beneficiary; number = old number + "-R") starts at
/// Withdrawal Pending with <c>repaymentOf</c> set. Started through <see cref="InstanceStarter"/> with the number as
/// correlation id, so a retried job finds the record it started and never makes two.
/// </summary>
public sealed class FiatRepayments(IServiceScopeFactory scopes) : IFiatRepayments
{
    public const string Route = "fiat-withdrawal Repayment (RegenerateFiatWithdrawal)";

    private static readonly string[] Copied = ["customerId", "currency", "amount", "fee", "bankAccount", "beneficiaryBank", "beneficiaryName", "remarks", "documents", "channel"];

    public async Task<string> RegenerateAsync(Guid oldInstanceId, string oldRecordNo, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<Persistence.ApprovalDbContext>();
        var json = await db.Instances.AsNoTracking().Where(i => i.Id == oldInstanceId).Select(i => i.StateJson).FirstAsync(cancellationToken);
        var old = InstanceStateJson.Deserialize(json);
        var recordNo = oldRecordNo + "-R";
        var input = new Dictionary<string, object?>(StringComparer.Ordinal) { ["recordNo"] = recordNo, ["repaymentOf"] = oldRecordNo };
        foreach (var name in Copied)
        {
            if (old.Variables.TryGetValue(name, out var value) && value is not null) input[name] = value;
        }
        var starter = scope.ServiceProvider.GetRequiredService<InstanceStarter>();
        await starter.StartAsync(FiatNames.DefinitionId, recordNo, input, Actor.System("fiat-repayment"), StartRoute.Domain(Route), cancellationToken,
            domainInputs: new HashSet<string>(StringComparer.Ordinal) { "repaymentOf" });
        return recordNo;
    }
}
