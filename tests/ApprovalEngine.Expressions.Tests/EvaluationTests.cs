using ApprovalEngine.Expressions;
using static ApprovalEngine.Expressions.Tests.Expr;

namespace ApprovalEngine.Expressions.Tests;

public class EvaluationTests
{
    [TestCase("1 + 2 * 3", "7")]
    [TestCase("(1 + 2) * 3", "9")]
    [TestCase("10 - 4 - 3", "3")]
    [TestCase("2 - 3 + 4", "3")]
    [TestCase("100 / 10 / 5", "2")]
    [TestCase("2 * 3 % 4", "2")]
    [TestCase("1 - 2 * 3 + 10 % 4 / 2", "-4")]
    [TestCase("-2 * 3", "-6")]
    [TestCase("-(2 + 3)", "-5")]
    [TestCase("-2 - -3", "1")]
    [TestCase("- -2", "2")]
    [TestCase("!false && false", "false")]
    [TestCase("not false and false", "false")]
    [TestCase("not true or true", "true")]
    [TestCase("true || false && false", "true")]
    [TestCase("false && true || true", "true")]
    [TestCase("true or false and false", "true")]
    [TestCase("1 + 1 == 2", "true")]
    [TestCase("1 < 2 == true", "true")]
    [TestCase("2 > 1 != false", "true")]
    [TestCase("2 in [1, 2] == true", "true")]
    [TestCase("1 + 1 in [2]", "true")]
    [TestCase("1 + 1 in [1 + 1]", "true")]
    [TestCase("'b' + 'c' in 'abcd'", "true")]
    [TestCase("null ?? 1 + 1", "2")]
    [TestCase("1 ?? false || true", "1")]
    [TestCase("null ?? null ?? 3", "3")]
    [TestCase("false ?? true ? 'y' : 'n'", "\"n\"")]
    [TestCase("true ? 1 : 2 ?? 3", "1")]
    [TestCase("false ? 1 : null ?? 3", "3")]
    [TestCase("true ? false ? 1 : 2 : 3", "2")]
    [TestCase("false ? 1 : true ? 2 : 3", "2")]
    [TestCase("false ? 1 : false ? 2 : 3", "3")]
    [TestCase("1 < 2 && 2 < 3", "true")]
    [TestCase("'a' + 1 + 2", "\"a12\"")]
    [TestCase("1 + 2 + 'a'", "\"3a\"")]
    [TestCase("-account.freeMargin", "-250.75")]
    [TestCase("!nothing == false", "false")]
    public void Precedence_and_associativity(string source, string expected) => AssertValue(Eval(source), expected);

    [TestCase("7 + 3", "10")]
    [TestCase("7 - 10", "-3")]
    [TestCase("7 * 3", "21")]
    [TestCase("7 / 2", "3.5")]
    [TestCase("1 / 3 * 3", "0.9999999999999999999999999999")]
    [TestCase("7 % 3", "1")]
    [TestCase("-7 % 3", "-1")]
    [TestCase("7.5 % 2", "1.5")]
    [TestCase("amount - fee", "1498")]
    [TestCase("12.50 * 2", "25")]
    [TestCase("'a' + 'b'", "\"ab\"")]
    [TestCase("'n=' + 12.50", "\"n=12.50\"")]
    [TestCase("'b=' + true", "\"b=true\"")]
    [TestCase("'x' + null", "\"x\"")]
    [TestCase("null + 'x'", "\"x\"")]
    [TestCase("'l=' + [1, 'a']", "\"l=[1,\\\"a\\\"]\"")]
    [TestCase("'o=' + account.owner", "\"o={\\\"name\\\":\\\"Bob\\\"}\"")]
    [TestCase("1 == 1.0", "true")]
    [TestCase("1 != 1.00", "false")]
    [TestCase("'a' == 'a'", "true")]
    [TestCase("'a' == 'A'", "false")]
    [TestCase("1 == '1'", "false")]
    [TestCase("1 != '1'", "true")]
    [TestCase("true == 1", "false")]
    [TestCase("[1, 2] == [1, 2.0]", "true")]
    [TestCase("[1, 2] == [2, 1]", "false")]
    [TestCase("[1, [2]] == [1, [2]]", "true")]
    [TestCase("account.owner == account.owner", "true")]
    [TestCase("list == [1, 2, 3]", "true")]
    [TestCase("1 < 2", "true")]
    [TestCase("2 < 2", "false")]
    [TestCase("2 <= 2", "true")]
    [TestCase("3 <= 2", "false")]
    [TestCase("3 > 2", "true")]
    [TestCase("2 > 2", "false")]
    [TestCase("2 >= 2", "true")]
    [TestCase("1 >= 2", "false")]
    [TestCase("'apple' < 'banana'", "true")]
    [TestCase("'B' < 'a'", "true")]
    [TestCase("true && true", "true")]
    [TestCase("true && false", "false")]
    [TestCase("false || true", "true")]
    [TestCase("false || false", "false")]
    [TestCase("!true", "false")]
    [TestCase("not false", "true")]
    [TestCase("2 in list", "true")]
    [TestCase("2.0 in list", "true")]
    [TestCase("5 in list", "false")]
    [TestCase("5 not in list", "true")]
    [TestCase("2 not in list", "false")]
    [TestCase("'lic' in name", "true")]
    [TestCase("'LIC' in name", "false")]
    [TestCase("'' in name", "true")]
    [TestCase("'currency' in account", "true")]
    [TestCase("'missing' in account", "false")]
    [TestCase("[1] in [[1], [2]]", "true")]
    [TestCase("null in [1, null]", "true")]
    [TestCase("hasOpenTrades && marginLevel >= 100", "true")]
    [TestCase("[1, 'a', true, null]", "[1, \"a\", true, null]")]
    [TestCase("[]", "[]")]
    [TestCase("[amount, [fee]]", "[1500.50, [2.5]]")]
    public void Operators(string source, string expected) => AssertValue(Eval(source), expected);

