// Expected-value arrays in assertions read better inline.
#pragma warning disable CA1861
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Fiat.Bank;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ApprovalEngine.Server.Tests.Fiat.Bank.FiatBankKit;

namespace ApprovalEngine.Server.Tests.Fiat.Bank;

/// <summary>
/// Issue 12, reconciliation over HTTP on PostgreSQL: an imported debit with a record's reference reconciles the record
/// (FiatReconciled, correlation = record no) in the same transaction as the entry's match; differences are a
/// Discrepancy with reasons; manual tags need a second person; and no side door reconciles a record.
/// </summary>
[NonParallelizable]
public sealed class ReconciliationApiTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);
    private ApiFactory _factory = null!;
    private HttpClient _maker = null!;
    private HttpClient _checker1 = null!;
    private HttpClient _checker2 = null!;
    private string _today = "";

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _factory = await ApiFactory.PostgresAsync();
        await _factory.PublishAsync(UnmatchFlow());
        _maker = await _factory.AsUserAsync("maker1");
        _checker1 = await _factory.AsUserAsync("checker1");
        _checker2 = await _factory.AsUserAsync("checker2");
        _today = DateOnly.FromDateTime(DateTime.UtcNow).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _factory.DisposeAsync();

    private Task<JsonObject> ImportLineAsync(string entryId, decimal signedAmount, string? reference, string currency = "HKD") =>
        ImportOkAsync(_maker, "csv", Csv("entry_id,booking_date,amount,currency,direction,reference", $"{entryId},{_today},{signedAmount},{currency},D,{reference}"));

    private async Task<JsonObject> EntryAsync(string entryId) =>
        (await EntriesAsync(_checker1, $"&reference={entryId}&includeDeleted=true")).Single()!.AsObject();

    private async Task<JsonObject> ResultAsync(string recordNo) =>
        (await _checker1.GetObjectAsync($"/api/fiat/reconciliation/records?recordNo={recordNo}")).Items().Single()!.AsObject();

    [Test]
    public async Task An_imported_debit_with_the_record_number_matches_the_record_and_completes_it()
    {
        var record = await RecordAsync(_factory, "FW-REC-1", 500m);

        var import = await ImportLineAsync("E-REC-1", -500m, "FW-REC-1");
        var entry = await EntryAsync("E-REC-1");
        var instance = await InstanceAsync(_factory, record);
        var reconciliation = instance["variables"]!["reconciliation"]!;
        var result = await ResultAsync("FW-REC-1");
        Assert.Multiple(() =>
        {
            Assert.That(import["reconciliation"]!["matched"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(entry.Text("matchStatus"), Is.EqualTo("Matched"));
            Assert.That(entry.Text("recordNo"), Is.EqualTo("FW-REC-1"));
            Assert.That(instance.Text("status"), Is.EqualTo("Completed"), "the record took FiatReconciled");
            Assert.That(reconciliation.Text("result"), Is.EqualTo("Matched"));
            Assert.That(reconciliation.Text("entryId"), Is.EqualTo(entry.Text("id")));
            Assert.That(reconciliation["manual"]!.GetValue<bool>(), Is.False);
            Assert.That(reconciliation["reasons"]!.AsArray(), Is.Empty);
            Assert.That(result.Text("reconciliation"), Is.EqualTo("Matched"));
            Assert.That(result.Text("bankEntryId"), Is.EqualTo("E-REC-1"));
        });
    }

    [Test]
    public async Task A_debit_with_the_reference_but_another_amount_is_a_discrepancy_with_the_reason()
    {
        var record = await RecordAsync(_factory, "FW-REC-2", 500m);

        await ImportLineAsync("E-REC-2", -499.5m, "FW-REC-2");
        var reconciliation = (await InstanceAsync(_factory, record))["variables"]!["reconciliation"]!;
        var result = await ResultAsync("FW-REC-2");
        Assert.Multiple(() =>
        {
            Assert.That(reconciliation.Text("result"), Is.EqualTo("Discrepancy"));
            Assert.That(reconciliation["reasons"]!.AsArray().Select(r => r!.GetValue<string>()), Is.EqualTo(new[] { "Amount 499.5 on the statement, 500 on the record." }));
            Assert.That(result.Text("reconciliation"), Is.EqualTo("Discrepancy"));
            Assert.That(result["reasons"]!.AsArray(), Has.Count.EqualTo(1));
        });
    }

    [Test]
    public async Task A_record_that_does_not_wait_leaves_the_entry_unmatched()
    {
        // A record row in Unmatch whose instance is not waiting (no instance at all here): nothing takes the result.
        await using (var db = await _factory.Services.GetRequiredService<IDbContextFactory<FiatDbContext>>().CreateDbContextAsync())
        {
            db.Set<Features.Fiat.Records.FiatWithdrawalRecord>().Add(new()
            {
                Id = Guid.NewGuid(), RecordNo = "FW-REC-3", CustomerId = "C-1", Currency = "HKD", Amount = 10m, BeneficiaryAccount = "1", ChannelId = Hkd,
                Status = "Unmatch", BusinessDay = DateOnly.FromDateTime(DateTime.UtcNow), CreatedAt = DateTimeOffset.UtcNow, UpdatedAt = DateTimeOffset.UtcNow,
            });
            await db.SaveChangesAsync();
        }

        var import = await ImportLineAsync("E-REC-3", -10m, "FW-REC-3");
        Assert.Multiple(async () =>
        {
            Assert.That(import["reconciliation"]!["notDelivered"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That((await EntryAsync("E-REC-3")).Text("matchStatus"), Is.EqualTo("Unmatch"));
            Assert.That((await ResultAsync("FW-REC-3")).Text("reconciliation"), Is.EqualTo("Unmatch"));
        });
    }

    [Test]
    public async Task Concurrent_runs_match_an_entry_once()
    {
        var record = await RecordAsync(_factory, "FW-REC-4", 70m);
        var statements = _factory.Services.GetRequiredService<FiatStatements>();
        // Stored without a run, so the runs below race for it.
        await statements.AddAsync(Hkd, [new ParsedEntry(1, "E-REC-4", DateOnly.FromDateTime(DateTime.UtcNow), -70m, "HKD", "Debit", "FW-REC-4", null, null)], "csv", "maker1", null, default);

        var runs = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _maker.PostObjectAsync("/api/fiat/reconciliation/run", new { channelId = Hkd })));
        var entry = await EntryAsync("E-REC-4");
        var detail = await _checker1.GetObjectAsync($"/api/fiat/statements/entries/{entry.Text("id")}");
        var deliveries = await _factory.QueryAsync(db => db.EventDeliveries.CountAsync(d => d.InstanceId == record));
        Assert.Multiple(async () =>
        {
            Assert.That(runs.Sum(r => r["matched"]!.GetValue<int>()), Is.EqualTo(1), "one run matched it, the others found it taken");
            Assert.That(entry.Text("matchStatus"), Is.EqualTo("Matched"));
            Assert.That(detail["journal"]!.AsArray().Count(j => j.Text("action") == "Reconciled"), Is.EqualTo(1));
            Assert.That(deliveries, Is.EqualTo(1));
            Assert.That((await InstanceAsync(_factory, record)).Text("status"), Is.EqualTo("Completed"));
        });
    }

    [Test]
    public async Task No_system_reconciles_a_record_through_the_events_route()
    {
        var record = await RecordAsync(_factory, "FW-REC-5", 80m);
        await ImportLineAsync("E-REC-5", -80m, null);
        var entry = await EntryAsync("E-REC-5");

        var sent = await _factory.AsTestSystem().PostObjectAsync("/api/events/FiatReconciled", new
        {
            correlationId = "FW-REC-5",
            payload = new { result = "Matched", entryId = entry.Text("id"), reasons = Array.Empty<string>(), manual = false },
        });
        Assert.Multiple(async () =>
        {
            Assert.That(sent["resumed"]!.GetValue<int>(), Is.Zero);
            Assert.That((await InstanceAsync(_factory, record)).Text("status"), Is.EqualTo("Running"), "still waits for its bank debit");
            Assert.That((await EntryAsync("E-REC-5")).Text("matchStatus"), Is.EqualTo("Unmatch"));
        });
    }

    [Test]
    public async Task A_manual_tag_is_confirmed_by_a_second_person_only()
    {
        var record = await RecordAsync(_factory, "FW-TAG-1", 120m);
        await ImportLineAsync("E-TAG-1", -120m, null);
        var id = (await EntryAsync("E-TAG-1")).Text("id");
        var tag = $"/api/fiat/statements/entries/{id}/tag";

        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync(tag, new { recordNo = "FW-TAG-1" }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _factory.AsSystem().PostAsJsonAsync(tag, new { recordNo = "FW-TAG-1" }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _checker1.PostAsJsonAsync(tag, new { recordNo = "FW-NOPE" }), HttpStatusCode.UnprocessableEntity, "recordNo");
        var tagged = await _checker1.PostObjectAsync(tag, new { recordNo = "FW-TAG-1", comment = "Bank left the reference out." });
        Assert.That(tagged.Text("matchStatus"), Is.EqualTo("PendingConfirmation"));
        Assert.That((await InstanceAsync(_factory, record)).Text("status"), Is.EqualTo("Running"), "a tag alone reconciles nothing");

        var self = await ApiAssert.ProblemAsync(await _checker1.PostAsync($"{tag}/confirm", null), HttpStatusCode.Forbidden);
        Assert.That(self.Text("detail"), Does.Contain("Four eyes"));
        // Extra fields naming someone else change nothing: the confirmer is the caller.
        await ApiAssert.ProblemAsync(await _checker1.PostAsJsonAsync($"{tag}/confirm", new { confirmedBy = "checker2", taggedBy = "checker2" }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _maker.PostAsync($"{tag}/confirm", null), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _factory.AsTestSystem().PostAsync($"{tag}/confirm", null), HttpStatusCode.Forbidden);
        var confirmed = await _checker2.PostObjectAsync($"{tag}/confirm", null);

        var instance = await InstanceAsync(_factory, record);
        var journal = (await _checker1.GetObjectAsync($"/api/fiat/statements/entries/{id}"))["journal"]!.AsArray();
        Assert.Multiple(() =>
        {
            Assert.That(confirmed.Text("matchStatus"), Is.EqualTo("Matched"));
            Assert.That(confirmed["manualMatch"]!.GetValue<bool>(), Is.True);
            Assert.That(confirmed.Text("taggedBy"), Is.EqualTo("checker1"));
            Assert.That(confirmed.Text("confirmedBy"), Is.EqualTo("checker2"));
            Assert.That(instance.Text("status"), Is.EqualTo("Completed"));
            Assert.That(instance["variables"]!["reconciliation"]!["manual"]!.GetValue<bool>(), Is.True);
            Assert.That(journal.Select(j => (j.Text("action"), j.Text("actor"))), Is.EqualTo(new[] { ("Tagged", "checker1"), ("TagConfirmed", "checker2") }));
        });
        await ApiAssert.ProblemAsync(await _checker2.PostAsync($"{tag}/confirm", null), HttpStatusCode.Conflict);
        await ApiAssert.ProblemAsync(await _checker2.PostAsJsonAsync($"{tag}/reject", new { reason = "too late" }), HttpStatusCode.Conflict);
    }

    [Test]
    public async Task Rejecting_a_wrong_tag_reverses_it_and_the_entry_can_be_tagged_again()
    {
        await RecordAsync(_factory, "FW-TAG-2", 60m);
        var right = await RecordAsync(_factory, "FW-TAG-3", 60m);
        await ImportLineAsync("E-TAG-2", -60m, null);
        var id = (await EntryAsync("E-TAG-2")).Text("id");
        var tag = $"/api/fiat/statements/entries/{id}/tag";

        await _checker1.PostObjectAsync(tag, new { recordNo = "FW-TAG-2" });
        await ApiAssert.ProblemAsync(await _checker2.PostAsJsonAsync($"{tag}/reject", new { }), HttpStatusCode.UnprocessableEntity, "reason");
        var rejected = await _checker1.PostObjectAsync($"{tag}/reject", new { reason = "Wrong customer: the debit is FW-TAG-3's." });
        Assert.Multiple(() =>
        {
            Assert.That(rejected.Text("matchStatus"), Is.EqualTo("Unmatch"));
            Assert.That(rejected["recordNo"], Is.Null);
            Assert.That(rejected["taggedBy"], Is.Null);
        });

        await _checker2.PostObjectAsync(tag, new { recordNo = "FW-TAG-3" });
        await ApiAssert.ProblemAsync(await _checker1.PostAsJsonAsync($"/api/fiat/statements/entries/{id}/reclassify", new { direction = "Credit", reason = "x" }), HttpStatusCode.Conflict);
        var confirmed = await _checker1.PostObjectAsync($"{tag}/confirm", null);
        Assert.Multiple(async () =>
        {
            Assert.That(confirmed.Text("recordNo"), Is.EqualTo("FW-TAG-3"));
            Assert.That((await InstanceAsync(_factory, right)).Text("status"), Is.EqualTo("Completed"));
            Assert.That((await ResultAsync("FW-TAG-2")).Text("reconciliation"), Is.EqualTo("Unmatch"));
        });
        // A matched entry is no duplicate to delete, and its record takes no second tag.
        await ApiAssert.ProblemAsync(await _checker1.PostAsJsonAsync($"/api/fiat/statements/entries/{id}/delete", new { duplicateOf = id, reason = "x" }), HttpStatusCode.Conflict);
        await ImportLineAsync("E-TAG-4", -60m, null);
        var other = (await EntryAsync("E-TAG-4")).Text("id");
        await ApiAssert.ProblemAsync(await _checker1.PostAsJsonAsync($"/api/fiat/statements/entries/{other}/tag", new { recordNo = "FW-TAG-3" }), HttpStatusCode.Conflict);
    }

    [Test]
    public async Task The_records_route_lists_results_by_reconciliation_status()
    {
        await RecordAsync(_factory, "FW-LIST-1", 33m);
        await RecordAsync(_factory, "FW-LIST-2", 34m);
        await ImportLineAsync("E-LIST-1", -33m, "FW-LIST-1");

        var matched = (await _checker1.GetObjectAsync("/api/fiat/reconciliation/records?reconciliation=Matched&pageSize=500")).Items().Select(i => i.Text("recordNo")).ToList();
        var open = (await _checker1.GetObjectAsync("/api/fiat/reconciliation/records?reconciliation=Unmatch&pageSize=500")).Items().Select(i => i.Text("recordNo")).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(matched, Does.Contain("FW-LIST-1").And.Not.Contain("FW-LIST-2"));
            Assert.That(open, Does.Contain("FW-LIST-2").And.Not.Contain("FW-LIST-1"));
            await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("analyst1")).GetAsync("/api/fiat/reconciliation/records"), HttpStatusCode.Forbidden);
            await ApiAssert.ProblemAsync(await _checker1.GetAsync("/api/fiat/reconciliation/records?reconciliation=Perhaps"), HttpStatusCode.BadRequest, "reconciliation");
        });
    }
}
