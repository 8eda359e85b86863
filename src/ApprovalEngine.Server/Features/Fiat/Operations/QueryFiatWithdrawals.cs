using System.Globalization;
using System.Text;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Infrastructure;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <summary>The Withdrawal Records filters of the manual.</summary>
public sealed record FiatRecordFilter(string? RecordNo, string? CustomerId, string? Status, string? Channel, string? Currency,
    DateTimeOffset? CreatedFrom, DateTimeOffset? CreatedTo, decimal? AmountFrom, decimal? AmountTo, string? BatchId, string? Reconciliation,
    DateTimeOffset? PaidFrom = null, DateTimeOffset? PaidTo = null)
{
    public IQueryable<FiatWithdrawalRecord> Apply(IQueryable<FiatWithdrawalRecord> q)
    {
        if (AmountFrom is { } a && AmountTo is { } b && a > b) throw ApiProblemException.BadRequest("amountFrom", "amountFrom is above amountTo.");
        if (CreatedFrom is { } f && CreatedTo is { } t && f > t) throw ApiProblemException.BadRequest("createdFrom", "createdFrom is after createdTo.");
        if (PaidFrom is { } pf && PaidTo is { } pt && pf > pt) throw ApiProblemException.BadRequest("paidFrom", "paidFrom is after paidTo.");
        if (!string.IsNullOrEmpty(RecordNo)) q = q.Where(r => r.RecordNo == RecordNo);
        if (!string.IsNullOrEmpty(CustomerId)) q = q.Where(r => r.CustomerId == CustomerId);
        if (!string.IsNullOrEmpty(Status)) q = q.Where(r => r.Status == Status);
        if (!string.IsNullOrEmpty(Channel)) q = q.Where(r => r.ChannelId == Channel);
        if (!string.IsNullOrEmpty(Currency)) q = q.Where(r => r.Currency == Currency);
        if (!string.IsNullOrEmpty(BatchId)) q = q.Where(r => r.BatchId == BatchId);
        if (!string.IsNullOrEmpty(Reconciliation)) q = q.Where(r => r.Reconciliation == Reconciliation);
        if (CreatedFrom is { } from) q = q.Where(r => r.CreatedAt >= from);
        if (CreatedTo is { } to) q = q.Where(r => r.CreatedAt <= to);
        if (PaidFrom is { } paidFrom) q = q.Where(r => r.PaidAt >= paidFrom);
        if (PaidTo is { } paidTo) q = q.Where(r => r.PaidAt <= paidTo);
        if (AmountFrom is { } min) q = q.Where(r => r.Amount >= min);
        if (AmountTo is { } max) q = q.Where(r => r.Amount <= max);
        return q;
    }
}

/// <summary>
/// Counts and sums per status, in the business order of the indicator cards. <see cref="Amount"/> adds every currency
/// (kept for existing clients; meaningful only with a currency filter); <see cref="Sums"/> is the sum per currency.
/// </summary>
public sealed record FiatCard(string Status, int Count, decimal Amount, IReadOnlyList<FiatCardSum>? Sums = null);

/// <summary>One currency's records of a card: their count and exact total.</summary>
public sealed record FiatCardSum(string Currency, decimal Amount, int Count);

/// <summary>GET /api/fiat/withdrawals (+ export.csv, cards, lifecycle): the Withdrawal Records tab.</summary>
public static class QueryFiatWithdrawals
{
    public const int MaxExportRows = 100_000;

