using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using static ApprovalEngine.Expressions.Tests.Expr;

namespace ApprovalEngine.Expressions.Tests;

public class JsonTests
{
    [TestCase("null")]
    [TestCase("true")]
    [TestCase("false")]
    [TestCase("0")]
    [TestCase("-12.50")]
    [TestCase("79228162514264337593543950335")]
    [TestCase("0.0000000000000000000000000001")]
    [TestCase("\"plain text, with punctuation: yes\"")]
    [TestCase("[]")]
    [TestCase("{}")]
    [TestCase("[1,2.50,\"a\",null,true,[[]],{\"x\":{}}]")]
    [TestCase("{\"a\":1.50,\"b\":[true,null,\"x\"],\"c\":{\"d\":-3},\"A\":2}")]
    public void Json_round_trips_through_runtime_values(string json)
    {
        var fromElement = Json(json);
        var node = JsonNode.Parse(json);
        var fromNode = ExpressionValues.FromJsonNode(node);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ExpressionValues.ToJsonNode(fromElement)?.ToJsonString() ?? "null", Is.EqualTo(json));
            Assert.That(ExpressionValues.ToJsonNode(fromNode)?.ToJsonString() ?? "null", Is.EqualTo(json));
            Assert.That(ExpressionValues.AreEqual(fromElement, fromNode), Is.True);
        }
    }

    [Test]
    public void FromJson_produces_runtime_types()
    {
        var value = Json("""{"n": 1.50, "s": "x", "b": true, "l": [1], "o": {"K": 1, "k": 2}, "z": null}""");
        Assert.That(value, Is.TypeOf<Dictionary<string, object?>>());
        var dict = (Dictionary<string, object?>)value!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(dict["n"], Is.TypeOf<decimal>().And.EqualTo(1.50m));
            Assert.That(((decimal)dict["n"]!).Scale, Is.EqualTo(2));
            Assert.That(dict["s"], Is.EqualTo("x"));
            Assert.That(dict["b"], Is.EqualTo(true));
            Assert.That(dict["l"], Is.TypeOf<List<object?>>());
            Assert.That(dict["z"], Is.Null);
            var inner = (Dictionary<string, object?>)dict["o"]!;
            Assert.That(inner.Comparer, Is.SameAs(StringComparer.Ordinal));
            Assert.That(inner["K"], Is.EqualTo(1m));
            Assert.That(inner["k"], Is.EqualTo(2m));
        }
    }

    [TestCase("1e400")]
    [TestCase("-1e29")]
    [TestCase("79228162514264337593543950336")]
    [TestCase("[1, 2, 1e100]")]
    public void Numbers_outside_decimal_range_are_rejected(string json)
    {
        Assert.Throws<FormatException>(() => Json(json));
        Assert.Throws<FormatException>(() => ExpressionValues.FromJsonNode(JsonNode.Parse(json)));
    }

    [Test]
    public void FromJsonNode_handles_clr_backed_values()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ExpressionValues.FromJsonNode(JsonValue.Create(42)), Is.EqualTo(42m));
            Assert.That(ExpressionValues.FromJsonNode(JsonValue.Create(42L)), Is.TypeOf<decimal>());
            Assert.That(ExpressionValues.FromJsonNode(JsonValue.Create(0.1d)), Is.EqualTo(0.1m));
            Assert.That(ExpressionValues.FromJsonNode(JsonValue.Create(1.25m)), Is.EqualTo(1.25m));
            Assert.That(ExpressionValues.FromJsonNode(JsonValue.Create("s")), Is.EqualTo("s"));
            Assert.That(ExpressionValues.FromJsonNode(JsonValue.Create(true)), Is.EqualTo(true));
            Assert.That(ExpressionValues.FromJsonNode(null), Is.Null);
            Assert.That(ExpressionValues.FromJsonNode(new JsonArray(1, "a", null)), Is.EqualTo(new object?[] { 1m, "a", null }));
            Assert.Throws<FormatException>(() => ExpressionValues.FromJsonNode(JsonValue.Create(1e300)));
        }
    }

    [Test]
    public void Strings_that_look_like_dates_stay_strings()
    {
        Assert.That(Json("\"2026-01-31T00:00:00Z\""), Is.EqualTo("2026-01-31T00:00:00Z"));
        Assert.That(ExpressionValues.FromJsonNode(JsonNode.Parse("\"2026-01-31T00:00:00Z\"")), Is.EqualTo("2026-01-31T00:00:00Z"));
    }

    [Test]
    public void Dates_round_trip_through_json_nodes()
    {
        var date = new DateTimeOffset(2026, 1, 31, 9, 30, 0, TimeSpan.FromHours(2));
        var node = ExpressionValues.ToJsonNode(date);
        Assert.That(node!.ToJsonString(), Is.EqualTo("\"2026-01-31T09:30:00+02:00\""));
        Assert.That(ExpressionValues.FromJsonNode(node), Is.EqualTo(date));
    }

    [Test]
    public void Evaluation_results_convert_to_json()
    {
        var result = Eval("[amount * 2, name + '!', flag, nothing, account.owner, date('2026-01-31')]");
        Assert.That(ExpressionValues.ToJsonNode(result)!.ToJsonString(),
            Is.EqualTo("[3001.00,\"Alice!\",true,null,{\"name\":\"Bob\"},\"2026-01-31T00:00:00+00:00\"]"));
    }

    [Test]
    public void ToJsonNode_rejects_unsupported_values()
    {
        Assert.Throws<ArgumentException>(() => ExpressionValues.ToJsonNode(new Uri("http://x")));
        Assert.Throws<ArgumentException>(() => ExpressionValues.ToJsonNode(new List<object?> { new object() }));
        Assert.That(ExpressionValues.ToJsonNode(5)!.ToJsonString(), Is.EqualTo("5"));
    }

    [Test]
    public void Deeply_nested_json_is_rejected_instead_of_overflowing_the_stack()
    {
        var node = JsonNode.Parse("1");
        for (var i = 0; i < 500; i++)
        {
            node = new JsonArray(node);
        }

        Assert.Throws<FormatException>(() => ExpressionValues.FromJsonNode(node));

        var cyclic = new List<object?>();
        cyclic.Add(cyclic);
        Assert.Throws<ArgumentException>(() => ExpressionValues.ToJsonNode(cyclic));
    }

    [TestCase(null, ExpressionType.Null)]
    [TestCase(true, ExpressionType.Boolean)]
    [TestCase(1, ExpressionType.Number)]
    [TestCase(1.5d, ExpressionType.Number)]
    [TestCase("s", ExpressionType.String)]
    public void TypeOf_primitives(object? value, ExpressionType expected) =>
        Assert.That(ExpressionValues.TypeOf(value), Is.EqualTo(expected));

    [Test]
    public void TypeOf_structured_values()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ExpressionValues.TypeOf(1.5m), Is.EqualTo(ExpressionType.Number));
            Assert.That(ExpressionValues.TypeOf(DateTimeOffset.UnixEpoch), Is.EqualTo(ExpressionType.DateTime));
            Assert.That(ExpressionValues.TypeOf(new List<object?>()), Is.EqualTo(ExpressionType.List));
            Assert.That(ExpressionValues.TypeOf(StringArray), Is.EqualTo(ExpressionType.List));
            Assert.That(ExpressionValues.TypeOf(new Dictionary<string, object?>()), Is.EqualTo(ExpressionType.Object));
            Assert.That(ExpressionValues.TypeOf(Json("{}")), Is.EqualTo(ExpressionType.Object));
            Assert.That(ExpressionValues.TypeOf(new object()), Is.EqualTo(ExpressionType.Any));
        }
    }

    private static readonly string[] StringArray = ["a"];

    [TestCase("1", "1.0", true)]
    [TestCase("1", "1.000", true)]
    [TestCase("0", "-0", true)]
    [TestCase("1", "\"1\"", false)]
    [TestCase("\"a\"", "\"A\"", false)]
    [TestCase("null", "null", true)]
    [TestCase("null", "0", false)]
    [TestCase("null", "false", false)]
    [TestCase("false", "0", false)]
    [TestCase("[1, 2]", "[1.0, 2.00]", true)]
    [TestCase("[1, 2]", "[1, 2, 3]", false)]
    [TestCase("[]", "{}", false)]
    [TestCase("{\"a\": 1, \"b\": [1]}", "{\"b\": [1.0], \"a\": 1}", true)]
    [TestCase("{\"a\": 1}", "{\"A\": 1}", false)]
    [TestCase("{\"a\": null}", "{}", false)]
    public void AreEqual_is_structural(string a, string b, bool expected)
    {
        Assert.That(ExpressionValues.AreEqual(Json(a), Json(b)), Is.EqualTo(expected));
        Assert.That(ExpressionValues.AreEqual(Json(b), Json(a)), Is.EqualTo(expected));
    }

    [Test]
    public void AreEqual_handles_clr_values_and_dates()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(ExpressionValues.AreEqual(1, 1.0m), Is.True);
            Assert.That(ExpressionValues.AreEqual(new List<object?> { 1, "a" }, Json("[1, \"a\"]")), Is.True);
            Assert.That(ExpressionValues.AreEqual(
                new DateTimeOffset(2026, 1, 1, 2, 0, 0, TimeSpan.FromHours(2)),
                new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)), Is.True);
        }
    }
}
