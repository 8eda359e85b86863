using System.Text.Json.Serialization;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Fiat.Activities;

public sealed class EvaluateFiatApplicationInput
{
    [System.ComponentModel.DataAnnotations.Required][Description("Record number (the reservation's key).")] public string? RecordNo { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Customer id.")] public string? CustomerId { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Currency.")] public string? Currency { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Requested amount.")] public decimal Amount { get; set; }
    [Description("Handling fee.")] public decimal? Fee { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Beneficiary bank account.")] public string? BankAccount { get; set; }
    [Description("The client's (beneficiary) bank.")] public string? BeneficiaryBank { get; set; }
    [Description("Withdrawal channel; empty = the rules pick it.")] public string? Channel { get; set; }
}

public sealed record EvaluateFiatApplicationOutput(
    [property: Description("The channel the withdrawal goes through (null when none fits)."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Channel,
    [property: Description("The channel's withdrawal policy."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? Policy,
    [property: Description("Why: validity failures or the review rule that applied.")] IReadOnlyList<string> Reasons,
    [property: Description("Earlier paid withdrawals of the customer.")] int PreviousWithdrawals,
    [property: Description("The beneficiary account was paid before.")] bool KnownBankAccount,
    [property: Description("Reserved today by the customer before this record (business day).")] decimal CustomerUsedToday,
    [property: Description("The customer's daily limit on the channel.")] decimal CustomerDailyLimit,
    [property: Description("Estimated arrival for the client's bank."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? EstimatedArrival,
    [property: Description("Estimated fee for the client's bank."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] decimal? EstimatedFee);

/// <summary>
/// The application check on arrival: validity (currency switch, channel, client bank, single limit), the customer's
/// daily limit reserved atomically for the record (idempotent per record), then the automatic review rules.
/// </summary>
[Activity("EvaluateFiatApplication", "Fiat", "Evaluate withdrawal application",
    Description = "Picks or checks the channel, reserves the customer's daily limit and applies the automatic review rules; outcome AutoReject, ManualWithWorkOrder, ManualWithoutWorkOrder or AutoSubmit.",
    Outcomes = [FiatReviewKinds.AutoReject, FiatReviewKinds.ManualWithWorkOrder, FiatReviewKinds.ManualWithoutWorkOrder, FiatReviewKinds.AutoSubmit])]
public sealed class EvaluateFiatApplication(IFiatConfigStore store) : ExternalActivity<EvaluateFiatApplicationInput, EvaluateFiatApplicationOutput>
{
    protected override async Task<DomainResult<EvaluateFiatApplicationOutput>> RunAsync(EvaluateFiatApplicationInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        var recordNo = input.RecordNo ?? call.InstanceId.ToString("N");
        var customer = input.CustomerId ?? "";
        var currency = input.Currency ?? "";
        var context = await store.LoadApplicationAsync(new FiatApplicationQuery(recordNo, customer, currency, input.BankAccount ?? "", input.BeneficiaryBank), cancellationToken);
        var decision = FiatConfigRules.EvaluateApplication(
            new FiatApplicationFacts(currency, input.Amount, input.BeneficiaryBank, input.Channel, context.CurrencyWithdrawalEnabled, context.PreviousWithdrawals, context.KnownBankAccount),
            context.Rules, context.ReviewRules, context.DefaultReviewKind);
        var rule = decision.Rule;
        var outcome = decision.Outcome;
        var reasons = decision.Reasons.ToList();
        var usedBefore = 0m;
        if (outcome != FiatReviewKinds.AutoReject && rule is not null)
        {
            var reservation = await store.ReserveCustomerAsync(recordNo, customer, currency, input.Amount, rule.CustomerDailyLimit, cancellationToken);
            usedBefore = reservation.UsedBefore;
            if (!reservation.Accepted)
            {
                outcome = FiatReviewKinds.AutoReject;
                reasons = [$"The customer's daily limit of {rule.CustomerDailyLimit} {currency} would be exceeded ({reservation.UsedBefore} already used on {reservation.BusinessDay:yyyy-MM-dd})."];
            }
        }
        else
        {
            // A re-evaluation that now rejects gives back what an earlier evaluation of the record reserved.
            await store.ReleaseAsync(FiatReservationKinds.Customer, recordNo, cancellationToken);
        }
        return new(outcome, new EvaluateFiatApplicationOutput(rule?.ChannelId, rule?.Policy, reasons, context.PreviousWithdrawals, context.KnownBankAccount,
            usedBefore, rule?.CustomerDailyLimit ?? 0m, context.EstimatedArrival, context.EstimatedFee));
    }
}
