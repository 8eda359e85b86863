using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Server.Features.WdRequests;

/// <summary>
/// The WD approvals judge the trading account as the ledger reports it when the action is taken (manual: "check the
/// current state of balance"): Retention's routing, Dealing's Pass to Backoffice, Backoffice Approve and Complete.
/// </summary>
public sealed class WdActionFacts(ILedger ledger, TimeProvider clock) : IActionFacts
{
    public string DefinitionId => WdVariables.DefinitionId;

    public async Task<CurrentFacts?> ReadAsync(InstanceState state, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        if (!WdFacts.NeedsFacts(action)) return null;
        var number = WdVars.Text(state.Variables, WdVariables.TradingAccount);
        TradingAccount? account;
        try
        {
            account = string.IsNullOrEmpty(number) ? null : await ledger.GetAccountAsync(number, cancellationToken);
        }
        catch (LedgerRejectedException)
        {
            account = null;
        }
        catch (Exception ex) when (IsOutage(ex, cancellationToken))
        {
            // Not the caller's fault, and an approval must not pass on stale figures: try again later.
            throw new ApiProblemException(503, "The trading platform is unavailable.", null, $"The current balance cannot be read now ({ex.Message}); try again.");
        }
        var variables = account is null ? new Dictionary<string, object?>() : WdFacts.ToVariables(account, clock.GetUtcNow());
        return new CurrentFacts(variables, (loaded, department) => WdFacts.Check(
            action,
            department,
            WdVars.Number(loaded.Variables, WdVariables.RequestedAmount) ?? 0m,
            WdVars.Text(loaded.Variables, WdVariables.Currency) ?? "",
            WdTransactions.FromVariable(loaded.Variables.GetValueOrDefault(WdVariables.Transactions)),
            account));
    }

    /// <summary>
    /// The ledger could not answer: a network failure, or a timeout — which HttpClient reports as a cancellation that
    /// is not the caller's own. The caller's own cancellation is not an outage and propagates.
    /// </summary>
    public static bool IsOutage(Exception ex, CancellationToken callerToken) =>
        ex is HttpRequestException or TimeoutException or IOException
        || (ex is OperationCanceledException && !callerToken.IsCancellationRequested);
}
