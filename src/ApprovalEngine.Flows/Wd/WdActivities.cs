using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Wd.Activities;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Wd;

/// <summary>Registers the WD domain activities used by workflows/wd-request.json.</summary>
public static class WdActivities
{
    public const string LoadTradingAccount = "LoadTradingAccount";
    public const string CreateDraftTransactions = "CreateDraftTransactions";
    public const string ExecuteWdTransactions = "ExecuteWdTransactions";

    public static ActivityRegistry Register(ActivityRegistry registry, ILedger ledger, TimeProvider? clock = null)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(ledger);
        return registry
            .Register(new Activities.LoadTradingAccount(ledger, clock ?? TimeProvider.System))
            .Register(new Activities.CreateDraftTransactions())
            .Register(new Activities.ExecuteWdTransactions(ledger));
    }

    /// <summary>The built-ins plus the WD activities.</summary>
    public static ActivityRegistry CreateRegistry(ILedger ledger, TimeProvider? clock = null, ICronSchedule? cron = null) =>
        Register(ActivityRegistry.CreateDefault(cron), ledger, clock);
}
