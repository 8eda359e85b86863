using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Flows.Crypto.Activities;

public sealed class PrepareRefundInput
{
    [Description("The deposit amount.")] public decimal DepositAmount { get; set; }
    [Description("Refund amount entered by the operator; the deposit amount when null.")] public decimal? RefundAmount { get; set; }
    [Description("Reason for an adjusted amount.")] public string? AdjustReason { get; set; }
    [Description("Decimals of the coin.")] public int CoinDecimals { get; set; }
}

public sealed record PrepareRefundOutput(
    [property: Description("The refund amount (defaults to the deposit amount).")] decimal RefundAmount,
    [property: Description("Why the refund request was refused; null when it is ready.")] string? RefundError);

/// <summary>Checks the refund amount (<see cref="CoinRules.PrepareRefund"/>): Ready or Invalid with the reason.</summary>
[Activity("PrepareRefund", "Crypto", "Prepare deposit refund",
    Description = "Refund amount defaults to the deposit amount; an adjusted amount needs a reason and stays within the deposit and the coin's precision.",
    Outcomes = ["Ready", "Invalid"])]
public sealed class PrepareRefund : DomainActivity<PrepareRefundInput, PrepareRefundOutput>
{
    protected override DomainResult<PrepareRefundOutput> Run(PrepareRefundInput input, ActivityContext context)
    {
        var (amount, reasons) = CoinRules.PrepareRefund(input.DepositAmount, input.RefundAmount, input.AdjustReason, input.CoinDecimals);
        return reasons.Count == 0
            ? new("Ready", new PrepareRefundOutput(amount, null))
            : new("Invalid", new PrepareRefundOutput(amount, string.Join(" ", reasons)));
    }
}
