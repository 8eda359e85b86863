using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Tests.Fiat.Operations;

/// <summary>Applications over HTTP on PostgreSQL: numbering, who may apply, Submit / Reject in bulk, Delete, Edit under a work order.</summary>
public sealed partial class FiatApplicationTests
{
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await ApiFactory.PostgresAsync(FiatOps.Settings());

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private static readonly string[] Documents = ["doc:passport-1"];

    [GeneratedRegex(@"^FW\d{8}\d{6}$")]
    private static partial Regex RecordNumber();

    [Test]
    public async Task An_operator_entered_application_is_numbered_by_the_server_and_its_maker_cannot_submit_it_through_any_route()
    {
        _factory.KnownCustomer("C-app-1", known: false);
        var maker = await _factory.AsUserAsync("maker1");
        var record = await maker.ApplyAsync("C-app-1", 5_000m, extra: new { remarks = "client phoned", documents = Documents });
        Assert.That(record.Text("recordNo"), Does.Match(RecordNumber()));
        var id = record.Text("id");
        record = await maker.WaitForStatusAsync(id, "Pending Submission");
        var task = record.Text("openTaskId");
        var before = await _factory.SnapshotAsync();

        var bulk = await maker.BulkAsync("/api/fiat/withdrawals/submit", new { records = new[] { id } });
        Assert.That(((bool)bulk[0]!["ok"]!, (int)bulk[0]!["status"]!, (string)bulk[0]!["error"]!), Is.EqualTo((false, 403, bulk[0]!.Text("error"))));
        Assert.That(bulk[0]!.Text("error"), Does.Contain("Four eyes"));
        var generic = await maker.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Submit" });
        await ApiAssert.ProblemAsync(generic, HttpStatusCode.Forbidden);
        var system = await _factory.AsSystem().PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Submit" });
        await ApiAssert.ProblemAsync(system, HttpStatusCode.Forbidden);
        var otherDepartment = await (await _factory.AsUserAsync("bo1")).PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Submit" });
        Assert.That((int)otherDepartment.StatusCode, Is.EqualTo(403), await otherDepartment.Content.ReadAsStringAsync());
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "refused submits wrote nothing");

