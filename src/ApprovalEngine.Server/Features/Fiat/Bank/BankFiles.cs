using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using System.Xml;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Workflows.Definitions;
using CsvHelper;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>The bank file formats a batch can be paid with.</summary>
public static class BankFileFormats
{
    /// <summary>ISO 20022 pain.001.001.09 CustomerCreditTransferInitiation XML.</summary>
    public const string Pain001 = "pain.001";

    /// <summary>The CSV variant (columns in <see cref="FiatBankFiles.CsvColumns"/>; docs/fiat-bank.md).</summary>
    public const string Csv = "csv";

    public static readonly IReadOnlyList<string> All = [Pain001, Csv];
}

/// <summary>
/// A packed batch as one bank file: every transfer leaves <paramref name="DebtorAccount"/> (the channel's paying account)
/// in <paramref name="Currency"/> on <paramref name="ExecutionDate"/>.
/// </summary>
/// <param name="DebtorBic">The paying bank's BIC, when known (else the file names no agent identifier).</param>
public sealed record BankFileBatch(
    string BatchId,
    string ChannelId,
    string DebtorAccount,
    string DebtorName,
    string? DebtorBic,
    string Currency,
    DateOnly ExecutionDate,
    IReadOnlyList<BankFileTransfer> Transfers);

/// <summary>A built bank file: what to store for download and hand to <see cref="IBankGateway.SubmitFileAsync"/>.</summary>
public sealed record BankFile(string Format, string FileName, string ContentType, string Content, int Transfers, decimal Total);

/// <summary>The batch cannot be written as a bank file; <see cref="Field"/> names what (e.g. <c>transfers[2].amount</c>).</summary>
public sealed class BankFileException : Exception
{
    public BankFileException()
    {
    }

    public BankFileException(string message) : base(message)
    {
    }

    public BankFileException(string message, Exception innerException) : base(message, innerException)
    {
    }

    public BankFileException(string field, string message) : base(message) => Field = field;

    public string Field { get; } = "batch";
}

/// <summary>Builds bank files from batches. Pure: the same batch and clock give the same file.</summary>
public interface IFiatBankFiles
{
    /// <summary>The batch as a <paramref name="format"/> file (<see cref="BankFileFormats"/>); throws <see cref="BankFileException"/> naming the bad field.</summary>
    BankFile Build(string format, BankFileBatch batch);
}

/// <summary>
/// pain.001.001.09 and CSV writers. Amounts are written from <see cref="decimal"/> with exactly the currency's ISO 4217
/// minor units (JPY 0, HKD 2, KWD 3): an amount with more decimals is refused, never rounded, because a bank file that
/// pays 0.004 less than approved is a reconciliation difference nobody asked for.
/// </summary>
public sealed partial class FiatBankFiles(TimeProvider clock) : IFiatBankFiles
{
    public const string Pain001Namespace = "urn:iso:std:iso:20022:tech:xsd:pain.001.001.09";

    /// <summary>The CSV variant's header, in order.</summary>
    public static readonly IReadOnlyList<string> CsvColumns =
        ["batch_id", "record_no", "debtor_account", "beneficiary_name", "beneficiary_account", "beneficiary_bank", "amount", "currency", "execution_date"];

    // The schema's own patterns (IBAN2007Identifier, BICFIDec2014Identifier): an identifier that matches is written in
    // its typed element, anything else as a proprietary (Othr) identification or a name.
    [GeneratedRegex("^[A-Z]{2,2}[0-9]{2,2}[a-zA-Z0-9]{1,30}$")]
    private static partial Regex IbanPattern();

    [GeneratedRegex("^[A-Z0-9]{4,4}[A-Z]{2,2}[A-Z0-9]{2,2}([A-Z0-9]{3,3}){0,1}$")]
    private static partial Regex BicPattern();

