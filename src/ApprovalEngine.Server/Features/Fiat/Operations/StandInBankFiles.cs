// DELETE AT MERGE (issue 12): the BANK helper provides IFiatBankFiles (Features/Fiat/Bank) with the pain.001 and CSV
// builders. Until then this stand-in builds a plain CSV behind the same interface, so the batch flow and the download
// route need no change when the real builders arrive.
using System.Globalization;
using System.Text;
using ApprovalEngine.Adapters.Bank;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>A batch as a bank file describes it: the paying (debtor) account and the transfers.</summary>
public sealed record BankFileBatch(string BatchId, string ChannelId, string DebtorAccount, string DebtorName, string? DebtorBic, string Currency,
    DateOnly ExecutionDate, IReadOnlyList<BankFileTransfer> Transfers);

/// <summary>A built bank file.</summary>
public sealed record BankFile(string FileName, string MediaType, string Format, string Content);

/// <summary>Builds bank files (pure): <c>pain.001</c> or <c>csv</c>.</summary>
public interface IFiatBankFiles
{
    BankFile Build(string format, BankFileBatch batch);
}

/// <summary>Stand-in (delete at merge): CSV only.</summary>
public sealed class StandInBankFiles : IFiatBankFiles
{
    public BankFile Build(string format, BankFileBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var text = new StringBuilder();
        text.Append("batchId,debtorAccount,currency,executionDate,reference,beneficiaryAccount,beneficiaryName,beneficiaryBank,amount\n");
        foreach (var t in batch.Transfers)
        {
            text.Append(CultureInfo.InvariantCulture, $"{Cell(batch.BatchId)},{Cell(batch.DebtorAccount)},{batch.Currency},{batch.ExecutionDate:yyyy-MM-dd},{Cell(t.Reference)},{Cell(t.BeneficiaryAccount)},{Cell(t.BeneficiaryName)},{Cell(t.BeneficiaryBank ?? "")},{t.Amount.ToString(CultureInfo.InvariantCulture)}\n");
        }
        return new BankFile($"{batch.BatchId}.csv", "text/csv", "csv", text.ToString());
    }

    private static string Cell(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 || value.StartsWith('=') || value.StartsWith('+') || value.StartsWith('-') || value.StartsWith('@')
            ? "\"" + (value.StartsWith('=') || value.StartsWith('+') || value.StartsWith('-') || value.StartsWith('@') ? "'" : "") + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;
}
