using System.Net;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Ledger;

/// <summary>
/// Issue 9 (1): the sandbox ledger lost updates, overdrew and repeated trade ids under parallel Completes. These drive
/// many WD requests to Approved by Backoffice and fire Complete on all of them at once, over HTTP, on PostgreSQL.
/// </summary>
public sealed class LedgerConcurrencyTests
{
    private const int Requests = 50;

    [Test]
    public async Task Fifty_parallel_completes_on_one_account_never_overdraw_lose_an_update_or_repeat_a_trade_id()
    {
        await using var factory = await ApiFactory.PostgresAsync();
        var wd = new WdDriver(factory);
        foreach (var user in new[] { "cs1", "retention1", "bo1", "supervisor1", "system" }) await wd.AsAsync(user);
        var (customer, account) = WdDriver.NewAccountIds();
        const decimal start = 1_000m;
        await wd.PutAccountAsync(account, customer, balance: start, equity: start, freeMargin: start);

        // 20.00 … 80.00, every fourth with a 2.50 fee: about 2 500 requested on 1 000, so roughly half must be refused.
        var planned = Enumerable.Range(0, Requests).Select(i => (Amount: 20m + (i % 9) * 7.5m, Fee: i % 4 == 0 ? 2.5m : (decimal?)null)).ToList();
        var requests = new List<(string Id, decimal Amount, decimal? Fee)>();
        foreach (var batch in planned.Chunk(5))
        {
            requests.AddRange(await Task.WhenAll(batch.Select(async p => (await ApproveAsync(wd, customer, account, p.Amount, p.Fee), p.Amount, p.Fee))));
        }

        var responses = await Task.WhenAll(requests.Select(r => wd.ActAsync("bo1", r.Id, "Complete")));
        // Complete first checks the current balance (ADR 19): one that starts after others drained the account is
        // refused up front (409, nothing sent); the ledger's atomic operation still decides the ones that raced past it.
        var refusedUpFront = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < responses.Length; i++)
        {
            var text = await responses[i].Content.ReadAsStringAsync();
            if (responses[i].StatusCode == HttpStatusCode.Conflict && text.Contains("still to execute", StringComparison.Ordinal)) refusedUpFront.Add(requests[i].Id);
            else Assert.That(responses[i].StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        }
        var cards = new List<JsonObject>();
        foreach (var r in requests) cards.Add(await SettledCardAsync(wd, r.Id));

        var operations = await factory.QueryAsync(db => db.BalanceOperations.AsNoTracking().Where(o => o.Account == account).ToListAsync());
        var row = await factory.QueryAsync(db => db.TradingAccounts.AsNoTracking().SingleAsync(a => a.Account == account));
        var executed = cards.SelectMany(c => Transactions(c).Where(t => t.Executed)).ToList();
        var refused = cards.Where(c => c.Status() != "Completed").ToList();
        TestContext.Out.WriteLine(
            $"{Requests} parallel Completes, {planned.Sum(p => p.Amount)} requested on {start}: {cards.Count(c => c.Status() == "Completed")} Completed, " +
            $"{cards.Count(c => c.Status() == "PartiallyCompleted")} PartiallyCompleted, {cards.Count(c => c.Status() == "ApprovedByBackoffice")} refused (ApprovedByBackoffice); " +
            $"{operations.Count} operations summing {operations.Sum(o => o.Amount)}; final balance {row.Balance} = {start} + {operations.Sum(o => o.Amount)}.");

        Assert.Multiple(() =>
        {
            Assert.That(row.Balance, Is.EqualTo(start + operations.Sum(o => o.Amount)), "balance = start + sum of operations (no lost update)");
            Assert.That(row.Equity, Is.EqualTo(start + operations.Sum(o => o.Amount)));
            Assert.That(row.FreeMargin, Is.EqualTo(start + operations.Sum(o => o.Amount)));
            Assert.That(row.Balance, Is.GreaterThanOrEqualTo(0m), "never below zero");
            Assert.That(operations.Select(o => o.TradeId), Is.Unique, "distinct trade ids");
            Assert.That(operations.Select(o => o.IdempotencyKey), Is.Unique, "one operation per key");
            Assert.That(refused, Is.Not.Empty, "the balance cannot cover every request");
            Assert.That(cards.Count(c => c.Status() == "Completed"), Is.GreaterThan(0));
            // Every executed transaction on a card is exactly one ledger operation, and nothing else moved money.
            Assert.That(executed.Select(t => t.TradeId), Is.EquivalentTo(operations.Select(o => (long?)o.TradeId)));
            foreach (var t in executed) Assert.That(operations.Single(o => o.TradeId == t.TradeId).Amount, Is.EqualTo(-t.Amount));
        });
        foreach (var card in cards)
        {
            var transactions = Transactions(card);
            var withdrawal = transactions.Single(t => !t.Fee);
            var fees = transactions.Where(t => t.Fee).ToList();
            var expected = !withdrawal.Executed ? "ApprovedByBackoffice" : fees.Any(f => !f.Executed) ? "PartiallyCompleted" : "Completed";
            Assert.Multiple(() =>
            {
                Assert.That(card.Status(), Is.EqualTo(expected), card.ToJsonString());
                if (expected == "Completed") return;
                if (refusedUpFront.Contains(card.Id()))
                {
                    Assert.That(transactions.Any(t => t.Executed), Is.False, "refused up front: nothing executed");
                    Assert.That(transactions.Sum(t => t.Amount), Is.GreaterThan(row.Balance), $"refused up front although {row.Balance} is left");
                    Assert.That(card.Actions(), Does.Contain("Reject"));
                    return;
                }
                Assert.That(card["completionMessage"]!.GetValue<string>(), Does.Contain(nameof(BalanceOperationRefusal.InsufficientBalance)), card.ToJsonString());
                // Balances only fall here, so a refusal was right only if even the final balance cannot pay it.
                var refusedTx = withdrawal.Executed ? fees.Single() : withdrawal;
                Assert.That(refusedTx.Amount, Is.GreaterThan(row.Balance), $"refused {refusedTx.Amount} although {row.Balance} is left");
                if (expected == "ApprovedByBackoffice")
                {
                    // Complete is offered again only while the current balance covers what is left to execute.
                    Assert.That(card.Actions(), Does.Contain("Reject"));
                    Assert.That(card.Actions().Contains("Complete"), Is.EqualTo(transactions.Where(t => !t.Executed).Sum(t => t.Amount) <= row.Balance));
                }
            });
        }
    }

