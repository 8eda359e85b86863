using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Fiat.Operations;

/// <summary>Batches over HTTP on PostgreSQL: pack for arrangement, one work order and one bank file per batch, manual results, rejection, races, packing schedule.</summary>
public sealed class FiatBatchTests
{
    private const string Manual = "HSBC-002-WIRE";
    private const string Auto = "BNP-004-SEPA";
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await ApiFactory.PostgresAsync(FiatOps.Settings());
        // USD: operators pack by hand and enter each transfer's result; EUR: packed every second and paid without a
        // work order. Configured as an operator would, through the configuration routes.
        using var admin = await _factory.AsUserAsync("supervisor1");
        var channel = await admin.GetObjectAsync($"/api/fiat/config/channels/{Manual}");
        channel["automaticStatus"] = false;
        await admin.PutObjectAsync($"/api/fiat/config/channels/{Manual}", channel);
        var rule = (await admin.GetArrayAsync("/api/fiat/config/withdrawal-rules")).Single(r => r.Text("channelId") == Manual)!.AsObject();
        rule["policy"] = WithdrawalPolicies.ManualPacking;
        rule["packingCron"] = null;
        await admin.PutObjectAsync($"/api/fiat/config/withdrawal-rules/{rule.Text("id")}", rule);
        await admin.PostObjectAsync("/api/fiat/config/bank-accounts", new { id = "BNP-004", bankName = "BNP 004", bic = "BNPAFRPP", accountNo = "FR7630004000031234567890143", accountName = "Broker EUR", currency = "EUR", apiIntegrated = false });
        await admin.PostObjectAsync("/api/fiat/config/channels", new { id = Auto, bankAccountId = "BNP-004", method = "SEPA", currency = "EUR", isCheque = false, automaticStatus = true, enabled = true });
        await admin.PostObjectAsync("/api/fiat/config/currencies", new { code = "EUR", withdrawalEnabled = true });
        await admin.PostObjectAsync("/api/fiat/config/withdrawal-rules", new { channelId = Auto, policy = WithdrawalPolicies.BatchAuto, packingCron = "* * * * * ?", singleLimit = 200_000m, customerDailyLimit = 500_000m, priority = 100, enabled = true });
    }

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private async Task<List<string>> PendingUsdAsync(string customer, int count, decimal amount = 1_000m)
    {
        _factory.KnownCustomer(customer, known: true);
        var system = _factory.AsSystem();
        var ids = new List<string>();
        for (var i = 0; i < count; i++) ids.Add((await system.ApplyAsync(customer, amount + i, "USD")).Text("id"));
        foreach (var id in ids) await system.WaitForStatusAsync(id, "Withdrawal Pending");
        return ids;
    }

    private Task<Guid> BatchWorkOrderAsync(string batchInstanceId) => _factory.WorkOrderTaskAsync(batchInstanceId);

    private async Task<JsonObject> WaitForBatchAsync(HttpClient client, string batchId, Func<JsonObject, bool> done)
    {
        JsonObject? last = null;
        var ok = await ApiAssert.EventuallyAsync(async () => done(last = await client.GetObjectAsync($"/api/fiat/batches/{batchId}")), TimeSpan.FromSeconds(30));
        Assert.That(ok, Is.True, last?.ToJsonString());
        return last!;
    }

    [Test]
    public async Task A_packed_batch_has_one_work_order_for_its_total_is_paid_as_one_file_and_takes_results_by_hand()
    {
        var ids = await PendingUsdAsync("C-batch-1", 3);
        var maker = await _factory.AsUserAsync("maker1");
        // The dialog removed the third record before submitting.
        var response = await maker.PostAsJsonAsync("/api/fiat/batches", new { records = ids.Take(2) });
        var batch = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), batch.ToJsonString());
        var batchId = batch.Text("id");
        Assert.That((batch["count"]!.GetValue<int>(), batch["total"]!.GetValue<decimal>(), batch.Text("status")), Is.EqualTo((2, 2_001m, "Batch Pending")));
        foreach (var id in ids.Take(2)) Assert.That((await maker.RecordAsync(id)).Text("batchId"), Is.EqualTo(batchId));
        Assert.That((await maker.RecordAsync(ids[2])).Text("status"), Is.EqualTo("Withdrawal Pending"));

        // Side doors: the packing interrupt from outside, a record already packed, the batch flow started generically.
        var before = await _factory.SnapshotAsync();
        await ApiAssert.ProblemAsync(await _factory.AsSystem().PostAsJsonAsync("/api/events/FiatPacked", new { correlationId = (await maker.RecordAsync(ids[2])).Text("recordNo"), payload = new { batchId = "FB-forged" } }),
            HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _factory.AsSystem().PostAsJsonAsync("/api/fiat/batches", new { records = new[] { ids[2] } }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await maker.PostAsJsonAsync("/api/fiat/batches", new { records = new[] { ids[0], ids[2] } }), HttpStatusCode.UnprocessableEntity, "records");
        await ApiAssert.ProblemAsync(await _factory.AsTestSystem().PostAsJsonAsync("/api/definitions/fiat-batch/instances", new
        {
            correlationId = "FB-generic", input = new { batchId = "FB-generic", channel = Manual, currency = "USD", total = 1m, count = 1m },
        }), HttpStatusCode.Forbidden);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "refused packs wrote nothing");

        var workOrder = await BatchWorkOrderAsync(batch.Text("instanceId"));
        var task = await maker.GetObjectAsync($"/api/tasks/{workOrder}");
        Assert.That(task["task"]!.Text("businessStatus"), Is.EqualTo("Pending Approval"));
        await ApiAssert.ProblemAsync(await maker.PostAsJsonAsync($"/api/tasks/{workOrder}/complete", new { action = "Approve" }), HttpStatusCode.Forbidden);
        var checker = await _factory.AsUserAsync("checker1");
        await checker.CompleteOkAsync(workOrder, "Approve");

        batch = await WaitForBatchAsync(checker, batchId, b => b["dispatched"]!.GetValue<bool>());
        Assert.That(batch.Text("status"), Is.EqualTo("Paying"));
        Assert.That(batch.Text("bankReference"), Does.StartWith("FILE-"), "the bank's number for the file");
        foreach (var id in ids.Take(2)) await checker.WaitForStatusAsync(id, "Paying");
        var file = await checker.GetAsync($"/api/fiat/batches/{batchId}/file");
        var csv = await file.Content.ReadAsStringAsync();
        Assert.That(file.StatusCode, Is.EqualTo(HttpStatusCode.OK), csv);
        var numbers = batch["items"]!.AsArray().Select(i => i!.Text("recordNo")).ToList();
        Assert.That(csv.Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(3));
        Assert.That(numbers, Has.All.Matches<string>(n => csv.Contains(n!, StringComparison.Ordinal)));

        // View and update results: one paid, one failed (a reason is required), entered once.
        await ApiAssert.ProblemAsync(await checker.PostAsJsonAsync($"/api/fiat/batches/{batchId}/results", new { results = new[] { new { record = numbers[1], success = false } } }),
            HttpStatusCode.UnprocessableEntity, "results[0].reason");
        var results = await checker.BulkAsync($"/api/fiat/batches/{batchId}/results", new
        {
            results = new object[] { new { record = numbers[0], success = true }, new { record = numbers[1], success = false, reason = "beneficiary account closed" } },
        });
        Assert.That(results.Select(r => (bool)r!["ok"]!), Is.All.True, results.ToJsonString());
        await checker.WaitForStatusAsync(numbers[0], "Unmatch");
        await checker.WaitForStatusAsync(numbers[1], "Withdrawal Exception");
        var again = await checker.BulkAsync($"/api/fiat/batches/{batchId}/results", new { results = new[] { new { record = numbers[0], success = true } } });
        Assert.That((int)again[0]!["status"]!, Is.EqualTo(409));
    }

    [Test]
    public async Task A_rejected_batch_work_order_sends_its_records_back_to_Withdrawal_Pending()
    {
        var ids = await PendingUsdAsync("C-batch-rej", 2);
        var maker = await _factory.AsUserAsync("maker1");
        var batch = await maker.PostObjectAsync("/api/fiat/batches", new { records = ids });
        var workOrder = await BatchWorkOrderAsync(batch.Text("instanceId"));
        await (await _factory.AsUserAsync("checker2")).CompleteOkAsync(workOrder, "Reject", "wrong paying account");
        foreach (var id in ids)
        {
            var record = await maker.WaitForStatusAsync(id, "Withdrawal Pending");
            Assert.That(record["batchId"], Is.Null);
        }
        var done = await WaitForBatchAsync(maker, batch.Text("id"), b => b["dispatched"]!.GetValue<bool>());
        Assert.That((done.Text("status"), done["items"]!.AsArray().All(i => !i!["open"]!.GetValue<bool>())), Is.EqualTo(("Rejected", true)));
        // Free again: they can be packed into a new batch.
        var repacked = await maker.PostObjectAsync("/api/fiat/batches", new { records = ids });
        Assert.That(repacked["count"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task Concurrent_packs_never_put_a_record_in_two_open_batches()
    {
        var ids = await PendingUsdAsync("C-batch-race", 6, amount: 500m);
        var makers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => _factory.AsUserAsync("maker1")));
        // Overlapping selections, all at once.
        var responses = await Task.WhenAll(makers.Select((m, i) => m.PostAsJsonAsync("/api/fiat/batches", new { records = ids.Skip(i % 3).Take(4) })));
        Assert.That(responses.Select(r => (int)r.StatusCode), Has.All.AnyOf(201, 409, 422));
        var guids = ids.Select(Guid.Parse).ToList();
        var open = await _factory.QueryAsync(async _ =>
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var fiat = scope.ServiceProvider.GetRequiredService<FiatDbContext>();
            return await fiat.Set<FiatBatchItem>().AsNoTracking().Where(i => guids.Contains(i.RecordId) && i.IsOpen).ToListAsync();
        });
        Assert.That(open.GroupBy(i => i.RecordId).Select(g => g.Count()), Has.All.EqualTo(1), "one open batch per record");
        var maker = makers[0];
        foreach (var item in open) Assert.That((await maker.RecordAsync(item.RecordId.ToString())).Text("batchId"), Is.EqualTo(item.BatchId));
        var packed = open.Count;
        var pending = 0;
        foreach (var id in ids) pending += (await maker.RecordAsync(id)).Text("status") == "Withdrawal Pending" ? 1 : 0;
        Assert.That(packed + pending, Is.EqualTo(6));
        Assert.That(packed, Is.GreaterThanOrEqualTo(4));

        // The rule is the database's own: a second open item for a packed record is refused by PostgreSQL itself.
        var taken = open[0];
        await Assert.ThrowsAsync<DbUpdateException>(async () =>
        {
            await using var scope = _factory.Services.CreateAsyncScope();
            var fiat = scope.ServiceProvider.GetRequiredService<FiatDbContext>();
            fiat.Add(new FiatBatchItem { BatchId = "FB-other", RecordId = taken.RecordId, RecordNo = taken.RecordNo, Amount = taken.Amount });
            await fiat.SaveChangesAsync();
        });
    }

    [Test]
    public async Task A_batch_auto_channel_is_packed_on_its_schedule_and_paid_without_a_work_order()
    {
        _factory.KnownCustomer("C-batch-auto", known: true);
        var system = _factory.AsSystem();
        var id = (await system.ApplyAsync("C-batch-auto", 700m, "EUR")).Text("id");
        var record = await system.WaitForStatusAsync(id, "Paying");
        Assert.That((record.Text("channel"), record.Text("batchId")), Is.EqualTo((Auto, record.Text("batchId"))));
        var batch = await system.GetObjectAsync($"/api/fiat/batches/{record.Text("batchId")}");
        Assert.That((batch.Text("policy"), batch.Text("createdBy"), batch.Text("status")), Is.EqualTo((WithdrawalPolicies.BatchAuto, "fiat-packing", "Paying")));
        var children = await _factory.QueryAsync(db => db.Instances.CountAsync(i => i.ParentInstanceId == Guid.Parse(batch.Text("instanceId"))));
        Assert.That(children, Is.Zero, "Batch Auto needs no work order");
    }

    [Test]
    public async Task A_pack_that_stopped_before_starting_its_batch_is_started_later_as_its_packer()
    {
        var ids = await PendingUsdAsync("C-batch-stuck", 2, amount: 300m);
        // What a pack leaves when its process stops after moving the records: the batch row and open items, no flow.
        var batchId = "FB-stuck-" + Guid.NewGuid().ToString("N")[..8];
        await using (var scope = _factory.Services.CreateAsyncScope())
        {
            var fiat = scope.ServiceProvider.GetRequiredService<FiatDbContext>();
            var interrupts = scope.ServiceProvider.GetRequiredService<FiatInterrupts>();
            foreach (var id in ids)
            {
                var record = await _factory.AsSystem().RecordAsync(id);
                fiat.Add(new FiatBatchItem { BatchId = batchId, RecordId = Guid.Parse(id), RecordNo = record.Text("recordNo"), Amount = 300m });
                await fiat.SaveChangesAsync();
                await interrupts.FireAsync(Guid.Parse(id), "FiatPacked", new Dictionary<string, object?> { ["batchId"] = batchId }, ApprovalEngine.Workflows.Runtime.Actor.System("test"), CancellationToken.None);
            }
            // Written last here, so that the poller does not see the batch before its records (a real pack writes it first and takes far less than the grace period).
            var old = DateTimeOffset.UtcNow.AddMinutes(-10);
            fiat.Add(new FiatBatch { Id = batchId, ChannelId = Manual, Currency = "USD", Policy = WithdrawalPolicies.ManualPacking, CreatedBy = "maker1", CreatedAt = old, UpdatedAt = old });
            await fiat.SaveChangesAsync();
        }
        var maker = await _factory.AsUserAsync("maker1");
        var batch = await WaitForBatchAsync(maker, batchId, b => b["instanceId"] is not null);
        Assert.That((batch["count"]!.GetValue<int>(), batch["total"]!.GetValue<decimal>()), Is.EqualTo((2, 600m)));
        var workOrder = await BatchWorkOrderAsync(batch.Text("instanceId"));
        await ApiAssert.ProblemAsync(await maker.PostAsJsonAsync($"/api/tasks/{workOrder}/complete", new { action = "Approve" }), HttpStatusCode.Forbidden);
        await (await _factory.AsUserAsync("checker1")).CompleteOkAsync(workOrder, "Approve");
        foreach (var id in ids) await maker.WaitForStatusAsync(id, "Paying");
    }

    [Test]
    public async Task A_batch_work_order_excludes_its_packer_and_every_maker_of_its_records_on_every_route()
    {
        // Record A is a first withdrawal: checker1 submits it (a maker of A). Record B is a known customer's.
        var system = _factory.AsSystem();
        var a = (await system.ApplyAsync("C-batch-makers-new", 700m, "USD")).Text("id");
        var checker1 = await _factory.AsUserAsync("checker1");
        var checker2 = await _factory.AsUserAsync("checker2");
        var maker = await _factory.AsUserAsync("maker1");
        await checker1.WaitForStatusAsync(a, "Pending Submission");
        var submitted = await checker1.BulkAsync("/api/fiat/withdrawals/submit", new { records = new[] { a } });
        Assert.That((bool)submitted[0]!["ok"]!, Is.True, submitted.ToJsonString());
        // A review work order, when the rules ask for one, is decided by someone else.
        var reached = await ApiAssert.EventuallyAsync(async () =>
        {
            var status = (await checker1.RecordAsync(a)).Text("status");
            if (status == "Withdrawal Pending") return true;
            var open = await _factory.QueryAsync(db => db.Tasks.AsNoTracking().Where(t => t.Status == "Open" && db.Instances.Any(i => i.Id == t.InstanceId && i.ParentInstanceId == Guid.Parse(a))).Select(t => (Guid?)t.Id).FirstOrDefaultAsync());
            if (open is { } task) await checker2.CompleteOkAsync(task, "Approve");
            return false;
        }, TimeSpan.FromSeconds(30));
        Assert.That(reached, Is.True);
        var b = (await PendingUsdAsync("C-batch-makers-known", 1))[0];

        var batch = await maker.PostObjectAsync("/api/fiat/batches", new { records = new[] { a, b } });
        var workOrder = await BatchWorkOrderAsync(batch.Text("instanceId"));
        var before = await _factory.SnapshotAsync();
        foreach (var (who, client) in new[] { ("checker1 submitted record A", checker1), ("maker1 packed the batch", maker) })
        {
            foreach (var action in new[] { "Approve", "Reject" })
            {
                var refused = await client.PostAsJsonAsync($"/api/tasks/{workOrder}/complete", new { action, comment = "mine" });
                Assert.That((int)refused.StatusCode, Is.EqualTo(403), $"{who}: {await refused.Content.ReadAsStringAsync()}");
            }
        }
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "nothing was written");
        await checker2.CompleteOkAsync(workOrder, "Approve");
        foreach (var id in new[] { a, b }) await maker.WaitForStatusAsync(id, "Paying");
    }
}
