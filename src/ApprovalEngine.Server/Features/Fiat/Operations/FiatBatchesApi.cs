using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Expressions;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Events;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <param name="Records">The records chosen in the Pack for arrangement dialog (ids or numbers), after removing any.</param>
public sealed record FiatPackBody(IReadOnlyList<string>? Records);

public sealed record FiatBatchItemView(string RecordNo, Guid RecordId, decimal Amount, bool Open, string? Result, string? Reason, string? RecordStatus);

public sealed record FiatBatchView(string Id, Guid? InstanceId, string ChannelId, string Currency, string? Policy, string Status, decimal Total, int Count,
    string CreatedBy, string? FileName, string? BankReference, string? Reason, bool Finished, bool Dispatched, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt,
    IReadOnlyList<FiatBatchItemView>? Items = null, IReadOnlyList<FiatPackRefusal>? Refused = null, FiatWorkOrderView? WorkOrder = null);

/// <summary>The batch's work order (<c>whale.withdraw.batch</c>): its latest task, open or closed, and who closed it how.</summary>
public sealed record FiatWorkOrderView(Guid TaskId, Guid InstanceId, string Status, string? BusinessStatus, string? ClosedBy, string? ClosedAction, DateTimeOffset CreatedAt, DateTimeOffset? ClosedAt);

public sealed record FiatBatchResultLine(string? Record, bool? Success, string? Reason);

public sealed record FiatBatchResultsBody(IReadOnlyList<FiatBatchResultLine>? Results);

