using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Activities.BuiltIn;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.DryRun;

public sealed record DryRunStartRequest(JsonNode? Definition, JsonObject? Input);

public sealed record DryRunResume(string? Kind, Guid? TaskId, string? Action, string? Comment, JsonObject? Data, string? EventName, JsonNode? Payload, Guid? BookmarkId, string? Outcome, JsonObject? Outputs);

public sealed record DryRunResumeRequest(JsonNode? Definition, JsonNode? State, DryRunResume? Resume);

/// <param name="Fields">The action's form (ADR 7).</param>
/// <param name="Comment">required, optional or none.</param>
public sealed record DryRunAction(string Name, string DisplayName, string? Permission, IReadOnlyList<string> RequiredFields, IReadOnlyList<Tasks.FormFieldView> Fields, string Comment);

public sealed record DryRunTask(Guid TaskId, string ActivityId, string Title, string? Department, IReadOnlyList<DryRunAction> Actions);

public sealed record DryRunConnection(string Source, string Outcome, string Target);

public sealed record DryRunView(
    string Status, string? BusinessStatus, string? Department, JsonObject Variables, IReadOnlyList<DryRunTask> OpenTasks, IReadOnlyList<WaitView> Waits,
    IReadOnlyList<JournalEntryView> Journal, IReadOnlyList<string> VisitedActivities, IReadOnlyList<DryRunConnection> TraversedConnections, IReadOnlyList<string> Jobs);

public sealed record DryRunResponse(JsonNode State, DryRunView View);

/// <summary>
/// Runs a definition (saved or not) step by step in memory: nothing is stored, no outside system is called (jobs and
/// child flows wait for the analyst to pick their outcome), and the state travels with the request.
/// </summary>
public static class DryRunApi
{
    /// <summary>The caps of a dry run: the definition is the caller's, so its loops and growth are bounded here (README: request caps).</summary>
    public static readonly StepBudget Budget = new();

    private static WorkflowEngine Engine(WorkflowRunner runner, TimeProvider clock) =>
        new(runner.Engine.Registry, clock, new EngineOptions { Budget = Budget });

    private static void CheckVariables(string what, IReadOnlyDictionary<string, object?> variables)
    {
        long total = 0;
        foreach (var (name, value) in variables) total += Budget.Measure($"{what}.{name}", value) + name.Length + 4;
        if (total > Budget.MaxStateBytes) throw new StepLimitExceededException("maxStateBytes", $"{what} takes about {total} bytes; the cap is {Budget.MaxStateBytes}.");
    }

