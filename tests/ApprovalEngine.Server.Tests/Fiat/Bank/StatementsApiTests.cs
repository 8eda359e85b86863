// Expected-value arrays in assertions read better inline.
#pragma warning disable CA1861
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Fiat.Bank;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using static ApprovalEngine.Server.Tests.Fiat.Bank.FiatBankKit;

namespace ApprovalEngine.Server.Tests.Fiat.Bank;

/// <summary>
/// Issue 12, withdrawal bills over HTTP on PostgreSQL: camt.053 and CSV imports (every bad row named, nothing
/// half-imported, duplicates refused per row), refresh from the bank and the scheduled fetch, reclassification,
/// deleting a confirmed duplicate only while Unmatch, and who may do what.
/// </summary>
[NonParallelizable]
public sealed class StatementsApiTests
{
    private static readonly DateOnly Day = new(2026, 12, 1);
    private ApiFactory _factory = null!;
    private HttpClient _maker = null!;

    [OneTimeSetUp]
    public async Task StartAsync()
    {
        _factory = await ApiFactory.PostgresAsync();
        _maker = await _factory.AsUserAsync("maker1");
    }

    [OneTimeTearDown]
    public async Task StopAsync() => await _factory.DisposeAsync();

    private async Task<int> StoredAsync()
    {
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<FiatDbContext>>().CreateDbContextAsync();
        return await db.Set<FiatStatementEntry>().CountAsync();
    }

    [Test]
    public async Task A_camt053_statement_is_imported_with_amounts_directions_references_and_only_booked_entries()
    {
        var file = Camt053(
            new Line("CAMT-A1", Day, 1_000.50m, EndToEndId: "FW-CAMT-1", Counterparty: "012-345678", Info: "Withdrawal FW-CAMT-1"),
            new Line("CAMT-A2", Day, 20m, Direction: "CRDT"),
            new Line("CAMT-A3", Day, 5m, Status: "PDNG"));
        Assert.That(BankFilesTests.Validate(file, BankFilesTests.Schema("camt.053.001.08.xsd", "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08")), Is.Empty, "the test's own file is a real camt.053");

        var result = await ImportOkAsync(_maker, "camt.053", file);
        var entries = await EntriesAsync(_maker, $"&importId={result.Text("importId")}");
        var debit = entries.Single(e => e.Text("entryId") == "CAMT-A1")!;
        Assert.Multiple(() =>
        {
            Assert.That(result["imported"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That(result["skipped"]!.GetValue<int>(), Is.EqualTo(1), "the pending entry waits for its booked line");
            Assert.That(debit["amount"]!.GetValue<decimal>(), Is.EqualTo(1_000.50m));
            Assert.That(debit.Text("direction"), Is.EqualTo("Debit"));
            Assert.That(debit.Text("reference"), Is.EqualTo("FW-CAMT-1"));
            Assert.That(debit.Text("counterpartyAccount"), Is.EqualTo("012-345678"));
            Assert.That(debit.Text("description"), Is.EqualTo("Withdrawal FW-CAMT-1"));
            Assert.That(debit.Text("matchStatus"), Is.EqualTo("Unmatch"));
            Assert.That(debit.Text("createdBy"), Is.EqualTo("maker1"));
            Assert.That(entries.Single(e => e.Text("entryId") == "CAMT-A2")!.Text("direction"), Is.EqualTo("Credit"));
            Assert.That(entries.Single(e => e.Text("entryId") == "CAMT-A2")!["reference"], Is.Null, "NOTPROVIDED is no reference");
        });
    }

    [Test]
    public async Task A_camt053_file_with_bad_entries_names_each_row_and_field_and_imports_nothing()
    {
        var file = Camt053(new Line("CAMT-B1", Day, 10m), new Line("CAMT-B2", Day, 10.005m), new Line("CAMT-B3", Day, 10m, Direction: "BOTH"), new Line("CAMT-B4", Day, 10m, Currency: "XYZ"));
        var before = await StoredAsync();

        var problem = await ApiAssert.ProblemAsync(await ImportAsync(_maker, "camt.053", file), HttpStatusCode.UnprocessableEntity, "rows[2].amount");
        var errors = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(errors, Is.EquivalentTo(new[] { "rows[2].amount", "rows[3].cdtDbtInd", "rows[4].currency" }));
            Assert.That(await StoredAsync(), Is.EqualTo(before), "nothing imported, not even the good first row");
        });
        await ApiAssert.ProblemAsync(await ImportAsync(_maker, "camt.053", "<Document><not-closed></Document>"), HttpStatusCode.UnprocessableEntity, "content");
        await ApiAssert.ProblemAsync(await ImportAsync(_maker, "camt.053", "<?xml version=\"1.0\"?><!DOCTYPE d [<!ENTITY x \"y\">]><Document/>"), HttpStatusCode.UnprocessableEntity, "content");
        await ApiAssert.ProblemAsync(await ImportAsync(_maker, "camt.053", "<Document xmlns=\"urn:iso:std:iso:20022:tech:xsd:pain.001.001.09\"/>"), HttpStatusCode.UnprocessableEntity, "content");
    }

