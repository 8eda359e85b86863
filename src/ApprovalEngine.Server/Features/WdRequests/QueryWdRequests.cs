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

/// <summary>
/// The grid's filters (?status=&amp;department=&amp;customerId=&amp;from=&amp;to=&amp;sort=, and since issue 13
/// id, tradingAccount, minAmount, maxAmount, currency), shared by the grid and the CSV export.
/// </summary>
public sealed record WdGridFilter(string? Status, string? Department, string? CustomerId, DateTimeOffset? From, DateTimeOffset? To, string? Sort,
    Guid? Id = null, string? TradingAccount = null, decimal? MinAmount = null, decimal? MaxAmount = null, string? Currency = null)
{
    public static readonly string[] Sorts = ["createdAt", "-createdAt", "requestedAmount", "-requestedAmount", "status", "-status"];

    public void Check()
    {
        if (!string.IsNullOrEmpty(Status) && !WdStatuses.All.Contains(Status)) throw ApiProblemException.BadRequest("status", $"status must be one of {string.Join(", ", WdStatuses.All)}.");
        if (!string.IsNullOrEmpty(Department) && !WdDepartments.All.Contains(Department)) throw ApiProblemException.BadRequest("department", $"department must be one of {string.Join(", ", WdDepartments.All)}.");
        if (CustomerId is { Length: > 100 }) throw ApiProblemException.BadRequest("customerId", "customerId is longer than 100 characters.");
        if (From is { } f && To is { } t && f > t) throw ApiProblemException.BadRequest("from", "from must not be after to.");
        if (Sort is not null && !Sorts.Contains(Sort)) throw ApiProblemException.BadRequest("sort", $"sort must be one of {string.Join(", ", Sorts)}.");
        if (TradingAccount is { Length: > 64 }) throw ApiProblemException.BadRequest("tradingAccount", "tradingAccount is longer than 64 characters.");
        if (!string.IsNullOrEmpty(Currency) && !Workflows.Definitions.Currencies.IsKnown(Currency)) throw ApiProblemException.BadRequest("currency", "currency must be an ISO 4217 code such as USD (or a supported coin).");
        if (MinAmount is < 0) throw ApiProblemException.BadRequest("minAmount", "minAmount cannot be negative.");
        if (MaxAmount is < 0) throw ApiProblemException.BadRequest("maxAmount", "maxAmount cannot be negative.");
        if (MinAmount is { } min && MaxAmount is { } max && min > max) throw ApiProblemException.BadRequest("minAmount", "minAmount must not be above maxAmount.");
    }

    public IQueryable<WdRequestRecord> Apply(IQueryable<WdRequestRecord> query)
    {
        if (!string.IsNullOrEmpty(Status)) query = query.Where(r => r.Status == Status);
        if (!string.IsNullOrEmpty(Department)) query = query.Where(r => r.Department == Department);
        if (!string.IsNullOrEmpty(CustomerId)) query = query.Where(r => r.CustomerId == CustomerId);
        if (From is { } from) query = query.Where(r => r.CreatedAt >= from);
        if (To is { } to) query = query.Where(r => r.CreatedAt <= to);
        if (Id is { } id) query = query.Where(r => r.Id == id);
        if (!string.IsNullOrEmpty(TradingAccount)) query = query.Where(r => r.TradingAccount == TradingAccount);
        if (!string.IsNullOrEmpty(Currency)) query = query.Where(r => r.Currency == Currency);
        return query;
    }

    /// <summary>The amount range in SQL (PostgreSQL); SQLite cannot compare decimals, so <see cref="ApplyInMemory"/> does it there.</summary>
    public IQueryable<WdRequestRecord> ApplyAmounts(ApprovalDbContext db, IQueryable<WdRequestRecord> query)
    {
        if (db.IsSqlite) return query;
        if (MinAmount is { } min) query = query.Where(r => r.RequestedAmount >= min);
        if (MaxAmount is { } max) query = query.Where(r => r.RequestedAmount <= max);
        return query;
    }

    public IEnumerable<WdRequestRecord> ApplyInMemory(IEnumerable<WdRequestRecord> rows) =>
        rows.Where(r => (MinAmount is not { } min || r.RequestedAmount >= min) && (MaxAmount is not { } max || r.RequestedAmount <= max));

    /// <summary>Sorting by amount or filtering by an amount range on SQLite happens in memory (SQLite cannot compare decimals).</summary>
    public bool SortsInMemory(ApprovalDbContext db) => db.IsSqlite && (Sort is "requestedAmount" or "-requestedAmount" || MinAmount is not null || MaxAmount is not null);

    public IQueryable<WdRequestRecord> Order(IQueryable<WdRequestRecord> query) => (Sort ?? "-createdAt") switch
    {
        "createdAt" => query.OrderBy(r => r.CreatedAt).ThenBy(r => r.Id),
        "requestedAmount" => query.OrderBy(r => r.RequestedAmount).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        "-requestedAmount" => query.OrderByDescending(r => r.RequestedAmount).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        "status" => query.OrderBy(r => r.Status).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        "-status" => query.OrderByDescending(r => r.Status).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        _ => query.OrderByDescending(r => r.CreatedAt).ThenBy(r => r.Id),
    };

    public IEnumerable<WdRequestRecord> OrderInMemory(IEnumerable<WdRequestRecord> rows) => (Sort ?? "-createdAt") switch
    {
        "-requestedAmount" => rows.OrderByDescending(r => r.RequestedAmount).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        "requestedAmount" => rows.OrderBy(r => r.RequestedAmount).ThenBy(r => r.CreatedAt).ThenBy(r => r.Id),
        _ => Order(rows.AsQueryable()).AsEnumerable(),
    };

    public static WdRequestRow ToRow(WdRequestRecord r) =>
        new(r.Id, r.Status, r.Department, r.Priority, r.Overdue, r.CustomerId, r.TradingAccount, WdVars.Normalize(r.RequestedAmount), r.Currency, WdVars.Normalize(r.Fee), r.CreatedAt, r.UpdatedAt);
}