    public BankFile Build(string format, BankFileBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        var decimals = Check(batch);
        var total = batch.Transfers.Sum(t => t.Amount);
        return format switch
        {
            BankFileFormats.Pain001 => new BankFile(format, $"{batch.BatchId}.pain.001.xml", "application/xml", Pain001(batch, decimals, total), batch.Transfers.Count, total),
            BankFileFormats.Csv => new BankFile(format, $"{batch.BatchId}.csv", "text/csv", Csv(batch, decimals), batch.Transfers.Count, total),
            _ => throw new BankFileException("format", $"The bank file format is {string.Join(" or ", BankFileFormats.All)}, not '{format}'."),
        };
    }

    /// <summary>The amount as the file writes it: invariant, the currency's decimals, no grouping.</summary>
    public static string Amount(decimal amount, int decimals) => amount.ToString("F" + decimals.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);

    private static int Check(BankFileBatch batch)
    {
        Text(batch.BatchId, "batchId", 35);
        Text(batch.DebtorAccount, "debtorAccount", 34);
        Text(batch.DebtorName, "debtorName", 140);
        if (batch.DebtorBic is { } bic && !BicPattern().IsMatch(bic)) throw new BankFileException("debtorBic", $"'{bic}' is not a BIC (ISO 9362).");
        if (Currencies.IsCoin(batch.Currency) || Currencies.MinorUnits(batch.Currency) is not { } decimals)
        {
            throw new BankFileException("currency", $"'{batch.Currency}' is not an ISO 4217 currency.");
        }
        if (batch.Transfers.Count == 0) throw new BankFileException("transfers", "A bank file needs at least one transfer.");
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < batch.Transfers.Count; i++)
        {
            var t = batch.Transfers[i];
            var at = $"transfers[{i}]";
            Text(t.Reference, $"{at}.reference", 35);
            if (!seen.Add(t.Reference)) throw new BankFileException($"{at}.reference", $"The reference '{t.Reference}' appears twice: each record is paid once per file.");
            Text(t.BeneficiaryAccount, $"{at}.beneficiaryAccount", 34);
            Text(t.BeneficiaryName, $"{at}.beneficiaryName", 140);
            if (t.BeneficiaryBank is { Length: > 0 } bank) Text(bank, $"{at}.beneficiaryBank", 140);
            if (t.Amount <= 0) throw new BankFileException($"{at}.amount", "A transfer's amount must be positive.");
            if (!Currencies.FitsScale(t.Amount, decimals)) throw new BankFileException($"{at}.amount", $"{t.Amount} has more than the {decimals} decimals of {batch.Currency}.");
            // The schema's amount: at most 18 digits, 5 of them decimals (ActiveOrHistoricCurrencyAndAmount_SimpleType).
            if (t.Amount >= 10_000_000_000_000m) throw new BankFileException($"{at}.amount", $"{t.Amount} is too large for a bank file.");
        }
        return decimals;
    }

    private static void Text(string? value, string field, int maxLength)
    {
        if (string.IsNullOrWhiteSpace(value)) throw new BankFileException(field, $"{field} is required.");
        if (value.Length > maxLength) throw new BankFileException(field, $"{field} is longer than the {maxLength} characters the bank file allows.");
        try
        {
            XmlConvert.VerifyXmlChars(value);
        }
        catch (XmlException)
        {
            throw new BankFileException(field, $"{field} holds a control character a bank file cannot carry.");
        }
    }

    private string Pain001(BankFileBatch batch, int decimals, decimal total)
    {
        var settings = new XmlWriterSettings { Indent = true, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false };
        var text = new Utf8StringWriter();
        using (var w = XmlWriter.Create(text, settings))
        {
            w.WriteStartDocument();
            w.WriteStartElement("Document", Pain001Namespace);
            w.WriteStartElement("CstmrCdtTrfInitn");

            w.WriteStartElement("GrpHdr");
            w.WriteElementString("MsgId", batch.BatchId);
            w.WriteElementString("CreDtTm", clock.GetUtcNow().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture));
            w.WriteElementString("NbOfTxs", batch.Transfers.Count.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("CtrlSum", Amount(total, decimals));
            w.WriteStartElement("InitgPty");
            w.WriteElementString("Nm", batch.DebtorName);
            w.WriteEndElement();
            w.WriteEndElement();

            w.WriteStartElement("PmtInf");
            w.WriteElementString("PmtInfId", batch.BatchId);
            w.WriteElementString("PmtMtd", "TRF");
            w.WriteElementString("NbOfTxs", batch.Transfers.Count.ToString(CultureInfo.InvariantCulture));
            w.WriteElementString("CtrlSum", Amount(total, decimals));
            w.WriteStartElement("ReqdExctnDt");
            w.WriteElementString("Dt", batch.ExecutionDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
            w.WriteEndElement();
            w.WriteStartElement("Dbtr");
            w.WriteElementString("Nm", batch.DebtorName);
            w.WriteEndElement();
            Account(w, "DbtrAcct", batch.DebtorAccount, batch.Currency);
            w.WriteStartElement("DbtrAgt");
            w.WriteStartElement("FinInstnId");
            if (batch.DebtorBic is { } bic)
            {
                w.WriteElementString("BICFI", bic);
            }
            else
            {
                // The paying bank knows itself; the schema still wants an agent, so the identifier says so.
                w.WriteStartElement("Othr");
                w.WriteElementString("Id", "NOTPROVIDED");
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();

            foreach (var t in batch.Transfers)
            {
                w.WriteStartElement("CdtTrfTxInf");
                w.WriteStartElement("PmtId");
                w.WriteElementString("InstrId", t.Reference);
                w.WriteElementString("EndToEndId", t.Reference);
                w.WriteEndElement();
                w.WriteStartElement("Amt");
                w.WriteStartElement("InstdAmt");
                w.WriteAttributeString("Ccy", batch.Currency);
                w.WriteString(Amount(t.Amount, decimals));
                w.WriteEndElement();
                w.WriteEndElement();
                if (t.BeneficiaryBank is { Length: > 0 } bank)
                {
                    w.WriteStartElement("CdtrAgt");
                    w.WriteStartElement("FinInstnId");
                    w.WriteElementString(BicPattern().IsMatch(bank) ? "BICFI" : "Nm", bank);
                    w.WriteEndElement();
                    w.WriteEndElement();
                }
                w.WriteStartElement("Cdtr");
                w.WriteElementString("Nm", t.BeneficiaryName);
                w.WriteEndElement();
                Account(w, "CdtrAcct", t.BeneficiaryAccount, null);
                w.WriteStartElement("RmtInf");
                w.WriteElementString("Ustrd", $"Withdrawal {t.Reference}");
                w.WriteEndElement();
                w.WriteEndElement();
            }
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndElement();
            w.WriteEndDocument();
        }
        return text.ToString();
    }

    private static void Account(XmlWriter w, string element, string account, string? currency)
    {
        w.WriteStartElement(element);
        w.WriteStartElement("Id");
        if (IbanPattern().IsMatch(account))
        {
            w.WriteElementString("IBAN", account);
        }
        else
        {
            w.WriteStartElement("Othr");
            w.WriteElementString("Id", account);
            w.WriteEndElement();
        }
        w.WriteEndElement();
        if (currency is not null) w.WriteElementString("Ccy", currency);
        w.WriteEndElement();
    }

    private static string Csv(BankFileBatch batch, int decimals)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        // Every field quoted: account numbers with leading zeros and names with commas survive any reader. No formula
        // escaping: the bank must receive the names exactly as approved.
        using (var csv = CsvWriter.Create(text, new CsvWriterOptions { Quoting = CsvQuoting.Always }, true))
        {
            csv.WriteRecord([.. CsvColumns]);
            var date = batch.ExecutionDate.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
            foreach (var t in batch.Transfers)
            {
                csv.WriteRecord([batch.BatchId, t.Reference, batch.DebtorAccount, t.BeneficiaryName, t.BeneficiaryAccount, t.BeneficiaryBank ?? "",
                    Amount(t.Amount, decimals), batch.Currency, date]);
            }
        }
        return text.ToString();
    }

    /// <summary>An XML declaration that says UTF-8, as the file is sent.</summary>
    private sealed class Utf8StringWriter() : StringWriter(CultureInfo.InvariantCulture)
    {
        public override Encoding Encoding => new UTF8Encoding(false);
    }
}
