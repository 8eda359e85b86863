using System.Globalization;
using System.Linq.Expressions;
using System.Text.Json;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Definitions;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Tasks;

/// <summary>
/// What a task is about, as the inbox shows it: the customer, account, amount (decimal text as stored, never a
/// double) and currency of its instance. Null when the flow holds no such variable.
/// </summary>
public sealed record TaskSubjectView(string? Customer, string? Account, string? Amount, string? Currency);

/// <summary>The inbox's subject search (<c>GET /api/tasks?customer=&amp;account=&amp;amount=&amp;currency=</c>), checked.</summary>
public sealed record TaskSubjectFilter(string? Customer, string? Account, decimal? Amount, string? Currency)
{
    public bool Any => Customer is not null || Account is not null || Amount is not null || Currency is not null;

    public static TaskSubjectFilter Parse(string? customer, string? account, string? amount, string? currency) => new(
        Text(customer, "customer"), Text(account, "account"), Number(amount), CurrencyCode(currency));

    private static string? Text(string? value, string name)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        if (text.Length > 200) throw ApiProblemException.BadRequest(name, $"{name} must be at most 200 characters.");
        return text.ToUpperInvariant();
    }

    private static decimal? Number(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        // Decimal text only (no exponent, no thousands separators): what the inbox shows is what one searches for.
        if (value.Length > 40 || !decimal.TryParse(value.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d))
        {
            throw ApiProblemException.BadRequest("amount", "amount must be a decimal number such as 1000 or 1234.56.");
        }
        return d;
    }

    private static string? CurrencyCode(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        var text = value.Trim();
        if (text.Length > 20 || !text.All(char.IsAsciiLetterOrDigit)) throw ApiProblemException.BadRequest("currency", "currency must be a currency or coin code such as USD or BTC.");
        return text.ToUpperInvariant();
    }
}

/// <summary>
/// Subject columns of tasks (issue 14): which variable holds each column is the definition's <c>subject</c> (its
/// current version, as for reads), else <see cref="SubjectColumns.Defaults"/>; a column the task's flow does not hold
/// is its parent instance's (a work order shows its record's customer) — only when the caller may read the parent's
/// flow too, so no column shows what the caller could not read on the parent itself.
/// </summary>
public static class TaskSubjects
{
    /// <summary>An instance and its parent, as the search reads them in SQL.</summary>
    public sealed class SubjectRow
    {
        public Guid Id { get; init; }
        public string DefinitionId { get; init; } = "";
        public string StateJson { get; init; } = "";
        public string? ParentDefinitionId { get; init; }
        public string? ParentStateJson { get; init; }
    }

    /// <summary>Per column: the variable each readable definition holds it in (null: none, take the parent's).</summary>
    public sealed class Resolution(Dictionary<string, Dictionary<string, string?>> byColumn, IReadOnlySet<string> readable)
    {
        public IReadOnlySet<string> Readable { get; } = readable;

        public string? Variable(string column, string definitionId) =>
            byColumn[column].TryGetValue(definitionId, out var v) ? v : null;

        /// <summary>Definition ids grouped by the variable that holds the column; key null = the column is the parent's.</summary>
        public IEnumerable<(string? Variable, string[] Ids)> Groups(string column) =>
            byColumn[column].GroupBy(kv => kv.Value).Select(g => (g.Key, g.Select(kv => kv.Key).ToArray()));
    }

    public static async Task<Resolution> ResolveAsync(ApprovalDbContext db, DefinitionCache cache, IReadOnlyCollection<string> readable, CancellationToken ct)
    {
        var byColumn = SubjectColumns.Columns.ToDictionary(c => c, _ => new Dictionary<string, string?>(StringComparer.Ordinal));
        foreach (var (id, definition) in await CurrentDefinitions.LoadAsync(db, cache, readable, ct))
        {
            foreach (var column in SubjectColumns.Columns) byColumn[column][id] = SubjectColumns.Resolve(definition, column);
        }
        return new Resolution(byColumn, readable.ToHashSet(StringComparer.Ordinal));
    }

    /// <summary>Instances and their parents, for the search's subquery.</summary>
    public static IQueryable<SubjectRow> Rows(ApprovalDbContext db) =>
        from i in db.Instances.AsNoTracking()
        join parent in db.Instances.AsNoTracking() on i.ParentInstanceId equals (Guid?)parent.Id into parents
        from p in parents.DefaultIfEmpty()
        select new SubjectRow { Id = i.Id, DefinitionId = i.DefinitionId, StateJson = i.StateJson, ParentDefinitionId = p.DefinitionId, ParentStateJson = p.StateJson };

    /// <summary>Tasks whose subject matches every given column, in SQL (before counting and paging).</summary>
    public static IQueryable<TaskRecord> Filter(IQueryable<TaskRecord> tasks, ApprovalDbContext db, Resolution resolution, TaskSubjectFilter filter)
    {
        var rows = Rows(db);
        if (filter.Customer is { } customer) rows = rows.Where(Matches(resolution, SubjectColumns.CustomerColumn, [customer], upper: true));
        if (filter.Account is { } account) rows = rows.Where(Matches(resolution, SubjectColumns.AccountColumn, [account], upper: true));
        if (filter.Currency is { } currency) rows = rows.Where(Matches(resolution, SubjectColumns.CurrencyColumn, [currency], upper: true));
        if (filter.Amount is { } amount) rows = rows.Where(Matches(resolution, SubjectColumns.AmountColumn, AmountTexts(amount), upper: false));
        var ids = rows.Select(r => r.Id);
        return tasks.Where(t => ids.Contains(t.InstanceId));
    }

