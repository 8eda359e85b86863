using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Fiat.Operations;
using ApprovalEngine.Server.Tests.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Fiat.Review;

/// <summary>
/// The fiat task-action rules (ADR 17) over HTTP on PostgreSQL, through every route that completes a task: no second
/// payment once money left (versions 2 and 3), every maker excluded from the record's work orders, no edit while the
/// record is in an open batch; and the side doors around them: reads by other departments, the exceptions list's
/// pages, and a payout settled by a bank result and a statement in either order.
/// </summary>
public sealed class FiatTaskActionRuleTests : FiatPostgresFixture
{
    private static readonly string[] OtherReaders = ["cs1", "dealing1", "analyst1"];

    private async Task<JsonObject> ExceptionAfterMoneyLeftAsync(string customerId)
    {
        var record = await Factory.PayingAsync(customerId);
        await Factory.BankResultAsync(record.Text("recordNo"), success: true);
        var checker1 = await Factory.AsUserAsync("checker1");
        await checker1.WaitForStatusAsync(record.Text("id"), "Unmatch");
        await Factory.ImportStatementAsync(checker1, record.Text("recordNo"), 999m);
        return await checker1.WaitForStatusAsync(record.Text("id"), "Withdrawal Exception");
    }

    private static async Task<JsonObject> FileAsync(string name)
    {
        var workflows = ApprovalEngine.Server.Engine.RepositoryPaths.Find(null, AppContext.BaseDirectory, "workflows") ?? throw new DirectoryNotFoundException("workflows/");
        var path = name == "v2" ? Path.Combine(workflows, "..", "tests", "ApprovalEngine.Flows.Tests", "Fiat", "fiat-withdrawal.v2.json") : Path.Combine(workflows, "fiat-withdrawal.json");
        return JsonNode.Parse(await File.ReadAllTextAsync(path))!.AsObject();
    }

