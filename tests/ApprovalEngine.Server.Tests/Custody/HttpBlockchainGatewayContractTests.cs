using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Adapters.Http;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Custody;

/// <summary>
/// The custody adapter against an in-process custody service (Kestrel) that checks signatures and keeps transfers by
/// idempotency key: every way the network or the service can fail, and each time the fake's own record shows the
/// coins left at most once. Timeouts are tiny and configured here; nothing sleeps.
/// </summary>
public sealed class HttpBlockchainGatewayContractTests
{
    private FakeCustody _custody = null!;

    [OneTimeSetUp]
    public async Task Start() => _custody = await FakeCustody.StartAsync();

    [OneTimeTearDown]
    public async Task Stop() => await _custody.DisposeAsync();

    [SetUp]
    public void Reset() => _custody.ClearFaults();

    private ServiceProvider Services(string signingKey = FakeCustody.SigningKey, int maxRetries = 3) =>
        new ServiceCollection()
            .AddSingleton(TimeProvider.System)
            .AddSignedHttpAdapter(HttpBlockchainGateway.ClientName, new HttpAdapterOptions
            {
                BaseAddress = _custody.BaseAddress, KeyId = "approval-engine", SigningKey = signingKey,
                AttemptTimeout = TimeSpan.FromMilliseconds(700), TotalTimeout = TimeSpan.FromSeconds(6), MaxRetries = maxRetries, RetryDelay = TimeSpan.FromMilliseconds(10),
            }).Services.BuildServiceProvider();

