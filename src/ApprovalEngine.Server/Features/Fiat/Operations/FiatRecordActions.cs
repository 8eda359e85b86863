using System.Text.Json.Nodes;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <param name="Records">Record ids or record numbers (1 to 100).</param>
public sealed record FiatBulkBody(IReadOnlyList<string>? Records, string? Comment);

/// <param name="Status">The HTTP status the single-record route would have answered (200, 403, 404, 409, 422).</param>
public sealed record FiatBulkResult(string Record, bool Ok, int Status, string? Error = null, string? BusinessStatus = null, IReadOnlyDictionary<string, string[]>? Errors = null);

public sealed record FiatEditBody(decimal? Amount, decimal? Fee, string? BankAccount, string? BeneficiaryBank, string? Remarks, IReadOnlyList<string>? Documents, string? Comment);

public sealed record FiatDirectBillingBody(string? Bank, string? Account, string? Channel, string? Details, string? Comment);

public sealed record FiatResolveBody(IReadOnlyList<string>? Records, string? Resolution, string? Comment);

public sealed record FiatReviewBody(IReadOnlyList<string>? Records, string? Decision, string? Comment);

/// <summary>
/// The operators' record actions. Each is the record's open task completed by the engine, one step (transaction) per
/// record, so the same rules hold as on POST /api/tasks/{id}/complete: department, permission, four eyes, the form,
/// and the state (a record elsewhere in the flow has no such task: 409). Bulk routes answer one result per record.
/// </summary>
public static class FiatRecordActions
{
    public const int MaxRecords = 100;

    public static Task<Ok<IReadOnlyList<FiatBulkResult>>> Submit(FiatBulkBody? body, HttpContext http, FiatRecords records, WorkflowRunner runner, ApprovalDbContext db, CancellationToken ct) =>
        BulkAsync(http, records, runner, db, body?.Records, "application", FiatNames.Submit, Require.OptionalText(body?.Comment, "comment", 2000), null, ct);

    public static async Task<Ok<IReadOnlyList<FiatBulkResult>>> Reject(FiatBulkBody? body, HttpContext http, FiatRecords records, WorkflowRunner runner, ApprovalDbContext db, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        return await BulkAsync(http, records, runner, db, body?.Records, "application", FiatNames.Reject, Require.Text(body?.Comment, "comment", 2000), null, ct);
    }

    public static async Task<Ok<FiatRecordView>> Delete(string id, FiatBulkBody? body, HttpContext http, FiatRecords records, WorkflowRunner runner, ApprovalDbContext db, CancellationToken ct)
    {
        var comment = Require.OptionalText(body?.Comment, "comment", 2000);
        return TypedResults.Ok(await SingleAsync(http, records, runner, db, id, "application", FiatNames.Delete, comment, null, ct));
    }

    public static async Task<Ok<FiatRecordView>> Edit(string id, FiatEditBody? body, HttpContext http, FiatRecords records, WorkflowRunner runner, ApprovalDbContext db, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        if (body is null) throw ApiProblemException.Invalid("body", "The edit is required.");
        var data = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (body.Amount is { } amount) data["amount"] = amount;
        if (body.Fee is { } fee) data["fee"] = fee;
        if (body.BankAccount is not null) data["bankAccount"] = body.BankAccount;
        if (body.BeneficiaryBank is not null) data["beneficiaryBank"] = body.BeneficiaryBank;
        if (body.Remarks is not null) data["remarks"] = body.Remarks;
        if (body.Documents is not null) data["documents"] = body.Documents.Cast<object?>().ToList();
        if (data.Count == 0) throw ApiProblemException.Invalid("body", "An edit changes at least one of amount, fee, bankAccount, beneficiaryBank, remarks or documents.");
        var comment = Require.OptionalText(body.Comment, "comment", 2000);
        return TypedResults.Ok(await SingleAsync(http, records, runner, db, id, "application", FiatNames.Edit, comment, data, ct));
    }

    public static async Task<Ok<FiatRecordView>> DirectBilling(string id, FiatDirectBillingBody? body, HttpContext http, FiatRecords records, WorkflowRunner runner, ApprovalDbContext db,
        Adapters.Bank.IWithdrawalChannels channels, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (string.IsNullOrWhiteSpace(body?.Bank)) errors["bank"] = ["bank (the paying bank) is required."];
        if (string.IsNullOrWhiteSpace(body?.Account)) errors["account"] = ["account (the paying bank account) is required."];
        if (string.IsNullOrWhiteSpace(body?.Channel)) errors["channel"] = ["channel is required."];
        if (errors.Count > 0) throw ApiProblemException.Invalid(errors);
        var record = await records.FindAsync(id, ct);
        // The form cannot know the configured channels; the domain route refuses one that cannot pay this record.
        var channel = await channels.GetChannelAsync(body!.Channel!, ct);
        if (channel is null || !channel.Enabled) throw ApiProblemException.Invalid("channel", $"No enabled withdrawal channel '{body.Channel}'.");
        if (channel.Currency != record.Currency) throw ApiProblemException.Invalid("channel", $"Channel '{channel.ChannelId}' pays {channel.Currency}, not {record.Currency}.");
        var data = new Dictionary<string, object?>(StringComparer.Ordinal) { ["bank"] = body.Bank, ["account"] = body.Account, ["channel"] = channel.ChannelId };
        if (!string.IsNullOrWhiteSpace(body.Details)) data["details"] = body.Details;
        return TypedResults.Ok(await SingleAsync(http, records, runner, db, record.Id.ToString(), "pendingTask", FiatNames.DirectBilling, Require.OptionalText(body.Comment, "comment", 2000), data, ct));
    }

