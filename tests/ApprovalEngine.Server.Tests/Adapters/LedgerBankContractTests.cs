// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Adapters.Http;
using ApprovalEngine.Adapters.Ledger;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Adapters;

/// <summary>
/// HttpLedger and HttpBankGateway against in-process fakes of the services' REST contracts (docs/adapters/ledger.md,
/// bank.md), through the kit's real pipeline (signature, retries, breaker, time limits): slow answers, 5xx, lost
/// responses and refusals, asserting on the fake's own books that money moved once.
/// </summary>
public sealed class LedgerBankContractTests
{
    private FakeLedgerService _ledgerService = null!;
    private FakeBankService _bankService = null!;
    private ServiceProvider _services = null!;

    [SetUp]
    public async Task Start()
    {
        _ledgerService = new FakeLedgerService();
        _bankService = new FakeBankService();
        await _ledgerService.StartAsync();
        await _bankService.StartAsync();
        _services = Provider(FakeService.SigningKey);
    }

    [TearDown]
    public async Task Stop()
    {
        await _services.DisposeAsync();
        await _ledgerService.DisposeAsync();
        await _bankService.DisposeAsync();
    }

    /// <summary>The adapters' clients as the server registers them, with time limits small enough for a test.</summary>
    private ServiceProvider Provider(string signingKey, int maxRetries = 3)
    {
        var services = new ServiceCollection();
        HttpAdapterOptions Options(Uri address) => new()
        {
            BaseAddress = address, KeyId = FakeService.KeyId, SigningKey = signingKey, AttemptTimeout = TimeSpan.FromMilliseconds(700),
            TotalTimeout = TimeSpan.FromSeconds(15), MaxRetries = maxRetries, RetryDelay = TimeSpan.FromMilliseconds(20),
        };
        services.AddSignedHttpAdapter(HttpLedger.ClientName, Options(_ledgerService.BaseAddress));
        services.AddSignedHttpAdapter(HttpBankGateway.ClientName, Options(_bankService.BaseAddress));
        return services.BuildServiceProvider();
    }

    private HttpLedger Ledger(ServiceProvider? services = null) => new((services ?? _services).GetRequiredService<IHttpClientFactory>().CreateClient(HttpLedger.ClientName));

