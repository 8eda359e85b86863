// Expected-value arrays in assertions read better inline.
#pragma warning disable CA1861
using System.Net.Http.Json;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Features.Fiat;
using ApprovalEngine.Server.Features.Fiat.Bank;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Fiat.Bank;

/// <summary>
/// Issue 12: the sandbox bank persists in the database. Pay is idempotent by key (also when the calls race on
/// PostgreSQL), balances never go below zero, a bank file pays all its transfers or none, and a restarted server sees
/// what the bank did.
/// </summary>
public sealed class DatabaseBankSandboxTests
{
    private const string Hkd = "ICBC-001-FPS";
    private ApiFactory _factory = null!;
    private DatabaseBankSandbox _bank = null!;

    [SetUp]
    public async Task StartAsync()
    {
        _factory = await ApiFactory.PostgresAsync();
        _bank = _factory.Services.GetRequiredService<DatabaseBankSandbox>();
    }

    [TearDown]
    public async Task StopAsync()
    {
        _bank.Faults.ReleaseHeld();
        await _factory.DisposeAsync();
    }

    private static PayoutRequest Payout(string key, decimal amount = 100m, string reference = "FW-1") =>
        new(Hkd, "012-345678", amount, "HKD", reference, key);

    private async Task<List<SandboxBankPayout>> RowsAsync()
    {
        await using var db = await _factory.Services.GetRequiredService<IDbContextFactory<FiatDbContext>>().CreateDbContextAsync();
        return await db.Set<SandboxBankPayout>().AsNoTracking().ToListAsync();
    }

    [Test]
    public async Task The_bank_is_the_database_sandbox_and_starts_with_the_default_balances()
    {
        Assert.Multiple(async () =>
        {
            Assert.That(_factory.Services.GetRequiredService<IBankGateway>(), Is.SameAs(_bank));
            Assert.That(await _bank.GetAvailableBalanceAsync(Hkd, default), Is.EqualTo(2_000_000m));
            Assert.That(await _bank.GetAvailableBalanceAsync("HSBC-002-WIRE", default), Is.EqualTo(3_000_000m));
            Assert.That(await _bank.GetAvailableBalanceAsync("NO-SUCH-CHANNEL", default), Is.Null);
        });
    }

    [Test]
    public async Task The_same_key_twice_is_the_same_payout_and_pays_once()
    {
        var first = await _bank.PayAsync(Payout("k-1", 1_234.56m), default);
        var again = await _bank.PayAsync(Payout("k-1", 1_234.56m), default);

        Assert.Multiple(async () =>
        {
            Assert.That(again, Is.EqualTo(first));
            Assert.That(first.BankReference, Does.StartWith("BANK-"));
            Assert.That((await RowsAsync()).Count(r => r.IdempotencyKey == "k-1"), Is.EqualTo(1));
            Assert.That(await _bank.GetAvailableBalanceAsync(Hkd, default), Is.EqualTo(2_000_000m - 1_234.56m));
            await Assert.ThrowsAsync<BankRejectedException>(() => _bank.PayAsync(Payout("k-1", 99m), default), "the key of another payout");
        });
    }

