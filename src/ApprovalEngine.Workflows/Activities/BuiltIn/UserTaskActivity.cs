using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Validation;
using TaskStatus = ApprovalEngine.Workflows.Runtime.TaskStatus;

namespace ApprovalEngine.Workflows.Activities.BuiltIn;

/// <summary>One action a person can take on a task; its name is the outcome.</summary>
public sealed record UserTaskAction(string Name, string DisplayName, string? Permission, string? Guard, string? GuardMessage, IReadOnlyList<string> RequiredFields)
{
    /// <summary>The action's form: the only data accepted with it (ADR 7). Empty: none beyond legacy <see cref="RequiredFields"/>.</summary>
    public IReadOnlyList<FormField> Fields { get; init; } = [];

    /// <summary><c>required</c>, <c>optional</c> or <c>none</c>; null means optional unless <see cref="RequiredFields"/> names "comment".</summary>
    public string? Comment { get; init; }

    /// <summary>Scopes that let a system (API key) take this action; none means no system may (ADR 7).</summary>
    public IReadOnlyList<string> Scopes { get; init; } = [];

    /// <summary>Four eyes: the actor must differ from the starter (<c>@starter</c>) and from the actors of these activities.</summary>
    public IReadOnlyList<string> DifferentFrom { get; init; } = [];
}

/// <summary>
/// A human step: sets the business status and department, opens a task in the department's inbox and waits for one
/// of its actions. With a due time (SLA) the task is flagged overdue and its priority raised when the time passes, or,
/// with <c>escalate</c>, the task is closed and the flow follows <c>Escalated</c>.
/// </summary>
public sealed class UserTaskActivity : IActivity
{
    public const string TypeName = "UserTask";
    public const string EscalatedOutcome = "Escalated";
    private static readonly ConditionalWeakTable<ActivityDefinition, IReadOnlyList<UserTaskAction>> ActionCache = [];

    public ActivityDescriptor Descriptor { get; } = new()
    {
        Type = TypeName,
        Category = "Human",
        DisplayName = "User task",
        Description = "A task in a department's inbox; each action is an outcome.",
        Inputs =
        [
            In.Put("title", InputKinds.Text, "Task title shown in the inbox.", displayName: "Title"),
            In.Put("status", InputKinds.Text, "Business status set when the task opens, e.g. ApprovedByCS.", displayName: "Business status"),
            In.Put("department", InputKinds.Text, "Department (candidate group) whose inbox gets the task.", required: true, displayName: "Department"),
            In.Put("priority", InputKinds.Number, "Initial priority (higher is more urgent).", displayName: "Priority"),
            In.Put("dueIn", InputKinds.Duration, "SLA: ISO 8601 duration after which the task is overdue.", displayName: "Due in (SLA)"),
            In.Put("escalate", InputKinds.Boolean, "When overdue, close the task and follow Escalated instead of only flagging it.", displayName: "Escalate"),
            In.Put("actions", InputKinds.Actions, "Actions offered: name, display name, permission, guard, required fields.", required: true, displayName: "Actions"),
        ],
        DynamicOutcomes = "actions",
        IsWaitState = true,
    };

    public ActivityResult Execute(ActivityContext context)
    {
        var department = context.GetText("department");
        context.SetBusinessStatus(context.GetText("status"), department);
        var priority = (int)(context.GetNumber("priority") ?? 0);
        context.State.Priority = priority;
        var taskId = context.NewId();
        var dueIn = context.Step.Options.DueTimeOverride?.Invoke(context.Definition.Id, context.Activity.Id, context.State.BusinessStatus)
            ?? context.GetDuration("dueIn");
        DateTimeOffset? dueAt = dueIn is { } d ? context.Now + d : null;
        var task = context.NewBookmark(BookmarkKind.Task, data: new JsonObject { ["department"] = department }) with { TaskId = taskId };
        context.OpenTask(new WorkTask
        {
            Id = taskId,
            InstanceId = context.State.Id,
            DefinitionId = context.Definition.Id,
            DefinitionVersion = context.Definition.Version,
            ActivityId = context.Activity.Id,
            Title = context.GetText("title") ?? context.Activity.DisplayName ?? context.Activity.Id,
            BusinessStatus = context.State.BusinessStatus,
            Department = department,
            CorrelationId = context.State.CorrelationId,
            Priority = priority,
            DueAt = dueAt,
            CreatedAt = context.Now,
        });
        if (dueAt is null) return ActivityResult.Suspend(task);
        var due = context.NewBookmark(BookmarkKind.TaskDue, dueAt: dueAt) with { TaskId = taskId };
        return ActivityResult.Suspend(task, due);
    }

