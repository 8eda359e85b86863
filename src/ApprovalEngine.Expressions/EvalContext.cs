using System.Runtime.CompilerServices;

namespace ApprovalEngine.Expressions;

/// <summary>Per-evaluation state, passed by reference so evaluation allocates nothing for it.</summary>
internal struct EvalContext(IExpressionScope? scope, int budget)
{
    public readonly IExpressionScope? Scope = scope;
    public int Remaining = budget;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public void Step(int position)
    {
        if (--Remaining < 0)
        {
            ThrowBudget(position);
        }
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static void ThrowBudget(int position) =>
        throw Errors.Runtime($"Evaluation step budget of {ExpressionLimits.MaxEvaluationSteps} exceeded (the expression or its data is too large)", position);
}

internal static class Errors
{
    public static ExpressionEvaluationException Runtime(string message, int position) =>
        new(position >= 0 ? $"{message} at {position}" : message);

    /// <summary>A syntax error; <paramref name="length"/> is how much of the text to mark (0 at the end of the text).</summary>
    public static ExpressionSyntaxException Syntax(string source, string message, int position, int length = 1) =>
        new(source, message, position, length);
}