    [Test]
    public async Task The_csv_template_imports_signed_amounts_and_explicit_directions()
    {
        var result = await ImportOkAsync(_maker, "csv", Csv(
            "entry_id,booking_date,amount,currency,direction,reference,counterparty_account,description",
            "CSV-A1,2026-12-01,-250.00,HKD,,FW-CSV-1,012-1,\"Payout, FPS\"",
            "CSV-A2,2026-12-01,99.5,HKD,D,FW-CSV-2,,",
            "CSV-A3,2026-12-01,1000,HKD,,,,Deposit"));
        var entries = await EntriesAsync(_maker, $"&importId={result.Text("importId")}");
        Assert.Multiple(() =>
        {
            Assert.That(result["imported"]!.GetValue<int>(), Is.EqualTo(3));
            var signed = entries.Single(e => e.Text("entryId") == "CSV-A1")!;
            Assert.That(signed.Text("direction"), Is.EqualTo("Debit"), "a negative amount without a direction is a debit");
            Assert.That(signed["bankAmount"]!.GetValue<decimal>(), Is.EqualTo(-250m));
            Assert.That(signed["amount"]!.GetValue<decimal>(), Is.EqualTo(250m));
            Assert.That(signed.Text("description"), Is.EqualTo("Payout, FPS"));
            Assert.That(entries.Single(e => e.Text("entryId") == "CSV-A2")!.Text("direction"), Is.EqualTo("Debit"));
            Assert.That(entries.Single(e => e.Text("entryId") == "CSV-A3")!.Text("direction"), Is.EqualTo("Credit"));
        });
    }

    [Test]
    public async Task A_csv_file_with_bad_rows_names_each_row_and_field_and_imports_nothing()
    {
        var before = await StoredAsync();
        var problem = await ApiAssert.ProblemAsync(await ImportAsync(_maker, "csv", Csv(
            "entry_id,booking_date,amount,currency,direction",
            "CSV-B1,2026-12-01,10.00,HKD,D",
            "CSV-B2,01/12/2026,10.00,HKD,D",
            "CSV-B3,2026-12-01,ten,HKD,D",
            ",2026-12-01,10.00,HKD,D",
            "CSV-B5,2026-12-01,10.00,HKD,X",
            "CSV-B6,2026-12-01,100.5,JPY,D",
            "CSV-B7,2026-12-01,10.00")), HttpStatusCode.UnprocessableEntity);
        var errors = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.Multiple(async () =>
        {
            Assert.That(errors, Is.EquivalentTo(new[] { "rows[2].bookingDate", "rows[3].amount", "rows[4].entryId", "rows[5].direction", "rows[6].amount", "rows[7]" }));
            Assert.That(await StoredAsync(), Is.EqualTo(before));
        });
        await ApiAssert.ProblemAsync(await ImportAsync(_maker, "csv", Csv("id,date,amount", "1,2026-12-01,1")), HttpStatusCode.UnprocessableEntity, "header");
        await ApiAssert.ProblemAsync(await ImportAsync(_maker, "csv", Csv("entry_id,booking_date,amount,currency", "\"open,2026-12-01,1,HKD")), HttpStatusCode.UnprocessableEntity, "content");
        await ApiAssert.ProblemAsync(await ImportAsync(_maker, "mt940", "x"), HttpStatusCode.UnprocessableEntity, "format");
        await ApiAssert.ProblemAsync(await ImportAsync(_maker, "csv", "x", channel: "NO-SUCH"), HttpStatusCode.UnprocessableEntity, "channelId");
    }

