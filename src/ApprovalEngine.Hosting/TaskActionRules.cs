using ApprovalEngine.Persistence;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Hosting;

/// <summary>
/// A task action about to be committed: the instance as it was before the step (<see cref="Before"/>), the task, its
/// activity, the action and who takes it. <see cref="Db"/> is the step's own connection and transaction, so what a rule
/// reads is what the step commits against.
/// </summary>
public sealed record TaskActionCheck(ApprovalDbContext Db, WorkflowDefinition Definition, InstanceState Before, Guid TaskId, string ActivityId, string Action, Actor Actor);

/// <summary>
/// A domain's rule on the task actions its instances receive (ADR 17), e.g. "no second payment once money left" for
/// every version of the fiat withdrawal. The runner consults every registered rule for every step that completes a
/// task, whatever route built that step (the generic task route, a domain's single or bulk routes), inside the step's
/// transaction and before anything is written. A rule refuses by throwing <see cref="WorkflowConflictException"/>
/// (409) or <see cref="WorkflowForbiddenException"/> (403).
/// </summary>
public interface ITaskActionRule
{
    Task CheckAsync(TaskActionCheck check, CancellationToken cancellationToken);
}