    /// <summary>Exception Processing in bulk: the chosen resolution goes To be reviewed.</summary>
    public static async Task<Ok<IReadOnlyList<FiatBulkResult>>> Resolve(FiatResolveBody? body, HttpContext http, FiatRecords records, WorkflowRunner runner, ApprovalDbContext db, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var resolution = body?.Resolution;
        if (resolution is null || !FiatNames.Resolutions.Contains(resolution)) throw ApiProblemException.Invalid("resolution", $"resolution is one of {string.Join(", ", FiatNames.Resolutions)}.");
        return await BulkAsync(http, records, runner, db, body!.Records, "exception", resolution, Require.Text(body.Comment, "comment", 2000), null, ct);
    }

    /// <summary>To be reviewed in bulk: a second person approves or rejects (back to the exception) the resolutions.</summary>
    public static async Task<Ok<IReadOnlyList<FiatBulkResult>>> Review(FiatReviewBody? body, HttpContext http, FiatRecords records, WorkflowRunner runner, ApprovalDbContext db, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var decision = body?.Decision;
        if (decision is not (FiatNames.Approve or FiatNames.Reject)) throw ApiProblemException.Invalid("decision", "decision is Approve or Reject.");
        var comment = decision == FiatNames.Reject ? Require.Text(body!.Comment, "comment", 2000) : Require.OptionalText(body!.Comment, "comment", 2000);
        return await BulkAsync(http, records, runner, db, body.Records, "toBeReviewed", decision, comment, null, ct);
    }

    private static async Task<Ok<IReadOnlyList<FiatBulkResult>>> BulkAsync(HttpContext http, FiatRecords records, WorkflowRunner runner, ApprovalDbContext db,
        IReadOnlyList<string>? ids, string activityId, string action, string? comment, Dictionary<string, object?>? data, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        if (ids is null || ids.Count == 0 || ids.Count > MaxRecords) throw ApiProblemException.Invalid("records", $"records lists 1 to {MaxRecords} record ids or numbers.");
        var results = new List<FiatBulkResult>();
        foreach (var raw in ids)
        {
            if (string.IsNullOrWhiteSpace(raw) || raw.Length > 64)
            {
                results.Add(new(raw ?? "", false, 404, "Not a record id or number."));
                continue;
            }
            if (results.Any(r => r.Record == raw))
            {
                results.Add(new(raw, false, 409, "Listed twice; acted on once."));
                continue;
            }
            try
            {
                var view = await ActAsync(http, records, runner, db, raw, activityId, action, comment, data, ct);
                results.Add(new(raw, true, 200, null, view.Status));
            }
            catch (ApiProblemException ex)
            {
                results.Add(new(raw, false, ex.Status, ex.Detail ?? ex.Title, null, ex.Errors.Count > 0 ? ex.Errors : null));
            }
            catch (WorkflowException ex)
            {
                var (status, errors) = ex switch
                {
                    WorkflowValidationException v => (422, v.Errors),
                    WorkflowNotFoundException => (404, null),
                    WorkflowForbiddenException => (403, null),
                    _ => (409, (IReadOnlyDictionary<string, string[]>?)null),
                };
                results.Add(new(raw, false, status, ex.Message, null, errors));
            }
        }
        return TypedResults.Ok<IReadOnlyList<FiatBulkResult>>(results);
    }

    private static async Task<FiatRecordView> SingleAsync(HttpContext http, FiatRecords records, WorkflowRunner runner, ApprovalDbContext db,
        string id, string activityId, string action, string? comment, Dictionary<string, object?>? data, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        return await ActAsync(http, records, runner, db, id, activityId, action, comment, data, ct);
    }

    private static async Task<FiatRecordView> ActAsync(HttpContext http, FiatRecords records, WorkflowRunner runner, ApprovalDbContext db,
        string id, string activityId, string action, string? comment, Dictionary<string, object?>? data, CancellationToken ct)
    {
        var record = await records.FindAsync(id, ct);
        var actor = http.ToActor();
        var task = await db.Tasks.AsNoTracking().Where(t => t.InstanceId == record.Id && t.ActivityId == activityId && t.Status == "Open").FirstOrDefaultAsync(ct)
            ?? throw ApiProblemException.Conflict($"Record {record.RecordNo} is {record.Status}: {action} is not available now.");
        if (task.Assignee is not null && task.Assignee != actor.UserId) throw ApiProblemException.Conflict($"Record {record.RecordNo} is claimed by {task.Assignee}.");
        // No second payment once money left, four eyes on the makers and no edit while batched are task-action rules
        // (ADR 17): the runner checks them in the step's transaction, here as on every other route.
        await runner.StepAsync(record.Id, (d, s) => runner.Engine.CompleteTask(d, s, new CompleteTask
        {
            TaskId = task.Id,
            Action = action,
            Comment = comment,
            Data = data ?? new Dictionary<string, object?>(),
            Actor = actor,
        }), ct, retryStale: false);
        return await records.ViewAsync(record.Id, ct);
    }
}
