using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Flows.Fiat.Activities;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Tests.Fiat;

/// <summary>The configured activities on <see cref="InMemoryFiatConfigStore"/> (what in-memory flow tests can use); the database store is tested over HTTP.</summary>
public class FiatConfigActivitiesInMemoryTests
{
    private static ExternalCallContext Call(string key) => new(Guid.NewGuid(), "act", key, 1);

    private static async Task<ExternalCallResult> EvaluateAsync(InMemoryFiatConfigStore store, string recordNo, decimal amount, string customer = "C-1") =>
        await new EvaluateFiatApplication(store).CallAsync(new JsonObject
        {
            ["recordNo"] = recordNo, ["customerId"] = customer, ["currency"] = "HKD", ["amount"] = amount, ["bankAccount"] = "HK-1",
        }, Call(recordNo), CancellationToken.None);

    [Test]
    public async Task The_customer_limit_is_reserved_per_record_and_a_retry_replaces_it()
    {
        var store = InMemoryFiatConfigStore.WithDefaults();
        store.History["C-1"] = (2, ["HK-1"]);
        var first = await EvaluateAsync(store, "R-1", 15_000m);
        var retry = await EvaluateAsync(store, "R-1", 15_000m);
        var second = await EvaluateAsync(store, "R-2", 19_000m);
        Assert.That((first.Outcome, retry.Outputs["customerUsedToday"], second.Outputs["customerUsedToday"], first.Outputs["channel"]),
            Is.EqualTo(("AutoSubmit", (object?)0m, (object?)15_000m, (object?)"ICBC-001-FPS")));
        for (var i = 3; i <= 6; i++) await EvaluateAsync(store, $"R-{i}", 15_000m);
        var over = await EvaluateAsync(store, "R-7", 15_000m);
        Assert.That(over.Outcome, Is.EqualTo("AutoReject"), "94,000 used: 15,000 more exceeds 100,000");
    }

    [Test]
    public async Task A_payout_below_the_interception_threshold_is_intercepted_unless_overridden()
    {
        var clock = new ApprovalEngine.Workflows.Hosting.ManualClock(new DateTimeOffset(2026, 3, 10, 8, 0, 0, TimeSpan.Zero));
        var store = InMemoryFiatConfigStore.WithDefaults(clock);
        var bank = InMemoryBankSandbox.WithDefaults(clock);
        bank.SetBalance("ICBC-001-FPS", 140_000m);
        var check = new CheckFiatPayout(store, bank);
        JsonObject Input(bool @override) => new() { ["channel"] = "ICBC-001-FPS", ["currency"] = "HKD", ["amount"] = 45_000m, ["reference"] = "R-9", ["override"] = @override };
        var held = await check.CallAsync(Input(false), Call("k1"), CancellationToken.None);
        var released = await check.CallAsync(Input(true), Call("k2"), CancellationToken.None);
        Assert.That((held.Outcome, released.Outcome), Is.EqualTo(("Intercept", "Proceed")));
        Assert.That(store.Alerts.Select(a => a.Kind), Is.EqualTo(new[] { FiatAlertKinds.BalanceIntercepted, FiatAlertKinds.BalanceIntercepted }));
        Assert.That(store.Used("bank:ICBC-001", new DateOnly(2026, 3, 10)), Is.EqualTo(45_000m));
    }
}
