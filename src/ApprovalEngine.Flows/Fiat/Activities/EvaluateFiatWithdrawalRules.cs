using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Flows.Fiat.Activities;

public sealed class EvaluateFiatWithdrawalRulesInput
{
    [Description("Requested amount.")] public decimal Amount { get; set; }
    [Description("Currency.")] public string? Currency { get; set; }
    [Description("channelConfigured")] public bool ChannelConfigured { get; set; }
    [Description("channelCurrency")] public string? ChannelCurrency { get; set; }
    [Description("singleLimit")] public decimal SingleLimit { get; set; }
    [Description("customerDailyLimit")] public decimal CustomerDailyLimit { get; set; }
    [Description("customerUsedToday")] public decimal CustomerUsedToday { get; set; }
    [Description("channelDailyLimit")] public decimal ChannelDailyLimit { get; set; }
    [Description("channelUsedToday")] public decimal ChannelUsedToday { get; set; }
    [Description("bankAvailableBalance")] public decimal? BankAvailableBalance { get; set; }
    [Description("interceptionThreshold")] public decimal InterceptionThreshold { get; set; }
    [Description("previousWithdrawals")] public int PreviousWithdrawals { get; set; }
    [Description("knownBankAccount")] public bool KnownBankAccount { get; set; }
    [Description("reviewThreshold")] public decimal ReviewThreshold { get; set; }
}

public sealed record EvaluateFiatWithdrawalRulesOutput(
    [property: Description("Approve, Review, Intercept or Reject.")] string Decision,
    [property: Description("Why it is rejected (limits, validity).")] IReadOnlyList<string> RejectReasons,
    [property: Description("Why it is intercepted (paying account balance, channel daily limit).")] IReadOnlyList<string> InterceptReasons,
    [property: Description("Which automatic review rules hit.")] IReadOnlyList<string> ReviewReasons,
    [property: Description("All reasons as one text.")] string Reason);

/// <summary>The automatic withdrawal rules (<see cref="FiatRules.Evaluate"/>); the outcome is the decision.</summary>
[Activity("EvaluateFiatWithdrawalRules", "Fiat", "Automatic withdrawal rules",
    Description = "Single/daily limits, balance interception and automatic review rules; outcome Approve, Review, Intercept or Reject with reasons.",
    Outcomes = ["Approve", "Review", "Intercept", "Reject"])]
public sealed class EvaluateFiatWithdrawalRules : DomainActivity<EvaluateFiatWithdrawalRulesInput, EvaluateFiatWithdrawalRulesOutput>
{
    protected override DomainResult<EvaluateFiatWithdrawalRulesOutput> Run(EvaluateFiatWithdrawalRulesInput input, ActivityContext context)
    {
        var result = FiatRules.Evaluate(new FiatRuleFacts
        {
            Amount = input.Amount,
            Currency = input.Currency ?? "",
            ChannelConfigured = input.ChannelConfigured,
            ChannelCurrency = input.ChannelCurrency,
            SingleLimit = input.SingleLimit,
            CustomerDailyLimit = input.CustomerDailyLimit,
            CustomerUsedToday = input.CustomerUsedToday,
            ChannelDailyLimit = input.ChannelDailyLimit,
            ChannelUsedToday = input.ChannelUsedToday,
            BankAvailableBalance = input.BankAvailableBalance,
            InterceptionThreshold = input.InterceptionThreshold,
            PreviousWithdrawals = input.PreviousWithdrawals,
            KnownBankAccount = input.KnownBankAccount,
            ReviewThreshold = input.ReviewThreshold,
        });
        var decision = result.Decision.ToString();
        return new(decision, new EvaluateFiatWithdrawalRulesOutput(decision, result.RejectReasons, result.InterceptReasons, result.ReviewReasons, string.Join(" ", result.AllReasons)));
    }
}
