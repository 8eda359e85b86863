using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Server.Tests.Support;
using static ApprovalEngine.Server.Tests.Fiat.Bank.FiatBankKit;

namespace ApprovalEngine.Server.Tests.Fiat.Bank;

/// <summary>The embedded default (SQLite, `dotnet run`): bills, automatic reconciliation and manual tagging work there too.</summary>
public sealed class SqliteBankSmokeTests
{
    [Test]
    public async Task On_SQLite_an_import_reconciles_a_record_and_a_tag_is_confirmed_by_a_second_person()
    {
        await using var factory = ApiFactory.Sqlite();
        await factory.PublishAsync(UnmatchFlow());
        var maker = await factory.AsUserAsync("maker1");
        var checker1 = await factory.AsUserAsync("checker1");
        var checker2 = await factory.AsUserAsync("checker2");
        var auto = await RecordAsync(factory, "FW-LITE-1", 10.5m);
        var tagged = await RecordAsync(factory, "FW-LITE-2", 20m);
        var today = DateTime.UtcNow.ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);

        var import = await ImportOkAsync(maker, "csv", Csv("entry_id,booking_date,amount,currency,reference", $"L-1,{today},-10.50,HKD,FW-LITE-1", $"L-2,{today},-20,HKD,"));
        var open = (await EntriesAsync(checker1, "&reference=L-2")).Single()!.Text("id");
        await checker1.PostObjectAsync($"/api/fiat/statements/entries/{open}/tag", new { recordNo = "FW-LITE-2" });
        Assert.That((await checker1.PostAsync($"/api/fiat/statements/entries/{open}/tag/confirm", null)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        var confirmed = await checker2.PostObjectAsync($"/api/fiat/statements/entries/{open}/tag/confirm", null);
        await ApiAssert.ProblemAsync(await maker.PostAsJsonAsync("/api/fiat/statements/imports", new { channelId = Hkd, format = "csv", content = Csv("entry_id,booking_date,amount,currency", $"L-3,{today},x,HKD") }),
            HttpStatusCode.UnprocessableEntity, "rows[1].amount");

        Assert.Multiple(async () =>
        {
            Assert.That(import["reconciliation"]!["matched"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That((await EntriesAsync(checker1, "&reference=L-1")).Single()!.Text("matchStatus"), Is.EqualTo("Matched"));
            Assert.That((await InstanceAsync(factory, auto)).Text("status"), Is.EqualTo("Completed"));
            Assert.That(confirmed.Text("matchStatus"), Is.EqualTo("Matched"));
            Assert.That(confirmed.Text("confirmedBy"), Is.EqualTo("checker2"));
            Assert.That((await InstanceAsync(factory, tagged)).Text("status"), Is.EqualTo("Completed"));
            Assert.That((await EntriesAsync(checker1)).Count, Is.EqualTo(2), "the bad file stored nothing");
        });
    }
}
