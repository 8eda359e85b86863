using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <summary>Who may read and change the fiat configuration.</summary>
public static class ConfigAccess
{
    /// <summary>Operations staff (makers and checkers) read it; whoever configures it reads it too.</summary>
    public static void RequireReader(HttpContext http)
    {
        var user = http.User;
        if (user.HasRight(Rights.ApproveWorkOrders) || user.HasRight(Rights.Submit) || user.HasRight(Rights.ConfigureFiat)) return;
        throw ApiProblemException.Forbidden($"Reading the fiat configuration needs the right {Rights.ApproveWorkOrders}, {Rights.Submit} or {Rights.ConfigureFiat}.");
    }

    public static void RequireConfigurer(HttpContext http)
    {
        if (http.User.HasRight(Rights.ConfigureFiat)) return;
        throw ApiProblemException.Forbidden($"Changing the fiat configuration needs the right {Rights.ConfigureFiat}.");
    }
}

/// <summary>Collects every invalid field of a request, so that one 422 names them all and nothing is written.</summary>
public sealed class FieldErrors
{
    /// <summary>numeric(28,8) holds 20 integer digits; money above this is refused rather than overflowing the column.</summary>
    public const decimal MaxMoney = 1_000_000_000_000_000m;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public string Text(string? value, string field, int maxLength = 400)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            Add(field, $"'{field}' is required.");
            return "";
        }
        if (value.Length > maxLength) Add(field, $"'{field}' is longer than {maxLength} characters.");
        return value.Trim();
    }

    public string? OptionalText(string? value, string field, int maxLength = 400)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (value.Length > maxLength) Add(field, $"'{field}' is longer than {maxLength} characters.");
        return value.Trim();
    }

    public string Currency(string? value, string field)
    {
        var code = value?.Trim().ToUpperInvariant() ?? "";
        if (code.Length != 3 || !code.All(char.IsAsciiLetterUpper)) Add(field, $"'{field}' must be an ISO 4217 code such as HKD.");
        return code;
    }

    public decimal Money(decimal? value, string field, bool positive = false)
    {
        if (value is not { } v)
        {
            Add(field, $"'{field}' is required.");
            return 0m;
        }
        if (positive ? v <= 0 : v < 0) Add(field, positive ? $"'{field}' must be more than 0." : $"'{field}' must not be negative.");
        if (v > MaxMoney) Add(field, $"'{field}' must be at most {MaxMoney}.");
        if (decimal.Round(v, 8) != v) Add(field, $"'{field}' has more than 8 decimals.");
        return v;
    }

    public decimal? OptionalMoney(decimal? value, string field) => value is null ? null : Money(value, field);

    public bool Bool(bool? value, string field)
    {
        if (value is null) Add(field, $"'{field}' is required.");
        return value ?? false;
    }

    public string OneOf(string? value, string field, IReadOnlyList<string> allowed)
    {
        if (value is null || !allowed.Contains(value, StringComparer.Ordinal))
        {
            Add(field, $"'{field}' must be one of {string.Join(", ", allowed)}.");
            return "";
        }
        return value;
    }

    public int RowVersion(int? value)
    {
        if (value is null) Add("rowVersion", "'rowVersion' (the version you read) is required to change a row.");
        return value ?? 0;
    }

    public void ThrowIfAny()
    {
        if (_errors.Count > 0) throw ApiProblemException.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
    }
}

/// <summary>The configuration journal: every change with who, when, the entity and its key, before → after (rows written as every journal's, <see cref="ChangeJournal"/>).</summary>
public static class ConfigJournal
{
    public static void Add(FiatDbContext db, string actor, DateTimeOffset at, string entity, string key, string action, object? before, object? after, string? reason = null)
    {
        ArgumentNullException.ThrowIfNull(db);
        var row = ChangeJournal.Entry<ConfigJournalEntry>(actor, at, entity, key, action, before, after);
        row.Reason = reason;
        db.Add(row);
    }

    public static string Actor(HttpContext http) => ChangeJournal.Actor(http);
}

public static class ConfigSave
{
    /// <summary>The row the caller read must still be the stored one.</summary>
    public static void CheckVersion(int stored, int sent, string what)
    {
        if (stored != sent) throw Stale(what);
    }

    public static ApiProblemException Stale(string what) => ConfigSaves.Stale(what);

    /// <summary>Saves; a concurrent edit of the same row or a duplicate key is a 409, not a 500.</summary>
    public static Task SaveAsync(FiatDbContext db, string what, CancellationToken ct) => ConfigSaves.SaveAsync(db, what, ct);
}
