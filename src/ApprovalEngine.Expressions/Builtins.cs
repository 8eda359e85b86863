using System.Collections.Frozen;
using System.Globalization;

namespace ApprovalEngine.Expressions;

internal enum Fn
{
    Len,
    Lower,
    Upper,
    Trim,
    Contains,
    StartsWith,
    EndsWith,
    IsEmpty,
    Coalesce,
    Round,
    Floor,
    Ceil,
    Abs,
    Min,
    Max,
    Sum,
    Count,
    Any,
    All,
    Now,
    Date,
    AddDays,
    AddHours,
    DaysBetween,
    Number,
    String,
}

/// <summary>Static argument types a function accepts (null and Any are always accepted by the checker).</summary>
[Flags]
internal enum TypeSet
{
    None = 0,
    Boolean = 1,
    Number = 2,
    String = 4,
    DateTime = 8,
    List = 16,
    Object = 32,
    Any = Boolean | Number | String | DateTime | List | Object,
}

internal sealed record FunctionInfo(
    Fn Id,
    string Name,
    int MinArguments,
    int MaxArguments,
    TypeSet[] Parameters,
    ExpressionType Returns,
    string Signature,
    string Description)
{
    public string ArityText =>
        MaxArguments == int.MaxValue ? $"at least {MinArguments} argument{(MinArguments == 1 ? "" : "s")}"
        : MinArguments == MaxArguments ? $"{MinArguments} argument{(MinArguments == 1 ? "" : "s")}"
        : $"{MinArguments} to {MaxArguments} arguments";

    public TypeSet ParameterAt(int index) => Parameters[Math.Min(index, Parameters.Length - 1)];
}

/// <summary>The fixed whitelist of functions. Nothing here can reach host code, I/O or loop without charging the step budget.</summary>
internal static class Builtins
{
    private const int Variadic = int.MaxValue;

