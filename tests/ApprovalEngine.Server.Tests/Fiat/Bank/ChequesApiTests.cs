// Expected-value arrays in assertions read better inline.
#pragma warning disable CA1861
using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Fiat.Bank;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using PdfSharp.Pdf.IO;

namespace ApprovalEngine.Server.Tests.Fiat.Bank;

/// <summary>Issue 12, Check Printing over HTTP on PostgreSQL: bulk print and reprint as one PDF, numbers, counts, journal.</summary>
[NonParallelizable]
public sealed class ChequesApiTests
{
    private const string Cheque = "BOC-003-CHQ";
    private ApiFactory _factory = null!;
    private HttpClient _maker = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _factory = await ApiFactory.PostgresAsync();
        // A cheque channel next to the development transfer channels, configured as an operator would.
        using (var admin = await _factory.AsUserAsync("supervisor1"))
        {
            await admin.PostObjectAsync("/api/fiat/config/bank-accounts", new { id = "BOC-003", bankName = "Bank of China (Hong Kong) 003", accountNo = "012-003-0001", accountName = "Broker HKD", currency = "HKD", apiIntegrated = false });
            await admin.PostObjectAsync("/api/fiat/config/channels", new { id = Cheque, bankAccountId = "BOC-003", method = "Cheque", currency = "HKD", isCheque = true, automaticStatus = false, enabled = true });
            await admin.PostObjectAsync("/api/fiat/config/withdrawal-rules", new { channelId = Cheque, policy = WithdrawalPolicies.ManualPacking, singleLimit = 100_000m, customerDailyLimit = 100_000m, priority = 500, enabled = true });
        }
        _maker = await _factory.AsUserAsync("maker1");
        foreach (var (no, amount, channel) in new[] { ("CHQ-1", 1_000.5m, Cheque), ("CHQ-2", 20m, Cheque), ("CHQ-3", 3m, Cheque), ("CHQ-4", 4m, Cheque), ("CHQ-5", 5m, Cheque), ("CHQ-6", 6m, Cheque), ("CHQ-7", 7m, Cheque), ("CHQ-8", 8m, Cheque), ("FPS-1", 9m, FiatBankKit.Hkd) })
        {
            await RecordAsync(no, amount, channel);
        }
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _factory.DisposeAsync();

    private async Task RecordAsync(string recordNo, decimal amount, string channel, string status = "Paying")
    {
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<FiatDbContext>>().CreateDbContextAsync();
        db.Set<FiatWithdrawalRecord>().Add(new FiatWithdrawalRecord
        {
            Id = Guid.NewGuid(), RecordNo = recordNo, CustomerId = "C-9", Currency = "HKD", Amount = amount, BeneficiaryAccount = "-", BeneficiaryName = $"Payee of {recordNo}",
            ChannelId = channel, Status = status, BusinessDay = new DateOnly(2026, 12, 2), CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
        });
        await db.SaveChangesAsync();
    }

    private static object Items(params (string RecordNo, string ChequeNo)[] items) => new { items = items.Select(i => new { recordNo = i.RecordNo, chequeNo = i.ChequeNo }) };