/// <summary>Batches: Pack for arrangement, list, read with its records, download its bank file, update results by hand.</summary>
public static class FiatBatchesApi
{
    public static async Task<Created<FiatBatchView>> Pack(FiatPackBody? body, HttpContext http, FiatBatches batches, FiatRecords records, FiatDbContext fiat, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var actor = http.ToActor();
        // Packing is an operator's act (ManualPacking); systems pack only through the channel's packing schedule.
        if (actor.IsSystem || !actor.InDepartment(FiatNames.Department)) throw ApiProblemException.Forbidden("Packing for arrangement is for Operations staff.");
        var list = body?.Records;
        if (list is null || list.Count == 0 || list.Count > FiatBatches.MaxRecords) throw ApiProblemException.Invalid("records", $"records lists 1 to {FiatBatches.MaxRecords} record ids or numbers.");
        // records[i] names the i-th record of the request in every refusal (here and in the per-record checks).
        var ids = new List<Guid>();
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            var raw = list[i];
            if (string.IsNullOrWhiteSpace(raw) || raw.Length > 64)
            {
                errors[$"records[{i}]"] = [$"'{raw}' is not a record id or number."];
                continue;
            }
            var asId = Guid.TryParse(raw, out var g) ? g : (Guid?)null;
            var row = await records.Query.FirstOrDefaultAsync(r => r.RecordNo == raw || r.Id == asId, ct);
            if (row is null) errors[$"records[{i}]"] = [$"No withdrawal record '{raw}'."];
            else if (ids.Contains(row.Id)) errors[$"records[{i}]"] = [$"{row.RecordNo} is listed twice."];
            ids.Add(row?.Id ?? Guid.Empty);
        }
        if (errors.Count > 0)
        {
            errors["records"] = [.. errors.Values.SelectMany(v => v)];
            throw ApiProblemException.Invalid(errors);
        }
        var result = await batches.PackAsync(ids, actor, ct);
        var view = await ViewAsync(fiat, result.Batch.Id, ct) with { Refused = result.Refused };
        return TypedResults.Created($"/api/fiat/batches/{view.Id}", view);
    }

    public static async Task<Ok<Paged<FiatBatchView>>> List(HttpContext http, FiatDbContext fiat, string? status, string? channel, int? page, int? pageSize, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var (p, s) = Paging.Check(page, pageSize);
        var query = fiat.Set<FiatBatch>().AsNoTracking();
        if (!string.IsNullOrEmpty(status)) query = query.Where(b => b.Status == status);
        if (!string.IsNullOrEmpty(channel)) query = query.Where(b => b.ChannelId == channel);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(b => b.CreatedAt).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<FiatBatchView>([.. rows.Select(b => ToView(b))], total, p, s));
    }

    public static async Task<Ok<FiatBatchView>> Get(string id, HttpContext http, FiatDbContext fiat, ApprovalEngine.Persistence.ApprovalDbContext db, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var view = await ViewAsync(fiat, id, ct);
        if (view.InstanceId is not { } instance) return TypedResults.Ok(view);
        // The work order is a child instance of the batch's flow; its task is where a checker approves the batch.
        var task = await db.Tasks.AsNoTracking().Where(t => db.Instances.Any(i => i.Id == t.InstanceId && i.ParentInstanceId == instance))
            .OrderByDescending(t => t.CreatedAt).FirstOrDefaultAsync(ct);
        return TypedResults.Ok(task is null ? view : view with
        {
            WorkOrder = new FiatWorkOrderView(task.Id, task.InstanceId, task.Status, task.BusinessStatus, task.ClosedBy, task.ClosedAction, task.CreatedAt, task.ClosedAt),
        });
    }

    /// <summary>The bank file as it was sent (404 before the batch's work order let it go).</summary>
    public static async Task<IResult> File(string id, HttpContext http, FiatDbContext fiat, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var batch = await fiat.Set<FiatBatch>().AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, ct) ?? throw ApiProblemException.NotFound($"No batch {id}.");
        if (batch.FileContent is null) throw ApiProblemException.NotFound($"Batch {id} has no bank file yet ({batch.Status}).");
        var media = batch.FileFormat == "csv" ? "text/csv; charset=utf-8" : "application/xml";
        return Microsoft.AspNetCore.Http.Results.File(Encoding.UTF8.GetBytes(batch.FileContent), media, batch.FileName);
    }

    /// <summary>
    /// View and update results: for channels without automatic status, the operator enters each record's result; each
    /// becomes the record's BankResult (in process), once per record (idempotency key batch/record).
    /// </summary>
    public static async Task<Ok<IReadOnlyList<FiatBulkResult>>> Results(string id, FiatBatchResultsBody? body, HttpContext http, FiatDbContext fiat, EventDispatcher events,
        IWithdrawalChannels channels, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var actor = http.ToActor();
        if (actor.IsSystem || !actor.InDepartment(FiatNames.Department)) throw ApiProblemException.Forbidden("Result updates are for Operations staff; banks send BankResult themselves.");
        var lines = body?.Results;
        if (lines is null || lines.Count == 0 || lines.Count > FiatBatches.MaxRecords) throw ApiProblemException.Invalid("results", $"results lists 1 to {FiatBatches.MaxRecords} records.");
        for (var i = 0; i < lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i].Record)) throw ApiProblemException.Invalid($"results[{i}].record", "record is required.");
            if (lines[i].Success is null) throw ApiProblemException.Invalid($"results[{i}].success", "success is required.");
            if (lines[i].Success == false && string.IsNullOrWhiteSpace(lines[i].Reason)) throw ApiProblemException.Invalid($"results[{i}].reason", "A failed transfer needs its reason.");
            if (lines[i].Reason is { Length: > 2000 }) throw ApiProblemException.Invalid($"results[{i}].reason", "reason is longer than 2000 characters.");
        }
        var batch = await fiat.Set<FiatBatch>().AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, ct) ?? throw ApiProblemException.NotFound($"No batch {id}.");
        if (batch.Status != FiatBatchStatuses.Paying || !batch.Finished) throw ApiProblemException.Conflict($"Batch {id} is {batch.Status}: results come after its file went to the bank.");
        var channel = await channels.GetChannelAsync(batch.ChannelId, ct);
        if (channel?.AutomaticStatus != false) throw ApiProblemException.Conflict($"Channel {batch.ChannelId} reports each transfer's result itself.");
        var items = await fiat.Set<FiatBatchItem>().Where(i => i.BatchId == id).ToListAsync(ct);
        var results = new List<FiatBulkResult>();
        foreach (var line in lines)
        {
            var item = items.FirstOrDefault(i => i.RecordNo == line.Record || i.RecordId.ToString() == line.Record);
            if (item is null)
            {
                results.Add(new(line.Record!, false, 404, $"Record {line.Record} is not in batch {id}."));
                continue;
            }
            var payload = new JsonObject { ["success"] = line.Success, ["reason"] = line.Reason, ["bankReference"] = batch.BankReference };
            EventDelivered delivered;
            try
            {
                delivered = await events.DeliverAsync(FiatNames.BankResult, item.RecordNo, payload, ExpressionValues.FromJsonNode(payload), $"{id}/{item.RecordNo}", 0, actor, ct);
            }
            catch (ApiProblemException ex)
            {
                // The bank-result rule refused it (the record waits for no result): this line only, the others go on.
                results.Add(new(line.Record!, false, ex.Status, ex.Detail ?? ex.Title));
                continue;
            }
            if (delivered.Resumed == 0 && !delivered.Duplicate)
            {
                results.Add(new(line.Record!, false, 409, $"Record {item.RecordNo} is not waiting for a bank result."));
                continue;
            }
            if (!delivered.Duplicate)
            {
                item.Result = line.Success == true ? "Success" : "Failed";
                item.Reason = line.Reason;
            }
            results.Add(new(line.Record!, !delivered.Duplicate, delivered.Duplicate ? 409 : 200, delivered.Duplicate ? "The result was entered before." : null, item.Result));
        }
        await fiat.SaveChangesAsync(ct);
        return TypedResults.Ok<IReadOnlyList<FiatBulkResult>>(results);
    }

    private static async Task<FiatBatchView> ViewAsync(FiatDbContext fiat, string id, CancellationToken ct)
    {
        var batch = await fiat.Set<FiatBatch>().AsNoTracking().FirstOrDefaultAsync(b => b.Id == id, ct) ?? throw ApiProblemException.NotFound($"No batch {id}.");
        var items = await fiat.Set<FiatBatchItem>().AsNoTracking().Where(i => i.BatchId == id).OrderBy(i => i.Id).ToListAsync(ct);
        var ids = items.Select(i => i.RecordId).ToList();
        var statuses = await fiat.Set<Records.FiatWithdrawalRecord>().AsNoTracking().Where(r => ids.Contains(r.Id)).Select(r => new { r.Id, r.Status }).ToListAsync(ct);
        return ToView(batch, [.. items.Select(i => new FiatBatchItemView(i.RecordNo, i.RecordId, i.Amount, i.IsOpen, i.Result, i.Reason, statuses.FirstOrDefault(s => s.Id == i.RecordId)?.Status))]);
    }

    private static FiatBatchView ToView(FiatBatch b, IReadOnlyList<FiatBatchItemView>? items = null) => new(b.Id, b.InstanceId, b.ChannelId, b.Currency, b.Policy, b.Status, b.Total, b.Count,
        b.CreatedBy, b.FileName, b.BankReference, b.Reason, b.Finished, b.Dispatched, b.CreatedAt, b.UpdatedAt, items);
}
