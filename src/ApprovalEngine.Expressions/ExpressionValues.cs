using System.Collections;
using System.Globalization;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ApprovalEngine.Expressions;

/// <summary>
/// Conversions between JSON and the runtime values expressions work with:
/// <c>null</c>, <see cref="bool"/>, <see cref="decimal"/>, <see cref="string"/>, <see cref="DateTimeOffset"/>,
/// <see cref="IReadOnlyList{T}"/> of object and <see cref="IReadOnlyDictionary{TKey, TValue}"/> of string to object.
/// </summary>
public static class ExpressionValues
{
    internal static readonly object True = true;
    internal static readonly object False = false;
    internal static readonly object Zero = 0m;

    private static readonly JsonSerializerOptions TextOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    // ---------------------------------------------------------------- JSON -> runtime

    /// <summary>Converts a JSON element. Numbers become <see cref="decimal"/>; objects become ordinal
    /// <see cref="Dictionary{TKey, TValue}"/>; arrays become <see cref="List{T}"/>; strings stay strings (use <c>date()</c> for dates).</summary>
    /// <exception cref="FormatException">A number is outside the decimal range, or the value is nested more than <see cref="ExpressionLimits.MaxValueDepth"/> levels.</exception>
    public static object? FromJson(JsonElement e) => FromJson(e, 0);

    private static object? FromJson(JsonElement e, int depth)
    {
        if (depth > ExpressionLimits.MaxValueDepth)
        {
            throw new FormatException($"JSON value is nested more than {ExpressionLimits.MaxValueDepth} levels deep.");
        }

        switch (e.ValueKind)
        {
            case JsonValueKind.Undefined:
            case JsonValueKind.Null:
                return null;
            case JsonValueKind.True:
                return True;
            case JsonValueKind.False:
                return False;
            case JsonValueKind.String:
                return e.GetString();
            case JsonValueKind.Number:
                if (e.TryGetDecimal(out var d))
                {
                    return d;
                }

                throw new FormatException($"The JSON number {Truncate(e.GetRawText())} is outside the supported range (about ±7.9e28).");
            case JsonValueKind.Array:
            {
                var list = new List<object?>(e.GetArrayLength());
                foreach (var item in e.EnumerateArray())
                {
                    list.Add(FromJson(item, depth + 1));
                }

                return list;
            }

            case JsonValueKind.Object:
            {
                var dict = new Dictionary<string, object?>(StringComparer.Ordinal);
                foreach (var property in e.EnumerateObject())
                {
                    dict[property.Name] = FromJson(property.Value, depth + 1);
                }

                return dict;
            }

            default:
                throw new FormatException($"Unsupported JSON value kind {e.ValueKind}.");
        }
    }

    /// <summary>Converts a JSON node with the same rules as <see cref="FromJson(JsonElement)"/>. Nodes created from CLR
    /// <see cref="DateTimeOffset"/>/<see cref="DateTime"/> values (e.g. by <see cref="ToJsonNode"/>) become <see cref="DateTimeOffset"/>.</summary>
    /// <exception cref="FormatException">A number is outside the decimal range or not finite, or the value is nested too deeply.</exception>
    public static object? FromJsonNode(JsonNode? n) => FromJsonNode(n, 0);

    private static object? FromJsonNode(JsonNode? n, int depth)
    {
        if (depth > ExpressionLimits.MaxValueDepth)
        {
            throw new FormatException($"JSON value is nested more than {ExpressionLimits.MaxValueDepth} levels deep.");
        }

        switch (n)
        {
            case null:
                return null;
            case JsonObject o:
            {
                var dict = new Dictionary<string, object?>(o.Count, StringComparer.Ordinal);
                foreach (var (key, value) in o)
                {
                    dict[key] = FromJsonNode(value, depth + 1);
                }

                return dict;
            }

            case JsonArray a:
            {
                var list = new List<object?>(a.Count);
                foreach (var item in a)
                {
                    list.Add(FromJsonNode(item, depth + 1));
                }

                return list;
            }

            case JsonValue v:
                return FromJsonValue(v, depth);
            default:
                throw new FormatException($"Unsupported JSON node {n.GetType().Name}.");
        }
    }

