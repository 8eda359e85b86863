// DELETE AT MERGE (issue 12): stand-ins for the CONFIG helper's EvaluateFiatApplication, CheckFiatPayout and
// LoadFiatSettings, with the contract's type names, inputs, outcomes and outputs (docs: /work/notes/fiat-design.md),
// so that workflows/fiat-withdrawal.json version 2 needs no change when the real ones arrive. They read the sandbox's
// channels and history; they reserve and consume nothing (the real ones do, atomically).
using System.Text.Json.Serialization;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Fiat.StandIns;

public sealed class EvaluateFiatApplicationInput
{
    [Description("Record number.")] public string? RecordNo { get; set; }
    [Description("Customer id.")] public string? CustomerId { get; set; }
    [Description("Currency.")] public string? Currency { get; set; }
    [Description("Requested amount.")] public decimal Amount { get; set; }
    [Description("Handling fee.")] public decimal? Fee { get; set; }
    [Description("Beneficiary bank account.")] public string? BankAccount { get; set; }
    [Description("Beneficiary (client) bank.")] public string? BeneficiaryBank { get; set; }
    [Description("Channel; empty: the rules pick one.")] public string? Channel { get; set; }
}

public sealed record EvaluateFiatApplicationOutput(
    [property: Description("Channel.")] string? Channel,
    [property: Description("Policy.")] string? Policy,
    [property: Description("Reasons.")] IReadOnlyList<string> Reasons,
    [property: Description("Earlier withdrawals.")] int PreviousWithdrawals,
    [property: Description("Known beneficiary account.")] bool KnownBankAccount,
    [property: Description("Used today by the customer.")] decimal CustomerUsedToday,
    [property: Description("Customer daily limit.")] decimal CustomerDailyLimit,
    [property: Description("Estimated arrival."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? EstimatedArrival,
    [property: Description("Estimated fee."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] decimal? EstimatedFee);

/// <summary>Stand-in (delete at merge): the review rules from the sandbox channel and <see cref="FiatRules.Evaluate"/>.</summary>
[Activity("EvaluateFiatApplication", "Fiat", "Review rules (stand-in)",
    Description = "Stand-in until the configuration lands: channel choice, validity, limits and review rules.",
    Outcomes = ["AutoReject", "ManualWithWorkOrder", "ManualWithoutWorkOrder", "AutoSubmit"])]
public sealed class EvaluateFiatApplication(IWithdrawalChannels channels, IWithdrawalHistory history, TimeProvider clock)
    : ExternalActivity<EvaluateFiatApplicationInput, EvaluateFiatApplicationOutput>
{
    protected override async Task<DomainResult<EvaluateFiatApplicationOutput>> RunAsync(EvaluateFiatApplicationInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        var all = await channels.ListChannelsAsync(cancellationToken);
        var channel = string.IsNullOrEmpty(input.Channel)
            ? all.FirstOrDefault(c => c.Enabled && c.Currency == input.Currency && c.SingleLimit >= input.Amount)
            : all.FirstOrDefault(c => c.ChannelId == input.Channel);
        if (channel is null)
        {
            return new("AutoReject", new EvaluateFiatApplicationOutput(null, null, [$"No enabled withdrawal channel pays {input.Currency} {input.Amount}."], 0, false, 0m, 0m, null, null));
        }
        var today = DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
        var past = await history.GetHistoryAsync(input.CustomerId ?? "", channel.ChannelId, input.BankAccount ?? "", today, cancellationToken);
        var result = FiatRules.Evaluate(new FiatRuleFacts
        {
            Amount = input.Amount,
            Currency = input.Currency ?? "",
            ChannelConfigured = channel.Enabled,
            ChannelCurrency = channel.Currency,
            SingleLimit = channel.SingleLimit,
            CustomerDailyLimit = channel.CustomerDailyLimit,
            CustomerUsedToday = past.CustomerUsedToday,
            ChannelDailyLimit = decimal.MaxValue,
            PreviousWithdrawals = past.PreviousWithdrawals,
            KnownBankAccount = past.KnownBankAccount,
            ReviewThreshold = channel.ReviewThreshold,
        });
        var outcome = result.Decision switch
        {
            FiatDecision.Reject => "AutoReject",
            FiatDecision.Review when input.Amount >= channel.ReviewThreshold => "ManualWithWorkOrder",
            FiatDecision.Review => "ManualWithoutWorkOrder",
            _ => "AutoSubmit",
        };
        return new(outcome, new(channel.ChannelId, channel.Policy, [.. result.RejectReasons, .. result.ReviewReasons], past.PreviousWithdrawals, past.KnownBankAccount,
            past.CustomerUsedToday, channel.CustomerDailyLimit, null, null));
    }
}

public sealed class CheckFiatPayoutInput
{
    [Description("Channel.")] public string? Channel { get; set; }
    [Description("Currency.")] public string? Currency { get; set; }
    [Description("Amount (one record or a batch total).")] public decimal Amount { get; set; }
    [Description("Record number or batch id.")] public string? Reference { get; set; }
    [Description("Released by finance: consume without refusing.")] public bool Override { get; set; }
}

public sealed record CheckFiatPayoutOutput(
    [property: Description("Reasons.")] IReadOnlyList<string> Reasons,
    [property: Description("When the service window opens."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? WindowOpensAt,
    [property: Description("Paying bank balance."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] decimal? BankBalance);

/// <summary>Stand-in (delete at merge): balance interception only, from the sandbox channel's threshold.</summary>
[Activity("CheckFiatPayout", "Fiat", "Payout check (stand-in)",
    Description = "Stand-in until the configuration lands: balance interception against the channel's threshold.",
    Outcomes = ["Proceed", "Intercept", "OutsideServiceWindow"])]
public sealed class CheckFiatPayout(IWithdrawalChannels channels, IBankGateway bank) : ExternalActivity<CheckFiatPayoutInput, CheckFiatPayoutOutput>
{
    protected override async Task<DomainResult<CheckFiatPayoutOutput>> RunAsync(CheckFiatPayoutInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        var channel = await channels.GetChannelAsync(input.Channel ?? "", cancellationToken);
        var balance = channel is null ? null : await bank.GetAvailableBalanceAsync(channel.ChannelId, cancellationToken);
        var reasons = new List<string>();
        if (balance is { } b && channel is not null)
        {
            if (b < input.Amount) reasons.Add($"Insufficient available balance on the paying account ({b} {input.Currency}).");
            else if (b - input.Amount < channel.InterceptionThreshold) reasons.Add($"The paying account would fall below its interception threshold of {channel.InterceptionThreshold} {input.Currency}.");
        }
        var outcome = reasons.Count > 0 && !input.Override ? "Intercept" : "Proceed";
        return new(outcome, new(reasons, null, balance));
    }
}

public sealed class LoadFiatSettingsInput;

public sealed record LoadFiatSettingsOutput([property: Description("Direct billing needs work-order approval.")] bool DirectBillingNeedsApproval);

/// <summary>Stand-in (delete at merge): More settings from a fixed value (the server binds Fiat:StandIn:DirectBillingNeedsApproval).</summary>
[Activity("LoadFiatSettings", "Fiat", "More settings (stand-in)", Description = "Stand-in until the configuration lands.")]
public sealed class LoadFiatSettings(Func<bool> directBillingNeedsApproval) : ExternalActivity<LoadFiatSettingsInput, LoadFiatSettingsOutput>
{
    protected override Task<DomainResult<LoadFiatSettingsOutput>> RunAsync(LoadFiatSettingsInput input, ExternalCallContext call, CancellationToken cancellationToken) =>
        Task.FromResult(DomainResult<LoadFiatSettingsOutput>.Done(new(directBillingNeedsApproval())));
}
