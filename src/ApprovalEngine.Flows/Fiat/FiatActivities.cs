using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat.Activities;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Fiat;

/// <summary>Registers the fiat (Whale) activities used by workflows/fiat-withdrawal.json.</summary>
public static class FiatActivities
{
    public static ActivityRegistry Register(ActivityRegistry registry, IWithdrawalChannels channels, IWithdrawalHistory history, IBankGateway bank, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(bank);
        return registry
            .Register(new LoadFiatWithdrawalFacts(channels, history, bank, clock ?? TimeProvider.System))
            .Register(new EvaluateFiatWithdrawalRules())
            .Register(new SendBankPayout(bank))
            .Register(new ReconcileWithdrawal());
    }
}