    private static object? FromJsonValue(JsonValue v, int depth)
    {
        if (v.TryGetValue(out JsonElement element))
        {
            return FromJson(element, depth);
        }

        if (v.TryGetValue(out string? s))
        {
            return s;
        }

        if (v.TryGetValue(out bool b))
        {
            return b ? True : False;
        }

        if (v.TryGetValue(out decimal d))
        {
            return d;
        }

        if (v.TryGetValue(out DateTimeOffset dto))
        {
            return dto;
        }

        if (v.TryGetValue(out DateTime dt))
        {
            return ToOffset(dt);
        }

        // Any other CLR primitive (int, double, Guid, ...): go through its JSON text.
        string json;
        try
        {
            json = v.ToJsonString();
        }
        catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new FormatException($"The JSON value cannot be converted: {ex.Message}", ex);
        }

        using var document = JsonDocument.Parse(json);
        return FromJson(document.RootElement, depth);
    }

    // ---------------------------------------------------------------- runtime -> JSON

    /// <summary>Converts a runtime value to a JSON node (decimals keep their scale, dates become JSON date values).</summary>
    /// <exception cref="ArgumentException">The value (or something inside it) is not a supported runtime value, or is nested too deeply.</exception>
    public static JsonNode? ToJsonNode(object? value)
    {
        try
        {
            return ToJsonNode(Normalize(value, -1), 0);
        }
        catch (ExpressionEvaluationException ex)
        {
            throw new ArgumentException(ex.Message, nameof(value), ex);
        }
    }

    private static JsonNode? ToJsonNode(object? value, int depth)
    {
        if (depth > ExpressionLimits.MaxValueDepth)
        {
            throw new ExpressionEvaluationException($"Value is nested more than {ExpressionLimits.MaxValueDepth} levels deep");
        }

        switch (value)
        {
            case null:
                return null;
            case bool b:
                return JsonValue.Create(b);
            case decimal d:
                return JsonValue.Create(d);
            case string s:
                return JsonValue.Create(s);
            case DateTimeOffset dto:
                return JsonValue.Create(dto);
            case IReadOnlyList<object?> list:
            {
                var array = new JsonArray();
                foreach (var item in list)
                {
                    array.Add(ToJsonNode(Normalize(item, -1), depth + 1));
                }

                return array;
            }

            case IReadOnlyDictionary<string, object?> dict:
            {
                var obj = new JsonObject();
                foreach (var (key, item) in dict)
                {
                    obj[key] = ToJsonNode(Normalize(item, -1), depth + 1);
                }

                return obj;
            }

            default:
                throw new ExpressionEvaluationException($"Values of type '{value.GetType().Name}' are not supported");
        }
    }

    // ---------------------------------------------------------------- types and equality

    /// <summary>The expression type of a runtime value; <see cref="ExpressionType.Any"/> for unsupported CLR types.</summary>
    public static ExpressionType TypeOf(object? value) => value switch
    {
        null => ExpressionType.Null,
        bool => ExpressionType.Boolean,
        decimal or int or long or short or byte or sbyte or uint or ulong or ushort or double or float => ExpressionType.Number,
        string or char => ExpressionType.String,
        DateTimeOffset or DateTime => ExpressionType.DateTime,
        IReadOnlyList<object?> or IReadOnlyDictionary<string, object?> => value is IReadOnlyList<object?> ? ExpressionType.List : ExpressionType.Object,
        JsonElement e => e.ValueKind switch
        {
            JsonValueKind.Null or JsonValueKind.Undefined => ExpressionType.Null,
            JsonValueKind.True or JsonValueKind.False => ExpressionType.Boolean,
            JsonValueKind.Number => ExpressionType.Number,
            JsonValueKind.String => ExpressionType.String,
            JsonValueKind.Array => ExpressionType.List,
            _ => ExpressionType.Object,
        },
        IDictionary => ExpressionType.Object,
        IList => ExpressionType.List,
        _ => ExpressionType.Any,
    };

    /// <summary>Structural equality as the <c>==</c> operator sees it: numbers by value (<c>1.0 == 1</c>), text ordinally,
    /// dates by instant, lists element by element, objects key by key; values of different types are never equal.</summary>
    /// <exception cref="ArgumentException">A value is of an unsupported CLR type or nested too deeply.</exception>
    public static bool AreEqual(object? a, object? b)
    {
        var ctx = new EvalContext(null, int.MaxValue);
        try
        {
            return Equal(Normalize(a, -1), Normalize(b, -1), ref ctx, 0, -1);
        }
        catch (ExpressionEvaluationException ex)
        {
            throw new ArgumentException(ex.Message, ex);
        }
    }

    internal static bool Equal(object? a, object? b, ref EvalContext ctx, int depth, int position)
    {
        if (ReferenceEquals(a, b))
        {
            return true;
        }

        switch (a)
        {
            case null:
                return false;
            case decimal x:
                return b is decimal y && x == y;
            case string s:
                return b is string t && string.Equals(s, t, StringComparison.Ordinal);
            case bool p:
                return b is bool q && p == q;
            case DateTimeOffset d:
                return b is DateTimeOffset e && d.Equals(e);
            case IReadOnlyList<object?> la:
            {
                if (b is not IReadOnlyList<object?> lb || la.Count != lb.Count)
                {
                    return false;
                }

                CheckDepth(depth, position);
                for (var i = 0; i < la.Count; i++)
                {
                    ctx.Step(position);
                    if (!Equal(Normalize(la[i], position), Normalize(lb[i], position), ref ctx, depth + 1, position))
                    {
                        return false;
                    }
                }

                return true;
            }

            case IReadOnlyDictionary<string, object?> da:
            {
                if (b is not IReadOnlyDictionary<string, object?> db || da.Count != db.Count)
                {
                    return false;
                }

                CheckDepth(depth, position);
                foreach (var (key, va) in da)
                {
                    ctx.Step(position);
                    if (!db.TryGetValue(key, out var vb) || !Equal(Normalize(va, position), Normalize(vb, position), ref ctx, depth + 1, position))
                    {
                        return false;
                    }
                }

                return true;
            }

            default:
                return false;
        }
    }

    private static void CheckDepth(int depth, int position)
    {
        if (depth >= ExpressionLimits.MaxValueDepth)
        {
            throw Errors.Runtime($"Value is nested more than {ExpressionLimits.MaxValueDepth} levels deep", position);
        }
    }

    // ---------------------------------------------------------------- internal helpers

    /// <summary>Maps host-supplied CLR values onto the runtime value set. Hot path: the common types return unchanged.</summary>
    internal static object? Normalize(object? value, int position)
    {
        if (value is null or decimal or bool or string or DateTimeOffset)
        {
            return value;
        }

        if (value is IReadOnlyList<object?> or IReadOnlyDictionary<string, object?>)
        {
            return value;
        }

        return NormalizeSlow(value, position);
    }

    private static object? NormalizeSlow(object value, int position)
    {
        switch (value)
        {
            case int i: return (decimal)i;
            case long l: return (decimal)l;
            case short s: return (decimal)s;
            case byte b: return (decimal)b;
            case sbyte sb: return (decimal)sb;
            case ushort us: return (decimal)us;
            case uint ui: return (decimal)ui;
            case ulong ul: return (decimal)ul;
            case double d:
                if (double.IsFinite(d) && Math.Abs(d) < 7.9e28)
                {
                    return (decimal)d;
                }

                throw Errors.Runtime($"The number {d.ToString(CultureInfo.InvariantCulture)} cannot be used: number too large or not finite", position);
            case float f:
                if (float.IsFinite(f) && Math.Abs(f) < 7.9e28f)
                {
                    return (decimal)f;
                }

                throw Errors.Runtime($"The number {f.ToString(CultureInfo.InvariantCulture)} cannot be used: number too large or not finite", position);
            case char c: return c.ToString();
            case DateTime dt: return ToOffset(dt);
            case JsonElement e:
                try
                {
                    return FromJson(e);
                }
                catch (FormatException ex)
                {
                    throw Errors.Runtime(ex.Message.TrimEnd('.'), position);
                }

            case JsonNode n:
                try
                {
                    return FromJsonNode(n);
                }
                catch (FormatException ex)
                {
                    throw Errors.Runtime(ex.Message.TrimEnd('.'), position);
                }

            case IDictionary dict:
            {
                var copy = new Dictionary<string, object?>(dict.Count, StringComparer.Ordinal);
                foreach (DictionaryEntry entry in dict)
                {
                    if (entry.Key is not string key)
                    {
                        throw Errors.Runtime("Objects must have text keys", position);
                    }

                    copy[key] = entry.Value;
                }

                return copy;
            }

            case IList list:
            {
                var copy = new List<object?>(list.Count);
                foreach (var item in list)
                {
                    copy.Add(item);
                }

                return copy;
            }

            default:
                throw Errors.Runtime($"Values of type '{value.GetType().Name}' are not supported", position);
        }
    }

    internal static DateTimeOffset ToOffset(DateTime dt) =>
        dt.Kind == DateTimeKind.Local ? new DateTimeOffset(dt) : new DateTimeOffset(DateTime.SpecifyKind(dt, DateTimeKind.Utc));

    /// <summary>"a Number", "null", ... for error messages.</summary>
    internal static string Describe(object? value) => value is null ? "null" : Describe(TypeOf(value));

    internal static string Describe(ExpressionType type) => type switch
    {
        ExpressionType.Null => "null",
        ExpressionType.Any => "a value",
        ExpressionType.Object => "an Object",
        _ => "a " + type,
    };

    /// <summary>Truthiness for conditions: null and false are false, true is true, anything else is an error.</summary>
    internal static bool Truthy(object? value, int position, string what)
    {
        if (value is bool b)
        {
            return b;
        }

        if (value is null)
        {
            return false;
        }

        throw Errors.Runtime($"{what} expected a boolean but got {Describe(value)}", position);
    }

    internal static object Box(bool value) => value ? True : False;

    /// <summary>Text form used by <c>+</c> concatenation and <c>string()</c>: null is empty, numbers keep their scale, dates are ISO 8601, lists/objects are JSON.</summary>
    internal static string ToText(object? value, ref EvalContext ctx, int position)
    {
        switch (value)
        {
            case null:
                return string.Empty;
            case string s:
                return s;
            case decimal d:
                return d.ToString(CultureInfo.InvariantCulture);
            case bool b:
                return b ? "true" : "false";
            case DateTimeOffset dto:
                return FormatDate(dto);
            default:
                ChargeDeep(value, ref ctx, 0, position);
                var json = ToJsonNode(value, 0)!.ToJsonString(TextOptions);
                if (json.Length > ExpressionLimits.MaxStringLength)
                {
                    throw Errors.Runtime($"Text result is longer than {ExpressionLimits.MaxStringLength} characters", position);
                }

                return json;
        }
    }

    private static void ChargeDeep(object? value, ref EvalContext ctx, int depth, int position)
    {
        switch (value)
        {
            case IReadOnlyList<object?> list:
                CheckDepth(depth, position);
                foreach (var item in list)
                {
                    ctx.Step(position);
                    ChargeDeep(Normalize(item, position), ref ctx, depth + 1, position);
                }

                break;
            case IReadOnlyDictionary<string, object?> dict:
                CheckDepth(depth, position);
                foreach (var (_, item) in dict)
                {
                    ctx.Step(position);
                    ChargeDeep(Normalize(item, position), ref ctx, depth + 1, position);
                }

                break;
        }
    }

    internal static string FormatDate(DateTimeOffset dto) => dto.Offset == TimeSpan.Zero
        ? dto.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture)
        : dto.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFzzz", CultureInfo.InvariantCulture);

    private static string Truncate(string s) => s.Length <= 40 ? s : string.Concat(s.AsSpan(0, 40), "...");
}
