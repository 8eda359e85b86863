using System.Text;
using ApprovalEngine.Expressions;
using static ApprovalEngine.Expressions.Tests.Expr;

namespace ApprovalEngine.Expressions.Tests;

public class SyntaxTests
{
    [TestCase("'it\\'s'", "it's")]
    [TestCase("\"say \\\"hi\\\"\"", "say \"hi\"")]
    [TestCase("'back\\\\slash'", "back\\slash")]
    [TestCase("'a\\nb\\tc\\rd'", "a\nb\tc\rd")]
    [TestCase("'\\u00e9'", "é")]
    [TestCase("\"it's\"", "it's")]
    [TestCase("'say \"hi\"'", "say \"hi\"")]
    [TestCase("''", "")]
    [TestCase("'  spaces  '", "  spaces  ")]
    public void String_literals_and_escapes(string source, string expected) =>
        Assert.That(Eval(source), Is.EqualTo(expected));

    [TestCase("true", true)]
    [TestCase("false", false)]
    [TestCase("  true  ", true)]
    [TestCase("\n\ttrue\r\n", true)]
    public void Boolean_literals_and_whitespace(string source, bool expected) =>
        Assert.That(Eval(source), Is.EqualTo(expected));

    [Test]
    public void Null_literal() => Assert.That(Eval("null"), Is.Null);

    [TestCase(")", 0, "Unexpected ')' at column 1")]
    [TestCase("(a + b))", 7, "Unexpected ')' at column 8")]
    [TestCase("amount > (fee + 1))", 18, "Unexpected ')' at column 19")]
    [TestCase("", 0, "Expression is empty at column 1")]
    [TestCase("   ", 0, "Expression is empty at column 1")]
    [TestCase("1 +", 3, "Unexpected end of expression at column 4")]
    [TestCase("(1 + 2", 6, "Missing ')' to close the '(' at column 1; the expression ends at column 7")]
    [TestCase("(1 + 2 3", 7, "Unexpected '3'; expected ')' to close the '(' at column 1 at column 8")]
    [TestCase("[1, 2", 5, "Missing ']'")]
    [TestCase("[1, 2,]", 6, "Unexpected ']' at column 7")]
    [TestCase("list[0", 6, "Missing ']'")]
    [TestCase("len('a'", 7, "Missing ')'")]
    [TestCase("a ? b", 5, "Missing ':' for the '?' at column 3")]
    [TestCase("a ? b c", 6, "Unexpected 'c'; expected ':' for the '?' at column 3 at column 7")]
    [TestCase("a b", 2, "Unexpected 'b' at column 3")]
    [TestCase("a = 1", 2, "Use '==' to compare values")]
    [TestCase("a & b", 2, "Use '&&'")]
    [TestCase("a | b", 2, "Use '||'")]
    [TestCase("a # b", 2, "Unexpected character '#' at column 3")]
    [TestCase("a ; b", 2, "Unexpected character ';'")]
    [TestCase("a\u0000", 1, "Unexpected character U+0000 at column 2")]
    [TestCase("'abc", 0, "Text starting with ' is not closed")]
    [TestCase("\"abc", 0, "Text starting with \" is not closed")]
    [TestCase("'abc\\", 0, "is not closed")]
    [TestCase("'a\\x'", 2, "Unknown escape '\\x'")]
    [TestCase("'\\u12'", 1, "\\u must be followed by 4 hex digits")]
    [TestCase("1e3", 0, "Exponent notation such as 1e3 is not supported")]
    [TestCase("12abc", 0, "Invalid number '12a'")]
    [TestCase("1.", 0, "Invalid number '1.'")]
    [TestCase("1.x", 0, "Invalid number '1.'")]
    [TestCase(".5", 0, "Unexpected '.'")]
    [TestCase("a.", 2, "Unexpected end of expression; expected a field name after '.' at column 3")]
    [TestCase("a.1", 2, "expected a field name after '.'")]
    [TestCase("()", 1, "Unexpected ')'; expected an expression inside '( )' at column 2")]
    [TestCase("79228162514264337593543950336", 0, "Number '79228162514264337593543950336' is too large")]
    [TestCase("100000000000000000000000000000000000000000000", 0, "is too large")]
    [TestCase("exec('rm -rf /')", 0, "Unknown function 'exec'")]
    [TestCase("System.IO.File.Delete('x')", 0, "Unknown function 'System.IO.File.Delete'")]
    [TestCase("amount.GetType()", 0, "Unknown function 'amount.GetType'")]
    [TestCase("(amount)(1)", 1, "Unknown function 'amount' (only built-in functions can be called)")]
    [TestCase("list[0](1)", 7, "Only built-in functions can be called")]
    [TestCase("Len('a')", 0, "Unknown function 'Len' (did you mean 'len'?)")]
    [TestCase("lenn('a')", 0, "Unknown function 'lenn' (did you mean 'len'?)")]
    [TestCase("startWith('a', 'b')", 0, "did you mean 'startsWith'?")]
    [TestCase("len()", 0, "Function 'len' takes 1 argument but was given 0")]
    [TestCase("len('a', 'b')", 0, "Function 'len' takes 1 argument but was given 2")]
    [TestCase("round(1, 2, 3)", 0, "Function 'round' takes 1 to 2 arguments but was given 3")]
    [TestCase("contains('a')", 0, "Function 'contains' takes 2 arguments but was given 1")]
    [TestCase("now(1)", 0, "Function 'now' takes 0 arguments but was given 1")]
    [TestCase("coalesce()", 0, "Function 'coalesce' takes at least 1 argument but was given 0")]
    [TestCase("min()", 0, "Function 'min' takes at least 1 argument")]
    [TestCase("x not 5", 2, "Unexpected 'not'")]
    public void Syntax_errors_have_clear_messages_and_positions(string source, int position, string? message)
    {
        var ex = SyntaxError(source);
        if (position >= 0)
        {
            Assert.That(ex.Position, Is.EqualTo(position), ex.Message);
        }

        if (message is not null)
        {
            Assert.That(ex.Message, Does.Contain(message));
        }
    }

