using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using TaskStatus = ApprovalEngine.Workflows.Runtime.TaskStatus;

namespace ApprovalEngine.Workflows.Hosting;

/// <summary>
/// A complete host kept in memory: definitions, instances, tasks, journal, timers, jobs and incidents. Used by the
/// engine's tests, the benchmark and replay checks; the server does the same over a database and Quartz.
/// Not thread-safe: one caller at a time.
/// </summary>
public sealed class InMemoryWorkflowHost : IWorkflowUnitOfWork
{
    private readonly Dictionary<(string, int), WorkflowDefinition> _definitions = [];
    private readonly Dictionary<string, int> _published = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, InstanceState> _instances = [];
    private readonly Dictionary<Guid, WorkTask> _tasks = [];
    private readonly Dictionary<Guid, List<JournalEntry>> _journal = [];
    private readonly List<JobRequest> _pendingJobs = [];
    private readonly Dictionary<Guid, int> _jobAttempts = [];
    private readonly TimeProvider _clock;

    public InMemoryWorkflowHost(ActivityRegistry registry, TimeProvider? clock = null, EngineOptions? options = null)
    {
        _clock = clock ?? TimeProvider.System;
        Engine = new WorkflowEngine(registry, _clock, options);
        Coordinator = new WorkflowCoordinator(Engine);
    }

    public WorkflowEngine Engine { get; }
    public WorkflowCoordinator Coordinator { get; }
    public int MaxJobAttempts { get; init; } = 3;
    public bool RecordJournal { get; init; } = true;
    public List<IncidentRecord> Incidents { get; } = [];
    /// <summary>What caused each saved step, in commit order (see <see cref="StepCommand"/>): the history a replay feeds back.</summary>
    public List<StepCommand> Commands { get; } = [];

    /// <summary>
    /// Whether outside calls run after a commit (true). A replay turns it off: the recorded history delivers their
    /// results as resumes, and calling the outside system again is exactly what a replay must never do.
    /// </summary>
    public bool RunJobs { get; init; } = true;
    public IReadOnlyDictionary<Guid, InstanceState> Instances => _instances;
    public IEnumerable<WorkTask> Tasks => _tasks.Values;

    public int Publish(WorkflowDefinition definition)
    {
        var version = _published.TryGetValue(definition.Id, out var current) ? current + 1 : 1;
        _definitions[(definition.Id, version)] = definition with { Version = version };
        _published[definition.Id] = version;
        return version;
    }

    /// <summary>Publishes <paramref name="definition"/> as exactly <paramref name="version"/> (a replay reproduces the recorded versions).</summary>
    public void Publish(WorkflowDefinition definition, int version)
    {
        _definitions[(definition.Id, version)] = definition with { Version = version };
        if (!_published.TryGetValue(definition.Id, out var current) || current <= version) _published[definition.Id] = version;
    }

    public WorkflowDefinition Definition(string id, int? version = null) =>
        _definitions[(id, version ?? _published[id])];

    /// <param name="instanceId">The new instance's id; random when null (pass one for deterministic replays).</param>
    /// <param name="domainInputs">Inputs the caller computed as a domain route would (see <see cref="StartWorkflow.DomainInputs"/>).</param>
    public async Task<InstanceState> StartAsync(string definitionId, IReadOnlyDictionary<string, object?>? input = null, string? correlationId = null, Actor? actor = null, Guid? instanceId = null,
        IReadOnlySet<string>? domainInputs = null)
    {
        if (correlationId is not null && _instances.Values.FirstOrDefault(i => i.DefinitionId == definitionId && i.CorrelationId == correlationId && i.ParentInstanceId is null) is { } existing)
        {
            return existing;
        }
        var step = Engine.Start(Definition(definitionId), new StartWorkflow
        {
            InstanceId = instanceId ?? Guid.NewGuid(),
            CorrelationId = correlationId,
            Input = input ?? new Dictionary<string, object?>(),
            Actor = actor ?? Actor.System(),
            DomainInputs = domainInputs ?? new HashSet<string>(),
        });
        await CommitAsync(step);
        return _instances[step.State.Id];
    }

    public async Task<InstanceState> CompleteTaskAsync(Guid taskId, string action, Actor actor, string? comment = null, IReadOnlyDictionary<string, object?>? data = null, long? expectedVersion = null)
    {
        if (!_tasks.TryGetValue(taskId, out var task)) throw new WorkflowNotFoundException($"No task {taskId}.");
        var state = _instances[task.InstanceId];
        var step = Engine.CompleteTask(DefinitionOf(state), state, new CompleteTask
        {
            TaskId = taskId,
            Action = action,
            Actor = actor,
            Comment = comment,
            Data = data ?? new Dictionary<string, object?>(),
            ExpectedVersion = expectedVersion,
        });
        await CommitAsync(step);
        return _instances[task.InstanceId];
    }

