using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.WdRequests;

/// <param name="ExpectedVersion">Extension: the card's instanceVersion; 409 when the request changed since.</param>
public sealed record WdActionBody(string? Action, string? Comment, decimal? Fee, long? ExpectedVersion = null);

/// <summary>
/// POST /api/wd-requests/{id}/actions: completes the open task with the action. 403 when the caller's department or
/// permission does not allow it; 409 when the action is not offered now (other status, final, guard false, stale).
/// </summary>
public static class TakeWdAction
{
    public static async Task<Ok<WdCard>> Handle(string id, WdActionBody? body, HttpContext http, WdCards cards, ApprovalDbContext db, WorkflowRunner runner, ActionFactsReader facts, CancellationToken ct)
    {
        await WdRequestsApi.RequireReaderAsync(http, ct);
        var requestId = Require.Id(id, "WD request");
        var row = await db.WdRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == requestId, ct) ?? throw ApiProblemException.NotFound($"No WD request {id}.");
        var action = Require.Text(body?.Action, "action", 100);
        var comment = Require.OptionalText(body?.Comment, "comment", CreateWdRequest.MaxCommentLength);
        var actor = http.ToActor();

        if (WdStatuses.IsFinal(row.Status)) throw ApiProblemException.Conflict($"The request is {row.Status}; no actions are available.");
        var task = await db.Tasks.AsNoTracking().Where(t => t.InstanceId == requestId && t.Status == "Open").OrderBy(t => t.CreatedAt).FirstOrDefaultAsync(ct)
            ?? throw ApiProblemException.Conflict($"The request ({row.Status}) has no open step to act on now.");
        if (!WdActions.All.Contains(action)) throw ApiProblemException.Conflict($"'{action}' is not a WD action.");
        if (task.Assignee is not null && task.Assignee != actor.UserId) throw ApiProblemException.Conflict($"The request is claimed by {task.Assignee}.");

        var data = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (body!.Fee is { } fee)
        {
            var setsFee = action == WdActions.Approve || (action == WdActions.PassToBackoffice && task.Department == WdDepartments.Dealing);
            if (!setsFee) throw ApiProblemException.Invalid("fee", "A fee can be set only by Dealing passing to Backoffice, or by Backoffice approving.");
            if (fee < 0) throw ApiProblemException.Invalid("fee", "The fee cannot be negative.");
            if (fee > 0 && WdCurrencies.CheckAmount(fee, row.Currency) is { } bad) throw ApiProblemException.Invalid("fee", bad);
            if (fee >= row.RequestedAmount) throw ApiProblemException.Invalid("fee", $"The fee must be less than the requested amount ({row.RequestedAmount} {row.Currency}).");
            data[WdVariables.Fee] = fee;
        }

        // Read from the ledger now, outside the transaction: the approval judges the account as it is (ADR 0019).
        var current = await facts.ReadAsync(db, requestId, WdVariables.DefinitionId, action, ct);
        var state = await runner.StepAsync(requestId, (d, s) => ActionFactsReader.Complete(runner.Engine, d, s, new CompleteTask
        {
            TaskId = task.Id,
            Action = action,
            Comment = comment,
            Data = data,
            Actor = actor,
            ExpectedVersion = body.ExpectedVersion,
        }, task.Department, current), ct, retryStale: false);
        return TypedResults.Ok(await cards.LoadAsync(requestId, actor, ct, row, state));
    }
}
