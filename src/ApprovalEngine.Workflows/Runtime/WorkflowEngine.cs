using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Activities.BuiltIn;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Workflows.Runtime;

/// <summary>
/// The interpreter. Every method takes a definition version and an instance state, never mutates the state it was
/// given, and returns the step's change set for the host to commit atomically. No I/O happens here.
/// </summary>
public sealed class WorkflowEngine(ActivityRegistry registry, TimeProvider? clock = null, EngineOptions? options = null)
{
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly EngineOptions _options = options ?? new EngineOptions();

    public ActivityRegistry Registry => registry;

    /// <summary>The options this engine runs with (a replay engine uses the same, on its own clock).</summary>
    public EngineOptions Options => _options;

    public StepResult Start(WorkflowDefinition definition, StartWorkflow command)
    {
        var now = _clock.GetUtcNow();
        var state = new InstanceState
        {
            Id = command.InstanceId,
            DefinitionId = definition.Id,
            DefinitionVersion = definition.Version,
            CorrelationId = command.CorrelationId,
            Status = InstanceStatus.Running,
            ParentInstanceId = command.ParentInstanceId,
            ParentBookmarkId = command.ParentBookmarkId,
            // A sub-workflow inherits its parent's starter (null if the parent's was never recorded); anything else
            // was started by the authenticated caller.
            StartedBy = command.ParentInstanceId is null ? command.StartedBy ?? command.Actor.UserId : command.StartedBy,
            RequestedBy = command.RequestedBy,
            CreatedAt = now,
            UpdatedAt = now,
        };
        foreach (var variable in definition.Variables)
        {
            state.Variables[variable.Name] = ExpressionValues.FromJsonNode(variable.Default);
        }
        CheckStartInput(definition, command, state, now);

        var start = definition.Activities.FirstOrDefault(a => a.Type == StartActivity.TypeName)
            ?? throw new WorkflowConflictException($"{definition.Id} v{definition.Version} has no Start activity.");
        var step = new StepBuilder(definition, state, registry, _options, now, command.Actor, expectedVersion: 0);
        step.Journal(JournalKinds.InstanceStarted, message: $"{definition.Id} v{definition.Version}");
        step.Enqueue(start.Id, null, null);
        step.Drain();
        step.Finish();
        var args = new JsonObject
        {
            ["definitionId"] = definition.Id,
            ["definitionVersion"] = definition.Version,
            ["correlationId"] = command.CorrelationId,
            ["input"] = StepCommand.Values(command.Input),
            ["domainInputs"] = new JsonArray([.. command.DomainInputs.Order(StringComparer.Ordinal).Select(n => (JsonNode)JsonValue.Create(n))]),
            ["startedBy"] = command.StartedBy,
            ["requestedBy"] = command.RequestedBy,
            ["parentInstanceId"] = command.ParentInstanceId?.ToString(),
            ["parentBookmarkId"] = command.ParentBookmarkId?.ToString(),
        };
        return Recorded(step.Result, StepCommandKinds.Start, now, command.Actor, args);
    }

    private static StepResult Recorded(StepResult result, string kind, DateTimeOffset at, Actor actor, JsonObject args)
    {
        result.Command = new StepCommand(kind, result.State.Id, at, actor, args);
        return result;
    }

    public StepResult CompleteTask(WorkflowDefinition definition, InstanceState current, CompleteTask command)
    {
        EnsureVersion(current, command.ExpectedVersion);
        EnsureRunning(current);
        var bookmark = current.Bookmarks.FirstOrDefault(b => b.Kind == BookmarkKind.Task && b.TaskId == command.TaskId)
            ?? throw new WorkflowConflictException("The task is no longer open: someone else acted on it or the request moved on.");
        var activity = definition.FindActivity(bookmark.ActivityId)!;
        var action = UserTaskActivity.ReadActions(activity).FirstOrDefault(a => a.Name == command.Action)
            ?? throw new WorkflowConflictException($"The action '{command.Action}' is not available at '{activity.DisplayName ?? activity.Id}'.");
        var department = bookmark.Data?["department"]?.GetValue<string>();
        var refusal = command.DryRun ? null : CheckActor(definition, current, action, department, command.Actor);
        if (refusal is not null) throw new WorkflowForbiddenException(refusal);

        var now = _clock.GetUtcNow();
        var facts = DeclaredFacts(definition, command.Facts);
        var judged = WithFacts(current, facts);
        var data = CheckForm(definition, judged, action, command, now);
        var overlay = GuardOverlay(command.Action, command.Comment, data, command.Actor);
        if (action.Guard is not null && !EvaluateGuard(action, judged, now, overlay))
        {
            throw new WorkflowConflictException(action.GuardMessage ?? $"The action '{action.DisplayName}' is not available now: {action.Guard} is false.");
        }

        var state = current.Clone();
        // Recorded from the authenticated caller, never from input: later differentFrom rules compare against it.
        if (!state.Actors.TryGetValue(activity.Id, out var actors)) state.Actors[activity.Id] = actors = [];
        if (!actors.Contains(command.Actor.UserId, StringComparer.Ordinal)) actors.Add(command.Actor.UserId);
        var step = new StepBuilder(definition, state, registry, _options, now, command.Actor, current.Version);
        // Through the step, not the clone: the refreshed facts are journaled with the action that relied on them.
        foreach (var (name, value) in facts) step.SetVariable(name, value);
        var signal = new ResumeSignal { Action = command.Action, Comment = command.Comment, Data = data, Actor = command.Actor };
        Resume(step, state.Bookmarks.First(b => b.Id == bookmark.Id), signal);
        var args = new JsonObject
        {
            ["taskId"] = command.TaskId.ToString(),
            ["activityId"] = bookmark.ActivityId,
            ["action"] = command.Action,
            ["comment"] = command.Comment,
            ["data"] = StepCommand.Values(command.Data),
        };
        // Only when given, so that recorded histories without facts stay byte-for-byte as they were.
        if (facts.Count > 0) args["facts"] = StepCommand.Values(facts);
        return Recorded(step.Result, StepCommandKinds.CompleteTask, now, command.Actor, args);
    }