    public ActivityResult Resume(ActivityContext context, Bookmark bookmark, ResumeSignal signal)
    {
        if (bookmark.Kind == BookmarkKind.TaskDue)
        {
            var task = context.State.Bookmarks.FirstOrDefault(b => b.Kind == BookmarkKind.Task && b.TaskId == bookmark.TaskId);
            if (task is null) return ActivityResult.Stop;
            if (context.GetBoolean("escalate"))
            {
                context.Step.RemoveBookmark(task);
                context.Journal(JournalKinds.TaskOverdue, "The task was overdue and escalated.");
                return ActivityResult.Outcome(EscalatedOutcome);
            }
            context.State.Priority += 1;
            context.Step.Result.TasksUpdated.Add(new TaskUpdate(task.TaskId!.Value, Overdue: true, Priority: context.State.Priority));
            context.Journal(JournalKinds.TaskOverdue, $"The task is overdue; priority raised to {context.State.Priority}.");
            return ActivityResult.Stop;
        }

        var action = ReadActions(context.Activity).First(a => a.Name == signal.Action);
        // The engine has checked the data against the action's form; each field writes only its own declared
        // variable, and never one the flow owns (read-only), whatever reached this point.
        foreach (var field in Forms.EffectiveFields(action))
        {
            if (!signal.Data.TryGetValue(field.Name, out var value)) continue;
            if (Forms.TargetVariable(context.Definition, field) is not { } target) continue;
            if (context.Definition.Variables.Any(v => v.Name == target && v.ReadOnly)) continue;
            context.SetVariable(target, value);
        }
        if (context.Definition.Variables.Any(v => v.Name == "lastComment") && signal.Comment is not null) context.SetVariable("lastComment", signal.Comment);
        context.Step.Journal(JournalKinds.TaskCompleted, context.Activity, outcome: action.Name, action: action.Name, comment: signal.Comment);
        return ActivityResult.Outcome(action.Name);
    }

    public IReadOnlyList<string> GetOutcomes(ActivityDefinition activity)
    {
        var names = ReadActions(activity).Select(a => a.Name).ToList();
        if (activity.Inputs["escalate"] is JsonValue v && v.TryGetValue<bool>(out var e) && e) names.Add(EscalatedOutcome);
        return names;
    }

    public void Validate(ActivityDefinition activity, ActivityValidationContext validation)
    {
        var actions = ReadActions(activity);
        if (actions.Count == 0) validation.Error("actions", "A user task needs at least one action.");
        validation.CheckUnique("actions", actions.Select(a => a.Name));
        for (var i = 0; i < actions.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(actions[i].Name)) validation.Error($"actions/{i}/name", "An action needs a name.");
            if (actions[i].Guard is { } guard)
            {
                validation.CheckExpression($"actions/{i}/guard", guard, ExpressionType.Boolean, taskGuard: true);
            }
        }
        validation.CheckDuration("dueIn");
    }

    public static IReadOnlyList<UserTaskAction> ReadActions(ActivityDefinition activity) =>
        ActionCache.GetValue(activity, static a => a.Inputs["actions"] is JsonArray array
            ? [.. array.Select(Parse)]
            : []);

    private static UserTaskAction Parse(JsonNode? n)
    {
        var name = n?["name"]?.GetValue<string>() ?? "";
        return new UserTaskAction(
            name,
            n?["displayName"]?.GetValue<string>() ?? name,
            n?["permission"]?.GetValue<string>(),
            n?["guard"]?.GetValue<string>() is { Length: > 0 } g ? g : null,
            n?["guardMessage"]?.GetValue<string>(),
            n?["requiredFields"] is JsonArray fields ? [.. fields.Select(f => f?.GetValue<string>() ?? "")] : [])
        {
            Fields = n?["fields"] is JsonArray form
                ? [.. form.Select(f => f.Deserialize<FormField>(DefinitionJson.Options) ?? throw new JsonException("A form field must be an object."))]
                : [],
            Comment = n?["comment"]?.GetValue<string>(),
            Scopes = n?["scopes"] is JsonArray scopes ? [.. scopes.Select(x => x?.GetValue<string>() ?? "")] : [],
            DifferentFrom = n?["differentFrom"] is JsonArray others ? [.. others.Select(x => x?.GetValue<string>() ?? "")] : [],
        };
    }
}