    public static readonly FunctionInfo[] Table =
    [
        new(Fn.Len, "len", 1, 1, [TypeSet.String | TypeSet.List | TypeSet.Object], ExpressionType.Number,
            "len(value) → number", "Length of text, number of list elements or number of object fields. len(null) is 0."),
        new(Fn.Lower, "lower", 1, 1, [TypeSet.String], ExpressionType.String,
            "lower(text) → text", "Text in lower case (invariant culture). lower(null) is null."),
        new(Fn.Upper, "upper", 1, 1, [TypeSet.String], ExpressionType.String,
            "upper(text) → text", "Text in upper case (invariant culture). upper(null) is null."),
        new(Fn.Trim, "trim", 1, 1, [TypeSet.String], ExpressionType.String,
            "trim(text) → text", "Text without leading and trailing white space. trim(null) is null."),
        new(Fn.Contains, "contains", 2, 2, [TypeSet.String | TypeSet.List, TypeSet.Any], ExpressionType.Boolean,
            "contains(textOrList, value) → boolean", "True if the text contains the given text (case-sensitive) or the list contains an equal element. False for null."),
        new(Fn.StartsWith, "startsWith", 2, 2, [TypeSet.String, TypeSet.String], ExpressionType.Boolean,
            "startsWith(text, prefix) → boolean", "True if the text starts with the prefix (case-sensitive). False if either is null."),
        new(Fn.EndsWith, "endsWith", 2, 2, [TypeSet.String, TypeSet.String], ExpressionType.Boolean,
            "endsWith(text, suffix) → boolean", "True if the text ends with the suffix (case-sensitive). False if either is null."),
        new(Fn.IsEmpty, "isEmpty", 1, 1, [TypeSet.Any], ExpressionType.Boolean,
            "isEmpty(value) → boolean", "True for null, '' , an empty list and an empty object; false for anything else."),
        new(Fn.Coalesce, "coalesce", 1, Variadic, [TypeSet.Any], ExpressionType.Any,
            "coalesce(a, b, ...) → value", "The first argument that is not null (later arguments are not evaluated); null if all are null."),
        new(Fn.Round, "round", 1, 2, [TypeSet.Number, TypeSet.Number], ExpressionType.Number,
            "round(number, digits = 0) → number", "Rounds to 0–28 decimal places; halves round away from zero (2.5 → 3, -2.5 → -3). round(null) is null."),
        new(Fn.Floor, "floor", 1, 1, [TypeSet.Number], ExpressionType.Number,
            "floor(number) → number", "Largest whole number not greater than the number (floor(-1.5) is -2). floor(null) is null."),
        new(Fn.Ceil, "ceil", 1, 1, [TypeSet.Number], ExpressionType.Number,
            "ceil(number) → number", "Smallest whole number not less than the number (ceil(1.2) is 2). ceil(null) is null."),
        new(Fn.Abs, "abs", 1, 1, [TypeSet.Number], ExpressionType.Number,
            "abs(number) → number", "Absolute value. abs(null) is null."),
        new(Fn.Min, "min", 1, Variadic, [TypeSet.Number | TypeSet.String | TypeSet.DateTime | TypeSet.List], ExpressionType.Any,
            "min(a, b, ...) or min(list) → value", "Smallest of the numbers, texts or dates given (or in the single list given); nulls are skipped; null if there is none."),
        new(Fn.Max, "max", 1, Variadic, [TypeSet.Number | TypeSet.String | TypeSet.DateTime | TypeSet.List], ExpressionType.Any,
            "max(a, b, ...) or max(list) → value", "Largest of the numbers, texts or dates given (or in the single list given); nulls are skipped; null if there is none."),
        new(Fn.Sum, "sum", 1, 1, [TypeSet.List], ExpressionType.Number,
            "sum(list) → number", "Sum of the numbers in the list; null elements are skipped. sum([]) and sum(null) are 0."),
        new(Fn.Count, "count", 1, 1, [TypeSet.List], ExpressionType.Number,
            "count(list) → number", "Number of elements in the list (nulls included). count(null) is 0."),
        new(Fn.Any, "any", 1, 1, [TypeSet.List], ExpressionType.Boolean,
            "any(list) → boolean", "True if any element is true (elements must be booleans or null). any([]) and any(null) are false."),
        new(Fn.All, "all", 1, 1, [TypeSet.List], ExpressionType.Boolean,
            "all(list) → boolean", "True if every element is true (elements must be booleans or null). all([]) is true; all(null) is false."),
        new(Fn.Now, "now", 0, 0, [TypeSet.None], ExpressionType.DateTime,
            "now() → date", "The current date and time supplied by the engine (the same value throughout one evaluation)."),
        new(Fn.Date, "date", 1, 1, [TypeSet.String | TypeSet.DateTime], ExpressionType.DateTime,
            "date(text) → date", "Parses an ISO 8601 date: '2026-01-31', '2026-01-31T09:30:00Z', '2026-01-31T09:30:00+02:00'. No offset means UTC. date(null) is null."),
        new(Fn.AddDays, "addDays", 2, 2, [TypeSet.DateTime, TypeSet.Number], ExpressionType.DateTime,
            "addDays(date, days) → date", "The date plus a (possibly fractional or negative) number of days. Null if either is null."),
        new(Fn.AddHours, "addHours", 2, 2, [TypeSet.DateTime, TypeSet.Number], ExpressionType.DateTime,
            "addHours(date, hours) → date", "The date plus a (possibly fractional or negative) number of hours. Null if either is null."),
        new(Fn.DaysBetween, "daysBetween", 2, 2, [TypeSet.DateTime, TypeSet.DateTime], ExpressionType.Number,
            "daysBetween(from, to) → number", "Exact days from 'from' to 'to' (fractional; negative if 'to' is earlier). Use floor() for whole days. Null if either is null."),
        new(Fn.Number, "number", 1, 1, [TypeSet.String | TypeSet.Number], ExpressionType.Number,
            "number(value) → number", "Parses text such as '1234.50' or '-3' (invariant culture, no thousands separators or exponents); numbers pass through; number(null) is null; invalid text is an error."),
        new(Fn.String, "string", 1, 1, [TypeSet.Any], ExpressionType.String,
            "string(value) → text", "Text form of a value: numbers keep their decimals (12.50), booleans are true/false, dates are ISO 8601, lists and objects are JSON. string(null) is null."),
    ];