    [TestCase("account.freeMargin", "250.75")]
    [TestCase("account.owner.name", "\"Bob\"")]
    [TestCase("account['currency']", "\"EUR\"")]
    [TestCase("account['owner']['name']", "\"Bob\"")]
    [TestCase("account.in", "1")]
    [TestCase("list[0]", "1")]
    [TestCase("list[2]", "3")]
    [TestCase("list[3]", "null")]
    [TestCase("list[-1]", "null")]
    [TestCase("list[1 + 1]", "3")]
    [TestCase("[10, 20][1]", "20")]
    [TestCase("names[0] + names[1]", "\"ab\"")]
    [TestCase("account.missing", "null")]
    [TestCase("account.missing.deeper", "null")]
    [TestCase("nothing.x", "null")]
    [TestCase("nothing[0]", "null")]
    [TestCase("list[nothing]", "null")]
    [TestCase("unknownVariable", "null")]
    [TestCase("unknownVariable.x.y[3]", "null")]
    [TestCase("account['nope']", "null")]
    public void Member_access_and_indexing_are_null_safe(string source, string expected) => AssertValue(Eval(source), expected);

    [TestCase("nothing + 1", "null")]
    [TestCase("1 - nothing", "null")]
    [TestCase("nothing * 2", "null")]
    [TestCase("nothing / 0", "null")]
    [TestCase("nothing % 2", "null")]
    [TestCase("-nothing", "null")]
    [TestCase("nothing == null", "true")]
    [TestCase("null == null", "true")]
    [TestCase("nothing != null", "false")]
    [TestCase("zero == null", "false")]
    [TestCase("empty == null", "false")]
    [TestCase("nothing < 1", "false")]
    [TestCase("nothing > 1", "false")]
    [TestCase("nothing <= 1", "false")]
    [TestCase("nothing >= 1", "false")]
    [TestCase("1 < nothing", "false")]
    [TestCase("null >= null", "false")]
    [TestCase("!nothing", "true")]
    [TestCase("not null", "true")]
    [TestCase("nothing && true", "false")]
    [TestCase("true && nothing", "false")]
    [TestCase("nothing || true", "true")]
    [TestCase("nothing || false", "false")]
    [TestCase("nothing ? 1 : 2", "2")]
    [TestCase("nothing ?? 'default'", "\"default\"")]
    [TestCase("0 ?? 5", "0")]
    [TestCase("false ?? true", "false")]
    [TestCase("'' ?? 'x'", "\"\"")]
    [TestCase("1 in nothing", "false")]
    [TestCase("1 not in nothing", "true")]
    [TestCase("nothing in 'abc'", "false")]
    [TestCase("nothing in list", "false")]
    public void Null_semantics(string source, string expected) => AssertValue(Eval(source), expected);

