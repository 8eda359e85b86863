using System.Text.Json.Serialization;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Wd.Activities;

public sealed class LoadTradingAccountInput
{
    [System.ComponentModel.DataAnnotations.Required]
    [Description("Trading account number, e.g. tradingAccount.")]
    public string? Account { get; set; }
}

/// <param name="MarginLevel">Equity / Margin × 100 in percent; null when no margin is used (no open positions), which guards treat as fine.</param>
public sealed record LoadTradingAccountOutput(
    [property: Description("Balance.")] decimal Balance,
    [property: Description("Equity.")] decimal Equity,
    [property: Description("Margin used by open trades.")] decimal Margin,
    [property: Description("Free margin.")] decimal FreeMargin,
    [property: Description("Credit.")] decimal Credit,
    [property: Description("Number of open trades.")] int OpenTrades,
    [property: Description("True when the customer has open trades.")] bool HasOpenTrades,
    [property: Description("Equity / Margin × 100; null when margin is 0."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] decimal? MarginLevel,
    [property: Description("When the facts were read.")] DateTimeOffset AccountLoadedAt);

/// <summary>
/// Reads the trading account through the ledger after the commit, so that the next task's guards see fresh facts
/// (balance, margin level, open trades). An unknown account fails the job (retried, then an incident).
/// </summary>
[Activity("LoadTradingAccount", "Withdrawals", "Load trading account",
    Description = "Reads balance, equity, margin, free margin, credit and open trades of the trading account from the ledger.")]
public sealed class LoadTradingAccount(ILedger ledger, TimeProvider clock) : ExternalActivity<LoadTradingAccountInput, LoadTradingAccountOutput>
{
    protected override async Task<DomainResult<LoadTradingAccountOutput>> RunAsync(LoadTradingAccountInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(input.Account)) throw new LedgerRejectedException("No trading account given.");
        var account = await ledger.GetAccountAsync(input.Account, cancellationToken)
            ?? throw new LedgerRejectedException($"The trading account '{input.Account}' does not exist on the platform.");
        return DomainResult<LoadTradingAccountOutput>.Done(new LoadTradingAccountOutput(
            account.Balance,
            account.Equity,
            account.Margin,
            account.FreeMargin,
            account.Credit,
            account.OpenTrades,
            account.OpenTrades > 0,
            WdAmounts.MarginLevel(account.Equity, account.Margin),
            clock.GetUtcNow()));
    }
}
