using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Workflows.Replay;

/// <summary>Why a replay stopped before its last command.</summary>
/// <param name="Index">The command's position in the history (0-based).</param>
/// <param name="MissingActivity">The command names an activity the definition no longer has.</param>
public sealed record ReplayStop(int Index, string Kind, Guid InstanceId, string? ActivityId, string Message, bool MissingActivity);

/// <summary>What a replay produced: the outcome (<see cref="HistoryOutcome"/>) and, if it could not apply every command, where it stopped.</summary>
public sealed record ReplayResult(JsonObject Outcome, ReplayStop? Stop);

/// <summary>
/// Feeds a recorded history to a host: publishes its definition versions (or a draft in place of one), then applies
/// each command on the recorded clock. Tasks and bookmarks are found by their recorded id, else by the activity they
/// wait at, so a draft that shifts ids but keeps the path still replays. Nothing calls an outside system: their
/// results are in the history.
/// </summary>
public static class HistoryReplayer
{
    public static async Task<ReplayResult> ReplayAsync(RecordedHistory history, IHistoryHost host, IReadOnlyDictionary<string, WorkflowDefinition>? replacing = null)
    {
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(host);
        foreach (var recorded in history.Definitions)
        {
            var definition = replacing is not null && replacing.TryGetValue(recorded.Id, out var draft) ? draft with { Version = recorded.Version } : recorded.Parse();
            await host.PublishAsync(definition);
        }
        ReplayStop? stop = null;
        for (var i = 0; i < history.Commands.Count; i++)
        {
            var command = history.Commands[i];
            host.Clock.Set(command.At);
            try
            {
                await ApplyAsync(host, command);
            }
            catch (WorkflowException ex)
            {
                var activityId = (string?)(command.Args["activityId"] as JsonValue);
                var missing = ex is ReplayDivergenceException { MissingActivity: true };
                stop = new ReplayStop(i, command.Kind, command.InstanceId, activityId, ex.Message, missing);
                break;
            }
        }
        return new ReplayResult(await HistoryOutcome.CaptureAsync(host, history.RootInstanceId), stop);
    }

