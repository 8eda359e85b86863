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
    }
}
