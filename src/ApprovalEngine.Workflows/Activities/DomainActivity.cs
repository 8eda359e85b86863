using System.Reflection;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Validation;

namespace ApprovalEngine.Workflows.Activities;

/// <summary>Describes a domain activity class for the designer.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class ActivityAttribute(string type, string category, string displayName) : Attribute
{
    public string Type { get; } = type;
    public string Category { get; } = category;
    public string DisplayName { get; } = displayName;
    public string Description { get; init; } = "";

    /// <summary>Outcomes besides Done, e.g. "Insufficient".</summary>
    public string[] Outcomes { get; init; } = ["Done"];

    /// <summary>The outside call moves money (see <see cref="ActivityDescriptor.MovesMoney"/>).</summary>
    public bool MovesMoney { get; init; }

    /// <summary>Outcomes after which the call certainly moved nothing (e.g. "Refused").</summary>
    public string[] NothingMovedOutcomes { get; init; } = [];
}

/// <summary>Describes one input or output property of a domain activity.</summary>
[AttributeUsage(AttributeTargets.Property)]
public sealed class DescriptionAttribute(string text) : Attribute
{
    public string Text { get; } = text;
}

/// <summary>What a domain activity returns: the outcome to follow and its outputs.</summary>
public sealed record DomainResult<TOutput>(string Outcome, TOutput? Output)
{
    public static DomainResult<TOutput> Done(TOutput output) => new("Done", output);
}

/// <summary>
/// Shared plumbing of typed domain activities: the descriptor comes from the input/output record's properties;
/// every input is an expression evaluated over the variables; outputs are written to the variables named in the
/// activity's <c>outputs</c> mapping, or to declared variables of the same name.
/// </summary>
public abstract class TypedActivityBase<TInput, TOutput> : IActivity where TInput : new()
{
    private static readonly PropertyInfo[] InputProperties = typeof(TInput).GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.CanWrite).ToArray();
    private static readonly PropertyInfo[] OutputProperties = typeof(TOutput).GetProperties(BindingFlags.Public | BindingFlags.Instance).ToArray();

    protected TypedActivityBase(bool isWaitState)
    {
        var meta = GetType().GetCustomAttribute<ActivityAttribute>()
            ?? throw new InvalidOperationException($"{GetType().Name} needs an [Activity] attribute.");
        Descriptor = new ActivityDescriptor
        {
            Type = meta.Type,
            Category = meta.Category,
            DisplayName = meta.DisplayName,
            Description = meta.Description,
            Outcomes = meta.Outcomes,
            IsWaitState = isWaitState,
            MovesMoney = meta.MovesMoney,
            NothingMovedOutcomes = meta.NothingMovedOutcomes,
            Inputs =
            [
                .. InputProperties.Select(p => new ActivityInputDescriptor
                {
                    Name = JsonNamingPolicy.CamelCase.ConvertName(p.Name),
                    DisplayName = p.Name,
                    Kind = InputKinds.Expression,
                    Required = p.GetCustomAttribute<System.ComponentModel.DataAnnotations.RequiredAttribute>() is not null,
                    Description = p.GetCustomAttribute<DescriptionAttribute>()?.Text ?? "",
                }),
                new ActivityInputDescriptor { Name = "outputs", DisplayName = "Outputs", Kind = InputKinds.Assignments, Description = "Output name → variable (value = variable name)." },
            ],
            Outputs = [.. OutputProperties.Select(p => new ActivityOutputDescriptor(JsonNamingPolicy.CamelCase.ConvertName(p.Name), TypeName(p.PropertyType), p.GetCustomAttribute<DescriptionAttribute>()?.Text ?? ""))],
        };
    }

    public ActivityDescriptor Descriptor { get; }

    public abstract ActivityResult Execute(ActivityContext context);

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation)
    {
        foreach (var input in Descriptor.Inputs.Where(i => i.Kind == InputKinds.Expression))
        {
            validation.CheckExpression(input.Name, null);
        }
    }

    protected static JsonObject EvaluateInputs(ActivityContext context)
    {
        var json = new JsonObject();
        foreach (var p in InputProperties)
        {
            var name = JsonNamingPolicy.CamelCase.ConvertName(p.Name);
            if (context.GetText(name) is { } expression) json[name] = ExpressionValues.ToJsonNode(context.Evaluate(expression));
        }
        return json;
    }

    protected static TInput Bind(JsonObject input)
    {
        try
        {
            return input.Deserialize<TInput>(DefinitionJson.Options) ?? new TInput();
        }
        catch (JsonException ex)
        {
            throw new ActivityFailedException($"Inputs of the wrong type: {ex.Message}");
        }
    }

    protected static void WriteOutputs(ActivityContext context, TOutput? output) =>
        WriteOutputs(context, output is null ? null : JsonSerializer.SerializeToNode(output, DefinitionJson.Options) as JsonObject);

    internal static void WriteOutputs(ActivityContext context, JsonObject? outputs)
    {
        if (outputs is null) return;
        var mapping = Activities.BuiltIn.SetVariablesActivity.ReadAssignments(context.Activity, "outputs").ToDictionary(m => m.Name, m => m.Value);
        foreach (var (name, node) in outputs)
        {
            var target = mapping.TryGetValue(name, out var mapped) ? mapped
                : context.Definition.Variables.Any(v => v.Name == name) ? name : null;
            if (target is not null) context.SetVariable(target, ExpressionValues.FromJsonNode(node));
        }
    }

    private static string TypeName(Type t)
    {
        t = Nullable.GetUnderlyingType(t) ?? t;
        if (t == typeof(decimal) || t == typeof(int) || t == typeof(long)) return "number";
        if (t == typeof(bool)) return "boolean";
        if (t == typeof(string)) return "string";
        if (t == typeof(DateTimeOffset)) return "datetime";
        return "any";
    }
}