    public static void MapDryRunApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/dry-run").WithTags("Dry run").ProducesProblems(400, 401, 409, 422);
        group.MapPost("/start", Start).WithName("startDryRun").WithSummary("Dry-run a draft: start it without saving anything");
        group.MapPost("/resume", Resume).WithName("resumeDryRun").WithSummary("Dry-run a draft: take the next step");
    }

    private static async Task<Ok<DryRunResponse>> Start(DryRunStartRequest? request, ApprovalDbContext db, DefinitionService definitions, WorkflowRunner runner, TimeProvider clock, CancellationToken ct)
    {
        var definition = await ParseAsync(request?.Definition, db, definitions, ct);
        var input = InstancesApi.ToInput(request!.Input);
        CheckVariables("input", input);
        var step = Engine(runner, clock).Start(definition, new StartWorkflow
        {
            InstanceId = Guid.CreateVersion7(clock.GetUtcNow()),
            CorrelationId = "dry-run",
            Input = input,
            Actor = Actor.System("dry-run"),
            // A dry run persists nothing and stands in for whichever route would start the flow, domain ones included.
            DomainInputs = definition.Inputs.Where(i => i.IsDomainComputed).Select(i => i.Name).ToHashSet(StringComparer.Ordinal),
        });
        return TypedResults.Ok(Respond(definition, step));
    }

    private static async Task<Ok<DryRunResponse>> Resume(DryRunResumeRequest? request, ApprovalDbContext db, DefinitionService definitions, WorkflowRunner runner, TimeProvider clock, CancellationToken ct)
    {
        var definition = await ParseAsync(request?.Definition, db, definitions, ct);
        if (request!.State is null) throw ApiProblemException.Invalid("state", "state is required (send back the state of the previous response).");
        InstanceState state;
        try
        {
            state = InstanceStateJson.FromNode(request.State);
        }
        catch (JsonException ex)
        {
            // The state travels with the request: a mangled one is the client's error, named as such (not as its inner path).
            throw ApiProblemException.Invalid("state", $"state is not a state this server returned: {ex.Message.Split(" Path:", 2)[0]}");
        }
        if (state.DefinitionId != definition.Id) throw ApiProblemException.Invalid("state", "The state belongs to another definition.");
        var resume = request.Resume ?? throw ApiProblemException.Invalid("resume", "resume is required.");
        CheckVariables("state", state.Variables);
        var engine = Engine(runner, clock);
        var actor = Actor.System("dry-run");
        var kind = (resume.Kind ?? "").ToLowerInvariant();
        var step = kind switch
        {
            "action" => engine.CompleteTask(definition, state, new CompleteTask
            {
                TaskId = resume.TaskId ?? throw ApiProblemException.Invalid("resume.taskId", "taskId is required for an action."),
                Action = Require.Text(resume.Action, "resume.action", 100),
                Comment = resume.Comment,
                Data = InstancesApi.ToInput(resume.Data, "resume.data"),
                Actor = actor,
                DryRun = true,
            }),
            "event" => Event(engine, definition, state, resume, actor),
            "timer" => engine.FireTimer(definition, state, resume.BookmarkId ?? throw ApiProblemException.Invalid("resume.bookmarkId", "bookmarkId is required for a timer.")),
            "job" or "child" => engine.ResumeBookmark(definition, state, Waiting(state, resume.BookmarkId, kind == "job" ? BookmarkKind.Job : BookmarkKind.Child), new ResumeSignal
            {
                Outcome = Outcome(runner.Engine.Registry, definition, state, resume, kind),
                Outputs = InstancesApi.ToInput(resume.Outputs, "resume.outputs"),
                Actor = actor,
            }),
            _ => throw ApiProblemException.Invalid("resume.kind", "kind must be action, event, timer, job or child (the wait's kind, in any case)."),
        };
        return TypedResults.Ok(Respond(definition, step));
    }

    /// <summary>The job or child wait named by the resume; 422 naming resume.bookmarkId when the run does not wait there.</summary>
    private static Guid Waiting(InstanceState state, Guid? bookmarkId, BookmarkKind kind)
    {
        var id = bookmarkId ?? throw ApiProblemException.Invalid("resume.bookmarkId", "bookmarkId is required.");
        if (!state.Bookmarks.Any(b => b.Id == id && b.Kind == kind))
            throw ApiProblemException.Invalid("resume.bookmarkId", $"The run has no {kind.ToString().ToLowerInvariant()} wait {id}.");
        return id;
    }

    /// <summary>
    /// The result the analyst picked for an outside call or a child flow: one of the activity's outcomes (an outcome it
    /// cannot produce would end the run silently at a missing connection), defaulting to its first (Done for a job
    /// without declared outcomes, Completed for a child).
    /// </summary>
    private static string Outcome(ActivityRegistry registry, WorkflowDefinition definition, InstanceState state, DryRunResume resume, string kind)
    {
        var activity = definition.FindActivity(state.Bookmarks.First(b => b.Id == resume.BookmarkId).ActivityId)!;
        var fallback = kind == "child" ? "Completed" : "Done";
        var known = new List<string>();
        if (registry.TryGet(activity.Type, out var type)) known.AddRange(type.Descriptor.Outcomes);
        if (kind == "child" && activity.Inputs.TryGetPropertyValue("outcomes", out var listed) && listed is JsonArray names)
            known.AddRange(names.Select(n => n?.GetValueKind() == JsonValueKind.String ? n.GetValue<string>() : null).OfType<string>());
        known.AddRange(definition.Connections.Where(c => c.Source == activity.Id).Select(c => c.Outcome));
        known = [.. known.Distinct(StringComparer.Ordinal)];
        if (known.Count == 0) known.Add(fallback);
        if (resume.Outcome is null) return known[0];
        var outcome = Require.Text(resume.Outcome, "resume.outcome", 100);
        if (!known.Contains(outcome, StringComparer.Ordinal))
            throw ApiProblemException.Invalid("resume.outcome", $"{activity.DisplayName ?? activity.Id} cannot end with '{outcome}'; pick one of {string.Join(", ", known)}.");
        return outcome;
    }

    private static StepResult Event(WorkflowEngine engine, WorkflowDefinition definition, InstanceState state, DryRunResume resume, Actor actor)
    {
        var name = Require.Text(resume.EventName, "resume.eventName", 100);
        var payload = Workflows.Runtime.InstanceStateJson.VariablesFromJson(new JsonObject { ["p"] = resume.Payload?.DeepClone() })["p"];
        var bookmark = state.Bookmarks.FirstOrDefault(b => b.Kind == BookmarkKind.Event && b.EventName == name && (resume.BookmarkId is null || b.Id == resume.BookmarkId));
        return bookmark is not null
            ? engine.ResumeBookmark(definition, state, bookmark.Id, new ResumeSignal { Payload = payload, Actor = actor })
            : engine.Interrupt(definition, state, name, payload, actor);
    }

    private static async Task<WorkflowDefinition> ParseAsync(JsonNode? body, ApprovalDbContext db, DefinitionService definitions, CancellationToken ct)
    {
        var (definition, errors) = DefinitionService.Parse(body);
        if (definition is not null) errors.AddRange(await definitions.ValidateAsync(db, definition, ct));
        if (errors.Count > 0) throw DefinitionService.Invalid(errors);
        return definition!;
    }

    private static DryRunResponse Respond(WorkflowDefinition definition, StepResult step)
    {
        var state = step.State;
        var tasks = state.Bookmarks.Where(b => b.Kind == BookmarkKind.Task).Select(b =>
        {
            var activity = definition.FindActivity(b.ActivityId)!;
            var actions = UserTaskActivity.ReadActions(activity).Select(a => new DryRunAction(a.Name, a.DisplayName, a.Permission, a.RequiredFields, Tasks.FormFieldView.From(Forms.EffectiveFields(a)), Forms.CommentMode(a))).ToList();
            return new DryRunTask(b.TaskId!.Value, b.ActivityId, activity.DisplayName ?? activity.Id, b.Data?["department"]?.GetValue<string>(), actions);
        }).ToList();
        var traversed = new List<DryRunConnection>();
        foreach (var entry in step.Journal.Where(j => j.Kind == JournalKinds.ActivityCompleted && j.ActivityId is not null && j.Outcome is not null))
        {
            foreach (var outcome in entry.Outcome!.Split(','))
            {
                if (definition.FindConnection(entry.ActivityId!, outcome) is { } c) traversed.Add(new DryRunConnection(c.Source, c.Outcome, c.Target));
            }
        }
        var journal = step.Journal.Select((j, i) => InstanceViews.ToView(new Persistence.Entities.JournalRecord
        {
            Sequence = i + 1, Timestamp = j.Timestamp, Kind = j.Kind, ActivityId = j.ActivityId, ActivityType = j.ActivityType, Outcome = j.Outcome,
            UserId = j.UserId, Role = j.Role, Action = j.Action, Comment = j.Comment, Message = j.Message,
            ChangesJson = j.Changes.Count == 0 ? null : System.Text.Json.JsonSerializer.Serialize(j.Changes, System.Text.Json.JsonSerializerOptions.Web),
        })).ToList();
        var view = new DryRunView(
            state.Status.ToString(), state.BusinessStatus, state.Department, InstanceStateJson.VariablesToJson(state.Variables), tasks,
            [.. state.Bookmarks.Where(b => b.Kind is not BookmarkKind.Task and not BookmarkKind.TaskDue).Select(WaitView.Of)],
            journal, [.. state.Visited.Order(StringComparer.Ordinal)], traversed, [.. step.Jobs.Select(j => $"{j.ActivityType} ({j.ActivityId})")]);
        return new DryRunResponse(InstanceStateJson.ToNode(state), view);
    }
}
