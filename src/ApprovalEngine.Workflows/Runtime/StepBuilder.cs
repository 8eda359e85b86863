using System.Security.Cryptography;
using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Workflows.Runtime;

/// <summary>
/// Runs one step: a queue of activities to execute, from the trigger until every branch has reached a wait state
/// or ended. Works on a clone of the instance so that a refused or failed step leaves the caller's state untouched.
/// </summary>
internal sealed class StepBuilder
{
    private readonly ActivityRegistry _registry;
    private readonly EngineOptions _options;
    private readonly Queue<WorkItem> _queue = new();
    private readonly List<VariableChange> _pendingChanges = [];
    private readonly long _startedAt = System.Diagnostics.Stopwatch.GetTimestamp();
    private Dictionary<string, long>? _variableSizes;
    private int _executed;

    private readonly record struct WorkItem(string ActivityId, string? Branch, string? Via);

    public StepBuilder(WorkflowDefinition definition, InstanceState state, ActivityRegistry registry, EngineOptions options, DateTimeOffset now, Actor actor, long expectedVersion)
    {
        Definition = definition;
        State = state;
        _registry = registry;
        _options = options;
        Now = now;
        Actor = actor;
        Result = new StepResult { State = state, ExpectedVersion = expectedVersion };
    }

    public WorkflowDefinition Definition { get; }
    public InstanceState State { get; }
    public DateTimeOffset Now { get; }
    public Actor Actor { get; }
    public StepResult Result { get; }
    public EngineOptions Options => _options;

    public Guid NewId()
    {
        // Derived from the instance id and a per-instance counter, so a replay of the same resumes yields the same ids.
        Span<byte> seed = stackalloc byte[24];
        State.Id.TryWriteBytes(seed);
        BitConverter.TryWriteBytes(seed[16..], ++State.Sequence);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(seed, hash);
        hash[6] = (byte)((hash[6] & 0x0F) | 0x80); // version 8: custom
        hash[8] = (byte)((hash[8] & 0x3F) | 0x80); // RFC 4122 variant
        return new Guid(hash[..16]);
    }

    public void Enqueue(string activityId, string? branch, string? via) => _queue.Enqueue(new WorkItem(activityId, branch, via));

    public void SetVariable(string name, object? value)
    {
        State.Variables.TryGetValue(name, out var before);
        if (State.Variables.ContainsKey(name) && ExpressionValues.AreEqual(before, value)) return;
        if (_options.Budget is { } budget) CheckBudget(budget, name, value);
        State.Variables[name] = value;
        JournalDiff.Diff(name, ExpressionValues.ToJsonNode(before), ExpressionValues.ToJsonNode(value), _pendingChanges);
    }

    private void CheckBudget(StepBudget budget, string name, object? value)
    {
        if (_variableSizes is null)
        {
            _variableSizes = new Dictionary<string, long>(StringComparer.Ordinal);
            foreach (var (n, v) in State.Variables) _variableSizes[n] = budget.Measure($"'{n}'", v);
        }
        _variableSizes[name] = budget.Measure($"'{name}'", value) + name.Length + 4;
        var total = _variableSizes.Values.Sum();
        if (total > budget.MaxStateBytes) throw new StepLimitExceededException("maxStateBytes", $"The variables would take about {total} bytes; the cap is {budget.MaxStateBytes}.");
    }

    public void SetBusinessStatus(string? status, string? department)
    {
        if (status is not null && status != State.BusinessStatus)
        {
            _pendingChanges.Add(new VariableChange("businessStatus", State.BusinessStatus, status));
            State.BusinessStatus = status;
        }
        if (department is not null && department != State.Department)
        {
            _pendingChanges.Add(new VariableChange("department", State.Department, department));
            State.Department = department;
        }
    }

    public void Journal(string kind, ActivityDefinition? activity = null, string? outcome = null, string? action = null, string? comment = null, string? message = null)
    {
        IReadOnlyList<VariableChange> changes = [];
        if (_pendingChanges.Count > 0)
        {
            changes = JournalDiff.Cap(_pendingChanges);
            _pendingChanges.Clear();
        }
        Result.Journal.Add(new JournalEntry
        {
            Sequence = 0, // numbered by the store, which knows the last sequence of the instance
            Timestamp = Now,
            Kind = kind,
            ActivityId = activity?.Id,
            ActivityType = activity?.Type,
            Outcome = outcome,
            UserId = Actor.UserId,
            Role = Actor.Role,
            IpAddress = Actor.IpAddress,
            Action = action,
            Comment = comment,
            Changes = changes,
            Message = message,
        });
    }