    /// <summary>Resumes a bookmark of kind Event, Timer, TaskDue, Job or Child.</summary>
    public StepResult ResumeBookmark(WorkflowDefinition definition, InstanceState current, Guid bookmarkId, ResumeSignal signal, long? expectedVersion = null)
    {
        EnsureVersion(current, expectedVersion);
        EnsureRunning(current);
        var state = current.Clone();
        var step = new StepBuilder(definition, state, registry, _options, _clock.GetUtcNow(), signal.Actor, current.Version);
        var bookmark = state.Bookmarks.FirstOrDefault(b => b.Id == bookmarkId);
        if (bookmark is null)
        {
            throw new WorkflowConflictException("The instance no longer waits there (the bookmark was already resumed or cancelled).");
        }
        if (bookmark.Kind == BookmarkKind.Task)
        {
            throw new WorkflowConflictException("Tasks are completed with an action, not resumed directly.");
        }
        Resume(step, bookmark, signal);
        return Recorded(step.Result, StepCommandKinds.Resume, step.Now, signal.Actor, new JsonObject
        {
            ["bookmarkId"] = bookmarkId.ToString(),
            ["activityId"] = bookmark.ActivityId,
            ["bookmarkKind"] = bookmark.Kind.ToString(),
            ["action"] = signal.Action,
            ["comment"] = signal.Comment,
            ["data"] = StepCommand.Values(signal.Data),
            ["payload"] = ExpressionValues.ToJsonNode(signal.Payload),
            ["outcome"] = signal.Outcome,
            ["outputs"] = StepCommand.Values(signal.Outputs),
        });
    }

    /// <summary>A timer fired: resumes its bookmark, or records a no-op when the instance has moved on.</summary>
    public StepResult FireTimer(WorkflowDefinition definition, InstanceState current, Guid bookmarkId)
    {
        if (current.Bookmarks.FirstOrDefault(b => b.Id == bookmarkId && b.DueAt is not null) is { } due && current.Status == InstanceStatus.Running)
        {
            var fired = ResumeBookmark(definition, current, bookmarkId, new ResumeSignal { Actor = Actor.System("timer") });
            fired.Command = fired.Command! with { Kind = StepCommandKinds.FireTimer, Args = new JsonObject { ["bookmarkId"] = bookmarkId.ToString(), ["activityId"] = due.ActivityId, ["bookmarkKind"] = due.Kind.ToString() } };
            return fired;
        }
        var state = current.Clone();
        var step = new StepBuilder(definition, state, registry, _options, _clock.GetUtcNow(), Actor.System("timer"), current.Version);
        step.Journal(JournalKinds.TimerIgnored, message: $"Timer {bookmarkId} fired after the instance moved on; nothing to do.");
        step.Finish();
        return Recorded(step.Result, StepCommandKinds.FireTimer, step.Now, step.Actor, new JsonObject { ["bookmarkId"] = bookmarkId.ToString() });
    }

    public StepResult Interrupt(WorkflowDefinition definition, InstanceState current, string eventName, object? payload, Actor actor)
    {
        if (current.IsFinished) throw new WorkflowConflictException($"The instance is already {current.Status}.");
        if (current.Status == InstanceStatus.Cancelling) throw new WorkflowConflictException(CancellingMessage(definition, current));
        // ADR 10: an interrupt would abandon the call's result (money may have moved) and send the flow elsewhere, so it
        // is refused until the call has reported; the caller tries again then. Calls that failed for good are not in flight.
        if (current.CallsInFlight.FirstOrDefault() is { } call)
        {
            throw new WorkflowConflictException($"An outside call is in flight ({Describe(definition, call)}): '{eventName}' cannot interrupt {definition.Id} until it has reported; try again then.");
        }
        var now = _clock.GetUtcNow();
        var scope = new ExpressionScope(current, now, new Dictionary<string, object?> { ["event"] = payload });
        var interrupt = definition.Interrupts.FirstOrDefault(i => i.Event == eventName && (i.Condition is null || CompiledExpression.Parse(i.Condition).EvaluateBoolean(scope)))
            ?? throw new WorkflowConflictException($"'{eventName}' cannot interrupt {definition.Id} in status {current.BusinessStatus ?? current.Status.ToString()}.");
        var state = current.Clone();
        var step = new StepBuilder(definition, state, registry, _options, now, actor, current.Version);
        step.CancelAllBookmarks();
        state.Status = InstanceStatus.Running;
        state.Fault = null;
        step.SetVariable("event", payload);
        step.Journal(JournalKinds.Interrupted, message: interrupt.DisplayName ?? eventName);
        step.Enqueue(interrupt.Target, null, null);
        step.Drain();
        step.Finish();
        return Recorded(step.Result, StepCommandKinds.Interrupt, now, actor, new JsonObject { ["event"] = eventName, ["payload"] = ExpressionValues.ToJsonNode(payload) });
    }

