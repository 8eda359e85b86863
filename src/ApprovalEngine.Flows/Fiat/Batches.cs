using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Fiat;

/// <summary>
/// Pays a packed batch as one bank file: builds the file from the batch's records, keeps it for download and submits
/// it through <see cref="IBankGateway.SubmitFileAsync"/> with the idempotency key (the same key never pays twice).
/// Throws <see cref="BankRejectedException"/> when the bank refuses the file.
/// </summary>
public interface IFiatBatchFiles
{
    Task<FiatBatchFileResult> SubmitAsync(string batchId, string idempotencyKey, CancellationToken cancellationToken);
}

public sealed record FiatBatchFileResult(string BankReference, string FileName);

public sealed class SubmitBankFileInput
{
    [System.ComponentModel.DataAnnotations.Required][Description("The batch id.")] public string? BatchId { get; set; }
}

public sealed record SubmitBankFileOutput(
    [property: Description("The bank's file / order number; null when refused.")] string? BankReference,
    [property: Description("The bank file's name (downloadable).")] string? FileName,
    [property: Description("Why the bank refused the file.")] string? FailureReason);

/// <summary>The batch's bank file to the bank (idempotent); Refused when the bank refuses the whole file.</summary>
[Activity("SubmitBankFile", "Fiat", "Submit the batch's bank file",
    Description = "Builds the batch's bank file (pain.001 or CSV), keeps it for download and submits it to the paying bank (idempotent).",
    Outcomes = ["Sent", "Refused"], MovesMoney = true, NothingMovedOutcomes = ["Refused"])]
public sealed class SubmitBankFile(IFiatBatchFiles files) : ExternalActivity<SubmitBankFileInput, SubmitBankFileOutput>
{
    protected override async Task<DomainResult<SubmitBankFileOutput>> RunAsync(SubmitBankFileInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(call);
        try
        {
            var result = await files.SubmitAsync(input.BatchId ?? "", call.IdempotencyKey, cancellationToken);
            return new("Sent", new SubmitBankFileOutput(result.BankReference, result.FileName, null));
        }
        catch (BankRejectedException ex)
        {
            return new("Refused", new SubmitBankFileOutput(null, null, ex.Message));
        }
    }
}