    [Test]
    public async Task Resubmit_and_Repayment_after_money_left_are_refused_on_every_completion_route_for_version_2_and_3_records()
    {
        var version2 = await Factory.PublishAsync(await FileAsync("v2"));
        JsonObject v2;
        try
        {
            v2 = await ExceptionAfterMoneyLeftAsync("C-rule-v2");
        }
        finally
        {
            await Factory.PublishAsync(await FileAsync("v3"));
        }
        var v3 = await ExceptionAfterMoneyLeftAsync("C-rule-v3");
        var checker1 = await Factory.AsUserAsync("checker1");
        Assert.That((await checker1.GetObjectAsync($"/api/instances/{v2.Text("id")}"))["version"]!.GetValue<int>(), Is.EqualTo(version2), "a version 2 record");

        foreach (var record in new[] { v2, v3 })
        {
            // The inbox shows them unavailable, with the reason.
            var detail = await checker1.GetObjectAsync($"/api/tasks/{record.Text("openTaskId")}");
            foreach (var name in new[] { "Resubmit", "Repayment" })
            {
                var action = detail["actions"]!.AsArray().Single(a => a!.Text("name") == name)!;
                Assert.That((bool)action["available"]!, Is.False, detail.ToJsonString());
                Assert.That(action.Text("reason"), Does.Contain("Money left").IgnoreCase);
            }
            Assert.That((bool)detail["actions"]!.AsArray().Single(a => a!.Text("name") == "SetAsFailed")!["available"]!, Is.True);
            var before = await Factory.SnapshotAsync();
            foreach (var resolution in new[] { "Resubmit", "Repayment" })
            {
                // The generic task route: version 2 has no guard, the runner's rule refuses it.
                var side = await checker1.PostAsJsonAsync($"/api/tasks/{record.Text("openTaskId")}/complete", new { action = resolution, comment = "pay again" });
                Assert.That((int)side.StatusCode, Is.EqualTo(409), await side.Content.ReadAsStringAsync());
                Assert.That(await side.Content.ReadAsStringAsync(), Does.Contain("Money left"));
                // The same from a system key.
                var system = await Factory.AsSystem().PostAsJsonAsync($"/api/tasks/{record.Text("openTaskId")}/complete", new { action = resolution, comment = "pay again" });
                Assert.That((int)system.StatusCode, Is.AnyOf(403, 409), await system.Content.ReadAsStringAsync());
                // The fiat bulk route.
                var bulk = await checker1.BulkAsync("/api/fiat/withdrawals/exceptions/resolve", new { records = new[] { record.Text("recordNo") }, resolution, comment = "pay again" });
                Assert.That(((int)bulk[0]!["status"]!, (bool)bulk[0]!["ok"]!), Is.EqualTo((409, false)), bulk.ToJsonString());
                Assert.That(bulk[0]!.Text("error"), Does.Contain("money left").IgnoreCase);
            }
            Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "nothing was written");
            var after = await checker1.RecordAsync(record.Text("id"));
            Assert.That((after.Text("status"), after["repaymentRecordNo"]?.ToString()), Is.EqualTo(("Withdrawal Exception", (string?)null)));
        }
    }

    [Test]
    public async Task Every_editor_and_the_submitter_are_excluded_from_the_records_work_orders_on_every_route()
    {
        var id = (await Factory.AsSystem().ApplyAsync("C-rule-makers", 1_000m)).Text("id");
        var checker1 = await Factory.AsUserAsync("checker1");
        var checker2 = await Factory.AsUserAsync("checker2");
        var maker1 = await Factory.AsUserAsync("maker1");
        await checker1.WaitForStatusAsync(id, "Pending Submission");
        // checker1 edits first (checker2 approves), maker1 edits again: checker1 is no longer the last editor.
        await checker1.PostObjectAsync($"/api/fiat/withdrawals/{id}/edit", new { amount = 900m, comment = "client asked" });
        await checker1.WaitForStatusAsync(id, "Edit Pending Approval");
        await checker2.CompleteOkAsync(await Factory.WorkOrderTaskAsync(id), "Approve");
        await checker1.WaitForStatusAsync(id, "Pending Submission");
        await maker1.PostObjectAsync($"/api/fiat/withdrawals/{id}/edit", new { amount = 800m, comment = "client asked again" });
        await checker1.WaitForStatusAsync(id, "Edit Pending Approval");

        var edit = await Factory.WorkOrderTaskAsync(id);
        var before = await Factory.SnapshotAsync();
        foreach (var action in new[] { "Approve", "Reject" })
        {
            var refused = await checker1.PostAsJsonAsync($"/api/tasks/{edit}/complete", new { action, comment = "my earlier edit" });
            Assert.That((int)refused.StatusCode, Is.EqualTo(403), await refused.Content.ReadAsStringAsync());
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("Four eyes"));
        }
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "nothing was written");
        Assert.That((await checker1.RecordAsync(id)).Text("status"), Is.EqualTo("Edit Pending Approval"));
        await checker2.CompleteOkAsync(edit, "Approve");
        await checker1.WaitForStatusAsync(id, "Pending Submission");

        var submitted = await maker1.BulkAsync("/api/fiat/withdrawals/submit", new { records = new[] { id } });
        Assert.That((bool)submitted[0]!["ok"]!, Is.True, submitted.ToJsonString());
        await checker1.WaitForStatusAsync(id, "Withdrawal Directly Pending");
        var billing = await Factory.WorkOrderTaskAsync(id);
        before = await Factory.SnapshotAsync();
        foreach (var action in new[] { "Approve", "Reject" })
        {
            // checker1 edited first and is neither the submitter nor the last editor: still a maker.
            var refused = await checker1.PostAsJsonAsync($"/api/tasks/{billing}/complete", new { action, comment = "mine" });
            Assert.That((int)refused.StatusCode, Is.EqualTo(403), await refused.Content.ReadAsStringAsync());
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("Four eyes"));
            Assert.That((int)(await maker1.PostAsJsonAsync($"/api/tasks/{billing}/complete", new { action, comment = "mine" })).StatusCode, Is.EqualTo(403));
        }
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "nothing was written");
        await checker2.CompleteOkAsync(billing, "Approve");
        var paying = await checker1.WaitForStatusAsync(id, "Paying");
        Assert.That(paying["amount"]!.GetValue<decimal>(), Is.EqualTo(800m));
    }

    private async Task SetBatchItemAsync(string recordId, string recordNo, decimal amount, bool open)
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        var fiat = scope.ServiceProvider.GetRequiredService<FiatDbContext>();
        var id = Guid.Parse(recordId);
        if (open) fiat.Add(new FiatBatchItem { BatchId = "FB-SUSPECT-" + recordNo, RecordId = id, RecordNo = recordNo, Amount = amount });
        else await fiat.Set<FiatBatchItem>().Where(i => i.RecordId == id && i.IsOpen).ExecuteUpdateAsync(u => u.SetProperty(i => i.IsOpen, false));
        await fiat.SaveChangesAsync();
    }

    [Test]
    public async Task A_record_in_an_open_batch_cannot_be_edited_nor_its_edit_approved_on_any_route()
    {
        var record = await Factory.AsSystem().ApplyAsync("C-rule-batched", 1_000m);
        var (id, recordNo) = (record.Text("id"), record.Text("recordNo"));
        var checker1 = await Factory.AsUserAsync("checker1");
        var checker2 = await Factory.AsUserAsync("checker2");
        var waiting = await checker1.WaitForStatusAsync(id, "Pending Submission");
        // Suspected for a batch: an open batch item holds the amount the batch's work order and bank file carry.
        await SetBatchItemAsync(id, recordNo, 1_000m, open: true);
        var before = await Factory.SnapshotAsync();
        await ApiAssert.ProblemAsync(await checker1.PostAsJsonAsync($"/api/fiat/withdrawals/{id}/edit", new { amount = 5_000m }), HttpStatusCode.Conflict);
        var side = await checker1.PostAsJsonAsync($"/api/tasks/{waiting.Text("openTaskId")}/complete", new { action = "Edit", data = new { amount = 5_000m } });
        Assert.That((int)side.StatusCode, Is.EqualTo(409), await side.Content.ReadAsStringAsync());
        Assert.That(await side.Content.ReadAsStringAsync(), Does.Contain("batch"));
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "nothing was written");

        // Out of the batch, the edit goes to its work order; packed again meanwhile, its approval waits.
        await SetBatchItemAsync(id, recordNo, 0m, open: false);
        await checker1.PostObjectAsync($"/api/fiat/withdrawals/{id}/edit", new { amount = 900m });
        await checker1.WaitForStatusAsync(id, "Edit Pending Approval");
        var workOrder = await Factory.WorkOrderTaskAsync(id);
        await SetBatchItemAsync(id, recordNo, 1_000m, open: true);
        before = await Factory.SnapshotAsync();
        var approve = await checker2.PostAsJsonAsync($"/api/tasks/{workOrder}/complete", new { action = "Approve" });
        Assert.That((int)approve.StatusCode, Is.EqualTo(409), await approve.Content.ReadAsStringAsync());
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "nothing was written");
        Assert.That((await checker1.RecordAsync(id))["amount"]!.GetValue<decimal>(), Is.EqualTo(1_000m), "the packed amount stands");
        await SetBatchItemAsync(id, recordNo, 0m, open: false);
        await checker2.CompleteOkAsync(workOrder, "Approve");
        await checker1.WaitForStatusAsync(id, "Pending Submission");
        Assert.That((await checker1.RecordAsync(id))["amount"]!.GetValue<decimal>(), Is.EqualTo(900m));
    }

    [Test]
    public async Task The_exceptions_list_pages_with_a_total()
    {
        var records = new List<string>();
        foreach (var customer in new[] { "C-rule-page-1", "C-rule-page-2", "C-rule-page-3" })
        {
            var record = await Factory.PayingAsync(customer);
            await Factory.BankResultAsync(record.Text("recordNo"), success: false, reason: "account closed");
            records.Add(record.Text("id"));
        }
        var checker1 = await Factory.AsUserAsync("checker1");
        foreach (var id in records) await checker1.WaitForStatusAsync(id, "Withdrawal Exception");
        var status = Uri.EscapeDataString("Withdrawal Exception");
        var seen = new HashSet<string>();
        int? total = null;
        for (var page = 1; ; page++)
        {
            var list = await checker1.GetObjectAsync($"/api/fiat/withdrawals?status={status}&page={page}&pageSize=2");
            total ??= list["total"]!.GetValue<int>();
            Assert.That(list["total"]!.GetValue<int>(), Is.EqualTo(total), "the total is the same on every page");
            var items = list["items"]!.AsArray();
            if (items.Count == 0) break;
            Assert.That(items, Has.Count.LessThanOrEqualTo(2));
            foreach (var item in items) Assert.That(seen.Add(item!.Text("id")), Is.True, "no record on two pages");
        }
        Assert.That(seen, Has.Count.EqualTo(total));
        Assert.That(seen, Is.SupersetOf(records));
        await ApiAssert.ProblemAsync(await checker1.GetAsync($"/api/fiat/withdrawals?status={status}&pageSize=501"), HttpStatusCode.BadRequest, "pageSize");
        await ApiAssert.ProblemAsync(await checker1.GetAsync($"/api/fiat/withdrawals?status={status}&page=0"), HttpStatusCode.BadRequest, "page");
    }

    [Test]
    public async Task Other_departments_and_analysts_cannot_read_fiat_records_or_their_work_orders_through_the_engine_routes()
    {
        var record = await Factory.PayingAsync("C-rule-read");
        var id = record.Text("id");
        var child = await Factory.QueryAsync(db => db.Instances.AsNoTracking().Where(i => i.ParentInstanceId == Guid.Parse(id)).Select(i => i.Id).FirstAsync());
        var checker1 = await Factory.AsUserAsync("checker1");
        Assert.That((await checker1.GetAsync($"/api/instances/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "Operations reads it");
        foreach (var user in OtherReaders)
        {
            using var client = await Factory.AsUserAsync(user);
            foreach (var url in new[] { $"/api/instances/{id}", $"/api/instances/{id}/journal", $"/api/instances/{child}", $"/api/instances/{child}/journal", $"/api/fiat/withdrawals/{id}", $"/api/fiat/withdrawals/{id}/lifecycle" })
            {
                Assert.That((await client.GetAsync(url)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"{user} GET {url}");
            }
            foreach (var url in new[] { "/api/instances?definitionId=fiat-withdrawal", $"/api/instances?correlationId={record.Text("recordNo")}", "/api/instances?definitionId=work-order-approval", "/api/tasks?definitionId=fiat-withdrawal&status=all", "/api/tasks?definitionId=work-order-approval&status=all" })
            {
                var response = await client.GetAsync(url);
                if (response.StatusCode == HttpStatusCode.Forbidden) continue;
                var list = await response.ReadObjectAsync();
                Assert.That((response.StatusCode, list["total"]!.GetValue<int>()), Is.EqualTo((HttpStatusCode.OK, 0)), $"{user} GET {url}: {list.ToJsonString()}");
            }
        }
    }

    [TestCase(true)]
    [TestCase(false)]
    public async Task A_payout_settled_by_the_bank_result_and_by_the_statement_is_recorded_once_in_either_order(bool resultFirst)
    {
        var customer = resultFirst ? "C-rule-dual-1" : "C-rule-dual-2";
        var record = await Factory.PayingAsync(customer);
        var (id, recordNo) = (record.Text("id"), record.Text("recordNo"));
        var checker1 = await Factory.AsUserAsync("checker1");
        var supervisor = await Factory.AsUserAsync("supervisor1");
        var bankUsed = (await supervisor.GetObjectAsync("/api/fiat/config/daily-limits/ICBC-001"))["usedToday"]!.GetValue<decimal>();
        if (resultFirst)
        {
            await Factory.BankResultAsync(recordNo, success: true);
            await checker1.WaitForStatusAsync(id, "Unmatch");
            await Factory.ImportStatementAsync(checker1, recordNo, 1_000m);
        }
        else
        {
            // The statement first: the debit waits unmatched while the record is Paying, and matches once the bank's result came.
            await Factory.ImportStatementAsync(checker1, recordNo, 1_000m);
            Assert.That((await checker1.RecordAsync(id)).Text("status"), Is.EqualTo("Paying"), "a debit alone never settles a payout");
            await Factory.BankResultAsync(recordNo, success: true);
            await checker1.WaitForStatusAsync(id, "Unmatch");
            await checker1.PostObjectAsync("/api/fiat/reconciliation/run", new { channelId = FiatOps.Hkd });
        }
        var done = await checker1.WaitForStatusAsync(id, "Completed");
        var paidAt = done.Text("paidAt");
        Assert.That(paidAt, Is.Not.Null);

        // The second delivery of each path changes nothing: the bank's result again is a 409, the statement again a duplicate.
        var before = await Factory.SnapshotAsync();
        var again = await Factory.AsSystem().PostAsJsonAsync("/api/events/BankResult",
            new { correlationId = recordNo, payload = new { success = true, bankReference = done.Text("bankReference") } });
        Assert.That((int)again.StatusCode, Is.EqualTo(409), await again.Content.ReadAsStringAsync());
        var reimport = await Factory.ImportStatementAsync(checker1, recordNo, 1_000m);
        Assert.That((reimport["imported"]!.GetValue<int>(), reimport["duplicates"]!.AsArray().Count), Is.EqualTo((0, 1)), reimport.ToJsonString());
        await checker1.PostObjectAsync("/api/fiat/reconciliation/run", new { channelId = FiatOps.Hkd });
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "the second path wrote nothing to the engine");
        var after = await checker1.RecordAsync(id);
        Assert.That((after.Text("status"), after.Text("paidAt")), Is.EqualTo(("Completed", paidAt)));
        var entries = (await checker1.GetObjectAsync($"/api/fiat/statements/entries?recordNo={recordNo}&includeDeleted=true"))["items"]!.AsArray();
        Assert.That(entries.Count(e => e!.Text("matchStatus") == "Matched"), Is.EqualTo(1), entries.ToJsonString());
        Assert.That((await supervisor.GetObjectAsync("/api/fiat/config/daily-limits/ICBC-001"))["usedToday"]!.GetValue<decimal>(), Is.EqualTo(bankUsed),
            "the paying bank's limit was consumed once, when the payout was sent");
    }
}
