using ApprovalEngine.Expressions;
using static ApprovalEngine.Expressions.Tests.Expr;
using T = ApprovalEngine.Expressions.ExpressionType;

namespace ApprovalEngine.Expressions.Tests;

public class CheckTests
{
    private static readonly Dictionary<string, T> Declared = Types(
        ("amount", T.Number), ("fee", T.Number), ("name", T.String), ("flag", T.Boolean), ("when", T.DateTime),
        ("list", T.List), ("account", T.Object), ("data", T.Any), ("nothing", T.Null), ("hasOpenTrades", T.Boolean),
        ("marginLevel", T.Number), ("requestedAmount", T.Number));

    private static TypeCheckResult Check(string source) => CompiledExpression.Parse(source).Check(Declared);

    [TestCase("1", T.Number)]
    [TestCase("'a'", T.String)]
    [TestCase("true", T.Boolean)]
    [TestCase("null", T.Null)]
    [TestCase("[1, 2]", T.List)]
    [TestCase("[amount]", T.List)]
    [TestCase("amount", T.Number)]
    [TestCase("requestedAmount - fee", T.Number)]
    [TestCase("amount * 2 / 3 % 4", T.Number)]
    [TestCase("-amount", T.Number)]
    [TestCase("name + 1", T.String)]
    [TestCase("1 + name", T.String)]
    [TestCase("data + 1", T.Any)]
    [TestCase("data * 1", T.Number)]
    [TestCase("hasOpenTrades && marginLevel >= 100", T.Boolean)]
    [TestCase("flag || data", T.Boolean)]
    [TestCase("!flag", T.Boolean)]
    [TestCase("amount == data", T.Boolean)]
    [TestCase("amount in list", T.Boolean)]
    [TestCase("'x' in name", T.Boolean)]
    [TestCase("'k' in account", T.Boolean)]
    [TestCase("account.x", T.Any)]
    [TestCase("account['x']", T.Any)]
    [TestCase("list[0]", T.Any)]
    [TestCase("data.x.y[0]", T.Any)]
    [TestCase("nothing.x", T.Null)]
    [TestCase("flag ? 1 : 2", T.Number)]
    [TestCase("flag ? 1 : null", T.Number)]
    [TestCase("flag ? 1 : 'a'", T.Any)]
    [TestCase("nothing ?? 5", T.Number)]
    [TestCase("amount ?? 'x'", T.Any)]
    [TestCase("len(name)", T.Number)]
    [TestCase("lower(name)", T.String)]
    [TestCase("contains(list, 1)", T.Boolean)]
    [TestCase("isEmpty(data)", T.Boolean)]
    [TestCase("coalesce(nothing, amount)", T.Number)]
    [TestCase("coalesce(amount, name)", T.Any)]
    [TestCase("round(amount, 2)", T.Number)]
    [TestCase("min(amount, 1)", T.Number)]
    [TestCase("max(when, now())", T.DateTime)]
    [TestCase("min(list)", T.Any)]
    [TestCase("sum(list)", T.Number)]
    [TestCase("any(list)", T.Boolean)]
    [TestCase("now()", T.DateTime)]
    [TestCase("date('2026-01-01')", T.DateTime)]
    [TestCase("addDays(when, 1)", T.DateTime)]
    [TestCase("daysBetween(when, now())", T.Number)]
    [TestCase("number(name)", T.Number)]
    [TestCase("string(amount)", T.String)]
    [TestCase("when < now()", T.Boolean)]
    [TestCase("name < 'b'", T.Boolean)]
    public void Infers_types_without_errors(string source, T expected)
    {
        var result = Check(source);
        Assert.That(result.Errors, Is.Empty);
        Assert.That(result.Type, Is.EqualTo(expected));
        Assert.That(result.IsValid, Is.True);
    }

