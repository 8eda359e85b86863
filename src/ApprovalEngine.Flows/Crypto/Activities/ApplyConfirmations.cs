using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Flows.Crypto.Activities;

public sealed class ApplyConfirmationsInput
{
    [Description("Confirmations so far.")] public int Current { get; set; }
    [Description("Confirmations reported by the event, e.g. confirmationEvent.confirmations.")] public int? Reported { get; set; }
    [Description("Confirmations required by the coin.")] public int Required { get; set; }
    [Description("True when the event reports the transaction failed or was dropped.")] public bool? Failed { get; set; }
}

public sealed record ApplyConfirmationsOutput(
    [property: Description("Confirmations after this report (never lower than before).")] int Confirmations);

/// <summary>Folds a BlockConfirmations event into the progress (<see cref="CoinRules.ApplyConfirmations"/>).</summary>
[Activity("ApplyConfirmations", "Crypto", "Apply block confirmations",
    Description = "Updates the confirmation count; Confirmed once the coin's required count is reached, Failed when the transaction failed.",
    Outcomes = ["Confirming", "Confirmed", "Failed"])]
public sealed class ApplyConfirmations : DomainActivity<ApplyConfirmationsInput, ApplyConfirmationsOutput>
{
    protected override DomainResult<ApplyConfirmationsOutput> Run(ApplyConfirmationsInput input, ActivityContext context)
    {
        var (confirmations, state) = CoinRules.ApplyConfirmations(input.Current, input.Reported, input.Required, input.Failed ?? false);
        return new(state.ToString(), new ApplyConfirmationsOutput(confirmations));
    }
}
