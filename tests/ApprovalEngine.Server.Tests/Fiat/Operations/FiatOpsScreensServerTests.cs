using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Fiat.Operations;

/// <summary>
/// What the operations screens need of the server, over HTTP on PostgreSQL: the paid time of a record (shown, filtered,
/// exported), indicator cards summed per currency, and packing that checks every record, not only the batch.
/// </summary>
public sealed class FiatOpsScreensServerTests
{
    private const string Usd = FiatOps.Usd;
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await ApiFactory.PostgresAsync(FiatOps.Settings());
        // USD is packed by hand here, so that no packing schedule takes the test's records.
        using var admin = await _factory.AsUserAsync("supervisor1");
        var rule = await UsdRuleAsync(admin);
        rule["policy"] = WithdrawalPolicies.ManualPacking;
        rule["packingCron"] = null;
        await admin.PutObjectAsync($"/api/fiat/config/withdrawal-rules/{rule.Text("id")}", rule);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private static async Task<JsonObject> UsdRuleAsync(HttpClient admin) =>
        (await admin.GetArrayAsync("/api/fiat/config/withdrawal-rules")).Single(r => r.Text("channelId") == Usd)!.AsObject();

    private static DateTimeOffset Instant(JsonNode? node, string property) => DateTimeOffset.Parse(node.Text(property), CultureInfo.InvariantCulture);

    private static string Q(DateTimeOffset at) => Uri.EscapeDataString(at.ToString("O", CultureInfo.InvariantCulture));

    [Test]
    public async Task A_record_gets_its_paid_time_when_the_bank_confirms_the_payout_and_can_be_filtered_and_exported_by_it()
    {
        _factory.KnownCustomer("C-paid", known: true);
        var system = _factory.AsSystem();
        var checker = await _factory.AsUserAsync("checker1");
        var paid = (await system.ApplyAsync("C-paid", 300m)).Text("id");
        var unpaid = (await system.ApplyAsync("C-paid", 400m)).Text("id");
        foreach (var id in new[] { paid, unpaid })
        {
            await checker.WaitForStatusAsync(id, "Withdrawal Directly Pending");
            await checker.CompleteOkAsync(await _factory.WorkOrderTaskAsync(id), "Approve");
            var paying = await checker.WaitForStatusAsync(id, "Paying");
            Assert.That(paying["paidAt"], Is.Null, "at the bank is not yet paid");
        }
        var recordNo = (await checker.RecordAsync(paid)).Text("recordNo");
        await _factory.BankResultAsync(recordNo, success: true);
        var record = await checker.WaitForStatusAsync(paid, "Unmatch");
        var paidAt = Instant(record, "paidAt");
        Assert.That(paidAt, Is.EqualTo(Instant(record, "updatedAt")));
        Assert.That((await checker.RecordAsync(unpaid))["paidAt"], Is.Null);

        var listed = await checker.GetObjectAsync($"/api/fiat/withdrawals?customerId=C-paid&paidFrom={Q(paidAt.AddSeconds(-1))}&paidTo={Q(paidAt.AddSeconds(1))}");
        Assert.That(listed.Items().Select(i => i!.Text("recordNo")), Is.EqualTo(new[] { recordNo }), "the unpaid record has no paid time to fall in the range");
        listed = await checker.GetObjectAsync($"/api/fiat/withdrawals?customerId=C-paid&paidFrom={Q(paidAt.AddSeconds(1))}");
        Assert.That(listed["total"]!.GetValue<int>(), Is.Zero);
        await ApiAssert.ProblemAsync(await checker.GetAsync($"/api/fiat/withdrawals?paidFrom={Q(paidAt)}&paidTo={Q(paidAt.AddDays(-1))}"), HttpStatusCode.BadRequest, "paidFrom");
        await ApiAssert.ProblemAsync(await checker.GetAsync("/api/fiat/withdrawals?paidFrom=yesterday"), HttpStatusCode.BadRequest);

        var csv = (await (await checker.GetAsync($"/api/fiat/withdrawals/export.csv?customerId=C-paid&paidFrom={Q(paidAt.AddSeconds(-1))}")).Content.ReadAsStringAsync())
            .Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(csv[0].Split(',')[^1], Is.EqualTo("paidAt"));
        Assert.That(csv, Has.Length.EqualTo(2));
        Assert.That(DateTimeOffset.Parse(csv[1].Split(',')[^1], CultureInfo.InvariantCulture), Is.EqualTo(paidAt));
        // A reader system sees it too; a person outside the read policy does not.
        Assert.That((await _factory.WithKey(FiatOps.ReaderKey).RecordAsync(paid)).Text("paidAt"), Is.Not.Empty);
        await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("cs1")).GetAsync($"/api/fiat/withdrawals?paidFrom={Q(paidAt)}"), HttpStatusCode.Forbidden);

        // A database of the previous release has no paid_at: V015 back-fills it from the journal's status change.
        var migration = FiatMigrations.Scripts().Single(m => m.Version == 15).Sql;
        var backfill = migration[migration.IndexOf("UPDATE fiat_withdrawals", StringComparison.Ordinal)..];
        await _factory.QueryAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("UPDATE fiat_withdrawals SET paid_at = NULL WHERE customer_id = 'C-paid'");
