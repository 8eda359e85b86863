using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Trust;

namespace ApprovalEngine.Server.Tests.Crypto;

/// <summary>
/// Rights of the crypto deposit record over HTTP on PostgreSQL (issue 13, ADR 16): Cancel, Request refund and Delete
/// each need their own permission, whatever route or identity tries; the generic instance cancel is no way around them;
/// a Credited deposit has no close and stays refundable.
/// </summary>
public sealed class DepositRightsApiTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private ApiFactory _factory = null!;
    private int _next;

    [OneTimeSetUp]
    public async Task Start() => _factory = await ApiFactory.PostgresAsync(TrustIdentities.Settings());

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    /// <summary>A BTC deposit a system reports (3 confirmations credit it), the refund address verified for the customer.</summary>
    private async Task<(string Id, string RecordNo)> DepositAsync()
    {
        var recordNo = $"CDR-{Interlocked.Increment(ref _next)}-{Guid.NewGuid():N}"[..24];
        var system = _factory.AsSystem();
        var added = await system.PostAsJsonAsync($"/api/sandbox/wallets/SA-{recordNo}/verified-addresses", new { coin = "BTC", network = "BTC", address = "bc1qrefund" });
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK), await added.Content.ReadAsStringAsync());
        var started = await system.PostObjectAsync("/api/definitions/crypto-deposit/instances", new
        {
            correlationId = recordNo,
            input = new { recordNo, securitiesAccount = $"SA-{recordNo}", coin = "BTC", network = "BTC", amount = 0.25m, txid = $"tx-{recordNo}" },
        });
        var id = started.Text("id");
        Assert.That(await OpenTaskAsync(id, "cancelTask"), Is.Not.Null, "the record never reached Wallet Address Under Verification");
        return (id, recordNo);
    }

    private async Task<(string Id, string TaskId)> CreditedAsync()
    {
        var (id, recordNo) = await DepositAsync();
        var delivered = await _factory.AsSystem().PostObjectAsync("/api/events/BlockConfirmations", new { correlationId = $"tx-{recordNo}", payload = new { confirmations = 3 } });
        Assert.That(delivered["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        var task = await OpenTaskAsync(id, "credited");
        Assert.That(task, Is.Not.Null, "the deposit was not credited");
        return (id, task!);
    }

    private async Task<string?> OpenTaskAsync(string instanceId, string activityId)
    {
        string? found = null;
        await ApiAssert.EventuallyAsync(async () =>
        {
            found = (await InstanceAsync(instanceId))["openTasks"]!.AsArray().FirstOrDefault(t => t.Text("activityId") == activityId)?.Text("id");
            return found is not null;
        }, Bound);
        return found;
    }

    private Task<JsonObject> InstanceAsync(string id) => _factory.AsSystem().GetObjectAsync($"/api/instances/{id}");

    private static Task<HttpResponseMessage> CompleteAsync(HttpClient client, string taskId, string action, string? comment = null, object? data = null) =>
        client.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { action, comment, data });

    /// <summary>Every way in that is not the action's own permission: the old operations right alone, no permission,
    /// another department, an all-department supervisor, API keys with and without scopes.</summary>
    private async Task<IEnumerable<(string Who, HttpClient Client)>> OutsidersAsync() =>
    [
        ("makerchecker1 (workorders:approve only)", await _factory.AsUserAsync(TrustIdentities.MakerChecker)),
        ("maker1 (Operations, no permission)", await _factory.AsUserAsync("maker1")),
        ("cs1 (another department)", await _factory.AsUserAsync("cs1")),
        ("supervisor1 (all departments)", await _factory.AsUserAsync("supervisor1")),
        ("dev-system key", _factory.AsSystem()),
        ("bare key", _factory.AsApiKey(TrustIdentities.BareKey)),
    ];

    [Test]
    public async Task Cancelling_a_deposit_needs_the_cancel_permission_through_the_task_and_the_generic_cancel_route_refuses_it()
    {
        var (id, _) = await DepositAsync();
        var task = (await OpenTaskAsync(id, "cancelTask"))!;
        var before = await _factory.SnapshotAsync();
        foreach (var (who, client) in await OutsidersAsync())
        {
            using var refused = await CompleteAsync(client, task, "Cancel", "Duplicate user request");
            Assert.That((int)refused.StatusCode, Is.EqualTo(403).Or.EqualTo(401), $"{who}: {await refused.Content.ReadAsStringAsync()}");
        }
        foreach (var client in new[] { await _factory.AsUserAsync("supervisor1"), _factory.AsSystem() })
        {
            using var generic = await client.PostAsJsonAsync($"/api/instances/{id}/cancel", new { reason = "abnormal application" });
            var problem = await ApiAssert.ProblemAsync(generic, HttpStatusCode.Forbidden, "route");
            Assert.That(problem.Text("detail"), Does.Contain("Cancel or Delete action"));
        }
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "a refused cancel writes nothing");

        using var cancelled = await CompleteAsync(await _factory.AsUserAsync("checker2"), task, "Cancel", "Duplicate user request");
        Assert.That(cancelled.StatusCode, Is.EqualTo(HttpStatusCode.OK), await cancelled.Content.ReadAsStringAsync());
        var instance = await InstanceAsync(id);
        Assert.That((instance.Text("status"), instance.Text("businessStatus"), instance["variables"].Text("cancelledBy")), Is.EqualTo(("Completed", "Cancelled", "checker2")));
    }

    [Test]
    public async Task Deleting_an_abnormal_application_needs_the_delete_permission_and_ends_it_as_Deleted_with_the_reason()
    {
        var (id, _) = await DepositAsync();
        var task = (await OpenTaskAsync(id, "cancelTask"))!;
        var before = await _factory.SnapshotAsync();
        var checker2 = await _factory.AsUserAsync("checker2"); // may cancel, may not delete
        using (var refused = await CompleteAsync(checker2, task, "Delete", "abnormal"))
        {
            var problem = await ApiAssert.ProblemAsync(refused, HttpStatusCode.Forbidden);
            Assert.That(problem.Text("detail"), Does.Contain("crypto-deposit:delete"));
        }
        foreach (var (who, client) in await OutsidersAsync())
        {
            using var refused = await CompleteAsync(client, task, "Delete", "abnormal");
            Assert.That((int)refused.StatusCode, Is.EqualTo(403).Or.EqualTo(401), $"{who}: {await refused.Content.ReadAsStringAsync()}");
        }
        var checker1 = await _factory.AsUserAsync("checker1");
        using (var noReason = await CompleteAsync(checker1, task, "Delete"))
        {
            await ApiAssert.ProblemAsync(noReason, HttpStatusCode.UnprocessableEntity, "comment");
        }
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "a refused delete writes nothing");

        using var deleted = await CompleteAsync(checker1, task, "Delete", "Replayed client request");
        Assert.That(deleted.StatusCode, Is.EqualTo(HttpStatusCode.OK), await deleted.Content.ReadAsStringAsync());
        var instance = await InstanceAsync(id);
        Assert.That((instance.Text("status"), instance.Text("businessStatus"), instance["variables"].Text("deletedBy"), instance["variables"].Text("deleteReason")),
            Is.EqualTo(("Completed", "Deleted", "checker1", "Replayed client request")));
    }

    [Test]
    public async Task Requesting_a_refund_needs_the_refund_permission_and_a_Credited_deposit_cannot_be_closed_so_it_stays_refundable()
    {
        var (id, task) = await CreditedAsync();
        var before = await _factory.SnapshotAsync();
        foreach (var (who, client) in await OutsidersAsync())
        {
            using var refused = await CompleteAsync(client, task, "RequestRefund", data: new { refundAddress = "bc1qrefund" });
            Assert.That((int)refused.StatusCode, Is.EqualTo(403).Or.EqualTo(401), $"{who}: {await refused.Content.ReadAsStringAsync()}");
        }
        var checker1 = await _factory.AsUserAsync("checker1");
        using (var close = await CompleteAsync(checker1, task, "Close"))
        {
            Assert.That((int)close.StatusCode, Is.InRange(400, 499), await close.Content.ReadAsStringAsync());
        }
        using (var generic = await (await _factory.AsUserAsync("supervisor1")).PostAsJsonAsync($"/api/instances/{id}/cancel", new { reason = "close it" }))
        {
            await ApiAssert.ProblemAsync(generic, HttpStatusCode.Forbidden, "route");
        }
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "nothing closed or refunded the deposit");

        // The refund work order is rejected: the record is Credited again, and refundable again.
        using (var requested = await CompleteAsync(checker1, task, "RequestRefund", data: new { refundAddress = "bc1qrefund" }))
        {
            Assert.That(requested.StatusCode, Is.EqualTo(HttpStatusCode.OK), await requested.Content.ReadAsStringAsync());
        }
        var checker2 = await _factory.AsUserAsync("checker2");
        string? workOrderTask = null;
        Assert.That(await ApiAssert.EventuallyAsync(async () =>
        {
            workOrderTask = (await checker2.GetObjectAsync("/api/tasks?department=Operations")).Items()
                .FirstOrDefault(t => t.Text("definitionId") == "work-order-approval")?.Text("id");
            return workOrderTask is not null;
        }, Bound), Is.True, "no refund work order");
        using (var rejected = await CompleteAsync(checker2, workOrderTask!, "Reject", "Identity not confirmed"))
        {
            Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.OK), await rejected.Content.ReadAsStringAsync());
        }
        var again = await OpenTaskAsync(id, "credited");
        Assert.That(again, Is.Not.Null, "the deposit is not Credited again");
        using var second = await CompleteAsync(checker2, again!, "RequestRefund", data: new { refundAddress = "bc1qrefund" });
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK), await second.Content.ReadAsStringAsync());
        Assert.That((await InstanceAsync(id)).Text("businessStatus"), Is.EqualTo("Refund Pending Approval"));
    }
}
