using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Hosting;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <summary>
/// No second payment once money left, for every version of <c>fiat-withdrawal</c> and on every route that completes a
/// task (ADR 17): choosing Resubmit or Repayment, or approving one chosen before, is refused (409) when the record's
/// stored state says the bank reported the payout paid, an operator set it successful, or a statement debit was tied
/// to it. Version 3's guard says the same for its own tasks; versions 1 and 2 have no guard, and this rule is what
/// stops their generic-route side door.
/// </summary>
public sealed class FiatMoneyLeftRule : ITaskActionRule
{
    public Task CheckAsync(TaskActionCheck check, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(check);
        var state = check.Before;
        if (state.DefinitionId != FiatNames.DefinitionId) return Task.CompletedTask;
        if (FiatTaskRules.PaysAgain(check.ActivityId, check.Action, state.Variables) && FiatTaskRules.MoneyLeft(state.Variables))
        {
            throw new WorkflowConflictException(
                $"Money left for record {state.CorrelationId} (the bank reported its payout paid, it was set successful, or a statement debit was tied to it), so {check.Action} would pay it twice. Only a proven failure may be paid again.");
        }
        return Task.CompletedTask;
    }
}