    private static async Task ApplyAsync(IHistoryHost host, StepCommand c)
    {
        var engine = host.Engine;
        var a = c.Args;
        switch (c.Kind)
        {
            case StepCommandKinds.Start:
            {
                var definition = await host.DefinitionAsync((string)a["definitionId"]!, (int)a["definitionVersion"]!);
                await host.StartAsync(engine.Start(definition, new StartWorkflow
                {
                    InstanceId = c.InstanceId,
                    CorrelationId = (string?)a["correlationId"],
                    Input = StepCommand.ValuesFrom(a["input"]),
                    Actor = c.Actor,
                    DomainInputs = a["domainInputs"] is JsonArray names ? names.Select(n => (string)n!).ToHashSet(StringComparer.Ordinal) : new HashSet<string>(),
                    StartedBy = (string?)a["startedBy"],
                    RequestedBy = (string?)a["requestedBy"],
                    ParentInstanceId = a["parentInstanceId"] is JsonValue p ? Guid.Parse((string)p!) : null,
                    ParentBookmarkId = a["parentBookmarkId"] is JsonValue b ? Guid.Parse((string)b!) : null,
                }));
                return;
            }
            case StepCommandKinds.CompleteTask:
                await host.StepAsync(c.InstanceId, (definition, state) =>
                {
                    var bookmark = Find(definition, state, (string?)a["taskId"], (string?)a["activityId"], BookmarkKind.Task, byTask: true);
                    return engine.CompleteTask(definition, state, new CompleteTask
                    {
                        TaskId = bookmark.TaskId!.Value,
                        Action = (string)a["action"]!,
                        Comment = (string?)a["comment"],
                        Data = StepCommand.ValuesFrom(a["data"]),
                        Actor = c.Actor,
                        Facts = StepCommand.ValuesFrom(a["facts"]),
                    });
                });
                return;
            case StepCommandKinds.Resume:
                await host.StepAsync(c.InstanceId, (definition, state) =>
                {
                    var kind = Enum.Parse<BookmarkKind>((string)a["bookmarkKind"]!);
                    var bookmark = Find(definition, state, (string?)a["bookmarkId"], (string?)a["activityId"], kind, byTask: false);
                    return engine.ResumeBookmark(definition, state, bookmark.Id, new ResumeSignal
                    {
                        Action = (string?)a["action"],
                        Comment = (string?)a["comment"],
                        Data = StepCommand.ValuesFrom(a["data"]),
                        Payload = ExpressionValues.FromJsonNode(a["payload"]),
                        Outcome = (string?)a["outcome"],
                        Outputs = StepCommand.ValuesFrom(a["outputs"]),
                        Actor = c.Actor,
                    });
                });
                return;
            case StepCommandKinds.FireTimer:
                await host.StepAsync(c.InstanceId, (definition, state) =>
                {
                    var recordedId = Guid.Parse((string)a["bookmarkId"]!);
                    // A timer that found nothing to fire when recorded replays as that same no-op.
                    if (a["activityId"] is null) return engine.FireTimer(definition, state, recordedId);
                    var kind = Enum.Parse<BookmarkKind>((string)a["bookmarkKind"]!);
                    return engine.FireTimer(definition, state, Find(definition, state, (string?)a["bookmarkId"], (string?)a["activityId"], kind, byTask: false).Id);
                });
                return;
            case StepCommandKinds.Interrupt:
                await host.StepAsync(c.InstanceId, (definition, state) => engine.Interrupt(definition, state, (string)a["event"]!, ExpressionValues.FromJsonNode(a["payload"]), c.Actor));
                return;
            case StepCommandKinds.Cancel:
                await host.StepAsync(c.InstanceId, (definition, state) => engine.Cancel(definition, state, (string?)a["reason"] ?? "", c.Actor));
                return;
            case StepCommandKinds.RetryFault:
                await host.StepAsync(c.InstanceId, (definition, state) => engine.RetryFault(definition, state, (string)a["activityId"]!, c.Actor));
                return;
            case StepCommandKinds.Note:
                await host.StepAsync(c.InstanceId, (definition, state) => engine.Note(definition, state, (string)a["kind"]!, (string?)a["message"] ?? "", c.Actor, (string?)a["comment"]));
                return;
            case StepCommandKinds.UpdateVariables:
                await host.StepAsync(c.InstanceId, (definition, state) => engine.UpdateVariables(definition, state, StepCommand.ValuesFrom(a["changes"]), (string?)a["action"] ?? "", c.Actor, (string?)a["comment"]));
                return;
            case StepCommandKinds.CompleteCall:
                await host.StepAsync(c.InstanceId, (definition, state) => engine.CompleteCall(definition, state,
                    Find(definition, state, (string?)a["bookmarkId"], (string?)a["activityId"], BookmarkKind.Job, byTask: false).Id,
                    new ResumeSignal { Outcome = (string?)a["outcome"], Outputs = StepCommand.ValuesFrom(a["outputs"]), Actor = c.Actor }));
                return;
            case StepCommandKinds.AbandonedCall:
                await host.StepAsync(c.InstanceId, (definition, state) => engine.AbandonedCallResult(definition, state, Guid.Parse((string)a["bookmarkId"]!),
                    (string)a["activityId"]!, (string)a["activityType"]!,
                    new ResumeSignal { Outcome = (string?)a["outcome"], Outputs = StepCommand.ValuesFrom(a["outputs"]), Actor = c.Actor }));
                return;
            case StepCommandKinds.CallFailed:
                await host.StepAsync(c.InstanceId, (definition, state) => engine.CallFailed(definition, state,
                    a["activityId"] is null ? Guid.Parse((string)a["bookmarkId"]!) : Find(definition, state, (string?)a["bookmarkId"], (string?)a["activityId"], BookmarkKind.Job, byTask: false).Id,
                    (string?)a["message"] ?? "", c.Actor));
                return;
            case StepCommandKinds.RetryCall:
                await host.StepAsync(c.InstanceId, (definition, state) => engine.RetryCall(definition, state,
                    Find(definition, state, (string?)a["bookmarkId"], (string?)a["activityId"], BookmarkKind.Job, byTask: false).Id, (string?)a["message"] ?? "", c.Actor));
                return;
            case StepCommandKinds.Migrate:
                // The history runs on two versions from here on; a replay on one version (or a draft in its place)
                // cannot tell what it should have done, so it says so rather than guess.
                throw new ReplayDivergenceException($"The instance was moved from v{(int?)a["fromVersion"]} to v{(int?)a["toVersion"]} (instance migration); its history is not replayed across versions.", missingActivity: false);
            default:
                throw new ReplayDivergenceException($"Unknown command kind '{c.Kind}'.", missingActivity: false);
        }
    }

    /// <summary>The recorded bookmark, or the single one of its kind waiting at the same activity.</summary>
    private static Bookmark Find(WorkflowDefinition definition, InstanceState state, string? recordedId, string? activityId, BookmarkKind kind, bool byTask)
    {
        if (recordedId is not null && Guid.TryParse(recordedId, out var id))
        {
            var exact = state.Bookmarks.FirstOrDefault(b => b.Kind == kind && (byTask ? b.TaskId == id : b.Id == id) && b.ActivityId == activityId);
            if (exact is not null) return exact;
        }
        var candidates = state.Bookmarks.Where(b => b.Kind == kind && b.ActivityId == activityId).ToList();
        if (candidates.Count == 1) return candidates[0];
        if (activityId is not null && definition.FindActivity(activityId) is null)
        {
            throw new ReplayDivergenceException($"'{activityId}' is not an activity of {definition.Id} any more.", missingActivity: true);
        }
        var waiting = state.Bookmarks.Count == 0 ? "nothing" : string.Join(", ", state.Bookmarks.Select(b => $"{b.Kind} at {b.ActivityId}"));
        throw new ReplayDivergenceException(candidates.Count == 0
            ? $"The instance does not wait at '{activityId}' ({kind}); it waits at {waiting} (status {state.Status}, {state.BusinessStatus})."
            : $"The instance waits {candidates.Count} times at '{activityId}' ({kind}); the recorded one is gone.", missingActivity: false);
    }
}

/// <summary>A recorded command has nothing to act on in the replay: the path went elsewhere.</summary>
public sealed class ReplayDivergenceException(string message, bool missingActivity) : WorkflowException(message)
{
    public bool MissingActivity { get; } = missingActivity;
}
