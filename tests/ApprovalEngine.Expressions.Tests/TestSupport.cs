using System.Text.Json;
using ApprovalEngine.Expressions;

namespace ApprovalEngine.Expressions.Tests;

internal sealed class TestScope(IReadOnlyDictionary<string, object?> values, DateTimeOffset now) : IExpressionScope
{
    public TestScope(IReadOnlyDictionary<string, object?> values)
        : this(values, Expr.Now)
    {
    }

    public DateTimeOffset Now { get; } = now;

    public bool TryGetValue(string name, out object? value) => values.TryGetValue(name, out value);
}

internal static class Expr
{
    public static readonly DateTimeOffset Now = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

    /// <summary>Variables shared by most tests.</summary>
    public const string StandardJson = """
        {
          "amount": 1500.50, "fee": 2.5, "zero": 0, "name": "Alice", "empty": "", "flag": true, "off": false,
          "nothing": null, "list": [1, 2, 3], "names": ["a", "b"], "emptyList": [], "bools": [true, false],
          "account": { "freeMargin": 250.75, "currency": "EUR", "owner": { "name": "Bob" }, "in": 1 },
          "max": 79228162514264337593543950335, "marginLevel": 150, "hasOpenTrades": true
        }
        """;

    private static readonly Lazy<IReadOnlyDictionary<string, object?>> Standard = new(() => Vars(StandardJson));

    public static IReadOnlyDictionary<string, object?> Vars(string json) => (IReadOnlyDictionary<string, object?>)Json(json)!;

    public static object? Json(string json)
    {
        using var doc = JsonDocument.Parse(json);
        return ExpressionValues.FromJson(doc.RootElement);
    }

    public static TestScope Scope(string? json = null) => new(json is null ? Standard.Value : Vars(json));

    public static TestScope Scope(Dictionary<string, object?> values) => new(values);

    public static object? Eval(string source, string? json = null) => CompiledExpression.Parse(source).Evaluate(Scope(json));

    public static string Show(object? value) => value switch
    {
        null => "null",
        _ => ExpressionValues.ToJsonNode(value)!.ToJsonString() + " (" + value.GetType().Name + ")",
    };

    /// <summary>Asserts structural equality with a value written as JSON (numbers compare by value: 5.00 equals 5).</summary>
    public static void AssertValue(object? actual, string expectedJson)
    {
        var expected = Json(expectedJson);
        Assert.That(ExpressionValues.AreEqual(actual, expected), Is.True, $"expected {expectedJson} but got {Show(actual)}");
    }

    public static ExpressionSyntaxException SyntaxError(string source) =>
        Assert.Throws<ExpressionSyntaxException>(() => CompiledExpression.Parse(source))!;

    public static ExpressionEvaluationException RuntimeError(string source, string? json = null) =>
        Assert.Throws<ExpressionEvaluationException>(() => Eval(source, json))!;

    public static Dictionary<string, ExpressionType> Types(params (string Name, ExpressionType Type)[] entries) =>
        entries.ToDictionary(e => e.Name, e => e.Type, StringComparer.Ordinal);
}
