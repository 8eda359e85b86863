using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Server.Features.WdRequests;

/// <summary>
/// Keeps the grid table <c>wd_requests</c> in step with every step of a wd-request instance, inside the step's
/// transaction (so the grid never shows a status the instance does not have).
/// </summary>
public sealed class WdProjection : IStepObserver
{
    public ValueTask OnStepSavedAsync(ApprovalDbContext db, StepResult step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(step);
        var state = step.State;
        if (state.DefinitionId != WdVariables.DefinitionId || state.ParentInstanceId is not null) return ValueTask.CompletedTask;
        WdRequestRecord row;
        if (step.IsNew)
        {
            row = new WdRequestRecord
            {
                Id = state.Id,
                CustomerId = WdVars.Text(state.Variables, WdVariables.CustomerId) ?? "",
                TradingAccount = WdVars.Text(state.Variables, WdVariables.TradingAccount) ?? "",
                Currency = WdVars.Text(state.Variables, WdVariables.Currency) ?? "",
                RequestedAmount = WdVars.Number(state.Variables, WdVariables.RequestedAmount) ?? 0m,
                Status = WdStatuses.New,
                CreatedAt = state.CreatedAt,
            };
            db.WdRequests.Add(row);
        }
        else
        {
            // Written as a partial update in the step's batch, without reading the row first.
            row = db.WdRequests.Local.FindEntry(state.Id)?.Entity ?? Attach(db, state.Id);
            var entry = db.Entry(row);
            foreach (var name in new[] { nameof(WdRequestRecord.Status), nameof(WdRequestRecord.Department), nameof(WdRequestRecord.Priority), nameof(WdRequestRecord.Fee), nameof(WdRequestRecord.UpdatedAt) })
            {
                entry.Property(name).IsModified = true;
            }
        }
        row.Status = state.BusinessStatus ?? WdStatuses.New;
        row.Department = state.Department;
        row.Priority = state.Priority;
        row.Fee = WdVars.Number(state.Variables, WdVariables.Fee) ?? 0m;
        row.UpdatedAt = state.UpdatedAt;
        bool? overdue = step.TasksUpdated.Any(u => u.Overdue) ? true : step.TasksOpened.Count > 0 || state.IsFinished ? false : null;
        if (overdue is { } flag)
        {
            row.Overdue = flag;
            if (!step.IsNew) db.Entry(row).Property(r => r.Overdue).IsModified = true;
        }
        return ValueTask.CompletedTask;
    }

    private static WdRequestRecord Attach(ApprovalDbContext db, Guid id)
    {
        var stub = new WdRequestRecord { Id = id, CustomerId = "", TradingAccount = "", Currency = "", Status = "" };
        db.WdRequests.Attach(stub);
        return stub;
    }
}

/// <summary>Typed reads of wd-request variables (numbers are decimals in the engine).</summary>
internal static class WdVars
{
    public static string? Text(IReadOnlyDictionary<string, object?> variables, string name) =>
        variables.TryGetValue(name, out var v) ? v as string : null;

    public static decimal? Number(IReadOnlyDictionary<string, object?> variables, string name) =>
        variables.TryGetValue(name, out var v) ? v switch
        {
            decimal d => d,
            int i => i,
            long l => l,
            double x => (decimal)x,
            _ => null,
        } : null;

    /// <summary>Drops the trailing zeros the database's numeric(28,8) adds (7.00000000 → 7).</summary>
    public static decimal Normalize(decimal value) => value / 1.0000000000000000000000000000m;

    public static bool Flag(IReadOnlyDictionary<string, object?> variables, string name) =>
        variables.TryGetValue(name, out var v) && v is true;
}