    [Test]
    public void Unknown_function_suggestion_is_only_given_when_close()
    {
        Assert.That(SyntaxError("frobnicate(1)").Message, Is.EqualTo("Unknown function 'frobnicate' at column 1"));
    }

    [Test]
    public void TryParse_reports_diagnostics_instead_of_throwing()
    {
        using (Assert.EnterMultipleScope())
        {
            Assert.That(CompiledExpression.TryParse("a +", out var bad, out var errors), Is.False);
            Assert.That(bad, Is.Null);
            Assert.That(errors, Has.Count.EqualTo(1));
            Assert.That(errors[0], Is.EqualTo(new ExpressionDiagnostic(new SourceSpan(3, 0, 1, 4), "Unexpected end of expression")));

            Assert.That(CompiledExpression.TryParse("a + 1", out var good, out var none), Is.True);
            Assert.That(good!.Source, Is.EqualTo("a + 1"));
            Assert.That(none, Is.Empty);

            Assert.That(CompiledExpression.TryParse(null!, out _, out var nullErrors), Is.False);
            Assert.That(nullErrors, Has.Count.EqualTo(1));
        }
    }

    [Test]
    public void Parse_rejects_null() => Assert.Throws<ArgumentNullException>(() => CompiledExpression.Parse(null!));

    [TestCase("a", new[] { "a" })]
    [TestCase("account.freeMargin + fee > amount && len(names) > 0", new[] { "account", "fee", "amount", "names" })]
    [TestCase("x[y].z ?? w['q']", new[] { "x", "y", "w" })]
    [TestCase("coalesce(a, a, b)", new[] { "a", "b" })]
    [TestCase("now() > date('2026-01-01') && true", new string[0])]
    [TestCase("a.in.not", new[] { "a" })]
    public void Variables_are_the_root_identifiers(string source, string[] expected) =>
        Assert.That(CompiledExpression.Parse(source).Variables, Is.EquivalentTo(expected));

    [Test]
    public void Keywords_are_lowercase_and_case_sensitive_names_work()
    {
        var scope = Scope("""{ "True": 1, "AND": 2, "Amount": 3, "amount": 4 }""");
        Assert.That(CompiledExpression.Parse("True + Amount + amount").Evaluate(scope), Is.EqualTo(8m));
        Assert.Throws<ExpressionSyntaxException>(() => CompiledExpression.Parse("True AND true"));
    }

