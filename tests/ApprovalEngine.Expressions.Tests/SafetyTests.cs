using System.Collections.Concurrent;
using ApprovalEngine.Expressions;
using static ApprovalEngine.Expressions.Tests.Expr;

namespace ApprovalEngine.Expressions.Tests;

public class SafetyTests
{
    private static TestScope BigScope()
    {
        var big = Enumerable.Range(0, 200_000).Select(i => (object?)(decimal)i).ToList();
        return Scope(new Dictionary<string, object?>
        {
            ["big"] = big,
            ["bigBools"] = Enumerable.Repeat((object?)false, 200_000).ToList(),
            ["small"] = Enumerable.Range(0, 1000).Select(i => (object?)(decimal)i).ToList(),
            ["text"] = new string('x', 600_000),
            ["smallText"] = new string('y', 1000),
        });
    }

    [TestCase("sum(big)")]
    [TestCase("-1 in big")]
    [TestCase("contains(big, -1)")]
    [TestCase("max(big)")]
    [TestCase("any(bigBools)")]
    [TestCase("min(big)")]
    [TestCase("string(big)")]
    [TestCase("'' + big")]
    public void Work_over_large_data_is_bounded_by_the_step_budget(string source)
    {
        var ex = Assert.Throws<ExpressionEvaluationException>(() => CompiledExpression.Parse(source).Evaluate(BigScope()));
        Assert.That(ex!.Message, Does.Contain("step budget"));
    }

    [Test]
    public void Equality_of_large_lists_is_charged()
    {
        var scope = Scope(new Dictionary<string, object?>
        {
            ["a"] = Enumerable.Range(0, 200_000).Select(i => (object?)(decimal)i).ToList(),
            ["b"] = Enumerable.Range(0, 200_000).Select(i => (object?)(decimal)i).ToList(),
        });
        Assert.Throws<ExpressionEvaluationException>(() => CompiledExpression.Parse("a == b").Evaluate(scope));
    }

    [TestCase("sum(small)", 499500)]
    [TestCase("len(big)", 200000)]
    [TestCase("count(big)", 200000)]
    [TestCase("big[199999]", 199999)]
    [TestCase("len(text + smallText)", 601000)]
    public void Work_within_the_budget_succeeds(string source, int expected) =>
        Assert.That(CompiledExpression.Parse(source).Evaluate(BigScope()), Is.EqualTo((decimal)expected));

    [TestCase("text + text")]
    [TestCase("text + 'a' + text")]
    [TestCase("string(text) + text")]
    public void Text_results_are_capped(string source)
    {
        var ex = Assert.Throws<ExpressionEvaluationException>(() => CompiledExpression.Parse(source).Evaluate(BigScope()));
        Assert.That(ex!.Message, Does.Contain("longer than 1048576 characters"));
    }

    [Test]
    public void Cyclic_host_values_do_not_overflow_the_stack()
    {
        var a = new List<object?>();
        a.Add(a);
        var b = new List<object?>();
        b.Add(b);
        var scope = Scope(new Dictionary<string, object?> { ["a"] = a, ["b"] = b });
        Assert.That(CompiledExpression.Parse("a == a").Evaluate(scope), Is.EqualTo(true));
        Assert.Throws<ExpressionEvaluationException>(() => CompiledExpression.Parse("a == b").Evaluate(scope));
        Assert.Throws<ExpressionEvaluationException>(() => CompiledExpression.Parse("string(a)").Evaluate(scope));
        Assert.Throws<ExpressionEvaluationException>(() => CompiledExpression.Parse("b in [a]").Evaluate(scope));
        Assert.Throws<ArgumentException>(() => ExpressionValues.AreEqual(a, b));
    }

    [Test]
    public void Deepest_allowed_tree_evaluates_on_a_small_stack()
    {
        var source = "account" + string.Concat(Enumerable.Repeat(".owner", ExpressionLimits.MaxTreeHeight - 1));
        var expr = CompiledExpression.Parse(source);
        object? result = "not run";
        var thread = new Thread(() => result = expr.Evaluate(Scope()), 256 * 1024);
        thread.Start();
        thread.Join();
        Assert.That(result, Is.Null);
        Assert.That(expr.Check(Types(("account", ExpressionType.Object))).Errors, Is.Empty);
    }

    [Test]
    public void Parse_cache_returns_the_same_instance()
    {
        var source = "amount > 1000 && flag /* " + Guid.NewGuid() + " */";
        source = source[..source.IndexOf('/', StringComparison.Ordinal)] + "&& '" + Guid.NewGuid() + "' != ''";
        var first = CompiledExpression.Parse(source);
        Assert.That(CompiledExpression.Parse(source), Is.SameAs(first));
        Assert.That(CompiledExpression.TryParse(source, out var viaTry, out _), Is.True);
        Assert.That(viaTry, Is.SameAs(first));
    }

    [Test]
    public void Parse_cache_and_evaluation_are_thread_safe()
    {
        var prefix = Guid.NewGuid().ToString("N");
        var sources = Enumerable.Range(0, 64).Select(i => $"'{prefix}' != '' && amount + {i} > 1500.50 + {i % 2}").ToArray();
        var instances = new ConcurrentDictionary<string, ConcurrentBag<CompiledExpression>>();
        var failures = new ConcurrentQueue<string>();
        var scope = Scope();

        Parallel.For(0, 20_000, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(4, Environment.ProcessorCount) }, i =>
        {
            var n = i % sources.Length;
            var expr = CompiledExpression.Parse(sources[n]);
            instances.GetOrAdd(sources[n], _ => []).Add(expr);
            var actual = expr.EvaluateBoolean(scope);
            if (actual != (n + 1500.50m > 1500.50m + (n % 2)))
            {
                failures.Enqueue($"{sources[n]} gave {actual}");
            }
        });

        Assert.That(failures, Is.Empty);
        foreach (var (source, bag) in instances)
        {
            Assert.That(bag.Distinct().Count(), Is.EqualTo(1), source);
        }
    }

    [Test]
    public void Parse_cache_is_bounded_and_keeps_working_when_flushed()
    {
        var prefix = Guid.NewGuid().ToString("N");
        for (var i = 0; i < ExpressionLimits.ParseCacheCapacity + 100; i++)
        {
            Assert.That(CompiledExpression.Parse($"{i} + 0 == {i} && '{prefix}' != ''").EvaluateBoolean(Scope()), Is.True);
        }

        var expr = CompiledExpression.Parse($"1 + 1 == 2 && '{prefix}' != ''");
        Assert.That(CompiledExpression.Parse(expr.Source), Is.SameAs(expr));
    }

    [Test]
    public void Expressions_cannot_reach_host_code()
    {
        string[] attempts =
        [
            "System.IO.File.Delete('x')",
            "System.Environment.Exit(1)",
            "typeof(string)",
            "new('x')",
            "amount.GetType().Assembly",
            "import('os')",
            "eval('1')",
            "Activator.CreateInstance('x')",
            "`ls`",
            "name.ToString()",
            "{ 'a': 1 }",
        ];
        foreach (var source in attempts)
        {
            Assert.Throws<ExpressionSyntaxException>(() => CompiledExpression.Parse(source), source);
        }
    }
}
