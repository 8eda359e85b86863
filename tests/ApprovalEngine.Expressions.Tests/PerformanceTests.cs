using System.Diagnostics;
using ApprovalEngine.Expressions;
using static ApprovalEngine.Expressions.Tests.Expr;

namespace ApprovalEngine.Expressions.Tests;

public class PerformanceTests
{
    [Test]
    public void Cached_parse_plus_guard_evaluation_is_fast_enough()
    {
        // Generous bound so it holds on slow CI machines in Debug: 100k steps/s × a few guards is the real target (see Explicit test).
        const string guard = "hasOpenTrades && marginLevel >= 100 && account.currency in ['EUR', 'USD'] && amount - fee > 0";
        var scope = Scope();
        CompiledExpression.Parse(guard).EvaluateBoolean(scope);

        var watch = Stopwatch.StartNew();
        var matched = 0;
        for (var i = 0; i < 100_000; i++)
        {
            if (CompiledExpression.Parse(guard).EvaluateBoolean(scope))
            {
                matched++;
            }
        }

        watch.Stop();
        Assert.That(matched, Is.EqualTo(100_000));
        Assert.That(watch.Elapsed, Is.LessThan(TimeSpan.FromSeconds(5)));
    }

    [Test]
    [Explicit("Throughput measurement; run manually in Release.")]
    public void Measure_throughput()
    {
        var sources = new[]
        {
            "hasOpenTrades && marginLevel >= 100",
            "requestedAmount - fee",
            "account.freeMargin > amount * 0.1 ? 'auto' : 'manual'",
            "len(names) > 0 && 'a' in names && round(amount / 3, 2) < 1000",
        };
        var scope = Scope("""{"hasOpenTrades": true, "marginLevel": 150, "requestedAmount": 1000, "fee": 2.5, "amount": 1500.5, "names": ["a"], "account": {"freeMargin": 300}}""");
        // Warm up every path first so tiered JIT has settled before measuring.
        for (var i = 0; i < 1_000_000; i++)
        {
            CompiledExpression.Parse(sources[i % sources.Length]).Evaluate(scope);
        }

        foreach (var source in sources)
        {
            var watch = Stopwatch.StartNew();
            const int n = 2_000_000;
            for (var i = 0; i < n; i++)
            {
                CompiledExpression.Parse(source).Evaluate(scope);
            }

            TestContext.Out.WriteLine($"{source}: {n / watch.Elapsed.TotalSeconds:N0} evaluations/s (cached parse included)");
        }
    }
}
