using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using BenchmarkDotNet.Attributes;

namespace ApprovalEngine.Benchmarks;

/// <summary>
/// Guard and value expressions as a step evaluates them: a cached parse plus an evaluation over the instance's
/// variables. The baseline reads one variable, so the ratio column says how many plain lookups each expression costs.
/// (These were an [Explicit] measurement and a timed assertion in Expressions.Tests; speed belongs here, not in tests.)
/// </summary>
[MemoryDiagnoser]
public class ExpressionBenchmarks
{
    private readonly Scope _scope = new(
        ExpressionValues.FromJsonNode(JsonNode.Parse("""
            {"hasOpenTrades": true, "marginLevel": 150, "requestedAmount": 1000, "fee": 2.5, "amount": 1500.5,
             "names": ["a"], "account": {"freeMargin": 300, "currency": "USD"}}
            """)) as IReadOnlyDictionary<string, object?> ?? new Dictionary<string, object?>());

    [Benchmark(Baseline = true)]
    public object? Variable() => CompiledExpression.Parse("amount").Evaluate(_scope);

    [Benchmark]
    public object? WdDealingGuard() =>
        CompiledExpression.Parse("hasOpenTrades && marginLevel >= 100 && account.currency in ['EUR', 'USD'] && amount - fee > 0").Evaluate(_scope);

    [Benchmark]
    public object? Arithmetic() => CompiledExpression.Parse("requestedAmount - fee").Evaluate(_scope);

    [Benchmark]
    public object? Conditional() => CompiledExpression.Parse("account.freeMargin > amount * 0.1 ? 'auto' : 'manual'").Evaluate(_scope);

    [Benchmark]
    public object? Functions() => CompiledExpression.Parse("len(names) > 0 && 'a' in names && round(amount / 3, 2) < 1000").Evaluate(_scope);

    private sealed class Scope(IReadOnlyDictionary<string, object?> values) : IExpressionScope
    {
        public DateTimeOffset Now { get; } = new(2026, 1, 31, 12, 0, 0, TimeSpan.Zero);

        public bool TryGetValue(string name, out object? value) => values.TryGetValue(name, out value);
    }
}