    /// <summary>
    /// Cancels the instance (every route: the instance route, a parent cancelling its child, domain routes). Tasks,
    /// timers and event waits go at once; outside calls in flight are kept (ADR 10): the instance is then
    /// <see cref="InstanceStatus.Cancelling"/> until each has reported (<see cref="CompleteCall"/>), and the host asks
    /// adapters that can to call them off (<see cref="StepResult.CallsToCancel"/>).
    /// </summary>
    public StepResult Cancel(WorkflowDefinition definition, InstanceState current, string reason, Actor actor)
    {
        if (current.IsFinished) throw new WorkflowConflictException($"The instance is already {current.Status}.");
        if (current.Status == InstanceStatus.Cancelling) throw new WorkflowConflictException(CancellingMessage(definition, current));
        var state = current.Clone();
        var step = new StepBuilder(definition, state, registry, _options, _clock.GetUtcNow(), actor, current.Version);
        var inFlight = step.CancelAllBookmarks(keepCallsInFlight: true);
        if (inFlight.Count > 0)
        {
            state.Status = InstanceStatus.Cancelling;
            state.Fault = null;
            step.Journal(JournalKinds.InstanceCancelling, comment: reason,
                message: $"{reason} — waiting for {inFlight.Count} outside call(s) in flight: {string.Join(", ", inFlight.Select(b => Describe(definition, b)))}.");
            foreach (var call in inFlight)
            {
                step.Result.CallsToCancel.Add(new JobRequest(call.Id, state.Id, call.ActivityId, call.ActivityType,
                    call.Data?["input"]?.DeepClone() as JsonObject ?? [], call.Data?["idempotencyKey"]?.GetValue<string>() ?? ""));
            }
            step.Finish();
            return Recorded(step.Result, StepCommandKinds.Cancel, step.Now, actor, new JsonObject { ["reason"] = reason });
        }
        state.Status = InstanceStatus.Cancelled;
        state.CompletedAt = step.Now;
        step.Journal(JournalKinds.InstanceCancelled, comment: reason, message: reason);
        step.NotifyParent("Cancelled");
        step.Finish();
        return Recorded(step.Result, StepCommandKinds.Cancel, step.Now, actor, new JsonObject { ["reason"] = reason });
    }

    /// <summary>
    /// Moves a running instance from the version it runs (<paramref name="from"/>) to <paramref name="to"/>: its waits,
    /// open tasks, timers and outside calls carry over under the activity ids <paramref name="mapping"/> gives (ids it
    /// does not name stay), variables are kept and new ones get their defaults. Refused, with every reason, unless
    /// <see cref="InstanceMigration.Plan"/> finds nothing wrong; nothing runs, the instance waits where it waited.
    /// </summary>
    public StepResult Migrate(WorkflowDefinition from, WorkflowDefinition to, InstanceState current, IReadOnlyDictionary<string, string> mapping, Actor actor, string? comment = null, long? expectedVersion = null)
    {
        EnsureVersion(current, expectedVersion);
        var plan = InstanceMigration.Plan(from, to, current, mapping);
        if (!plan.Ready) throw new WorkflowConflictException($"Instance {current.Id} cannot move to v{to.Version}: {string.Join(" ", plan.Problems)}");
        var state = InstanceMigration.Apply(to, current, mapping);
        var step = new StepBuilder(to, state, registry, _options, _clock.GetUtcNow(), actor, current.Version);
        step.Result.Migrated = new VersionMove(from.Version, to.Version,
            [.. state.Bookmarks.Select(b => (b.Id, b.Kind, b.TaskId, b.ActivityId))]);
        var moved = plan.Moves.Where(m => m.From != m.To).Select(m => $"{m.From} → {m.To}").ToList();
        step.Journal(JournalKinds.InstanceMigrated, comment: comment,
            message: $"Moved from v{from.Version} to v{to.Version}" + (moved.Count > 0 ? $" ({string.Join(", ", moved)})." : "; every wait kept its activity id."));
        step.Finish();
        return Recorded(step.Result, StepCommandKinds.Migrate, step.Now, actor, new JsonObject
        {
            ["fromVersion"] = from.Version,
            ["toVersion"] = to.Version,
            ["mapping"] = new JsonObject([.. mapping.Select(m => KeyValuePair.Create(m.Key, (JsonNode?)m.Value))]),
            ["comment"] = comment,
        });
    }

