using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Fiat;

/// <summary>
/// Starts the record that re-pays a failed one (Repayment of a withdrawal exception). Idempotent: the same old record
/// always gets the same new record number, and starting it again returns the record already started.
/// </summary>
public interface IFiatRepayments
{
    /// <returns>The new record's number.</returns>
    Task<string> RegenerateAsync(Guid oldInstanceId, string oldRecordNo, CancellationToken cancellationToken);
}

public sealed class RegenerateFiatWithdrawalInput
{
    [System.ComponentModel.DataAnnotations.Required][Description("The record being re-paid.")] public string? RecordNo { get; set; }
}

public sealed record RegenerateFiatWithdrawalOutput([property: Description("The new record that re-pays this one.")] string RepaymentRecordNo);

/// <summary>Repayment: a new withdrawal order (linked through repaymentOf / repaymentRecordNo) goes to Withdrawal Pending and is paid again.</summary>
[Activity("RegenerateFiatWithdrawal", "Fiat", "Regenerate the withdrawal order",
    Description = "Repayment: starts a new fiat-withdrawal record for the same customer, amount and beneficiary, linked to this one, at Withdrawal Pending.")]
public sealed class RegenerateFiatWithdrawal(IFiatRepayments repayments) : ExternalActivity<RegenerateFiatWithdrawalInput, RegenerateFiatWithdrawalOutput>
{
    protected override async Task<DomainResult<RegenerateFiatWithdrawalOutput>> RunAsync(RegenerateFiatWithdrawalInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        var recordNo = await repayments.RegenerateAsync(call.InstanceId, input.RecordNo ?? "", cancellationToken);
        return DomainResult<RegenerateFiatWithdrawalOutput>.Done(new(recordNo));
    }
}