    private async Task<byte[]> PdfAsync(string route, object body)
    {
        var response = await _maker.PostAsJsonAsync($"/api/fiat/cheques/{route}", body);
        var bytes = await response.Content.ReadAsByteArrayAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), System.Text.Encoding.UTF8.GetString(bytes));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/pdf"));
        return bytes;
    }

    private static int Pages(byte[] pdf)
    {
        using var document = PdfReader.Open(new MemoryStream(pdf), PdfDocumentOpenMode.Import);
        return document.PageCount;
    }

    private async Task<Dictionary<string, (string? ChequeNo, int Count)>> ChequesAsync()
    {
        var page = await _maker.GetObjectAsync("/api/fiat/cheques?pageSize=500");
        return page.Items().ToDictionary(i => i.Text("recordNo"), i => ((string?)i!["chequeNo"], i["printCount"]!.GetValue<int>()));
    }

    [Test]
    public async Task Printing_in_bulk_gives_one_pdf_with_a_page_per_cheque_and_counts_each_print()
    {
        var pdf = await PdfAsync("print", Items(("CHQ-1", "000101"), ("CHQ-2", "000102"), ("CHQ-3", "000103")));
        var cheques = await ChequesAsync();
        var prints = await _maker.GetFromJsonAsync<List<ChequePrintView>>("/api/fiat/cheques/CHQ-1/prints");

        Assert.Multiple(() =>
        {
            Assert.That(System.Text.Encoding.ASCII.GetString(pdf, 0, 5), Is.EqualTo("%PDF-"));
            Assert.That(Pages(pdf), Is.EqualTo(3));
            Assert.That(cheques.Keys, Does.Not.Contain("FPS-1"), "only cheque channels are listed");
            Assert.That(cheques["CHQ-1"], Is.EqualTo(("000101", 1)));
            Assert.That(cheques["CHQ-3"], Is.EqualTo(("000103", 1)));
            Assert.That(cheques["CHQ-8"], Is.EqualTo(((string?)null, 0)), "listed before its first print");
            Assert.That(prints!.Select(p => (p.Kind, p.ChequeNo, p.PrintedBy)), Is.EqualTo(new[] { ("Initial", "000101", "maker1") }));
        });
    }

    [Test]
    public async Task A_reprint_needs_an_earlier_print_and_a_first_print_is_never_repeated()
    {
        await PdfAsync("print", Items(("CHQ-4", "000201")));
        var before = await ChequesAsync();

        var again = await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync("/api/fiat/cheques/print", Items(("CHQ-5", "000202"), ("CHQ-4", "000203"))), HttpStatusCode.UnprocessableEntity, "items[1].recordNo");
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync("/api/fiat/cheques/reprint", Items(("CHQ-5", "000204"))), HttpStatusCode.UnprocessableEntity, "items[0].recordNo");
        Assert.That(await ChequesAsync(), Is.EqualTo(before), "a refused print writes nothing, not even for its good items");
        Assert.That(again.Text("detail"), Does.Contain("nothing was printed"));

        var pdf = await PdfAsync("reprint", Items(("CHQ-4", "000299")));
        var prints = await _maker.GetFromJsonAsync<List<ChequePrintView>>("/api/fiat/cheques/CHQ-4/prints");
        Assert.Multiple(async () =>
        {
            Assert.That(Pages(pdf), Is.EqualTo(1));
            Assert.That((await ChequesAsync())["CHQ-4"], Is.EqualTo(("000299", 2)));
            Assert.That(prints!.Select(p => (p.Kind, p.ChequeNo, p.PreviousChequeNo)), Is.EqualTo(new[] { ("Initial", "000201", (string?)null), ("Reprint", "000299", "000201") }));
        });
    }

    [Test]
    public async Task Cheque_numbers_are_unique_and_bad_items_are_named()
    {
        await PdfAsync("print", Items(("CHQ-6", "000301"), ("CHQ-7", "000302")));
        var before = await ChequesAsync();

        var problem = await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync("/api/fiat/cheques/reprint", Items(("CHQ-7", "000301"))), HttpStatusCode.UnprocessableEntity, "items[0].chequeNo");
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync("/api/fiat/cheques/print", Items(("FPS-1", "000302"))), HttpStatusCode.UnprocessableEntity, "items[0].recordNo");
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync("/api/fiat/cheques/print", Items(("NO-SUCH", "000303"))), HttpStatusCode.UnprocessableEntity, "items[0].recordNo");
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync("/api/fiat/cheques/reprint", Items(("CHQ-7", "12A"))), HttpStatusCode.UnprocessableEntity, "items[0].chequeNo");
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync("/api/fiat/cheques/reprint", Items(("CHQ-7", "000304"), ("CHQ-7", "000305"))), HttpStatusCode.UnprocessableEntity, "items[1].recordNo");
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync("/api/fiat/cheques/print", new { items = Array.Empty<object>() }), HttpStatusCode.UnprocessableEntity, "items");
        Assert.Multiple(async () =>
        {
            Assert.That(problem["errors"]!["items[0].chequeNo"]![0]!.GetValue<string>(), Does.Contain("CHQ-6"));
            Assert.That(await ChequesAsync(), Is.EqualTo(before));
        });
    }

    [Test]
    public async Task Only_Operations_people_print_and_readers_see_the_list()
    {
        await ApiAssert.ProblemAsync(await _factory.AsSystem().PostAsJsonAsync("/api/fiat/cheques/print", Items(("CHQ-3", "000401"))), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("cs1")).PostAsJsonAsync("/api/fiat/cheques/print", Items(("CHQ-3", "000401"))), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("analyst1")).GetAsync("/api/fiat/cheques"), HttpStatusCode.Forbidden);
        Assert.That((await (await _factory.AsUserAsync("checker2")).GetAsync("/api/fiat/cheques")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }
}