    /// <summary>
    /// An outside call reported. While the instance runs, its job bookmark resumes the flow. While it is
    /// <see cref="InstanceStatus.Cancelling"/> the result is journaled (<see cref="JournalKinds.LateResult"/>, outcome and
    /// outputs), a result that may have moved money (<see cref="ActivityDescriptor.MovesMoney"/>) opens an incident, and
    /// the last call to report ends the cancel.
    /// </summary>
    public StepResult CompleteCall(WorkflowDefinition definition, InstanceState current, Guid jobId, ResumeSignal signal)
    {
        if (current.Status != InstanceStatus.Cancelling) return ResumeBookmark(definition, current, jobId, signal);
        var state = current.Clone();
        var step = new StepBuilder(definition, state, registry, _options, _clock.GetUtcNow(), signal.Actor, current.Version);
        var bookmark = state.Bookmarks.FirstOrDefault(b => b.Id == jobId && b.Kind == BookmarkKind.Job)
            ?? throw new WorkflowConflictException("The instance no longer waits for this call (its result was already recorded).");
        step.RemoveBookmark(bookmark);
        var activity = definition.FindActivity(bookmark.ActivityId);
        var outputs = Summarize(signal.Outputs);
        var name = Describe(definition, bookmark);
        step.Journal(JournalKinds.LateResult, activity, outcome: signal.Outcome, message: $"{name} reported {signal.Outcome} after the instance was cancelled. Outputs: {outputs}");
        if (registry.TryGet(bookmark.ActivityType, out var type) && type.Descriptor.MayHaveMovedMoney(signal.Outcome))
        {
            step.Result.Incidents.Add(new IncidentRecord(step.NewId(), state.Id, bookmark.ActivityId, bookmark.ActivityType,
                $"Money moved after the instance was cancelled: {name} reported {signal.Outcome} (outputs {outputs}). No flow follows it up any more; check it with the outside system and reverse it by hand if needed.",
                null, step.Now));
        }
        step.FinishCancelIfSettled();
        step.Finish();
        return Recorded(step.Result, StepCommandKinds.CompleteCall, step.Now, signal.Actor, new JsonObject
        {
            ["bookmarkId"] = jobId.ToString(),
            ["activityId"] = bookmark.ActivityId,
            ["outcome"] = signal.Outcome,
            ["outputs"] = StepCommand.Values(signal.Outputs ?? new Dictionary<string, object?>()),
        });
    }

    /// <summary>
    /// An outside call reported after the flow had stopped waiting for it without a cancel — another branch reached an
    /// End, a join-any cut its branch — so no bookmark is left to resume. The result is journaled
    /// (<see cref="JournalKinds.LateResult"/>) whatever the instance's status, and one that may have moved money opens an
    /// incident: a payment nobody follows up must not vanish (ADR 10).
    /// </summary>
    public StepResult AbandonedCallResult(WorkflowDefinition definition, InstanceState current, Guid jobId, string activityId, string activityType, ResumeSignal signal)
    {
        var state = current.Clone();
        var step = new StepBuilder(definition, state, registry, _options, _clock.GetUtcNow(), signal.Actor, current.Version);
        var activity = definition.FindActivity(activityId);
        var name = $"{activity?.DisplayName ?? activityId} ({activityType})";
        var outputs = Summarize(signal.Outputs);
        step.Journal(JournalKinds.LateResult, activity, outcome: signal.Outcome,
            message: $"{name} reported {signal.Outcome} after the instance ({state.Status}) had stopped waiting for it. Outputs: {outputs}");
        if (registry.TryGet(activityType, out var type) && type.Descriptor.MayHaveMovedMoney(signal.Outcome))
        {
            step.Result.Incidents.Add(new IncidentRecord(step.NewId(), state.Id, activityId, activityType,
                $"Money moved after the flow stopped waiting for it: {name} reported {signal.Outcome} (outputs {outputs}). No flow follows it up; check it with the outside system and reverse it by hand if needed.",
                null, step.Now));
        }
        step.Finish();
        return Recorded(step.Result, StepCommandKinds.AbandonedCall, step.Now, signal.Actor, new JsonObject
        {
            ["bookmarkId"] = jobId.ToString(),
            ["activityId"] = activityId,
            ["activityType"] = activityType,
            ["outcome"] = signal.Outcome,
            ["outputs"] = StepCommand.Values(signal.Outputs ?? new Dictionary<string, object?>()),
        });
    }

