using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Flows.Crypto.Activities;

public sealed class CheckCoinWithdrawalInput
{
    [Description("Coin name, for messages.")] public string? Coin { get; set; }
    [Description("Requested amount.")] public decimal Amount { get; set; }
    [Description("Destination address.")] public string? Address { get; set; }
    [Description("The customer's verified addresses (from LoadCoinFacts).")] public List<string>? VerifiedAddresses { get; set; }
    [Description("coinConfigured")] public bool CoinConfigured { get; set; }
    [Description("withdrawalEnabled")] public bool WithdrawalEnabled { get; set; }
    [Description("coinDecimals")] public int CoinDecimals { get; set; }
    [Description("minWithdrawal")] public decimal MinWithdrawal { get; set; }
    [Description("maxWithdrawal")] public decimal MaxWithdrawal { get; set; }
    [Description("withdrawalFee")] public decimal WithdrawalFee { get; set; }
}

public sealed record CheckCoinWithdrawalOutput(
    [property: Description("Fee charged.")] decimal Fee,
    [property: Description("Amount sent on chain (amount − fee).")] decimal NetAmount,
    [property: Description("Why the withdrawal was refused (empty when it passed).")] IReadOnlyList<string> Reasons,
    [property: Description("The reasons as one text.")] string? Reason);

/// <summary>The automatic withdrawal checks (<see cref="CoinRules.CheckWithdrawal"/>): Passed or Refused with reasons.</summary>
[Activity("CheckCoinWithdrawal", "Crypto", "Check coin withdrawal",
    Description = "Coin enabled, amount within precision/min/max and above the fee, destination address verified.",
    Outcomes = ["Passed", "Refused"])]
public sealed class CheckCoinWithdrawal : DomainActivity<CheckCoinWithdrawalInput, CheckCoinWithdrawalOutput>
{
    protected override DomainResult<CheckCoinWithdrawalOutput> Run(CheckCoinWithdrawalInput input, ActivityContext context)
    {
        var facts = new CoinFacts(input.CoinConfigured, input.WithdrawalEnabled, input.CoinDecimals, input.MinWithdrawal, input.MaxWithdrawal, input.WithdrawalFee);
        var check = CoinRules.CheckWithdrawal(facts, input.Coin ?? "The coin", input.Amount, input.Address, input.VerifiedAddresses ?? []);
        return new(check.Passed ? "Passed" : "Refused",
            new CheckCoinWithdrawalOutput(check.Fee, check.NetAmount, check.Reasons, check.Passed ? null : string.Join(" ", check.Reasons)));
    }
}
