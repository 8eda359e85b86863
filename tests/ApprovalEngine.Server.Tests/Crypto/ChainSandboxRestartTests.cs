using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Server.Features.Crypto.Sandbox;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Crypto;

/// <summary>
/// Issue 13: the Development blockchain sandbox is stored in the database. A withdrawal broadcast before a host
/// restart keeps advancing on confirmations afterwards and completes; the same broadcast again (same idempotency
/// key) after the restart sends nothing more.
/// </summary>
public sealed class ChainSandboxRestartTests
{
    private string _connection = null!;

    [SetUp]
    public async Task CreateDatabase() => _connection = await SharedPostgres.CreateDatabaseAsync("chain");

    private static async Task<(string Id, string TxId)> BroadcastWithdrawalAsync(ApiFactory factory)
    {
        var system = factory.AsSystem();
        var added = await system.PostAsJsonAsync("/api/sandbox/wallets/SA-7/verified-addresses", new { coin = "ETH", network = "ERC20", address = "0xabc0000000000000000000000000000000000001" });
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK), await added.Content.ReadAsStringAsync());
        var started = await system.PostObjectAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = "CW-7",
            input = new { recordNo = "CW-7", securitiesAccount = "SA-7", coin = "ETH", network = "ERC20", amount = 1.000000000000000001m, address = "0xabc0000000000000000000000000000000000001", requestedBy = "client:SA-7" },
        });
        var id = started["id"]!.GetValue<string>();
        var checker = await factory.AsUserAsync("checker1");
        var inbox = await checker.GetObjectAsync("/api/tasks?department=Operations");
        var task = inbox["items"]!.AsArray().Single(t => t!["businessStatus"]!.GetValue<string>() == "Pending Approval")!;
        var approved = await checker.PostAsJsonAsync($"/api/tasks/{task["id"]}/complete", new { action = "Approve" });
        Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());
        var instance = await system.GetObjectAsync($"/api/instances/{id}");
        return (id, instance["variables"]!["txid"]!.GetValue<string>());
    }

    private static async Task ConfirmAsync(ApiFactory factory, string txId, int confirmations)
    {
        var response = await factory.AsSystem().PostAsJsonAsync($"/api/sandbox/blockchain/transactions/{txId}/confirmations", new { confirmations });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
        var body = await response.ReadObjectAsync();
        Assert.That(body["event"]!["resumed"]!.GetValue<int>(), Is.EqualTo(1), body.ToJsonString());
    }

    [Test]
    public async Task A_broadcast_withdrawal_keeps_confirming_after_a_restart_and_a_duplicate_broadcast_sends_once()
    {
        string id, txId;
        await using (var first = ApiFactory.Postgres(_connection))
        {
            Assert.That(first.Services.GetRequiredService<IBlockchainGateway>(), Is.InstanceOf<DatabaseBlockchainSandbox>());
            (id, txId) = await BroadcastWithdrawalAsync(first);
            await ConfirmAsync(first, txId, 5);
        }

        await using var second = ApiFactory.Postgres(_connection);
        var chain = second.Services.GetRequiredService<DatabaseBlockchainSandbox>();
        var sent = (await chain.SentAsync(default)).Single();
        // The exact 18-decimal amount less the 0.002 ETH fee, as stored before the restart.
        Assert.That((sent.TxId, sent.Amount), Is.EqualTo((txId, 0.998000000000000001m)));

        var again = await chain.BroadcastAsync(new BroadcastRequest(sent.Coin, sent.Network, sent.ToAddress, sent.Amount, sent.Reference, sent.IdempotencyKey), default);
        Assert.That(again.TxId, Is.EqualTo(txId));
        Assert.That(await chain.SentAsync(default), Has.Count.EqualTo(1), "money leaves once");
        await Assert.ThrowsAsync<BlockchainRejectedException>(() => chain.BroadcastAsync(
            new BroadcastRequest(sent.Coin, sent.Network, sent.ToAddress, sent.Amount + 1m, sent.Reference, sent.IdempotencyKey), default));

        await ConfirmAsync(second, txId, 12);
        var instance = await second.AsSystem().GetObjectAsync($"/api/instances/{id}");
        Assert.That((instance["status"]!.GetValue<string>(), instance["businessStatus"]!.GetValue<string>()), Is.EqualTo(("Completed", "Completed")), instance.ToJsonString());
        Assert.That(instance["variables"]!["confirmations"]!.GetValue<decimal>(), Is.EqualTo(12m));
    }

    [Test]
    public async Task Confirmations_for_an_unknown_transaction_are_404_and_a_missing_count_is_422()
    {
        await using var factory = ApiFactory.Postgres(_connection);
        var system = factory.AsSystem();
        var unknown = await system.PostAsJsonAsync("/api/sandbox/blockchain/transactions/0xnope/confirmations", new { confirmations = 1 });
        Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        var missing = await system.PostAsJsonAsync("/api/sandbox/blockchain/transactions/0xnope/confirmations", new { failed = false });
        Assert.That(missing.StatusCode, Is.EqualTo((HttpStatusCode)422));
        var person = await factory.AsUserAsync("maker1");
        var forbidden = await person.PostAsJsonAsync("/api/sandbox/blockchain/transactions/0xnope/confirmations", new { confirmations = 1 });
        Assert.That(forbidden.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), "the sandbox right");
    }
}