    /// <summary>
    /// An outside call failed for good (its retries ran out; the host opens an incident). Running: the call is marked
    /// failed, so it no longer holds up a cancel or an interrupt, and an operator may retry it. Cancelling: it is the
    /// call's last word — journaled as a late result; the last call to report ends the cancel.
    /// </summary>
    public StepResult CallFailed(WorkflowDefinition definition, InstanceState current, Guid jobId, string message, Actor actor)
    {
        var state = current.Clone();
        var step = new StepBuilder(definition, state, registry, _options, _clock.GetUtcNow(), actor, current.Version);
        var bookmark = state.Bookmarks.FirstOrDefault(b => b.Id == jobId && b.Kind == BookmarkKind.Job);
        var activity = bookmark is null ? null : definition.FindActivity(bookmark.ActivityId);
        if (bookmark is null)
        {
            step.Journal(JournalKinds.JobFailed, message: message);
        }
        else if (state.Status == InstanceStatus.Cancelling)
        {
            step.RemoveBookmark(bookmark);
            step.Journal(JournalKinds.LateResult, activity, outcome: "Failed", message: $"{Describe(definition, bookmark)} failed for good after the instance was cancelled: {message}");
            step.FinishCancelIfSettled();
        }
        else
        {
            ReplaceCallData(state, bookmark, failed: true);
            step.Journal(JournalKinds.JobFailed, activity, message: message);
        }
        step.Finish();
        return Recorded(step.Result, StepCommandKinds.CallFailed, step.Now, actor, new JsonObject { ["bookmarkId"] = jobId.ToString(), ["activityId"] = bookmark?.ActivityId, ["message"] = message });
    }

    /// <summary>An operator retries a call that failed for good: it is in flight again. Refused when nothing waits for it any more.</summary>
    public StepResult RetryCall(WorkflowDefinition definition, InstanceState current, Guid jobId, string message, Actor actor)
    {
        var bookmark = current.Bookmarks.FirstOrDefault(b => b.Id == jobId && b.Kind == BookmarkKind.Job)
            ?? throw new WorkflowConflictException($"The instance ({current.Status}) no longer waits for this call, so it is not run again; check with the outside system whether it acted.");
        var state = current.Clone();
        var step = new StepBuilder(definition, state, registry, _options, _clock.GetUtcNow(), actor, current.Version);
        ReplaceCallData(state, bookmark, failed: false);
        step.Journal(JournalKinds.IncidentRetried, definition.FindActivity(bookmark.ActivityId), message: message);
        step.Finish();
        return Recorded(step.Result, StepCommandKinds.RetryCall, step.Now, actor, new JsonObject { ["bookmarkId"] = jobId.ToString(), ["activityId"] = bookmark.ActivityId, ["message"] = message });
    }

    private static void ReplaceCallData(InstanceState state, Bookmark bookmark, bool failed)
    {
        var data = bookmark.Data?.DeepClone() as JsonObject ?? [];
        if (failed) data[Bookmark.CallFailedKey] = true;
        else data.Remove(Bookmark.CallFailedKey);
        state.Bookmarks[state.Bookmarks.IndexOf(bookmark)] = bookmark with { Data = data };
    }

    private static string Describe(WorkflowDefinition definition, Bookmark call) =>
        $"{definition.FindActivity(call.ActivityId)?.DisplayName ?? call.ActivityId} ({call.ActivityType})";

    private static string CancellingMessage(WorkflowDefinition definition, InstanceState state) =>
        $"The instance is being cancelled; it waits for its outside calls to report ({string.Join(", ", state.CallsInFlight.Select(b => Describe(definition, b)))}).";

    private static string Summarize(IReadOnlyDictionary<string, object?>? outputs)
    {
        if (outputs is null || outputs.Count == 0) return "none";
        var json = InstanceStateJson.VariablesToJson(outputs).ToJsonString();
        return json.Length <= 1000 ? json : json[..1000] + "…";
    }

    /// <summary>Re-runs the activity that faulted the instance (after an operator fixed the cause).</summary>
    public StepResult RetryFault(WorkflowDefinition definition, InstanceState current, string activityId, Actor actor)
    {
        if (current.Status != InstanceStatus.Faulted) throw new WorkflowConflictException("The instance is not faulted.");
        if (definition.FindActivity(activityId) is null) throw new WorkflowConflictException($"Activity '{activityId}' is not in this version.");
        var state = current.Clone();
        state.Status = InstanceStatus.Running;
        state.Fault = null;
        var step = new StepBuilder(definition, state, registry, _options, _clock.GetUtcNow(), actor, current.Version);
        step.Journal(JournalKinds.IncidentRetried, definition.FindActivity(activityId));
        step.Enqueue(activityId, null, null);
        step.Drain();
        step.Finish();
        return Recorded(step.Result, StepCommandKinds.RetryFault, step.Now, actor, new JsonObject { ["activityId"] = activityId });
    }

    /// <summary>Journals something that is not a step of the flow (a claim, a comment) and bumps the version.</summary>
    public StepResult Note(WorkflowDefinition definition, InstanceState current, string kind, string message, Actor actor, string? comment = null)
    {
        var state = current.Clone();
        var step = new StepBuilder(definition, state, registry, _options, _clock.GetUtcNow(), actor, current.Version);
        step.Journal(kind, message: message, comment: comment);
        step.Finish();
        return Recorded(step.Result, StepCommandKinds.Note, step.Now, actor, new JsonObject { ["kind"] = kind, ["message"] = message, ["comment"] = comment });
    }

