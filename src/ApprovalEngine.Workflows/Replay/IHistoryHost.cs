using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Workflows.Replay;

/// <summary>
/// A host a history is replayed on: the in-memory host, or the database host (one transaction per command). Its engine
/// runs on <see cref="Clock"/>, which the replayer sets to each command's recorded time; it never runs outside calls.
/// </summary>
public interface IHistoryHost
{
    ManualClock Clock { get; }

    WorkflowEngine Engine { get; }

    /// <summary>Makes <paramref name="definition"/> the published version <see cref="WorkflowDefinition.Version"/>.</summary>
    Task PublishAsync(WorkflowDefinition definition);

    Task<WorkflowDefinition> DefinitionAsync(string id, int version);

    /// <summary>Commits the step (and what it chains: sub-workflows, parent resumes) in one unit.</summary>
    Task StartAsync(StepResult step);

    /// <summary>Loads the instance and its version, computes the step and commits it with what it chains.</summary>
    Task StepAsync(Guid instanceId, Func<WorkflowDefinition, InstanceState, StepResult> step);

    Task<InstanceState?> GetAsync(Guid instanceId);

    /// <summary>Sub-workflow instances of <paramref name="parentId"/>.</summary>
    Task<IReadOnlyList<InstanceState>> ChildrenAsync(Guid parentId);

    Task<IReadOnlyList<JournalEntry>> JournalAsync(Guid instanceId);
}

/// <summary>The in-memory host as a replay target: outside calls off, a manual clock.</summary>
public sealed class InMemoryHistoryHost : IHistoryHost
{
    public InMemoryHistoryHost(Activities.ActivityRegistry registry, EngineOptions? options = null)
    {
        Clock = new ManualClock(DateTimeOffset.UnixEpoch);
        Host = new InMemoryWorkflowHost(registry, Clock, options) { RunJobs = false };
    }

    public InMemoryWorkflowHost Host { get; }

    public ManualClock Clock { get; }

    public WorkflowEngine Engine => Host.Engine;

    public Task PublishAsync(WorkflowDefinition definition)
    {
        ArgumentNullException.ThrowIfNull(definition);
        Host.Publish(definition, definition.Version);
        return Task.CompletedTask;
    }

    public Task<WorkflowDefinition> DefinitionAsync(string id, int version) => Task.FromResult(Host.Definition(id, version));

    public Task StartAsync(StepResult step) => Host.CommitAsync(step);

    public Task StepAsync(Guid instanceId, Func<WorkflowDefinition, InstanceState, StepResult> step)
    {
        ArgumentNullException.ThrowIfNull(step);
        var state = Host.Instances.GetValueOrDefault(instanceId) ?? throw new WorkflowNotFoundException($"No instance {instanceId}.");
        return Host.CommitAsync(step(Host.Definition(state.DefinitionId, state.DefinitionVersion), state));
    }

    public Task<InstanceState?> GetAsync(Guid instanceId) => Task.FromResult(Host.Instances.GetValueOrDefault(instanceId));

    public Task<IReadOnlyList<InstanceState>> ChildrenAsync(Guid parentId) =>
        Task.FromResult<IReadOnlyList<InstanceState>>([.. Host.Instances.Values.Where(i => i.ParentInstanceId == parentId)]);

    public Task<IReadOnlyList<JournalEntry>> JournalAsync(Guid instanceId) => Task.FromResult(Host.Journal(instanceId));
}
