// Expected values read best inline, next to the call they describe.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Features.Crypto;
using ApprovalEngine.Server.Features.Crypto.Coins;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Crypto;

/// <summary>
/// The coin configuration over HTTP on PostgreSQL (issue 13, ADR 18): seeded sandbox coins, who may read and change
/// them (side doors: other departments, analysts, API keys — even one holding the right), the journal, stale edits,
/// precision, and the flows reading the stored coins.
/// </summary>
[TestFixture]
public sealed class CoinConfigurationApiTests
{
    private const string ConfiguringKey = "coin-configuring-key";
    private ApiFactory _factory = null!;
    private HttpClient _configurer = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        // A system key that holds crypto:configure: the right alone must not let a system change coins.
        _factory = await ApiFactory.PostgresAsync(new()
        {
            ["Identities:ApiKeys:8:Name"] = "coin-configuring-system",
            ["Identities:ApiKeys:8:Key"] = ConfiguringKey,
            ["Identities:ApiKeys:8:Rights:0"] = "crypto:configure",
        });
        _configurer = await _factory.AsUserAsync("supervisor2");
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    private async Task<(int Coins, int Journal)> CountsAsync()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<CryptoDbContext>();
        return (await db.Set<CryptoCoin>().CountAsync(), await db.Set<CryptoConfigJournalEntry>().CountAsync());
    }

    private static object Coin(string coin, string network, int decimals = 8, decimal min = 0.01m, decimal max = 100m, decimal fee = 0.001m, int confirmations = 2,
        bool deposit = true, bool withdrawal = true, int? rowVersion = null) =>
        new { coin, network, decimals, minWithdrawal = min, maxWithdrawal = max, withdrawalFee = fee, requiredConfirmations = confirmations, depositEnabled = deposit, withdrawalEnabled = withdrawal, rowVersion };

    private HttpClient KeyClient(string key)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    [Test]
    public async Task The_sandbox_coins_are_seeded_with_the_previous_values_once_and_journaled_as_the_seed()
    {
        var coins = await (await _factory.AsUserAsync("checker1")).GetArrayAsync("/api/crypto/coins");
        var btc = coins.Single(c => c.Text("coin") == "BTC" && c.Text("network") == "BTC")!;
        Assert.That((btc["decimals"]!.GetValue<int>(), btc["minWithdrawal"]!.GetValue<decimal>(), btc["maxWithdrawal"]!.GetValue<decimal>(), btc["withdrawalFee"]!.GetValue<decimal>(),
            btc["requiredConfirmations"]!.GetValue<int>(), btc["depositEnabled"]!.GetValue<bool>(), btc["withdrawalEnabled"]!.GetValue<bool>()),
            Is.EqualTo((8, 0.001m, 10m, 0.0002m, 3, true, true)));
        var eth = coins.Single(c => c.Text("coin") == "ETH")!;
        Assert.That((eth.Text("network"), eth["decimals"]!.GetValue<int>(), eth["requiredConfirmations"]!.GetValue<int>()), Is.EqualTo(("ERC20", 18, 12)));
        var usdt = coins.Single(c => c.Text("coin") == "USDT")!;
        Assert.That((usdt.Text("network"), usdt["decimals"]!.GetValue<int>(), usdt["minWithdrawal"]!.GetValue<decimal>(), usdt["requiredConfirmations"]!.GetValue<int>()), Is.EqualTo(("TRC20", 6, 10m, 20)));

        var seeded = await _configurer.GetObjectAsync("/api/crypto/coins/journal?actor=system:seed");
        Assert.That(seeded["items"]!.AsArray().Select(j => j.Text("entityKey")), Is.SupersetOf(new[] { "BTC/BTC", "ETH/ERC20", "USDT/TRC20" }));
        Assert.That(seeded["items"]!.AsArray().Select(j => j.Text("action")).Distinct(), Is.EqualTo(new[] { "Seed" }));

        // Another start-up stores nothing again.
        await using var scope = _factory.Services.CreateAsyncScope();
        Assert.That(await CoinSeed.SeedAsync(scope.ServiceProvider.GetRequiredService<CryptoDbContext>(), DateTimeOffset.UnixEpoch, CancellationToken.None), Is.Zero);
    }

    [TestCase("maker1")]
    [TestCase("checker1")]
    [TestCase("supervisor1")]
    public async Task Operators_read_one_coin(string user)
    {
        var coin = await (await _factory.AsUserAsync(user)).GetObjectAsync("/api/crypto/coins/ETH/ERC20");
        Assert.That(coin["decimals"]!.GetValue<int>(), Is.EqualTo(18));
    }

    [TestCase("maker1")]
    [TestCase("checker1")]
    public async Task Operators_without_the_right_cannot_change_a_coin_on_any_route(string user)
    {
        var client = await _factory.AsUserAsync(user);
        var before = await CountsAsync();
        await ApiAssert.ProblemAsync(await client.PostAsJsonAsync("/api/crypto/coins", Coin("DOGE", "DOGE")), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await client.PutAsJsonAsync("/api/crypto/coins/BTC/BTC", Coin("BTC", "BTC", min: 0.002m, rowVersion: 1)), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await client.PostAsJsonAsync("/api/crypto/coins/BTC/BTC/withdrawal/disable", new { rowVersion = 1 }), HttpStatusCode.Forbidden);
        Assert.That(await CountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Other_departments_analysts_and_systems_cannot_read_and_anonymous_callers_are_unauthenticated()
    {
        await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("cs1")).GetAsync("/api/crypto/coins"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("analyst1")).GetAsync("/api/crypto/coins/BTC/BTC"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("bo1")).GetAsync("/api/crypto/coins/journal"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _factory.AsSystem().GetAsync("/api/crypto/coins"), HttpStatusCode.Forbidden);
        Assert.That((await _factory.CreateClient().GetAsync("/api/crypto/coins")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
    }

    [Test]
    public async Task An_api_key_even_holding_crypto_configure_changes_nothing()
    {
        var before = await CountsAsync();
        foreach (var client in new[] { KeyClient(ConfiguringKey), _factory.AsSystem() })
        {
            await ApiAssert.ProblemAsync(await client.PostAsJsonAsync("/api/crypto/coins", Coin("DOGE", "DOGE")), HttpStatusCode.Forbidden);
            await ApiAssert.ProblemAsync(await client.PutAsJsonAsync("/api/crypto/coins/BTC/BTC", Coin("BTC", "BTC", rowVersion: 1)), HttpStatusCode.Forbidden);
            await ApiAssert.ProblemAsync(await client.PostAsJsonAsync("/api/crypto/coins/BTC/BTC/deposit/disable", new { rowVersion = 1 }), HttpStatusCode.Forbidden);
        }
        Assert.That(await CountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_coin_is_created_edited_and_switched_and_every_change_is_journaled_with_who_and_before_and_after()
    {
        var created = await _configurer.PostAsJsonAsync("/api/crypto/coins", Coin("LTC", "LTC", min: 0.01m, max: 50m, fee: 0.001m, confirmations: 6));
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        Assert.That(created.Headers.Location!.ToString(), Is.EqualTo("/api/crypto/coins/LTC/LTC"));
        await ApiAssert.ProblemAsync(await _configurer.PostAsJsonAsync("/api/crypto/coins", Coin("LTC", "LTC")), HttpStatusCode.Conflict);

        // Stricter (more confirmations, a lower maximum): applies at once; weakening edits wait for four eyes (CoinFourEyesTests).
        var edited = await _configurer.PutObjectAsync("/api/crypto/coins/LTC/LTC", Coin("LTC", "LTC", min: 0.02m, max: 40m, fee: 0.001m, confirmations: 8, rowVersion: 1));
        Assert.That((edited["minWithdrawal"]!.GetValue<decimal>(), edited["requiredConfirmations"]!.GetValue<int>(), edited["rowVersion"]!.GetValue<int>()), Is.EqualTo((0.02m, 8, 2)));

        var disabled = await _configurer.PostObjectAsync("/api/crypto/coins/LTC/LTC/deposit/disable", new { rowVersion = 2 });
        Assert.That((disabled["depositEnabled"]!.GetValue<bool>(), disabled["withdrawalEnabled"]!.GetValue<bool>()), Is.EqualTo((false, true)));

        var journal = (await _configurer.GetObjectAsync("/api/crypto/coins/journal?coin=LTC&network=LTC"))["items"]!.AsArray();
        Assert.That(journal.Select(j => j.Text("action")), Is.EqualTo(new[] { "Disable deposit", "Edit", "Create" }), "newest first");
        Assert.That(journal.Select(j => j.Text("actor")).Distinct(), Is.EqualTo(new[] { "supervisor2" }));
        var edit = journal[1]!;
        Assert.That((edit["before"]!["minWithdrawal"]!.GetValue<decimal>(), edit["after"]!["minWithdrawal"]!.GetValue<decimal>()), Is.EqualTo((0.01m, 0.02m)));
        Assert.That((edit["before"]!["requiredConfirmations"]!.GetValue<int>(), edit["after"]!["requiredConfirmations"]!.GetValue<int>()), Is.EqualTo((6, 8)));
        Assert.That(journal[2]!["before"], Is.Null);
    }

    [Test]
    public async Task An_edit_of_a_version_someone_else_changed_is_a_409_and_writes_nothing()
    {
        await _configurer.PostObjectAsync("/api/crypto/coins", Coin("XRP", "XRP", decimals: 6));
        await _configurer.PutObjectAsync("/api/crypto/coins/XRP/XRP", Coin("XRP", "XRP", decimals: 6, max: 90m, rowVersion: 1));
        var before = await CountsAsync();
        await ApiAssert.ProblemAsync(await _configurer.PutAsJsonAsync("/api/crypto/coins/XRP/XRP", Coin("XRP", "XRP", decimals: 6, max: 80m, rowVersion: 1)), HttpStatusCode.Conflict, "rowVersion");
        await ApiAssert.ProblemAsync(await _configurer.PostAsJsonAsync("/api/crypto/coins/XRP/XRP/withdrawal/disable", new { rowVersion = 1 }), HttpStatusCode.Conflict, "rowVersion");
        Assert.That(await CountsAsync(), Is.EqualTo(before));
        Assert.That((await _configurer.GetObjectAsync("/api/crypto/coins/XRP/XRP"))["maxWithdrawal"]!.GetValue<decimal>(), Is.EqualTo(90m));
    }

    [TestCase("minWithdrawal", 8, "0.000000001", "10", "0")]
    [TestCase("maxWithdrawal", 6, "1", "10.1234567", "0")]
    [TestCase("withdrawalFee", 2, "1", "10", "0.001")]
    [TestCase("maxWithdrawal", 8, "5", "1", "0")]
    [TestCase("decimals", 19, "1", "10", "0")]
    [TestCase("maxWithdrawal", 0, "1", "100000000000000000000", "0")] // 10^20 does not fit numeric(38,18): a 422, not the database's overflow
    public async Task Amounts_finer_than_the_coin_or_out_of_order_are_a_422_naming_the_field_and_nothing_is_written(string field, int decimals, string min, string max, string fee)
    {
        var before = await CountsAsync();
        static decimal D(string s) => decimal.Parse(s, System.Globalization.CultureInfo.InvariantCulture);
        var body = Coin("ADA", "CARDANO", decimals: decimals, min: D(min), max: D(max), fee: D(fee));
        await ApiAssert.ProblemAsync(await _configurer.PostAsJsonAsync("/api/crypto/coins", body), HttpStatusCode.UnprocessableEntity, field);
        var editBody = Coin("BTC", "BTC", decimals: decimals, min: D(min), max: D(max), fee: D(fee), rowVersion: 1);
        await ApiAssert.ProblemAsync(await _configurer.PutAsJsonAsync("/api/crypto/coins/BTC/BTC", editBody), HttpStatusCode.UnprocessableEntity, field);
        Assert.That(await CountsAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Bad_keys_missing_fields_and_unknown_functions_are_422s_naming_them()
    {
        await ApiAssert.ProblemAsync(await _configurer.PostAsJsonAsync("/api/crypto/coins", Coin("btc!", "BTC")), HttpStatusCode.UnprocessableEntity, "coin");
        await ApiAssert.ProblemAsync(await _configurer.PostAsJsonAsync("/api/crypto/coins", new { coin = "SOL", network = "SOL" }), HttpStatusCode.UnprocessableEntity, "decimals");
        await ApiAssert.ProblemAsync(await _configurer.PostAsJsonAsync("/api/crypto/coins/BTC/BTC/staking/enable", new { rowVersion = 1 }), HttpStatusCode.UnprocessableEntity, "function");
        await ApiAssert.ProblemAsync(await _configurer.PutAsJsonAsync("/api/crypto/coins/BTC/BTC", Coin("BTC", "LIGHTNING", rowVersion: 1)), HttpStatusCode.UnprocessableEntity, "network");
        await ApiAssert.ProblemAsync(await _configurer.GetAsync("/api/crypto/coins/journal?network=BTC"), HttpStatusCode.UnprocessableEntity, "network");
        await ApiAssert.ProblemAsync(await _configurer.GetAsync("/api/crypto/coins/NOPE/NOPE"), HttpStatusCode.NotFound);
    }

    private async Task<JsonObject> StartWithdrawalAsync(string record, string coin, string network, decimal amount, string address) =>
        await _factory.AsSystem().PostObjectAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = record,
            input = new { recordNo = record, securitiesAccount = "SA-COINS", coin, network, amount, address },
        });

    private async Task<JsonObject> InstanceAsync(JsonObject started) => await _factory.AsSystem().GetObjectAsync($"/api/instances/{started.Text("id")}");

    [Test]
    public async Task A_withdrawal_amount_finer_than_its_coin_is_a_422_naming_input_amount_and_no_record_is_created()
    {
        var before = await _factory.QueryAsync(db => db.Instances.CountAsync());
        foreach (var client in new[] { _factory.AsSystem(), await _factory.AsUserAsync("maker1") })
        {
            var refused = await client.PostAsJsonAsync("/api/definitions/crypto-coin-withdrawal/instances", new
            {
                correlationId = "CW-FINE",
                input = new { recordNo = "CW-FINE", securitiesAccount = "SA-1", coin = "BTC", network = "BTC", amount = 0.123456789m, address = "bc1qexample" },
            });
            await ApiAssert.ProblemAsync(refused, HttpStatusCode.UnprocessableEntity, "input.amount");
        }
        var deposit = await _factory.AsSystem().PostAsJsonAsync("/api/definitions/crypto-deposit/instances", new
        {
            correlationId = "CD-FINE",
            input = new { recordNo = "CD-FINE", securitiesAccount = "SA-1", coin = "USDT", network = "TRC20", amount = 1.0000001m, txid = "0xfine" },
        });
        await ApiAssert.ProblemAsync(deposit, HttpStatusCode.UnprocessableEntity, "input.amount");
        Assert.That(await _factory.QueryAsync(db => db.Instances.CountAsync()), Is.EqualTo(before));

        // Trailing zeros are not precision: 0.50000000000 BTC is 0.5 BTC and is accepted (then refused by the rules for the unverified address).
        var accepted = await StartWithdrawalAsync("CW-ZEROS", "BTC", "BTC", 0.50000000000m, "bc1qnotverified");
        Assert.That((await InstanceAsync(accepted)).Text("businessStatus"), Is.EqualTo("Rejected"));
    }

    [Test]
    public async Task The_withdrawal_flow_reads_the_stored_coin_limits_switch_and_confirmations()
    {
        await _configurer.PostObjectAsync("/api/crypto/coins", Coin("BCH", "BCH", min: 0.1m, max: 5m, fee: 0.01m, confirmations: 2));
        var added = await _factory.AsSystem().PostAsJsonAsync("/api/sandbox/wallets/SA-COINS/verified-addresses", new { coin = "BCH", network = "BCH", address = "bch-addr-1" });
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK), await added.Content.ReadAsStringAsync());

        // Below the stored minimum: the rule refusal, as before.
        var small = await InstanceAsync(await StartWithdrawalAsync("CW-BCH-1", "BCH", "BCH", 0.05m, "bch-addr-1"));
        Assert.That(small.Text("businessStatus"), Is.EqualTo("Rejected"));
        Assert.That(small["variables"]!["reasons"]!.AsArray().Select(r => r!.GetValue<string>()), Does.Contain("The amount is below the minimum withdrawal of 0.1 BCH."));

        // Withdrawal switched off: refused by the rules with the operator's switch.
        var coin = await _configurer.PostObjectAsync("/api/crypto/coins/BCH/BCH/withdrawal/disable", new { rowVersion = 1 });
        var off = await InstanceAsync(await StartWithdrawalAsync("CW-BCH-2", "BCH", "BCH", 1m, "bch-addr-1"));
        Assert.That(off["variables"]!["reasons"]!.AsArray().Select(r => r!.GetValue<string>()), Does.Contain("Withdrawals of BCH are disabled."));

        // Back on: passes, is approved, broadcast, and completes at the stored two confirmations.
        await _configurer.PostObjectAsync("/api/crypto/coins/BCH/BCH/withdrawal/enable", new { rowVersion = coin["rowVersion"]!.GetValue<int>() });
        var started = await StartWithdrawalAsync("CW-BCH-3", "BCH", "BCH", 1m, "bch-addr-1");
        var checker = await _factory.AsUserAsync("checker1");
        var task = (await checker.GetObjectAsync("/api/tasks?department=Operations"))["items"]!.AsArray()
            .Single(t => t.Text("businessStatus") == "Pending Approval")!; // the only withdrawal of this fixture that passes its checks
        var approved = await checker.PostAsJsonAsync($"/api/tasks/{task["id"]}/complete", new { action = "Approve" });
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());
        var instance = await InstanceAsync(started);
        Assert.That(instance["variables"]!["netAmount"]!.GetValue<decimal>(), Is.EqualTo(0.99m), "amount − the stored fee");
        var txid = instance["variables"]!["txid"]!.GetValue<string>();
        await _factory.AsSystem().PostObjectAsync("/api/events/BlockConfirmations", new { correlationId = txid, payload = new { confirmations = 1 } });
        Assert.That((await InstanceAsync(started)).Text("businessStatus"), Is.Not.EqualTo("Completed"));
        await _factory.AsSystem().PostObjectAsync("/api/events/BlockConfirmations", new { correlationId = txid, payload = new { confirmations = 2 } });
        Assert.That((await InstanceAsync(started)).Text("businessStatus"), Is.EqualTo("Completed"));
    }
}