    [TestCase("amout > 5", 0, "Unknown variable 'amout' (did you mean 'amount'?)")]
    [TestCase("amount + frobnicator", 9, "Unknown variable 'frobnicator'")]
    [TestCase("Amount", 0, "did you mean 'amount'?")]
    [TestCase("'a' * 2", 4, "Operator '*' cannot be applied to a String and a Number")]
    [TestCase("flag - 1", 5, "Operator '-' cannot be applied to a Boolean and a Number")]
    [TestCase("when + 1", 5, "Operator '+' cannot be applied to a DateTime and a Number")]
    [TestCase("!5", 0, "Operator '!' expected a boolean but got a Number")]
    [TestCase("not name", 0, "Operator '!' expected a boolean but got a String")]
    [TestCase("-name", 0, "Operator '-' expected a number but got a String")]
    [TestCase("amount && flag", 0, "Operator '&&' expected a boolean but got a Number")]
    [TestCase("flag || name", 8, "Operator '||' expected a boolean but got a String")]
    [TestCase("amount ? 1 : 2", 0, "The condition of '? :' expected a boolean")]
    [TestCase("amount < name", 7, "Cannot compare a Number with a String with '<'")]
    [TestCase("flag >= true", 5, "Cannot compare a Boolean with a Boolean")]
    [TestCase("list > data", 5, "Cannot compare a List with a value")]
    [TestCase("amount == 'x'", 7, "Comparing a Number with a String using '==' is always false")]
    [TestCase("amount != 'x'", 7, "is always true")]
    [TestCase("amount in amount", 7, "The right side of 'in' must be a list, text or object but got a Number")]
    [TestCase("1 in name", 2, "'in' a String needs text on the left but got a Number")]
    [TestCase("amount.x", 6, "Cannot read field 'x' of a Number")]
    [TestCase("name[0]", 4, "Cannot index into a String")]
    [TestCase("list['a']", 5, "A list index must be a number but got a String")]
    [TestCase("account[1]", 8, "An object key must be text but got a Number")]
    [TestCase("len(amount)", 4, "Function 'len' expects text, a list or an object as argument 1 but got a Number")]
    [TestCase("upper(amount)", 6, "Function 'upper' expects text as argument 1 but got a Number")]
    [TestCase("round(name)", 6, "Function 'round' expects a number")]
    [TestCase("sum(name)", 4, "Function 'sum' expects a list")]
    [TestCase("addDays(name, 1)", 8, "Function 'addDays' expects a date as argument 1")]
    [TestCase("addDays(when, name)", 14, "Function 'addDays' expects a number as argument 2")]
    [TestCase("daysBetween(when, 1)", 18, "expects a date as argument 2")]
    [TestCase("date(1)", 5, "Function 'date' expects text or a date")]
    [TestCase("contains(amount, 1)", 9, "Function 'contains' expects text or a list")]
    [TestCase("contains(name, 1)", 15, "expects text as argument 2 when searching text")]
    [TestCase("min(amount, name)", 0, "Function 'min' cannot mix different types")]
    [TestCase("max(list, 1)", 0, "accepts a list only as its single argument")]
    [TestCase("number(flag)", 7, "Function 'number' expects a number or text as argument 1 but got a Boolean")]
    public void Reports_errors_with_positions(string source, int position, string message)
    {
        var result = Check(source);
        Assert.That(result.Errors, Has.Some.Matches<ExpressionDiagnostic>(d => d!.Position == position && d.Message.Contains(message, StringComparison.Ordinal)),
            string.Join(" | ", result.Errors));
        Assert.That(result.IsValid, Is.False);
    }

    [Test]
    public void Reports_every_problem_not_only_the_first()
    {
        var result = Check("amout > 1 && nam == 'x' && 'a' * 2 > 0");
        Assert.That(result.Errors.Select(e => e.Message), Has.Some.StartsWith("Unknown variable 'amout'")
            .And.Some.StartsWith("Unknown variable 'nam'")
            .And.Some.StartsWith("Operator '*' cannot be applied"));
        Assert.That(result.Errors, Has.Count.EqualTo(3));
    }

    [Test]
    public void Unknown_variable_message_matches_the_spec()
    {
        var result = CompiledExpression.Parse("amout").Check(new Dictionary<string, T>());
        Assert.That(result.Errors, Has.Count.EqualTo(1));
        Assert.That(result.Errors[0], Is.EqualTo(new ExpressionDiagnostic(new SourceSpan(0, 5, 1, 1), "Unknown variable 'amout'")));
        Assert.That(result.Type, Is.EqualTo(T.Any));
    }

    [TestCase("amount > 1 &&\n  nam == 'x'", 16, 3, 2, 3)]
    [TestCase("amount > 1 &&\r\n  nam == 'x'", 17, 3, 2, 3)]
    [TestCase("amount +\r\tfrobnicator", 10, 11, 2, 2)]
    [TestCase("upper(amount)", 6, 6, 1, 7)]
    public void Spans_give_the_offset_length_and_the_1_based_line_and_column(string source, int offset, int length, int line, int column)
    {
        var result = Check(source);
        Assert.That(result.Errors, Has.Count.EqualTo(1), string.Join(" | ", result.Errors));
        Assert.That(result.Errors[0].Span, Is.EqualTo(new SourceSpan(offset, length, line, column)));
        Assert.That(result.Errors[0].ToString(), Does.EndWith(line == 1 ? $" at column {column}" : $" at line {line}, column {column}"));
    }

    [Test]
    public void Syntax_errors_below_the_first_line_name_line_and_column()
    {
        Assert.That(CompiledExpression.TryParse("(a +\n  b", out _, out var errors), Is.False);
        Assert.That(errors[0].Span, Is.EqualTo(new SourceSpan(8, 0, 2, 4)));
        Assert.That(errors[0].Message, Is.EqualTo("Missing ')' to close the '(' at column 1; the expression ends"));
        Assert.That(Assert.Throws<ExpressionSyntaxException>(() => CompiledExpression.Parse("a >\n >"))!.Message, Is.EqualTo("Unexpected '>' at line 2, column 2"));
    }

    [Test]
    public void Unknown_functions_and_arity_are_rejected_before_Check()
    {
        Assert.That(CompiledExpression.TryParse("exec('x')", out _, out var e1), Is.False);
        Assert.That(e1[0].Message, Does.StartWith("Unknown function 'exec'"));
        Assert.That(CompiledExpression.TryParse("round(1, 2, 3)", out _, out var e2), Is.False);
        Assert.That(e2[0].Message, Does.Contain("takes 1 to 2 arguments"));
    }

    [TestCase("data.x * 2 > amount")]
    [TestCase("data ? data : data")]
    [TestCase("list[0] + 1")]
    [TestCase("account.limit >= amount && account.currency in ['EUR', 'USD']")]
    [TestCase("nothing + 1")]
    [TestCase("nothing == 1")]
    [TestCase("coalesce(data, 1) < 5")]
    public void Any_and_null_are_not_reported(string source) => Assert.That(Check(source).Errors, Is.Empty);
}
