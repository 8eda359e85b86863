// Expected-value arrays in assertions read better inline.
#pragma warning disable CA1861
using System.Globalization;
using System.Xml;
using System.Xml.Linq;
using System.Xml.Schema;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Features.Fiat.Bank;
using CsvHelper;
using ApprovalEngine.Testing;

namespace ApprovalEngine.Server.Tests.Fiat.Bank;

/// <summary>Issue 12: a batch's bank file is a real pain.001.001.09 (checked against ISO's own schema) or the CSV variant.</summary>
public sealed class BankFilesTests
{
    private static readonly XNamespace Pain = FiatBankFiles.Pain001Namespace;
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 8, 30, 0, TimeSpan.Zero);
    private readonly FiatBankFiles _files = new(new TestClock(Now));

    internal static XmlSchemaSet Schema(string file, string ns)
    {
        var set = new XmlSchemaSet();
        set.Add(ns, Path.Combine(TestContext.CurrentContext.TestDirectory, "Fiat", "Bank", "Schemas", file));
        set.Compile();
        return set;
    }

    private static readonly Lazy<XmlSchemaSet> PainSchema = new(() => Schema("pain.001.001.09.xsd", FiatBankFiles.Pain001Namespace));

    /// <summary>Every schema error of <paramref name="xml"/>, empty when it validates.</summary>
    internal static List<string> Validate(string xml, XmlSchemaSet schema)
    {
        var errors = new List<string>();
        var settings = new XmlReaderSettings { ValidationType = ValidationType.Schema, Schemas = schema };
        settings.ValidationEventHandler += (_, e) => errors.Add($"{e.Severity} line {e.Exception?.LineNumber}: {e.Message}");
        using var reader = XmlReader.Create(new StringReader(xml), settings);
        while (reader.Read())
        {
        }
        return errors;
    }

    private static BankFileBatch Batch(string currency = "HKD", params BankFileTransfer[] transfers) =>
        new("BATCH-HSBC-20261202-1", "HSBC-002-WIRE", "HK12345678901234", "Whale Securities Ltd", "HSBCHKHHXXX", currency, new DateOnly(2026, 12, 3),
            transfers.Length > 0 ? transfers :
            [
                new BankFileTransfer("FW-0001", "012-345678-001", "Chan Tai Man", "BKCHHKHHXXX", 1_000.50m),
                new BankFileTransfer("FW-0002", "GB29NWBK60161331926819", "Lee Siu Ming", "Bank of East Asia", 25_000m),
                new BankFileTransfer("FW-0003", "998877", "Wong Ka Yan", null, 0.01m),
            ]);

    [Test]
    public void A_pain001_file_validates_against_the_official_schema_with_one_transfer_per_record()
    {
        var file = _files.Build(BankFileFormats.Pain001, Batch());

        Assert.That(Validate(file.Content, PainSchema.Value), Is.Empty, file.Content);
        var doc = XDocument.Parse(file.Content);
        var transfers = doc.Descendants(Pain + "CdtTrfTxInf").ToList();
        Assert.Multiple(() =>
        {
            Assert.That(file.FileName, Is.EqualTo("BATCH-HSBC-20261202-1.pain.001.xml"));
            Assert.That(doc.Root!.Name, Is.EqualTo(Pain + "Document"));
            Assert.That(doc.Descendants(Pain + "GrpHdr").Single().Element(Pain + "MsgId")!.Value, Is.EqualTo("BATCH-HSBC-20261202-1"));
            Assert.That(doc.Descendants(Pain + "CreDtTm").Single().Value, Is.EqualTo("2026-12-02T08:30:00Z"));
            Assert.That(doc.Descendants(Pain + "PmtInf").Count(), Is.EqualTo(1));
            Assert.That(transfers.Select(t => t.Descendants(Pain + "EndToEndId").Single().Value), Is.EqualTo(new[] { "FW-0001", "FW-0002", "FW-0003" }));
            Assert.That(transfers.Select(t => t.Descendants(Pain + "InstdAmt").Single().Value), Is.EqualTo(new[] { "1000.50", "25000.00", "0.01" }));
            Assert.That(transfers.Select(t => t.Descendants(Pain + "InstdAmt").Single().Attribute("Ccy")!.Value), Is.All.EqualTo("HKD"));
            Assert.That(doc.Descendants(Pain + "DbtrAgt").Single().Descendants(Pain + "BICFI").Single().Value, Is.EqualTo("HSBCHKHHXXX"));
            // An IBAN goes in IBAN, any other account number in Othr/Id; a BIC in BICFI, a bank name in Nm.
            Assert.That(transfers[1].Descendants(Pain + "IBAN").Single().Value, Is.EqualTo("GB29NWBK60161331926819"));
            Assert.That(transfers[0].Element(Pain + "CdtrAcct")!.Descendants(Pain + "Othr").Single().Element(Pain + "Id")!.Value, Is.EqualTo("012-345678-001"));
            Assert.That(transfers[0].Element(Pain + "CdtrAgt")!.Descendants(Pain + "BICFI").Single().Value, Is.EqualTo("BKCHHKHHXXX"));
            Assert.That(transfers[1].Element(Pain + "CdtrAgt")!.Descendants(Pain + "Nm").Single().Value, Is.EqualTo("Bank of East Asia"));
            Assert.That(transfers[2].Element(Pain + "CdtrAgt"), Is.Null, "no bank given, no creditor agent");
        });
    }

    [Test]
    public void The_schema_check_itself_refuses_a_file_the_standard_does_not_allow()
    {
        var file = _files.Build(BankFileFormats.Pain001, Batch());
        // A transfer without its end-to-end id, and an amount with six decimals: both outside pain.001.001.09.
        var noEndToEnd = XDocument.Parse(file.Content);
        noEndToEnd.Descendants(Pain + "EndToEndId").First().Remove();
        var sixDecimals = file.Content.Replace(">1000.50<", ">1000.500001<", StringComparison.Ordinal);
        Assert.Multiple(() =>
        {
            Assert.That(Validate(noEndToEnd.ToString(), PainSchema.Value), Is.Not.Empty);
            Assert.That(Validate(sixDecimals, PainSchema.Value), Is.Not.Empty);
        });
    }

    [Test]
    public void Totals_in_both_headers_are_the_exact_decimal_sum_of_the_transfers()
    {
        // 0.1 + 0.2 is the classic double error; ten thousand of them must be exactly 3000.00.
        var transfers = Enumerable.Range(0, 10_000)
            .Select(i => new BankFileTransfer($"FW-{i:D5}", $"ACC{i}", $"Customer {i}", null, i % 2 == 0 ? 0.1m : 0.2m)).ToArray();
        var file = _files.Build(BankFileFormats.Pain001, Batch("HKD", transfers));

        var doc = XDocument.Parse(file.Content);
        Assert.Multiple(() =>
        {
            Assert.That(Validate(file.Content, PainSchema.Value), Is.Empty);
            Assert.That(file.Total, Is.EqualTo(1_500m));
            Assert.That(file.Transfers, Is.EqualTo(10_000));
            Assert.That(doc.Descendants(Pain + "CtrlSum").Select(e => e.Value), Is.EqualTo(new[] { "1500.00", "1500.00" }), "group header and payment information");
            Assert.That(doc.Descendants(Pain + "NbOfTxs").Select(e => e.Value), Is.EqualTo(new[] { "10000", "10000" }));
            Assert.That(doc.Descendants(Pain + "InstdAmt").Sum(e => decimal.Parse(e.Value, CultureInfo.InvariantCulture)), Is.EqualTo(1_500m));
        });
    }

    [Test]
    public void Zero_and_three_decimal_currencies_are_written_with_their_own_minor_units()
    {
        var yen = _files.Build(BankFileFormats.Pain001, Batch("JPY", new BankFileTransfer("FW-JP1", "1234567", "Tanaka Taro", null, 150_000m), new BankFileTransfer("FW-JP2", "7654321", "Sato Hanako", null, 1m)));
        var dinar = _files.Build(BankFileFormats.Pain001, Batch("KWD", new BankFileTransfer("FW-KW1", "KW81CBKU0000000000001234560101", "Al Sabah", null, 12.345m)));

        Assert.Multiple(() =>
        {
            Assert.That(Validate(yen.Content, PainSchema.Value), Is.Empty);
            Assert.That(XDocument.Parse(yen.Content).Descendants(Pain + "InstdAmt").Select(e => e.Value), Is.EqualTo(new[] { "150000", "1" }));
            Assert.That(XDocument.Parse(yen.Content).Descendants(Pain + "CtrlSum").First().Value, Is.EqualTo("150001"));
            Assert.That(Validate(dinar.Content, PainSchema.Value), Is.Empty);
            Assert.That(XDocument.Parse(dinar.Content).Descendants(Pain + "InstdAmt").Single().Value, Is.EqualTo("12.345"));
        });
    }

    [Test]
    public void An_amount_finer_than_the_currency_is_refused_not_rounded()
    {
        var ex = Assert.Throws<BankFileException>(() => _files.Build(BankFileFormats.Pain001, Batch("JPY", new BankFileTransfer("FW-1", "1", "A", null, 100.5m))));
        var cents = Assert.Throws<BankFileException>(() => _files.Build(BankFileFormats.Csv, Batch("HKD", new BankFileTransfer("FW-1", "1", "A", null, 10.005m))));
        Assert.Multiple(() =>
        {
            Assert.That(ex!.Field, Is.EqualTo("transfers[0].amount"));
            Assert.That(cents!.Field, Is.EqualTo("transfers[0].amount"));
        });
    }

    [TestCase("", "transfers[0].reference")]
    [TestCase("FW-000000000000000000000000000000001", "transfers[0].reference")]
    public void A_reference_the_schema_cannot_hold_is_refused(string reference, string field)
    {
        var ex = Assert.Throws<BankFileException>(() => _files.Build(BankFileFormats.Pain001, Batch("HKD", new BankFileTransfer(reference, "1", "A", null, 1m))));
        Assert.That(ex!.Field, Is.EqualTo(field));
    }

    [Test]
    public void Bad_batches_are_refused_naming_the_field()
    {
        Assert.Multiple(() =>
        {
            Assert.That(Assert.Throws<BankFileException>(() => _files.Build(BankFileFormats.Pain001, Batch("BTC")))!.Field, Is.EqualTo("currency"));
            Assert.That(Assert.Throws<BankFileException>(() => _files.Build("mt101", Batch()))!.Field, Is.EqualTo("format"));
            Assert.That(Assert.Throws<BankFileException>(() => _files.Build(BankFileFormats.Pain001, Batch() with { Transfers = [] }))!.Field, Is.EqualTo("transfers"));
            Assert.That(Assert.Throws<BankFileException>(() => _files.Build(BankFileFormats.Pain001, Batch("HKD",
                new BankFileTransfer("FW-1", "1", "A", null, 1m), new BankFileTransfer("FW-1", "2", "B", null, 2m))))!.Field, Is.EqualTo("transfers[1].reference"));
            Assert.That(Assert.Throws<BankFileException>(() => _files.Build(BankFileFormats.Pain001, Batch("HKD", new BankFileTransfer("FW-1", "1", "A", null, -5m))))!.Field, Is.EqualTo("transfers[0].amount"));
            Assert.That(Assert.Throws<BankFileException>(() => _files.Build(BankFileFormats.Pain001, Batch("HKD", new BankFileTransfer("FW-1", "1", "Bell\u0007", null, 5m))))!.Field, Is.EqualTo("transfers[0].beneficiaryName"));
            Assert.That(Assert.Throws<BankFileException>(() => _files.Build(BankFileFormats.Pain001, Batch() with { DebtorBic = "not a bic" }))!.Field, Is.EqualTo("debtorBic"));
        });
    }

    [Test]
    public void Markup_and_non_latin_names_are_escaped_and_read_back_unchanged()
    {
        const string name = "O'Brien & <Sons> \"Ltd\" 陳大文";
        var file = _files.Build(BankFileFormats.Pain001, Batch("HKD", new BankFileTransfer("FW-1", "ACC-1", name, "R&D Bank <HK>", 10m)));

        Assert.Multiple(() =>
        {
            Assert.That(Validate(file.Content, PainSchema.Value), Is.Empty);
            Assert.That(file.Content, Does.Contain("&amp; &lt;Sons&gt;"));
            var doc = XDocument.Parse(file.Content);
            Assert.That(doc.Descendants(Pain + "Cdtr").Single().Element(Pain + "Nm")!.Value, Is.EqualTo(name));
            Assert.That(doc.Descendants(Pain + "CdtrAgt").Single().Descendants(Pain + "Nm").Single().Value, Is.EqualTo("R&D Bank <HK>"));
        });
    }

    [Test]
    public void The_csv_variant_has_the_documented_columns_and_reads_back_exactly()
    {
        var file = _files.Build(BankFileFormats.Csv, Batch("HKD",
            new BankFileTransfer("FW-1", "0012-3", "Chan, Tai Man", null, 1_000.5m),
            new BankFileTransfer("FW-2", "GB29NWBK60161331926819", "He said \"hi\"\nthen left", "HSBC", 2m)));

        using var csv = CsvReader.Create(new StringReader(file.Content), new CsvReaderOptions { HasHeader = false }, false);
        var rows = new List<string[]>();
        while (csv.Read()) rows.Add([.. Enumerable.Range(0, csv.FieldCount).Select(csv.GetString)]);
        Assert.Multiple(() =>
        {
            Assert.That(file.FileName, Is.EqualTo("BATCH-HSBC-20261202-1.csv"));
            Assert.That(rows[0], Is.EqualTo(FiatBankFiles.CsvColumns.ToArray()));
            Assert.That(rows, Has.Count.EqualTo(3));
            Assert.That(rows[1], Is.EqualTo(new[] { "BATCH-HSBC-20261202-1", "FW-1", "HK12345678901234", "Chan, Tai Man", "0012-3", "", "1000.50", "HKD", "2026-12-03" }));
            Assert.That(rows[2][3], Is.EqualTo("He said \"hi\"\nthen left"));
            Assert.That(file.Total, Is.EqualTo(1_002.5m));
        });
    }
}
