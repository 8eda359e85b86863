using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Crypto;

/// <summary>The embedded default: SQLite creates the crypto tables from the model, seeds the coins and keeps 18 decimals.</summary>
[TestFixture]
public sealed class CoinConfigurationSqliteTests
{
    private static readonly string[] Seeded = ["BTC", "ETH", "USDT"];

    [Test]
    public async Task Sqlite_creates_the_tables_seeds_the_coins_and_keeps_wei_precision()
    {
        await using var factory = ApiFactory.Sqlite();
        var configurer = await factory.AsUserAsync("supervisor1");
        var coins = await configurer.GetArrayAsync("/api/crypto/coins");
        Assert.That(coins.Select(c => c.Text("coin")), Is.EquivalentTo(Seeded));

        var created = await configurer.PostAsJsonAsync("/api/crypto/coins", new
        {
            coin = "ARB", network = "ARBITRUM", decimals = 18, minWithdrawal = 0.000000000000000002m, maxWithdrawal = 1234567890.123456789012345678m,
            withdrawalFee = 0.000000000000000001m, requiredConfirmations = 1, depositEnabled = true, withdrawalEnabled = true,
        });
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), await created.Content.ReadAsStringAsync());
        var read = await configurer.GetObjectAsync("/api/crypto/coins/ARB/ARBITRUM");
        Assert.That((read["minWithdrawal"]!.GetValue<decimal>(), read["maxWithdrawal"]!.GetValue<decimal>()), Is.EqualTo((0.000000000000000002m, 1234567890.123456789012345678m)));

        // The wallet address projection's upsert runs on SQLite too: a verified address is what a withdrawal then accepts.
        var address = await factory.AsSystem().PostObjectAsync("/api/definitions/crypto-address-verification/instances", new
        {
            correlationId = "SQ-AV", input = new { securitiesAccount = "SA-SQ", coin = "BTC", network = "BTC", address = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa" },
        });
        var task = (await configurer.GetObjectAsync($"/api/instances/{address.Text("id")}"))["openTasks"]!.AsArray().Single()!.Text("id");
        var verified = await (await factory.AsUserAsync("checker1")).PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Verify" });
        Assert.That(verified.StatusCode, Is.EqualTo(HttpStatusCode.OK), await verified.Content.ReadAsStringAsync());
        var withdrawal = await factory.AsSystem().PostObjectAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = "SQ-CW", input = new { recordNo = "SQ-CW", securitiesAccount = "SA-SQ", coin = "BTC", network = "BTC", amount = 0.5m, address = "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa" },
        });
        Assert.That((await configurer.GetObjectAsync($"/api/instances/{withdrawal.Text("id")}")).Text("businessStatus"), Is.EqualTo("Pending Approval"));
    }
}