    public static readonly FrozenDictionary<string, FunctionInfo> ByName =
        Table.ToFrozenDictionary(f => f.Name, StringComparer.Ordinal);

    private static readonly string[] DateFormats =
    [
        "yyyy-MM-dd",
        "yyyy-MM-dd'T'HH:mmK",
        "yyyy-MM-dd'T'HH:mm:ssK",
        "yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK",
        "yyyy-MM-dd HH:mmK",
        "yyyy-MM-dd HH:mm:ssK",
        "yyyy-MM-dd HH:mm:ss.FFFFFFFK",
    ];

    // ------------------------------------------------------------------ evaluation

    public static object? Invoke(CallNode call, ref EvalContext ctx)
    {
        var args = call.Args;
        switch (call.Function.Id)
        {
            case Fn.Len:
            {
                var v = args[0].Eval(ref ctx);
                return v switch
                {
                    null => ExpressionValues.Zero,
                    string s => (decimal)s.Length,
                    IReadOnlyList<object?> l => (decimal)l.Count,
                    IReadOnlyDictionary<string, object?> d => (decimal)d.Count,
                    _ => throw ArgumentError(call, 0, "text, a list or an object", v),
                };
            }

            case Fn.Lower:
            case Fn.Upper:
            case Fn.Trim:
            {
                var v = args[0].Eval(ref ctx);
                return v switch
                {
                    null => null,
                    string s => call.Function.Id switch
                    {
                        Fn.Lower => s.ToLowerInvariant(),
                        Fn.Upper => s.ToUpperInvariant(),
                        _ => s.Trim(),
                    },
                    _ => throw ArgumentError(call, 0, "text", v),
                };
            }

            case Fn.Contains:
            {
                var container = args[0].Eval(ref ctx);
                var item = args[1].Eval(ref ctx);
                switch (container)
                {
                    case null:
                        return ExpressionValues.False;
                    case string text:
                        return item switch
                        {
                            null => ExpressionValues.False,
                            string s => ExpressionValues.Box(text.Contains(s, StringComparison.Ordinal)),
                            _ => throw ArgumentError(call, 1, "text (when searching text)", item),
                        };
                    case IReadOnlyList<object?> list:
                        for (var i = 0; i < list.Count; i++)
                        {
                            ctx.Step(call.Position);
                            if (ExpressionValues.Equal(item, ExpressionValues.Normalize(list[i], call.Position), ref ctx, 0, call.Position))
                            {
                                return ExpressionValues.True;
                            }
                        }

                        return ExpressionValues.False;
                    default:
                        throw ArgumentError(call, 0, "text or a list", container);
                }
            }

            case Fn.StartsWith:
            case Fn.EndsWith:
            {
                var text = args[0].Eval(ref ctx);
                var affix = args[1].Eval(ref ctx);
                if (text is null || affix is null)
                {
                    return ExpressionValues.False;
                }

                var t = text as string ?? throw ArgumentError(call, 0, "text", text);
                var a = affix as string ?? throw ArgumentError(call, 1, "text", affix);
                return ExpressionValues.Box(call.Function.Id == Fn.StartsWith
                    ? t.StartsWith(a, StringComparison.Ordinal)
                    : t.EndsWith(a, StringComparison.Ordinal));
            }

            case Fn.IsEmpty:
                return ExpressionValues.Box(args[0].Eval(ref ctx) switch
                {
                    null => true,
                    string s => s.Length == 0,
                    IReadOnlyList<object?> l => l.Count == 0,
                    IReadOnlyDictionary<string, object?> d => d.Count == 0,
                    _ => false,
                });

            case Fn.Coalesce:
                foreach (var arg in args)
                {
                    var v = arg.Eval(ref ctx);
                    if (v is not null)
                    {
                        return v;
                    }
                }

                return null;

            case Fn.Round:
            {
                var v = args[0].Eval(ref ctx);
                var digits = args.Length > 1 ? args[1].Eval(ref ctx) : ExpressionValues.Zero;
                if (v is null)
                {
                    return null;
                }

                var number = v as decimal? ?? throw ArgumentError(call, 0, "a number", v);
                if (digits is not decimal places || places != decimal.Truncate(places) || places < 0 || places > 28)
                {
                    throw Errors.Runtime($"Function 'round' expects a whole number of digits from 0 to 28 as argument 2 but got {Show(digits)}", call.Position);
                }

                return decimal.Round(number, (int)places, MidpointRounding.AwayFromZero);
            }

            case Fn.Floor:
            case Fn.Ceil:
            case Fn.Abs:
            {
                var v = args[0].Eval(ref ctx);
                return v switch
                {
                    null => null,
                    decimal d => call.Function.Id switch
                    {
                        Fn.Floor => decimal.Floor(d),
                        Fn.Ceil => decimal.Ceiling(d),
                        _ => Math.Abs(d),
                    },
                    _ => throw ArgumentError(call, 0, "a number", v),
                };
            }

            case Fn.Min:
            case Fn.Max:
                return MinMax(call, ref ctx);

            case Fn.Sum:
            {
                var v = args[0].Eval(ref ctx);
                if (v is null)
                {
                    return ExpressionValues.Zero;
                }

                var list = v as IReadOnlyList<object?> ?? throw ArgumentError(call, 0, "a list", v);
                var total = 0m;
                for (var i = 0; i < list.Count; i++)
                {
                    ctx.Step(call.Position);
                    switch (ExpressionValues.Normalize(list[i], call.Position))
                    {
                        case null:
                            break;
                        case decimal d:
                            try
                            {
                                total += d;
                            }
                            catch (OverflowException)
                            {
                                throw Errors.Runtime("The sum is a number too large to represent", call.Position);
                            }

                            break;
                        case var other:
                            throw Errors.Runtime($"Function 'sum' expects a list of numbers but element {i} is {ExpressionValues.Describe(other)}", call.Position);
                    }
                }

                return total;
            }

            case Fn.Count:
            {
                var v = args[0].Eval(ref ctx);
                return v switch
                {
                    null => ExpressionValues.Zero,
                    IReadOnlyList<object?> l => (decimal)l.Count,
                    _ => throw ArgumentError(call, 0, "a list", v),
                };
            }

            case Fn.Any:
            case Fn.All:
            {
                var v = args[0].Eval(ref ctx);
                if (v is null)
                {
                    return ExpressionValues.False;
                }

                var list = v as IReadOnlyList<object?> ?? throw ArgumentError(call, 0, "a list", v);
                var wantAny = call.Function.Id == Fn.Any;
                for (var i = 0; i < list.Count; i++)
                {
                    ctx.Step(call.Position);
                    var truthy = ExpressionValues.Truthy(ExpressionValues.Normalize(list[i], call.Position), call.Position, wantAny ? "Function 'any'" : "Function 'all'");
                    if (truthy == wantAny)
                    {
                        return ExpressionValues.Box(wantAny);
                    }
                }

                return ExpressionValues.Box(!wantAny);
            }

            case Fn.Now:
                return ctx.Scope!.Now;

            case Fn.Date:
            {
                var v = args[0].Eval(ref ctx);
                switch (v)
                {
                    case null:
                        return null;
                    case DateTimeOffset:
                        return v;
                    case string s when DateTimeOffset.TryParseExact(s.Trim(), DateFormats, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var parsed):
                        return parsed;
                    case string s:
                        throw Errors.Runtime($"Function 'date' cannot read '{Lexer.Snippet(s, 0, s.Length)}' as a date (use ISO 8601, e.g. '2026-01-31' or '2026-01-31T09:30:00Z')", call.Position);
                    default:
                        throw ArgumentError(call, 0, "text", v);
                }
            }

            case Fn.AddDays:
            case Fn.AddHours:
            {
                var d = args[0].Eval(ref ctx);
                var n = args[1].Eval(ref ctx);
                if (d is null || n is null)
                {
                    return null;
                }

                var date = d as DateTimeOffset? ?? throw ArgumentError(call, 0, "a date", d);
                var amount = n as decimal? ?? throw ArgumentError(call, 1, "a number", n);
                var unit = call.Function.Id == Fn.AddDays ? TimeSpan.TicksPerDay : TimeSpan.TicksPerHour;
                try
                {
                    var ticks = decimal.Round(amount * unit, MidpointRounding.AwayFromZero);
                    return date.AddTicks(decimal.ToInt64(ticks));
                }
                catch (Exception ex) when (ex is OverflowException or ArgumentOutOfRangeException)
                {
                    throw Errors.Runtime($"Function '{call.Function.Name}' produced a date outside the supported range", call.Position);
                }
            }

            case Fn.DaysBetween:
            {
                var a = args[0].Eval(ref ctx);
                var b = args[1].Eval(ref ctx);
                if (a is null || b is null)
                {
                    return null;
                }

                var from = a as DateTimeOffset? ?? throw ArgumentError(call, 0, "a date", a);
                var to = b as DateTimeOffset? ?? throw ArgumentError(call, 1, "a date", b);
                return (decimal)(to - from).Ticks / TimeSpan.TicksPerDay;
            }

            case Fn.Number:
            {
                var v = args[0].Eval(ref ctx);
                switch (v)
                {
                    case null:
                    case decimal:
                        return v;
                    case string s:
                        const NumberStyles style = NumberStyles.AllowLeadingWhite | NumberStyles.AllowTrailingWhite
                            | NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;
                        if (decimal.TryParse(s, style, CultureInfo.InvariantCulture, out var number))
                        {
                            return number;
                        }

                        throw Errors.Runtime($"Function 'number' cannot read '{Lexer.Snippet(s, 0, s.Length)}' as a number", call.Position);
                    default:
                        throw ArgumentError(call, 0, "text or a number", v);
                }
            }

            case Fn.String:
            {
                var v = args[0].Eval(ref ctx);
                return v is null ? null : ExpressionValues.ToText(v, ref ctx, call.Position);
            }

            default:
                throw Errors.Runtime($"Function '{call.Function.Name}' is not implemented", call.Position);
        }
    }