    public void OpenTask(WorkTask task)
    {
        Result.TasksOpened.Add(task);
        Journal(JournalKinds.TaskOpened, Definition.FindActivity(task.ActivityId), message: task.Title);
    }

    public void AddBookmarks(IReadOnlyList<Bookmark> bookmarks)
    {
        foreach (var b in bookmarks)
        {
            State.Bookmarks.Add(b);
            Result.BookmarksAdded.Add(b);
        }
    }

    public void RemoveBookmark(Bookmark bookmark, TaskStatus closeTaskAs = TaskStatus.Cancelled, string? action = null)
    {
        if (!State.Bookmarks.Remove(bookmark)) return;
        if (Result.BookmarksAdded.Remove(bookmark))
        {
            // A call requested and abandoned within one step was never committed: it must not run either.
            if (bookmark.Kind == BookmarkKind.Job) Result.Jobs.RemoveAll(j => j.BookmarkId == bookmark.Id);
        }
        else
        {
            Result.BookmarksRemoved.Add(bookmark);
        }
        if (bookmark.Kind == BookmarkKind.Child && bookmark.ChildInstanceId is { } child && closeTaskAs == TaskStatus.Cancelled)
        {
            // The parent stops waiting: a child started in this same step is simply not started, others are cancelled.
            if (Result.ChildStarts.RemoveAll(c => c.ChildInstanceId == child) == 0) Result.ChildrenCancelled.Add(child);
        }
        if (bookmark.Kind == BookmarkKind.Task && bookmark.TaskId is { } taskId)
        {
            var opened = Result.TasksOpened.FindIndex(t => t.Id == taskId);
            if (opened >= 0 && closeTaskAs == TaskStatus.Cancelled)
            {
                // Opened and cancelled within one step: the inbox never needs to see it.
                Result.TasksOpened.RemoveAt(opened);
            }
            else
            {
                Result.TasksClosed.Add(new TaskClosure(taskId, closeTaskAs, action, Actor.UserId, Now));
            }
            // The SLA timer of the task goes with it.
            foreach (var due in State.Bookmarks.Where(b => b.Kind == BookmarkKind.TaskDue && b.TaskId == taskId).ToList())
            {
                RemoveBookmark(due);
            }
        }
    }

    /// <summary>
    /// Cancels every branch forked by the fork execution <paramref name="forkKey"/> ("forkId@seq/"): their bookmarks
    /// (tasks, timers, children) and the work still queued for them in this step.
    /// </summary>
    public void CancelBranches(string forkKey)
    {
        foreach (var sibling in State.Bookmarks.Where(b => b.Branch is not null && b.Branch.Contains(forkKey, StringComparison.Ordinal)).ToList())
        {
            RemoveBookmark(sibling);
            if (sibling.Kind == BookmarkKind.Task) Journal(JournalKinds.TaskCancelled, Definition.FindActivity(sibling.ActivityId));
        }
        if (_queue.Count == 0) return;
        var keep = _queue.Where(w => w.Branch is null || !w.Branch.Contains(forkKey, StringComparison.Ordinal)).ToList();
        _queue.Clear();
        foreach (var w in keep) _queue.Enqueue(w);
    }

    /// <param name="keepCallsInFlight">
    /// Keeps the bookmarks of outside calls committed earlier and still in flight (ADR 10): a cancel must hear how they
    /// ended. Returns the bookmarks kept.
    /// </param>
    public IReadOnlyList<Bookmark> CancelAllBookmarks(bool keepCallsInFlight = false)
    {
        var kept = keepCallsInFlight ? State.CallsInFlight.Where(b => !Result.BookmarksAdded.Contains(b)).ToList() : [];
        foreach (var b in State.Bookmarks.Where(b => b.Kind != BookmarkKind.TaskDue && !kept.Contains(b)).ToList())
        {
            RemoveBookmark(b);
            if (b.Kind == BookmarkKind.Task) Journal(JournalKinds.TaskCancelled, Definition.FindActivity(b.ActivityId));
        }
        foreach (var b in State.Bookmarks.Where(b => !kept.Contains(b)).ToList()) RemoveBookmark(b);
        State.Joins.Clear();
        return kept;
    }

    /// <summary>Ends a cancel that waited for outside calls once none is left (Cancelling → Cancelled), telling the parent.</summary>
    public void FinishCancelIfSettled()
    {
        if (State.Status != InstanceStatus.Cancelling || State.CallsInFlight.Any()) return;
        // A call that failed for good leaves its bookmark (its incident is open); nothing will resume it now.
        foreach (var b in State.Bookmarks.ToList()) RemoveBookmark(b);
        State.Status = InstanceStatus.Cancelled;
        State.CompletedAt = Now;
        Journal(JournalKinds.InstanceCancelled, message: "Cancelled: every outside call in flight has reported.");
        NotifyParent("Cancelled");
    }

