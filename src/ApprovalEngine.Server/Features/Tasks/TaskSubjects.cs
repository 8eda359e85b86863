using System.Globalization;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Definitions;

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
/// Subject columns of tasks (issue 14, ADR 23): stored on the task row when it opens, from the subject setting of the
/// instance's own definition version (<see cref="TaskSubject"/>), so the search is an indexed column comparison and a
/// later version naming other variables changes nothing for instances in flight. A column the task's flow does not
/// hold is its parent instance's (a work order shows its record's customer) — shown and searched only for callers who
/// may read the parent's flow too, so no column shows what the caller could not read on the parent itself.
/// </summary>
public static class TaskSubjects
{
    /// <summary>Tasks whose subject matches every given column, in SQL (before counting and paging), on the indexed columns.</summary>
    public static IQueryable<TaskRecord> Filter(IQueryable<TaskRecord> tasks, IReadOnlyCollection<string> readable, TaskSubjectFilter filter)
    {
        // lower(column) = lower(needle): the expression indexes of V027 (and of SQLite's start-up step). string.Equals
        // with a comparison would not translate to lower(), so the index would go unused.
#pragma warning disable CA1862
        if (filter.Customer is { } customer)
        {
            var c = customer.ToLowerInvariant();
            tasks = tasks.Where(t => t.SubjectCustomer!.ToLower() == c && ((t.SubjectParentColumns & TaskSubject.CustomerBit) == 0 || readable.Contains(t.SubjectParentDefinitionId!)));
        }
        if (filter.Account is { } account)
        {
            var a = account.ToLowerInvariant();
            tasks = tasks.Where(t => t.SubjectAccount!.ToLower() == a && ((t.SubjectParentColumns & TaskSubject.AccountBit) == 0 || readable.Contains(t.SubjectParentDefinitionId!)));
        }
        if (filter.Currency is { } currency)
        {
            var c = currency.ToLowerInvariant();
            tasks = tasks.Where(t => t.SubjectCurrency!.ToLower() == c && ((t.SubjectParentColumns & TaskSubject.CurrencyBit) == 0 || readable.Contains(t.SubjectParentDefinitionId!)));
        }
#pragma warning restore CA1862
        // Numeric equality: 1234.5 is 1234.50 (PostgreSQL numeric; SQLite compares EF's canonical decimal text).
        if (filter.Amount is { } amount)
        {
            tasks = tasks.Where(t => t.SubjectAmount == amount && ((t.SubjectParentColumns & TaskSubject.AmountBit) == 0 || readable.Contains(t.SubjectParentDefinitionId!)));
        }
        return tasks;
    }

    /// <summary>The subject of a task as the caller may see it: the parent's columns only when they may read its flow.</summary>
    public static TaskSubjectView View(TaskRecord task, Func<string, bool> canRead)
    {
        ArgumentNullException.ThrowIfNull(task);
        ArgumentNullException.ThrowIfNull(canRead);
        var parentHidden = task.SubjectParentColumns != 0 && (task.SubjectParentDefinitionId is not { } parent || !canRead(parent));
        bool Shown(int bit) => !parentHidden || (task.SubjectParentColumns & bit) == 0;
        return new TaskSubjectView(
            Shown(TaskSubject.CustomerBit) ? task.SubjectCustomer : null,
            Shown(TaskSubject.AccountBit) ? task.SubjectAccount : null,
            // The stored decimal's own text (numeric keeps its scale: 1000.50 stays 1000.50), never a double.
            Shown(TaskSubject.AmountBit) ? task.SubjectAmount?.ToString(CultureInfo.InvariantCulture) : null,
            Shown(TaskSubject.CurrencyBit) ? task.SubjectCurrency : null);
    }
}