    private static object? MinMax(CallNode call, ref EvalContext ctx)
    {
        var wantMax = call.Function.Id == Fn.Max;
        object? best = null;
        if (call.Args.Length == 1)
        {
            var only = call.Args[0].Eval(ref ctx);
            if (only is IReadOnlyList<object?> list)
            {
                for (var i = 0; i < list.Count; i++)
                {
                    ctx.Step(call.Position);
                    best = Better(call, best, ExpressionValues.Normalize(list[i], call.Position), wantMax);
                }

                return best;
            }

            return Better(call, null, only, wantMax);
        }

        foreach (var arg in call.Args)
        {
            best = Better(call, best, arg.Eval(ref ctx), wantMax);
        }

        return best;
    }

    private static object? Better(CallNode call, object? best, object? candidate, bool wantMax)
    {
        if (candidate is null)
        {
            return best;
        }

        if (candidate is not (decimal or string or DateTimeOffset))
        {
            throw Errors.Runtime($"Function '{call.Function.Name}' expects numbers, texts or dates but got {ExpressionValues.Describe(candidate)}", call.Position);
        }

        if (best is null)
        {
            return candidate;
        }

        var c = Ordering.Compare(candidate, best, call.Position, "in", call.Function.Name);
        return (wantMax ? c > 0 : c < 0) ? candidate : best;
    }