    public static async Task<Ok<Paged<FiatRecordView>>> List(HttpContext http, FiatRecords records, string? recordNo, string? customerId, string? status, string? channel,
        string? currency, DateTimeOffset? createdFrom, DateTimeOffset? createdTo, decimal? amountFrom, decimal? amountTo, string? batchId, string? reconciliation,
        int? page, int? pageSize, DateTimeOffset? paidFrom, DateTimeOffset? paidTo, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var (p, s) = Paging.Check(page, pageSize);
        var query = new FiatRecordFilter(recordNo, customerId, status, channel, currency, createdFrom, createdTo, amountFrom, amountTo, batchId, reconciliation, paidFrom, paidTo).Apply(records.Query);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.RecordNo).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<FiatRecordView>(await records.ViewsAsync(rows, ct), total, p, s));
    }

    public static readonly string[] Columns =
    [
        "recordNo", "status", "reconciliation", "customerId", "currency", "amount", "fee", "bankAccount", "beneficiaryBank", "beneficiaryName",
        "channel", "policy", "batchId", "bankReference", "repaymentOf", "businessDay", "createdAt", "updatedAt", "paidAt",
    ];

    public static async Task<IResult> Export(HttpContext http, FiatRecords records, string? recordNo, string? customerId, string? status, string? channel,
        string? currency, DateTimeOffset? createdFrom, DateTimeOffset? createdTo, decimal? amountFrom, decimal? amountTo, string? batchId, string? reconciliation,
        DateTimeOffset? paidFrom, DateTimeOffset? paidTo, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var query = new FiatRecordFilter(recordNo, customerId, status, channel, currency, createdFrom, createdTo, amountFrom, amountTo, batchId, reconciliation, paidFrom, paidTo).Apply(records.Query);
        var rows = await query.OrderByDescending(r => r.CreatedAt).ThenByDescending(r => r.RecordNo).Take(MaxExportRows).ToListAsync(ct);
        await using var text = new StringWriter(CultureInfo.InvariantCulture);
        // Cells starting with = + - @ are escaped so a spreadsheet never runs them as formulas.
        await using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Injection = CsvInjection.Escape }, true))
        {
            csv.WriteRecord(Columns);
            foreach (var r in rows)
            {
                csv.WriteRecord(
                [
                    r.RecordNo, r.Status, r.Reconciliation ?? "", r.CustomerId, r.Currency, Money(r.Amount), Money(r.Fee), r.BeneficiaryAccount, r.BeneficiaryBank ?? "",
                    r.BeneficiaryName ?? "", r.ChannelId ?? "", r.Policy ?? "", r.BatchId ?? "", r.BankReference ?? "", r.RepaymentOf ?? "",
                    r.BusinessDay.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
                    r.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), r.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                    r.PaidAt?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) ?? "",
                ]);
            }
        }
        return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", "fiat-withdrawals.csv");
    }

    /// <summary>numeric(28,8) comes back with trailing zeros; the file shows the amount as entered.</summary>
    private static string Money(decimal value) => (value / 1.000000000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);

    /// <summary>
    /// Indicator cards: every status of the business order (zeros included), then any other status found (version 1's).
    /// Amounts are summed per currency (<see cref="FiatCard.Sums"/>): HKD and USD never add up.
    /// </summary>
    public static async Task<Ok<IReadOnlyList<FiatCard>>> Cards(HttpContext http, FiatRecords records, FiatDbContext fiat, string? channel, string? currency, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var query = new FiatRecordFilter(null, null, null, channel, currency, null, null, null, null, null, null).Apply(records.Query);
        List<(string Status, string Currency, int Count, decimal Amount)> groups;
        if (fiat.IsSqlite)
        {
            // SQLite cannot sum decimals in SQL; the embedded default holds few records.
            groups = [.. (await query.Select(r => new { r.Status, r.Currency, r.Amount }).ToListAsync(ct)).GroupBy(r => (r.Status, r.Currency))
                .Select(g => (g.Key.Status, g.Key.Currency, g.Count(), g.Sum(r => r.Amount)))];
        }
        else
        {
            groups = [.. (await query.GroupBy(r => new { r.Status, r.Currency }).Select(g => new { g.Key.Status, g.Key.Currency, Count = g.Count(), Amount = g.Sum(r => r.Amount) }).ToListAsync(ct))
                .Select(g => (g.Status, g.Currency, g.Count, g.Amount))];
        }
        FiatCard Card(string status)
        {
            var of = groups.Where(g => g.Status == status).OrderBy(g => g.Currency, StringComparer.Ordinal).ToList();
            return new FiatCard(status, of.Sum(g => g.Count), of.Sum(g => g.Amount), [.. of.Select(g => new FiatCardSum(g.Currency, FiatConfigRules.Plain(g.Amount), g.Count))]);
        }
        var cards = FiatNames.CardOrder.Select(Card).ToList();
        cards.AddRange(groups.Select(g => g.Status).Where(s => !FiatNames.CardOrder.Contains(s)).Distinct().Order(StringComparer.Ordinal).Select(Card));
        return TypedResults.Ok<IReadOnlyList<FiatCard>>(cards);
    }

    public static async Task<Ok<FiatRecordView>> Get(string id, HttpContext http, FiatRecords records, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var row = await records.FindAsync(id, ct);
        return TypedResults.Ok(await records.ViewAsync(row.Id, ct));
    }

    /// <summary>The full lifecycle of a record: its instance journal and those of its work orders, in time order.</summary>
    public static async Task<Ok<IReadOnlyList<FiatLifecycleEntry>>> Lifecycle(string id, HttpContext http, FiatRecords records, ApprovalDbContext db, CancellationToken ct)
    {
        await FiatRecords.RequireReaderAsync(http, ct);
        var row = await records.FindAsync(id, ct);
        var children = await db.Instances.AsNoTracking().Where(i => i.ParentInstanceId == row.Id).Select(i => new { i.Id, i.DefinitionId }).ToListAsync(ct);
        var ids = children.Select(c => c.Id).Append(row.Id).ToList();
        var entries = await db.Journal.AsNoTracking().Where(j => ids.Contains(j.InstanceId)).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<FiatLifecycleEntry>>([.. entries.OrderBy(j => j.Timestamp).ThenBy(j => j.InstanceId == row.Id ? 0 : 1).ThenBy(j => j.Sequence)
            .Select(j => new FiatLifecycleEntry(j.InstanceId == row.Id ? FiatNames.DefinitionId : children.First(c => c.Id == j.InstanceId).DefinitionId, j.InstanceId, InstanceViews.ToView(j)))]);
    }
}

public sealed record FiatLifecycleEntry(string Flow, Guid InstanceId, JournalEntryView Entry);