        // Another operator submits it, in bulk with a record that is not there.
        var checker = await _factory.AsUserAsync("checker1");
        bulk = await checker.BulkAsync("/api/fiat/withdrawals/submit", new { records = new[] { id, "FW00000000000000" } });
        Assert.That(bulk.Select(r => ((bool)r!["ok"]!, (int)r["status"]!)), Is.EqualTo(new[] { (true, 200), (false, 404) }));
        // No review work order for this rule: straight to Withdrawal Pending and, real-time, to direct billing.
        await checker.WaitForStatusAsync(id, "Withdrawal Directly Pending");
    }

    [Test]
    public async Task Numbers_stay_unique_when_many_applications_arrive_at_once()
    {
        _factory.KnownCustomer("C-app-many", known: true);
        var system = _factory.AsSystem();
        var created = await Task.WhenAll(Enumerable.Range(0, 12).Select(_ => system.ApplyAsync("C-app-many", 100m)));
        var numbers = created.Select(r => r.Text("recordNo")).ToList();
        Assert.That(numbers, Is.Unique);
        Assert.That(numbers, Has.All.Match(RecordNumber()));
    }

    [Test]
    public async Task Only_systems_with_the_start_scope_and_operators_with_submit_may_apply_and_bad_input_names_the_field()
    {
        var before = await _factory.SnapshotAsync();
        var body = new { customerId = "C-app-x", currency = "HKD", amount = 100m, bankAccount = "CARD-x" };
        await ApiAssert.ProblemAsync(await _factory.WithKey(FiatOps.ReaderKey).PostAsJsonAsync("/api/fiat/withdrawals", body), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("cs1")).PostAsJsonAsync("/api/fiat/withdrawals", body), HttpStatusCode.Forbidden);
        var maker = await _factory.AsUserAsync("maker1");
        await ApiAssert.ProblemAsync(await maker.PostAsJsonAsync("/api/fiat/withdrawals", new { customerId = "C-app-x", currency = "HKD", amount = 100.123m, bankAccount = "CARD-x" }),
            HttpStatusCode.UnprocessableEntity, "amount");
        await ApiAssert.ProblemAsync(await maker.PostAsJsonAsync("/api/fiat/withdrawals", new { customerId = "C-app-x", currency = "HKD", amount = 100m }),
            HttpStatusCode.UnprocessableEntity, "bankAccount");
        await ApiAssert.ProblemAsync(await maker.PostAsJsonAsync("/api/fiat/withdrawals", new { customerId = "C-app-x", currency = "HKD", amount = 100m, bankAccount = "CARD-x", fee = -1m }),
            HttpStatusCode.UnprocessableEntity, "fee");
        // The repayment link is the flow's own (source: domain): the generic start route refuses it.
        await ApiAssert.ProblemAsync(await _factory.AsSystem().PostAsJsonAsync("/api/definitions/fiat-withdrawal/instances", new
        {
            correlationId = "EXT-app-0",
            input = new { recordNo = "EXT-app-0", customerId = "C-app-x", currency = "HKD", amount = 100m, bankAccount = "CARD-x", repaymentOf = "FW1" },
        }), HttpStatusCode.UnprocessableEntity, "input.repaymentOf");
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "nothing was started");

        // This route has no such field: a caller's repaymentOf is not read.
        var ignored = await maker.PostObjectAsync("/api/fiat/withdrawals", new { customerId = "C-app-x", currency = "HKD", amount = 100m, bankAccount = "CARD-x", repaymentOf = "FW1" });
        Assert.That(ignored["repaymentOf"], Is.Null);

        // The generic start route keeps working for systems (api-contract), with their own correlation id.
        var started = await _factory.AsSystem().PostAsJsonAsync("/api/definitions/fiat-withdrawal/instances", new
        {
            correlationId = "EXT-app-1",
            input = new { recordNo = "EXT-app-1", customerId = "C-app-x", currency = "HKD", amount = 100m, bankAccount = "CARD-x" },
        });
        Assert.That(started.StatusCode, Is.EqualTo(HttpStatusCode.Created), await started.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Reject_in_bulk_needs_a_comment_and_Delete_ends_the_record()
    {
        _factory.KnownCustomer("C-app-rej", known: false);
        var system = _factory.AsSystem();
        var a = (await system.ApplyAsync("C-app-rej", 3_000m)).Text("id");
        var b = (await system.ApplyAsync("C-app-rej", 3_000m)).Text("id");
        var c = (await system.ApplyAsync("C-app-rej", 3_000m)).Text("id");
        foreach (var id in new[] { a, b, c }) await system.WaitForStatusAsync(id, "Pending Submission");
        var maker = await _factory.AsUserAsync("maker1");
        await ApiAssert.ProblemAsync(await maker.PostAsJsonAsync("/api/fiat/withdrawals/reject", new { records = new[] { a, b } }), HttpStatusCode.UnprocessableEntity, "comment");
        var bulk = await maker.BulkAsync("/api/fiat/withdrawals/reject", new { records = new[] { a, b }, comment = "documents missing" });
        Assert.That(bulk.Select(r => (bool)r!["ok"]!), Is.All.True, bulk.ToJsonString());
        var again = await maker.BulkAsync("/api/fiat/withdrawals/reject", new { records = new[] { a }, comment = "twice" });
        Assert.That((int)again[0]!["status"]!, Is.EqualTo(409), "a rejected record has no application task");
        var deleted = await maker.PostObjectAsync($"/api/fiat/withdrawals/{c}/delete", new { comment = "duplicate" });
        Assert.That((deleted.Text("status"), (await maker.RecordAsync(a)).Text("status")), Is.EqualTo(("Deleted", "Rejected")));
        var listed = await maker.GetObjectAsync("/api/fiat/withdrawals?customerId=C-app-rej&status=Rejected");
        Assert.That(listed["total"]!.GetValue<int>(), Is.EqualTo(2));
    }

    [Test]
    public async Task An_edit_applies_only_after_another_person_approves_its_work_order()
    {
        _factory.KnownCustomer("C-app-edit", known: false);
        var id = (await _factory.AsSystem().ApplyAsync("C-app-edit", 3_000m)).Text("id");
        var checker1 = await _factory.AsUserAsync("checker1");
        var record = await checker1.WaitForStatusAsync(id, "Pending Submission");
        var task = record.Text("openTaskId");

        // Side doors: a field the action does not offer, and the generic route's form is the same form.
        var extra = await checker1.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Edit", data = new { amount = 2_000m, channel = "ICBC-001-FPS" } });
        await ApiAssert.ProblemAsync(extra, HttpStatusCode.UnprocessableEntity, "data.channel");
        var tooPrecise = await checker1.PostAsJsonAsync($"/api/fiat/withdrawals/{id}/edit", new { amount = 2_000.001m });
        await ApiAssert.ProblemAsync(tooPrecise, HttpStatusCode.UnprocessableEntity, "data.amount");

        var edited = await checker1.PostObjectAsync($"/api/fiat/withdrawals/{id}/edit", new { amount = 2_500m, remarks = "client confirmed", comment = "by phone" });
        Assert.That((edited.Text("status"), edited["amount"]!.GetValue<decimal>()), Is.EqualTo(("Edit Pending Approval", 3_000m)), "not applied before approval");
        var workOrder = await _factory.WorkOrderTaskAsync(id);
        var own = await checker1.PostAsJsonAsync($"/api/tasks/{workOrder}/complete", new { action = "Approve" });
        Assert.That((await ApiAssert.ProblemAsync(own, HttpStatusCode.Forbidden))["detail"]!.GetValue<string>(), Does.Contain("Four eyes"));
        await (await _factory.AsUserAsync("checker2")).CompleteOkAsync(workOrder, "Approve");
        record = await checker1.WaitForStatusAsync(id, "Pending Submission");
        Assert.That(record["amount"]!.GetValue<decimal>(), Is.EqualTo(2_500m));
        var variables = (await checker1.GetObjectAsync($"/api/instances/{id}"))["variables"]!;
        Assert.That(((string?)variables["remarks"], (string?)variables["editRemarks"]), Is.EqualTo(("client confirmed", (string?)null)));
    }

    [Test]
    public async Task A_client_system_retrying_an_application_gets_the_first_record_back()
    {
        _factory.KnownCustomer("C-app-retry", known: true);
        var system = _factory.AsSystem();
        var body = new { customerId = "C-app-retry", currency = "HKD", amount = 250m, bankAccount = "CARD-r", clientReference = "client-area-42" };
        var first = await system.PostAsJsonAsync("/api/fiat/withdrawals", body);
        var firstRecord = await first.ReadObjectAsync();
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created), firstRecord.ToJsonString());
        var again = await system.PostAsJsonAsync("/api/fiat/withdrawals", body);
        Assert.That((again.StatusCode, (await again.ReadObjectAsync()).Text("id")), Is.EqualTo((HttpStatusCode.OK, firstRecord.Text("id"))));

        // At the same moment: one record, every answer names it.
        var racing = body with { clientReference = "client-area-43" };
        var answers = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => system.PostAsJsonAsync("/api/fiat/withdrawals", racing)));
        var ids = new List<string>();
        foreach (var answer in answers)
        {
            var json = await answer.ReadObjectAsync();
            Assert.That((int)answer.StatusCode, Is.AnyOf(200, 201), json.ToJsonString());
            ids.Add(json.Text("id"));
        }
        Assert.That(ids.Distinct().Count(), Is.EqualTo(1));
        // Another sender's reference is its own.
        var other = await _factory.AsTestSystem().PostAsJsonAsync("/api/fiat/withdrawals", body);
        Assert.That(other.StatusCode, Is.EqualTo(HttpStatusCode.Created), await other.Content.ReadAsStringAsync());
        var listed = await system.GetObjectAsync("/api/fiat/withdrawals?customerId=C-app-retry");
        Assert.That(listed["total"]!.GetValue<int>(), Is.EqualTo(3 + 1), "two records of this sender, one of the other, and the earlier paid one");
    }
}
