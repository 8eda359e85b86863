using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Features.Events;
using ApprovalEngine.Server.Features.WdRequests;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Server.Tests.Trust;

/// <summary>
/// <c>POST /api/events/{name}</c> is no side door (ADR 7), over HTTP on PostgreSQL: people send no events, the WD
/// interrupts fire only through the WD routes (which check wd:client-cancel and wd:5), and the answer lists only the
/// instances the caller may read. Refused calls write nothing.
/// </summary>
public sealed class EventSideDoorTests
{
    /// <summary>A system that may send payment-received and nothing else (no read: scope).</summary>
    private const string EventsOnlyKey = "events-only-system-key";

    private ApiFactory _factory = null!;
    private WdDriver _wd = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        var settings = TrustIdentities.Settings();
        settings["Identities:ApiKeys:7:Name"] = "events-only-system";
        settings["Identities:ApiKeys:7:Key"] = EventsOnlyKey;
        settings["Identities:ApiKeys:7:Scopes:0"] = "events:payment-received";
        _factory = await ApiFactory.PostgresAsync(settings);
        _wd = new WdDriver(_factory);
        await _factory.PublishAsync(TestFlows.WaitForPayment("test-trust-side-door-wait"));
    }

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    /// <summary>A WD request in New/CS started with a correlation id, as the client area starts them.</summary>
    private async Task<(string Id, string Correlation)> WdWithCorrelationAsync()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await _wd.PutAccountAsync(account, customer);
        var correlation = $"wd-{Guid.NewGuid():N}";
        var response = await _wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 100m, currency = "USD", comment = "by phone", correlationId = correlation });
        var card = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), card.ToJsonString());
        return (card.Id(), correlation);
    }

    [TestCase("ClientCancel")]
    [TestCase("MassEditToBackoffice")]
    [TestCase("BankResult")]
    [TestCase("payment-received")]
    public async Task A_supervisor_cannot_send_an_event(string name)
    {
        var (id, correlation) = await WdWithCorrelationAsync();
        var waiting = await _factory.AsApiKey(TrustIdentities.NarrowKey).PostObjectAsync("/api/definitions/test-trust-side-door-wait/instances", new { correlationId = correlation });
        var before = await _factory.SnapshotAsync();

        var response = await (await _wd.AsAsync("supervisor1")).PostAsJsonAsync($"/api/events/{name}", new { correlationId = correlation, payload = new { success = false } });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain($"events:{name}"));

        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        Assert.That((await _wd.CardAsync(id)).Status(), Is.EqualTo("New"));
        Assert.That((await _factory.AsSystem().GetObjectAsync($"/api/instances/{waiting.Text("id")}")).Text("status"), Is.EqualTo("Running"));
    }

    [TestCase("ClientCancel", WdModule.ClientCancelRoute)]
    [TestCase("MassEditToBackoffice", WdModule.MassEditRoute)]
    [TestCase("MassEditToDealing", WdModule.MassEditRoute)]
    public async Task The_dev_key_cannot_fire_a_WD_interrupt_through_the_events_route(string name, string route)
    {
        var (id, correlation) = await WdWithCorrelationAsync();
        var before = await _factory.SnapshotAsync();

        var response = await _factory.AsSystem().PostAsJsonAsync($"/api/events/{name}", new { correlationId = correlation, idempotencyKey = $"k-{name}" });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden, "route");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain(route));

        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "nothing written, not even the idempotency key");
        var card = await _wd.CardAsync(id);
        Assert.That((card.Status(), card.Department()), Is.EqualTo(("New", "CS")));
    }

    [Test]
    public async Task The_WD_routes_still_fire_the_WD_interrupts()
    {
        var (cancelId, _) = await WdWithCorrelationAsync();
        var cancelled = await _factory.AsSystem().PostAsync($"/api/wd-requests/{cancelId}/client-cancel", null);
        Assert.That(cancelled.StatusCode, Is.EqualTo(HttpStatusCode.OK), await cancelled.Content.ReadAsStringAsync());
        Assert.That((await _wd.CardAsync(cancelId)).Status(), Is.EqualTo("CanceledByClient"));

        var (editId, _) = await WdWithCorrelationAsync();
        var edited = await _wd.MassEditAsync(editId, "Backoffice");
        Assert.That((edited.Status(), edited.Department()), Is.EqualTo(("ForwardedToBackoffice", "Backoffice")));
    }

    [Test]
    public async Task A_system_with_the_scope_still_delivers_an_event_and_an_interrupt_of_an_unowned_flow()
    {
        var correlation = $"pay-{Guid.NewGuid():N}";
        var first = await _factory.AsApiKey(TrustIdentities.NarrowKey).PostObjectAsync("/api/definitions/test-trust-side-door-wait/instances", new { correlationId = correlation });
        var paid = await _factory.AsSystem().PostObjectAsync("/api/events/payment-received", new { correlationId = correlation, payload = new { amount = 1 } });
        Assert.That(paid["instances"]!.AsArray().Select(i => i!.GetValue<string>()), Is.EqualTo(new[] { first.Text("id") }));

        var second = await _factory.AsApiKey(TrustIdentities.NarrowKey).PostObjectAsync("/api/definitions/test-trust-side-door-wait/instances", new { correlationId = correlation + "-2" });
        var cancelled = await _factory.AsSystem().PostObjectAsync("/api/events/client-cancelled", new { correlationId = correlation + "-2" });
        Assert.That(cancelled["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That((await _factory.AsSystem().GetObjectAsync($"/api/instances/{second.Text("id")}")).Text("status"), Is.EqualTo("Completed"));
    }

    [Test]
    public async Task A_key_without_a_read_scope_gets_no_instance_ids_in_the_answer()
    {
        var correlation = $"blind-{Guid.NewGuid():N}";
        var started = await _factory.AsApiKey(TrustIdentities.NarrowKey).PostObjectAsync("/api/definitions/test-trust-side-door-wait/instances", new { correlationId = correlation });
        var delivered = await _factory.AsApiKey(EventsOnlyKey).PostObjectAsync("/api/events/payment-received", new { correlationId = correlation, payload = new { amount = 1 } });
        Assert.That(delivered["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(delivered["instances"]!.AsArray(), Is.Empty);
        Assert.That((await _factory.AsSystem().GetObjectAsync($"/api/instances/{started.Text("id")}")).Text("status"), Is.EqualTo("Completed"));
    }

    [Test]
    public void An_owned_definitions_interrupt_without_the_mark_is_still_domain_only()
    {
        var policy = new InterruptPolicy([new WdModule()]);
        // As stored by a release before the via mark.
        Assert.That(policy.DomainRouteOf("wd-request", new InterruptDefinition("ClientCancel", "end_canceled")), Is.EqualTo(WdModule.ClientCancelRoute));
        Assert.That(policy.DomainRouteOf("wd-request", new InterruptDefinition("SomethingNew", "x")), Does.Contain("wd-request"));
        Assert.That(policy.DomainRouteOf("test-flow", new InterruptDefinition("client-cancelled", "x")), Is.Null);
        Assert.That(policy.DomainRouteOf("test-flow", new InterruptDefinition("e", "x", Via: "POST /api/x")), Is.EqualTo("POST /api/x"));
    }
}
