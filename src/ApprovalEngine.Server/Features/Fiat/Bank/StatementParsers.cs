using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using ApprovalEngine.Workflows.Definitions;
using CsvHelper;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>One statement line as a file gives it; <see cref="Row"/> counts entries from 1 in file order.</summary>
public sealed record ParsedEntry(
    int Row,
    string EntryId,
    DateOnly BookingDate,
    decimal BankAmount,
    string Currency,
    string Direction,
    string? Reference,
    string? CounterpartyAccount,
    string? Description)
{
    public decimal Amount => Math.Abs(BankAmount);
}

/// <summary>What a statement file holds: its entries, or the errors of its rows (field <c>rows[3].amount</c>), and booked-only skips.</summary>
public sealed record ParsedStatement(IReadOnlyList<ParsedEntry> Entries, IReadOnlyDictionary<string, string[]> Errors, int Skipped);

/// <summary>
/// Statement files: ISO 20022 camt.053 BankToCustomerStatement (any version 001.02–001.12: the entry fields used are
/// the same) and the CSV template (docs/fiat-bank.md). Every row is checked and every bad row reported, so an operator
/// fixes the file once; the caller imports nothing when there is any error.
/// </summary>
public static class StatementParsers
{
    public const int MaxEntries = 10_000;
    public const string CamtNamespacePrefix = "urn:iso:std:iso:20022:tech:xsd:camt.053.";

    /// <summary>The CSV template's columns; the first four are required.</summary>
    public static readonly IReadOnlyList<string> CsvColumns =
        ["entry_id", "booking_date", "amount", "currency", "direction", "reference", "counterparty_account", "description"];

    private static readonly string[] RequiredCsvColumns = ["entry_id", "booking_date", "amount", "currency"];

