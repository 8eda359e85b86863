using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Fiat.Review;

/// <summary>Attacker review of issue 12 over HTTP on PostgreSQL: one test per finding.</summary>
public sealed class FiatAttackerReviewTests : FiatPostgresFixture
{
    private async Task<(string Id, string RecordNo)> DirectlyPendingAsync(string customerId, decimal amount = 1_000m)
    {
        Factory.KnownCustomer(customerId, known: true);
        var record = await Factory.AsSystem().ApplyAsync(customerId, amount);
        await (await Factory.AsUserAsync("checker1")).WaitForStatusAsync(record.Text("id"), "Withdrawal Directly Pending");
        return (record.Text("id"), record.Text("recordNo"));
    }

    [Test]
    public async Task A_bank_result_sent_before_the_payout_never_settles_the_later_payout()
    {
        var (id, recordNo) = await DirectlyPendingAsync("C-rev-early");
        // Nothing has been sent to the bank yet; a "failure" now cannot be about this payout: refused, and not kept
        // by the inbox, whether it names no order (422 naming the field) or guesses one (409), on every key.
        var early = await Factory.AsSystem().PostAsJsonAsync("/api/events/BankResult", new { correlationId = recordNo, payload = new { success = false, reason = "forged before the payout" } });
        TestContext.Out.WriteLine($"early BankResult: {(int)early.StatusCode} {await early.Content.ReadAsStringAsync()}");
        await ApiAssert.ProblemAsync(early, HttpStatusCode.UnprocessableEntity, "payload.bankReference");
        foreach (var sender in new[] { Factory.AsSystem(), Factory.WithKey(FiatOps.ReaderKey) })
        {
            var guessed = await sender.PostAsJsonAsync("/api/events/BankResult",
                new { correlationId = recordNo, payload = new { success = false, reason = "guessed", bankReference = "BANK-00000001" }, keepForSeconds = 3600 });
            await ApiAssert.ProblemAsync(guessed, HttpStatusCode.Conflict);
        }
        var kept = await Factory.WithKey(FiatOps.ReaderKey).GetObjectAsync($"/api/events?name=BankResult&correlationId={recordNo}");
        Assert.That(kept["total"]!.GetValue<int>(), Is.Zero, kept.ToJsonString());

        var checker1 = await Factory.AsUserAsync("checker1");
        await checker1.CompleteOkAsync(await Factory.WorkOrderTaskAsync(id), "Approve");
        var paying = await checker1.WaitForStatusAsync(id, "Paying");
        Assert.That(paying["bankReference"], Is.Not.Null);
        // The record must keep waiting for the bank's result for this order; an exception here invites a Resubmit (paid twice).
        var later = await checker1.RecordAsync(id);
        Assert.That(later.Text("status"), Is.EqualTo("Paying"), later.ToJsonString());
    }

    [Test]
    public async Task A_repayment_still_counts_against_the_customers_daily_limit()
    {
        var (id, recordNo) = await DirectlyPendingAsync("C-rev-repay");
        var checker1 = await Factory.AsUserAsync("checker1");
        var checker2 = await Factory.AsUserAsync("checker2");
        await checker1.CompleteOkAsync(await Factory.WorkOrderTaskAsync(id), "Approve");
        await checker1.WaitForStatusAsync(id, "Paying");
        await Factory.BankResultAsync(recordNo, success: false, reason: "wrong beneficiary name");
        await checker1.WaitForStatusAsync(id, "Withdrawal Exception");
        await checker1.BulkAsync("/api/fiat/withdrawals/exceptions/resolve", new { records = new[] { recordNo }, resolution = "Repayment", comment = "pay again" });
        await checker2.BulkAsync("/api/fiat/withdrawals/exceptions/review", new { records = new[] { recordNo }, decision = "Approve" });
        await checker1.WaitForStatusAsync(id, "Failed");
        await checker1.WaitForStatusAsync(recordNo + "-R", "Withdrawal Directly Pending");

        // The repayment will pay the customer 1,000 today: a new application of the same customer must see it.
        var next = await Factory.AsSystem().ApplyAsync("C-rev-repay", 10m);
        JsonNode? used = null;
        Assert.That(await ApiAssert.EventuallyAsync(async () =>
        {
            used = (await checker1.GetObjectAsync($"/api/instances/{next.Text("id")}"))["variables"]!["customerUsedToday"];
            return used is not null;
        }, TimeSpan.FromSeconds(30)), Is.True);
        Assert.That(used!.GetValue<decimal>(), Is.EqualTo(1_000m), "the repayment's 1,000 is not counted: the customer can take the daily limit again");
    }

