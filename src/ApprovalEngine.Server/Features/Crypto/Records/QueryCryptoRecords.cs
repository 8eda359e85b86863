using System.Globalization;
using System.Text;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Infrastructure;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Records;

/// <summary>
/// <c>GET /api/crypto/{withdrawals|deposits}</c> and their <c>export</c>: the records list with the manual's filters,
/// newest first, and the same rows as CSV. Read under the definition's read policy (ADR 7), like /api/instances.
/// </summary>
public static class QueryCryptoRecords
{
    public const int MaxExportRows = 100_000;

    public static async Task<Ok<Paged<CryptoRecordView>>> ListAsync(CryptoRecordKind kind, HttpContext http, ApprovalDbContext db, ReadAccess reads, CancellationToken ct)
    {
        var filter = CryptoRecordFilter.Parse(http.Request.Query, kind, paged: true);
        await reads.EnsureCanReadAsync(db, http.User, kind.DefinitionId, ct);
        var query = filter.Apply(db.Instances.AsNoTracking(), kind);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id)
            .Skip((filter.Page - 1) * filter.PageSize).Take(filter.PageSize).ToListAsync(ct);
        return TypedResults.Ok(new Paged<CryptoRecordView>([.. rows.Select(r => CryptoRecordViews.ToView(r, kind))], total, filter.Page, filter.PageSize));
    }

    public static string[] Columns(CryptoRecordKind kind) => kind.IsDeposit
        ? ["recordNo", "status", "customer", "coin", "network", "amount", "depositAddress", "txid", "confirmations", "requiredConfirmations",
            "refundAddress", "refundAmount", "refundTxid", "refundConfirmations", "reason", "createdAt", "updatedAt", "completedAt"]
        : ["recordNo", "status", "customer", "coin", "network", "amount", "fee", "netAmount", "address", "txid", "confirmations", "requiredConfirmations",
            "reason", "createdAt", "updatedAt", "completedAt"];

    public static async Task<IResult> ExportAsync(CryptoRecordKind kind, HttpContext http, ApprovalDbContext db, ReadAccess reads, CancellationToken ct)
    {
        var filter = CryptoRecordFilter.Parse(http.Request.Query, kind, paged: false);
        await reads.EnsureCanReadAsync(db, http.User, kind.DefinitionId, ct);
        var rows = await filter.Apply(db.Instances.AsNoTracking(), kind).OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Take(MaxExportRows).ToListAsync(ct);
        await using var text = new StringWriter(CultureInfo.InvariantCulture);
        // Cells starting with = + - @ are escaped so a spreadsheet never runs them as formulas (a customer chooses addresses and references).
        await using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Injection = CsvInjection.Escape }, true))
        {
            csv.WriteRecord(Columns(kind));
            foreach (var row in rows) csv.WriteRecord(Cells(CryptoRecordViews.ToView(row, kind), kind));
        }
        return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", kind.FileName);
    }

    /// <summary>One CSV row: amounts as decimal text with the coin's precision (never through a double), times in UTC ISO 8601.</summary>
    public static string[] Cells(CryptoRecordView r, CryptoRecordKind kind)
    {
        string Money(decimal? value) => value is { } v ? CryptoAmounts.Format(v, r.Decimals) : "";
        string Time(DateTimeOffset? t) => t?.UtcDateTime.ToString("O", CultureInfo.InvariantCulture) ?? "";
        string Count(int n) => n.ToString(CultureInfo.InvariantCulture);
        return kind.IsDeposit
            ? [r.RecordNo, r.Status, r.Customer, r.Coin, r.Network, Money(r.Amount), r.Address ?? "", r.Txid ?? "", Count(r.Confirmations.Seen), Count(r.Confirmations.Required),
                r.RefundAddress ?? "", Money(r.RefundAmount), r.Refund?.Txid ?? "", r.Refund is { } refund ? Count(refund.Seen) : "", r.Reason ?? "",
                Time(r.CreatedAt), Time(r.UpdatedAt), Time(r.CompletedAt)]
            : [r.RecordNo, r.Status, r.Customer, r.Coin, r.Network, Money(r.Amount), Money(r.Fee), Money(r.NetAmount), r.Address ?? "", r.Txid ?? "",
                Count(r.Confirmations.Seen), Count(r.Confirmations.Required), r.Reason ?? "", Time(r.CreatedAt), Time(r.UpdatedAt), Time(r.CompletedAt)];
    }
}