    private static HttpBlockchainGateway Gateway(ServiceProvider services) =>
        new(services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpBlockchainGateway.ClientName), TimeProvider.System);

    private static BroadcastRequest Request(string key, decimal amount = 0.4998m, string address = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4") =>
        new("BTC", "BTC", address, amount, "CW-" + key, key);

    private List<System.Text.Json.Nodes.JsonObject> SentUnder(string key) =>
        [.. _custody.Transfers.Where(t => t["reference"]!.GetValue<string>() == "CW-" + key)];

    [Test]
    public async Task A_broadcast_is_signed_sends_the_amount_as_a_decimal_string_and_returns_the_transaction()
    {
        await using var services = Services();
        var key = Guid.NewGuid().ToString("N");
        var result = await Gateway(services).BroadcastAsync(Request(key, 1.234567890123456789m), CancellationToken.None);
        var sent = SentUnder(key).Single();
        Assert.That((result.TxId, result.Amount, result.IdempotencyKey), Is.EqualTo((sent["txId"]!.GetValue<string>(), 1.234567890123456789m, key)));
        Assert.That(sent["amount"]!.GetValue<string>(), Is.EqualTo("1.234567890123456789"), "18 decimals survive the wire");
    }

    [Test]
    public async Task The_same_key_again_returns_the_first_transaction_and_sends_nothing_more()
    {
        await using var services = Services();
        var key = Guid.NewGuid().ToString("N");
        var first = await Gateway(services).BroadcastAsync(Request(key), CancellationToken.None);
        var again = await Gateway(services).BroadcastAsync(Request(key), CancellationToken.None);
        Assert.That(again.TxId, Is.EqualTo(first.TxId));
        Assert.That(SentUnder(key), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Two_503s_are_retried_within_the_call_and_the_coins_leave_once()
    {
        await using var services = Services();
        var key = Guid.NewGuid().ToString("N");
        var before = _custody.Attempts;
        _custody.AnswerNext(2, 503);
        var result = await Gateway(services).BroadcastAsync(Request(key), CancellationToken.None);
        Assert.That(SentUnder(key).Single()["txId"]!.GetValue<string>(), Is.EqualTo(result.TxId));
        Assert.That(_custody.Attempts - before, Is.EqualTo(3));
    }

    [Test]
    public async Task A_lost_response_is_retried_with_the_same_key_and_answered_with_the_first_transaction()
    {
        await using var services = Services();
        var key = Guid.NewGuid().ToString("N");
        _custody.LoseNextResponse();
        var result = await Gateway(services).BroadcastAsync(Request(key), CancellationToken.None);
        Assert.That(SentUnder(key).Single()["txId"]!.GetValue<string>(), Is.EqualTo(result.TxId), "applied by the lost attempt, answered to the retry");
    }

    [Test]
    public async Task An_answer_slower_than_the_attempt_timeout_is_retried_and_the_coins_leave_once()
    {
        await using var services = Services();
        var key = Guid.NewGuid().ToString("N");
        _custody.AnswerNextLate(TimeSpan.FromSeconds(30));
        var result = await Gateway(services).BroadcastAsync(Request(key), CancellationToken.None);
        Assert.That(SentUnder(key).Single()["txId"]!.GetValue<string>(), Is.EqualTo(result.TxId));
    }

    [Test]
    public async Task Persistent_5xx_throws_unknown_not_a_refusal_and_the_later_retry_with_the_same_key_sends_once()
    {
        await using var services = Services(maxRetries: 2);
        var key = Guid.NewGuid().ToString("N");
        _custody.AnswerNext(3, 500);
        var failure = await Assert.CatchAsync(() => Gateway(services).BroadcastAsync(Request(key), CancellationToken.None));
        Assert.That(failure, Is.Not.InstanceOf<BlockchainRejectedException>(), "a 5xx is unknown: the engine must retry, not mark it refused");
        Assert.That(SentUnder(key), Is.Empty);
        // The engine's step retry, later, with the same key.
        var result = await Gateway(services).BroadcastAsync(Request(key), CancellationToken.None);
        Assert.That(SentUnder(key).Single()["txId"]!.GetValue<string>(), Is.EqualTo(result.TxId));
    }

    [Test]
    public async Task A_service_that_never_answers_ends_in_an_unknown_failure_within_the_total_timeout()
    {
        await using var services = Services(maxRetries: 0);
        var key = Guid.NewGuid().ToString("N");
        _custody.NeverAnswerNext();
        var failure = await Assert.CatchAsync(() => Gateway(services).BroadcastAsync(Request(key), CancellationToken.None));
        Assert.That(failure, Is.Not.InstanceOf<BlockchainRejectedException>());
        Assert.That(SentUnder(key), Is.Empty);
    }

    [TestCase(422, "insufficient-funds")]
    [TestCase(422, "invalid-address")]
    public async Task A_documented_refusal_is_a_refusal_and_is_not_retried(int status, string code)
    {
        await using var services = Services();
        var key = Guid.NewGuid().ToString("N");
        var before = _custody.Attempts;
        _custody.RefuseNext(status, code);
        var refused = await Assert.ThrowsAsync<BlockchainRejectedException>(() => Gateway(services).BroadcastAsync(Request(key), CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain(code));
        Assert.That(_custody.Attempts - before, Is.EqualTo(1), "a 4xx is the service's answer: never repeated");
        Assert.That(SentUnder(key), Is.Empty);
    }

    [Test]
    public async Task The_same_key_for_a_different_transfer_is_refused_and_only_the_first_leaves()
    {
        await using var services = Services();
        var key = Guid.NewGuid().ToString("N");
        await Gateway(services).BroadcastAsync(Request(key, 1m), CancellationToken.None);
        var refused = await Assert.ThrowsAsync<BlockchainRejectedException>(() => Gateway(services).BroadcastAsync(Request(key, 2m), CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain("idempotency-key-reused"));
        Assert.That(SentUnder(key).Single()["amount"]!.GetValue<string>(), Is.EqualTo("1"));
    }

    [Test]
    public async Task A_request_signed_with_another_key_is_refused_by_the_service_and_is_unknown_not_a_refusal()
    {
        await using var services = Services(signingKey: "not-the-custody-signing-key-0123456789abcdef");
        var key = Guid.NewGuid().ToString("N");
        var before = _custody.Unsigned;
        var failure = await Assert.CatchAsync(() => Gateway(services).BroadcastAsync(Request(key), CancellationToken.None));
        Assert.That(failure, Is.Not.InstanceOf<BlockchainRejectedException>(), "a configuration fault an operator fixes; then the step's retry succeeds");
        Assert.That(_custody.Unsigned - before, Is.EqualTo(1), "401 is final for this call: not retried");
        Assert.That(SentUnder(key), Is.Empty);
    }
}
