using ApprovalEngine.Server.Features.Fiat.Config;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using ApprovalEngine.Server.Features.Fiat.Records;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

// Expected values read best inline, next to the call they describe.
#pragma warning disable CA1861

namespace ApprovalEngine.Server.Tests.Fiat.Config;

/// <summary>The customer's daily limit counts per business day in Hong Kong, not per UTC day.</summary>
[TestFixture]
public sealed class FiatBusinessDayTests
{
    [Test]
    public async Task Usage_at_23_30_and_00_30_Hong_Kong_time_counts_on_two_business_days()
    {
        // 2026-03-10 15:30 UTC = 23:30 HKT on the 10th; one hour later it is the 11th in Hong Kong and still the 10th in UTC.
        var clock = new TestClock(new DateTimeOffset(2026, 3, 10, 15, 30, 0, TimeSpan.Zero));
        // Only the business clock is moved: sign-in tokens and the engine keep the real time.
        await using var factory = (await ApiFactory.PostgresAsync()).WithServices(s => s.AddSingleton(sp => new FiatClock(clock, sp.GetRequiredService<IConfiguration>())));
        await ConfigFlows.PublishAllAsync(factory);
        Task<System.Text.Json.Nodes.JsonObject> Apply(string recordNo) => ConfigFlows.RunAsync(factory, ConfigFlows.Evaluate, recordNo,
            new { recordNo, customerId = "C-DAY", currency = "HKD", amount = 40_000m, bankAccount = "HK-DAY" });

        var late = new[] { await Apply("DAY-1"), await Apply("DAY-2") };
        clock.Set(new DateTimeOffset(2026, 3, 10, 16, 30, 0, TimeSpan.Zero));
        var early = new[] { await Apply("DAY-3"), await Apply("DAY-4"), await Apply("DAY-5") };

        Assert.That(late.Concat(early).Select(r => r.Number("customerUsedToday")), Is.EqualTo(new[] { 0m, 40_000m, 0m, 40_000m, 80_000m }));
        Assert.That(early.Select(r => r.Text("businessStatus") == "AutoReject"), Is.EqualTo(new[] { false, false, true }), "the third of the new day exceeds 100,000");
        var store = factory.Services.GetRequiredService<Flows.Fiat.IFiatConfigStore>();
        var probe = await store.ReserveCustomerAsync("DAY-PROBE", "C-DAY", "HKD", 0m, 100_000m, CancellationToken.None);
        Assert.That((probe.BusinessDay, probe.UsedBefore), Is.EqualTo((new DateOnly(2026, 3, 11), 80_000m)));
        Assert.That(DbFiatConfigStore.CustomerScope("C-DAY", "hkd"), Is.EqualTo("customer:HKD:C-DAY"));
    }
}
