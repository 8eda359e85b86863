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

/// <summary>A problem found while parsing or type-checking; <see cref="Position"/> is a 0-based character offset.</summary>
public sealed record ExpressionDiagnostic(int Position, string Message);

/// <summary>Variables visible to an expression, looked up by name at evaluation time.</summary>
public interface IExpressionScope
{
    bool TryGetValue(string name, out object? value);

    /// <summary>The clock for <c>now()</c>; expressions never read the system clock directly.</summary>
    DateTimeOffset Now { get; }
}

/// <summary>Thrown when a well-formed expression cannot be evaluated (division by zero, overflow, budget exceeded).</summary>
public sealed class ExpressionEvaluationException(string message) : Exception(message);