    [TestCase("0.1 + 0.2 == 0.3", true)]
    [TestCase("0.1 + 0.2", "0.3")]
    [TestCase("1.10 + 2.20", "3.30")]
    [TestCase("100.00 * 1.075", "107.50000")]
    [TestCase("10 / 4", "2.5")]
    [TestCase("0.3 - 0.1", "0.2")]
    public void Decimal_precision(string source, object expected)
    {
        var result = Eval(source);
        if (expected is bool b)
        {
            Assert.That(result, Is.EqualTo(b));
        }
        else
        {
            Assert.That(result, Is.TypeOf<decimal>());
            Assert.That(((decimal)result!).ToString(System.Globalization.CultureInfo.InvariantCulture), Is.EqualTo((string)expected));
        }
    }

    [Test]
    public void Numbers_are_always_decimal()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(Eval("12"), Is.TypeOf<decimal>());
            Assert.That(Eval("12.50"), Is.EqualTo(12.50m));
            Assert.That(Eval("-0.5"), Is.EqualTo(-0.5m));
            Assert.That(Eval("79228162514264337593543950335"), Is.EqualTo(decimal.MaxValue));
            Assert.That(Eval("-79228162514264337593543950335"), Is.EqualTo(decimal.MinValue));
            Assert.That(Eval("0.0000000000000000000000000001"), Is.EqualTo(0.0000000000000000000000000001m));
        }
    }

    [TestCase("max + 1", "number too large")]
    [TestCase("max * 2", "number too large")]
    [TestCase("-max - 1", "number too large")]
    [TestCase("max / 0.5", "number too large")]
    [TestCase("79228162514264337593543950335 * 10", "number too large")]
    [TestCase("1 / 0", "Division by zero")]
    [TestCase("1 / zero", "Division by zero")]
    [TestCase("1 % 0", "Division by zero")]
    [TestCase("1 / 0.0", "Division by zero")]
    [TestCase("'a' * 2", "Operator '*' cannot be applied to a String and a Number")]
    [TestCase("'a' - 'b'", "Operator '-' cannot be applied")]
    [TestCase("true + 1", "Operator '+' cannot be applied to a Boolean and a Number")]
    [TestCase("[1] + [2]", "Operator '+' cannot be applied")]
    [TestCase("1 < 'a'", "Cannot compare a Number with a String")]
    [TestCase("name > 5", "Cannot compare a String with a Number")]
    [TestCase("true < false", "Cannot compare a Boolean with a Boolean")]
    [TestCase("list < list", "Cannot compare")]
    [TestCase("!5", "expected a boolean but got a Number")]
    [TestCase("not 'x'", "expected a boolean but got a String")]
    [TestCase("5 && true", "Operator '&&' expected a boolean")]
    [TestCase("false || 'x'", "Operator '||' expected a boolean")]
    [TestCase("5 ? 1 : 2", "expected a boolean")]
    [TestCase("-'a'", "Operator '-' expected a number")]
    [TestCase("list.count", "Cannot read field 'count' of a List")]
    [TestCase("name.length", "Cannot read field 'length' of a String")]
    [TestCase("5[0]", "Cannot index into a Number")]
    [TestCase("name[0]", "Cannot index into a String")]
    [TestCase("list['a']", "A list index must be a number")]
    [TestCase("list[0.5]", "whole number")]
    [TestCase("account[1]", "An object key must be text")]
    [TestCase("1 in 5", "The right side of 'in' must be a list, text or object")]
    [TestCase("1 in 'abc'", "needs text on the left")]
    [TestCase("1 in account", "needs a text key")]
    public void Runtime_errors_are_ExpressionEvaluationException(string source, string fragment)
    {
        var ex = RuntimeError(source);
        Assert.That(ex.Message, Does.Contain(fragment));
    }

    [Test]
    public void Runtime_error_messages_carry_the_position()
    {
        var ex = RuntimeError("amount + 1 / zero");
        Assert.That(ex.Message, Is.EqualTo("Division by zero at 11"));
    }

    [TestCase("false && 1 / 0", false)]
    [TestCase("true || 1 / 0", true)]
    [TestCase("false and (5 > 'x')", false)]
    [TestCase("flag ? true : 1 / 0", true)]
    [TestCase("off ? 1 / 0 : false", false)]
    [TestCase("true ?? 1 / 0", true)]
    [TestCase("coalesce(true, 1 / 0)", true)]
    public void Short_circuit_operators_do_not_evaluate_the_rest(string source, bool expected) =>
        Assert.That(Eval(source), Is.EqualTo(expected));

    [Test]
    public void Logical_operators_return_booleans_not_operands()
    {
        Assert.That(Eval("true && true"), Is.SameAs(Eval("1 == 1")));
        Assert.That(Eval("nothing || nothing"), Is.EqualTo(false));
    }

    [TestCase("flag", true)]
    [TestCase("off", false)]
    [TestCase("nothing", false)]
    [TestCase("unknownVariable", false)]
    [TestCase("amount > 1000", true)]
    public void EvaluateBoolean_truthiness(string source, bool expected) =>
        Assert.That(CompiledExpression.Parse(source).EvaluateBoolean(Scope()), Is.EqualTo(expected));

    [TestCase("1")]
    [TestCase("'true'")]
    [TestCase("list")]
    [TestCase("account")]
    public void EvaluateBoolean_rejects_non_booleans(string source)
    {
        var ex = Assert.Throws<ExpressionEvaluationException>(() => CompiledExpression.Parse(source).EvaluateBoolean(Scope()));
        Assert.That(ex!.Message, Does.Contain("expected a boolean"));
    }

    [Test]
    public void Host_values_of_other_clr_types_are_normalized()
    {
        var scope = Scope(new Dictionary<string, object?>
        {
            ["i"] = 5,
            ["l"] = 6L,
            ["d"] = 0.25d,
            ["c"] = 'x',
            ["dt"] = new DateTime(2026, 1, 1, 0, 0, 0, DateTimeKind.Utc),
            ["strings"] = new List<string> { "a", "b" },
            ["ints"] = Ints,
            ["map"] = new Dictionary<string, int> { ["k"] = 7 },
            ["objects"] = new List<object?> { 1, 2.5f, null },
        });
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CompiledExpression.Parse("i + l + d").Evaluate(scope), Is.EqualTo(11.25m));
            Assert.That(CompiledExpression.Parse("c + 'y'").Evaluate(scope), Is.EqualTo("xy"));
            Assert.That(CompiledExpression.Parse("dt < date('2026-01-02')").Evaluate(scope), Is.EqualTo(true));
            Assert.That(CompiledExpression.Parse("'b' in strings").Evaluate(scope), Is.EqualTo(true));
            Assert.That(CompiledExpression.Parse("sum(ints) + ints[2]").Evaluate(scope), Is.EqualTo(9m));
            Assert.That(CompiledExpression.Parse("map.k * 2").Evaluate(scope), Is.EqualTo(14m));
            Assert.That(CompiledExpression.Parse("sum(objects)").Evaluate(scope), Is.EqualTo(3.5m));
            Assert.That(CompiledExpression.Parse("objects[0] == 1").Evaluate(scope), Is.EqualTo(true));
        }
    }

    [Test]
    public void Unsupported_host_values_and_failing_scopes_become_ExpressionEvaluationException()
    {
        var scope = Scope(new Dictionary<string, object?> { ["weird"] = new Uri("http://x"), ["nan"] = double.NaN });
        Assert.Throws<ExpressionEvaluationException>(() => CompiledExpression.Parse("weird").Evaluate(scope));
        Assert.Throws<ExpressionEvaluationException>(() => CompiledExpression.Parse("nan + 1").Evaluate(scope));
        Assert.Throws<ExpressionEvaluationException>(() => CompiledExpression.Parse("x").Evaluate(new ThrowingScope()));
    }

    [Test]
    public void Evaluation_does_not_allocate_for_typical_guards()
    {
        var guard = CompiledExpression.Parse("hasOpenTrades && marginLevel >= 100 && account.currency in ['EUR', 'USD'] && !off");
        var scope = Scope();
        for (var i = 0; i < 1000; i++)
        {
            guard.EvaluateBoolean(scope);
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        var result = false;
        for (var i = 0; i < 10_000; i++)
        {
            result = guard.EvaluateBoolean(scope);
        }

        var allocated = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.That(result, Is.True);
        Assert.That(allocated, Is.Zero);
    }

    private static readonly int[] Ints = [1, 2, 3];

    private sealed class ThrowingScope : IExpressionScope
    {
        public DateTimeOffset Now => Expr.Now;

        public bool TryGetValue(string name, out object? value) => throw new InvalidOperationException("database down");
    }
}