    [Test]
    public async Task The_same_entry_again_is_refused_per_row_while_the_new_ones_are_imported()
    {
        await ImportOkAsync(_maker, "csv", Csv("entry_id,booking_date,amount,currency", "DUP-1,2026-12-01,-10,HKD", "DUP-2,2026-12-01,-20,HKD"));
        var again = await ImportOkAsync(_maker, "csv", Csv("entry_id,booking_date,amount,currency", "DUP-1,2026-12-01,-10,HKD", "DUP-3,2026-12-01,-30,HKD", "DUP-3,2026-12-01,-30,HKD"));

        var duplicates = again["duplicates"]!.AsArray();
        Assert.Multiple(async () =>
        {
            Assert.That(again["imported"]!.GetValue<int>(), Is.EqualTo(1));
            Assert.That(duplicates.Select(d => (d!["row"]!.GetValue<int>(), d.Text("entryId"))), Is.EqualTo(new[] { (1, "DUP-1"), (3, "DUP-3") }));
            Assert.That((await EntriesAsync(_maker, "&reference=DUP-3")).Count, Is.EqualTo(1));
            // The same entry id on another account is another line.
            Assert.That((await ImportOkAsync(_maker, "csv", Csv("entry_id,booking_date,amount,currency", "DUP-1,2026-12-01,-10,USD"), channel: "HSBC-002-WIRE"))["imported"]!.GetValue<int>(), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task A_debit_parsed_as_a_credit_is_reclassified_with_a_reason_and_journaled()
    {
        await ImportOkAsync(_maker, "csv", Csv("entry_id,booking_date,amount,currency", "RECL-1,2026-12-01,75,HKD"));
        var entry = (await EntriesAsync(_maker, "&reference=RECL-1")).Single()!;
        Assert.That(entry.Text("direction"), Is.EqualTo("Credit"));

        var id = entry.Text("id");
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync($"/api/fiat/statements/entries/{id}/reclassify", new { direction = "Debit" }), HttpStatusCode.UnprocessableEntity, "reason");
        var changed = await _maker.PostObjectAsync($"/api/fiat/statements/entries/{id}/reclassify", new { direction = "Debit", reason = "The bank printed a payout as a positive amount." });
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync($"/api/fiat/statements/entries/{id}/reclassify", new { direction = "Debit", reason = "again" }), HttpStatusCode.Conflict);
        var detail = await _maker.GetObjectAsync($"/api/fiat/statements/entries/{id}");
        var journal = detail["journal"]!.AsArray().Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(changed.Text("direction"), Is.EqualTo("Debit"));
            Assert.That(journal.Text("action"), Is.EqualTo("Reclassified"));
            Assert.That(journal.Text("actor"), Is.EqualTo("maker1"));
            Assert.That(journal["before"]!.Text("direction"), Is.EqualTo("Credit"));
            Assert.That(journal["after"]!.Text("direction"), Is.EqualTo("Debit"));
            Assert.That(journal.Text("comment"), Does.Contain("positive amount"));
        });
    }

