using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.WdRequests;

/// <param name="ExpectedVersion">Extension: the card's instanceVersion; 409 when the request changed since.</param>
public sealed record WdTransactionBody(decimal? Amount, string? PaymentType, bool? Oct, string? BankDetails, long? ExpectedVersion = null);

/// <summary>
/// POST/PUT/DELETE /api/wd-requests/{id}/transactions[/{txId}]: the Transactions tab, by Backoffice (wd:4) only,
/// through <see cref="WdTransactions"/> and the engine's UpdateVariables (journaled before → after, version-checked).
/// Rule violations: NotFound → 404, NotAllowedNow → 409, Invalid → 422 naming the field. Responses are the card.
/// </summary>
public static class WdTransactionsEndpoints
{
    public const int MaxBankDetails = 1000;

    public static async Task<Created<WdCard>> Add(string id, WdTransactionBody? body, HttpContext http, WdCards cards, WorkflowRunner runner, TimeProvider clock, CancellationToken ct)
    {
        var (requestId, actor) = await AuthorizeAsync(id, http, cards, ct);
        var input = Read(body, existingType: null);
        var txId = Guid.CreateVersion7(clock.GetUtcNow()).ToString();
        await ChangeAsync(runner, requestId, actor, "AddTransaction", body?.ExpectedVersion, scope => WdTransactions.Add(scope, txId, input(scope)), ct);
        return TypedResults.Created($"/api/wd-requests/{requestId}/transactions/{txId}", await cards.LoadAsync(requestId, actor, ct));
    }

    public static async Task<Ok<WdCard>> Edit(string id, string txId, WdTransactionBody? body, HttpContext http, WdCards cards, WorkflowRunner runner, CancellationToken ct)
    {
        var (requestId, actor) = await AuthorizeAsync(id, http, cards, ct);
        await ChangeAsync(runner, requestId, actor, "EditTransaction", body?.ExpectedVersion, scope =>
        {
            var existing = scope.Transactions.FirstOrDefault(t => t.Id == txId);
            var input = Read(body, existing?.PaymentType);
            return WdTransactions.Edit(scope, txId, input(scope));
        }, ct);
        return TypedResults.Ok(await cards.LoadAsync(requestId, actor, ct));
    }

    public static async Task<Ok<WdCard>> Delete(string id, string txId, HttpContext http, WdCards cards, WorkflowRunner runner, long? expectedVersion, CancellationToken ct)
    {
        var (requestId, actor) = await AuthorizeAsync(id, http, cards, ct);
        await ChangeAsync(runner, requestId, actor, "DeleteTransaction", expectedVersion, scope => WdTransactions.Delete(scope, txId), ct);
        return TypedResults.Ok(await cards.LoadAsync(requestId, actor, ct));
    }

    private static async Task<(Guid Id, Actor Actor)> AuthorizeAsync(string id, HttpContext http, WdCards cards, CancellationToken ct)
    {
        var actor = http.ToActor();
        if (actor.IsSystem || !actor.InDepartment(WdDepartments.Backoffice) || !actor.HasPermission(WdPermissions.Approve))
        {
            throw ApiProblemException.Forbidden("Only Backoffice with permission wd:4 may change WD transactions.");
        }
        return (await cards.RequireAsync(id, ct), actor);
    }

    /// <summary>Checks the body's shape; the amount's precision is checked by the rules with the request's currency.</summary>
    private static Func<WdTransactionScope, WdTransactionInput> Read(WdTransactionBody? body, WdPaymentType? existingType)
    {
        if (body is null) throw ApiProblemException.Invalid("body", "The transaction is required.");
        if (body.Amount is not { } amount) throw ApiProblemException.Invalid("amount", "amount is required.");
        WdPaymentType type;
        if (string.IsNullOrEmpty(body.PaymentType))
        {
            type = existingType ?? throw ApiProblemException.Invalid("paymentType", $"paymentType is required: one of {string.Join(", ", Enum.GetNames<WdPaymentType>())}.");
        }
        else if (!Enum.TryParse(body.PaymentType, ignoreCase: false, out type) || !Enum.IsDefined(type) || int.TryParse(body.PaymentType, out _))
        {
            throw ApiProblemException.Invalid("paymentType", $"paymentType must be one of {string.Join(", ", Enum.GetNames<WdPaymentType>())}.");
        }
        if (body.BankDetails is { Length: > MaxBankDetails }) throw ApiProblemException.Invalid("bankDetails", $"bankDetails is longer than {MaxBankDetails} characters.");
        return _ => new WdTransactionInput(amount, type, body.Oct ?? false, body.BankDetails);
    }

    private static Task ChangeAsync(WorkflowRunner runner, Guid requestId, Actor actor, string action, long? expectedVersion, Func<WdTransactionScope, WdTransactionResult> rule, CancellationToken ct) =>
        runner.StepAsync(requestId, (definition, state) =>
        {
            if (expectedVersion is { } v && v != state.Version)
            {
                throw new WorkflowConflictException($"The request changed (version {state.Version}, you saw {v}); reload and try again.", stale: true);
            }
            var vars = state.Variables;
            var scope = new WdTransactionScope(
                state.BusinessStatus,
                WdVars.Number(vars, WdVariables.RequestedAmount) ?? 0m,
                WdVars.Text(vars, WdVariables.Currency) ?? "",
                WdTransactions.FromVariable(vars.GetValueOrDefault(WdVariables.Transactions)),
                WdVars.Flag(vars, WdVariables.Executing));
            var result = rule(scope);
            switch (result.Violation)
            {
                case WdRuleViolation.NotFound: throw ApiProblemException.NotFound(result.Error ?? "No such transaction.");
                case WdRuleViolation.NotAllowedNow: throw ApiProblemException.Conflict(result.Error ?? "Not possible now.");
                case WdRuleViolation.Invalid: throw ApiProblemException.Invalid(result.Field ?? "body", result.Error ?? "Invalid transaction.");
            }
            return runner.Engine.UpdateVariables(definition, state, new Dictionary<string, object?>
            {
                [WdVariables.Transactions] = WdTransactions.ToVariable(result.Transactions),
            }, action, actor, expectedVersion: expectedVersion);
        }, ct, retryStale: expectedVersion is null);
}
