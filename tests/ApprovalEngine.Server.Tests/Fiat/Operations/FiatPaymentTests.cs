using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Server.Tests.Fiat.Operations;

/// <summary>
/// Version 2's payment path over HTTP on PostgreSQL: direct billing work order, bank result, Unmatch, reconciliation
/// (in process only), exceptions resolved in bulk and approved by a second person, Repayment, records, export, cards.
/// </summary>
public sealed class FiatPaymentTests
{
    private static readonly string[] Flows = ["fiat-withdrawal", "work-order-approval"];
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await ApiFactory.PostgresAsync(FiatOps.Settings());

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private Task<JsonObject> PaidAsync(string customerId, decimal amount = 1_000m) => _factory.PayingAsync(customerId, amount);

    private Task<JsonObject> BankResultAsync(string recordNo, bool success, string? reason = null) => _factory.BankResultAsync(recordNo, success, reason);

    private Task<JsonObject> ImportStatementAsync(HttpClient operatorClient, string recordNo, decimal amount, string? reference = null) =>
        _factory.ImportStatementAsync(operatorClient, recordNo, amount, reference);

    [Test]
    public async Task Paid_by_direct_billing_then_matched_by_the_statements_it_completes_and_FiatReconciled_is_not_an_outside_event()
    {
        var record = await PaidAsync("C-pay-1");
        var recordNo = record.Text("recordNo");
        Assert.That(record["channel"]!.GetValue<string>(), Is.EqualTo(FiatOps.Hkd));
        await BankResultAsync(recordNo, success: true);
        var checker = await _factory.AsUserAsync("checker1");
        record = await checker.WaitForStatusAsync(record.Text("id"), "Unmatch");
        Assert.That(record.Text("reconciliation"), Is.EqualTo("Unmatch"));

        var before = await _factory.SnapshotAsync();
        var forged = await _factory.AsSystem().PostAsJsonAsync("/api/events/FiatReconciled", new { correlationId = recordNo, payload = new { result = "Matched" } });
        var problem = await ApiAssert.ProblemAsync(forged, HttpStatusCode.Forbidden);
        Assert.That(problem.ToJsonString(), Does.Contain("FiatRecordEvents"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "the refused event wrote nothing");
        var unmatchTask = record.Text("openTaskId");
        var guarded = await (await _factory.AsUserAsync("supervisor1")).PostAsJsonAsync($"/api/tasks/{unmatchTask}/complete", new { action = "Reconcile" });
        Assert.That((int)guarded.StatusCode, Is.AnyOf(403, 409), await guarded.Content.ReadAsStringAsync());

        // The real thing: the bank statement is imported; the matcher finds the debit naming the record and the
        // record's own step marks both the record Completed and the statement line Matched.
        var imported = await ImportStatementAsync(checker, recordNo, 1_000m);
        Assert.That(imported["reconciliation"]!.ToJsonString(), Does.Contain("\"matched\":1"), imported.ToJsonString());
        record = await checker.WaitForStatusAsync(record.Text("id"), "Completed");
        var line = (await checker.GetObjectAsync($"/api/fiat/statements/entries?recordNo={recordNo}"))["items"]!.AsArray().Single()!;
        Assert.That((line.Text("matchStatus"), line.Text("recordNo")), Is.EqualTo(("Matched", recordNo)));
        Assert.That(record.Text("reconciliation"), Is.EqualTo("Matched"));

        var lifecycle = await checker.GetAsync($"/api/fiat/withdrawals/{recordNo}/lifecycle");
        var entries = JsonNode.Parse(await lifecycle.Content.ReadAsStringAsync())!.AsArray();
        Assert.That(entries.Select(e => e!.Text("flow")).Distinct(), Is.EquivalentTo(Flows));
        Assert.That(entries.Select(e => (string?)e!["entry"]!["action"]), Has.Member("Approve"));
    }

    [Test]
    public async Task Exceptions_are_resolved_in_bulk_and_approved_only_by_someone_else_on_every_route()
    {
        var a = await PaidAsync("C-exc-a");
        var b = await PaidAsync("C-exc-b");
        await BankResultAsync(a.Text("recordNo"), success: false, reason: "account closed");
        await BankResultAsync(b.Text("recordNo"), success: false, reason: "account closed");
        var checker1 = await _factory.AsUserAsync("checker1");
        var checker2 = await _factory.AsUserAsync("checker2");
        await checker1.WaitForStatusAsync(a.Text("id"), "Withdrawal Exception");
        await checker1.WaitForStatusAsync(b.Text("id"), "Withdrawal Exception");
        var ids = new[] { a.Text("id"), b.Text("id") };

        await ApiAssert.ProblemAsync(await checker1.PostAsJsonAsync("/api/fiat/withdrawals/exceptions/resolve", new { records = ids, resolution = "Resubmit" }),
            HttpStatusCode.UnprocessableEntity, "comment");
        await ApiAssert.ProblemAsync(await checker1.PostAsJsonAsync("/api/fiat/withdrawals/exceptions/resolve", new { records = ids, resolution = "Refund", comment = "x" }),
            HttpStatusCode.UnprocessableEntity, "resolution");
        var resolved = await checker1.BulkAsync("/api/fiat/withdrawals/exceptions/resolve", new { records = ids, resolution = "Resubmit", comment = "bank reopened the account" });
        Assert.That(resolved.Select(r => r!.Text("businessStatus")), Is.All.EqualTo("To be reviewed"), resolved.ToJsonString());

        var before = await _factory.SnapshotAsync();
        var own = await checker1.BulkAsync("/api/fiat/withdrawals/exceptions/review", new { records = ids, decision = "Approve" });
        Assert.That(own.Select(r => (int)r!["status"]!), Is.All.EqualTo(403), own.ToJsonString());
        var task = (await checker1.RecordAsync(ids[0])).Text("openTaskId");
        await ApiAssert.ProblemAsync(await checker1.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Approve" }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _factory.AsSystem().PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Approve" }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("maker1")).PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Approve" }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await checker2.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Approve", data = new { resolution = "SetAsSuccessful" } }),
            HttpStatusCode.UnprocessableEntity, "data.resolution");
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "refused reviews wrote nothing");

        // checker2 sends one back and approves the other.
        var rejected = await checker2.BulkAsync("/api/fiat/withdrawals/exceptions/review", new { records = new[] { ids[1] }, decision = "Reject", comment = "call the bank first" });
        Assert.That(rejected[0]!.Text("businessStatus"), Is.EqualTo("Withdrawal Exception"));
        var approved = await checker2.BulkAsync("/api/fiat/withdrawals/exceptions/review", new { records = new[] { ids[0] }, decision = "Approve" });
        Assert.That((bool)approved[0]!["ok"]!, Is.True, approved.ToJsonString());
        var paidAgain = await checker2.WaitForStatusAsync(ids[0], "Paying");
        Assert.That(paidAgain.Text("bankReference"), Is.Not.EqualTo(a.Text("bankReference")), "a resubmit is a new payout");
    }

    [Test]
    public async Task Repayment_regenerates_the_order_as_a_new_record_linked_to_the_old_one()
    {
        var old = await PaidAsync("C-repay");
        await BankResultAsync(old.Text("recordNo"), success: false, reason: "wrong beneficiary name");
        var checker1 = await _factory.AsUserAsync("checker1");
        await checker1.WaitForStatusAsync(old.Text("id"), "Withdrawal Exception");
        await checker1.BulkAsync("/api/fiat/withdrawals/exceptions/resolve", new { records = new[] { old.Text("recordNo") }, resolution = "Repayment", comment = "pay again" });
        await (await _factory.AsUserAsync("checker2")).BulkAsync("/api/fiat/withdrawals/exceptions/review", new { records = new[] { old.Text("recordNo") }, decision = "Approve" });

        var ended = await checker1.WaitForStatusAsync(old.Text("id"), "Failed");
        // The new order goes through the review rules like any application (version 3), here straight on to its
        // channel's real-time direct billing, whose work order a checker approves before it is paid again.
        var renewed = await checker1.WaitForStatusAsync(old.Text("recordNo") + "-R", "Withdrawal Directly Pending");
        Assert.That((renewed.Text("repaymentOf"), renewed["amount"]!.GetValue<decimal>(), renewed.Text("customerId"), ended.Text("status")),
            Is.EqualTo((old.Text("recordNo"), 1_000m, "C-repay", "Failed")));
        var oldVariables = (await checker1.GetObjectAsync($"/api/instances/{old.Text("id")}"))["variables"]!;
        Assert.That((string?)oldVariables["repaymentRecordNo"], Is.EqualTo(old.Text("recordNo") + "-R"));
        var listed = await checker1.GetObjectAsync($"/api/fiat/withdrawals?customerId=C-repay&status=Failed");
        Assert.That(listed["total"]!.GetValue<int>(), Is.EqualTo(1));
        listed = await checker1.GetObjectAsync($"/api/fiat/withdrawals?customerId=C-repay&status=Withdrawal%20Directly%20Pending");
        Assert.That(listed["items"]![0]!.Text("recordNo"), Is.EqualTo(old.Text("recordNo") + "-R"));
    }

    [Test]
    public async Task Cards_follow_the_business_order_and_the_export_holds_the_filtered_records()
    {
        await PaidAsync("C-cards", amount: 1_234.5m);
        var checker = await _factory.AsUserAsync("checker1");
        var response = await checker.GetAsync("/api/fiat/withdrawals/cards?currency=HKD");
        var cards = JsonNode.Parse(await response.Content.ReadAsStringAsync())!.AsArray();
        Assert.That(cards.Take(FiatNames.CardOrder.Count).Select(c => c!.Text("status")), Is.EqualTo(FiatNames.CardOrder));
        var paying = cards.Single(c => c!.Text("status") == "Paying")!;
        Assert.That(paying["count"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(1));
        Assert.That(paying["amount"]!.GetValue<decimal>(), Is.GreaterThanOrEqualTo(1_234.5m));

        var csv = await checker.GetAsync("/api/fiat/withdrawals/export.csv?customerId=C-cards&amountFrom=1000&amountTo=2000");
        var lines = (await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.That((csv.Content.Headers.ContentType?.MediaType, lines.Length), Is.EqualTo(("text/csv", 2)));
        Assert.That(lines[1], Does.Contain("C-cards").And.Contain("1234.5").And.Contain("Paying"));
        var none = await checker.GetAsync("/api/fiat/withdrawals/export.csv?customerId=C-cards&amountFrom=2000");
        Assert.That((await none.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1));
        await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("cs1")).GetAsync("/api/fiat/withdrawals/cards"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await checker.GetAsync("/api/fiat/withdrawals?amountFrom=5&amountTo=1"), HttpStatusCode.BadRequest, "amountFrom");
    }

    [Test]
    public async Task Direct_billing_takes_a_channel_that_can_pay_the_record_and_its_work_order_is_approved_by_someone_else()
    {
        _factory.KnownCustomer("C-direct", known: true);
        var maker = await _factory.AsUserAsync("maker1");
        var id = (await maker.ApplyAsync("C-direct", 2_000m, "USD")).Text("id");
        var record = await maker.WaitForStatusAsync(id, "Withdrawal Pending");
        Assert.That(record.Text("openActivityId"), Is.EqualTo("pendingTask"));
        var checker1 = await _factory.AsUserAsync("checker1");
        var before = await _factory.SnapshotAsync();
        await ApiAssert.ProblemAsync(await maker.PostAsJsonAsync($"/api/fiat/withdrawals/{id}/direct-billing", new { bank = "HSBC", account = "002-1", channel = FiatOps.Usd }),
            HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await checker1.PostAsJsonAsync($"/api/fiat/withdrawals/{id}/direct-billing", new { bank = "ICBC", account = "001-1", channel = FiatOps.Hkd }),
            HttpStatusCode.UnprocessableEntity, "channel");
        await ApiAssert.ProblemAsync(await checker1.PostAsJsonAsync($"/api/fiat/withdrawals/{id}/direct-billing", new { bank = "HSBC", channel = FiatOps.Usd }),
            HttpStatusCode.UnprocessableEntity, "account");
        await ApiAssert.ProblemAsync(await checker1.PostAsJsonAsync($"/api/tasks/{record.Text("openTaskId")}/complete", new { action = "DirectBilling", data = new { bank = "HSBC", account = "002-1", channel = FiatOps.Usd, amount = 1m } }),
            HttpStatusCode.UnprocessableEntity, "data.amount");
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "refused direct billings wrote nothing");

        record = await checker1.PostObjectAsync($"/api/fiat/withdrawals/{id}/direct-billing", new { bank = "HSBC", account = "002-1", channel = FiatOps.Usd, details = "statement line 7" });
        Assert.That(record.Text("status"), Is.EqualTo("Withdrawal Directly Pending"));
        var workOrder = await _factory.WorkOrderTaskAsync(id);
        await ApiAssert.ProblemAsync(await checker1.PostAsJsonAsync($"/api/tasks/{workOrder}/complete", new { action = "Approve" }), HttpStatusCode.Forbidden);
        await (await _factory.AsUserAsync("checker2")).CompleteOkAsync(workOrder, "Approve");
        record = await checker1.WaitForStatusAsync(id, "Paying");
        Assert.That(record.Text("channel"), Is.EqualTo(FiatOps.Usd));
    }
}