    [Test]
    public async Task Twenty_concurrent_calls_with_one_key_pay_once_on_PostgreSQL()
    {
        var results = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(() => _bank.PayAsync(Payout("race-1", 500m), default))));

        var rows = await RowsAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(results.Select(r => r.BankReference).Distinct().Count(), Is.EqualTo(1), "every caller got the one payout");
            Assert.That(rows.Count(r => r.IdempotencyKey == "race-1"), Is.EqualTo(1));
            Assert.That(await _bank.GetAvailableBalanceAsync(Hkd, default), Is.EqualTo(2_000_000m - 500m), "debited once");
        });
    }

    [Test]
    public async Task Concurrent_payouts_never_overdraw_and_every_refusal_was_right()
    {
        await _bank.SetBalanceAsync(Hkd, "HKD", 1_000m, default);
        var attempts = await Task.WhenAll(Enumerable.Range(0, 30).Select(i => Task.Run(async () =>
        {
            try
            {
                return (Paid: (BankPayout?)await _bank.PayAsync(Payout($"c-{i}", 70m, $"FW-{i}"), default), Refused: false);
            }
            catch (BankRejectedException)
            {
                return (Paid: null, Refused: true);
            }
        })));

        var paid = attempts.Count(a => a.Paid is not null);
        var balance = await _bank.GetAvailableBalanceAsync(Hkd, default);
        TestContext.Out.WriteLine($"30 concurrent payouts of 70 on 1000: {paid} paid, {attempts.Count(a => a.Refused)} refused, balance {balance}.");
        Assert.Multiple(async () =>
        {
            Assert.That(paid, Is.EqualTo(14), "1000 / 70 = 14 payouts fit");
            Assert.That(balance, Is.EqualTo(1_000m - paid * 70m));
            Assert.That((await RowsAsync()).Count(r => r.Status == SandboxPayoutStatuses.Paid), Is.EqualTo(paid));
        });
    }

    [Test]
    public async Task A_restarted_server_sees_the_payouts_and_balances_the_bank_made()
    {
        var payout = await _bank.PayAsync(Payout("persist-1", 250m), default);
        var connection = _factory.ConnectionString;
        await _factory.DisposeAsync();

        _factory = ApiFactory.PostgresOn(connection);
        _bank = _factory.Services.GetRequiredService<DatabaseBankSandbox>();
        Assert.Multiple(async () =>
        {
            Assert.That(_bank.Payouts.Single(), Is.EqualTo(payout));
            Assert.That(await _bank.PayAsync(Payout("persist-1", 250m), default), Is.EqualTo(payout), "still idempotent after the restart");
            Assert.That(await _bank.GetAvailableBalanceAsync(Hkd, default), Is.EqualTo(2_000_000m - 250m));
        });
    }

    [Test]
    public async Task The_test_controls_reject_lose_and_hold_as_the_in_memory_bank_did()
    {
        _bank.Faults.RejectNext("Beneficiary account closed.");
        var rejected = await Assert.ThrowsAsync<BankRejectedException>(() => _bank.PayAsync(Payout("ctl-1"), default));
        Assert.That(rejected!.Message, Is.EqualTo("Beneficiary account closed."));

        _bank.Faults.LoseResponses(1);
        await Assert.ThrowsAsync<TimeoutException>(() => _bank.PayAsync(Payout("ctl-2"), default));
        var retried = await _bank.PayAsync(Payout("ctl-2"), default);
        Assert.That(_bank.Payouts.Count(p => p.IdempotencyKey == "ctl-2"), Is.EqualTo(1), "made once; the retry got the same payout");

        _bank.Faults.HoldPayouts(PayoutHold.BeforeMaking);
        var held = _bank.PayAsync(Payout("ctl-3"), default);
        Assert.That(await Poll.UntilAsync(() => Task.FromResult(_bank.Faults.HeldCount == 1), TimeSpan.FromSeconds(10)), Is.True);
        Assert.That(await _bank.TryCancelPayoutAsync("ctl-3", default), Is.True, "not made yet: called off");
        await Assert.ThrowsAsync<BankRejectedException>(() => held);
        await Assert.ThrowsAsync<BankRejectedException>(() => _bank.PayAsync(Payout("ctl-3"), default), "a called-off key never pays");
        Assert.That(await _bank.TryCancelPayoutAsync(retried.IdempotencyKey, default), Is.False, "already made");
    }

    [Test]
    public async Task A_bank_file_pays_all_its_transfers_atomically_and_once()
    {
        await _bank.SetBalanceAsync(Hkd, "HKD", 1_000m, default);
        BankFileRequest File(string key, params decimal[] amounts) => new(Hkd, "HKD", "BATCH-1", "pain.001", "<Document/>",
            [.. amounts.Select((a, i) => new BankFileTransfer($"FW-{i}", $"ACC-{i}", $"Name {i}", null, a))], key);

        await Assert.ThrowsAsync<BankRejectedException>(() => _bank.SubmitFileAsync(File("file-too-big", 600m, 600m), default));
        Assert.Multiple(async () =>
        {
            Assert.That(await RowsAsync(), Is.Empty, "nothing of a refused file is paid");
            Assert.That(await _bank.GetAvailableBalanceAsync(Hkd, default), Is.EqualTo(1_000m));
        });

        var receipt = await _bank.SubmitFileAsync(File("file-ok", 300m, 200.5m, 0.5m), default);
        var again = await _bank.SubmitFileAsync(File("file-ok", 300m, 200.5m, 0.5m), default);
        var today = DateOnly.FromDateTime(receipt.SubmittedAt.UtcDateTime);
        var statement = await _bank.GetStatementAsync(Hkd, today, today, default);
        Assert.Multiple(async () =>
        {
            Assert.That(again, Is.EqualTo(receipt));
            Assert.That(receipt.Transfers, Is.EqualTo(3));
            Assert.That(receipt.Total, Is.EqualTo(501m));
            Assert.That(await _bank.GetAvailableBalanceAsync(Hkd, default), Is.EqualTo(499m));
            Assert.That(statement.Select(e => (e.Reference, e.Amount, e.IsDebit)), Is.EquivalentTo(new[] { ("FW-0", -300m, true), ("FW-1", -200.5m, true), ("FW-2", -0.5m, true) }));
        });
    }

    [Test]
    public async Task The_statement_holds_payout_debits_and_entries_booked_by_hand_within_the_dates()
    {
        var payout = await _bank.PayAsync(Payout("st-1", 42m, "FW-42"), default);
        var day = DateOnly.FromDateTime(payout.SubmittedAt.UtcDateTime);
        await _bank.AddEntryAsync(Hkd, new BankStatementEntry("FEE-1", day, -15m, "HKD", true, null, null, "Monthly fee"), default);
        await _bank.AddEntryAsync(Hkd, new BankStatementEntry("OLD-1", day.AddDays(-10), -1m, "HKD", true, null, null, "Earlier"), default);

        var statement = await _bank.GetStatementAsync(Hkd, day, day, default);
        Assert.Multiple(async () =>
        {
            Assert.That(statement.Select(e => e.EntryId), Is.EqualTo(new[] { payout.BankReference, "FEE-1" }));
            Assert.That(statement[0], Is.EqualTo(new BankStatementEntry(payout.BankReference, day, -42m, "HKD", true, "FW-42", "012-345678", null)));
            Assert.That(await _bank.GetStatementAsync("HSBC-002-WIRE", day, day, default), Is.Empty, "another channel's account");
        });
    }

    [Test]
    public async Task On_SQLite_the_same_bank_pays_once_per_key_and_books_files()
    {
        await using var sqlite = ApiFactory.Sqlite();
        var bank = sqlite.Services.GetRequiredService<DatabaseBankSandbox>();
        var first = await bank.PayAsync(Payout("lite-1", 10m), default);
        var results = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => Task.Run(() => bank.PayAsync(Payout("lite-1", 10m), default))));
        var receipt = await bank.SubmitFileAsync(new BankFileRequest(Hkd, "HKD", "B-1", "csv", "x", [new BankFileTransfer("FW-9", "A", "N", null, 5m)], "lite-file"), default);

        Assert.Multiple(async () =>
        {
            Assert.That(results, Is.All.EqualTo(first));
            Assert.That(bank.Payouts.Select(p => p.BankReference), Is.Unique);
            Assert.That(bank.Payouts, Has.Count.EqualTo(2));
            Assert.That(receipt.Total, Is.EqualTo(5m));
            Assert.That(await bank.GetAvailableBalanceAsync(Hkd, default), Is.EqualTo(2_000_000m - 15m));
        });
    }

    [Test]
    public async Task Over_HTTP_the_sandbox_bank_sets_balances_books_lines_and_shows_its_payouts()
    {
        var system = _factory.AsSystem();
        var maker = await _factory.AsUserAsync("maker1");
        var account = await system.PutObjectAsync($"/api/fiat/sandbox/bank/accounts/{Hkd}", new { currency = "HKD", balance = 500m });
        await _bank.PayAsync(Payout("http-1", 120m, "FW-HTTP-1"), default);
        var day = DateOnly.FromDateTime(DateTime.UtcNow);
        var booked = await system.PostObjectAsync($"/api/fiat/sandbox/bank/accounts/{Hkd}/entries", new { entryId = "FEE-HTTP", bookingDate = day, amount = -8m, currency = "HKD", description = "Fee" });
        var refreshed = await maker.PostObjectAsync("/api/fiat/statements/refresh", new { channelId = Hkd, from = day, to = day });
        var view = await system.GetObjectAsync($"/api/fiat/sandbox/bank/accounts/{Hkd}");

        Assert.Multiple(async () =>
        {
            Assert.That(account["balance"]!.GetValue<decimal>(), Is.EqualTo(500m));
            Assert.That(view["balance"]!.GetValue<decimal>(), Is.EqualTo(380m));
            Assert.That(view["payouts"]!.AsArray().Single()!.Text("reference"), Is.EqualTo("FW-HTTP-1"));
            Assert.That(booked["isDebit"]!.GetValue<bool>(), Is.True, "a negative amount without isDebit is a debit");
            Assert.That(refreshed["added"]!.GetValue<int>(), Is.EqualTo(2));
            Assert.That((await maker.PutAsJsonAsync($"/api/fiat/sandbox/bank/accounts/{Hkd}", new { currency = "HKD", balance = 1m })).StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Forbidden));
        });
        await ApiAssert.ProblemAsync(await system.PutAsJsonAsync($"/api/fiat/sandbox/bank/accounts/{Hkd}", new { currency = "BTC", balance = 1m }), System.Net.HttpStatusCode.UnprocessableEntity, "currency");
        await ApiAssert.ProblemAsync(await system.PostAsJsonAsync($"/api/fiat/sandbox/bank/accounts/{Hkd}/entries", new { entryId = "FEE-HTTP", bookingDate = day, amount = -8m, currency = "HKD" }), System.Net.HttpStatusCode.Conflict);
        await ApiAssert.ProblemAsync(await system.PostAsJsonAsync($"/api/fiat/sandbox/bank/accounts/{Hkd}/entries", new { entryId = "X", bookingDate = day, amount = 1.001m, currency = "HKD" }), System.Net.HttpStatusCode.UnprocessableEntity, "amount");
    }
}
