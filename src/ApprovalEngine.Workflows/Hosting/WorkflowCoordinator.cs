using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Workflows.Hosting;

/// <summary>
/// The unit of work a host gives the coordinator: reads see what earlier saves in the same unit wrote, and nothing
/// is visible to others until the host commits the whole unit.
/// </summary>
public interface IWorkflowUnitOfWork
{
    /// <summary>
    /// A published version, or the current published one when <paramref name="version"/> is null: the version a new
    /// instance starts on. A host refuses (<see cref="WorkflowConflictException"/>) a current version that is suspended.
    /// </summary>
    ValueTask<WorkflowDefinition?> GetDefinitionAsync(string id, int? version, CancellationToken cancellationToken);

    ValueTask<InstanceState?> GetInstanceAsync(Guid id, CancellationToken cancellationToken);

    ValueTask SaveAsync(StepResult step, CancellationToken cancellationToken);
}

/// <summary>
/// Saves a step and the steps it causes within the same unit of work: child instances started by CallWorkflow, and
/// parents resumed when a child finishes. A parent and its children therefore never disagree after a commit.
/// </summary>
public sealed class WorkflowCoordinator(WorkflowEngine engine)
{
    private const int MaxChainedSteps = 100;

    public WorkflowEngine Engine => engine;

    public async Task<IReadOnlyList<StepResult>> SaveAsync(IWorkflowUnitOfWork unit, StepResult first, CancellationToken cancellationToken = default)
    {
        var saved = new List<StepResult>();
        var queue = new Queue<StepResult>();
        queue.Enqueue(first);
        while (queue.Count > 0)
        {
            if (saved.Count >= MaxChainedSteps) throw new WorkflowConflictException("Too many nested sub-workflow steps in one commit.");
            var step = queue.Dequeue();
            if (saved.Count > 0 && step.Command is { Chained: false } command) step.Command = command with { Chained = true };
            await unit.SaveAsync(step, cancellationToken);
            saved.Add(step);
            foreach (var child in step.ChildStarts)
            {
                var definition = await unit.GetDefinitionAsync(child.DefinitionId, null, cancellationToken);
                if (definition is null)
                {
                    throw new WorkflowConflictException($"The sub-workflow '{child.DefinitionId}' has no published version.");
                }
                queue.Enqueue(engine.Start(definition, new StartWorkflow
                {
                    InstanceId = child.ChildInstanceId,
                    CorrelationId = child.CorrelationId,
                    Input = child.Input,
                    ParentInstanceId = child.ParentInstanceId,
                    ParentBookmarkId = child.ParentBookmarkId,
                    Actor = Actor.System("parent"),
                    StartedBy = child.StartedBy,
                    RequestedBy = child.RequestedBy,
                }));
            }
            foreach (var childId in step.ChildrenCancelled)
            {
                var child = await unit.GetInstanceAsync(childId, cancellationToken);
                // A child already cancelling waits for its own calls; it needs no second cancel.
                if (child is null || child.IsFinished || child.Status == InstanceStatus.Cancelling) continue;
                var definition = await unit.GetDefinitionAsync(child.DefinitionId, child.DefinitionVersion, cancellationToken)
                    ?? throw new WorkflowConflictException($"Definition {child.DefinitionId} v{child.DefinitionVersion} is missing.");
                queue.Enqueue(engine.Cancel(definition, child, "The parent flow no longer waits for this sub-workflow.", Actor.System("parent")));
            }
            if (step.Parent is { } parent)
            {
                var state = await unit.GetInstanceAsync(parent.ParentInstanceId, cancellationToken);
                if (state is null || state.Status != InstanceStatus.Running || state.Bookmarks.All(b => b.Id != parent.ParentBookmarkId)) continue;
                var definition = await unit.GetDefinitionAsync(state.DefinitionId, state.DefinitionVersion, cancellationToken)
                    ?? throw new WorkflowConflictException($"Definition {state.DefinitionId} v{state.DefinitionVersion} is missing.");
                queue.Enqueue(engine.ResumeBookmark(definition, state, parent.ParentBookmarkId, new ResumeSignal
                {
                    Outcome = parent.Outcome,
                    Outputs = parent.Variables,
                    Actor = Actor.System("child"),
                }));
            }
        }
        return saved;
    }
}