    // ------------------------------------------------------------------ hostile input

    [Test]
    public void Ten_thousand_nested_parentheses_are_a_syntax_error_not_a_crash()
    {
        var source = new string('(', 10_000) + "1" + new string(')', 10_000);
        Assert.Throws<ExpressionSyntaxException>(() => CompiledExpression.Parse(source));
    }

    [Test]
    public void Nesting_within_the_length_limit_is_bounded_by_depth()
    {
        var source = new string('(', 2000) + "1" + new string(')', 2000);
        var ex = SyntaxError(source);
        Assert.That(ex.Message, Does.Contain("nested too deeply"));
        Assert.That(ex.Position, Is.EqualTo(ExpressionLimits.MaxNestingDepth));
    }

    [Test]
    public void Nesting_exactly_at_the_limit_is_allowed()
    {
        var ok = new string('(', ExpressionLimits.MaxNestingDepth) + "1" + new string(')', ExpressionLimits.MaxNestingDepth);
        var tooDeep = "(" + ok + ")";
        Assert.That(Eval(ok), Is.EqualTo(1m));
        Assert.That(SyntaxError(tooDeep).Message, Does.Contain("nested too deeply"));
    }

    [TestCase("!", 1000, "true")]
    [TestCase("not ", 500, "true")]
    [TestCase("-", 1000, "1")]
    [TestCase("abs(", 500, "1")]
    [TestCase("[", 1000, "1")]
    [TestCase("list[", 100, "0")]
    [TestCase("true ? ", 100, "1")]
    public void Deep_unary_call_list_index_and_ternary_nesting_is_rejected(string prefix, int count, string core)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < count; i++)
        {
            sb.Append(prefix);
        }

        sb.Append(core);
        var source = sb.ToString();
        if (source.Length > ExpressionLimits.MaxSourceLength)
        {
            source = source[..ExpressionLimits.MaxSourceLength];
        }

        Assert.Throws<ExpressionSyntaxException>(() => CompiledExpression.Parse(source));
    }

    [Test]
    public void Long_operator_chains_are_limited_but_and_or_chains_are_flat()
    {
        var plus = string.Join(" + ", Enumerable.Repeat("1", 200));
        Assert.That(Eval(plus), Is.EqualTo(200m));

        var tooLong = string.Join("+", Enumerable.Repeat("1", 1000));
        Assert.That(SyntaxError(tooLong).Message, Does.Contain("too complex"));

        var ands = string.Join(" && ", Enumerable.Repeat("flag", 500));
        Assert.That(Eval(ands), Is.EqualTo(true));

        var members = "account" + string.Concat(Enumerable.Repeat(".owner", 600));
        Assert.That(SyntaxError(members).Message, Does.Contain("too complex"));
    }

    [Test]
    public void Hundred_kilobyte_input_is_rejected()
    {
        var source = "'" + new string('x', 100_000) + "'";
        var ex = SyntaxError(source);
        Assert.That(ex.Message, Does.Contain("too long"));
        Assert.That(ex.Message, Does.Contain("4096"));
    }

    [Test]
    public void Source_exactly_at_the_length_limit_is_accepted()
    {
        var source = "'" + new string('x', ExpressionLimits.MaxSourceLength - 2) + "'";
        Assert.That(((string)Eval(source)!).Length, Is.EqualTo(ExpressionLimits.MaxSourceLength - 2));
        Assert.Throws<ExpressionSyntaxException>(() => CompiledExpression.Parse(source + " "));
    }

    [Test]
    public void List_literals_are_limited_to_1000_elements()
    {
        var ok = "[" + string.Join(",", Enumerable.Repeat("1", 1000)) + "]";
        Assert.That(Eval("len(" + ok + ")"), Is.EqualTo(1000m));

        var tooMany = "[" + string.Join(",", Enumerable.Repeat("1", 1001)) + "]";
        Assert.That(SyntaxError(tooMany).Message, Does.Contain("more than 1000 elements"));
    }
}
