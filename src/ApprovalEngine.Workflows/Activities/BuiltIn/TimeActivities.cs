using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Validation;

namespace ApprovalEngine.Workflows.Activities.BuiltIn;

public sealed class DelayActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Delay",
        Category = "Time",
        DisplayName = "Delay",
        Description = "Waits for a duration (durable timer).",
        Inputs = [In.Put("duration", InputKinds.Duration, "ISO 8601 duration, e.g. PT15M.", required: true, displayName: "Duration")],
        Outcomes = ["Done"],
        IsWaitState = true,
    };

    public ActivityResult Execute(ActivityContext context) =>
        ActivityResult.Suspend(context.NewBookmark(BookmarkKind.Timer, dueAt: context.Now + context.GetDuration("duration")!.Value));

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, ResumeSignal signal) => ActivityResult.Done;

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation) => validation.CheckDuration("duration");
}

/// <summary>A repeating timer: follows Tick on every interval, then Done after the last one.</summary>
public sealed class TimerActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Timer",
        Category = "Time",
        DisplayName = "Timer",
        Description = "Fires Tick every interval, Count times, then Done.",
        Inputs =
        [
            In.Put("interval", InputKinds.Duration, "ISO 8601 duration between ticks.", required: true, displayName: "Interval"),
            In.Put("count", InputKinds.Number, "How many ticks (default 1).", displayName: "Count"),
        ],
        Outcomes = ["Tick", "Done"],
        IsWaitState = true,
    };

    public ActivityResult Execute(ActivityContext context) => Arm(context, 1);

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, ResumeSignal signal)
    {
        var tick = bookmark.Data?["tick"]?.GetValue<int>() ?? 1;
        var count = (int)(context.GetNumber("count") ?? 1);
        if (tick >= count) return ActivityResult.Many(["Tick", "Done"]);
        var next = context.NewBookmark(BookmarkKind.Timer, dueAt: context.Now + context.GetDuration("interval")!.Value, data: new JsonObject { ["tick"] = tick + 1 });
        return ActivityResult.OutcomeAndWait("Tick", next);
    }

    private static ActivityResult Arm(ActivityContext context, int tick) =>
        ActivityResult.Suspend(context.NewBookmark(BookmarkKind.Timer, dueAt: context.Now + context.GetDuration("interval")!.Value, data: new JsonObject { ["tick"] = tick }));

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation) => validation.CheckDuration("interval");
}

public sealed class WaitUntilActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "WaitUntil",
        Category = "Time",
        DisplayName = "Wait until",
        Description = "Waits until a point in time computed by an expression (continues at once if it has passed).",
        Inputs = [In.Put("at", InputKinds.Expression, "Expression giving a date-time, e.g. addDays(createdAt, 3).", required: true, displayName: "At")],
        Outcomes = ["Done"],
        IsWaitState = true,
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var at = context.EvaluateInput("at") switch
        {
            DateTimeOffset d => d,
            string s when DateTimeOffset.TryParse(s, System.Globalization.CultureInfo.InvariantCulture, System.Globalization.DateTimeStyles.AssumeUniversal, out var d) => d,
            var other => throw new ActivityFailedException($"'at' must be a date-time, got {ActivityContext.Format(other)}."),
        };
        return at <= context.Now ? ActivityResult.Done : ActivityResult.Suspend(context.NewBookmark(BookmarkKind.Timer, dueAt: at));
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, ResumeSignal signal) => ActivityResult.Done;

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation) => validation.CheckExpression("at", null);
}

public sealed class CronActivity(ICronSchedule cron) : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "Cron",
        Category = "Time",
        DisplayName = "Cron",
        Description = "Waits for the next occurrence of a Quartz cron expression (e.g. the next batch cut-off).",
        Inputs = [In.Put("cron", InputKinds.Cron, "Quartz cron, e.g. 0 0 16 ? * MON-FRI.", required: true, displayName: "Cron")],
        Outcomes = ["Done"],
        IsWaitState = true,
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var next = cron.Next(context.GetText("cron")!, context.Now, out var error)
            ?? throw new ActivityFailedException(error ?? "The cron expression never fires again.");
        return ActivityResult.Suspend(context.NewBookmark(BookmarkKind.Timer, dueAt: next));
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, ResumeSignal signal) => ActivityResult.Done;

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation)
    {
        if (activity.Inputs["cron"] is JsonValue v && v.TryGetValue<string>(out var text) && cron.Next(text, DateTimeOffset.UnixEpoch, out var error) is null && error is not null)
        {
            validation.Error("cron", error);
        }
    }
}

