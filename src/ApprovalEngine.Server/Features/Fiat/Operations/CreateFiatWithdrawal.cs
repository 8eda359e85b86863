using System.Text.Json.Nodes;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <param name="BankAccount">The beneficiary bank card / account.</param>
/// <param name="Documents">References of uploaded supporting documents (the files live in the document store).</param>
/// <param name="Channel">Optional: empty lets the withdrawal rules pick the channel.</param>
/// <param name="ClientReference">Optional: the caller's own id of the application; sending it again returns the first record (200).</param>
public sealed record CreateFiatWithdrawalBody(string? CustomerId, string? Currency, decimal? Amount, decimal? Fee, string? BankAccount, string? BeneficiaryBank,
    string? BeneficiaryName, string? Remarks, IReadOnlyList<string>? Documents, string? Channel, string? ClientReference = null);

/// <summary>
/// POST /api/fiat/withdrawals: a withdrawal application from a client system (API key with start:fiat-withdrawal) or
/// entered by an operator (right submit). The server numbers it (FW + business day + sequence) and starts
/// fiat-withdrawal with that number as correlation id; the flow checks the input as on every start.
/// </summary>
public static class CreateFiatWithdrawal
{
    public const string Route = "POST /api/fiat/withdrawals";

    public static async Task<Results<Created<FiatRecordView>, Ok<FiatRecordView>>> Handle(CreateFiatWithdrawalBody? body, HttpContext http, FiatNumbers numbers, InstanceStarter starter,
        FiatRecords records, CancellationToken ct)
    {
        var actor = http.ToActor();
        // The same callers the flow's start admits on the generic route: it stays open to systems (api-contract).
        var allowed = actor.IsSystem ? actor.HasScope(Scopes.Start(FiatNames.DefinitionId)) : http.User.HasRight(Rights.Submit);
        if (!allowed) throw ApiProblemException.Forbidden($"Withdrawal applications come from systems holding {Scopes.Start(FiatNames.DefinitionId)} or operators holding the right {Rights.Submit}.");
        if (body is null) throw ApiProblemException.Invalid("body", "The application is required.");

        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(body.CustomerId) || body.CustomerId.Length > 100) errors["customerId"] = ["customerId is required (at most 100 characters)."];
        if (string.IsNullOrWhiteSpace(body.Currency)) errors["currency"] = ["currency is required."];
        if (body.Amount is null) errors["amount"] = ["amount is required."];
        if (string.IsNullOrWhiteSpace(body.BankAccount)) errors["bankAccount"] = ["bankAccount (the beneficiary bank card) is required."];
        if (body.Documents is { } docs && (docs.Count > 20 || docs.Any(d => string.IsNullOrWhiteSpace(d) || d.Length > 400)))
        {
            errors["documents"] = ["documents lists at most 20 references of 1 to 400 characters."];
        }
        if (body.ClientReference is { Length: > 100 } || body.ClientReference is { } r && string.IsNullOrWhiteSpace(r)) errors["clientReference"] = ["clientReference has 1 to 100 characters."];
        if (errors.Count > 0) throw ApiProblemException.Invalid(errors);
        if (body.ClientReference is { } reference && await records.FindByClientReferenceAsync(actor.UserId, reference, ct) is { } earlier)
        {
            return TypedResults.Ok(await records.ViewAsync(earlier, ct));
        }

        var input = new Dictionary<string, object?>(StringComparer.Ordinal)
        {
            ["customerId"] = body.CustomerId!.Trim(),
            ["currency"] = body.Currency!.Trim(),
            ["amount"] = body.Amount,
            ["bankAccount"] = body.BankAccount!.Trim(),
        };
        if (body.Fee is { } fee) input["fee"] = fee;
        if (!string.IsNullOrWhiteSpace(body.BeneficiaryBank)) input["beneficiaryBank"] = body.BeneficiaryBank.Trim();
        if (!string.IsNullOrWhiteSpace(body.BeneficiaryName)) input["beneficiaryName"] = body.BeneficiaryName.Trim();
        if (!string.IsNullOrWhiteSpace(body.Remarks)) input["remarks"] = body.Remarks;
        if (body.Documents is { Count: > 0 } documents) input["documents"] = documents.Cast<object?>().ToList();
        if (!string.IsNullOrWhiteSpace(body.Channel)) input["channel"] = body.Channel.Trim();
        if (body.ClientReference is { } clientReference) input["clientReference"] = clientReference;

        var recordNo = await numbers.NextAsync(FiatNumbers.RecordPrefix, ct);
        input["recordNo"] = recordNo;
        try
        {
            var (started, _) = await starter.StartAsync(FiatNames.DefinitionId, recordNo, input, actor, StartRoute.Domain(Route), ct);
            return TypedResults.Created($"/api/fiat/withdrawals/{started.Id}", await records.ViewAsync(started.Id, ct));
        }
        catch (Workflows.Runtime.WorkflowValidationException ex)
        {
            // The flow names start inputs input.<name>; this route's body has them at the top level.
            throw ApiProblemException.Invalid(ex.Errors.ToDictionary(e => e.Key.StartsWith("input.", StringComparison.Ordinal) ? e.Key["input.".Length..] : e.Key, e => e.Value), ex.Message);
        }
        catch (Exception ex) when (body.ClientReference is not null && ex is Microsoft.EntityFrameworkCore.DbUpdateException or Npgsql.PostgresException { SqlState: "23505" } or Microsoft.Data.Sqlite.SqliteException { SqliteErrorCode: 19 })
        {
            // The same application sent twice at once: the unique index kept the first.
            var winner = await records.FindByClientReferenceAsync(actor.UserId, body.ClientReference, ct);
            if (winner is null) throw;
            return TypedResults.Ok(await records.ViewAsync(winner.Value, ct));
        }
    }
}
