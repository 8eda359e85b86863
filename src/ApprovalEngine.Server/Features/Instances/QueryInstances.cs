using System.Globalization;
using System.Linq.Expressions;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Instances;

/// <summary>
/// <c>GET /api/instances</c>: readable instances filtered by definition, status, correlation id, business status,
/// customer and creation time (ADR 16). A parameter the route does not know, or a malformed one, is a 400 naming it:
/// a filter that is silently ignored answers a different question than the one asked.
/// </summary>
public static class QueryInstances
{
    public static readonly IReadOnlyList<string> Parameters =
        ["definitionId", "status", "correlationId", "businessStatus", "customer", "createdFrom", "createdTo", "page", "pageSize"];

    public static async Task<Ok<Paged<InstanceSummary>>> Handle(
        HttpContext http, ApprovalDbContext db, ReadAccess reads, DefinitionCache definitions,
        string? definitionId, string? status, string? correlationId, string? businessStatus,
        string? customer, string? createdFrom, string? createdTo, int? page, int? pageSize, CancellationToken ct)
    {
        foreach (var key in http.Request.Query.Keys)
        {
            if (!Parameters.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw ApiProblemException.BadRequest(key, $"Unknown query parameter '{key}'; the filters are {string.Join(", ", Parameters)}.");
            }
        }
        var (p, s) = Paging.Check(page, pageSize);
        var from = Instant(createdFrom, nameof(createdFrom));
        var to = Instant(createdTo, nameof(createdTo));
        if (from is not null && to is not null && from > to) throw ApiProblemException.BadRequest(nameof(createdFrom), "createdFrom must not be after createdTo.");
        if (customer is { Length: > 200 }) throw ApiProblemException.BadRequest(nameof(customer), "customer must be at most 200 characters.");

        // Filtered in SQL before counting and paging, so totals and pages never hint at unreadable instances.
        var readable = await reads.ReadableDefinitionsAsync(db, http.User, ct);
        var query = db.Instances.AsNoTracking().Where(i => readable.Contains(i.DefinitionId));
        if (!string.IsNullOrEmpty(definitionId)) query = query.Where(i => i.DefinitionId == definitionId);
        if (!string.IsNullOrEmpty(status))
        {
            if (!Enum.TryParse<InstanceStatus>(status, ignoreCase: true, out var parsed)) throw ApiProblemException.BadRequest("status", $"status must be one of {string.Join(", ", Enum.GetNames<InstanceStatus>())}.");
            var text = parsed.ToString();
            query = query.Where(i => i.Status == text);
        }
        if (!string.IsNullOrEmpty(correlationId)) query = query.Where(i => i.CorrelationId == correlationId);
        if (!string.IsNullOrEmpty(businessStatus)) query = query.Where(i => i.BusinessStatus == businessStatus);
        if (from is not null) query = query.Where(i => i.CreatedAt >= from);
        if (to is not null) query = query.Where(i => i.CreatedAt <= to);
        if (!string.IsNullOrEmpty(customer)) query = query.Where(await CustomerFilterAsync(db, definitions, readable, customer, ct));
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<InstanceSummary>([.. rows.Select(InstanceViews.ToSummary)], total, p, s));
    }

    /// <summary>ISO 8601 with an offset (or Z); a time without one is ambiguous and refused.</summary>
    private static DateTimeOffset? Instant(string? text, string name)
    {
        if (string.IsNullOrEmpty(text)) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.RoundtripKind, out var value)
            && (text.EndsWith('Z') || text.EndsWith('z') || HasOffset(text)))
        {
            return value.ToUniversalTime();
        }
        throw ApiProblemException.BadRequest(name, $"{name} must be an ISO 8601 time with an offset, e.g. 2026-12-01T00:00:00Z.");
    }

    private static bool HasOffset(string text)
    {
        var t = text.IndexOf('T', StringComparison.OrdinalIgnoreCase);
        return t > 0 && (text.IndexOf('+', t) > 0 || text.IndexOf('-', t) > 0);
    }

    /// <summary>
    /// The business key (correlation id) equals <paramref name="customer"/>, or the customer variable the definition's
    /// current version declares (<c>customer</c>) holds it, read from the state JSON in SQL (not matched as text:
    /// migrations rewrote stored states in another spacing and key order).
    /// </summary>
    private static async Task<Expression<Func<InstanceRecord, bool>>> CustomerFilterAsync(
        ApprovalDbContext db, DefinitionCache definitions, string[] readable, string customer, CancellationToken ct)
    {
        var byVariable = new Dictionary<string, List<string>>(StringComparer.Ordinal);
        foreach (var (id, definition) in await CurrentDefinitions.LoadAsync(db, definitions, readable, ct))
        {
            if (definition.Customer is not { } variable) continue;
            if (!byVariable.TryGetValue(variable, out var ids)) byVariable[variable] = ids = [];
            ids.Add(id);
        }
        var row = Expression.Parameter(typeof(InstanceRecord), "i");
        Expression<Func<InstanceRecord, bool>> byKey = i => i.CorrelationId == customer;
        var body = Rebind(byKey, row);
        foreach (var (variable, ids) in byVariable)
        {
            var idList = ids.ToArray();
            Expression<Func<InstanceRecord, bool>> byVar = i => idList.Contains(i.DefinitionId) && ApprovalDbContext.StateVariable(i.StateJson, variable) == customer;
            body = Expression.OrElse(body, Rebind(byVar, row));
        }
        return Expression.Lambda<Func<InstanceRecord, bool>>(body, row);
    }

    private static Expression Rebind(Expression<Func<InstanceRecord, bool>> lambda, ParameterExpression row) =>
        new Replace(lambda.Parameters[0], row).Visit(lambda.Body);

    private sealed class Replace(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }
}
