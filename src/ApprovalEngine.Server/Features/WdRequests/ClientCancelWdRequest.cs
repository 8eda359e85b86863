using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.WdRequests;

/// <summary>POST /api/wd-requests/{id}/client-cancel (system key): the flow's ClientCancel interrupt → CanceledByClient; 409 once final or while Complete executes.</summary>
public static class ClientCancelWdRequest
{
    public static async Task<Ok<WdCard>> Handle(string id, HttpContext http, WdCards cards, WorkflowRunner runner, CancellationToken ct)
    {
        if (!http.HasScope(Scopes.WdClientCancel)) throw ApiProblemException.Forbidden($"Only the client area (a system key with the scope {Scopes.WdClientCancel}) cancels on the customer's behalf.");
        var requestId = await cards.RequireAsync(id, ct);
        var actor = http.ToActor();
        await runner.StepAsync(requestId, (d, s) => runner.Engine.Interrupt(d, s, WdEvents.ClientCancel, null, actor), ct);
        return TypedResults.Ok(await cards.LoadAsync(requestId, actor, ct));
    }
}