    [Test]
    public async Task Only_a_confirmed_duplicate_that_is_still_unmatched_can_be_deleted()
    {
        await ImportOkAsync(_maker, "csv", Csv("entry_id,booking_date,amount,currency", "DEL-1,2026-12-01,-40,HKD", "DEL-1B,2026-12-01,-40,HKD", "DEL-2,2026-12-01,-41,HKD"));
        var entries = await EntriesAsync(_maker, "&from=2026-12-01&to=2026-12-01");
        string Id(string entryId) => entries.Single(e => e.Text("entryId") == entryId)!.Text("id");

        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync($"/api/fiat/statements/entries/{Id("DEL-2")}/delete", new { duplicateOf = Id("DEL-1"), reason = "looks the same" }),
            HttpStatusCode.UnprocessableEntity, "duplicateOf");
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync($"/api/fiat/statements/entries/{Id("DEL-1B")}/delete", new { duplicateOf = Id("DEL-1B"), reason = "self" }),
            HttpStatusCode.UnprocessableEntity, "duplicateOf");
        var deleted = await _maker.PostObjectAsync($"/api/fiat/statements/entries/{Id("DEL-1B")}/delete", new { duplicateOf = Id("DEL-1"), reason = "The bank sent the line twice." });
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync($"/api/fiat/statements/entries/{Id("DEL-1")}/delete", new { duplicateOf = Id("DEL-1B"), reason = "the other way" }),
            HttpStatusCode.UnprocessableEntity, "duplicateOf");

        Assert.Multiple(async () =>
        {
            Assert.That(deleted["deleted"]!.GetValue<bool>(), Is.True);
            Assert.That(deleted.Text("matchStatus"), Is.EqualTo("Unmatch"));
            Assert.That((await EntriesAsync(_maker, "&reference=DEL-1B")).Count, Is.Zero, "gone from the bills");
            Assert.That((await EntriesAsync(_maker, "&reference=DEL-1B&includeDeleted=true")).Count, Is.EqualTo(1), "kept for the audit");
        });
    }

    [Test]
    public async Task Refresh_fetches_a_period_from_the_bank_once()
    {
        var bank = _factory.Services.GetRequiredService<DatabaseBankSandbox>();
        var payout = await bank.PayAsync(new PayoutRequest(Hkd, "012-999", 321m, "HKD", "FW-REFRESH-1", "refresh-1"), default);
        var day = DateOnly.FromDateTime(payout.SubmittedAt.UtcDateTime);
        await bank.AddEntryAsync(Hkd, new BankStatementEntry("FEE-REFRESH", day, -5m, "HKD", true, null, null, "Fee"), default);

        var first = await _maker.PostObjectAsync("/api/fiat/statements/refresh", new { channelId = Hkd, from = day, to = day });
        var second = await _maker.PostObjectAsync("/api/fiat/statements/refresh", new { channelId = Hkd, from = day, to = day });
        var fetched = await EntriesAsync(_maker, $"&reference={payout.BankReference}");
        Assert.Multiple(() =>
        {
            Assert.That(first["added"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(2));
            Assert.That(second["added"]!.GetValue<int>(), Is.Zero, "a refresh again adds nothing");
            Assert.That(second["duplicates"]!.GetValue<int>(), Is.EqualTo(first["fetched"]!.GetValue<int>()));
            Assert.That(fetched.Single()!.Text("source"), Is.EqualTo("api"));
            Assert.That(fetched.Single()!.Text("reference"), Is.EqualTo("FW-REFRESH-1"));
            Assert.That(fetched.Single()!["amount"]!.GetValue<decimal>(), Is.EqualTo(321m));
        });
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync("/api/fiat/statements/refresh", new { channelId = Hkd, from = day, to = day.AddDays(40) }), HttpStatusCode.UnprocessableEntity, "to");
        await ApiAssert.ProblemAsync(await _maker.PostAsJsonAsync("/api/fiat/statements/refresh", new { channelId = Hkd, from = day }), HttpStatusCode.UnprocessableEntity, "to");
    }

    [Test]
    public async Task Bills_are_read_by_Operations_and_changed_by_its_people_only()
    {
        await ImportOkAsync(_maker, "csv", Csv("entry_id,booking_date,amount,currency", "ACL-1,2026-12-01,-1,HKD"));
        var id = (await EntriesAsync(_maker, "&reference=ACL-1")).Single()!.Text("id");
        var analyst = await _factory.AsUserAsync("analyst1");
        var cs = await _factory.AsUserAsync("cs1");
        var system = _factory.AsSystem();
        var supervisor = await _factory.AsUserAsync("supervisor1");

        await ApiAssert.ProblemAsync(await analyst.GetAsync("/api/fiat/statements/entries"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await cs.GetAsync("/api/fiat/statements/entries"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await ImportAsync(cs, "csv", Csv("entry_id,booking_date,amount,currency", "ACL-2,2026-12-01,-1,HKD")), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await ImportAsync(system, "csv", Csv("entry_id,booking_date,amount,currency", "ACL-3,2026-12-01,-1,HKD")), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await system.PostAsJsonAsync($"/api/fiat/statements/entries/{id}/reclassify", new { direction = "Credit", reason = "x" }), HttpStatusCode.Forbidden);
        Assert.Multiple(async () =>
        {
            Assert.That((await system.GetAsync("/api/fiat/statements/entries")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "a system that reads fiat-withdrawal (read:*) reads its bills");
            Assert.That((await supervisor.GetAsync("/api/fiat/statements/entries")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
            Assert.That((await (await _factory.AsUserAsync("checker1")).GetAsync($"/api/fiat/statements/entries/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
        await ApiAssert.ProblemAsync(await _maker.GetAsync("/api/fiat/statements/entries/not-a-guid"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_scheduled_fetch_stores_new_bank_lines_without_anyone_asking()
    {
        await using var polled = await ApiFactory.PostgresAsync(new() { ["Fiat:StatementPoll:IntervalSeconds"] = "1" });
        var bank = polled.Services.GetRequiredService<DatabaseBankSandbox>();
        var payout = await bank.PayAsync(new PayoutRequest(Hkd, "012-777", 77m, "HKD", "FW-POLL-1", "poll-1"), default);
        var reader = await polled.AsUserAsync("checker1");

        Assert.That(await Poll.UntilAsync(async () => (await EntriesAsync(reader, $"&reference={payout.BankReference}")).Count == 1, TimeSpan.FromSeconds(30)), Is.True,
            "the poller fetched the payout's debit");
        var entry = (await EntriesAsync(reader, $"&reference={payout.BankReference}")).Single()!;
        Assert.Multiple(() =>
        {
            Assert.That(entry.Text("source"), Is.EqualTo("api"));
            Assert.That(entry.Text("createdBy"), Is.EqualTo(FiatBankNames.ReconciliationActor));
        });
    }
}