    /// <summary>
    /// The texts a JSON number equal to <paramref name="amount"/> is stored as (1000.5 as 1000.5, 1000.50, …): amounts
    /// are compared as decimals on both databases without casting stored text (a cast of a non-number would fail the
    /// query) and without a double in between.
    /// </summary>
    public static string[] AmountTexts(decimal amount)
    {
        var canonical = amount / 1.000000000000000000000000000000000m; // strips trailing zeros
        var text = canonical.ToString(CultureInfo.InvariantCulture);
        var scale = text.Contains('.') ? text.Length - text.IndexOf('.') - 1 : 0;
        var texts = new List<string> { text };
        for (var s = scale + 1; s <= 18; s++) texts.Add(canonical.ToString("F" + s.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture));
        return [.. texts];
    }

    private static Expression<Func<SubjectRow, bool>> Matches(Resolution resolution, string column, string[] values, bool upper)
    {
        var row = Expression.Parameter(typeof(SubjectRow), "r");
        Expression body = Expression.Constant(false);
        var parentGroups = resolution.Groups(column).Where(g => g.Variable is not null && g.Ids.Length > 0).ToList();
        foreach (var (variable, ids) in resolution.Groups(column))
        {
            if (variable is { } own)
            {
                Expression<Func<SubjectRow, bool>> self = upper
                    ? r => ids.Contains(r.DefinitionId) && values.Contains(ApprovalDbContext.StateVariable(r.StateJson, own)!.ToUpper())
                    : r => ids.Contains(r.DefinitionId) && values.Contains(ApprovalDbContext.StateVariable(r.StateJson, own)!);
                body = Expression.OrElse(body, Rebind(self, row));
                continue;
            }
            // The column is the parent's: match the parent's variable, for parents of a flow the caller may read.
            foreach (var (parentVariable, parentIds) in parentGroups)
            {
                var pv = parentVariable!;
                Expression<Func<SubjectRow, bool>> fromParent = upper
                    ? r => ids.Contains(r.DefinitionId) && parentIds.Contains(r.ParentDefinitionId!) && values.Contains(ApprovalDbContext.StateVariable(r.ParentStateJson!, pv)!.ToUpper())
                    : r => ids.Contains(r.DefinitionId) && parentIds.Contains(r.ParentDefinitionId!) && values.Contains(ApprovalDbContext.StateVariable(r.ParentStateJson!, pv)!);
                body = Expression.OrElse(body, Rebind(fromParent, row));
            }
        }
        return Expression.Lambda<Func<SubjectRow, bool>>(body, row);
    }

    private static Expression Rebind(Expression<Func<SubjectRow, bool>> lambda, ParameterExpression row) =>
        new Replace(lambda.Parameters[0], row).Visit(lambda.Body);

    private sealed class Replace(ParameterExpression from, ParameterExpression to) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == from ? to : base.VisitParameter(node);
    }

    /// <summary>The subject columns of one page of tasks: one read of their instances and one of their parents.</summary>
    public static async Task<Dictionary<Guid, TaskSubjectView>> ProjectAsync(ApprovalDbContext db, Resolution resolution, IReadOnlyCollection<TaskRecord> tasks, CancellationToken ct)
    {
        var result = new Dictionary<Guid, TaskSubjectView>();
        if (tasks.Count == 0) return result;
        var instanceIds = tasks.Select(t => t.InstanceId).Distinct().ToList();
        var instances = await db.Instances.AsNoTracking().Where(i => instanceIds.Contains(i.Id))
            .Select(i => new { i.Id, i.DefinitionId, i.StateJson, i.ParentInstanceId }).ToListAsync(ct);
        var parentIds = instances.Where(i => i.ParentInstanceId is not null).Select(i => i.ParentInstanceId!.Value).Distinct().ToList();
        var parents = parentIds.Count == 0 ? [] : await db.Instances.AsNoTracking().Where(i => parentIds.Contains(i.Id))
            .Select(i => new { i.Id, i.DefinitionId, i.StateJson }).ToListAsync(ct);
        var parentById = parents.ToDictionary(p => p.Id);
        foreach (var i in instances)
        {
            using var own = Variables(i.StateJson);
            var parent = i.ParentInstanceId is { } pid && parentById.TryGetValue(pid, out var pr) && resolution.Readable.Contains(pr.DefinitionId) ? pr : null;
            using var parentVars = parent is null ? null : Variables(parent.StateJson);
            string? Column(string column)
            {
                if (resolution.Variable(column, i.DefinitionId) is { } v) return Read(own, v);
                return parent is not null && resolution.Variable(column, parent.DefinitionId) is { } pv ? Read(parentVars, pv) : null;
            }
            result[i.Id] = new TaskSubjectView(Column(SubjectColumns.CustomerColumn), Column(SubjectColumns.AccountColumn), Column(SubjectColumns.AmountColumn), Column(SubjectColumns.CurrencyColumn));
        }
        return result;
    }

    private static JsonDocument Variables(string stateJson) => JsonDocument.Parse(stateJson);

    private static string? Read(JsonDocument? state, string variable)
    {
        if (state is null || !state.RootElement.TryGetProperty("variables", out var vars) || vars.ValueKind != JsonValueKind.Object) return null;
        if (!vars.TryGetProperty(variable, out var value)) return null;
        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            // The number's own text: 1000.50 stays 1000.50, an 18-decimal coin amount keeps every digit.
            JsonValueKind.Number => value.GetRawText(),
            JsonValueKind.True or JsonValueKind.False => value.GetRawText(),
            _ => null,
        };
    }
}
