namespace ApprovalEngine.Expressions;

// Public surface of the expression language. The engine, the validator and the server's dry-run
// endpoint only use what is declared here.

/// <summary>Static types the checker infers. Values at run time are CLR objects: null, bool, decimal, string,
/// DateTimeOffset, IReadOnlyList&lt;object?&gt; and IReadOnlyDictionary&lt;string, object?&gt;.</summary>
public enum ExpressionType
{
    Any,
    Null,
    Boolean,
    Number,
    String,
    DateTime,
    List,
    Object,
}

/// <summary>
/// A problem found while parsing or type-checking. <see cref="Message"/> says what is wrong without saying where
/// (places it mentions, such as an unclosed bracket, are named "column N"); <see cref="Span"/> says where.
/// </summary>
public sealed record ExpressionDiagnostic(SourceSpan Span, string Message)
{
    /// <summary>0-based character offset of the problem (<see cref="SourceSpan.Offset"/>).</summary>
    public int Position => Span.Offset;

    /// <summary>The message followed by its place, e.g. <c>Unexpected '&gt;' at column 9</c>.</summary>
    public override string ToString() => $"{Message} at {Span.Describe()}";
}

/// <summary>Variables visible to an expression, looked up by name at evaluation time.</summary>
public interface IExpressionScope
{
    bool TryGetValue(string name, out object? value);

    /// <summary>The clock for <c>now()</c>; expressions never read the system clock directly.</summary>
    DateTimeOffset Now { get; }
}

/// <summary>Thrown when a well-formed expression cannot be evaluated (division by zero, overflow, budget exceeded).</summary>
public sealed class ExpressionEvaluationException(string message) : Exception(message);