/// <summary>
/// A domain activity that runs inside the step: reads variables, decides and writes its outputs to variables. No I/O
/// and no rows of its own: what a domain keeps in tables is derived from the step by a step observer. One small class
/// per activity.
/// </summary>
public abstract class DomainActivity<TInput, TOutput> : TypedActivityBase<TInput, TOutput> where TInput : new()
{
    protected DomainActivity() : base(isWaitState: false)
    {
    }

    protected abstract DomainResult<TOutput> Run(TInput input, ActivityContext context);

    public sealed override ActivityResult Execute(ActivityContext context)
    {
        var result = Run(Bind(EvaluateInputs(context)), context);
        WriteOutputs(context, result.Output);
        return ActivityResult.Outcome(result.Outcome);
    }
}

/// <summary>Context of an outside call made by a worker after the commit.</summary>
public sealed record ExternalCallContext(Guid InstanceId, string ActivityId, string IdempotencyKey, int Attempt);

/// <summary>
/// A domain activity that calls an outside system (ledger, bank, blockchain). The step only records a job; a worker
/// runs <see cref="RunAsync"/> after the commit, at least once, with an idempotency key that stays the same across
/// retries, and resumes the instance with the result. Failures are retried with backoff, then become incidents.
/// </summary>
public abstract class ExternalActivity<TInput, TOutput> : TypedActivityBase<TInput, TOutput>, IActivity, IExternalActivity where TInput : new()
{
    protected ExternalActivity() : base(isWaitState: true)
    {
    }

    protected abstract Task<DomainResult<TOutput>> RunAsync(TInput input, ExternalCallContext call, CancellationToken cancellationToken);

    public sealed override ActivityResult Execute(ActivityContext context)
    {
        var input = EvaluateInputs(context);
        var key = context.NewIdempotencyKey();
        var bookmark = context.NewBookmark(BookmarkKind.Job, data: new JsonObject { ["input"] = input, ["idempotencyKey"] = key });
        context.RequestJob(new JobRequest(bookmark.Id, context.State.Id, context.Activity.Id, context.Activity.Type, input, key));
        return ActivityResult.Suspend(bookmark);
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, ResumeSignal signal)
    {
        WriteOutputs(context, ExpressionValues.ToJsonNode(signal.Outputs) as JsonObject);
        context.Journal(JournalKinds.JobCompleted, $"{Descriptor.DisplayName} finished: {signal.Outcome}", signal.Outcome);
        return ActivityResult.Outcome(signal.Outcome ?? "Done");
    }

    public async Task<ExternalCallResult> CallAsync(JsonObject input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        var result = await RunAsync(Bind(input), call, cancellationToken);
        var outputs = result.Output is null ? null : ExpressionValues.FromJsonNode(JsonSerializer.SerializeToNode(result.Output, DefinitionJson.Options)) as IReadOnlyDictionary<string, object?>;
        return new ExternalCallResult(result.Outcome, outputs ?? new Dictionary<string, object?>());
    }
}

/// <summary>What a worker needs to run a job without knowing its types.</summary>
public interface IExternalActivity
{
    Task<ExternalCallResult> CallAsync(JsonObject input, ExternalCallContext call, CancellationToken cancellationToken);
}

/// <summary>
/// An outside call the outside system can be asked to call off (ADR 10), implemented where the adapter supports it.
/// The host asks when the instance is cancelled while the call is in flight; the call's own result still decides what
/// the journal records (a cancelled call reports its refusal like any other result).
/// </summary>
public interface ICancellableExternalActivity
{
    /// <returns>True when the outside system promised the call will not act; false when it is too late or unknown.</returns>
    Task<bool> TryCancelAsync(JsonObject input, ExternalCallContext call, CancellationToken cancellationToken);
}

public sealed record ExternalCallResult(string Outcome, IReadOnlyDictionary<string, object?> Outputs);
