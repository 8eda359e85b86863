namespace ApprovalEngine.Server.Infrastructure;

/// <summary>A page of a list, as every list route returns it.</summary>
public sealed record Paged<T>(IReadOnlyList<T> Items, int Total, int Page, int PageSize);

public static class Paging
{
    public const int MaxPageSize = 500;

    /// <summary>Validates ?page and ?pageSize (defaults 1 and 50).</summary>
    public static (int Page, int PageSize) Check(int? page, int? pageSize)
    {
        var p = page ?? 1;
        var s = pageSize ?? 50;
        if (p < 1) throw ApiProblemException.BadRequest("page", "page must be 1 or more.");
        if (s < 1 || s > MaxPageSize) throw ApiProblemException.BadRequest("pageSize", $"pageSize must be between 1 and {MaxPageSize}.");
        if ((long)p * s > int.MaxValue) throw ApiProblemException.BadRequest("page", "page is too large.");
        return (p, s);
    }
}

public static class Require
{
    public static string Text(string? value, string field, int maxLength = 400, bool required = true)
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required) throw ApiProblemException.Invalid(field, $"'{field}' is required.");
            return "";
        }
        if (value.Length > maxLength) throw ApiProblemException.Invalid(field, $"'{field}' is longer than {maxLength} characters.");
        return value;
    }

    public static string? OptionalText(string? value, string field, int maxLength = 4000)
    {
        if (value is not null && value.Length > maxLength) throw ApiProblemException.Invalid(field, $"'{field}' is longer than {maxLength} characters.");
        return value;
    }

    public static Guid Id(string? value, string what)
    {
        if (!Guid.TryParse(value, out var id)) throw ApiProblemException.NotFound($"No {what} '{value}'.");
        return id;
    }
}
