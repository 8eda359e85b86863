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

    public static ExpressionSyntaxException Syntax(string message, int position) =>
        new($"{message} at {position}", position);
}