    /// <summary>
    /// Changes variables outside the flow's own steps (e.g. an operator edits a draft transaction), journaled with the
    /// actor and the before → after values, under the same optimistic concurrency as any step.
    /// </summary>
    public StepResult UpdateVariables(WorkflowDefinition definition, InstanceState current, IReadOnlyDictionary<string, object?> changes, string action, Actor actor, string? comment = null, long? expectedVersion = null)
    {
        EnsureVersion(current, expectedVersion);
        if (current.IsFinished || current.Status == InstanceStatus.Cancelling) throw new WorkflowConflictException($"The instance is {current.Status}; nothing can change any more.");
        var state = current.Clone();
        var step = new StepBuilder(definition, state, registry, _options, _clock.GetUtcNow(), actor, current.Version);
        foreach (var (name, value) in changes) step.SetVariable(name, value);
        step.Journal(JournalKinds.VariablesUpdated, action: action, comment: comment, message: action);
        step.Finish();
        return Recorded(step.Result, StepCommandKinds.UpdateVariables, step.Now, actor, new JsonObject { ["changes"] = StepCommand.Values(changes), ["action"] = action, ["comment"] = comment });
    }

    /// <summary>The actions of a task with whether <paramref name="actor"/> may take each now, and why not.</summary>
    public IReadOnlyList<ActionAvailability> DescribeActions(WorkflowDefinition definition, InstanceState state, Guid taskId, Actor actor)
    {
        var bookmark = state.Bookmarks.FirstOrDefault(b => b.Kind == BookmarkKind.Task && b.TaskId == taskId);
        if (bookmark is null) return [];
        var activity = definition.FindActivity(bookmark.ActivityId)!;
        var department = bookmark.Data?["department"]?.GetValue<string>();
        var now = _clock.GetUtcNow();
        var list = new List<ActionAvailability>();
        foreach (var action in UserTaskActivity.ReadActions(activity))
        {
            var reason = CheckActor(definition, state, action, department, actor);
            if (reason is null && action.Guard is not null)
            {
                bool ok;
                try
                {
                    ok = CompiledExpression.Parse(action.Guard).EvaluateBoolean(new ExpressionScope(state, now, GuardOverlay(action.Name, null, null, actor)));
                }
                catch (Exception ex) when (ex is ExpressionEvaluationException or ExpressionSyntaxException)
                {
                    ok = false;
                    reason = ex.Message;
                }
                if (!ok) reason ??= action.GuardMessage ?? $"{action.Guard} is false";
            }
            list.Add(new ActionAvailability(action.Name, action.DisplayName, action.Permission, action.RequiredFields, reason is null, reason)
            {
                Fields = Forms.EffectiveFields(action),
                Comment = Forms.CommentMode(action),
            });
        }
        return list;
    }

    private void Resume(StepBuilder step, Bookmark bookmark, ResumeSignal signal)
    {
        var activityDefinition = step.Definition.FindActivity(bookmark.ActivityId)
            ?? throw new WorkflowConflictException($"Activity '{bookmark.ActivityId}' is not in {step.Definition.Id} v{step.Definition.Version}.");
        if (!registry.TryGet(activityDefinition.Type, out var activity))
        {
            throw new WorkflowConflictException($"Activity type '{activityDefinition.Type}' is not registered.");
        }
        step.RemoveBookmark(bookmark, TaskStatus.Completed, signal.Action);
        var context = new ActivityContext(step, activityDefinition, bookmark.Branch);
        ActivityResult result;
        try
        {
            result = activity.Resume(context, bookmark, signal);
        }
        catch (Exception ex) when (ex is ExpressionEvaluationException or ExpressionSyntaxException)
        {
            result = ActivityResult.Fail(ex.Message);
        }
        catch (ActivityFailedException ex)
        {
            result = ActivityResult.Fail(ex.Message);
        }
        step.Apply(activityDefinition, bookmark.Branch, result);
        step.Drain();
        step.Finish();
    }

    /// <summary>
    /// Start input (ADR 7): only declared inputs, each checked against its constraints; inputs the domain computes
    /// come only from a domain route (or from the parent flow of a sub-workflow). Writes the accepted inputs to
    /// <paramref name="state"/>; throws 422 naming every bad <c>input.&lt;name&gt;</c> otherwise.
    /// </summary>
    private static void CheckStartInput(WorkflowDefinition definition, StartWorkflow command, InstanceState state, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var engineOwn = command.ParentInstanceId is not null;
        if (!engineOwn)
        {
            foreach (var key in command.Input.Keys)
            {
                if (!definition.Inputs.Any(i => i.Name == key)) errors[$"input.{key}"] = [$"'{key}' is not an input of {definition.Id}."];
            }
        }
        var accepted = new List<(InputDefinition Input, object? Value)>();
        foreach (var input in definition.Inputs)
        {
            command.Input.TryGetValue(input.Name, out var raw);
            if (raw is not null && input.IsDomainComputed && !engineOwn && !command.DomainInputs.Contains(input.Name))
            {
                errors[$"input.{input.Name}"] = [$"'{input.Name}' is computed by the domain route; it cannot be supplied here."];
                continue;
            }
            var (problems, value) = ValueChecker.Check(input.Name, input.Type, input.Required, input, raw, name => command.Input.GetValueOrDefault(name));
            if (problems.Count > 0) errors[$"input.{input.Name}"] = [.. problems];
            else if (value is not null) accepted.Add((input, value));
        }
        if (errors.Count > 0) throw new WorkflowValidationException("The start input is invalid.", errors);

        foreach (var (input, value) in accepted) state.Variables[input.Name] = value;
        // Validation expressions see every accepted input, so they run once all are in place.
        foreach (var (input, value) in accepted.Where(a => a.Input.Validation is not null))
        {
            var (problems, _) = ValueChecker.Check(input.Name, input.Type, input.Required, input, value,
                scopeFor: v => new ExpressionScope(state, now, new Dictionary<string, object?> { ["value"] = v }));
            if (problems.Count > 0) errors[$"input.{input.Name}"] = [.. problems];
        }
        if (errors.Count > 0) throw new WorkflowValidationException("The start input is invalid.", errors);
    }

