using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Features.Crypto;
using ApprovalEngine.Server.Features.Crypto.Wallets;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Crypto;

/// <summary>
/// Wallet address verification as a flow (crypto-address-verification) over HTTP on PostgreSQL: format per network at
/// the start, the reviewer task with reasons, four eyes against an operator who submitted, other departments and API
/// keys refused, the stored address used by coin withdrawals.
/// </summary>
[TestFixture]
public sealed class AddressVerificationApiTests
{
    private const string Btc = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task SetUp() =>
        // An operator who may both submit and review: whether the flow keeps them from reviewing their own submission.
        _factory = await ApiFactory.PostgresAsync(new()
        {
            ["Identities:Users:0:Username"] = "opsboth",
            ["Identities:Users:0:Departments:0"] = "Operations",
            ["Identities:Users:0:Rights:0"] = "submit",
            ["Identities:Users:0:Rights:1"] = "workorders:approve",
            ["Identities:Users:0:Permissions:0"] = "workorders:approve",
            ["Identities:ApiKeys:0:Name"] = "scopeless",
            ["Identities:ApiKeys:0:Key"] = ScopelessKey,
        });

    private const string ScopelessKey = "address-tests-scopeless-key";

    private HttpClient AsScopelessKey()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ScopelessKey);
        return client;
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    private async Task<JsonObject> SubmitAsync(HttpClient client, string account, string network, string address, string coin = "BTC") =>
        await client.PostObjectAsync("/api/definitions/crypto-address-verification/instances", new
        {
            correlationId = $"{account}-{coin}-{address}",
            input = new { securitiesAccount = account, coin, network, address },
        });

    private async Task<JsonObject> InstanceAsync(string id) => await (await _factory.AsUserAsync("supervisor1")).GetObjectAsync($"/api/instances/{id}");

    private async Task<string> ReviewTaskAsync(string id) => (await InstanceAsync(id))["openTasks"]!.AsArray().Single()!.Text("id");

    private async Task<List<WalletAddress>> RowsAsync(string account)
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CryptoDbContext>().Set<WalletAddress>().AsNoTracking().Where(a => a.SecuritiesAccount == account).ToListAsync();
    }

    [Test]
    public async Task A_system_submitted_address_is_under_verification_until_a_checker_verifies_it_and_a_withdrawal_then_accepts_it()
    {
        var started = await SubmitAsync(_factory.AsSystem(), "SA-AV-1", "BTC", Btc);
        var id = started.Text("id");
        Assert.That((await InstanceAsync(id)).Text("businessStatus"), Is.EqualTo("Under Verification"));
        Assert.That((await RowsAsync("SA-AV-1")).Single().Status, Is.EqualTo("Under Verification"), "stored per customer from the start");

        // Not verified yet: a withdrawal to it is refused by the rules, as today.
        var early = await _factory.AsSystem().PostObjectAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = "AV-CW-EARLY", input = new { recordNo = "AV-CW-EARLY", securitiesAccount = "SA-AV-1", coin = "BTC", network = "BTC", amount = 0.5m, address = Btc },
        });
        Assert.That((await InstanceAsync(early.Text("id"))).Text("businessStatus"), Is.EqualTo("Rejected"));

        var verified = await (await _factory.AsUserAsync("checker1")).PostAsJsonAsync($"/api/tasks/{await ReviewTaskAsync(id)}/complete", new { action = "Verify" });
        Assert.That(verified.StatusCode, Is.EqualTo(HttpStatusCode.OK), await verified.Content.ReadAsStringAsync());
        var instance = await InstanceAsync(id);
        Assert.That((instance.Text("status"), instance.Text("businessStatus"), instance["variables"]!.Text("reviewedBy")), Is.EqualTo(("Completed", "Verified", "checker1")));
        var row = (await RowsAsync("SA-AV-1")).Single();
        Assert.That((row.Status, row.ReviewedBy, row.Address), Is.EqualTo(("Verified", "checker1", Btc)));

        var withdrawal = await _factory.AsSystem().PostObjectAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = "AV-CW-1", input = new { recordNo = "AV-CW-1", securitiesAccount = "SA-AV-1", coin = "BTC", network = "BTC", amount = 0.5m, address = Btc },
        });
        Assert.That((await InstanceAsync(withdrawal.Text("id"))).Text("businessStatus"), Is.EqualTo("Pending Approval"), "the stored verified address passes the checks");
    }

    [Test]
    public async Task A_rejection_needs_a_reason_which_is_kept_and_the_address_stays_unusable()
    {
        var id = (await SubmitAsync(_factory.AsSystem(), "SA-AV-2", "TRC20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t", "USDT")).Text("id");
        var task = await ReviewTaskAsync(id);
        var checker = await _factory.AsUserAsync("checker2");
        await ApiAssert.ProblemAsync(await checker.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Reject" }), HttpStatusCode.UnprocessableEntity);
        Assert.That((await RowsAsync("SA-AV-2")).Single().Status, Is.EqualTo("Under Verification"), "the refused rejection changed nothing");

        var rejected = await checker.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Reject", comment = "Address belongs to an exchange, not the customer" });
        Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.OK), await rejected.Content.ReadAsStringAsync());
        var row = (await RowsAsync("SA-AV-2")).Single();
        Assert.That((row.Status, row.Reason, row.ReviewedBy), Is.EqualTo(("Rejected", "Address belongs to an exchange, not the customer", "checker2")));
    }

    [Test]
    public async Task A_later_rejection_of_a_verified_address_withdraws_it_and_withdrawals_to_it_are_refused()
    {
        var first = (await SubmitAsync(_factory.AsSystem(), "SA-AV-9", "BTC", Btc)).Text("id");
        var verified = await (await _factory.AsUserAsync("checker1")).PostAsJsonAsync($"/api/tasks/{await ReviewTaskAsync(first)}/complete", new { action = "Verify" });
        Assert.That(verified.StatusCode, Is.EqualTo(HttpStatusCode.OK), await verified.Content.ReadAsStringAsync());

        // Submitted again and rejected this time: the latest decision counts.
        var again = (await _factory.AsSystem().PostObjectAsync("/api/definitions/crypto-address-verification/instances", new
        {
            correlationId = "SA-AV-9-again", input = new { securitiesAccount = "SA-AV-9", coin = "BTC", network = "BTC", address = Btc },
        })).Text("id");
        var rejected = await (await _factory.AsUserAsync("checker2")).PostAsJsonAsync($"/api/tasks/{await ReviewTaskAsync(again)}/complete", new { action = "Reject", comment = "Belongs to an exchange" });
        Assert.That(rejected.StatusCode, Is.EqualTo(HttpStatusCode.OK), await rejected.Content.ReadAsStringAsync());
        Assert.That(string.Join(",", (await RowsAsync("SA-AV-9")).Select(r => r.Status).Order()), Is.EqualTo("Rejected,Verified"));

        var withdrawal = await _factory.AsSystem().PostObjectAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = "AV-CW-9", input = new { recordNo = "AV-CW-9", securitiesAccount = "SA-AV-9", coin = "BTC", network = "BTC", amount = 0.5m, address = Btc },
        });
        Assert.That((await InstanceAsync(withdrawal.Text("id"))).Text("businessStatus"), Is.EqualTo("Rejected"), "the address was withdrawn by the later rejection");
    }

    [Test]
    public async Task Other_departments_analysts_scopeless_keys_and_anonymous_callers_neither_start_nor_read_a_verification()
    {
        var body = new { correlationId = "SA-AV-SD-x", input = new { securitiesAccount = "SA-AV-SD", coin = "BTC", network = "BTC", address = Btc } };
        const string start = "/api/definitions/crypto-address-verification/instances";
        foreach (var user in new[] { "cs1", "dealing1", "bo1", "analyst1" })
        {
            var refused = await (await _factory.AsUserAsync(user)).PostAsJsonAsync(start, body);
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"{user} may not start one");
        }
        Assert.That((await AsScopelessKey().PostAsJsonAsync(start, body)).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "a key without start:crypto-address-verification");
        Assert.That((await _factory.CreateClient().PostAsJsonAsync(start, body)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await RowsAsync("SA-AV-SD"), Is.Empty, "no refused start stored an address");

        var id = (await SubmitAsync(_factory.AsSystem(), "SA-AV-SD", "BTC", Btc)).Text("id");
        foreach (var user in new[] { "cs1", "dealing1", "analyst1" })
        {
            var client = await _factory.AsUserAsync(user);
            Assert.That((await client.GetAsync($"/api/instances/{id}")).StatusCode, Is.AnyOf(HttpStatusCode.Forbidden, HttpStatusCode.NotFound), $"{user} reads no verification");
            Assert.That((await client.GetAsync($"/api/instances/{id}/journal")).StatusCode, Is.AnyOf(HttpStatusCode.Forbidden, HttpStatusCode.NotFound), $"{user} reads no journal");
            var listed = await client.GetAsync("/api/instances?definitionId=crypto-address-verification");
            if (listed.IsSuccessStatusCode) Assert.That((await listed.Content.ReadAsStringAsync()).Contains(id, StringComparison.Ordinal), Is.False, $"{user} lists no verification");
            var addresses = await client.GetAsync("/api/crypto/addresses?customer=SA-AV-SD");
            Assert.That(addresses.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"{user} lists no addresses");
        }
        Assert.That((await AsScopelessKey().GetAsync($"/api/instances/{id}")).StatusCode, Is.AnyOf(HttpStatusCode.Forbidden, HttpStatusCode.NotFound), "a key without read scope");
        Assert.That((await _factory.CreateClient().GetAsync($"/api/instances/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await (await _factory.AsUserAsync("checker1")).GetAsync($"/api/instances/{id}")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "a reviewer reads it");
    }

    [Test]
    public async Task A_review_carrying_fields_the_action_does_not_offer_is_a_422_and_the_stored_address_is_unchanged()
    {
        var id = (await SubmitAsync(_factory.AsSystem(), "SA-AV-FF", "BTC", Btc)).Text("id");
        var task = await ReviewTaskAsync(id);
        var checker = await _factory.AsUserAsync("checker1");
        // An attacker's reviewer tries to verify a different address, or to be recorded as someone else.
        foreach (var data in new object[] { new { address = "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq" }, new { reviewedBy = "checker2" }, new { reason = "fine" } })
        {
            var refused = await checker.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Verify", data });
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), await refused.Content.ReadAsStringAsync());
        }
        var row = (await RowsAsync("SA-AV-FF")).Single();
        Assert.That((row.Status, row.Address, row.ReviewedBy), Is.EqualTo(("Under Verification", Btc, (string?)null)));
    }

    [Test]
    public async Task An_operator_who_submitted_may_not_review_it_but_another_checker_may()
    {
        var both = await _factory.AsUserAsync("opsboth");
        var id = (await SubmitAsync(both, "SA-AV-3", "ERC20", "0xde709f2102306220921060314715629080e2fb77", "ETH")).Text("id");
        var task = await ReviewTaskAsync(id);
        await ApiAssert.ProblemAsync(await both.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Verify" }), HttpStatusCode.Forbidden);
        Assert.That((await RowsAsync("SA-AV-3")).Single().Status, Is.EqualTo("Under Verification"));
        var verified = await (await _factory.AsUserAsync("checker1")).PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Verify" });
        Assert.That(verified.StatusCode, Is.EqualTo(HttpStatusCode.OK), await verified.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task Other_departments_makers_and_api_keys_cannot_take_the_review_and_nothing_changes()
    {
        var id = (await SubmitAsync(_factory.AsSystem(), "SA-AV-4", "BTC", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")).Text("id");
        var task = await ReviewTaskAsync(id);
        foreach (var client in new[] { await _factory.AsUserAsync("cs1"), await _factory.AsUserAsync("maker1"), _factory.AsSystem(), _factory.AsTestSystem() })
        {
            var response = await client.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Verify" });
            Assert.That((int)response.StatusCode, Is.AnyOf(403, 409), await response.Content.ReadAsStringAsync());
            var claim = await client.PostAsJsonAsync($"/api/tasks/{task}/claim", new { });
            Assert.That((int)claim.StatusCode, Is.AnyOf(403, 404, 409), await claim.Content.ReadAsStringAsync());
        }
        Assert.That((await RowsAsync("SA-AV-4")).Single().Status, Is.EqualTo("Under Verification"));
        Assert.That((await InstanceAsync(id)).Text("businessStatus"), Is.EqualTo("Under Verification"));
    }

    [TestCase("BTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5")]
    [TestCase("ERC20", "0x12345")]
    [TestCase("TRC20", "1A1zP1eP5QGefi2DMPTfTL5SLmv7DivfNa")]
    public async Task An_address_that_cannot_exist_on_its_network_is_a_422_naming_input_address_and_no_record(string network, string address)
    {
        var before = await _factory.QueryAsync(db => db.Instances.CountAsync());
        var refused = await _factory.AsSystem().PostAsJsonAsync("/api/definitions/crypto-address-verification/instances", new
        {
            correlationId = $"bad-{network}", input = new { securitiesAccount = "SA-AV-5", coin = "BTC", network, address },
        });
        await ApiAssert.ProblemAsync(refused, HttpStatusCode.UnprocessableEntity, "input.address");
        Assert.That(await _factory.QueryAsync(db => db.Instances.CountAsync()), Is.EqualTo(before));
        Assert.That(await RowsAsync("SA-AV-5"), Is.Empty);
    }
}
