using ApprovalEngine.Server.Identity;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.WdRequests;

/// <summary>GET /api/wd-requests/{id}: the card with the actions the caller may take now.</summary>
public static class GetWdRequest
{
    public static async Task<Ok<WdCard>> Handle(string id, HttpContext http, WdCards cards, CancellationToken ct)
    {
        await WdRequestsApi.RequireReaderAsync(http, ct);
        var requestId = await cards.RequireAsync(id, ct);
        return TypedResults.Ok(await cards.LoadAsync(requestId, http.ToActor(), ct));
    }
}
