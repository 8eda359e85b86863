using ApprovalEngine.Expressions;
using static ApprovalEngine.Expressions.Tests.Expr;

namespace ApprovalEngine.Expressions.Tests;

public class FunctionTests
{
    [TestCase("len('abc')", "3")]
    [TestCase("len('')", "0")]
    [TestCase("len(list)", "3")]
    [TestCase("len([])", "0")]
    [TestCase("len(account)", "4")]
    [TestCase("len(nothing)", "0")]
    [TestCase("lower('AbC')", "\"abc\"")]
    [TestCase("lower(nothing)", "null")]
    [TestCase("upper('AbC')", "\"ABC\"")]
    [TestCase("upper(nothing)", "null")]
    [TestCase("trim('  a b \\t')", "\"a b\"")]
    [TestCase("trim(nothing)", "null")]
    [TestCase("contains('hello', 'ell')", "true")]
    [TestCase("contains('hello', 'ELL')", "false")]
    [TestCase("contains('hello', nothing)", "false")]
    [TestCase("contains(list, 2)", "true")]
    [TestCase("contains(list, 2.00)", "true")]
    [TestCase("contains(list, '2')", "false")]
    [TestCase("contains(nothing, 2)", "false")]
    [TestCase("contains([[1, 2]], [1, 2])", "true")]
    [TestCase("startsWith('hello', 'he')", "true")]
    [TestCase("startsWith('hello', 'lo')", "false")]
    [TestCase("startsWith(nothing, 'x')", "false")]
    [TestCase("startsWith('x', nothing)", "false")]
    [TestCase("endsWith('hello', 'lo')", "true")]
    [TestCase("endsWith('hello', 'he')", "false")]
    [TestCase("endsWith(nothing, 'x')", "false")]
    [TestCase("isEmpty(nothing)", "true")]
    [TestCase("isEmpty('')", "true")]
    [TestCase("isEmpty(' ')", "false")]
    [TestCase("isEmpty([])", "true")]
    [TestCase("isEmpty(list)", "false")]
    [TestCase("isEmpty(account.owner)", "false")]
    [TestCase("isEmpty(0)", "false")]
    [TestCase("isEmpty(false)", "false")]
    [TestCase("coalesce(nothing, null, 3, 4)", "3")]
    [TestCase("coalesce(nothing)", "null")]
    [TestCase("coalesce(false, true)", "false")]
    [TestCase("round(2.5)", "3")]
    [TestCase("round(-2.5)", "-3")]
    [TestCase("round(3.5)", "4")]
    [TestCase("round(2.4)", "2")]
    [TestCase("round(1.005, 2)", "1.01")]
    [TestCase("round(1.2345, 3)", "1.235")]
    [TestCase("round(-1.2345, 3)", "-1.235")]
    [TestCase("round(12, 2)", "12")]
    [TestCase("round(nothing, 2)", "null")]
    [TestCase("floor(1.7)", "1")]
    [TestCase("floor(-1.5)", "-2")]
    [TestCase("floor(nothing)", "null")]
    [TestCase("ceil(1.2)", "2")]
    [TestCase("ceil(-1.5)", "-1")]
    [TestCase("ceil(nothing)", "null")]
    [TestCase("abs(-3.5)", "3.5")]
    [TestCase("abs(3)", "3")]
    [TestCase("abs(nothing)", "null")]
    [TestCase("min(3, 1, 2)", "1")]
    [TestCase("min(5)", "5")]
    [TestCase("min(list)", "1")]
    [TestCase("min([])", "null")]
    [TestCase("min(nothing, 4, null, 2)", "2")]
    [TestCase("min('b', 'a')", "\"a\"")]
    [TestCase("max(3, 1, 2)", "3")]
    [TestCase("max(list)", "3")]
    [TestCase("max(-1, -2.5)", "-1")]
    [TestCase("max(nothing)", "null")]
    [TestCase("sum(list)", "6")]
    [TestCase("sum([0.1, 0.2, null])", "0.3")]
    [TestCase("sum([])", "0")]
    [TestCase("sum(nothing)", "0")]
    [TestCase("count(list)", "3")]
    [TestCase("count([null, null])", "2")]
    [TestCase("count([])", "0")]
    [TestCase("count(nothing)", "0")]
    [TestCase("any(bools)", "true")]
    [TestCase("any([false, null])", "false")]
    [TestCase("any([])", "false")]
    [TestCase("any(nothing)", "false")]
    [TestCase("all(bools)", "false")]
    [TestCase("all([true, true])", "true")]
    [TestCase("all([true, null])", "false")]
    [TestCase("all([])", "true")]
    [TestCase("all(nothing)", "false")]
    [TestCase("any([amount > 1000, false])", "true")]
    [TestCase("number('12.50')", "12.50")]
    [TestCase("number(' -3 ')", "-3")]
    [TestCase("number('0.1') + number('0.2') == 0.3", "true")]
    [TestCase("number(7)", "7")]
    [TestCase("number(nothing)", "null")]
    [TestCase("string(12.50)", "\"12.50\"")]
    [TestCase("string(-3)", "\"-3\"")]
    [TestCase("string(true)", "\"true\"")]
    [TestCase("string('x')", "\"x\"")]
    [TestCase("string(nothing)", "null")]
    [TestCase("string([1, 'a', null])", "\"[1,\\\"a\\\",null]\"")]
    [TestCase("string(account.owner)", "\"{\\\"name\\\":\\\"Bob\\\"}\"")]
    [TestCase("string(date('2026-01-31'))", "\"2026-01-31T00:00:00Z\"")]
    [TestCase("string(date('2026-01-31T09:30:00.5+02:00'))", "\"2026-01-31T09:30:00.5+02:00\"")]
    [TestCase("daysBetween(date('2026-01-01'), date('2026-01-31'))", "30")]
    [TestCase("daysBetween(date('2026-01-31'), date('2026-01-01'))", "-30")]
    [TestCase("daysBetween(date('2026-01-01'), date('2026-01-01T12:00:00Z'))", "0.5")]
    [TestCase("daysBetween(date('2026-01-01T00:00:00+02:00'), date('2026-01-01T00:00:00Z'))", "0.0833333333333333333333333333")]
    [TestCase("daysBetween(nothing, now())", "null")]
    [TestCase("daysBetween(date('2026-01-01'), now())", "30.5")]
    [TestCase("addDays(date('2026-01-31'), 1) == date('2026-02-01')", "true")]
    [TestCase("addDays(date('2026-03-01'), -1) == date('2026-02-28')", "true")]
    [TestCase("addDays(date('2026-01-01'), 0.5) == date('2026-01-01T12:00:00Z')", "true")]
    [TestCase("addDays(nothing, 1)", "null")]
    [TestCase("addDays(now(), nothing)", "null")]
    [TestCase("addHours(date('2026-01-01'), 36) == date('2026-01-02T12:00Z')", "true")]
    [TestCase("addHours(date('2026-01-01'), -0.25) == date('2025-12-31T23:45:00Z')", "true")]
    [TestCase("addHours(nothing, 1)", "null")]
    [TestCase("date(nothing)", "null")]
    [TestCase("date('2026-01-31') < date('2026-02-01')", "true")]
    [TestCase("date('2026-01-31') > date('2026-02-01')", "false")]
    [TestCase("date('2026-01-31T02:00:00+02:00') == date('2026-01-31T00:00:00Z')", "true")]
    [TestCase("date('2026-01-31 10:00:00') == date('2026-01-31T10:00:00Z')", "true")]
    [TestCase("date(date('2026-01-31')) == date('2026-01-31')", "true")]
    [TestCase("now() > date('2026-01-31')", "true")]
    [TestCase("now() <= addHours(date('2026-01-31'), 12)", "true")]
    [TestCase("min(date('2026-02-01'), date('2026-01-01')) == date('2026-01-01')", "true")]
    [TestCase("max(date('2026-02-01'), date('2026-01-01')) == date('2026-02-01')", "true")]
    public void Functions(string source, string expected) => AssertValue(Eval(source), expected);