    private static ExpressionEvaluationException ArgumentError(CallNode call, int index, string expected, object? actual) =>
        Errors.Runtime($"Function '{call.Function.Name}' expects {expected} as argument {index + 1} but got {ExpressionValues.Describe(actual)}", call.Position);

    private static string Show(object? value) => value switch
    {
        null => "null",
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        _ => ExpressionValues.Describe(value),
    };

    // ------------------------------------------------------------------ static checking

    public static ExpressionType Check(CallNode call, CheckContext ctx)
    {
        var function = call.Function;
        var types = new ExpressionType[call.Args.Length];
        for (var i = 0; i < call.Args.Length; i++)
        {
            types[i] = call.Args[i].Check(ctx);
            var expected = function.ParameterAt(i);
            if (!Accepts(expected, types[i]))
            {
                ctx.Error(call.Args[i].Position, $"Function '{function.Name}' expects {Describe(expected)} as argument {i + 1} but got {ExpressionValues.Describe(types[i])}");
            }
        }

        switch (function.Id)
        {
            case Fn.Contains when types[0] == ExpressionType.String && !CheckContext.IsLoose(types[1]) && types[1] != ExpressionType.String:
                ctx.Error(call.Args[1].Position, $"Function 'contains' expects text as argument 2 when searching text but got {ExpressionValues.Describe(types[1])}");
                break;
            case Fn.Coalesce:
            {
                var result = ExpressionType.Null;
                foreach (var t in types)
                {
                    result = CheckContext.Merge(result, t);
                }

                return result;
            }

            case Fn.Min:
            case Fn.Max:
            {
                if (types.Length == 1 && types[0] is ExpressionType.List or ExpressionType.Any)
                {
                    return ExpressionType.Any;
                }

                var result = ExpressionType.Null;
                foreach (var t in types)
                {
                    if (t == ExpressionType.List)
                    {
                        ctx.Error(call.Position, $"Function '{function.Name}' accepts a list only as its single argument");
                    }

                    result = CheckContext.Merge(result, t);
                }

                if (result == ExpressionType.Any && Array.TrueForAll(types, t => !CheckContext.IsLoose(t)))
                {
                    ctx.Error(call.Position, $"Function '{function.Name}' cannot mix different types");
                }

                return result == ExpressionType.Null ? ExpressionType.Null : result;
            }
        }

        return function.Returns;
    }