    public static ParsedStatement Camt053(string content)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        XDocument doc;
        try
        {
            // No DTDs, no outside resources: a statement is data from outside.
            var settings = new XmlReaderSettings { DtdProcessing = DtdProcessing.Prohibit, XmlResolver = null, MaxCharactersInDocument = 50_000_000 };
            using var reader = XmlReader.Create(new StringReader(content), settings);
            doc = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException ex)
        {
            errors["content"] = [$"The file is not well-formed XML (line {ex.LineNumber}, position {ex.LinePosition}): {ex.Message}"];
            return new ParsedStatement([], errors, 0);
        }
        var root = doc.Root!;
        if (root.Name.LocalName != "Document" || !root.Name.NamespaceName.StartsWith(CamtNamespacePrefix, StringComparison.Ordinal))
        {
            errors["content"] = [$"The file is not a camt.053 statement (root {root.Name})."];
            return new ParsedStatement([], errors, 0);
        }
        XNamespace ns = root.Name.Namespace;
        var entries = new List<ParsedEntry>();
        var skipped = 0;
        var row = 0;
        foreach (var ntry in root.Descendants(ns + "Stmt").Elements(ns + "Ntry"))
        {
            row++;
            if (row > MaxEntries)
            {
                errors["content"] = [$"A statement file holds at most {MaxEntries} entries."];
                break;
            }
            var at = $"rows[{row}]";
            var status = ntry.Element(ns + "Sts") is { } sts ? (sts.Element(ns + "Cd")?.Value ?? sts.Value).Trim() : "BOOK";
            if (status != "BOOK")
            {
                // Pending and information entries are not booked yet: the booked line comes in a later statement.
                skipped++;
                continue;
            }
            var amountElement = ntry.Element(ns + "Amt");
            var currency = amountElement?.Attribute("Ccy")?.Value;
            var amount = Amount(amountElement?.Value, currency, $"{at}.amount", errors);
            var direction = ntry.Element(ns + "CdtDbtInd")?.Value switch
            {
                "DBIT" => EntryDirections.Debit,
                "CRDT" => EntryDirections.Credit,
                var other => Error(errors, $"{at}.cdtDbtInd", $"CdtDbtInd is DBIT or CRDT, not '{other}'."),
            };
            var bookingDate = ntry.Element(ns + "BookgDt") is { } bookg
                ? Date(bookg.Element(ns + "Dt")?.Value ?? bookg.Element(ns + "DtTm")?.Value?.Split('T')[0], $"{at}.bookingDate", errors)
                : ErrorDate(errors, $"{at}.bookingDate", "BookgDt is required for a booked entry.");
            var entryId = Text(ntry.Element(ns + "AcctSvcrRef")?.Value ?? ntry.Element(ns + "NtryRef")?.Value, $"{at}.entryId", required: true, errors);
            var tx = ntry.Elements(ns + "NtryDtls").Elements(ns + "TxDtls").FirstOrDefault();
            var endToEnd = tx?.Element(ns + "Refs")?.Element(ns + "EndToEndId")?.Value;
            if (endToEnd == "NOTPROVIDED") endToEnd = null;
            var party = tx?.Element(ns + "RltdPties")?.Element(ns + (direction == EntryDirections.Credit ? "DbtrAcct" : "CdtrAcct"))?.Element(ns + "Id");
            var counterparty = party?.Element(ns + "IBAN")?.Value ?? party?.Element(ns + "Othr")?.Element(ns + "Id")?.Value;
            var description = ntry.Element(ns + "AddtlNtryInf")?.Value ?? tx?.Element(ns + "RmtInf")?.Element(ns + "Ustrd")?.Value;
            if (amount is { } a && currency is not null && bookingDate is { } d && entryId is not null && direction is not null)
            {
                entries.Add(new ParsedEntry(row, entryId, d, a, currency, direction,
                    Text(endToEnd, $"{at}.reference", false, errors), Text(counterparty, $"{at}.counterpartyAccount", false, errors), Clip(description)));
            }
        }
        return new ParsedStatement(entries, errors, skipped);
    }

    public static ParsedStatement Csv(string content)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var entries = new List<ParsedEntry>();
        try
        {
            // Malformed quoting is an error to report, not something to guess around in a bank statement.
            using var csv = CsvReader.Create(new StringReader(content), new CsvReaderOptions { HasHeader = false, MalformedData = CsvMalformedDataHandling.Throw }, false);
            if (!csv.Read())
            {
                errors["content"] = ["The file is empty: the first line names the columns."];
                return new ParsedStatement([], errors, 0);
            }
            var header = Enumerable.Range(0, csv.FieldCount).Select(i => csv.GetString(i).Trim().ToLowerInvariant()).ToList();
            var unknown = header.Where(h => !CsvColumns.Contains(h)).ToList();
            var missing = RequiredCsvColumns.Where(c => !header.Contains(c)).ToList();
            if (unknown.Count > 0 || missing.Count > 0 || header.Distinct().Count() != header.Count)
            {
                errors["header"] = [$"The columns are {string.Join(", ", CsvColumns)} (the first four required, each once); " +
                    $"{(missing.Count > 0 ? $"missing {string.Join(", ", missing)}" : "")}{(unknown.Count > 0 ? $" unknown {string.Join(", ", unknown)}" : "")}".TrimEnd()];
                return new ParsedStatement([], errors, 0);
            }
            string? Field(string name) => header.IndexOf(name) is var i and >= 0 && i < csv.FieldCount ? csv.GetString(i) : null;
            var row = 0;
            while (csv.Read())
            {
                row++;
                if (row > MaxEntries)
                {
                    errors["content"] = [$"A statement file holds at most {MaxEntries} entries."];
                    break;
                }
                var at = $"rows[{row}]";
                if (csv.FieldCount != header.Count)
                {
                    Error(errors, at, $"The row has {csv.FieldCount} fields; the header names {header.Count}.");
                    continue;
                }
                var currency = Field("currency")?.Trim();
                var amount = Amount(Field("amount"), currency, $"{at}.amount", errors);
                var bookingDate = Date(Field("booking_date"), $"{at}.bookingDate", errors);
                var entryId = Text(Field("entry_id"), $"{at}.entryId", required: true, errors);
                var direction = Field("direction")?.Trim().ToUpperInvariant() switch
                {
                    null or "" => amount is < 0 ? EntryDirections.Debit : EntryDirections.Credit,
                    "D" or "DR" or "DBIT" or "DEBIT" => EntryDirections.Debit,
                    "C" or "CR" or "CRDT" or "CREDIT" => EntryDirections.Credit,
                    var other => Error(errors, $"{at}.direction", $"direction is D (debit) or C (credit), or empty to take it from the amount's sign; not '{other}'."),
                };
                var reference = Text(Field("reference"), $"{at}.reference", false, errors);
                var counterparty = Text(Field("counterparty_account"), $"{at}.counterpartyAccount", false, errors);
                if (amount is { } a && currency is not null && bookingDate is { } d && entryId is not null && direction is not null)
                {
                    entries.Add(new ParsedEntry(row, entryId, d, a, currency, direction, reference, counterparty, Clip(Field("description"))));
                }
            }
        }
        catch (Exception ex) when (ex is CsvFormatException or CsvValidationException or FormatException or InvalidDataException)
        {
            errors["content"] = [$"The file is not a readable CSV: {ex.Message}"];
        }
        return new ParsedStatement(entries, errors, 0);
    }

    private static decimal? Amount(string? text, string? currency, string field, Dictionary<string, string[]> errors)
    {
        var currencyField = field[..field.LastIndexOf('.')] + ".currency";
        if (currency is null || Currencies.IsCoin(currency) || Currencies.MinorUnits(currency) is not { } decimals)
        {
            Error(errors, currencyField, $"'{currency}' is not an ISO 4217 currency code.");
            return null;
        }
        if (!decimal.TryParse(text?.Trim(), NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var amount))
        {
            Error(errors, field, $"'{text}' is not an amount (digits, a point for decimals, an optional sign).");
            return null;
        }
        if (amount == 0 || Math.Abs(amount) >= 1_000_000_000_000m)
        {
            Error(errors, field, $"{amount} is not an amount a statement books.");
            return null;
        }
        if (!Currencies.FitsScale(amount, decimals))
        {
            Error(errors, field, $"{amount} has more than the {decimals} decimals of {currency}.");
            return null;
        }
        return amount;
    }

    private static DateOnly? Date(string? text, string field, Dictionary<string, string[]> errors)
    {
        if (DateOnly.TryParseExact(text?.Trim(), "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var date)) return date;
        Error(errors, field, $"'{text}' is not a date (yyyy-MM-dd).");
        return null;
    }

    private static string? Text(string? value, string field, bool required, Dictionary<string, string[]> errors)
    {
        value = value?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            if (required) Error(errors, field, $"{field[(field.LastIndexOf('.') + 1)..]} is required.");
            return null;
        }
        if (value.Length > 140) return Error(errors, field, $"{field[(field.LastIndexOf('.') + 1)..]} is longer than 140 characters.");
        // PostgreSQL cannot store a NUL; no statement needs control characters in an id.
        if (value.Any(char.IsControl)) return Error(errors, field, "Control characters are not allowed here.");
        return value;
    }

    private static string? Clip(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return null;
        var clean = new string([.. text.Trim().Select(c => char.IsControl(c) ? ' ' : c)]);
        return clean.Length <= 1000 ? clean : clean[..1000];
    }

    private static string? Error(Dictionary<string, string[]> errors, string field, string message)
    {
        errors[field] = errors.TryGetValue(field, out var existing) ? [.. existing, message] : [message];
        return null;
    }

    private static DateOnly? ErrorDate(Dictionary<string, string[]> errors, string field, string message)
    {
        Error(errors, field, message);
        return null;
    }
}