    /// <summary>Probe, passing today: kept as a guard.</summary>
    [Test]
    public async Task Client_input_never_answers_500_on_the_records_routes()
    {
        var checker1 = await Factory.AsUserAsync("checker1");
        string[] urls =
        [
            "/api/fiat/withdrawals?createdFrom=not-a-date",
            "/api/fiat/withdrawals?amountFrom=abc",
            "/api/fiat/withdrawals?pageSize=1000000",
            "/api/fiat/withdrawals?page=2147483647&pageSize=100",
            "/api/fiat/withdrawals?page=-1",
            "/api/fiat/withdrawals/00000000-0000-0000-0000-000000000000",
            "/api/fiat/withdrawals/%20",
            "/api/fiat/withdrawals/no-such-record/lifecycle",
            "/api/fiat/withdrawals/export.csv?createdFrom=2026-13-45",
            "/api/fiat/withdrawals/cards?currency=' or 1=1 --",
            "/api/fiat/batches?pageSize=1000000",
            "/api/fiat/batches/no-such-batch",
            "/api/fiat/statements/entries?pageSize=1000000",
            "/api/fiat/alerts?pageSize=1000000",
        ];
        var failures = new List<string>();
        foreach (var url in urls)
        {
            var response = await checker1.GetAsync(url);
            if ((int)response.StatusCode >= 500) failures.Add($"{url} -> {(int)response.StatusCode}");
            TestContext.Out.WriteLine($"{url} -> {(int)response.StatusCode}");
        }
        foreach (var (url, body) in new[]
        {
            ("/api/fiat/withdrawals", "{\"customerId\":"),
            ("/api/fiat/withdrawals", "{\"customerId\":\"C-x\",\"currency\":\"HKD\",\"amount\":1e400,\"bankAccount\":\"x\"}"),
            ("/api/fiat/withdrawals", "{\"customerId\":\"C-x\",\"currency\":\"HKD\",\"amount\":\"12\",\"bankAccount\":\"x\"}"),
            ("/api/fiat/withdrawals/submit", "{\"records\":[null]}"),
            ("/api/fiat/withdrawals/exceptions/resolve", "[]"),
            ("/api/fiat/batches", "{\"records\":\"x\"}"),
        })
        {
            var response = await checker1.PostAsync(url, new StringContent(body, System.Text.Encoding.UTF8, "application/json"));
            if ((int)response.StatusCode >= 500) failures.Add($"POST {url} {body} -> {(int)response.StatusCode}");
            TestContext.Out.WriteLine($"POST {url} {body} -> {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}");
        }
        Assert.That(failures, Is.Empty);
    }

    [Test]
    public async Task The_checker_who_approved_the_payout_cannot_also_release_its_interception()
    {
        var supervisor = await Factory.AsUserAsync("supervisor1");
        var limit = await supervisor.GetObjectAsync("/api/fiat/config/daily-limits/ICBC-001");
        // Today's remaining bank limit is below the payout: the payout is intercepted.
        await supervisor.PutObjectAsync("/api/fiat/config/daily-limits/ICBC-001", new { limit = 1m, alertThreshold = 0m, rowVersion = limit["rowVersion"]!.GetValue<int>() });
        var (id, _) = await DirectlyPendingAsync("C-rev-release");
        var checker1 = await Factory.AsUserAsync("checker1");
        await checker1.CompleteOkAsync(await Factory.WorkOrderTaskAsync(id), "Approve");
        var intercepted = await checker1.WaitForStatusAsync(id, "Intercepted");

        var release = await checker1.PostAsJsonAsync($"/api/tasks/{intercepted.Text("openTaskId")}/complete", new { action = "Release" });
        TestContext.Out.WriteLine($"release by the approver: {(int)release.StatusCode} {await release.Content.ReadAsStringAsync()}");
        // Refused by the Release action's guard (409, the guard's four-eyes message), nothing written.
        Assert.That((int)release.StatusCode, Is.AnyOf(403, 409), "the person who approved the payout overrides the bank limit alone");
        Assert.That(await release.Content.ReadAsStringAsync(), Does.Contain("Four eyes"));
        Assert.That((await checker1.RecordAsync(id)).Text("status"), Is.EqualTo("Intercepted"));
        var checker2 = await Factory.AsUserAsync("checker2");
        await checker2.CompleteOkAsync(Guid.Parse(intercepted.Text("openTaskId")), "Release");
        await checker2.WaitForStatusAsync(id, "Paying");
    }

    /// <summary>Probe: only fiat:configure changes the configuration, a stale rowVersion is refused, and the change is journaled.</summary>
    [Test]
    public async Task Configuration_changes_need_the_right_and_a_fresh_version_and_are_journaled()
    {
        var supervisor = await Factory.AsUserAsync("supervisor1");
        var settings = await supervisor.GetObjectAsync("/api/fiat/config/settings");
        var version = settings["rowVersion"]!.GetValue<int>();
        var body = new { directBillingNeedsApproval = false, defaultReviewKind = settings.Text("defaultReviewKind"), rowVersion = version };
        foreach (var client in new[] { await Factory.AsUserAsync("checker1"), await Factory.AsUserAsync("maker1"), Factory.AsSystem(), Factory.WithKey(FiatOps.ReaderKey) })
        {
            var refused = await client.PutAsJsonAsync("/api/fiat/config/settings", body);
            Assert.That((int)refused.StatusCode, Is.AnyOf(401, 403), await refused.Content.ReadAsStringAsync());
        }
        var stale = await supervisor.PutAsJsonAsync("/api/fiat/config/settings", body with { rowVersion = version - 1 });
        Assert.That((int)stale.StatusCode, Is.AnyOf(409, 412, 422), await stale.Content.ReadAsStringAsync());
        Assert.That((await supervisor.GetObjectAsync("/api/fiat/config/settings"))["directBillingNeedsApproval"]!.GetValue<bool>(), Is.True, "nothing written");
        // The journal's seed entry states what was written (it said false while the row held true).
        var journal = (await supervisor.GetObjectAsync("/api/fiat/config/journal?pageSize=100"))["items"]!.AsArray();
        var seeded = journal.Single(e => e!.Text("entity") == "Settings" && e.Text("action") == "Seed")!;
        Assert.That(seeded["after"]!["directBillingNeedsApproval"]!.GetValue<bool>(), Is.EqualTo(settings["directBillingNeedsApproval"]!.GetValue<bool>()), seeded.ToJsonString());
    }
}