    [Test]
    public void Date_functions_return_DateTimeOffset_and_now_comes_from_the_scope()
    {
        var now = new DateTimeOffset(2030, 5, 6, 7, 8, 9, TimeSpan.FromHours(3));
        var scope = new TestScope(Vars("{}"), now);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CompiledExpression.Parse("now()").Evaluate(scope), Is.EqualTo(now));
            Assert.That(CompiledExpression.Parse("date('2026-01-31T00:00:00Z')").Evaluate(scope),
                Is.EqualTo(new DateTimeOffset(2026, 1, 31, 0, 0, 0, TimeSpan.Zero)));
            Assert.That(((DateTimeOffset)CompiledExpression.Parse("date('2026-01-31T09:00:00+02:00')").Evaluate(scope)!).Offset,
                Is.EqualTo(TimeSpan.FromHours(2)));
            Assert.That(CompiledExpression.Parse("addDays(now(), 1)").Evaluate(scope), Is.EqualTo(now.AddDays(1)));
        }
    }

    [TestCase("len(5)", "Function 'len' expects text, a list or an object as argument 1 but got a Number")]
    [TestCase("lower(5)", "Function 'lower' expects text")]
    [TestCase("upper(true)", "Function 'upper' expects text")]
    [TestCase("trim(list)", "Function 'trim' expects text")]
    [TestCase("contains(5, 1)", "Function 'contains' expects text or a list")]
    [TestCase("contains('abc', 1)", "Function 'contains' expects text (when searching text) as argument 2")]
    [TestCase("startsWith(5, 'a')", "Function 'startsWith' expects text as argument 1")]
    [TestCase("endsWith('a', 5)", "Function 'endsWith' expects text as argument 2")]
    [TestCase("round('a')", "Function 'round' expects a number")]
    [TestCase("round(1.5, -1)", "whole number of digits from 0 to 28")]
    [TestCase("round(1.5, 29)", "whole number of digits from 0 to 28")]
    [TestCase("round(1.5, 1.5)", "whole number of digits from 0 to 28")]
    [TestCase("floor('a')", "Function 'floor' expects a number")]
    [TestCase("ceil(true)", "Function 'ceil' expects a number")]
    [TestCase("abs(list)", "Function 'abs' expects a number")]
    [TestCase("min(1, 'a')", "Cannot compare")]
    [TestCase("max(true, false)", "expects numbers, texts or dates")]
    [TestCase("max([1, [2]])", "expects numbers, texts or dates")]
    [TestCase("sum(5)", "Function 'sum' expects a list")]
    [TestCase("sum([1, 'a'])", "element 1 is a String")]
    [TestCase("sum([max, 1])", "number too large")]
    [TestCase("count('abc')", "Function 'count' expects a list")]
    [TestCase("any([1])", "expected a boolean")]
    [TestCase("all(['x'])", "expected a boolean")]
    [TestCase("any('x')", "Function 'any' expects a list")]
    [TestCase("date('31/01/2026')", "cannot read '31/01/2026' as a date")]
    [TestCase("date('2026-02-30')", "cannot read")]
    [TestCase("date(5)", "Function 'date' expects text")]
    [TestCase("addDays('2026-01-01', 1)", "Function 'addDays' expects a date as argument 1")]
    [TestCase("addDays(now(), 'x')", "Function 'addDays' expects a number as argument 2")]
    [TestCase("addDays(now(), 100000000)", "outside the supported range")]
    [TestCase("addHours(now(), max)", "outside the supported range")]
    [TestCase("daysBetween(now(), 5)", "Function 'daysBetween' expects a date as argument 2")]
    [TestCase("number('abc')", "cannot read 'abc' as a number")]
    [TestCase("number('1,000')", "cannot read")]
    [TestCase("number('1e3')", "cannot read")]
    [TestCase("number('99999999999999999999999999999999')", "cannot read")]
    [TestCase("number(true)", "Function 'number' expects text or a number")]
    public void Function_errors(string source, string fragment)
    {
        var ex = RuntimeError(source);
        Assert.That(ex.Message, Does.Contain(fragment));
    }

    [Test]
    public void Function_list_is_complete_and_documented()
    {
        var names = ExpressionFunctions.All.Select(f => f.Name).ToArray();
        Assert.That(names, Is.EquivalentTo(AllNames));
        Assert.That(ExpressionFunctions.All, Has.All.Matches<FunctionDescriptor>(f =>
            f!.Signature.StartsWith(f.Name + "(", StringComparison.Ordinal) && f.Description.Length > 10 && f.MinArguments <= f.MaxArguments));
    }

    private static readonly string[] AllNames =
        [
            "len", "lower", "upper", "trim", "contains", "startsWith", "endsWith", "isEmpty", "coalesce", "round", "floor", "ceil",
            "abs", "min", "max", "sum", "count", "any", "all", "now", "date", "addDays", "addHours", "daysBetween", "number", "string",
        ];

    [Test]
    public void Every_listed_function_can_be_called_with_nulls_without_crashing()
    {
        foreach (var f in ExpressionFunctions.All)
        {
            var args = string.Join(", ", Enumerable.Repeat("nothing", f.MinArguments));
            var source = $"{f.Name}({args})";
            Assert.DoesNotThrow(() => Eval(source), source);
        }
    }
}