#pragma warning disable EF1002 // the migration's own script
            return await db.Database.ExecuteSqlRawAsync(backfill);
#pragma warning restore EF1002
        });
        Assert.That(Instant(await checker.RecordAsync(paid), "paidAt"), Is.EqualTo(paidAt).Within(TimeSpan.FromSeconds(1)));
        Assert.That((await checker.RecordAsync(unpaid))["paidAt"], Is.Null, "never paid: nothing to back-fill");
    }

    [Test]
    public async Task Indicator_cards_sum_each_currency_on_its_own()
    {
        using (var scope = _factory.Services.CreateScope())
        {
            var fiat = scope.ServiceProvider.GetRequiredService<FiatDbContext>();
            var now = _factory.Services.GetRequiredService<TimeProvider>().GetUtcNow();
            foreach (var (no, currency, amount) in new[] { ("CARD-1", "HKD", 100.10m), ("CARD-2", "HKD", 0.20m), ("CARD-3", "USD", 7m) })
            {
                fiat.Add(new FiatWithdrawalRecord
                {
                    Id = Guid.NewGuid(), RecordNo = no, CustomerId = "C-cards-ccy", Currency = currency, Amount = amount, BeneficiaryAccount = "X",
                    ChannelId = "CARDS-CHANNEL", Status = "Withdrawal Pending", BusinessDay = DateOnly.FromDateTime(now.UtcDateTime), CreatedAt = now, UpdatedAt = now,
                });
            }
            await fiat.SaveChangesAsync();
        }
        var cards = await (await _factory.AsUserAsync("checker1")).GetArrayAsync("/api/fiat/withdrawals/cards?channel=CARDS-CHANNEL");
        var pending = cards.Single(c => c.Text("status") == "Withdrawal Pending")!;
        Assert.That(pending["count"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(pending["sums"]!.AsArray().Select(s => (s.Text("currency"), s!["amount"]!.GetValue<decimal>(), s["count"]!.GetValue<int>())),
            Is.EqualTo(new[] { ("HKD", 100.30m, 2), ("USD", 7m, 1) }));
        Assert.That(cards.Single(c => c.Text("status") == "Paying")!["sums"]!.AsArray(), Is.Empty);
        var hkd = await (await _factory.AsUserAsync("checker1")).GetArrayAsync("/api/fiat/withdrawals/cards?channel=CARDS-CHANNEL&currency=USD");
        Assert.That(hkd.Single(c => c.Text("status") == "Withdrawal Pending")!["sums"]!.AsArray().Single().Text("currency"), Is.EqualTo("USD"));
    }

    [Test]
    public async Task Packing_checks_every_record_and_a_refusal_names_each_record_and_writes_nothing()
    {
        _factory.KnownCustomer("C-packcheck", known: true);
        var system = _factory.AsSystem();
        var ids = new List<string>();
        foreach (var amount in new[] { 1_000m, 2_000m, 3_000m }) ids.Add((await system.ApplyAsync("C-packcheck", amount, "USD")).Text("id"));
        foreach (var id in ids) await system.WaitForStatusAsync(id, "Withdrawal Pending");
        var maker = await _factory.AsUserAsync("maker1");
        using var admin = await _factory.AsUserAsync("supervisor1");
        var batchesBefore = (await maker.GetObjectAsync("/api/fiat/batches"))["total"]!.GetValue<int>();

        async Task<JsonObject> RefusedAsync(object records, params string[] fields)
        {
            var problem = await ApiAssert.ProblemAsync(await maker.PostAsJsonAsync("/api/fiat/batches", new { records }), HttpStatusCode.UnprocessableEntity);
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.EquivalentTo(fields.Append("records")), problem.ToJsonString());
            return problem;
        }

        // Widening a rule waits for a second configurer (ADR 15): supervisor2 approves what supervisor1 proposes.
        using var admin2 = await _factory.AsUserAsync("supervisor2");
        async Task<JsonObject> EditRuleAsync(JsonObject body)
        {
            var url = $"/api/fiat/config/withdrawal-rules/{body.Text("id")}";
            var response = await admin.PutAsJsonAsync(url, body);
            if (response.StatusCode != HttpStatusCode.Accepted) return await response.ReadObjectAsync();
            await admin2.PostObjectAsync($"/api/fiat/config/pending-changes/{(await response.ReadObjectAsync()).Text("id")}/approve", new { });
            return await admin.GetObjectAsync(url);
        }

        // The single limit was lowered after the records were approved: the 2,000 and 3,000 ones no longer fit.
        var rule = await UsdRuleAsync(admin);
        var original = rule.DeepClone().AsObject();
        rule["singleLimit"] = 1_500m;
        rule = await EditRuleAsync(rule);
        var problem = await RefusedAsync(ids, "records[1]", "records[2]");
        Assert.That(problem["errors"]!["records[1]"]![0]!.GetValue<string>(), Does.Contain("single-withdrawal limit of 1500"));

        // The channel stopped paying to the client's bank (the records name none, so a bank list excludes them all).
        rule["singleLimit"] = original["singleLimit"]!.DeepClone();
        rule["supportedBanks"] = new JsonArray("Bank of Nowhere");
        rule = await EditRuleAsync(rule);
        problem = await RefusedAsync(ids.Take(2), "records[0]", "records[1]");
        Assert.That(problem["errors"]!["records[0]"]![0]!.GetValue<string>(), Does.Contain("client's bank"));
        rule["supportedBanks"] = new JsonArray();
        await EditRuleAsync(rule);

        // Withdrawals in USD were switched off.
        var usd = (await admin.GetArrayAsync("/api/fiat/config/currencies")).Single(c => c.Text("code") == "USD")!.AsObject();
        usd["withdrawalEnabled"] = false;
        usd = await admin.PutObjectAsync("/api/fiat/config/currencies/USD", usd);
        problem = await RefusedAsync(new[] { ids[0] }, "records[0]");
        Assert.That(problem["errors"]!["records[0]"]![0]!.GetValue<string>(), Does.Contain("switched off"));
        usd["withdrawalEnabled"] = true;
        await admin.PutObjectAsync("/api/fiat/config/currencies/USD", usd);

        // Unknown and repeated records are named too.
        await RefusedAsync(new[] { ids[0], "FW-NOPE" }, "records[1]");
        await RefusedAsync(new[] { ids[0], (await maker.RecordAsync(ids[0])).Text("recordNo") }, "records[1]");
        Assert.That((await maker.GetObjectAsync("/api/fiat/batches"))["total"]!.GetValue<int>(), Is.EqualTo(batchesBefore), "refused packs made no batch");
        foreach (var id in ids) Assert.That((await maker.RecordAsync(id)).Text("status"), Is.EqualTo("Withdrawal Pending"));

        // Now it packs; a record already in that batch is named when packed again, alongside one that still can go.
        var batch = await maker.PostObjectAsync("/api/fiat/batches", new { records = ids.Take(2) });
        Assert.That(batch["count"]!.GetValue<int>(), Is.EqualTo(2));
        problem = await RefusedAsync(new[] { ids[2], ids[0] }, "records[1]");
        Assert.That(problem["errors"]!["records[1]"]![0]!.GetValue<string>(), Does.Contain("Batch Pending"));
        Assert.That((await maker.RecordAsync(ids[2])).Text("status"), Is.EqualTo("Withdrawal Pending"));
        // The batch's detail shows its work order, open for a checker.
        JsonObject detail = null!;
        await ApiAssert.EventuallyAsync(async () => (detail = await maker.GetObjectAsync($"/api/fiat/batches/{batch.Text("id")}"))["workOrder"] is not null, TimeSpan.FromSeconds(30));
        Assert.That((detail["workOrder"]!.Text("status"), detail["workOrder"]!.Text("businessStatus")), Is.EqualTo(("Open", "Pending Approval")), detail.ToJsonString());
        // Side doors: a system and a reader key may not pack.
        await ApiAssert.ProblemAsync(await system.PostAsJsonAsync("/api/fiat/batches", new { records = new[] { ids[2] } }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _factory.WithKey(FiatOps.ReaderKey).PostAsJsonAsync("/api/fiat/batches", new { records = new[] { ids[2] } }), HttpStatusCode.Forbidden);
    }
}

/// <summary>The embedded default (SQLite has no migrations): a file written before paid_at gets the column at start-up.</summary>
public sealed class FiatPaidAtSqliteTests
{
    [Test]
    public async Task A_SQLite_file_without_the_paid_column_gets_it_and_the_records_list_works()
    {
        await using var factory = ApiFactory.Sqlite(FiatOps.Settings());
        factory.KnownCustomer("C-sqlite-paid", known: true);
        var system = factory.AsSystem();
        var id = (await system.ApplyAsync("C-sqlite-paid", 100m, "USD")).Text("id");
        await system.WaitForStatusAsync(id, "Withdrawal Pending");
        // The previous release's file: the same table without paid_at.
        await factory.QueryAsync(async db =>
        {
            await db.Database.ExecuteSqlRawAsync("DROP INDEX ix_fiat_withdrawals_paid_at");
            return await db.Database.ExecuteSqlRawAsync("ALTER TABLE fiat_withdrawals DROP COLUMN paid_at");
        });
        Task<List<string>> ColumnsAsync() => factory.QueryAsync(db => db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM pragma_table_info('fiat_withdrawals')").ToListAsync());
        Assert.That(await ColumnsAsync(), Does.Not.Contain("paid_at"));

        await FiatSetup.MigrateSqliteAsync(factory.Services);
        Assert.That(await ColumnsAsync(), Does.Contain("paid_at"));
        var maker = await factory.AsUserAsync("maker1");
        var listed = await maker.GetObjectAsync($"/api/fiat/withdrawals?customerId=C-sqlite-paid&paidFrom={Uri.EscapeDataString("2000-01-01T00:00:00Z")}");
        Assert.That(listed["total"]!.GetValue<int>(), Is.Zero, "an unpaid record has no paid time");
        Assert.That((await maker.RecordAsync(id))["paidAt"], Is.Null);
        await FiatSetup.MigrateSqliteAsync(factory.Services); // a second start-up adds nothing twice
    }
}
