using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Fiat.Config;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

// Expected values read best inline, next to the call they describe.
#pragma warning disable CA1861

namespace ApprovalEngine.Server.Tests.Fiat.Config;

/// <summary>
/// EvaluateFiatApplication, CheckFiatPayout and LoadFiatSettings over HTTP on PostgreSQL with the stored
/// configuration: atomic daily limits under concurrency, idempotent reservations, release, alerts, interception,
/// service windows; and version-1 withdrawals reading the stored channels and history.
/// </summary>
[TestFixture]
public sealed class FiatConfigActivitiesTests
{
    private ApiFactory _factory = null!;
    private HttpClient _supervisor = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        // The version-1 withdrawal flow (what instances stored before version 2 keep running on) is published as
        // fiat-withdrawal here, from a copy of workflows/ where version 1's file stands in for the current one.
        _factory = await ApiFactory.PostgresAsync(new() { ["Engine:WorkflowsPath"] = WorkflowsWithVersion1() });
        _supervisor = await _factory.AsUserAsync("supervisor1");
        await ConfigFlows.PublishAllAsync(_factory);
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    private static string WorkflowsWithVersion1()
    {
        var workflows = ApprovalEngine.Server.Engine.RepositoryPaths.Find(null, AppContext.BaseDirectory, "workflows") ?? throw new DirectoryNotFoundException("workflows/");
        var copy = Directory.CreateTempSubdirectory("fiat-v1-workflows-").FullName;
        foreach (var file in Directory.GetFiles(workflows, "*.json")) File.Copy(file, Path.Combine(copy, Path.GetFileName(file)));
        var v1 = Path.Combine(Path.GetDirectoryName(workflows)!, "tests", "ApprovalEngine.Flows.Tests", "Fiat", "fiat-withdrawal.v1.json");
        File.Copy(v1, Path.Combine(copy, "fiat-withdrawal.json"), overwrite: true);
        return copy;
    }

    private Task<JsonObject> EvaluateAsync(string recordNo, string customer, decimal amount, string currency = "HKD", string bankAccount = "HK-ACC-1", string? bank = null, string? channel = null) =>
        ConfigFlows.RunAsync(_factory, ConfigFlows.Evaluate, recordNo, new { recordNo, customerId = customer, currency, amount, bankAccount, beneficiaryBank = bank, channel });

    private Task<JsonObject> PayoutAsync(string correlation, string channel, decimal amount, string reference, bool @override = false, string currency = "HKD") =>
        ConfigFlows.RunAsync(_factory, ConfigFlows.Payout, correlation, new { channel, currency, amount, reference, @override });

