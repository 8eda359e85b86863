using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Fiat.Review;

/// <summary>
/// Money safety of the fiat withdrawal (version 3) over HTTP on PostgreSQL: a bank result settles only the payout it
/// names, nothing pays twice once money left, makers never check their own payout, a repayment is reviewed again, and
/// the second approval's threshold is configuration. Each rule is tried through its side doors too.
/// </summary>
public sealed class FiatMoneySafetyTests : FiatPostgresFixture
{
    private Task<JsonObject> PayingAsync(string customerId) => Factory.PayingAsync(customerId);

    /// <summary>Paid (the bank says so), then a statement debit naming it with another amount: a Withdrawal Exception although money left.</summary>
    private async Task<JsonObject> DiscrepancyAsync(string customerId)
    {
        var record = await PayingAsync(customerId);
        await Factory.BankResultAsync(record.Text("recordNo"), success: true);
        var checker1 = await Factory.AsUserAsync("checker1");
        await checker1.WaitForStatusAsync(record.Text("id"), "Unmatch");
        await Factory.ImportStatementAsync(checker1, record.Text("recordNo"), 999m);
        return await checker1.WaitForStatusAsync(record.Text("id"), "Withdrawal Exception");
    }

    [Test]
    public async Task A_bank_result_must_name_the_payouts_bankReference_and_one_naming_another_order_never_settles_it()
    {
        var record = await PayingAsync("C-safe-ref");
        var recordNo = record.Text("recordNo");
        var checker1 = await Factory.AsUserAsync("checker1");
        foreach (var sender in new[] { Factory.AsSystem(), Factory.WithKey(FiatOps.ReaderKey) })
        {
            // The old contract ({ success, reason }) is refused for fiat records, naming the field; nothing is written.
            var before = await Factory.SnapshotAsync();
            var unnamed = await sender.PostAsJsonAsync("/api/events/BankResult", new { correlationId = recordNo, payload = new { success = false, reason = "no order named" } });
            await ApiAssert.ProblemAsync(unnamed, HttpStatusCode.UnprocessableEntity, "payload.bankReference");
            Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "the refused result wrote nothing");
        }
        // A result naming another bank order is journaled and ignored: the record keeps waiting for its own.
        var other = await Factory.AsSystem().PostAsJsonAsync("/api/events/BankResult",
            new { correlationId = recordNo, payload = new { success = false, reason = "another order", bankReference = "BANK-99999999" } });
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.OK), await other.Content.ReadAsStringAsync());
        Assert.That((await checker1.RecordAsync(record.Text("id"))).Text("status"), Is.EqualTo("Paying"));

        await Factory.BankResultAsync(recordNo, success: true);
        var paid = await checker1.WaitForStatusAsync(record.Text("id"), "Unmatch");
        Assert.That(paid.Text("bankReference"), Is.EqualTo(record.Text("bankReference")));
    }

    [Test]
    public async Task Resubmit_and_Repayment_are_refused_on_every_route_once_the_bank_reported_the_payout_paid()
    {
        var record = await DiscrepancyAsync("C-safe-twice");
        var recordNo = record.Text("recordNo");
        var checker1 = await Factory.AsUserAsync("checker1");
        var before = await Factory.SnapshotAsync();
        foreach (var resolution in new[] { "Resubmit", "Repayment" })
        {
            var refused = await checker1.BulkAsync("/api/fiat/withdrawals/exceptions/resolve", new { records = new[] { recordNo }, resolution, comment = "pay again" });
            Assert.That(((int)refused[0]!["status"]!, (bool)refused[0]!["ok"]!), Is.EqualTo((409, false)), refused.ToJsonString());
            Assert.That(refused[0]!.Text("error"), Does.Contain("money left").IgnoreCase);
            // The generic task route, the side door: the flow's guard refuses it the same way.
            var side = await checker1.PostAsJsonAsync($"/api/tasks/{record.Text("openTaskId")}/complete", new { action = resolution, comment = "pay again" });
            Assert.That((int)side.StatusCode, Is.EqualTo(409), await side.Content.ReadAsStringAsync());
            Assert.That(await side.Content.ReadAsStringAsync(), Does.Contain("Money left"));
        }
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "nothing was written");
        Assert.That((await checker1.RecordAsync(record.Text("id"))).Text("status"), Is.EqualTo("Withdrawal Exception"));
        // Set as Successful stays open (the money did leave).
        var successful = await checker1.BulkAsync("/api/fiat/withdrawals/exceptions/resolve", new { records = new[] { recordNo }, resolution = "SetAsSuccessful", comment = "paid; amount differs by the bank's charge" });
        Assert.That(successful[0]!.Text("businessStatus"), Is.EqualTo("To be reviewed"), successful.ToJsonString());
    }

    [Test]
    public async Task Set_as_Failed_after_money_left_needs_a_second_person_and_keeps_both_daily_limits_consumed()
    {
        var record = await DiscrepancyAsync("C-safe-failed");
        var recordNo = record.Text("recordNo");
        var checker1 = await Factory.AsUserAsync("checker1");
        var checker2 = await Factory.AsUserAsync("checker2");
        var supervisor = await Factory.AsUserAsync("supervisor1");
        var bankUsed = (await supervisor.GetObjectAsync("/api/fiat/config/daily-limits/ICBC-001"))["usedToday"]!.GetValue<decimal>();
        Assert.That(bankUsed, Is.GreaterThanOrEqualTo(1_000m));

        await checker1.BulkAsync("/api/fiat/withdrawals/exceptions/resolve", new { records = new[] { recordNo }, resolution = "SetAsFailed", comment = "bank says returned" });
        var own = await checker1.BulkAsync("/api/fiat/withdrawals/exceptions/review", new { records = new[] { recordNo }, decision = "Approve" });
        Assert.That((int)own[0]!["status"]!, Is.EqualTo(403), "whoever chose Set as Failed cannot approve it");
        await checker2.BulkAsync("/api/fiat/withdrawals/exceptions/review", new { records = new[] { recordNo }, decision = "Approve" });
        await checker1.WaitForStatusAsync(record.Text("id"), "Failed");

        Assert.That((await supervisor.GetObjectAsync("/api/fiat/config/daily-limits/ICBC-001"))["usedToday"]!.GetValue<decimal>(), Is.EqualTo(bankUsed),
            "the paying bank's limit stays consumed: the money left");
        var next = await Factory.AsSystem().ApplyAsync("C-safe-failed", 10m);
        JsonNode? used = null;
        Assert.That(await ApiAssert.EventuallyAsync(async () =>
        {
            used = (await checker1.GetObjectAsync($"/api/instances/{next.Text("id")}"))["variables"]!["customerUsedToday"];
            return used is not null && (string?)(await checker1.RecordAsync(next.Text("id")))["policy"] is not null;
        }, TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(used!.GetValue<decimal>(), Is.EqualTo(1_000m), "the customer's limit stays consumed");
    }

    [Test]
    public async Task Whoever_submitted_the_application_cannot_approve_its_direct_billing_work_order_on_any_route()
    {
        // A first withdrawal waits in Pending Submission; checker1 submits it, the direct billing work order follows.
        var id = (await Factory.AsSystem().ApplyAsync("C-safe-maker", 1_000m)).Text("id");
        var checker1 = await Factory.AsUserAsync("checker1");
        await checker1.WaitForStatusAsync(id, "Pending Submission");
        var submitted = await checker1.BulkAsync("/api/fiat/withdrawals/submit", new { records = new[] { id } });
        Assert.That((bool)submitted[0]!["ok"]!, Is.True, submitted.ToJsonString());
        await checker1.WaitForStatusAsync(id, "Withdrawal Directly Pending");
        var task = await Factory.WorkOrderTaskAsync(id);

        var before = await Factory.SnapshotAsync();
        foreach (var action in new[] { "Approve", "Reject" })
        {
            var refused = await checker1.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action, comment = "my own" });
            Assert.That((int)refused.StatusCode, Is.AnyOf(403, 409), await refused.Content.ReadAsStringAsync());
            Assert.That(await refused.Content.ReadAsStringAsync(), Does.Contain("Four eyes"));
        }
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "nothing was written");
        await (await Factory.AsUserAsync("checker2")).CompleteOkAsync(task, "Approve");
        await checker1.WaitForStatusAsync(id, "Paying");
    }

    [Test]
    public async Task A_repayment_goes_through_the_review_rules_and_limits_like_any_application()
    {
        var record = await PayingAsync("C-safe-repay");
        var recordNo = record.Text("recordNo");
        await Factory.BankResultAsync(recordNo, success: false, reason: "account closed");
        var checker1 = await Factory.AsUserAsync("checker1");
        await checker1.WaitForStatusAsync(record.Text("id"), "Withdrawal Exception");
        await checker1.BulkAsync("/api/fiat/withdrawals/exceptions/resolve", new { records = new[] { recordNo }, resolution = "Repayment", comment = "new account" });
        await (await Factory.AsUserAsync("checker2")).BulkAsync("/api/fiat/withdrawals/exceptions/review", new { records = new[] { recordNo }, decision = "Approve" });
        var renewed = await checker1.WaitForStatusAsync(recordNo + "-R", "Withdrawal Directly Pending");

        var variables = (await checker1.GetObjectAsync($"/api/instances/{renewed.Text("id")}"))["variables"]!;
        Assert.That(variables.Text("policy"), Is.Not.Null, "the review rules picked the channel's policy");
        Assert.That(variables["customerDailyLimit"]!.GetValue<decimal>(), Is.GreaterThan(0m), "the review rules ran and reserved the customer's limit");
        var lifecycle = JsonNode.Parse(await (await checker1.GetAsync($"/api/fiat/withdrawals/{renewed.Text("id")}/lifecycle")).Content.ReadAsStringAsync())!.AsArray();
        Assert.That(lifecycle.Select(e => (string?)e!["entry"]!["activityId"]), Has.Member("evaluate"));
    }

    /// <summary>
    /// Upgrade: a record stored on version 2 (published here, then version 3 again for the other tests) keeps
    /// working: it is paid with a result naming its payout, the edge refuses one naming none, and the domain route
    /// refuses its Resubmit once money left although its flow has no such guard.
    /// </summary>
    [Test]
    public async Task A_version_2_record_still_pays_with_a_named_result_and_its_resubmit_is_refused_once_money_left()
    {
        var workflows = ApprovalEngine.Server.Engine.RepositoryPaths.Find(null, AppContext.BaseDirectory, "workflows") ?? throw new DirectoryNotFoundException("workflows/");
        var v2 = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(workflows, "..", "tests", "ApprovalEngine.Flows.Tests", "Fiat", "fiat-withdrawal.v2.json")))!.AsObject();
        var v3 = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(workflows, "fiat-withdrawal.json")))!.AsObject();
        var version = await Factory.PublishAsync(v2);
        JsonObject record;
        try
        {
            record = await PayingAsync("C-safe-v2");
        }
        finally
        {
            await Factory.PublishAsync(v3);
        }
        var checker1 = await Factory.AsUserAsync("checker1");
        Assert.That((await checker1.GetObjectAsync($"/api/instances/{record.Text("id")}"))["version"]!.GetValue<int>(), Is.EqualTo(version));
        var unnamed = await Factory.AsSystem().PostAsJsonAsync("/api/events/BankResult", new { correlationId = record.Text("recordNo"), payload = new { success = false, reason = "no order named" } });
        await ApiAssert.ProblemAsync(unnamed, HttpStatusCode.UnprocessableEntity, "payload.bankReference");

        await Factory.BankResultAsync(record.Text("recordNo"), success: true);
        await checker1.WaitForStatusAsync(record.Text("id"), "Unmatch");
        await Factory.ImportStatementAsync(checker1, record.Text("recordNo"), 999m);
        await checker1.WaitForStatusAsync(record.Text("id"), "Withdrawal Exception");
        var refused = await checker1.BulkAsync("/api/fiat/withdrawals/exceptions/resolve", new { records = new[] { record.Text("recordNo") }, resolution = "Resubmit", comment = "pay again" });
        Assert.That((int)refused[0]!["status"]!, Is.EqualTo(409), refused.ToJsonString());
    }

    [Test]
    public async Task The_work_orders_second_approval_threshold_comes_from_the_settings()
    {
        var supervisor = await Factory.AsUserAsync("supervisor1");
        var settings = await supervisor.GetObjectAsync("/api/fiat/config/settings");
        var version = settings["rowVersion"]!.GetValue<int>();
        await ApiAssert.ProblemAsync(await supervisor.PutAsJsonAsync("/api/fiat/config/settings",
            new { directBillingNeedsApproval = true, rowVersion = version, secondApprovalThreshold = -1m }), HttpStatusCode.UnprocessableEntity, "secondApprovalThreshold");
        var forbidden = await (await Factory.AsUserAsync("checker1")).PutAsJsonAsync("/api/fiat/config/settings", new { directBillingNeedsApproval = true, rowVersion = version, secondApprovalThreshold = 1m });
        Assert.That((int)forbidden.StatusCode, Is.EqualTo(403));
        var saved = await supervisor.PutObjectAsync("/api/fiat/config/settings", new { directBillingNeedsApproval = true, rowVersion = version, secondApprovalThreshold = 5_000m });
        Assert.That(saved["secondApprovalThreshold"]!.GetValue<decimal>(), Is.EqualTo(5_000m));

        var checker1 = await Factory.AsUserAsync("checker1");
        var checker2 = await Factory.AsUserAsync("checker2");
        // Below the threshold one checker lets it go.
        Factory.KnownCustomer("C-safe-small", known: true);
        var small = (await Factory.AsSystem().ApplyAsync("C-safe-small", 4_000m)).Text("id");
        await checker1.WaitForStatusAsync(small, "Withdrawal Directly Pending");
        await checker1.CompleteOkAsync(await Factory.WorkOrderTaskAsync(small), "Approve");
        await checker1.WaitForStatusAsync(small, "Paying");

        // Above it a second, different checker must approve too.
        Factory.KnownCustomer("C-safe-large", known: true);
        var large = (await Factory.AsSystem().ApplyAsync("C-safe-large", 6_000m)).Text("id");
        await checker1.WaitForStatusAsync(large, "Withdrawal Directly Pending");
        var first = await Factory.WorkOrderTaskAsync(large);
        await checker1.CompleteOkAsync(first, "Approve");
        Guid second = Guid.Empty;
        Assert.That(await ApiAssert.EventuallyAsync(async () => (second = await Factory.WorkOrderTaskAsync(large)) != first, TimeSpan.FromSeconds(30)), Is.True);
        Assert.That((await checker1.RecordAsync(large)).Text("status"), Is.EqualTo("Withdrawal Directly Pending"), "one approval is not enough above the threshold");
        var again = await checker1.PostAsJsonAsync($"/api/tasks/{second}/complete", new { action = "Approve" });
        Assert.That((int)again.StatusCode, Is.AnyOf(403, 409), await again.Content.ReadAsStringAsync());
        await checker2.CompleteOkAsync(second, "Approve");
        await checker1.WaitForStatusAsync(large, "Paying");

        // Raising the threshold lets bigger payouts through on one checker: it waits for a second configurer (ADR 15).
        var current = await supervisor.GetObjectAsync("/api/fiat/config/settings");
        var raise = await supervisor.PutAsJsonAsync("/api/fiat/config/settings", new { directBillingNeedsApproval = true, rowVersion = current["rowVersion"]!.GetValue<int>(), secondApprovalThreshold = 1_000_000m });
        var pending = await raise.ReadObjectAsync();
        Assert.That(raise.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), pending.ToJsonString());
        Assert.That((await supervisor.GetObjectAsync("/api/fiat/config/settings"))["secondApprovalThreshold"]!.GetValue<decimal>(), Is.EqualTo(5_000m), "one person's raise changes nothing");
        await ApiAssert.ProblemAsync(await supervisor.PostAsJsonAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { }), HttpStatusCode.Forbidden);
        await (await Factory.AsUserAsync("supervisor2")).PostObjectAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { reason = "treasury agreed" });
        Assert.That((await supervisor.GetObjectAsync("/api/fiat/config/settings"))["secondApprovalThreshold"]!.GetValue<decimal>(), Is.EqualTo(1_000_000m));
    }
}
