using System.Globalization;
using System.Text.Json.Nodes;
using System.Xml;
using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Workflows.Runtime;

/// <summary>What an activity sees and may change while it runs inside a step.</summary>
public sealed class ActivityContext
{
    private readonly StepBuilder _step;

    internal ActivityContext(StepBuilder step, ActivityDefinition activity, string? branch)
    {
        _step = step;
        Activity = activity;
        Branch = branch;
    }

    public WorkflowDefinition Definition => _step.Definition;
    public ActivityDefinition Activity { get; }
    public InstanceState State => _step.State;
    public string? Branch { get; }
    public DateTimeOffset Now => _step.Now;
    public Actor Actor => _step.Actor;
    internal StepBuilder Step => _step;

    public JsonNode? Input(string name) => Activity.Inputs.TryGetPropertyValue(name, out var node) ? node : null;

    public string? GetText(string name) => Input(name) is JsonValue v && v.TryGetValue<string>(out var s) && s.Length > 0 ? s : null;

    public bool GetBoolean(string name, bool fallback = false) =>
        Input(name) is JsonValue v && v.TryGetValue<bool>(out var b) ? b : fallback;

    public decimal? GetNumber(string name) => Input(name) is JsonValue v && v.TryGetValue<decimal>(out var d) ? d : null;

    public IReadOnlyList<string> GetStringList(string name) =>
        Input(name) is JsonArray a ? [.. a.Select(n => n?.GetValue<string>()).OfType<string>()] : [];

    public TimeSpan? GetDuration(string name) => GetText(name) is { } text ? ParseDuration(text) : null;

    /// <summary>
    /// The longest duration a timer, time-out or SLA may have. Far beyond any business need, and far enough inside
    /// DateTimeOffset's range (year 9999) that now + duration can always be scheduled.
    /// </summary>
    public static readonly TimeSpan MaxDuration = TimeSpan.FromDays(100 * 366);

    public static TimeSpan ParseDuration(string text)
    {
        TimeSpan duration;
        try
        {
            duration = XmlConvert.ToTimeSpan(text);
        }
        catch (Exception ex) when (ex is FormatException or OverflowException)
        {
            throw new ExpressionEvaluationException($"'{text}' is not an ISO 8601 duration such as PT4H or P2D, or it is too long to schedule.");
        }
        // Thrown as an evaluation error so that a definition stored before this check faults its instance with an
        // incident instead of failing every request that touches it.
        if (duration > MaxDuration || duration < -MaxDuration) throw new ExpressionEvaluationException($"'{text}' is longer than 100 years and cannot be scheduled.");
        return duration;
    }

    public object? Evaluate(string expression, IReadOnlyDictionary<string, object?>? overlay = null) =>
        CompiledExpression.Parse(expression).Evaluate(new ExpressionScope(State, Now, overlay));

    public bool EvaluateCondition(string expression, IReadOnlyDictionary<string, object?>? overlay = null) =>
        CompiledExpression.Parse(expression).EvaluateBoolean(new ExpressionScope(State, Now, overlay));

    /// <summary>Evaluates the expression held by input <paramref name="name"/>; null when the input is absent.</summary>
    public object? EvaluateInput(string name) => GetText(name) is { } expr ? Evaluate(expr) : null;

    public object? GetVariable(string name) => State.Variables.TryGetValue(name, out var v) ? v : null;

    public void SetVariable(string name, object? value) => _step.SetVariable(name, value);

    public void SetBusinessStatus(string? status, string? department = null) => _step.SetBusinessStatus(status, department);

    public Guid NewId() => _step.NewId();

    public string NewIdempotencyKey() => $"{State.Id:N}:{Activity.Id}:{State.Sequence + 1}";

    public Bookmark NewBookmark(BookmarkKind kind, DateTimeOffset? dueAt = null, string? eventName = null, string? correlationKey = null, JsonObject? data = null) => new()
    {
        Id = NewId(),
        Kind = kind,
        ActivityId = Activity.Id,
        ActivityType = Activity.Type,
        Branch = Branch,
        DueAt = dueAt,
        EventName = eventName,
        CorrelationKey = correlationKey,
        Data = data,
    };

    public void OpenTask(WorkTask task) => _step.OpenTask(task);

    public void RequestJob(JobRequest job) => _step.Result.Jobs.Add(job);

    public void StartChild(ChildStart child) => _step.Result.ChildStarts.Add(child);

    public void Journal(string kind, string? message = null, string? outcome = null) =>
        _step.Journal(kind, Activity, outcome, message: message);

    public static string Format(object? value) => value switch
    {
        null => "null",
        decimal d => d.ToString(CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
