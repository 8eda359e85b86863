using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Trust;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// <c>GET /api/instances</c> filters over HTTP on PostgreSQL (issue 13, ADR 16): customer (business key or the
/// definition's customer variable) and creation time, within what the caller may read; an unknown or malformed filter
/// is a 400 problem naming it instead of being ignored.
/// </summary>
public sealed class InstanceFiltersApiTests
{
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await ApiFactory.PostgresAsync(TrustIdentities.Settings());

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private async Task<string> DepositAsync(string recordNo, string account)
    {
        var started = await _factory.AsSystem().PostObjectAsync("/api/definitions/crypto-deposit/instances", new
        {
            correlationId = recordNo,
            input = new { recordNo, securitiesAccount = account, coin = "BTC", network = "BTC", amount = 0.1m, txid = $"tx-{recordNo}" },
        });
        return started.Text("id");
    }

    private static async Task<string[]> IdsAsync(HttpClient client, string query) =>
        [.. (await client.GetObjectAsync($"/api/instances?{query}")).Items().Select(i => i.Text("id"))];

    [TestCase("customerId=SA-1", "customerId")]
    [TestCase("from=2026-01-01T00:00:00Z", "from")]
    [TestCase("definitionId=crypto-deposit&bogus=1", "bogus")]
    public async Task An_unknown_filter_parameter_is_a_400_problem_naming_it(string query, string field)
    {
        using var response = await (await _factory.AsUserAsync("checker1")).GetAsync($"/api/instances?{query}");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [TestCase("createdFrom=yesterday", "createdFrom")]
    [TestCase("createdTo=2026-13-01T00:00:00Z", "createdTo")]
    [TestCase("createdFrom=2026-12-01T10:00:00", "createdFrom")] // no offset: ambiguous
    [TestCase("createdFrom=2026-12-02T00:00:00Z&createdTo=2026-12-01T00:00:00Z", "createdFrom")]
    public async Task A_malformed_creation_time_filter_is_a_400_problem_naming_it(string query, string field)
    {
        using var response = await _factory.AsSystem().GetAsync($"/api/instances?{query}");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Test]
    public async Task The_customer_filter_matches_the_customer_variable_or_the_business_key_and_nothing_else()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var account = $"SA-F{suffix}";
        var first = await DepositAsync($"CDF1-{suffix}", account);
        var second = await DepositAsync($"CDF2-{suffix}", account);
        var other = await DepositAsync($"CDF3-{suffix}", $"SA-G{suffix}");
        var byKey = await DepositAsync($"SA-K{suffix}", $"SA-H{suffix}");
        var checker = await _factory.AsUserAsync("checker1");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await IdsAsync(checker, $"customer={account}"), Is.EquivalentTo(new[] { first, second }));
            Assert.That(await IdsAsync(checker, $"customer=SA-K{suffix}"), Is.EquivalentTo(new[] { byKey }), "the business key (correlation id)");
            Assert.That(await IdsAsync(checker, $"customer=SA-F{suffix[..4]}"), Is.Empty, "a prefix is not the customer");
            Assert.That(await IdsAsync(checker, $"customer=%25{suffix}"), Is.Empty, "LIKE wildcards are literal");
            Assert.That(await IdsAsync(checker, $"customer={account}&definitionId=fiat-withdrawal"), Is.Empty);
            Assert.That(await IdsAsync(checker, $"customer=SA-G{suffix}"), Is.EquivalentTo(new[] { other }));
        }
        // Another department reads no deposits, filtered or not.
        Assert.That(await IdsAsync(await _factory.AsUserAsync("cs1"), $"customer={account}"), Is.Empty);
        Assert.That(await IdsAsync(_factory.AsApiKey(TrustIdentities.BareKey), $"customer={account}"), Is.Empty);
    }

    [Test]
    public async Task The_creation_time_filters_bound_the_list_inclusively()
    {
        var suffix = Guid.NewGuid().ToString("N")[..8];
        var account = $"SA-T{suffix}";
        var id = await DepositAsync($"CDT-{suffix}", account);
        var created = DateTimeOffset.Parse((await _factory.AsSystem().GetObjectAsync($"/api/instances/{id}")).Text("createdAt"), System.Globalization.CultureInfo.InvariantCulture);
        static string Iso(DateTimeOffset t) => Uri.EscapeDataString(t.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
        var system = _factory.AsSystem();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(await IdsAsync(system, $"customer={account}&createdFrom={Iso(created)}&createdTo={Iso(created)}"), Is.EquivalentTo(new[] { id }));
            Assert.That(await IdsAsync(system, $"customer={account}&createdFrom={Iso(created.AddTicks(10))}"), Is.Empty);
            Assert.That(await IdsAsync(system, $"customer={account}&createdTo={Iso(created.AddTicks(-10))}"), Is.Empty);
            Assert.That(await IdsAsync(system, $"customer={account}&createdFrom={Iso(created.AddHours(-1).ToOffset(TimeSpan.FromHours(8)))}"), Is.EquivalentTo(new[] { id }), "any offset");
        }
    }

    [Test]
    public async Task The_customer_filter_reads_the_customer_variable_on_SQLite_as_well()
    {
        await using var sqlite = ApiFactory.Sqlite();
        var started = await sqlite.AsSystem().PostObjectAsync("/api/definitions/crypto-deposit/instances", new
        {
            correlationId = "CDS-1",
            input = new { recordNo = "CDS-1", securitiesAccount = "SA-SQLITE", coin = "BTC", network = "BTC", amount = 0.1m, txid = "tx-CDS-1" },
        });
        var checker = await sqlite.AsUserAsync("checker1");
        Assert.That(await IdsAsync(checker, "customer=SA-SQLITE"), Is.EquivalentTo(new[] { started.Text("id") }));
        Assert.That(await IdsAsync(checker, "customer=SA-SQLIT"), Is.Empty);
    }
}
