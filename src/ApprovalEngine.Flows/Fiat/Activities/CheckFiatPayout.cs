using System.Text.Json.Serialization;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Fiat.Activities;

public sealed class CheckFiatPayoutInput
{
    [System.ComponentModel.DataAnnotations.Required][Description("Withdrawal channel.")] public string? Channel { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Currency.")] public string? Currency { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Amount going out (a record, or a batch total).")] public decimal Amount { get; set; }
    [System.ComponentModel.DataAnnotations.Required][Description("Record number or batch id (the daily-limit consumption's key).")] public string? Reference { get; set; }
    [Description("A person released an interception: consume the daily limit without refusing.")] public bool Override { get; set; }
}

public sealed record CheckFiatPayoutOutput(
    [property: Description("Why it was intercepted, held or alerted.")] IReadOnlyList<string> Reasons,
    [property: Description("When the next service window opens (OutsideServiceWindow)."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] DateTimeOffset? WindowOpensAt,
    [property: Description("The paying account's balance, when it was asked."), JsonIgnore(Condition = JsonIgnoreCondition.Never)] decimal? BankBalance);

/// <summary>
/// Just before money goes out: the channel's service window, the paying account's balance against the enabled
/// interception rule, and its daily limit, consumed atomically and idempotently per reference. Alerts go to the
/// configuration's alert list. With <c>override</c> (a released interception) nothing refuses, the limit is still consumed.
/// </summary>
[Activity("CheckFiatPayout", "Fiat", "Check payout (limit, balance, window)",
    Description = "Service window, balance interception and the paying bank's daily limit (consumed atomically per reference); outcome Proceed, Intercept or OutsideServiceWindow.",
    Outcomes = ["Proceed", "Intercept", "OutsideServiceWindow"])]
public sealed class CheckFiatPayout(IFiatConfigStore store, IBankGateway bank) : ExternalActivity<CheckFiatPayoutInput, CheckFiatPayoutOutput>
{
    protected override async Task<DomainResult<CheckFiatPayoutOutput>> RunAsync(CheckFiatPayoutInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        var channelId = input.Channel ?? "";
        var currency = input.Currency ?? "";
        var reference = input.Reference is { Length: > 0 } r ? r : call.InstanceId.ToString("N");
        var payout = await store.LoadPayoutAsync(channelId, cancellationToken);
        if (payout is null || !payout.Enabled)
        {
            return new("Intercept", new CheckFiatPayoutOutput([$"The withdrawal channel '{channelId}' is not configured or is disabled."], null, null));
        }
        var reasons = new List<string>();
        if (!input.Override)
        {
            var (open, opensAt) = FiatConfigRules.ServiceWindow(payout.ServiceWindows, payout.Now, payout.Zone);
            if (!open) return new("OutsideServiceWindow", new CheckFiatPayoutOutput(["Outside the channel's service window."], opensAt, null));
        }

        decimal? balance = null;
        if (payout.Interception is { } interception)
        {
            balance = await bank.GetAvailableBalanceAsync(channelId, cancellationToken);
            if (balance is { } b)
            {
                var check = FiatConfigRules.Balance(input.Amount, b, interception.AlertThreshold, interception.InterceptionThreshold, currency);
                if (check.Alert)
                {
                    await store.RaiseAlertAsync(new FiatAlertNotice(check.Intercept ? FiatAlertKinds.BalanceIntercepted : FiatAlertKinds.BalanceLow, payout.BankAccountId, reference, check.Reason!), cancellationToken);
                }
                if (check.Intercept && !input.Override) return new("Intercept", new CheckFiatPayoutOutput([check.Reason!], null, balance));
                if (check.Reason is not null) reasons.Add(check.Reason);
            }
        }

        if (payout.DailyLimit is { } limit)
        {
            var reservation = await store.ReserveBankAsync(reference, payout.BankAccountId, input.Amount, limit, input.Override, cancellationToken);
            if (!reservation.Accepted)
            {
                var why = $"The paying bank's daily limit of {limit} {currency} would be exceeded ({reservation.UsedBefore} already used on {reservation.BusinessDay:yyyy-MM-dd}).";
                await store.RaiseAlertAsync(new FiatAlertNotice(FiatAlertKinds.DailyLimitExceeded, payout.BankAccountId, reference, why), cancellationToken);
                return new("Intercept", new CheckFiatPayoutOutput([why], null, balance));
            }
            if (FiatConfigRules.DailyLimitAlert(limit, reservation.UsedAfter, payout.DailyLimitAlertThreshold))
            {
                var low = $"The paying bank's remaining daily limit is {limit - reservation.UsedAfter} {currency} (alert threshold {payout.DailyLimitAlertThreshold}).";
                reasons.Add(low);
                await store.RaiseAlertAsync(new FiatAlertNotice(FiatAlertKinds.DailyLimitLow, payout.BankAccountId, reference, low), cancellationToken);
            }
        }
        return new("Proceed", new CheckFiatPayoutOutput(reasons, null, balance));
    }
}
