using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.WdRequests;

public sealed record MassEditBody(IReadOnlyList<string>? Ids, string? Department);

public sealed record MassEditResult(string Id, bool Ok, string? Error = null, string? Status = null, string? Department = null);

/// <summary>
/// POST /api/wd-requests/mass-edit (permission wd:5): reassigns each request to Dealing or Backoffice through the
/// flow's MassEditTo interrupt, one step (transaction) per request; per id {id, ok, error?}. Eligibility per
/// <see cref="WdMassEdit"/> (the interrupt's condition enforces the same rule).
/// </summary>
public static class MassEditWdRequests
{
    public const int MaxIds = 100;

    public static async Task<Ok<IReadOnlyList<MassEditResult>>> Handle(MassEditBody? body, HttpContext http, ApprovalDbContext db, WorkflowRunner runner, CancellationToken ct)
    {
        if (!WdRequestsApi.HasPermission(http, WdPermissions.MassUpdate)) throw ApiProblemException.Forbidden("Mass edit needs permission wd:5 (WD Request Mass Update).");
        var ids = body?.Ids;
        if (ids is null || ids.Count == 0) throw ApiProblemException.Invalid("ids", "ids must list 1 to 100 WD request ids.");
        if (ids.Count > MaxIds) throw ApiProblemException.Invalid("ids", $"At most {MaxIds} requests can be mass-edited at once ({ids.Count} given).");
        var department = body!.Department;
        if (department is not (WdDepartments.Dealing or WdDepartments.Backoffice)) throw ApiProblemException.Invalid("department", "department must be Dealing or Backoffice.");
        var eventName = WdEvents.MassEditTo(department);
        var actor = http.ToActor();

        var results = new List<MassEditResult>();
        foreach (var raw in ids)
        {
            if (!Guid.TryParse(raw, out var id))
            {
                results.Add(new MassEditResult(raw ?? "", false, "Not a WD request id."));
                continue;
            }
            if (results.Any(r => r.Id == raw))
            {
                results.Add(new MassEditResult(raw, false, "Listed twice; edited once."));
                continue;
            }
            var row = await db.WdRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
            if (row is null)
            {
                results.Add(new MassEditResult(raw, false, "No such WD request."));
                continue;
            }
            if (WdMassEdit.Refusal(row.Status, row.Department) is { } refusal)
            {
                results.Add(new MassEditResult(raw, false, refusal, row.Status, row.Department));
                continue;
            }
            try
            {
                await runner.StepAsync(id, (d, s) => runner.Engine.Interrupt(d, s, eventName, null, actor), ct);
                var after = await db.WdRequests.AsNoTracking().FirstAsync(r => r.Id == id, ct);
                results.Add(new MassEditResult(raw, true, null, after.Status, after.Department));
            }
            catch (WorkflowException ex)
            {
                // Moved on meanwhile, or the flow's condition refused it (e.g. Complete is executing).
                results.Add(new MassEditResult(raw, false, ex.Message, row.Status, row.Department));
            }
        }
        return TypedResults.Ok<IReadOnlyList<MassEditResult>>(results);
    }
}