    /// <summary>Executes queued activities until every branch waits or ends.</summary>
    public void Drain()
    {
        while (_queue.Count > 0)
        {
            if (State.Status != InstanceStatus.Running)
            {
                _queue.Clear();
                break;
            }
            if (_options.Budget is { } budget)
            {
                if (_executed >= budget.MaxSteps) throw new StepLimitExceededException("maxSteps", $"More than {budget.MaxSteps} activities ran in one step; the cap is {budget.MaxSteps}.");
                // Wall time is measured, not derived from the clock, so it never changes what a step computes, only whether it is refused.
                if (System.Diagnostics.Stopwatch.GetElapsedTime(_startedAt) > budget.MaxWallTime)
                    throw new StepLimitExceededException("maxWallTimeMs", $"The step ran longer than {budget.MaxWallTime.TotalMilliseconds:0} ms; the cap is {budget.MaxWallTime.TotalMilliseconds:0} ms.");
            }
            if (++_executed > _options.MaxActivitiesPerStep)
            {
                Fail(null, $"More than {_options.MaxActivitiesPerStep} activities ran in one step; the flow loops without a wait state.");
                break;
            }
            var item = _queue.Dequeue();
            var definition = Definition.FindActivity(item.ActivityId);
            if (definition is null)
            {
                Fail(null, $"Activity '{item.ActivityId}' does not exist in {Definition.Id} v{Definition.Version}.");
                break;
            }
            if (!_registry.TryGet(definition.Type, out var activity))
            {
                Fail(definition, $"Activity type '{definition.Type}' is not registered.");
                break;
            }
            State.Visited.Add(definition.Id);
            if (_options.JournalActivityEntries) Journal(JournalKinds.ActivityEntered, definition);
            var context = new ActivityContext(this, definition, item.Branch) { };
            ActivityResult result;
            try
            {
                Via = item.Via;
                result = activity.Execute(context);
            }
            catch (Exception ex) when (ex is ExpressionEvaluationException or ExpressionSyntaxException)
            {
                // Validation refuses bad expressions before publishing; this catches data-dependent failures.
                result = ActivityResult.Fail(ex.Message);
            }
            catch (ActivityFailedException ex)
            {
                result = ActivityResult.Fail(ex.Message);
            }
            Apply(definition, item.Branch, result);
        }
        FinishIfIdle();
    }

    /// <summary>Set by a join to leave its fork's branch: the outcomes are followed on this branch ("" = none).</summary>
    public string? ContinueOnBranch { get; set; }

    /// <summary>The connection key by which the activity now executing was reached (for joins).</summary>
    public string? Via { get; private set; }

    public void Apply(ActivityDefinition definition, string? branch, ActivityResult result)
    {
        if (ContinueOnBranch is { } next)
        {
            branch = next.Length == 0 ? null : next;
            ContinueOnBranch = null;
        }
        switch (result)
        {
            case ActivityResult.Outcomes o:
                Journal(JournalKinds.ActivityCompleted, definition, outcome: string.Join(",", o.Names));
                // Only a parallel split (an activity whose outcomes are its branches, i.e. Fork) starts new branch
                // lineages; other multi-outcome results (a Timer's last Tick + Done) stay on the current branch.
                var split = o.Names.Count > 1 && _registry.TryGet(definition.Type, out var type) && type.Descriptor.DynamicOutcomes == "branches";
                foreach (var outcome in o.Names)
                {
                    var connection = Definition.FindConnection(definition.Id, outcome);
                    if (connection is null) continue;
                    var nextBranch = split ? $"{branch};{definition.Id}@{State.Sequence}/{outcome}" : branch;
                    Enqueue(connection.Target, nextBranch, $"{connection.Source}:{connection.Outcome}");
                }
                if (split) State.Sequence++;
                break;
            case ActivityResult.Suspended s:
                AddBookmarks(s.Bookmarks);
                if (_options.JournalActivityEntries) Journal(JournalKinds.ActivitySuspended, definition);
                break;
            case ActivityResult.Stopped:
                break;
            case ActivityResult.OutcomeAndSuspend os:
                AddBookmarks([os.Bookmark]);
                Apply(definition, branch, ActivityResult.Outcome(os.Next));
                break;
            case ActivityResult.Finished f:
                SetBusinessStatus(f.BusinessStatus, null);
                State.FinalOutcome = f.FinalOutcome;
                Journal(JournalKinds.ActivityCompleted, definition, outcome: f.FinalOutcome);
                Complete();
                break;
            case ActivityResult.Faulted f:
                Fail(definition, f.Message);
                break;
        }
    }

