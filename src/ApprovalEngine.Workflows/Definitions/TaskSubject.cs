using System.Globalization;

namespace ApprovalEngine.Workflows.Definitions;

/// <summary>
/// What a task is about, as stored on its row when it opens (ADR 23): customer, account, amount (a decimal, never a
/// double) and currency, read from the instance's variables through the <see cref="SubjectColumns"/> of the instance's
/// own definition version — never the definition's current version, which may name other variables.
/// </summary>
public sealed record TaskSubject(string? Customer, string? Account, decimal? Amount, string? Currency)
{
    /// <summary>Text columns are at most this long (the search refuses longer needles); longer values are cut.</summary>
    public const int MaxText = 200;

    /// <summary>Bits of <see cref="ParentColumns"/>, one per column.</summary>
    public const int CustomerBit = 1, AccountBit = 2, AmountBit = 4, CurrencyBit = 8;

    public static readonly TaskSubject None = new(null, null, null, null);

    /// <summary>The variable names the subject reads in <paramref name="definition"/> (a change to one refreshes open tasks).</summary>
    public static IReadOnlyList<string> Variables(WorkflowDefinition definition) =>
        [.. SubjectColumns.Columns.Select(c => SubjectColumns.Resolve(definition, c)).OfType<string>().Distinct(StringComparer.Ordinal)];

    /// <summary>The columns <paramref name="definition"/> holds no variable for: a sub-workflow takes them from its parent.</summary>
    public static int ParentColumns(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        var mask = 0;
        if (SubjectColumns.Resolve(definition, SubjectColumns.CustomerColumn) is null) mask |= CustomerBit;
        if (SubjectColumns.Resolve(definition, SubjectColumns.AccountColumn) is null) mask |= AccountBit;
        if (SubjectColumns.Resolve(definition, SubjectColumns.AmountColumn) is null) mask |= AmountBit;
        if (SubjectColumns.Resolve(definition, SubjectColumns.CurrencyColumn) is null) mask |= CurrencyBit;
        return mask;
    }

    /// <summary>The columns an instance of <paramref name="definition"/> holds itself (null where it holds none).</summary>
    public static TaskSubject Own(WorkflowDefinition definition, IReadOnlyDictionary<string, object?> variables)
    {
        ArgumentNullException.ThrowIfNull(definition);
        ArgumentNullException.ThrowIfNull(variables);
        object? Value(string column) => SubjectColumns.Resolve(definition, column) is { } name ? variables.GetValueOrDefault(name) : null;
        return new(Text(Value(SubjectColumns.CustomerColumn)), Text(Value(SubjectColumns.AccountColumn)),
            Number(Value(SubjectColumns.AmountColumn)), Text(Value(SubjectColumns.CurrencyColumn)));
    }

    /// <summary>This subject with the columns of <paramref name="mask"/> taken from <paramref name="parent"/>.</summary>
    public TaskSubject WithParent(TaskSubject parent, int mask)
    {
        ArgumentNullException.ThrowIfNull(parent);
        return new(
            (mask & CustomerBit) != 0 ? parent.Customer : Customer,
            (mask & AccountBit) != 0 ? parent.Account : Account,
            (mask & AmountBit) != 0 ? parent.Amount : Amount,
            (mask & CurrencyBit) != 0 ? parent.Currency : Currency);
    }

    /// <summary>A text column: strings as they are, numbers as their invariant text, booleans as true/false.</summary>
    public static string? Text(object? value)
    {
        var text = value switch
        {
            string s => s,
            decimal d => d.ToString(CultureInfo.InvariantCulture),
            bool b => b ? "true" : "false",
            _ => null,
        };
        return text is { Length: > MaxText } ? text[..MaxText] : text;
    }

    /// <summary>The amount: a number, or a string holding plain decimal text (no exponent, no separators); anything else none.</summary>
    public static decimal? Number(object? value) => value switch
    {
        decimal d => d,
        string s when s.Length <= 40 && decimal.TryParse(s.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) => d,
        _ => null,
    };
}
