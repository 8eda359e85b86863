using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat.Activities;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Fiat;

/// <summary>
/// Registers every fiat (Whale) activity: those of workflows/fiat-withdrawal.json version 2 and fiat-batch.json, and
/// those version 1 used (LoadFiatWithdrawalFacts, EvaluateFiatWithdrawalRules, ReconcileWithdrawal), which instances
/// stored before keep running on.
/// </summary>
public static class FiatActivities
{
    public static ActivityRegistry Register(ActivityRegistry registry, IWithdrawalChannels channels, IWithdrawalHistory history, IBankGateway bank, TimeProvider? clock = null,
        IFiatRepayments? repayments = null, IFiatBatchFiles? batchFiles = null, IFiatConfigStore? config = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(channels);
        ArgumentNullException.ThrowIfNull(history);
        ArgumentNullException.ThrowIfNull(bank);
        var time = clock ?? TimeProvider.System;
        // The server passes the stored configuration; hosts without it (in-memory flow tests) get the development defaults.
        var store = config ?? InMemoryFiatConfigStore.WithDefaults(time);
        return registry
            // Version 1 (instances stored before version 2).
            .Register(new LoadFiatWithdrawalFacts(channels, history, bank, time))
            .Register(new EvaluateFiatWithdrawalRules())
            .Register(new ReconcileWithdrawal())
            // Both versions.
            .Register(new SendBankPayout(bank))
            // Version 2 and fiat-batch: rules, limits and settings from the configuration.
            .Register(new EvaluateFiatApplication(store))
            .Register(new CheckFiatPayout(store, bank))
            .Register(new LoadFiatSettings(store))
            .Register(new RegenerateFiatWithdrawal(repayments ?? new NoRepayments()))
            .Register(new SubmitBankFile(batchFiles ?? new NoBatchFiles()));
    }

    /// <summary>Hosts without the batches store (pure flow tests) have no file to send.</summary>
    private sealed class NoBatchFiles : IFiatBatchFiles
    {
        public Task<FiatBatchFileResult> SubmitAsync(string batchId, string idempotencyKey, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("This host has no fiat batches store: bank files need the server.");
    }

    /// <summary>Hosts without the records store (pure flow tests) cannot start a new record; a repayment fails loudly there.</summary>
    private sealed class NoRepayments : IFiatRepayments
    {
        public Task<string> RegenerateAsync(Guid oldInstanceId, string oldRecordNo, CancellationToken cancellationToken) =>
            throw new InvalidOperationException("This host has no fiat records store: Repayment needs the server.");
    }
}
