using System.Globalization;
using System.Text;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using CsvHelper;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.WdRequests;

public sealed record WdRequestRow(
    Guid Id, string Status, string? Department, int Priority, bool Overdue, string CustomerId, string TradingAccount,
    decimal RequestedAmount, string Currency, decimal Fee, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt);

/// <summary>The grid's filters (?status=&amp;department=&amp;customerId=&amp;from=&amp;to=&amp;sort=), shared by the grid and the CSV export.</summary>
public sealed record WdGridFilter(string? Status, string? Department, string? CustomerId, DateTimeOffset? From, DateTimeOffset? To, string? Sort)
{
    public static readonly string[] Sorts = ["createdAt", "-createdAt", "requestedAmount", "-requestedAmount", "status", "-status"];

    public void Check()
    {
        if (!string.IsNullOrEmpty(Status) && !WdStatuses.All.Contains(Status)) throw ApiProblemException.BadRequest("status", $"status must be one of {string.Join(", ", WdStatuses.All)}.");
        if (!string.IsNullOrEmpty(Department) && !WdDepartments.All.Contains(Department)) throw ApiProblemException.BadRequest("department", $"department must be one of {string.Join(", ", WdDepartments.All)}.");
        if (CustomerId is { Length: > 100 }) throw ApiProblemException.BadRequest("customerId", "customerId is longer than 100 characters.");
        if (From is { } f && To is { } t && f > t) throw ApiProblemException.BadRequest("from", "from must not be after to.");
        if (Sort is not null && !Sorts.Contains(Sort)) throw ApiProblemException.BadRequest("sort", $"sort must be one of {string.Join(", ", Sorts)}.");
    }

    public IQueryable<WdRequestRecord> Apply(IQueryable<WdRequestRecord> query)
    {
        if (!string.IsNullOrEmpty(Status)) query = query.Where(r => r.Status == Status);
        if (!string.IsNullOrEmpty(Department)) query = query.Where(r => r.Department == Department);
        if (!string.IsNullOrEmpty(CustomerId)) query = query.Where(r => r.CustomerId == CustomerId);
        if (From is { } from) query = query.Where(r => r.CreatedAt >= from);
        if (To is { } to) query = query.Where(r => r.CreatedAt <= to);
        return query;
    }

    /// <summary>Sorting by amount on SQLite happens in memory (SQLite cannot ORDER BY decimal).</summary>
    public bool SortsInMemory(ApprovalDbContext db) => db.IsSqlite && Sort is "requestedAmount" or "-requestedAmount";

    public IQueryable<WdRequestRecord> Order(IQueryable<WdRequestRecord> query) => (Sort ?? "-createdAt") switch
    {
        "createdAt" => query.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id),
        "requestedAmount" => query.OrderBy(r => r.RequestedAmount).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        "-requestedAmount" => query.OrderByDescending(r => r.RequestedAmount).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        "status" => query.OrderBy(r => r.Status).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        "-status" => query.OrderByDescending(r => r.Status).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        _ => query.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id),
    };

    public IEnumerable<WdRequestRecord> OrderInMemory(IEnumerable<WdRequestRecord> rows) => Sort == "-requestedAmount"
        ? rows.OrderByDescending(r => r.RequestedAmount).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id)
        : rows.OrderBy(r => r.RequestedAmount).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id);

    public static WdRequestRow ToRow(WdRequestRecord r) =>
        new(r.Id, r.Status, r.Department, r.Priority, r.Overdue, r.CustomerId, r.TradingAccount, WdVars.Normalize(r.RequestedAmount), r.Currency, WdVars.Normalize(r.Fee), r.CreatedAt, r.UpdatedAt);
}

/// <summary>GET /api/wd-requests: the grid, paged.</summary>
public static class QueryWdRequests
{
    public static async Task<Ok<Paged<WdRequestRow>>> Handle(
        HttpContext http, ApprovalDbContext db, string? status, string? department, string? customerId, DateTimeOffset? from, DateTimeOffset? to,
        string? sort, int? page, int? pageSize, CancellationToken ct)
    {
        await WdRequestsApi.RequireReaderAsync(http, ct);
        var (p, s) = Paging.Check(page, pageSize);
        var filter = new WdGridFilter(status, department, customerId, from, to, sort);
        filter.Check();
        var query = filter.Apply(db.WdRequests.AsNoTracking());
        var total = await query.CountAsync(ct);
        List<WdRequestRecord> rows;
        if (filter.SortsInMemory(db))
        {
            rows = [.. filter.OrderInMemory(await query.ToListAsync(ct)).Skip((p - 1) * s).Take(s)];
        }
        else
        {
            rows = await filter.Order(query).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        }
        return TypedResults.Ok(new Paged<WdRequestRow>([.. rows.Select(WdGridFilter.ToRow)], total, p, s));
    }
}

/// <summary>GET /api/wd-requests/export.csv: the grid's columns for every row matching the filters (right wd:export).</summary>
public static class ExportWdRequests
{
    public const int MaxRows = 100_000;

    /// <summary>The grid's columns, in the grid's order.</summary>
    public static readonly string[] Columns = ["id", "status", "department", "priority", "overdue", "customerId", "tradingAccount", "requestedAmount", "currency", "fee", "createdAt", "updatedAt"];

    public static async Task<IResult> Handle(
        HttpContext http, ApprovalDbContext db, string? status, string? department, string? customerId, DateTimeOffset? from, DateTimeOffset? to,
        string? sort, CancellationToken ct)
    {
        if (!http.User.HasRight(Rights.ExportWdRequests)) throw ApiProblemException.Forbidden("Exporting WD requests needs the right wd:export.");
        if (http.User.IsSystem()) await WdRequestsApi.RequireReaderAsync(http, ct);
        var filter = new WdGridFilter(status, department, customerId, from, to, sort);
        filter.Check();
        var query = filter.Apply(db.WdRequests.AsNoTracking());
        var rows = filter.SortsInMemory(db)
            ? [.. filter.OrderInMemory(await query.Take(MaxRows).ToListAsync(ct))]
            : await filter.Order(query).Take(MaxRows).ToListAsync(ct);

        await using var text = new StringWriter(CultureInfo.InvariantCulture);
        // Cells starting with = + - @ are escaped so a spreadsheet never runs them as formulas.
        await using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Injection = CsvInjection.Escape }, true))
        {
            csv.WriteRecord(Columns);
            foreach (var r in rows)
            {
                csv.WriteRecord(
                [
                    r.Id.ToString(), r.Status, r.Department ?? "", r.Priority.ToString(CultureInfo.InvariantCulture), r.Overdue ? "true" : "false",
                    r.CustomerId, r.TradingAccount, WdVars.Normalize(r.RequestedAmount).ToString(CultureInfo.InvariantCulture), r.Currency, WdVars.Normalize(r.Fee).ToString(CultureInfo.InvariantCulture),
                    r.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), r.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ]);
            }
        }
        return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", "wd-requests.csv");
    }
}
