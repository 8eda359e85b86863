using System.Collections.Concurrent;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace ApprovalEngine.Expressions;

/// <summary>Result of <see cref="CompiledExpression.Check"/>: the inferred type and any problems found.</summary>
public sealed record TypeCheckResult(ExpressionType Type, IReadOnlyList<ExpressionDiagnostic> Errors)
{
    /// <summary>True when no problems were found.</summary>
    public bool IsValid => Errors.Count == 0;
}

/// <summary>The expression text is not valid. <see cref="Exception.Message"/> is written for analysts and includes the position.</summary>
public sealed class ExpressionSyntaxException : Exception
{
    /// <summary>A problem at <paramref name="length"/> characters from the 0-based <paramref name="position"/> of <paramref name="source"/>;
    /// <see cref="Exception.Message"/> is <paramref name="reason"/> followed by the 1-based place ("at column 9").</summary>
    public ExpressionSyntaxException(string source, string reason, int position, int length)
        : base($"{reason} at {SourceSpan.Describe(source, position)}")
    {
        Reason = reason;
        Span = SourceSpan.At(source, position, length);
    }

    /// <summary>What is wrong, without the place.</summary>
    public string Reason { get; }

    /// <summary>Where: 0-based offset and length, 1-based line and column.</summary>
    public SourceSpan Span { get; }

    /// <summary>0-based character offset of the problem in the source text.</summary>
    public int Position => Span.Offset;

    public ExpressionDiagnostic ToDiagnostic() => new(Span, Reason);
}

/// <summary>
/// A parsed, immutable, thread-safe expression. Parse once (parsing is memoized per source text), evaluate many times.
/// </summary>
public sealed class CompiledExpression
{
    private static readonly ConcurrentDictionary<string, CompiledExpression> Cache = new(StringComparer.Ordinal);
    private static int _cacheCount;

    private readonly Node _root;

    private CompiledExpression(string source, Node root, IReadOnlySet<string> variables)
    {
        Source = source;
        _root = root;
        Variables = variables;
    }

    /// <summary>The source text exactly as given.</summary>
    public string Source { get; }

    /// <summary>Root (free) variable names the expression reads, e.g. <c>account</c> for <c>account.freeMargin</c>.</summary>
    public IReadOnlySet<string> Variables { get; }

    /// <summary>Parses <paramref name="source"/>, or returns the cached result of an earlier parse of the same text.</summary>
    /// <exception cref="ExpressionSyntaxException">The text is not a valid expression (including unknown functions and wrong argument counts).</exception>
    public static CompiledExpression Parse(string source)
    {
        ArgumentNullException.ThrowIfNull(source);
        if (Cache.TryGetValue(source, out var cached))
        {
            return cached;
        }

        var (root, variables) = Parser.Parse(source);
        var parsed = new CompiledExpression(source, root, variables.ToFrozenSet(StringComparer.Ordinal));
        var winner = Cache.GetOrAdd(source, parsed);
        if (ReferenceEquals(winner, parsed) && Interlocked.Increment(ref _cacheCount) > ExpressionLimits.ParseCacheCapacity)
        {
            // Bounded: flush everything rather than track recency; hot guards are re-added on their next use.
            Cache.Clear();
            Interlocked.Exchange(ref _cacheCount, 0);
        }

        return winner;
    }

    /// <summary>Like <see cref="Parse"/> but reports problems as diagnostics instead of throwing.</summary>
    public static bool TryParse(string source, [NotNullWhen(true)] out CompiledExpression? expr, out IReadOnlyList<ExpressionDiagnostic> errors)
    {
        if (source is null)
        {
            expr = null;
            errors = [new ExpressionDiagnostic(default(SourceSpan) with { Line = 1, Column = 1 }, "Expression is empty")];
            return false;
        }

        try
        {
            expr = Parse(source);
            errors = [];
            return true;
        }
        catch (ExpressionSyntaxException ex)
        {
            expr = null;
            errors = [ex.ToDiagnostic()];
            return false;
        }
    }

    /// <summary>Evaluates against <paramref name="scope"/>. Result is null, bool, decimal, string, DateTimeOffset,
    /// IReadOnlyList&lt;object?&gt; or IReadOnlyDictionary&lt;string, object?&gt;.</summary>
    /// <exception cref="ExpressionEvaluationException">Any run-time problem: type error, overflow, division by zero, budget exceeded.</exception>
    public object? Evaluate(IExpressionScope scope)
    {
        ArgumentNullException.ThrowIfNull(scope);
        var ctx = new EvalContext(scope, ExpressionLimits.MaxEvaluationSteps);
        try
        {
            return _root.Eval(ref ctx);
        }
        catch (ExpressionEvaluationException)
        {
            throw;
        }
        catch (Exception ex)
        {
            // Scope implementations and host collections are outside our control; never leak their exception types.
            throw new ExpressionEvaluationException($"Evaluation failed: {ex.Message}");
        }
    }

    /// <summary>Evaluates as a condition: true is true; false and null are false; anything else is an error.</summary>
    /// <exception cref="ExpressionEvaluationException">The result is not a boolean or null, or evaluation failed.</exception>
    public bool EvaluateBoolean(IExpressionScope scope) => Evaluate(scope) switch
    {
        bool b => b,
        null => false,
        var other => throw new ExpressionEvaluationException(
            $"A condition must produce true or false: expected a boolean but got {ExpressionValues.Describe(other)}"),
    };

    /// <summary>Static check against declared variable types: unknown variables, impossible operations, wrong argument types.
    /// Returns the inferred result type (<see cref="ExpressionType.Any"/> when it depends on data).</summary>
    public TypeCheckResult Check(IReadOnlyDictionary<string, ExpressionType> variableTypes)
    {
        ArgumentNullException.ThrowIfNull(variableTypes);
        var ctx = new CheckContext(variableTypes, Source);
        var type = _root.Check(ctx);
        return new TypeCheckResult(type, ctx.Errors.ToArray());
    }

    public override string ToString() => Source;
}

/// <summary>Describes one built-in function for the designer.</summary>
public sealed record FunctionDescriptor(string Name, string Signature, string Description, int MinArguments, int MaxArguments);

/// <summary>The fixed list of functions expressions may call.</summary>
public static class ExpressionFunctions
{
    /// <summary>All built-in functions, in documentation order. <see cref="FunctionDescriptor.MaxArguments"/> is <see cref="int.MaxValue"/> for variadic functions.</summary>
    public static IReadOnlyList<FunctionDescriptor> All { get; } = Array.AsReadOnly(
        Builtins.Table.Select(f => new FunctionDescriptor(f.Name, f.Signature, f.Description, f.MinArguments, f.MaxArguments)).ToArray());
}
