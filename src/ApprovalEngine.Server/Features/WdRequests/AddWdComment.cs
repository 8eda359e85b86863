using ApprovalEngine.Expressions;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.WdRequests;

public sealed record WdCommentBody(string? Text, bool? CopyToClientCard);

/// <summary>
/// POST /api/wd-requests/{id}/comments (extension): an internal comment on the card, kept in the instance variable
/// <c>comments</c> through UpdateVariables (journaled with the author). Not possible once the request is final.
/// </summary>
public static class AddWdComment
{
    public static async Task<Created<WdCard>> Handle(string id, WdCommentBody? body, HttpContext http, WdCards cards, WorkflowRunner runner, TimeProvider clock, CancellationToken ct)
    {
        await WdRequestsApi.RequireReaderAsync(http, ct);
        // Reading a card is not writing on it: a system comments only with the scope for it.
        if (http.User.IsSystem() && !http.HasScope(Scopes.WdComment)) throw ApiProblemException.Forbidden($"Commenting needs the scope {Scopes.WdComment}.");
        var requestId = await cards.RequireAsync(id, ct);
        var text = Require.Text(body?.Text?.Trim(), "text", CreateWdRequest.MaxCommentLength);
        var copy = body?.CopyToClientCard ?? false;
        var actor = http.ToActor();
        await runner.StepAsync(requestId, (definition, state) =>
        {
            var list = state.Variables.TryGetValue(WdCards.CommentsVariable, out var existing) && existing is IEnumerable<object?> items
                ? items.ToList()
                : [];
            list.Add(new Dictionary<string, object?>(StringComparer.Ordinal)
            {
                ["text"] = text,
                ["user"] = actor.UserId,
                ["at"] = clock.GetUtcNow().ToString("O", System.Globalization.CultureInfo.InvariantCulture),
                ["copyToClientCard"] = copy,
            });
            var value = ExpressionValues.FromJsonNode(ExpressionValues.ToJsonNode(list));
            return runner.Engine.UpdateVariables(definition, state, new Dictionary<string, object?> { [WdCards.CommentsVariable] = value }, "AddComment", actor, comment: text);
        }, ct);
        return TypedResults.Created($"/api/wd-requests/{requestId}", await cards.LoadAsync(requestId, actor, ct));
    }
}