    [TestCase("Postgres")]
    [TestCase("Sqlite")]
    public async Task Parallel_operations_on_the_ledger_itself_apply_atomically_refuse_overdrafts_and_answer_duplicates_with_the_first(string provider)
    {
        await using var factory = provider == "Postgres" ? await ApiFactory.PostgresAsync() : ApiFactory.Sqlite();
        var wd = new WdDriver(factory);
        await wd.PutAccountAsync("TA-L", "C-L", balance: 1_000m, equity: 1_000m, freeMargin: 1_000m);
        var ledger = factory.Services.GetRequiredService<ILedger>();

        // 30 withdrawals of 100 on 1 000, each sent twice under its key, all at once.
        var calls = Enumerable.Range(0, 60).Select(n => Task.Run(() =>
            ledger.ApplyBalanceOperationAsync(new BalanceOperationRequest("TA-L", -100m, "USD", "parallel", $"key-{n % 30}"), CancellationToken.None))).ToList();
        var results = await Task.WhenAll(calls);

        var applied = results.Where(r => r.IsApplied).ToList();
        var account = await ledger.GetAccountAsync("TA-L", CancellationToken.None);
        var rows = await factory.QueryAsync(db => db.BalanceOperations.AsNoTracking().Where(o => o.Account == "TA-L").ToListAsync());
        Assert.Multiple(() =>
        {
            Assert.That(rows, Has.Count.EqualTo(10), "exactly the balance's worth applied");
            Assert.That(account!.Balance, Is.EqualTo(0m));
            Assert.That(account.Balance, Is.EqualTo(1_000m + rows.Sum(o => o.Amount)));
            Assert.That(rows.Select(o => o.TradeId), Is.Unique);
            Assert.That(results.Where(r => !r.IsApplied).Select(r => r.Refusal), Is.All.EqualTo(BalanceOperationRefusal.InsufficientBalance));
            // Both calls of a key got the same answer: the same operation, or both refused.
            foreach (var pair in Enumerable.Range(0, 30).Select(k => (results[k], results[k + 30])))
            {
                Assert.That(pair.Item1.Operation?.TradeId, Is.EqualTo(pair.Item2.Operation?.TradeId));
            }
            Assert.That(applied.Select(r => r.Operation!.TradeId).Distinct().Order(), Is.EqualTo(rows.Select(o => o.TradeId).Order()));
        });
    }

