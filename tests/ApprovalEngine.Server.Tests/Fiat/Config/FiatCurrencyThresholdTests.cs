using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Tests.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ApprovalEngine.Server.Tests.Fiat.Config;

/// <summary>
/// The second-approval threshold per currency (a default for currencies without their own), V020's upgrade of the
/// single threshold stored before, and the configuration version row that tells every node its channels changed.
/// Over HTTP on PostgreSQL.
/// </summary>
[NonParallelizable]
public sealed class FiatCurrencyThresholdTests
{
    private ApiFactory _factory = null!;
    private HttpClient _supervisor1 = null!;
    private HttpClient _supervisor2 = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await ApiFactory.PostgresAsync(FiatOps.Settings());
        _supervisor1 = await _factory.AsUserAsync("supervisor1");
        _supervisor2 = await _factory.AsUserAsync("supervisor2");
    }

    [OneTimeTearDown]
    public async Task Stop()
    {
        _supervisor1.Dispose();
        _supervisor2.Dispose();
        await _factory.DisposeAsync();
    }

    private static object Body(JsonObject current, decimal? fallback, object? own) => new
    {
        directBillingNeedsApproval = true,
        defaultReviewKind = current.Text("defaultReviewKind"),
        rowVersion = current["rowVersion"]!.GetValue<int>(),
        secondApprovalThreshold = fallback,
        secondApprovalThresholds = own,
    };

    /// <summary>Sets the thresholds, through the second configurer when the change raises one.</summary>
    private async Task<JsonObject> SetAsync(decimal fallback, object own)
    {
        var current = await _supervisor1.GetObjectAsync("/api/fiat/config/settings");
        var response = await _supervisor1.PutAsJsonAsync("/api/fiat/config/settings", Body(current, fallback, own));
        var body = await response.ReadObjectAsync();
        if (response.StatusCode == HttpStatusCode.Accepted) await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{body.Text("id")}/approve", new { });
        else Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        return await _supervisor1.GetObjectAsync("/api/fiat/config/settings");
    }

    [Test]
    public async Task A_currencys_own_threshold_is_validated_and_raising_any_threshold_waits_for_a_second_configurer()
    {
        var settings = await SetAsync(10_000m, new { USD = 5_000m });
        Assert.That(settings["secondApprovalThresholds"]!.ToJsonString(), Is.EqualTo("""{"USD":5000}"""));
        await ApiAssert.ProblemAsync(await _supervisor1.PutAsJsonAsync("/api/fiat/config/settings", Body(settings, null, new Dictionary<string, decimal?> { ["US1"] = 1m })),
            HttpStatusCode.UnprocessableEntity, "secondApprovalThresholds.US1");
        await ApiAssert.ProblemAsync(await _supervisor1.PutAsJsonAsync("/api/fiat/config/settings", Body(settings, null, new Dictionary<string, decimal?> { ["USD"] = -1m })),
            HttpStatusCode.UnprocessableEntity, "secondApprovalThresholds.USD");
        await ApiAssert.ProblemAsync(await _supervisor1.PutAsJsonAsync("/api/fiat/config/settings", Body(settings, null, new Dictionary<string, decimal?> { ["USD"] = null })),
            HttpStatusCode.UnprocessableEntity, "secondApprovalThresholds.USD");
        using (var checker = await _factory.AsUserAsync("checker1"))
        {
            await ApiAssert.ProblemAsync(await checker.PutAsJsonAsync("/api/fiat/config/settings", Body(settings, null, new { USD = 1m })), HttpStatusCode.Forbidden);
        }
        using (var system = _factory.AsSystem())
        {
            await ApiAssert.ProblemAsync(await system.PutAsJsonAsync("/api/fiat/config/settings", Body(settings, null, new { USD = 1m })), HttpStatusCode.Forbidden);
        }

        // Raising USD's own, dropping it (USD falls back to the higher default) or giving HKD one above the default: each waits.
        foreach (var (own, word) in new (object, string)[] { (new { USD = 6_000m }, "USD"), (new { }, "USD"), (new { USD = 5_000m, HKD = 20_000m }, "HKD") })
        {
            var response = await _supervisor1.PutAsJsonAsync("/api/fiat/config/settings", Body(settings, null, own));
            var pending = await response.ReadObjectAsync();
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), pending.ToJsonString());
            Assert.That(pending.Text("summary"), Does.Contain($"second approval in {word}"));
            await ApiAssert.ProblemAsync(await _supervisor1.PostAsJsonAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { }), HttpStatusCode.Forbidden);
        }
        Assert.That((await _supervisor1.GetObjectAsync("/api/fiat/config/settings")).ToJsonString(), Is.EqualTo(settings.ToJsonString()), "one person's raise writes nothing");

        // Lowering one, or adding a currency below the default, applies at once.
        var lowered = await _supervisor1.PutObjectAsync("/api/fiat/config/settings", Body(settings, null, new { USD = 4_000m, HKD = 9_000m }));
        Assert.That(lowered["secondApprovalThresholds"]!.ToJsonString(), Is.EqualTo("""{"HKD":9000,"USD":4000}"""));
        Assert.That(lowered.Number2("secondApprovalThreshold"), Is.EqualTo(10_000m), "absent keeps the default");
    }

    [Test]
    public async Task A_records_work_order_uses_the_threshold_of_its_currency_else_the_default()
    {
        var checker1 = await _factory.AsUserAsync("checker1");
        var checker2 = await _factory.AsUserAsync("checker2");

        // Default 5,000 and USD 1 of its own: a 4,000 HKD record is below HKD's (the default): one checker.
        await SetAsync(5_000m, new { USD = 1m });
        _factory.KnownCustomer("C-ccy-default", known: true);
        var small = (await _factory.AsSystem().ApplyAsync("C-ccy-default", 4_000m)).Text("id");
        await checker1.WaitForStatusAsync(small, "Withdrawal Directly Pending");
        await checker1.CompleteOkAsync(await _factory.WorkOrderTaskAsync(small), "Approve");
        await checker1.WaitForStatusAsync(small, "Paying");

        // HKD 3,000 of its own: the same 4,000 HKD now needs a second, different checker.
        await SetAsync(5_000m, new { USD = 1m, HKD = 3_000m });
        _factory.KnownCustomer("C-ccy-own", known: true);
        var large = (await _factory.AsSystem().ApplyAsync("C-ccy-own", 4_000m)).Text("id");
        await checker1.WaitForStatusAsync(large, "Withdrawal Directly Pending");
        var first = await _factory.WorkOrderTaskAsync(large);
        await checker1.CompleteOkAsync(first, "Approve");
        var second = Guid.Empty;
        Assert.That(await ApiAssert.EventuallyAsync(async () => (second = await _factory.WorkOrderTaskAsync(large)) != first, TimeSpan.FromSeconds(30)), Is.True, "a second approval step");
        Assert.That((await checker1.RecordAsync(large)).Text("status"), Is.EqualTo("Withdrawal Directly Pending"));
        await checker2.CompleteOkAsync(second, "Approve");
        await checker1.WaitForStatusAsync(large, "Paying");
    }

    [Test]
    public async Task A_database_with_the_single_threshold_of_before_keeps_it_as_every_currencys_threshold_after_V020()
    {
        await using var old = await ApiFactory.PostgresAsync(FiatOps.Settings());
        old.CreateClient().Dispose();
        // Back to the schema before V020, with a threshold stored in the single column as the previous release did.
        await using (var connection = new NpgsqlConnection(old.ConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = new NpgsqlCommand("""
                DROP TABLE fiat_second_approval_thresholds; DROP TABLE fiat_config_version; DELETE FROM schema_migrations WHERE version = 20;
                UPDATE fiat_settings SET second_approval_threshold = 7500, row_version = row_version + 1;
                """, connection);
            await cmd.ExecuteNonQueryAsync();
        }
        var journal = await old.QueryAsync(async db => await db.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM fiat_config_journal").SingleAsync());
        await old.DisposeAsync();

        await using var upgraded = ApiFactory.PostgresOn(old.ConnectionString, FiatOps.Settings());
        using var supervisor = await upgraded.AsUserAsync("supervisor1");
        var settings = await supervisor.GetObjectAsync("/api/fiat/config/settings");
        Assert.That((settings.Number2("secondApprovalThreshold"), settings["secondApprovalThresholds"]!.ToJsonString()), Is.EqualTo((7_500m, "{}")));
        var store = upgraded.Services.GetRequiredService<IFiatConfigStore>();
        Assert.That((await store.LoadSettingsAsync(Guid.NewGuid(), CancellationToken.None)).SecondApprovalThreshold, Is.EqualTo(7_500m), "every currency keeps the old threshold");
        await using var scope = upgraded.Services.CreateAsyncScope();
        var fiat = scope.ServiceProvider.GetRequiredService<FiatDbContext>();
        Assert.That(await Features.Fiat.Config.DbWithdrawalChannels.ReadVersionAsync(fiat, CancellationToken.None), Is.EqualTo(journal), "the version starts at the journal's size");
        // Raising it is four-eyed as before.
        var raise = await supervisor.PutAsJsonAsync("/api/fiat/config/settings", Body(settings, 8_000m, null));
        Assert.That(raise.StatusCode, Is.EqualTo(HttpStatusCode.Accepted));
    }

    [Test]
    public async Task A_configuration_change_through_one_server_reaches_the_channels_another_server_cached()
    {
        await using var other = ApiFactory.PostgresOn(_factory.ConnectionString, FiatOps.Settings());
        other.CreateClient().Dispose();
        var here = _factory.Services.GetRequiredService<IWithdrawalChannels>();
        var there = other.Services.GetRequiredService<IWithdrawalChannels>();
        var cached = (await there.GetChannelAsync("ICBC-001-FPS", CancellationToken.None))!;
        await here.GetChannelAsync("ICBC-001-FPS", CancellationToken.None);

        var rule = (await _supervisor1.GetArrayAsync("/api/fiat/config/withdrawal-rules")).Select(r => r!.AsObject()).Single(r => r.Text("channelId") == "ICBC-001-FPS");
        var body = rule.DeepClone().AsObject();
        body["singleLimit"] = cached.SingleLimit - 1m;
        await _supervisor1.PutObjectAsync($"/api/fiat/config/withdrawal-rules/{rule.Text("id")}", body);
        Assert.That((await there.GetChannelAsync("ICBC-001-FPS", CancellationToken.None))!.SingleLimit, Is.EqualTo(cached.SingleLimit - 1m), "the other server reads the change");

        // And back through the other server (raising: proposed there, approved here), seen by this one.
        using var supervisor1There = await other.AsUserAsync("supervisor1");
        var lowered = await supervisor1There.GetObjectAsync($"/api/fiat/config/withdrawal-rules/{rule.Text("id")}");
        var back = lowered.DeepClone().AsObject();
        back["singleLimit"] = cached.SingleLimit;
        var pending = await (await supervisor1There.PutAsJsonAsync($"/api/fiat/config/withdrawal-rules/{rule.Text("id")}", back)).ReadObjectAsync();
        await _supervisor2.PostObjectAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { });
        Assert.That((await there.GetChannelAsync("ICBC-001-FPS", CancellationToken.None))!.SingleLimit, Is.EqualTo(cached.SingleLimit));
        Assert.That((await here.GetChannelAsync("ICBC-001-FPS", CancellationToken.None))!.SingleLimit, Is.EqualTo(cached.SingleLimit));

        // What a step pays for the cache check with a large journal: one primary-key read (measured, not asserted).
        await using (var connection = new NpgsqlConnection(_factory.ConnectionString))
        {
            await connection.OpenAsync();
            await using var fill = new NpgsqlCommand("""
                INSERT INTO fiat_config_journal (at, actor, entity, entity_key, action)
                SELECT now(), 'bulk', 'Bulk', g::text, 'Seed' FROM generate_series(1, 200000) g
                """, connection);
            await fill.ExecuteNonQueryAsync();
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < 200; i++) await here.GetChannelAsync("ICBC-001-FPS", CancellationToken.None);
            var versionRow = watch.Elapsed.TotalMilliseconds / 200;
            watch.Restart();
            for (var i = 0; i < 200; i++)
            {
                await using var count = new NpgsqlCommand("SELECT count(*), max(id) FROM fiat_config_journal", connection);
                await count.ExecuteScalarAsync();
            }
            var journalScan = watch.Elapsed.TotalMilliseconds / 200;
            TestContext.Out.WriteLine($"cached channel read with a 200k-entry journal: {versionRow:0.00} ms per call (version row); the former COUNT(*)+MAX over the journal alone: {journalScan:0.00} ms");
        }
    }
}