/// <summary>Waits for a named external event (bank result, block confirmations, …) matched by correlation key.</summary>
public sealed class WaitForEventActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "WaitForEvent",
        Category = "Events",
        DisplayName = "Wait for event",
        Description = "Waits for POST /api/events/{name} with a matching correlation id; optional time-out.",
        Inputs =
        [
            In.Put("event", InputKinds.Text, "Event name.", required: true, displayName: "Event"),
            In.Put("correlation", InputKinds.Expression, "Correlation key expression (default: the instance's correlation id).", displayName: "Correlation"),
            In.Put("resultVariable", InputKinds.Text, "Variable that receives the event payload.", displayName: "Result variable"),
            In.Put("timeout", InputKinds.Duration, "ISO 8601 duration after which TimedOut is followed.", displayName: "Time-out"),
        ],
        Outcomes = ["Received", "TimedOut"],
        IsWaitState = true,
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var correlation = context.GetText("correlation") is { } expr ? ActivityContext.Format(context.Evaluate(expr)) : context.State.CorrelationId;
        var wait = context.NewBookmark(BookmarkKind.Event, eventName: context.GetText("event"), correlationKey: correlation);
        if (context.GetDuration("timeout") is not { } timeout) return ActivityResult.Suspend(wait);
        var timer = context.NewBookmark(BookmarkKind.Timer, dueAt: context.Now + timeout, data: new JsonObject { ["pair"] = wait.Id.ToString() });
        wait = wait with { Data = new JsonObject { ["pair"] = timer.Id.ToString() } };
        return ActivityResult.Suspend(wait, timer);
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, ResumeSignal signal)
    {
        if (bookmark.Data?["pair"]?.GetValue<string>() is { } pair && Guid.TryParse(pair, out var pairId)
            && context.State.Bookmarks.FirstOrDefault(b => b.Id == pairId) is { } other)
        {
            context.Step.RemoveBookmark(other);
        }
        if (bookmark.Kind == BookmarkKind.Timer) return ActivityResult.Outcome("TimedOut");
        if (context.GetText("resultVariable") is { } variable) context.SetVariable(variable, signal.Payload);
        context.Journal(JournalKinds.EventReceived, bookmark.EventName, "Received");
        return ActivityResult.Outcome("Received");
    }

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation)
    {
        validation.CheckExpression("correlation", null);
        validation.CheckDuration("timeout");
        if (activity.Inputs["resultVariable"] is JsonValue v && v.TryGetValue<string>(out var name)) validation.CheckVariableName("resultVariable", name);
    }
}

/// <summary>Runs another published definition as a child and continues on the child's outcome.</summary>
public sealed class CallWorkflowActivity : IActivity
{
    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = "CallWorkflow",
        Category = "Flow",
        DisplayName = "Call workflow",
        Description = "Starts a child instance of another definition (e.g. a reusable work-order approval) and waits for it.",
        Inputs =
        [
            In.Put("definition", InputKinds.Definition, "Id of the definition to run.", required: true, displayName: "Definition"),
            In.Put("input", InputKinds.Assignments, "Child input: name and expression.", displayName: "Input"),
            In.Put("outcomes", InputKinds.StringList, "Outcomes of the child (its End outcomes) to branch on; anything else is Completed.", displayName: "Outcomes"),
            In.Put("resultVariable", InputKinds.Text, "Variable that receives the child's variables.", displayName: "Result variable"),
        ],
        Outcomes = ["Completed", "Cancelled"],
        DynamicOutcomes = "outcomes",
        IsWaitState = true,
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var input = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var (name, value) in SetVariablesActivity.ReadAssignments(context.Activity, "input"))
        {
            input[name] = context.Evaluate(value);
        }
        var childId = context.NewId();
        var wait = context.NewBookmark(BookmarkKind.Child) with { ChildInstanceId = childId };
        context.StartChild(new ChildStart(childId, context.GetText("definition")!, context.State.Id, wait.Id, input, context.State.CorrelationId)
        {
            StartedBy = context.State.StartedBy,
            RequestedBy = context.Actor.IsSystem ? context.State.RequestedBy : context.Actor.UserId,
        });
        return ActivityResult.Suspend(wait);
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, ResumeSignal signal)
    {
        if (context.GetText("resultVariable") is { } variable) context.SetVariable(variable, signal.Outputs);
        var outcome = signal.Outcome ?? "Completed";
        return ActivityResult.Outcome(GetOutcomes(context.Activity).Contains(outcome) ? outcome : "Completed");
    }

    public IReadOnlyList<string> GetOutcomes(ActivityDefinition activity)
    {
        var list = new List<string>(Descriptor.Outcomes);
        if (activity.Inputs["outcomes"] is JsonArray a) list.AddRange(a.Select(n => n?.GetValue<string>() ?? "").Where(n => !list.Contains(n)));
        return list;
    }

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation)
    {
        if (activity.Inputs["definition"] is JsonValue v && v.TryGetValue<string>(out var id)) validation.CheckDefinitionExists("definition", id);
        var list = SetVariablesActivity.ReadAssignments(activity, "input");
        for (var i = 0; i < list.Count; i++) validation.CheckExpression($"input/{i}/value", list[i].Value, null);
    }
}