    public void Complete()
    {
        CancelAllBookmarks();
        _queue.Clear();
        State.Status = InstanceStatus.Completed;
        State.CompletedAt = Now;
        Journal(JournalKinds.InstanceCompleted, message: State.BusinessStatus);
        NotifyParent(State.FinalOutcome ?? "Completed");
    }

    public void NotifyParent(string outcome)
    {
        if (State.ParentInstanceId is { } parent && State.ParentBookmarkId is { } bookmark)
        {
            Result.Parent = new ParentNotification(parent, bookmark, outcome, new Dictionary<string, object?>(State.Variables));
        }
    }

    public void Fail(ActivityDefinition? activity, string message)
    {
        _queue.Clear();
        State.Status = InstanceStatus.Faulted;
        State.Fault = message;
        Journal(JournalKinds.InstanceFaulted, activity, message: message);
        Result.Incidents.Add(new IncidentRecord(NewId(), State.Id, activity?.Id ?? "", activity?.Type ?? "", message, null, Now));
    }

    private void FinishIfIdle()
    {
        if (State.Status == InstanceStatus.Running && State.Bookmarks.Count == 0 && _queue.Count == 0)
        {
            Complete();
        }
    }

    public void Finish()
    {
        State.UpdatedAt = Now;
        State.Version = Result.ExpectedVersion + 1;
        if (_pendingChanges.Count > 0) Journal(JournalKinds.Note, message: "Variables changed");
    }
}

/// <summary>Thrown by an activity to fault the instance with a message for the operator.</summary>
public sealed class ActivityFailedException(string message) : Exception(message);

public sealed record EngineOptions
{
    /// <summary>Guards against a flow that loops without a wait state (validation refuses those, this catches the rest).</summary>
    public int MaxActivitiesPerStep { get; init; } = 1_000;

    /// <summary>
    /// The host's SLA settings: a due time for a user task by (definition id, activity id, business status), overriding
    /// the definition's <c>dueIn</c>; null keeps the definition's. Lets operations tune SLAs without a new version.
    /// </summary>
    public Func<string, string, string?, TimeSpan?>? DueTimeOverride { get; init; }

    /// <summary>Journal every activity entered/suspended, not only completions and human actions.</summary>
    public bool JournalActivityEntries { get; init; } = true;

    /// <summary>Hard caps on one step's work, refused with <see cref="StepLimitExceededException"/>; null: none (see <see cref="MaxActivitiesPerStep"/>).</summary>
    public StepBudget? Budget { get; init; }
}

/// <summary>
/// Caps for steps computed on behalf of an untrusted caller (the designer's dry runs): activities executed, the size
/// of any text or collection a variable is set to, the variables together (JSON bytes, approximately), and wall time.
/// </summary>
public sealed record StepBudget
{
    public int MaxSteps { get; init; } = 200;
    public int MaxStringLength { get; init; } = 64 * 1024;
    public int MaxCollectionSize { get; init; } = 1_000;
    public long MaxStateBytes { get; init; } = 1024 * 1024;
    public TimeSpan MaxWallTime { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Checks one value against the string and collection caps; returns its approximate JSON size.</summary>
    public long Measure(string what, object? value, int depth = 0)
    {
        switch (value)
        {
            case null: return 4;
            case string s:
                if (s.Length > MaxStringLength) throw new StepLimitExceededException("maxStringLength", $"{what} holds text of {s.Length} characters; the cap is {MaxStringLength}.");
                return s.Length + 2;
            case IEnumerable<KeyValuePair<string, object?>> map:
            {
                long size = 2, count = 0;
                foreach (var (key, item) in map)
                {
                    if (++count > MaxCollectionSize) throw new StepLimitExceededException("maxCollectionSize", $"{what} holds an object of more than {MaxCollectionSize} members; the cap is {MaxCollectionSize}.");
                    size += key.Length + 4 + Measure(what, item, depth + 1);
                }
                return size;
            }
            case System.Collections.IEnumerable list:
            {
                long size = 2, count = 0;
                foreach (var item in list)
                {
                    if (++count > MaxCollectionSize) throw new StepLimitExceededException("maxCollectionSize", $"{what} holds a list of more than {MaxCollectionSize} items; the cap is {MaxCollectionSize}.");
                    size += 1 + Measure(what, item, depth + 1);
                }
                return size;
            }
            default: return 24;
        }
    }
}