    [Test]
    public async Task Parallel_operations_of_different_sizes_are_all_applied_and_the_balance_is_their_sum()
    {
        await using var factory = await ApiFactory.PostgresAsync();
        var wd = new WdDriver(factory);
        await wd.PutAccountAsync("TA-S", "C-S", balance: 1_000_000m, equity: 1_000_000m, freeMargin: 1_000_000m);
        var ledger = factory.Services.GetRequiredService<ILedger>();
        var amounts = Enumerable.Range(1, 30).Select(n => -(n * 7.39m)).ToList();

        var results = await Task.WhenAll(amounts.Select((a, n) => Task.Run(() =>
            ledger.ApplyBalanceOperationAsync(new BalanceOperationRequest("TA-S", a, "USD", "parallel", $"size-{n}"), CancellationToken.None))));

        var account = await ledger.GetAccountAsync("TA-S", CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(results.Select(r => r.IsApplied), Is.All.True);
            Assert.That(account!.Balance, Is.EqualTo(1_000_000m + amounts.Sum()));
            Assert.That(results.Select(r => r.Operation!.TradeId), Is.Unique);
        });
    }

    [Test]
    public async Task A_key_reused_for_a_different_operation_is_refused_and_moves_nothing()
    {
        await using var factory = await ApiFactory.PostgresAsync();
        var wd = new WdDriver(factory);
        await wd.PutAccountAsync("TA-K", "C-K", balance: 500m, equity: 500m, freeMargin: 500m);
        var ledger = factory.Services.GetRequiredService<ILedger>();
        var first = await ledger.ApplyBalanceOperationAsync(new BalanceOperationRequest("TA-K", -100m, "USD", "c", "k"), CancellationToken.None);
        var other = await ledger.ApplyBalanceOperationAsync(new BalanceOperationRequest("TA-K", -200m, "USD", "c", "k"), CancellationToken.None);
        var unknown = await ledger.ApplyBalanceOperationAsync(new BalanceOperationRequest("TA-NONE", -1m, "USD", "c", "k2"), CancellationToken.None);
        var currency = await ledger.ApplyBalanceOperationAsync(new BalanceOperationRequest("TA-K", -1m, "EUR", "c", "k3"), CancellationToken.None);
        Assert.Multiple(async () =>
        {
            Assert.That(first.IsApplied, Is.True);
            Assert.That(other.Refusal, Is.EqualTo(BalanceOperationRefusal.KeyConflict));
            Assert.That(unknown.Refusal, Is.EqualTo(BalanceOperationRefusal.UnknownAccount));
            Assert.That(currency.Refusal, Is.EqualTo(BalanceOperationRefusal.CurrencyMismatch));
            Assert.That((await ledger.GetAccountAsync("TA-K", CancellationToken.None))!.Balance, Is.EqualTo(400m));
            Assert.That(await factory.QueryAsync(db => db.BalanceOperations.CountAsync()), Is.EqualTo(1));
        });
    }

    private static async Task<string> ApproveAsync(WdDriver wd, string customer, string account, decimal amount, decimal? fee)
    {
        var created = await wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = amount, currency = "USD", comment = "parallel complete" });
        var card = await created.ReadObjectAsync();
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), card.ToJsonString());
        var id = card.Id();
        await wd.MustActAsync("cs1", id, "PassToRetention");
        await wd.MustActAsync("retention1", id, "PassToBackoffice");
        // A different Backoffice officer completes (four eyes: the approver may not complete the same request).
        card = await wd.MustActAsync("supervisor1", id, "Approve", fee: fee);
        Assert.That(card.Status(), Is.EqualTo("ApprovedByBackoffice"));
        return id;
    }

    /// <summary>The card once Complete's execution has finished (it runs inline; a retried job may take a moment).</summary>
    private static async Task<JsonObject> SettledCardAsync(WdDriver wd, string id)
    {
        // A final card keeps executing=true (the flow ended there); a refused one is back with executing=false.
        var settled = await ApiAssert.EventuallyAsync(async () => await wd.CardAsync(id, "bo1") is var c && (c["final"]!.GetValue<bool>() || !c["executing"]!.GetValue<bool>()), TimeSpan.FromSeconds(60));
        var card = await wd.CardAsync(id, "bo1");
        Assert.That(settled, Is.True, $"Complete never finished: {card.ToJsonString()}");
        return card;
    }

    private static List<(decimal Amount, bool Fee, bool Executed, long? TradeId)> Transactions(JsonObject card) =>
        [.. card["transactions"]!.AsArray().Select(t => (
            t!["amount"]!.GetValue<decimal>(),
            t["paymentType"]!.GetValue<string>() == "Fee",
            t["status"]!.GetValue<string>() == "Executed",
            t["tradeId"]?.GetValue<long?>()))];
}
