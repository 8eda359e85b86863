using ApprovalEngine.Expressions;

namespace ApprovalEngine.Workflows.Runtime;

/// <summary>
/// The names an expression sees: the instance variables, then a few read-only instance facts
/// (<c>businessStatus</c>, <c>department</c>, <c>correlationId</c>, <c>instanceId</c>), then what the step adds
/// (e.g. <c>action</c>, <c>comment</c>, <c>data</c> for task guards). Variables win over the built-in names.
/// </summary>
internal sealed class ExpressionScope(InstanceState state, DateTimeOffset now, IReadOnlyDictionary<string, object?>? overlay = null) : IExpressionScope
{
    public DateTimeOffset Now { get; } = now;

    public bool TryGetValue(string name, out object? value)
    {
        if (overlay is not null && overlay.TryGetValue(name, out value)) return true;
        if (state.Variables.TryGetValue(name, out value)) return true;
        switch (name)
        {
            case "businessStatus": value = state.BusinessStatus; return true;
            case "department": value = state.Department; return true;
            case "correlationId": value = state.CorrelationId; return true;
            case "instanceId": value = state.Id.ToString(); return true;
            default: value = null; return false;
        }
    }

    /// <summary>Names that are always in scope, for the static checker.</summary>
    public static readonly IReadOnlyDictionary<string, ExpressionType> BuiltInNames = new Dictionary<string, ExpressionType>
    {
        ["businessStatus"] = ExpressionType.String,
        ["department"] = ExpressionType.String,
        ["correlationId"] = ExpressionType.String,
        ["instanceId"] = ExpressionType.String,
    };

    /// <summary>Names a UserTask guard sees in addition.</summary>
    public static readonly IReadOnlyDictionary<string, ExpressionType> TaskGuardNames = new Dictionary<string, ExpressionType>
    {
        ["action"] = ExpressionType.String,
        ["comment"] = ExpressionType.String,
        ["data"] = ExpressionType.Object,
        ["actor"] = ExpressionType.Object,
    };
}