    private async Task<T> FiatAsync<T>(Func<FiatDbContext, Task<T>> query)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await query(scope.ServiceProvider.GetRequiredService<FiatDbContext>());
    }

    private Task<decimal> UsedAsync(string scope) => FiatAsync(db => db.Set<LimitUsage>().Where(u => u.Scope == scope).Select(u => u.Used).ToListAsync()).ContinueWith(t => t.Result.Sum(), TaskScheduler.Default);

    private Task PayingChannelAsync(string account, bool api, decimal? dailyLimit = null, decimal alert = 0m, object? windows = null) =>
        ConfigFlows.PayingChannelAsync(_supervisor, account, api, dailyLimit, alert, windows);

    private async Task<List<(string Kind, string? Reference)>> AlertsAsync(string subject)
    {
        var page = await _supervisor.GetObjectAsync($"/api/fiat/alerts?subject={subject}&pageSize=100");
        return [.. page.Items().Reverse().Select(a => (a!.Text("kind"), a!["reference"]?.GetValue<string>()))];
    }

    [Test]
    public async Task Concurrent_applications_never_overdraw_the_customer_daily_limit()
    {
        // ICBC-001-FPS (seeded): customer daily limit 100,000 HKD; twenty applications of 10,000 arrive at once.
        var runs = await Task.WhenAll(Enumerable.Range(1, 20).Select(i => EvaluateAsync($"CONC-{i:D2}", "C-CONC", 10_000m)));
        var outcomes = runs.Select(r => r.Text("businessStatus")).ToList();
        Assert.That(outcomes.Count(o => o == "AutoReject"), Is.EqualTo(10), string.Join(", ", outcomes));
        Assert.That(runs.Where(r => r.Text("businessStatus") == "AutoReject").SelectMany(r => r.Reasons()), Has.All.Contains("daily limit of 100000"));
        Assert.That(await UsedAsync(DbFiatConfigStore.CustomerScope("C-CONC", "HKD")), Is.EqualTo(100_000m));
        var reserved = await FiatAsync(db => db.Set<LimitReservation>().Where(r => r.Scope == DbFiatConfigStore.CustomerScope("C-CONC", "HKD")).Select(r => r.Amount).ToListAsync());
        Assert.That((reserved.Count, reserved.Sum()), Is.EqualTo((10, 100_000m)));
    }

    [Test]
    public async Task Concurrent_reservations_against_one_limit_admit_exactly_what_fits()
    {
        var store = _factory.Services.GetRequiredService<IFiatConfigStore>();
        var results = await Task.WhenAll(Enumerable.Range(1, 40).Select(i => Task.Run(() => store.ReserveCustomerAsync($"RACE-{i}", "C-RACE", "HKD", 7_000m, 50_000m, CancellationToken.None))));
        Assert.That(results.Count(r => r.Accepted), Is.EqualTo(7));
        Assert.That(results.Where(r => r.Accepted).Select(r => r.UsedAfter).Order(), Is.EqualTo(Enumerable.Range(1, 7).Select(i => i * 7_000m)));
        Assert.That(await UsedAsync(DbFiatConfigStore.CustomerScope("C-RACE", "HKD")), Is.EqualTo(49_000m));

        var bank = await Task.WhenAll(Enumerable.Range(1, 30).Select(i => Task.Run(() => store.ReserveBankAsync($"BRACE-{i}", "RACE-ACCOUNT", 30_000m, 100_000m, false, CancellationToken.None))));
        Assert.That((bank.Count(r => r.Accepted), await UsedAsync(DbFiatConfigStore.BankScope("RACE-ACCOUNT"))), Is.EqualTo((3, 90_000m)));
    }

    [Test]
    public async Task A_second_evaluation_of_the_same_record_replaces_its_reservation()
    {
        var first = await EvaluateAsync("SAME-1", "C-SAME", 30_000m);
        var again = await EvaluateAsync("SAME-1-retry", "C-SAME", 30_000m);
        Assert.That(again.Number("customerUsedToday"), Is.EqualTo(30_000m), "a different record counts the first one");
        var store = _factory.Services.GetRequiredService<IFiatConfigStore>();
        await store.ReserveCustomerAsync("SAME-1", "C-SAME", "HKD", 30_000m, 100_000m, CancellationToken.None);
        await store.ReserveCustomerAsync("SAME-1", "C-SAME", "HKD", 45_000m, 100_000m, CancellationToken.None);
        Assert.That((first.Text("businessStatus"), await UsedAsync(DbFiatConfigStore.CustomerScope("C-SAME", "HKD"))), Is.EqualTo(("ManualWithoutWorkOrder", 75_000m)));
        await store.ReleaseAsync(FiatReservationKinds.Customer, "SAME-1", CancellationToken.None);
        await store.ReleaseAsync(FiatReservationKinds.Customer, "SAME-1", CancellationToken.None);
        Assert.That(await UsedAsync(DbFiatConfigStore.CustomerScope("C-SAME", "HKD")), Is.EqualTo(30_000m));
    }

    [Test]
    public async Task A_withdrawal_that_ends_rejected_gives_its_reservation_back_in_the_same_step()
    {
        var evaluated = await EvaluateAsync("REL-1", "C-REL", 40_000m);
        Assert.That(evaluated.Text("businessStatus"), Is.Not.EqualTo("AutoReject"));
        Assert.That(await UsedAsync(DbFiatConfigStore.CustomerScope("C-REL", "HKD")), Is.EqualTo(40_000m));

        // The record's own flow ends Rejected (60,000 is over the channel's single limit).
        var record = await ConfigFlows.RunAsync(_factory, FiatNames.DefinitionId, "REL-1",
            new { recordNo = "REL-1", customerId = "C-REL", channel = "ICBC-001-FPS", currency = "HKD", amount = 60_000m, bankAccount = "HK-REL" });
        Assert.That(record.Text("businessStatus"), Is.EqualTo("Rejected"));
        Assert.That(await UsedAsync(DbFiatConfigStore.CustomerScope("C-REL", "HKD")), Is.Zero);
        Assert.That(await FiatAsync(db => db.Set<LimitReservation>().CountAsync(r => r.Reference == "REL-1")), Is.Zero);
    }

    [Test]
    public async Task A_cancelled_withdrawal_gives_its_reservation_back()
    {
        await EvaluateAsync("REL-C", "C-RELC", 10_000m);
        var record = await Version1Async("REL-C", "C-RELC", "ICBC-001-FPS", 1_000m);
        Assert.That(record.Text("businessStatus"), Is.EqualTo("Pending Review"));
        Assert.That(await UsedAsync(DbFiatConfigStore.CustomerScope("C-RELC", "HKD")), Is.EqualTo(10_000m));
        var cancelled = await _supervisor.PostAsJsonAsync($"/api/instances/{record.Text("id")}/cancel", new { reason = "Client withdrew the application" });
        Assert.That(cancelled.IsSuccessStatusCode, Is.True, await cancelled.Content.ReadAsStringAsync());
        Assert.That(await UsedAsync(DbFiatConfigStore.CustomerScope("C-RELC", "HKD")), Is.Zero);
    }

    [Test]
    public async Task The_application_reads_history_parameters_and_review_rules_from_the_database()
    {
        await FiatAsync(async db =>
        {
            db.Add(new FiatWithdrawalRecord
            {
                Id = Guid.NewGuid(), RecordNo = "HIST-OLD", CustomerId = "C-HIST", Currency = "HKD", Amount = 5_000m, BeneficiaryAccount = "HK-HIST", ChannelId = "ICBC-001-FPS",
                Policy = "RealTimeSingle", Status = "Completed", BankReference = "BANK-1", BusinessDay = new DateOnly(2026, 1, 5), Finished = true,
                CreatedAt = DateTimeOffset.UnixEpoch, UpdatedAt = DateTimeOffset.UnixEpoch,
            });
            return await db.SaveChangesAsync();
        });
        await _supervisor.PostObjectAsync("/api/fiat/config/withdrawal-parameters", new { clientBank = "Bank of East Asia", currency = "HKD", estimatedArrival = "T+1", fee = 10m });

        var known = await EvaluateAsync("HIST-1", "C-HIST", 1_000m, bankAccount: "HK-HIST", bank: "BANK OF EAST ASIA");
        Assert.That((known.Text("businessStatus"), known.Number("previousWithdrawals"), known["variables"]!["knownBankAccount"]!.GetValue<bool>(), known["variables"]!.Text("channel"), known["variables"]!.Text("policy")),
            Is.EqualTo(("AutoSubmit", 1m, true, "ICBC-001-FPS", "RealTimeSingle")));
        Assert.That((known["variables"]!.Text("estimatedArrival"), known.Number("estimatedFee")), Is.EqualTo(("T+1", 10m)));

        var newAccount = await EvaluateAsync("HIST-2", "C-HIST", 1_000m, bankAccount: "HK-OTHER");
        Assert.That((newAccount.Text("businessStatus"), newAccount.Reasons().Single()), Is.EqualTo(("ManualWithoutWorkOrder", "Review rule 'New beneficiary account' applies.")));
        var big = await EvaluateAsync("HIST-3", "C-HIST", 20_000m, bankAccount: "HK-HIST");
        Assert.That(big.Reasons().Single(), Is.EqualTo("Review rule 'Amount at least 20000 HKD' applies."));
        var euro = await EvaluateAsync("HIST-4", "C-HIST", 20m, currency: "EUR");
        Assert.That(euro.Text("businessStatus"), Is.EqualTo("AutoReject"));
        Assert.That(euro.Reasons(), Is.EqualTo(new[] { "Withdrawals in EUR are switched off.", "No enabled withdrawal channel pays EUR." }));
        Assert.That(await UsedAsync(DbFiatConfigStore.CustomerScope("C-HIST", "EUR")), Is.Zero);
    }

    [Test]
    public async Task The_bank_daily_limit_is_consumed_once_per_reference_alerts_and_holds_what_exceeds_it()
    {
        await PayingChannelAsync("PAY-L1", api: false, dailyLimit: 100_000m, alert: 30_000m);
        Assert.That((await PayoutAsync("L1-a", "PAY-L1-FPS", 40_000m, "P1")).Text("businessStatus"), Is.EqualTo("Proceed"));
        Assert.That((await PayoutAsync("L1-b", "PAY-L1-FPS", 40_000m, "P1")).Text("businessStatus"), Is.EqualTo("Proceed"), "the same reference again");
        Assert.That(await UsedAsync(DbFiatConfigStore.BankScope("PAY-L1")), Is.EqualTo(40_000m));
        var low = await PayoutAsync("L1-c", "PAY-L1-FPS", 40_000m, "P2");
        Assert.That((low.Text("businessStatus"), low.Reasons().Single()), Is.EqualTo(("Proceed", "The paying bank's remaining daily limit is 20000 HKD (alert threshold 30000).")));
        var held = await PayoutAsync("L1-d", "PAY-L1-FPS", 40_000m, "P3");
        Assert.That((held.Text("businessStatus"), await UsedAsync(DbFiatConfigStore.BankScope("PAY-L1"))), Is.EqualTo(("Intercept", 80_000m)));
        var limit = await _supervisor.GetObjectAsync("/api/fiat/config/daily-limits/PAY-L1");
        Assert.That((limit["usedToday"]!.GetValue<decimal>(), limit["remaining"]!.GetValue<decimal>()), Is.EqualTo((80_000m, 20_000m)));

        await ConfigFlows.ApprovedBySecondAsync(_factory, await _supervisor.PostAsJsonAsync("/api/fiat/config/daily-limits/PAY-L1/adjust", new { delta = 50_000m, reason = "Bank allowed more today", rowVersion = limit["rowVersion"]!.GetValue<int>() }));
        Assert.That((await PayoutAsync("L1-e", "PAY-L1-FPS", 40_000m, "P3")).Text("businessStatus"), Is.EqualTo("Proceed"));
        Assert.That((await PayoutAsync("L1-f", "PAY-L1-FPS", 100_000m, "P4", @override: true)).Text("businessStatus"), Is.EqualTo("Proceed"), "a released interception is not refused");
        Assert.That(await UsedAsync(DbFiatConfigStore.BankScope("PAY-L1")), Is.EqualTo(220_000m));
        Assert.That(await AlertsAsync("PAY-L1"), Is.EqualTo(new (string, string?)[]
        {
            ("DailyLimitLow", "P2"), ("DailyLimitExceeded", "P3"), ("DailyLimitLow", "P3"), ("DailyLimitLow", "P4"),
        }));
    }

    [Test]
    public async Task The_balance_interception_rule_intercepts_alerts_and_can_be_disabled()
    {
        await PayingChannelAsync("PAY-B1", api: true);
        await _factory.Services.GetRequiredService<ApprovalEngine.Server.Features.Fiat.Bank.DatabaseBankSandbox>().SetBalanceAsync("PAY-B1-FPS", "HKD", 120_000m, default);
        await _supervisor.PostObjectAsync("/api/fiat/config/interception-rules", new { bankAccountId = "PAY-B1", alertThreshold = 60_000m, interceptionThreshold = 50_000m });

        var intercepted = await PayoutAsync("B1-a", "PAY-B1-FPS", 80_000m, "B1");
        Assert.That((intercepted.Text("businessStatus"), intercepted.Number("bankBalance")), Is.EqualTo(("Intercept", 120_000m)));
        Assert.That(intercepted.Reasons().Single(), Does.Contain("interception threshold of 50000"));
        Assert.That((await PayoutAsync("B1-b", "PAY-B1-FPS", 80_000m, "B1", @override: true)).Text("businessStatus"), Is.EqualTo("Proceed"), "released by finance");
        var lowBalance = await PayoutAsync("B1-c", "PAY-B1-FPS", 65_000m, "B2");
        Assert.That(lowBalance.Text("businessStatus"), Is.EqualTo("Proceed"));
        Assert.That(lowBalance.Reasons().Single(), Does.Contain("alert threshold of 60000 HKD (55000 HKD left)"));

        await ConfigFlows.ApprovedBySecondAsync(_factory, await _supervisor.PostAsJsonAsync("/api/fiat/config/interception-rules/PAY-B1/disable", new { rowVersion = 1 }));
        var unchecked_ = await PayoutAsync("B1-d", "PAY-B1-FPS", 80_000m, "B3");
        Assert.That((unchecked_.Text("businessStatus"), unchecked_["variables"]!["bankBalance"]), Is.EqualTo(("Proceed", (JsonNode?)null)));
        Assert.That(await AlertsAsync("PAY-B1"), Is.EqualTo(new (string, string?)[] { ("BalanceIntercepted", "B1"), ("BalanceIntercepted", "B1"), ("BalanceLow", "B2") }));
    }

    [Test]
    public async Task Outside_the_service_window_the_payout_waits_and_says_when_the_window_opens()
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("Asia/Hong_Kong");
        var now = TimeZoneInfo.ConvertTime(DateTimeOffset.UtcNow, zone);
        var opens = now.AddHours(2);
        var from = new DateTimeOffset(opens.Year, opens.Month, opens.Day, opens.Hour, 0, 0, opens.Offset);
        await PayingChannelAsync("PAY-W1", api: false, windows: new[] { new { days = Array.Empty<string>(), from = from.ToString("HH:mm", CultureInfo.InvariantCulture), to = from.AddHours(1).ToString("HH:mm", CultureInfo.InvariantCulture) } });
        var waiting = await PayoutAsync("W1-a", "PAY-W1-FPS", 1_000m, "W1");
        Assert.That(waiting.Text("businessStatus"), Is.EqualTo("OutsideServiceWindow"));
        Assert.That(DateTimeOffset.Parse(waiting["variables"]!.Text("windowOpensAt"), CultureInfo.InvariantCulture), Is.EqualTo(from));
        Assert.That((await PayoutAsync("W1-b", "PAY-W1-FPS", 1_000m, "W1", @override: true)).Text("businessStatus"), Is.EqualTo("Proceed"));
    }

    [Test]
    public async Task Load_fiat_settings_reads_whether_direct_billing_needs_approval()
    {
        await ConfigFlows.PutConfigAsync(_supervisor, "/api/fiat/config/settings", s => new JsonObject { ["directBillingNeedsApproval"] = true, ["rowVersion"] = s["rowVersion"]!.GetValue<int>() });
        var on = await ConfigFlows.RunAsync(_factory, ConfigFlows.Settings, "SET-1", new { });
        var current = await _supervisor.GetObjectAsync("/api/fiat/config/settings");
        await ConfigFlows.ApprovedBySecondAsync(_factory, await _supervisor.PutAsJsonAsync("/api/fiat/config/settings", new { directBillingNeedsApproval = false, rowVersion = current["rowVersion"]!.GetValue<int>() }));
        var off = await ConfigFlows.RunAsync(_factory, ConfigFlows.Settings, "SET-2", new { });
        Assert.That((on["variables"]!["directBillingNeedsApproval"]!.GetValue<bool>(), off["variables"]!["directBillingNeedsApproval"]!.GetValue<bool>()), Is.EqualTo((true, false)));
    }

    private async Task<JsonObject> Version1Async(string recordNo, string customer, string channel, decimal amount)
    {
        using var client = _factory.AsTestSystem();
        var started = await client.PostObjectAsync($"/api/definitions/{FiatNames.DefinitionId}/instances", new
        {
            correlationId = recordNo, input = new { recordNo, customerId = customer, channel, currency = "HKD", amount, bankAccount = "HK-" + customer },
        });
        JsonObject instance = started;
        Assert.That(await Poll.UntilAsync(async () =>
        {
            instance = await client.GetObjectAsync($"/api/instances/{started.Text("id")}");
            return instance["businessStatus"]?.GetValue<string>() is not (null or "Pending");
        }, TimeSpan.FromSeconds(30)), Is.True, instance.ToJsonString());
        return instance;
    }

    [Test]
    public async Task Version_1_withdrawals_accumulate_the_customer_daily_limit_from_stored_records()
    {
        var first = await Version1Async("V1-ACC-1", "C-V1", "ICBC-001-FPS", 40_000m);
        var second = await Version1Async("V1-ACC-2", "C-V1", "ICBC-001-FPS", 40_000m);
        var third = await Version1Async("V1-ACC-3", "C-V1", "ICBC-001-FPS", 40_000m);
        Assert.That((first.Text("businessStatus"), second.Number("customerUsedToday"), third.Text("businessStatus")), Is.EqualTo(("Pending Review", 40_000m, "Rejected")));
        Assert.That(third["variables"]!.Text("reason"), Does.Contain("daily limit of 100000"));
    }

    [Test]
    public async Task A_configuration_change_reaches_version_1_withdrawals()
    {
        await PayingChannelAsync("V1-CHG", api: false, dailyLimit: 5_000_000m);
        var rule = (await (await _supervisor.GetAsync("/api/fiat/config/withdrawal-rules")).Content.ReadFromJsonAsync<JsonArray>())!.Single(r => r!.Text("channelId") == "V1-CHG-FPS")!;
        await _supervisor.PutObjectAsync($"/api/fiat/config/withdrawal-rules/{rule.Text("id")}", new { channelId = "V1-CHG-FPS", policy = "RealTimeSingle", singleLimit = 30_000m, customerDailyLimit = 1_000_000m, rowVersion = 1 });
        var refused = await Version1Async("V1-CHG-1", "C-CHG", "V1-CHG-FPS", 40_000m);
        Assert.That((refused.Text("businessStatus"), refused["variables"]!.Text("reason")), Is.EqualTo(("Rejected", "Rejected by the automatic rules: The amount exceeds the single-withdrawal limit of 30000 HKD. First withdrawal of the customer. The amount is at or above the review threshold of 20000 HKD. New beneficiary bank account.")));
        // The first run cached the channels (DbWithdrawalChannels); the edit's journal entry makes the next step read them again.
        // A higher limit is a widening: supervisor2 approves supervisor1's proposal (ADR 15).
        var raise = await _supervisor.PutAsJsonAsync($"/api/fiat/config/withdrawal-rules/{rule.Text("id")}", new { channelId = "V1-CHG-FPS", policy = "RealTimeSingle", singleLimit = 50_000m, customerDailyLimit = 1_000_000m, rowVersion = 2 });
        Assert.That(raise.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Accepted));
        using (var second = await _factory.AsUserAsync("supervisor2"))
        {
            await second.PostObjectAsync($"/api/fiat/config/pending-changes/{(await raise.Content.ReadFromJsonAsync<JsonObject>())!.Text("id")}/approve", new { });
        }
        var admitted = await Version1Async("V1-CHG-2", "C-CHG", "V1-CHG-FPS", 40_000m);
        Assert.That((admitted.Text("businessStatus"), admitted.Number("singleLimit"), admitted.Number("channelDailyLimit")), Is.EqualTo(("Pending Review", 50_000m, 5_000_000m)));
    }
}