    /// <summary>Resumes every instance waiting for the event with that correlation, and interrupts those whose flow declares it.</summary>
    public async Task<int> SendEventAsync(string name, string correlationKey, object? payload = null)
    {
        var resumed = 0;
        foreach (var state in _instances.Values.ToList())
        {
            if (state.Status != InstanceStatus.Running) continue;
            var bookmark = state.Bookmarks.FirstOrDefault(b => b.Kind == BookmarkKind.Event && b.EventName == name && b.CorrelationKey == correlationKey);
            if (bookmark is not null)
            {
                await CommitAsync(Engine.ResumeBookmark(DefinitionOf(state), state, bookmark.Id, new ResumeSignal { Payload = payload, Actor = Actor.System("event") }));
                resumed++;
            }
            else if (state.CorrelationId == correlationKey && DefinitionOf(state).Interrupts.Any(i => i.Event == name))
            {
                await CommitAsync(Engine.Interrupt(DefinitionOf(state), state, name, payload, Actor.System("event")));
                resumed++;
            }
        }
        return resumed;
    }

    /// <summary>Fires every timer due at or before now, earliest first (including timers that fire steps schedule).</summary>
    public async Task<int> FireDueTimersAsync()
    {
        var fired = 0;
        while (true)
        {
            var now = _clock.GetUtcNow();
            var due = _instances.Values
                .SelectMany(i => i.Bookmarks.Where(b => b.DueAt <= now).Select(b => (Instance: i, Bookmark: b)))
                .OrderBy(x => x.Bookmark.DueAt)
                .FirstOrDefault();
            if (due.Instance is null) return fired;
            await CommitAsync(Engine.FireTimer(DefinitionOf(due.Instance), due.Instance, due.Bookmark.Id));
            fired++;
        }
    }

    public async Task CancelAsync(Guid instanceId, string reason, Actor actor)
    {
        var state = _instances[instanceId];
        await CommitAsync(Engine.Cancel(DefinitionOf(state), state, reason, actor));
    }

    /// <summary>Moves an instance to another stored version of its definition (see <see cref="InstanceMigration"/>).</summary>
    public async Task MigrateAsync(Guid instanceId, int toVersion, IReadOnlyDictionary<string, string> mapping, Actor actor)
    {
        var state = _instances[instanceId];
        await CommitAsync(Engine.Migrate(DefinitionOf(state), Definition(state.DefinitionId, toVersion), state, mapping, actor));
    }

    public IReadOnlyList<JournalEntry> Journal(Guid instanceId) => _journal.TryGetValue(instanceId, out var j) ? j : [];

    public IEnumerable<WorkTask> OpenTasks(Guid instanceId) => _tasks.Values.Where(t => t.InstanceId == instanceId && t.Status == TaskStatus.Open);

    public WorkTask OpenTask(Guid instanceId) => OpenTasks(instanceId).Single();

    /// <summary>Re-runs a job whose retries ran out.</summary>
    public async Task RetryIncidentAsync(IncidentRecord incident)
    {
        Incidents.Remove(incident);
        var state = _instances[incident.InstanceId];
        if (incident.BookmarkId is { } bookmarkId && state.Bookmarks.FirstOrDefault(b => b.Id == bookmarkId) is { } bookmark)
        {
            _jobAttempts.Remove(bookmarkId);
            await Coordinator.SaveAsync(this, Engine.RetryCall(DefinitionOf(state), state, bookmarkId, "Operator retried the call.", Actor.System("operator")));
            _pendingJobs.Add(new JobRequest(bookmarkId, state.Id, bookmark.ActivityId, bookmark.ActivityType, bookmark.Data!["input"]!.AsObject(), bookmark.Data!["idempotencyKey"]!.GetValue<string>()));
            await RunJobsAsync();
        }
        else
        {
            await CommitAsync(Engine.RetryFault(DefinitionOf(state), state, incident.ActivityId, Actor.System("operator")));
        }
    }

    public async Task CommitAsync(StepResult step)
    {
        await Coordinator.SaveAsync(this, step);
        await RunJobsAsync();
    }