    private static bool Accepts(TypeSet expected, ExpressionType actual) => actual switch
    {
        ExpressionType.Any or ExpressionType.Null => true,
        ExpressionType.Boolean => expected.HasFlag(TypeSet.Boolean),
        ExpressionType.Number => expected.HasFlag(TypeSet.Number),
        ExpressionType.String => expected.HasFlag(TypeSet.String),
        ExpressionType.DateTime => expected.HasFlag(TypeSet.DateTime),
        ExpressionType.List => expected.HasFlag(TypeSet.List),
        ExpressionType.Object => expected.HasFlag(TypeSet.Object),
        _ => true,
    };

    private static string Describe(TypeSet set)
    {
        var names = new List<string>(6);
        if (set.HasFlag(TypeSet.Boolean))
        {
            names.Add("a boolean");
        }

        if (set.HasFlag(TypeSet.Number))
        {
            names.Add("a number");
        }

        if (set.HasFlag(TypeSet.String))
        {
            names.Add("text");
        }

        if (set.HasFlag(TypeSet.DateTime))
        {
            names.Add("a date");
        }

        if (set.HasFlag(TypeSet.List))
        {
            names.Add("a list");
        }

        if (set.HasFlag(TypeSet.Object))
        {
            names.Add("an object");
        }

        return names.Count switch
        {
            0 => "nothing",
            1 => names[0],
            _ => string.Join(", ", names.Take(names.Count - 1)) + " or " + names[^1],
        };
    }
}
