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
    public async ValueTask OnStepSavedAsync(ApprovalDbContext db, StepResult step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(step);
        var state = step.State;
        if (state.DefinitionId != WdVariables.DefinitionId || state.ParentInstanceId is not null) return;
        var row = step.IsNew ? null : await db.WdRequests.FindAsync([state.Id], cancellationToken);
        if (row is null)
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
        row.Status = state.BusinessStatus ?? WdStatuses.New;
        row.Department = state.Department;
        row.Priority = state.Priority;
        row.Fee = WdVars.Number(state.Variables, WdVariables.Fee) ?? 0m;
        row.UpdatedAt = state.UpdatedAt;
        if (step.TasksOpened.Count > 0 || state.IsFinished) row.Overdue = false;
        if (step.TasksUpdated.Any(u => u.Overdue)) row.Overdue = true;
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
