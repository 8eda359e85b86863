using System.Globalization;
using System.Text.RegularExpressions;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.Extensions.Primitives;

namespace ApprovalEngine.Server.Features.Crypto.Records;

/// <summary>
/// The manual's multi-condition search (record number, customer number, creation time, status) plus the coin.
/// Every parameter is checked before anything is read: an unknown one, a repeated one or a malformed value is a 400
/// naming it. A filter that is silently ignored answers another question than the one asked (issue 13).
/// </summary>
public sealed partial record CryptoRecordFilter(string? RecordNo, string? Customer, DateTimeOffset? CreatedFrom, DateTimeOffset? CreatedTo, string? Status, string? Coin, int Page, int PageSize)
{
    public static readonly IReadOnlyList<string> FilterParameters = ["recordNo", "customer", "createdFrom", "createdTo", "status", "coin"];
    public static readonly IReadOnlyList<string> PagingParameters = ["page", "pageSize"];

    /// <summary>Parses the query string of a list (<paramref name="paged"/>) or of an export (no paging parameters).</summary>
    public static CryptoRecordFilter Parse(IEnumerable<KeyValuePair<string, StringValues>> query, CryptoRecordKind kind, bool paged)
    {
        var allowed = paged ? [.. FilterParameters, .. PagingParameters] : FilterParameters;
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (key, value) in query)
        {
            var name = allowed.FirstOrDefault(a => string.Equals(a, key, StringComparison.OrdinalIgnoreCase))
                ?? throw ApiProblemException.BadRequest(key, $"Unknown query parameter '{key}'; the filters are {string.Join(", ", allowed)}.");
            if (value.Count > 1) throw ApiProblemException.BadRequest(name, $"{name} is given more than once.");
            var text = value.ToString().Trim();
            if (text.Length > 0) values[name] = text;
        }
        string? Get(string name) => values.GetValueOrDefault(name);

        var recordNo = Limited(Get("recordNo"), "recordNo", 64);
        var customer = Limited(Get("customer"), "customer", 64);
        var from = Instant(Get("createdFrom"), "createdFrom");
        var to = Instant(Get("createdTo"), "createdTo");
        if (from > to) throw ApiProblemException.BadRequest("createdFrom", "createdFrom must not be after createdTo.");
        var status = Get("status");
        if (status is not null)
        {
            // The manual's names, matched as written elsewhere in the product (case-insensitively), answered in its spelling.
            status = kind.Statuses.FirstOrDefault(s => string.Equals(s, status, StringComparison.OrdinalIgnoreCase))
                ?? throw ApiProblemException.BadRequest("status", $"status must be one of {string.Join(", ", kind.Statuses)}.");
        }
        var coin = Get("coin");
        if (coin is not null)
        {
            coin = coin.ToUpperInvariant();
            // The flows' own input pattern for a coin symbol.
            if (!CoinPattern().IsMatch(coin)) throw ApiProblemException.BadRequest("coin", "coin must be a coin symbol of 2 to 10 letters or digits, e.g. BTC.");
        }
        var page = Integer(Get("page"), "page");
        var pageSize = Integer(Get("pageSize"), "pageSize");
        var (p, s) = Paging.Check(page, pageSize);
        return new CryptoRecordFilter(recordNo, customer, from, to, status, coin, p, s);
    }

    /// <summary>The filter in SQL, before counting and paging.</summary>
    public IQueryable<InstanceRecord> Apply(IQueryable<InstanceRecord> records, CryptoRecordKind kind)
    {
        var definitionId = kind.DefinitionId;
        var q = records.Where(i => i.DefinitionId == definitionId && i.ParentInstanceId == null);
        if (RecordNo is { } recordNo) q = q.Where(i => ApprovalDbContext.StateVariable(i.StateJson, "recordNo") == recordNo);
        if (Customer is { } customer) q = q.Where(i => ApprovalDbContext.StateVariable(i.StateJson, "securitiesAccount") == customer);
        if (Coin is { } coin) q = q.Where(i => ApprovalDbContext.StateVariable(i.StateJson, "coin") == coin);
        if (CreatedFrom is { } from) q = q.Where(i => i.CreatedAt >= from);
        if (CreatedTo is { } to) q = q.Where(i => i.CreatedAt <= to);
        if (Status is { } status)
        {
            // An instance ended by the generic cancel keeps the business status it had; the record shows Cancelled.
            q = status == CryptoRecordKind.Cancelled
                ? q.Where(i => i.Status == "Cancelled" || i.Status == "Cancelling" || i.BusinessStatus == status)
                : q.Where(i => i.BusinessStatus == status && i.Status != "Cancelled" && i.Status != "Cancelling");
        }
        return q;
    }

    private static string? Limited(string? value, string name, int max) =>
        value is { Length: > 0 } && value.Length > max ? throw ApiProblemException.BadRequest(name, $"{name} must be at most {max} characters.") : value;

    private static int? Integer(string? text, string name)
    {
        if (text is null) return null;
        return int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw ApiProblemException.BadRequest(name, $"{name} must be a whole number.");
    }

    /// <summary>ISO 8601 with an offset (or Z), as /api/instances takes it: a time without one is ambiguous and refused.</summary>
    private static DateTimeOffset? Instant(string? text, string name)
    {
        if (text is null) return null;
        if (OffsetTime().IsMatch(text) && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.None, out var value)) return value.ToUniversalTime();
        throw ApiProblemException.BadRequest(name, $"{name} must be an ISO 8601 time with an offset, e.g. 2026-12-01T00:00:00Z.");
    }

    [GeneratedRegex("^[A-Z0-9]{2,10}$")]
    private static partial Regex CoinPattern();

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|z|[+-]\d{2}:?\d{2})$")]
    private static partial Regex OffsetTime();
}
