using System.Text.Json.Serialization;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Fiat.Activities;

public sealed class LoadFiatWithdrawalFactsInput
{
    [System.ComponentModel.DataAnnotations.Required][Description("Customer id.")] public string? CustomerId { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Withdrawal channel id.")] public string? Channel { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Beneficiary bank account.")] public string? BankAccount { get; set; }
}

public sealed record LoadFiatWithdrawalFactsOutput(
    [property: Description("The channel is configured.")] bool ChannelConfigured,
    [property: Description("Currency the channel pays.")] string? ChannelCurrency,
    [property: Description("Withdrawal policy: RealTimeSingle or TimedPacking.")] string? Policy,
    [property: Description("Single-withdrawal limit.")] decimal SingleLimit,
    [property: Description("Daily limit of the channel.")] decimal ChannelDailyLimit,
    [property: Description("Daily limit per customer on the channel.")] decimal CustomerDailyLimit,
    [property: Description("Automatic review threshold.")] decimal ReviewThreshold,
    [property: Description("Balance interception threshold.")] decimal InterceptionThreshold,
    [property: Description("Direct billing needs a work order.")] bool DirectBillingNeedsApproval,
    [property: Description("Withdrawn today by the customer on the channel.")] decimal CustomerUsedToday,
    [property: Description("Paid today on the channel.")] decimal ChannelUsedToday,
    [property: Description("Earlier withdrawals of the customer.")] int PreviousWithdrawals,
    [property: Description("The bank account was paid before.")] bool KnownBankAccount,
    [property: Description("Available balance of the paying account; null without balance inquiry."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] decimal? BankAvailableBalance);

/// <summary>Reads the channel's rules, today's usage, the customer's history and the paying account's balance after the commit.</summary>
[Activity("LoadFiatWithdrawalFacts", "Fiat", "Load withdrawal facts",
    Description = "Channel rules (policy, limits, thresholds), today's usage, the customer's history and the paying bank's available balance.")]
public sealed class LoadFiatWithdrawalFacts(IWithdrawalChannels channels, IWithdrawalHistory history, IBankGateway bank, TimeProvider clock)
    : ExternalActivity<LoadFiatWithdrawalFactsInput, LoadFiatWithdrawalFactsOutput>
{
    protected override async Task<DomainResult<LoadFiatWithdrawalFactsOutput>> RunAsync(LoadFiatWithdrawalFactsInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        var channelId = input.Channel ?? "";
        var channel = await channels.GetChannelAsync(channelId, cancellationToken);
        // A history that knows the broker's business day counts the day there; otherwise the UTC day (the in-memory sandbox).
        var today = history is IFiatBusinessDay business ? business.Today : DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var past = await history.GetHistoryAsync(input.CustomerId ?? "", channelId, input.BankAccount ?? "", today, cancellationToken);
        var balance = channel is null ? null : await bank.GetAvailableBalanceAsync(channelId, cancellationToken);
        return DomainResult<LoadFiatWithdrawalFactsOutput>.Done(new LoadFiatWithdrawalFactsOutput(
            channel is not null, channel?.Currency, channel?.Policy,
            channel?.SingleLimit ?? 0m, channel?.ChannelDailyLimit ?? 0m, channel?.CustomerDailyLimit ?? 0m,
            channel?.ReviewThreshold ?? 0m, channel?.InterceptionThreshold ?? 0m, channel?.DirectBillingNeedsApproval ?? true,
            past.CustomerUsedToday, past.ChannelUsedToday, past.PreviousWithdrawals, past.KnownBankAccount, balance));
    }
}
