using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Crypto;

/// <summary>
/// <c>GET /api/crypto/addresses?customer=</c> over HTTP on PostgreSQL: a customer's addresses with the flow's status
/// and the rejection reason, read by operators only; a missing customer is 400.
/// </summary>
public sealed class AddressListApiTests
{
    private const string Btc = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4";
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task Start() => _factory = await ApiFactory.PostgresAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private async Task<string> SubmitAsync(string account, string address)
    {
        var started = await _factory.AsSystem().PostObjectAsync("/api/definitions/crypto-address-verification/instances", new
        {
            correlationId = $"{account}-{address}", input = new { securitiesAccount = account, coin = "BTC", network = "BTC", address },
        });
        return started.Text("id");
    }

    private async Task ReviewAsync(string id, string user, object body)
    {
        var instance = await (await _factory.AsUserAsync("supervisor1")).GetObjectAsync($"/api/instances/{id}");
        var task = instance["openTasks"]!.AsArray().Single()!.Text("id");
        var done = await (await _factory.AsUserAsync(user)).PostAsJsonAsync($"/api/tasks/{task}/complete", body);
        Assert.That(done.StatusCode, Is.EqualTo(HttpStatusCode.OK), await done.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_customers_addresses_are_listed_with_status_and_reason()
    {
        var pending = await SubmitAsync("SA-AL-1", Btc);
        var verified = await SubmitAsync("SA-AL-1", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2");
        var rejected = await SubmitAsync("SA-AL-1", "3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy");
        await SubmitAsync("SA-AL-2", Btc);
        await ReviewAsync(verified, "checker1", new { action = "Verify" });
        await ReviewAsync(rejected, "checker1", new { action = "Reject", comment = "Not the customer's" });

        var list = await (await _factory.AsUserAsync("maker1")).GetArrayAsync("/api/crypto/addresses?customer=SA-AL-1");
        var byId = list.ToDictionary(a => a!.Text("id"), a => (a!.Text("status"), a!["reason"]?.GetValue<string>()));
        Assert.That(byId, Is.EquivalentTo(new Dictionary<string, (string, string?)>
        {
            [pending] = ("Under Verification", null),
            [verified] = ("Verified", null),
            [rejected] = ("Rejected", "Not the customer's"),
        }));
    }

    [Test]
    public async Task Bad_parameters_are_400_and_other_readers_are_refused()
    {
        var maker = await _factory.AsUserAsync("maker1");
        await ApiAssert.ProblemAsync(await maker.GetAsync("/api/crypto/addresses"), HttpStatusCode.BadRequest);
        await ApiAssert.ProblemAsync(await maker.GetAsync("/api/crypto/addresses?customer=" + new string('x', 65)), HttpStatusCode.BadRequest);
        Assert.That((await _factory.AsSystem().GetAsync("/api/crypto/addresses?customer=SA-AL-1")).StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "an API key");
    }
}