    private async Task RunJobsAsync()
    {
        if (!RunJobs)
        {
            _pendingJobs.Clear();
            return;
        }
        while (_pendingJobs.Count > 0)
        {
            var job = _pendingJobs[0];
            _pendingJobs.RemoveAt(0);
            var state = _instances[job.InstanceId];
            if (state.Bookmarks.All(b => b.Id != job.BookmarkId)) continue;
            Engine.Registry.TryGet(job.ActivityType, out var activity);
            var attempt = _jobAttempts[job.BookmarkId] = _jobAttempts.GetValueOrDefault(job.BookmarkId) + 1;
            ExternalCallResult result;
            try
            {
                result = await ((IExternalActivity)activity!).CallAsync(job.Input, new ExternalCallContext(job.InstanceId, job.ActivityId, job.IdempotencyKey, attempt), CancellationToken.None);
            }
            catch (Exception ex) when (ex is not OutOfMemoryException)
            {
                if (attempt < MaxJobAttempts)
                {
                    _pendingJobs.Add(job);
                }
                else
                {
                    Incidents.Add(new IncidentRecord(Guid.NewGuid(), job.InstanceId, job.ActivityId, job.ActivityType, ex.Message, job.BookmarkId, _clock.GetUtcNow()));
                    await Coordinator.SaveAsync(this, Engine.CallFailed(DefinitionOf(state), state, job.BookmarkId, $"{job.ActivityType} failed {attempt} times: {ex.Message}. An incident was opened.", Actor.System("worker")));
                }
                continue;
            }
            _jobAttempts.Remove(job.BookmarkId);
            state = _instances[job.InstanceId];
            await Coordinator.SaveAsync(this, Engine.CompleteCall(DefinitionOf(state), state, job.BookmarkId, new ResumeSignal
            {
                Outcome = result.Outcome,
                Outputs = result.Outputs,
                Actor = Actor.System("worker"),
            }));
        }
    }

    private WorkflowDefinition DefinitionOf(InstanceState state) => _definitions[(state.DefinitionId, state.DefinitionVersion)];

    ValueTask<WorkflowDefinition?> IWorkflowUnitOfWork.GetDefinitionAsync(string id, int? version, CancellationToken cancellationToken)
    {
        if (version is null && !_published.TryGetValue(id, out _)) return ValueTask.FromResult<WorkflowDefinition?>(null);
        return ValueTask.FromResult(_definitions.GetValueOrDefault((id, version ?? _published[id])));
    }

    ValueTask<InstanceState?> IWorkflowUnitOfWork.GetInstanceAsync(Guid id, CancellationToken cancellationToken) =>
        ValueTask.FromResult(_instances.GetValueOrDefault(id));

    ValueTask IWorkflowUnitOfWork.SaveAsync(StepResult step, CancellationToken cancellationToken)
    {
        if (_instances.TryGetValue(step.State.Id, out var current) ? current.Version != step.ExpectedVersion : !step.IsNew)
        {
            throw new WorkflowConflictException("The instance changed underneath; reload and try again.", stale: true);
        }
        _instances[step.State.Id] = step.State;
        if (step.Command is { } command) Commands.Add(command);
        foreach (var task in step.TasksOpened) _tasks[task.Id] = task;
        foreach (var update in step.TasksUpdated) _tasks[update.TaskId] = _tasks[update.TaskId] with { Overdue = update.Overdue, Priority = update.Priority };
        foreach (var closed in step.TasksClosed)
        {
            if (_tasks.TryGetValue(closed.TaskId, out var task))
            {
                _tasks[closed.TaskId] = task with { Status = closed.Status, ClosedAt = closed.ClosedAt, ClosedBy = closed.ClosedBy, ClosedAction = closed.Action };
            }
        }
        if (RecordJournal)
        {
            if (!_journal.TryGetValue(step.State.Id, out var journal)) _journal[step.State.Id] = journal = [];
            foreach (var entry in step.Journal) journal.Add(entry with { Sequence = journal.Count + 1 });
        }
        if (step.Migrated is { } move)
        {
            foreach (var (_, _, taskId, activityId) in move.Bookmarks)
            {
                if (taskId is { } t && _tasks.TryGetValue(t, out var task)) _tasks[t] = task with { ActivityId = activityId, DefinitionVersion = move.ToVersion };
            }
        }
        _pendingJobs.AddRange(step.Jobs);
        Incidents.AddRange(step.Incidents);
        return ValueTask.CompletedTask;
    }
}

/// <summary>A clock that moves only when told to; for tests, dry runs and replays.</summary>
public sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;

    public void Set(DateTimeOffset to) => _now = to;
}
