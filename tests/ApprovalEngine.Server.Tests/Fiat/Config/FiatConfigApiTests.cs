using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

// Expected values read best inline, next to the call they describe.
#pragma warning disable CA1861

namespace ApprovalEngine.Server.Tests.Fiat.Config;

/// <summary>The fiat configuration routes over HTTP on PostgreSQL: rights, validation, stale edits, journal, history.</summary>
[TestFixture]
public sealed class FiatConfigApiTests
{
    private ApiFactory _factory = null!;
    private HttpClient _supervisor = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _supervisor = await _factory.AsUserAsync("supervisor1");
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    private async Task<int> JournalCountAsync()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<FiatDbContext>().Set<Features.Fiat.Config.ConfigJournalEntry>().CountAsync();
    }

    private async Task<JsonObject> CreateAccountAsync(string id, bool api = true, string currency = "HKD") =>
        await _supervisor.PostObjectAsync("/api/fiat/config/bank-accounts", new { id, bankName = "Bank " + id, bic = "BANKHKHH", accountNo = "ACC-" + id, accountName = "Broker", currency, apiIntegrated = api });

    [Test]
    public async Task The_sandbox_channels_are_seeded_once_and_journaled_as_the_seed()
    {
        var channels = (await (await _supervisor.GetAsync("/api/fiat/config/channels")).Content.ReadFromJsonAsync<JsonArray>())!;
        Assert.That(channels.Select(c => c!.Text("id")), Is.SupersetOf(new[] { "HSBC-002-WIRE", "ICBC-001-FPS" }));
        var rules = (await (await _supervisor.GetAsync("/api/fiat/config/withdrawal-rules")).Content.ReadFromJsonAsync<JsonArray>())!;
        var hsbc = rules.Single(r => r!.Text("channelId") == "HSBC-002-WIRE")!;
        Assert.That((hsbc.Text("policy"), hsbc.Text("packingCron"), hsbc["singleLimit"]!.GetValue<decimal>(), hsbc["customerDailyLimit"]!.GetValue<decimal>()),
            Is.EqualTo(("TimedPacking", "0 0 16 ? * *", 200_000m, 500_000m)));
        var seeded = await _supervisor.GetObjectAsync("/api/fiat/config/journal?actor=system:seed&entity=Channel");
        Assert.That(seeded["total"]!.GetValue<int>(), Is.EqualTo(2));

        // A second start-up seeds nothing again.
        await using var scope = _factory.Services.CreateAsyncScope();
        var added = await Features.Fiat.Config.ConfigSeed.SeedAsync(scope.ServiceProvider.GetRequiredService<FiatDbContext>(), DateTimeOffset.UnixEpoch, CancellationToken.None);
        Assert.That(added, Is.Zero);
    }

    [TestCase("maker1")]
    [TestCase("checker1")]
    public async Task Operations_staff_read_the_configuration_but_cannot_change_it(string user)
    {
        var client = await _factory.AsUserAsync(user);
        Assert.That((await client.GetAsync("/api/fiat/config/daily-limits")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var before = await JournalCountAsync();
        var refused = await client.PostAsJsonAsync("/api/fiat/config/currencies", new { code = "EUR", withdrawalEnabled = true });
        await ApiAssert.ProblemAsync(refused, HttpStatusCode.Forbidden);
        Assert.That(await JournalCountAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task People_outside_operations_cannot_read_it()
    {
        var cs = await _factory.AsUserAsync("cs1");
        await ApiAssert.ProblemAsync(await cs.GetAsync("/api/fiat/config/channels"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _factory.AsSystem().GetAsync("/api/fiat/alerts"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_channel_and_its_rule_are_created_and_every_change_is_journaled_with_before_and_after()
    {
        await CreateAccountAsync("CFG-A1");
        var channel = await _supervisor.PostObjectAsync("/api/fiat/config/channels", new { id = "CFG-A1-CHQ", bankAccountId = "CFG-A1", method = "Cheque Transfer", isCheque = true, automaticStatus = false });
        Assert.That((channel.Text("currency"), channel["isCheque"]!.GetValue<bool>(), channel["rowVersion"]!.GetValue<int>()), Is.EqualTo(("HKD", true, 1)));
        var rule = await _supervisor.PostObjectAsync("/api/fiat/config/withdrawal-rules", new
        {
            channelId = "CFG-A1-CHQ", policy = "BatchAuto", packingCron = "0 30 10 ? * MON-FRI", singleLimit = 15_000m, customerDailyLimit = 20_000m,
            serviceWindows = new[] { new { days = new[] { "Mon", "tuesday" }, from = "09:00", to = "17:30" } }, supportedBanks = new[] { "HSBC", "BOC" },
        });
        var edited = await _supervisor.PutObjectAsync($"/api/fiat/config/withdrawal-rules/{rule.Text("id")}", new
        {
            channelId = "CFG-A1-CHQ", policy = "BatchAuto", packingCron = "0 30 10 ? * MON-FRI", singleLimit = 10_000m, customerDailyLimit = 20_000m,
            serviceWindows = rule["serviceWindows"], supportedBanks = new[] { "HSBC" }, rowVersion = 1,
        });
        Assert.That((edited["singleLimit"]!.GetValue<decimal>(), edited["rowVersion"]!.GetValue<int>(), edited["serviceWindows"]![0]!["days"]![1]!.GetValue<string>()), Is.EqualTo((10_000m, 2, "Tue")), "narrowing a rule applies at once");

        var journal = await _supervisor.GetObjectAsync($"/api/fiat/config/journal?entity=WithdrawalRule&key={rule.Text("id")}");
        Assert.That(journal["total"]!.GetValue<int>(), Is.EqualTo(2));
        var edit = journal.Items()[0]!;
        Assert.That((edit.Text("action"), edit.Text("actor"), edit["before"]!["singleLimit"]!.GetValue<decimal>(), edit["after"]!["singleLimit"]!.GetValue<decimal>()),
            Is.EqualTo(("Edit", "supervisor1", 15_000m, 10_000m)));
        Assert.That(edit["after"]!["supportedBanks"]!.AsArray().Select(b => b!.GetValue<string>()), Is.EqualTo(new[] { "HSBC" }));
    }

    [Test]
    public async Task Bad_rule_input_is_a_422_naming_each_field_and_writes_nothing()
    {
        await CreateAccountAsync("CFG-B1");
        await _supervisor.PostObjectAsync("/api/fiat/config/channels", new { id = "CFG-B1-FPS", bankAccountId = "CFG-B1", method = "FPS" });
        var before = await JournalCountAsync();
        var response = await _supervisor.PostAsJsonAsync("/api/fiat/config/withdrawal-rules", new
        {
            channelId = "CFG-B1-FPS", policy = "TimedPacking", packingCron = "0 0 25 * * ?", singleLimit = -1m, customerDailyLimit = 0m,
            serviceWindows = new[] { new { days = new[] { "Funday" }, from = "9am", to = "17:00" } },
        });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, "packingCron");
        var fields = problem["errors"]!.AsObject().Select(e => e.Key).ToList();
        Assert.That(fields, Is.SupersetOf(new[] { "packingCron", "singleLimit", "customerDailyLimit", "serviceWindows[0].days", "serviceWindows[0].from" }));

        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync("/api/fiat/config/withdrawal-rules", new { channelId = "CFG-B1-FPS", policy = "BatchAuto", singleLimit = 1m, customerDailyLimit = 1m }),
            HttpStatusCode.UnprocessableEntity, "packingCron");
        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync("/api/fiat/config/withdrawal-rules", new { channelId = "CFG-B1-FPS", policy = "Sometimes", singleLimit = 1m, customerDailyLimit = 1m }),
            HttpStatusCode.UnprocessableEntity, "policy");
        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync("/api/fiat/config/channels", new { id = "bad id!", bankAccountId = "NOPE", method = "" }),
            HttpStatusCode.UnprocessableEntity, "id");
        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync("/api/fiat/config/currencies", new { code = "hk", withdrawalEnabled = true }),
            HttpStatusCode.UnprocessableEntity, "code");
        Assert.That(await JournalCountAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task An_edit_based_on_a_stale_row_version_is_a_409_and_changes_nothing()
    {
        await _supervisor.PostObjectAsync("/api/fiat/config/currencies", new { code = "SGD", withdrawalEnabled = false });
        await _supervisor.PutObjectAsync("/api/fiat/config/currencies/SGD", new { withdrawalEnabled = true, rowVersion = 1 });
        var stale = await _supervisor.PutAsJsonAsync("/api/fiat/config/currencies/SGD", new { withdrawalEnabled = false, rowVersion = 1 });
        await ApiAssert.ProblemAsync(stale, HttpStatusCode.Conflict, "rowVersion");
        var missing = await _supervisor.PutAsJsonAsync("/api/fiat/config/currencies/SGD", new { withdrawalEnabled = false });
        await ApiAssert.ProblemAsync(missing, HttpStatusCode.UnprocessableEntity, "rowVersion");
        var list = (await (await _supervisor.GetAsync("/api/fiat/config/currencies")).Content.ReadFromJsonAsync<JsonArray>())!;
        var sgd = list.Single(c => c!.Text("code") == "SGD")!;
        Assert.That((sgd["withdrawalEnabled"]!.GetValue<bool>(), sgd["rowVersion"]!.GetValue<int>()), Is.EqualTo((true, 2)));
    }

    [Test]
    public async Task Daily_limits_are_added_edited_adjusted_and_deleted_with_a_full_change_history()
    {
        await CreateAccountAsync("CFG-D1");
        var added = await _supervisor.PostObjectAsync("/api/fiat/config/daily-limits", new { bankAccountId = "CFG-D1", limit = 500_000m, alertThreshold = 50_000m });
        Assert.That((added["remaining"]!.GetValue<decimal>(), added["usedToday"]!.GetValue<decimal>()), Is.EqualTo((500_000m, 0m)));
        // Raising a limit weakens a control: a second configurer approves it (ADR 15).
        await ConfigFlows.ApprovedBySecondAsync(_factory, await _supervisor.PutAsJsonAsync("/api/fiat/config/daily-limits/CFG-D1", new { limit = 600_000m, alertThreshold = 60_000m, rowVersion = 1 }));
        await ConfigFlows.ApprovedBySecondAsync(_factory, await _supervisor.PostAsJsonAsync("/api/fiat/config/daily-limits/CFG-D1/adjust", new { delta = 100_000m, reason = "Bank raised the limit for month end", rowVersion = 2 }));
        Assert.That((await _supervisor.GetObjectAsync("/api/fiat/config/daily-limits/CFG-D1"))["limit"]!.GetValue<decimal>(), Is.EqualTo(700_000m));
        var down = await _supervisor.PostObjectAsync("/api/fiat/config/daily-limits/CFG-D1/adjust", new { delta = -250_000m, reason = "Back to normal", rowVersion = 3 });
        Assert.That(down["limit"]!.GetValue<decimal>(), Is.EqualTo(450_000m));

        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync("/api/fiat/config/daily-limits/CFG-D1/adjust", new { delta = -1_000_000m, reason = "x", rowVersion = 4 }), HttpStatusCode.UnprocessableEntity, "delta");
        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync("/api/fiat/config/daily-limits/CFG-D1/adjust", new { delta = 5m, rowVersion = 4 }), HttpStatusCode.UnprocessableEntity, "reason");
        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync("/api/fiat/config/daily-limits", new { bankAccountId = "CFG-D1", limit = 1m, alertThreshold = 5m }), HttpStatusCode.UnprocessableEntity, "alertThreshold");
        await ConfigFlows.ApprovedBySecondAsync(_factory, await _supervisor.DeleteAsync("/api/fiat/config/daily-limits/CFG-D1?rowVersion=4&reason=Account%20closed"));
        await ApiAssert.ProblemAsync(await _supervisor.GetAsync("/api/fiat/config/daily-limits/CFG-D1"), HttpStatusCode.NotFound);

        var changes = await _supervisor.GetObjectAsync("/api/fiat/config/daily-limit-changes?bankAccountId=CFG-D1");
        var rows = changes.Items().Select(c => (c!.Text("action"), c!["limitBefore"]?.GetValue<decimal>(), c["limitAfter"]?.GetValue<decimal>(), c.Text("actor"))).Reverse().ToList();
        Assert.That(rows, Is.EqualTo(new (string, decimal?, decimal?, string)[]
        {
            ("Add", null, 500_000m, "supervisor1"),
            ("Edit", 500_000m, 600_000m, "supervisor2"),
            ("AdjustUp", 600_000m, 700_000m, "supervisor2"),
            ("AdjustDown", 700_000m, 450_000m, "supervisor1"),
            ("Delete", 450_000m, null, "supervisor2"),
        }));
        Assert.That(changes.Items()[1]!.Text("reason"), Is.EqualTo("Back to normal"));
    }

    [Test]
    public async Task Interception_rules_exist_only_for_api_accounts_and_are_enabled_and_disabled_with_the_journal()
    {
        await CreateAccountAsync("CFG-I1", api: false);
        await CreateAccountAsync("CFG-I2", api: true);
        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync("/api/fiat/config/interception-rules", new { bankAccountId = "CFG-I1", alertThreshold = 10m, interceptionThreshold = 5m }),
            HttpStatusCode.UnprocessableEntity, "bankAccountId");
        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync("/api/fiat/config/interception-rules", new { bankAccountId = "CFG-I2", alertThreshold = 1m, interceptionThreshold = 5m }),
            HttpStatusCode.UnprocessableEntity, "alertThreshold");
        await _supervisor.PostObjectAsync("/api/fiat/config/interception-rules", new { bankAccountId = "CFG-I2", alertThreshold = 100_000m, interceptionThreshold = 50_000m });
        await ConfigFlows.ApprovedBySecondAsync(_factory, await _supervisor.PostAsJsonAsync("/api/fiat/config/interception-rules/CFG-I2/disable", new { rowVersion = 1 }));
        Assert.That((await _supervisor.GetObjectAsync("/api/fiat/config/interception-rules/CFG-I2"))["enabled"]!.GetValue<bool>(), Is.False);
        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync("/api/fiat/config/interception-rules/CFG-I2/enable", new { rowVersion = 1 }), HttpStatusCode.Conflict);
        var enabled = await _supervisor.PostObjectAsync("/api/fiat/config/interception-rules/CFG-I2/enable", new { rowVersion = 2 });
        Assert.That((enabled["enabled"]!.GetValue<bool>(), enabled["rowVersion"]!.GetValue<int>()), Is.EqualTo((true, 3)));
        var journal = await _supervisor.GetObjectAsync("/api/fiat/config/journal?entity=InterceptionRule&key=CFG-I2");
        Assert.That(journal.Items().Select(j => j!.Text("action")), Is.EqualTo(new[] { "Enable", "Disable", "Propose", "Create" }));
    }

    [Test]
    public async Task Review_rules_are_created_edited_enabled_and_disabled()
    {
        var rule = await _supervisor.PostObjectAsync("/api/fiat/config/review-rules", new { name = "CFG big EUR", kind = "ManualWithWorkOrder", amountAtLeast = 10_000m, currency = "EUR", priority = 5 });
        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync("/api/fiat/config/review-rules", new { name = "x", kind = "Maybe" }), HttpStatusCode.UnprocessableEntity, "kind");
        // A stricter kind on its own applies at once; a higher amount condition reviews fewer applications: a second configurer approves it.
        var edited = await _supervisor.PutObjectAsync($"/api/fiat/config/review-rules/{rule.Text("id")}", new { name = "CFG big EUR", kind = "AutoReject", amountAtLeast = 10_000m, currency = "EUR", priority = 5, rowVersion = 1 });
        await ConfigFlows.ApprovedBySecondAsync(_factory, await _supervisor.PutAsJsonAsync($"/api/fiat/config/review-rules/{rule.Text("id")}",
            new { name = "CFG big EUR", kind = "AutoReject", amountAtLeast = 20_000m, currency = "EUR", priority = 5, rowVersion = 2 }));
        // Disabling a rule that rejects (or sends to review) lets applications through: a second configurer approves it.
        await ConfigFlows.ApprovedBySecondAsync(_factory, await _supervisor.PostAsJsonAsync($"/api/fiat/config/review-rules/{rule.Text("id")}/disable", new { rowVersion = 3 }));
        var off = await _supervisor.GetObjectAsync($"/api/fiat/config/review-rules/{rule.Text("id")}");
        Assert.That((edited.Text("kind"), off.Number2("amountAtLeast"), off["enabled"]!.GetValue<bool>()), Is.EqualTo(("AutoReject", 20_000m, false)));
        var settings = await _supervisor.GetObjectAsync("/api/fiat/config/settings");
        var saved = await _supervisor.PutObjectAsync("/api/fiat/config/settings", new { directBillingNeedsApproval = true, defaultReviewKind = "ManualWithoutWorkOrder", rowVersion = settings["rowVersion"]!.GetValue<int>() });
        Assert.That((saved["directBillingNeedsApproval"]!.GetValue<bool>(), saved.Text("defaultReviewKind")), Is.EqualTo((true, "ManualWithoutWorkOrder")));
        await ConfigFlows.ApprovedBySecondAsync(_factory, await _supervisor.PutAsJsonAsync("/api/fiat/config/settings", new { directBillingNeedsApproval = false, defaultReviewKind = "AutoSubmit", rowVersion = saved["rowVersion"]!.GetValue<int>() }));
    }

    [Test]
    public async Task Withdrawal_parameters_are_added_edited_and_copied_per_client_bank()
    {
        var first = await _supervisor.PostObjectAsync("/api/fiat/config/withdrawal-parameters", new { clientBank = "CFG Bank of East Asia", currency = "HKD", estimatedArrival = "T+1", fee = 15m });
        var copy = await _supervisor.PostObjectAsync($"/api/fiat/config/withdrawal-parameters/{first.Text("id")}/copy", new { currency = "USD" });
        Assert.That((copy.Text("clientBank"), copy.Text("currency"), copy.Text("estimatedArrival"), copy["fee"]!.GetValue<decimal>()), Is.EqualTo(("CFG Bank of East Asia", "USD", "T+1", 15m)));
        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync($"/api/fiat/config/withdrawal-parameters/{first.Text("id")}/copy", new { clientBank = "cfg bank of east asia" }), HttpStatusCode.Conflict);
        var edited = await _supervisor.PutObjectAsync($"/api/fiat/config/withdrawal-parameters/{copy.Text("id")}", new { clientBank = "CFG Bank of East Asia", currency = "USD", estimatedArrival = "T+2", fee = 25m, rowVersion = 1 });
        Assert.That(edited["fee"]!.GetValue<decimal>(), Is.EqualTo(25m));
        var journal = await _supervisor.GetObjectAsync($"/api/fiat/config/journal?entity=WithdrawalParameter&key={copy.Text("id")}");
        Assert.That(journal.Items().Select(j => j!.Text("action")), Is.EqualTo(new[] { "Edit", "Copy" }));
    }

    [TestCase("/api/fiat/config/daily-limits", """{ "bankAccountId": "ICBC-001", "limit": "lots", "alertThreshold": 1 }""", "limit")]
    [TestCase("/api/fiat/config/daily-limits", """{ "bankAccountId": "ICBC-001", "limit": 1e40, "alertThreshold": 1 }""", "limit")]
    [TestCase("/api/fiat/config/withdrawal-rules", """{ "channelId": "ICBC-001-FPS", "serviceWindows": [ 7 ] }""", "serviceWindows[0]")]
    [TestCase("/api/fiat/config/review-rules", """{ "name": "x", "kind": "AutoSubmit", "priority": "first" }""", "priority")]
    public async Task A_malformed_body_is_a_400_naming_the_field_not_a_500(string url, string body, string field)
    {
        var before = await JournalCountAsync();
        await ApiAssert.ProblemAsync(await _supervisor.PostRawAsync(url, body), HttpStatusCode.BadRequest, field);
        Assert.That(await JournalCountAsync(), Is.EqualTo(before));
    }
}