/// <summary>GET /api/wd-requests: the grid, paged.</summary>
public static class QueryWdRequests
{
    public static async Task<Ok<Paged<WdRequestRow>>> Handle(
        HttpContext http, ApprovalDbContext db, string? status, string? department, string? customerId, DateTimeOffset? from, DateTimeOffset? to,
        string? sort, int? page, int? pageSize, Guid? id, string? tradingAccount, decimal? minAmount, decimal? maxAmount, string? currency, CancellationToken ct)
    {
        await WdRequestsApi.RequireReaderAsync(http, ct);
        var (p, s) = Paging.Check(page, pageSize);
        var filter = new WdGridFilter(status, department, customerId, from, to, sort, id, tradingAccount, minAmount, maxAmount, currency);
        filter.Check();
        var query = filter.ApplyAmounts(db, filter.Apply(db.WdRequests.AsNoTracking()));
        int total;
        List<WdRequestRecord> rows;
        if (filter.SortsInMemory(db))
        {
            var all = filter.ApplyInMemory(await query.ToListAsync(ct)).ToList();
            total = all.Count;
            rows = [.. filter.OrderInMemory(all).Skip((p - 1) * s).Take(s)];
        }
        else
        {
            total = await query.CountAsync(ct);
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

    /// <summary>
    /// <c>columns=a,b,c</c> (the grid's column settings, manual: "the list of columns in the file corresponds to the
    /// settings of the main grid"): those columns in that order; all when absent. An unknown, empty or repeated name is
    /// a 400 naming <c>columns</c>.
    /// </summary>
    public static string[] ParseColumns(string? columns)
    {
        if (columns is null) return Columns;
        var names = columns.Split(',', StringSplitOptions.TrimEntries);
        if (names.Any(string.IsNullOrEmpty)) throw ApiProblemException.BadRequest("columns", "columns is a comma-separated list of column names without empty entries.");
        if (names.FirstOrDefault(n => !Columns.Contains(n, StringComparer.Ordinal)) is { } unknown)
        {
            throw ApiProblemException.BadRequest("columns", $"Unknown column '{unknown}'; columns are {string.Join(", ", Columns)}.");
        }
        if (names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1) is { } twice) throw ApiProblemException.BadRequest("columns", $"Column '{twice.Key}' is listed twice.");
        return names;
    }

    public static async Task<IResult> Handle(
        HttpContext http, ApprovalDbContext db, string? status, string? department, string? customerId, DateTimeOffset? from, DateTimeOffset? to,
        string? sort, Guid? id, string? tradingAccount, decimal? minAmount, decimal? maxAmount, string? currency, string? columns, CancellationToken ct)
    {
        if (!http.User.HasRight(Rights.ExportWdRequests)) throw ApiProblemException.Forbidden("Exporting WD requests needs the right wd:export.");
        if (http.User.IsSystem()) await WdRequestsApi.RequireReaderAsync(http, ct);
        var filter = new WdGridFilter(status, department, customerId, from, to, sort, id, tradingAccount, minAmount, maxAmount, currency);
        filter.Check();
        var chosen = ParseColumns(columns);
        var query = filter.ApplyAmounts(db, filter.Apply(db.WdRequests.AsNoTracking()));
        var rows = filter.SortsInMemory(db)
            ? [.. filter.OrderInMemory(filter.ApplyInMemory(await query.ToListAsync(ct))).Take(MaxRows)]
            : await filter.Order(query).Take(MaxRows).ToListAsync(ct);

        await using var text = new StringWriter(CultureInfo.InvariantCulture);
        // Cells starting with = + - @ are escaped so a spreadsheet never runs them as formulas.
        await using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Injection = CsvInjection.Escape }, true))
        {
            csv.WriteRecord(chosen);
            foreach (var r in rows)
            {
                string[] all =
                [
                    r.Id.ToString(), r.Status, r.Department ?? "", r.Priority.ToString(CultureInfo.InvariantCulture), r.Overdue ? "true" : "false",
                    r.CustomerId, r.TradingAccount, WdVars.Normalize(r.RequestedAmount).ToString(CultureInfo.InvariantCulture), r.Currency, WdVars.Normalize(r.Fee).ToString(CultureInfo.InvariantCulture),
                    r.CreatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture), r.UpdatedAt.UtcDateTime.ToString("O", CultureInfo.InvariantCulture),
                ];
                csv.WriteRecord([.. chosen.Select(c => all[Array.IndexOf(Columns, c)])]);
            }
        }
        return Results.File(Encoding.UTF8.GetBytes(text.ToString()), "text/csv; charset=utf-8", "wd-requests.csv");
    }
}