    /// <summary>
    /// The action's form (ADR 7): only its fields are accepted (422 naming <c>data.&lt;key&gt;</c> otherwise), each
    /// checked against its constraints; the comment follows the action's comment mode; no field may write a variable
    /// the flow owns. Returns the checked data (date-times parsed) for the guard and the task.
    /// </summary>
    private IReadOnlyDictionary<string, object?> CheckForm(WorkflowDefinition definition, InstanceState current, UserTaskAction action, CompleteTask command, DateTimeOffset now)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var fields = Forms.EffectiveFields(action);
        var mode = Forms.CommentMode(action);
        if (mode == CommentModes.Required && string.IsNullOrWhiteSpace(command.Comment)) errors["comment"] = [$"A comment is required for {action.DisplayName}."];
        if (mode == CommentModes.None && !string.IsNullOrEmpty(command.Comment)) errors["comment"] = [$"{action.DisplayName} takes no comment."];
        foreach (var key in command.Data.Keys)
        {
            if (!fields.Any(f => f.Name == key))
            {
                errors[$"data.{key}"] = [fields.Count == 0
                    ? $"{action.DisplayName} takes no data; '{key}' is not accepted."
                    : $"'{key}' is not a field of {action.DisplayName} (its fields: {string.Join(", ", fields.Select(f => f.Name))})."];
            }
        }
        var data = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var field in fields)
        {
            command.Data.TryGetValue(field.Name, out var raw);
            if (raw is not null && Forms.TargetVariable(definition, field) is { } target && Forms.WhyProtected(definition, registry, target) is { } why)
            {
                errors[$"data.{field.Name}"] = [why];
                continue;
            }
            var (problems, value) = ValueChecker.Check(field.Label ?? field.Name, field.Type, field.Required, field, raw,
                name => command.Data.TryGetValue(name, out var sibling) ? sibling : current.Variables.GetValueOrDefault(name),
                v => new ExpressionScope(current, now, new Dictionary<string, object?> { ["value"] = v, ["data"] = command.Data, ["action"] = action.Name }));
            if (problems.Count > 0) errors[$"data.{field.Name}"] = [.. problems];
            // A null is "not given": it never clears what an earlier step set.
            else if (value is not null) data[field.Name] = value;
        }
        if (errors.Count > 0) throw new WorkflowValidationException($"{action.DisplayName}: the form is invalid.", errors);
        return data;
    }

    /// <summary>
    /// Why <paramref name="actor"/> may not claim the task (none of its actions is theirs to take by identity:
    /// department, permission, scopes, four eyes), or null. Guards are not considered: they depend on the data.
    /// </summary>
    public static string? CheckClaim(WorkflowDefinition definition, InstanceState state, Guid taskId, Actor actor)
    {
        var bookmark = state.Bookmarks.FirstOrDefault(b => b.Kind == BookmarkKind.Task && b.TaskId == taskId)
            ?? throw new WorkflowConflictException("The task is no longer open.");
        var activity = definition.FindActivity(bookmark.ActivityId)!;
        var department = bookmark.Data?["department"]?.GetValue<string>();
        string? first = null;
        foreach (var action in UserTaskActivity.ReadActions(activity))
        {
            var reason = CheckActor(definition, state, action, department, actor);
            if (reason is null) return null;
            first ??= reason;
        }
        return first is null ? "The task has no actions." : $"You could not take any action of this task, so you cannot claim it. {first}";
    }

    /// <summary>
    /// Whether <paramref name="actor"/> may take <paramref name="action"/> by who they are (ADR 7): systems only with a
    /// scope the action names; people in the task's department with the action's permission; everyone subject to
    /// the action's four-eyes rule. Null when allowed, else the reason.
    /// </summary>
    public static string? CheckActor(WorkflowDefinition definition, InstanceState state, UserTaskAction action, string? department, Actor actor)
    {
        if (actor.IsSystem)
        {
            if (action.Scopes.Count == 0) return $"{action.DisplayName} is for people; no system may take it.";
            if (!action.Scopes.Any(actor.HasScope)) return $"{action.DisplayName} needs one of the scopes {string.Join(", ", action.Scopes)}.";
        }
        else
        {
            if (!actor.InDepartment(department)) return $"Only {department} may act on this task.";
            if (!actor.HasPermission(action.Permission)) return $"{action.DisplayName} needs permission {action.Permission}.";
        }
        return CheckFourEyes(definition, state, action, actor);
    }

    private static string? CheckFourEyes(WorkflowDefinition definition, InstanceState state, UserTaskAction action, Actor actor)
    {
        foreach (var rule in action.DifferentFrom)
        {
            if (rule == StarterReference)
            {
                // Unknown starter (stored before it was recorded): refuse rather than let the maker through.
                if (state.StartedBy is null)
                {
                    return $"Four eyes (differentFrom {StarterReference}): who started this instance is not recorded, so nobody can be shown to differ; cancel it and start it again.";
                }
                if (string.Equals(actor.UserId, state.StartedBy, StringComparison.Ordinal) || string.Equals(actor.UserId, state.RequestedBy, StringComparison.Ordinal))
                {
                    return $"Four eyes (differentFrom {StarterReference}): you started this request, so someone else must take {action.DisplayName}.";
                }
            }
            else if (state.ActedOn(rule, actor.UserId))
            {
                var name = definition.FindActivity(rule)?.DisplayName ?? rule;
                return $"Four eyes (differentFrom {rule}): you already acted on '{name}', so someone else must take {action.DisplayName}.";
            }
        }
        return null;
    }

    /// <summary>The facts the definition declares as variables; others are ignored (an older version may lack one).</summary>
    private static Dictionary<string, object?> DeclaredFacts(WorkflowDefinition definition, IReadOnlyDictionary<string, object?>? facts)
    {
        var declared = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (facts is null) return declared;
        foreach (var (name, value) in facts)
        {
            if (definition.Variables.Any(v => v.Name == name)) declared[name] = value;
        }
        return declared;
    }

    /// <summary>The instance as guards should see it with current facts; the instance itself unchanged.</summary>
    public static InstanceState WithFacts(InstanceState state, IReadOnlyDictionary<string, object?> facts)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (facts is null || facts.Count == 0) return state;
        var judged = state.Clone();
        foreach (var (name, value) in facts) judged.Variables[name] = value;
        return judged;
    }

    /// <summary>The <c>differentFrom</c> name for the instance's starter.</summary>
    public const string StarterReference = "@starter";

    private static Dictionary<string, object?> GuardOverlay(string action, string? comment, IReadOnlyDictionary<string, object?>? data, Actor actor) => new()
    {
        ["action"] = action,
        ["comment"] = comment,
        ["data"] = data ?? new Dictionary<string, object?>(),
        ["actor"] = new Dictionary<string, object?> { ["userId"] = actor.UserId, ["role"] = actor.Role },
    };

    /// <summary>
    /// A guard that cannot be evaluated with the submitted data (e.g. a fee sent as text) is the caller's input problem:
    /// reported as invalid data for the fields the guard reads, never as a server error.
    /// </summary>
    private static bool EvaluateGuard(UserTaskAction action, InstanceState state, DateTimeOffset now, Dictionary<string, object?> overlay)
    {
        try
        {
            return CompiledExpression.Parse(action.Guard!).EvaluateBoolean(new ExpressionScope(state, now, overlay));
        }
        catch (ExpressionEvaluationException ex)
        {
            var fields = overlay["data"] is IReadOnlyDictionary<string, object?> data && data.Count > 0 ? data.Keys.ToArray() : ["action"];
            throw new WorkflowValidationException($"{action.DisplayName} cannot be checked with the data given: {ex.Message}",
                fields.ToDictionary(f => f, _ => new[] { ex.Message }));
        }
        catch (ExpressionSyntaxException ex)
        {
            throw new WorkflowConflictException($"The guard of {action.DisplayName} is not a valid expression: {ex.Message}");
        }
    }

    private static void EnsureRunning(InstanceState state)
    {
        if (state.Status != InstanceStatus.Running)
        {
            throw new WorkflowConflictException(state.Status switch
            {
                InstanceStatus.Faulted => $"The instance is faulted ({state.Fault}); an operator must retry its incident first.",
                InstanceStatus.Cancelling => "The instance is being cancelled; it only waits for its outside calls to report.",
                _ => $"The instance is {state.Status}; nothing can happen any more.",
            });
        }
    }

    private static void EnsureVersion(InstanceState state, long? expected)
    {
        if (expected is { } v && v != state.Version)
        {
            throw new WorkflowConflictException($"The instance changed (version {state.Version}, you saw {v}); reload and try again.", stale: true);
        }
    }

    internal static bool TypeMatches(string type, object? value) => type switch
    {
        "string" => value is string,
        "number" => value is decimal,
        "boolean" => value is bool,
        "datetime" => value is DateTimeOffset or string,
        "list" => value is System.Collections.IList or IReadOnlyList<object?>,
        "object" => value is IReadOnlyDictionary<string, object?> or IDictionary<string, object?>,
        _ => true,
    };
}
