using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Fiat.Activities;

public sealed class SendBankPayoutInput
{
    [System.ComponentModel.DataAnnotations.Required][Description("Withdrawal channel id.")] public string? Channel { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Beneficiary bank account.")] public string? BankAccount { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Amount to pay.")] public decimal Amount { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Currency.")] public string? Currency { get; set; }
    [Description("Reference sent to the bank (record number), used to correlate the result and the statement.")] public string? Reference { get; set; }
}

public sealed record SendBankPayoutOutput(
    [property: Description("The bank's order number; null when refused.")] string? BankReference,
    [property: Description("When the bank accepted it.")] DateTimeOffset? SubmittedAt,
    [property: Description("Why the bank refused it.")] string? FailureReason);

/// <summary>
/// Direct billing / batch payout of one record through <see cref="IBankGateway"/>, after the commit, with the job's
/// idempotency key: a retried job returns the first payout and never pays twice. A bank refusal is the Refused outcome.
/// </summary>
[Activity("SendBankPayout", "Fiat", "Send bank payout",
    Description = "Submits the payout to the paying bank (idempotent); outputs the bank's order number.",
    Outcomes = ["Sent", "Refused"], MovesMoney = true, NothingMovedOutcomes = ["Refused"])]
public sealed class SendBankPayout(IBankGateway bank) : ExternalActivity<SendBankPayoutInput, SendBankPayoutOutput>, ICancellableExternalActivity
{
    /// <summary>Asks the bank to call off a payout not yet made (ADR 10); a bank without cancellation answers no.</summary>
    public async Task<bool> TryCancelAsync(System.Text.Json.Nodes.JsonObject input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        return bank is ICancellablePayouts cancellable && await cancellable.TryCancelPayoutAsync(call.IdempotencyKey, cancellationToken);
    }

    protected override async Task<DomainResult<SendBankPayoutOutput>> RunAsync(SendBankPayoutInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            var payout = await bank.PayAsync(new PayoutRequest(input.Channel ?? "", input.BankAccount ?? "", input.Amount, input.Currency ?? "", input.Reference ?? "", call.IdempotencyKey), cancellationToken);
            return new("Sent", new SendBankPayoutOutput(payout.BankReference, payout.SubmittedAt, null));
        }
        catch (BankRejectedException ex)
        {
            return new("Refused", new SendBankPayoutOutput(null, null, ex.Message));
        }
    }
}
