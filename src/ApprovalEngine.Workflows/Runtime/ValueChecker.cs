using System.Collections;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.RegularExpressions;
using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Workflows.Runtime;

/// <summary>
/// Checks one value a caller supplies (a start input or a form field) against its declared type and
/// <see cref="ValueSpec"/> constraints (ADR 7). Pure: no I/O, no clock; the validation expression gets its scope from
/// the caller. A value is never coerced from another JSON type: a number sent as a string is refused.
/// </summary>
public static partial class ValueChecker
{
    /// <summary>How long one <c>pattern</c> may run on one value before the value is refused.</summary>
    public static readonly TimeSpan PatternTimeout = TimeSpan.FromMilliseconds(200);

    private const int MaxCachedPatterns = 512;
    private static readonly ConcurrentDictionary<string, Regex> Patterns = new(StringComparer.Ordinal);

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,7})?)?(Z|[+-]\d{2}:\d{2})?)?$", RegexOptions.CultureInvariant)]
    private static partial Regex Iso8601();

    /// <param name="label">The name shown in messages (the input or field name).</param>
    /// <param name="type">Declared type: string, number, boolean, datetime, list, object or any.</param>
    /// <param name="sibling">Reads another input/field of the same call (for <c>currencyInput</c>).</param>
    /// <param name="scopeFor">Builds the scope of the <c>validation</c> expression with <c>value</c> bound; null skips it.</param>
    /// <returns>The messages (empty when valid) and the value to store (an ISO 8601 text becomes a date-time).</returns>
    public static (IReadOnlyList<string> Errors, object? Value) Check(
        string label, string type, bool required, ValueSpec spec, object? value,
        Func<string, object?>? sibling = null, Func<object?, IExpressionScope>? scopeFor = null)
    {
        var errors = new List<string>();
        if (value is null || (value is string blank && string.IsNullOrWhiteSpace(blank) && required))
        {
            if (required) errors.Add($"'{label}' is required.");
            return (errors, null);
        }

        switch (type)
        {
            case "number":
                if (value is not decimal number) return ([$"'{label}' must be a number (a JSON number, not text)."], value);
                CheckNumber(label, number, spec, sibling, errors);
                break;
            case "string":
                if (value is not string text) return ([$"'{label}' must be text."], value);
                CheckText(label, text, spec, errors);
                break;
            case "boolean":
                if (value is not bool) return ([$"'{label}' must be true or false."], value);
                break;
            case "datetime":
                if (value is string iso)
                {
                    if (!Iso8601().IsMatch(iso) || !DateTimeOffset.TryParse(iso, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed))
                        return ([$"'{label}' must be an ISO 8601 date-time such as 2026-12-01T10:00:00Z."], value);
                    value = parsed;
                }
                else if (value is not DateTimeOffset)
                {
                    return ([$"'{label}' must be an ISO 8601 date-time."], value);
                }
                break;
            case "list":
                if (value is not IList) return ([$"'{label}' must be a list."], value);
                break;
            case "object":
                if (value is not IReadOnlyDictionary<string, object?> and not IDictionary<string, object?>) return ([$"'{label}' must be an object."], value);
                break;
        }
        if (errors.Count > 0 || spec.Validation is not { } validation || scopeFor is null) return (errors, value);

        try
        {
            if (!CompiledExpression.Parse(validation.Expression).EvaluateBoolean(scopeFor(value)))
                errors.Add(validation.Message ?? $"'{label}' is not valid: {validation.Expression} is false.");
        }
        catch (Exception ex) when (ex is ExpressionEvaluationException or ExpressionSyntaxException)
        {
            errors.Add(validation.Message ?? $"'{label}' could not be checked: {ex.Message}");
        }
        return (errors, value);
    }

    private static void CheckNumber(string label, decimal number, ValueSpec spec, Func<string, object?>? sibling, List<string> errors)
    {
        if (spec.Minimum is { } min && number < min) errors.Add($"'{label}' must be at least {min.ToString(CultureInfo.InvariantCulture)}.");
        if (spec.ExclusiveMinimum is { } above && number <= above) errors.Add($"'{label}' must be greater than {above.ToString(CultureInfo.InvariantCulture)}.");
        if (spec.Maximum is { } max && number > max) errors.Add($"'{label}' must be at most {max.ToString(CultureInfo.InvariantCulture)}.");
        if (spec.Scale is { } scale && !Currencies.FitsScale(number, scale)) errors.Add($"'{label}' has more than {scale} decimal places.");
        if (spec.CurrencyInput is { } currencyName && sibling?.Invoke(currencyName) is string currency
            && Currencies.MinorUnits(currency) is { } units && !Currencies.FitsScale(number, units))
        {
            errors.Add($"'{label}' has more than {units} decimal places for {currency}.");
        }
    }

    private static void CheckText(string label, string text, ValueSpec spec, List<string> errors)
    {
        if (spec.MinLength is { } minLength && text.Length < minLength) errors.Add($"'{label}' must be at least {minLength} characters long.");
        if (spec.MaxLength is { } maxLength && text.Length > maxLength) errors.Add($"'{label}' is longer than {maxLength} characters.");
        if (spec.Enum is { Count: > 0 } options && !options.Contains(text, StringComparer.Ordinal)) errors.Add($"'{label}' must be one of {string.Join(", ", options)}.");
        if (spec.Format == "currency" && !Currencies.IsKnown(text)) errors.Add($"'{label}' must be an ISO 4217 currency code such as USD (or a known coin such as BTC).");
        if (spec.Pattern is { } pattern)
        {
            try
            {
                if (!Pattern(pattern).IsMatch(text)) errors.Add($"'{label}' does not have the expected form.");
            }
            catch (RegexMatchTimeoutException)
            {
                errors.Add($"'{label}' could not be checked against its pattern in time.");
            }
            catch (ArgumentException)
            {
                errors.Add($"The pattern of '{label}' is not a valid regular expression.");
            }
        }
    }

    /// <summary>The compiled pattern, anchored so the whole text must match; cached (bounded) because definitions are few.</summary>
    public static Regex Pattern(string pattern)
    {
        if (Patterns.TryGetValue(pattern, out var cached)) return cached;
        var regex = new Regex($@"\A(?:{pattern})\z", RegexOptions.CultureInvariant, PatternTimeout);
        if (Patterns.Count >= MaxCachedPatterns) Patterns.Clear();
        Patterns[pattern] = regex;
        return regex;
    }
}