    private HttpBankGateway Bank() => new(_services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpBankGateway.ClientName));

    private static BalanceOperationRequest Debit(decimal amount, string key = "job-1:tx-1") => new("A-1", -amount, "USD", "WD 1 withdrawal CreditCard", key);

    private static PayoutRequest Payout(decimal amount = 1_000.50m, string key = "job-9") => new("ICBC-001-FPS", "CARD-1", amount, "HKD", "FW-1", key);

    private void OneAccount(decimal balance = 10_000.25m) => _ledgerService.PutAccount("A-1", new FakeLedgerService.Account("C-1", "USD", balance, "WireTransfer", OpenTrades: 2, Margin: 100.10m));

    // ---- ledger ----

    [Test]
    public async Task Ledger_reads_the_account_with_exact_decimal_amounts_and_the_last_deposit_method()
    {
        OneAccount(10_000.25m);
        var account = await Ledger().GetAccountAsync("A-1", CancellationToken.None);
        Assert.That(account, Is.EqualTo(new TradingAccount("A-1", "C-1", "USD", 10_000.25m, 10_000.25m, 100.10m, 9_900.15m, 0m, 2)));
        Assert.That(await Ledger().GetLastDepositMethodAsync("A-1", CancellationToken.None), Is.EqualTo("WireTransfer"));
    }

    [Test]
    public async Task Ledger_answers_null_for_an_account_the_platform_does_not_know()
    {
        Assert.That(await Ledger().GetAccountAsync("NOPE", CancellationToken.None), Is.Null);
        Assert.That(await Ledger().GetLastDepositMethodAsync("NOPE", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Ledger_read_retries_a_503_and_answers()
    {
        OneAccount();
        _ledgerService.Fault("GET", "/accounts/", FaultKind.Status, times: 2, status: 503);
        Assert.That((await Ledger().GetAccountAsync("A-1", CancellationToken.None))!.Balance, Is.EqualTo(10_000.25m));
        Assert.That(_ledgerService.Count("GET", "/accounts/A-1"), Is.EqualTo(3));
    }

    [Test]
    public async Task Ledger_balance_operation_applies_once_and_the_same_key_again_returns_the_first_operation()
    {
        OneAccount(1_000m);
        var first = await Ledger().ApplyBalanceOperationAsync(Debit(97.5m), CancellationToken.None);
        var again = await Ledger().ApplyBalanceOperationAsync(Debit(97.5m), CancellationToken.None);
        Assert.That(first.IsApplied && again.IsApplied, Is.True);
        Assert.That(again.Operation!.TradeId, Is.EqualTo(first.Operation!.TradeId));
        Assert.That(first.Operation.Amount, Is.EqualTo(-97.5m));
        Assert.That(_ledgerService.Operations("A-1"), Has.Count.EqualTo(1));
        Assert.That(_ledgerService.Get("A-1")!.Balance, Is.EqualTo(902.5m));
    }

    [Test]
    public async Task Ledger_balance_operation_whose_response_is_lost_is_recovered_by_the_retry_and_moves_money_once()
    {
        OneAccount(1_000m);
        _ledgerService.Fault("POST", "/balance-operations", FaultKind.LoseResponse);
        var result = await Ledger().ApplyBalanceOperationAsync(Debit(100m), CancellationToken.None);
        Assert.That(result.IsApplied, Is.True);
        Assert.That(_ledgerService.Count("POST", "/balance-operations"), Is.EqualTo(2), "the kit asked again with the same key");
        Assert.That(_ledgerService.Operations("A-1").Select(o => o.Amount), Is.EqualTo(new[] { -100m }));
        Assert.That(_ledgerService.Get("A-1")!.Balance, Is.EqualTo(900m));
    }

    [Test]
    public async Task Ledger_balance_operation_answered_too_late_is_retried_and_moves_money_once()
    {
        OneAccount(1_000m);
        _ledgerService.Fault("POST", "/balance-operations", FaultKind.SlowAfterApplying, delay: TimeSpan.FromSeconds(5));
        var result = await Ledger().ApplyBalanceOperationAsync(Debit(100m), CancellationToken.None);
        Assert.That(result.Operation!.TradeId, Is.EqualTo(_ledgerService.Operations("A-1").Single().TradeId));
        Assert.That(_ledgerService.Count("POST", "/balance-operations"), Is.EqualTo(2));
        Assert.That(_ledgerService.Get("A-1")!.Balance, Is.EqualTo(900m));
    }

    [Test]
    public async Task Ledger_balance_operation_after_two_503s_applies_once()
    {
        OneAccount(1_000m);
        _ledgerService.Fault("POST", "/balance-operations", FaultKind.Status, times: 2, status: 503);
        Assert.That((await Ledger().ApplyBalanceOperationAsync(Debit(100m), CancellationToken.None)).IsApplied, Is.True);
        Assert.That(_ledgerService.Count("POST", "/balance-operations"), Is.EqualTo(3));
        Assert.That(_ledgerService.Operations("A-1"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Ledger_down_beyond_the_retries_throws_unknown_and_a_later_call_with_the_same_key_applies_once()
    {
        OneAccount(1_000m);
        _ledgerService.Fault("POST", "/balance-operations", FaultKind.Status, times: 4, status: 500);
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => Ledger().ApplyBalanceOperationAsync(Debit(100m), CancellationToken.None));
        Assert.That(_ledgerService.Operations("A-1"), Is.Empty);
        // The engine retries the step later with the same key.
        Assert.That((await Ledger().ApplyBalanceOperationAsync(Debit(100m), CancellationToken.None)).IsApplied, Is.True);
        Assert.That(_ledgerService.Operations("A-1"), Has.Count.EqualTo(1));
    }

    [TestCase(5_000, "A-1", "USD", "job-1:tx-1", BalanceOperationRefusal.InsufficientBalance, TestName = "Ledger_refuses_insufficient_balance_as_an_answer_never_retried")]
    [TestCase(10, "NOPE", "USD", "job-1:tx-1", BalanceOperationRefusal.UnknownAccount, TestName = "Ledger_refuses_an_unknown_account_as_an_answer_never_retried")]
    [TestCase(10, "A-1", "EUR", "job-1:tx-1", BalanceOperationRefusal.CurrencyMismatch, TestName = "Ledger_refuses_another_currency_as_an_answer_never_retried")]
    public async Task Ledger_refusals(decimal amount, string account, string currency, string key, BalanceOperationRefusal expected)
    {
        OneAccount(1_000m);
        var result = await Ledger().ApplyBalanceOperationAsync(new BalanceOperationRequest(account, -amount, currency, "WD", key), CancellationToken.None);
        Assert.That((result.IsApplied, result.Refusal), Is.EqualTo((false, (BalanceOperationRefusal?)expected)), result.Reason);
        Assert.That(_ledgerService.Count("POST", "/balance-operations"), Is.EqualTo(1), "a 4xx is never retried");
        Assert.That(_ledgerService.Get("A-1")!.Balance, Is.EqualTo(1_000m));
    }

    [Test]
    public async Task Ledger_key_reused_for_another_amount_is_a_key_conflict_and_moves_nothing_more()
    {
        OneAccount(1_000m);
        await Ledger().ApplyBalanceOperationAsync(Debit(100m), CancellationToken.None);
        var reused = await Ledger().ApplyBalanceOperationAsync(Debit(200m), CancellationToken.None);
        Assert.That(reused.Refusal, Is.EqualTo(BalanceOperationRefusal.KeyConflict));
        Assert.That(_ledgerService.Get("A-1")!.Balance, Is.EqualTo(900m));
    }

    [Test]
    public async Task Ledger_request_signed_with_a_wrong_key_is_refused_by_the_platform_and_the_adapter_throws_not_refuses()
    {
        OneAccount(1_000m);
        await using var wrong = Provider("not-the-platform-signing-key-0123456789");
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => Ledger(wrong).ApplyBalanceOperationAsync(Debit(100m), CancellationToken.None));
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => Ledger(wrong).GetAccountAsync("A-1", CancellationToken.None));
        Assert.That((_ledgerService.Unsigned, _ledgerService.Requests.Count), Is.EqualTo((2, 0)), "refused at the door, once each (a 401 is not retried)");
        Assert.That(_ledgerService.Get("A-1")!.Balance, Is.EqualTo(1_000m));
    }

    // ---- bank ----

    [Test]
    public async Task Bank_payout_whose_response_is_lost_is_recovered_and_pays_once()
    {
        _bankService.PutChannel("ICBC-001-FPS", "HKD", 50_000m);
        _bankService.Fault("POST", "/payouts", FaultKind.LoseResponse);
        var payout = await Bank().PayAsync(Payout(), CancellationToken.None);
        Assert.That((payout.Amount, payout.Currency, payout.IdempotencyKey), Is.EqualTo((1_000.50m, "HKD", "job-9")));
        Assert.That(_bankService.Payouts().Select(p => p.BankReference), Is.EqualTo(new[] { payout.BankReference }));
        Assert.That(_bankService.Balance("ICBC-001-FPS"), Is.EqualTo(48_999.50m));
    }

    [Test]
    public async Task Bank_payout_after_a_503_pays_once_and_the_same_key_again_returns_the_first_payout()
    {
        _bankService.PutChannel("ICBC-001-FPS", "HKD", 50_000m);
        _bankService.Fault("POST", "/payouts", FaultKind.Status, status: 503);
        var first = await Bank().PayAsync(Payout(), CancellationToken.None);
        var again = await Bank().PayAsync(Payout(), CancellationToken.None);
        Assert.That(again, Is.EqualTo(first));
        Assert.That(_bankService.Payouts(), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task Bank_refusal_is_a_BankRejectedException_never_retried()
    {
        _bankService.PutChannel("ICBC-001-FPS", "HKD", 10m);
        var refused = await Assert.ThrowsAsync<BankRejectedException>(() => Bank().PayAsync(Payout(), CancellationToken.None));
        Assert.That(refused!.Message, Does.Contain("Insufficient funds"));
        Assert.That(_bankService.Count("POST", "/payouts"), Is.EqualTo(1));
        Assert.That(_bankService.Payouts(), Is.Empty);
    }

    [Test]
    public async Task Bank_down_beyond_the_retries_throws_unknown()
    {
        _bankService.PutChannel("ICBC-001-FPS", "HKD", 50_000m);
        _bankService.Fault("POST", "/payouts", FaultKind.Status, times: 4, status: 502);
        await Assert.ThrowsAsync<ServiceUnavailableException>(() => Bank().PayAsync(Payout(), CancellationToken.None));
        Assert.That(_bankService.Payouts(), Is.Empty);
        await Task.CompletedTask;
    }

    [Test]
    public async Task Bank_balance_is_exact_and_unknown_channels_have_none()
    {
        _bankService.PutChannel("ICBC-001-FPS", "HKD", 12_345.67m);
        _bankService.PutChannel("NO-INQUIRY", "HKD", null);
        Assert.That(await Bank().GetAvailableBalanceAsync("ICBC-001-FPS", CancellationToken.None), Is.EqualTo(12_345.67m));
        Assert.That(await Bank().GetAvailableBalanceAsync("NO-INQUIRY", CancellationToken.None), Is.Null);
        Assert.That(await Bank().GetAvailableBalanceAsync("NOPE", CancellationToken.None), Is.Null);
    }

    [Test]
    public async Task Bank_statement_follows_the_pages()
    {
        _bankService.PutChannel("ICBC-001-FPS", "HKD", null);
        for (var i = 1; i <= 5; i++) await Bank().PayAsync(Payout(i, $"job-{i}"), CancellationToken.None);
        var today = DateOnly.FromDateTime(DateTime.UtcNow);
        var entries = await Bank().GetStatementAsync("ICBC-001-FPS", today.AddDays(-1), today, CancellationToken.None);
        Assert.That(entries.Select(e => (e.Amount, e.IsDebit)), Is.EqualTo(Enumerable.Range(1, 5).Select(i => (-(decimal)i, true))));
        Assert.That(_bankService.Count("GET", "/channels/ICBC-001-FPS/statement"), Is.EqualTo(3), "pages of 2");
    }

    [Test]
    public async Task Bank_file_is_submitted_once_per_key_even_when_the_response_is_lost()
    {
        _bankService.PutChannel("ICBC-001-FPS", "HKD", null);
        _bankService.Fault("POST", "/files", FaultKind.LoseResponse);
        var file = new BankFileRequest("ICBC-001-FPS", "HKD", "B-1", "csv", "reference,amount\nFW-1,10.10\nFW-2,20.20\n",
            [new("FW-1", "CARD-1", "Ann", null, 10.10m), new("FW-2", "CARD-2", "Bob", "HSBC", 20.20m)], "batch-1");
        var receipt = await Bank().SubmitFileAsync(file, CancellationToken.None);
        Assert.That((receipt.FileId, receipt.Transfers, receipt.Total), Is.EqualTo(("B-1", 2, 30.30m)));
        Assert.That(_bankService.Files, Is.EqualTo(1));
    }

    [Test]
    public async Task Bank_call_off_before_the_payout_stops_it_and_after_the_payout_is_refused()
    {
        _bankService.PutChannel("ICBC-001-FPS", "HKD", 50_000m);
        Assert.That(await Bank().TryCancelPayoutAsync("job-early", CancellationToken.None), Is.True);
        await Assert.ThrowsAsync<BankRejectedException>(() => Bank().PayAsync(Payout(key: "job-early"), CancellationToken.None));
        await Bank().PayAsync(Payout(key: "job-paid"), CancellationToken.None);
        Assert.That(await Bank().TryCancelPayoutAsync("job-paid", CancellationToken.None), Is.False);
        Assert.That(_bankService.Payouts().Select(p => p.IdempotencyKey), Is.EqualTo(new[] { "job-paid" }));
    }
}
