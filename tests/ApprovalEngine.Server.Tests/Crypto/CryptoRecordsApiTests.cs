using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Trust;

namespace ApprovalEngine.Server.Tests.Crypto;

/// <summary>
/// Withdrawal and deposit records (issue 13, manuals 000 and 001) over HTTP on PostgreSQL: every filter narrows and a
/// bogus one is a 400 naming it, paging totals, the detail's history and confirmation progress, the CSV export (coin
/// precision, formula escaping) and who may read them, through every side door.
/// </summary>
public sealed class CryptoRecordsApiTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private ApiFactory _factory = null!;
    private int _next;

    [OneTimeSetUp]
    public async Task Start() => _factory = await ApiFactory.PostgresAsync(TrustIdentities.Settings());

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private string Unique(string prefix) => $"{prefix}-{Interlocked.Increment(ref _next)}-{Guid.NewGuid():N}"[..20];

    private async Task<JsonObject> WithdrawalAsync(string customer, string coin = "BTC", decimal amount = 0.5m, string? recordNo = null)
    {
        recordNo ??= Unique("CWR");
        var system = _factory.AsSystem();
        var address = coin == "BTC" ? "bc1qrecords" : "0xrecords";
        var added = await system.PostAsJsonAsync($"/api/sandbox/wallets/{customer}/verified-addresses", new { coin, network = Network(coin), address });
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK), await added.Content.ReadAsStringAsync());
        var started = await system.PostObjectAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = recordNo,
            input = new { recordNo, securitiesAccount = customer, coin, network = Network(coin), amount, address, requestedBy = $"client:{customer}" },
        });
        await WaitAsync(() => RecordAsync("withdrawals", started.Text("id")), r => r.Text("status") == "Pending Approval");
        return started;
    }

    private async Task<JsonObject> DepositAsync(string customer, decimal amount = 0.25m, string? recordNo = null, string coin = "BTC", string? depositAddress = null, string? txid = null)
    {
        recordNo ??= Unique("CDR");
        var started = await _factory.AsSystem().PostObjectAsync("/api/definitions/crypto-deposit/instances", new
        {
            correlationId = recordNo,
            input = new { recordNo, securitiesAccount = customer, coin, network = Network(coin), amount, txid = txid ?? $"tx-{recordNo}", depositAddress },
        });
        await WaitAsync(() => RecordAsync("deposits", started.Text("id")), r => r.Text("status") == "Wallet Address Under Verification");
        return started;
    }

    private async Task<JsonObject> RecordAsync(string kind, string id) => (JsonObject)(await _factory.AsSystem().GetObjectAsync($"/api/crypto/{kind}/{id}"))["record"]!;

    private static async Task WaitAsync(Func<Task<JsonObject>> read, Func<JsonObject, bool> until)
    {
        JsonObject? last = null;
        var ok = await ApiAssert.EventuallyAsync(async () => until(last = await read()), Bound);
        Assert.That(ok, Is.True, last?.ToJsonString());
    }

    private static async Task<JsonObject> ListAsync(HttpClient client, string url)
    {
        using var response = await client.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{url}: {body}");
        return (JsonObject)JsonNode.Parse(body)!;
    }

    /// <summary>The sandbox's networks (InMemoryBlockchainSandbox).</summary>
    private static string Network(string coin) => coin switch { "ETH" => "ERC20", "USDT" => "TRC20", _ => coin };

    /// <summary>A text property, null when absent or null (journal entries leave most of them empty).</summary>
    private static string? Str(JsonNode? node, string property) => node?[property]?.GetValue<string>();

    private static string[] RecordNos(JsonObject page) => [.. page.Items().Select(i => i.Text("recordNo"))];

    [Test]
    public async Task Each_withdrawal_filter_narrows_the_list_record_number_customer_coin_status_and_creation_time()
    {
        var a = Unique("SA");
        var b = Unique("SA");
        var first = await WithdrawalAsync(a);
        var second = await WithdrawalAsync(a, coin: "ETH", amount: 1.5m);
        var other = await WithdrawalAsync(b);
        var system = _factory.AsSystem();
        var checker = await _factory.AsUserAsync("checker1");

        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/withdrawals?customer={a}")), Is.EquivalentTo(new[] { second.Text("correlationId"), first.Text("correlationId") }));
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/withdrawals?recordNo={other.Text("correlationId")}")), Is.EqualTo(new[] { other.Text("correlationId") }));
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/withdrawals?customer={a}&coin=ETH")), Is.EqualTo(new[] { second.Text("correlationId") }));
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/withdrawals?customer={a}&coin=eth")), Is.EqualTo(new[] { second.Text("correlationId") }), "coin symbols are upper case");
        Assert.That((await ListAsync(checker, $"/api/crypto/withdrawals?customer={a}&status=Completed"))["total"]!.GetValue<int>(), Is.Zero);
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/withdrawals?customer={a}&status=Pending%20Approval")), Has.Length.EqualTo(2));

        // Creation time: from the second record's own creation instant leaves the first out; to the first's leaves the second out.
        var secondCreated = (await RecordAsync("withdrawals", second.Text("id"))).Text("createdAt");
        var firstCreated = (await RecordAsync("withdrawals", first.Text("id"))).Text("createdAt");
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/withdrawals?customer={a}&createdFrom={Uri.EscapeDataString(secondCreated)}")), Is.EqualTo(new[] { second.Text("correlationId") }));
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/withdrawals?customer={a}&createdTo={Uri.EscapeDataString(firstCreated)}")), Is.EqualTo(new[] { first.Text("correlationId") }));
        var future = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddDays(1).ToString("O"));
        Assert.That((await ListAsync(system, $"/api/crypto/withdrawals?customer={a}&createdFrom={future}"))["total"]!.GetValue<int>(), Is.Zero);

        // A Cancelled withdrawal (generic cancel) is listed under Cancelled, not under the status it had.
        using (var cancelled = await (await _factory.AsUserAsync("supervisor1")).PostAsJsonAsync($"/api/instances/{first.Text("id")}/cancel", new { reason = "client withdrew" }))
        {
            Assert.That(cancelled.StatusCode, Is.EqualTo(HttpStatusCode.OK), await cancelled.Content.ReadAsStringAsync());
        }
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/withdrawals?customer={a}&status=Cancelled")), Is.EqualTo(new[] { first.Text("correlationId") }));
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/withdrawals?customer={a}&status=pending%20approval")), Is.EqualTo(new[] { second.Text("correlationId") }));
    }

    [Test]
    public async Task Each_deposit_filter_narrows_the_list_and_deposits_and_withdrawals_never_mix()
    {
        var a = Unique("SA");
        var credited = await DepositAsync(a);
        var open = await DepositAsync(a, coin: "ETH", amount: 2m);
        await WithdrawalAsync(a);
        var delivered = await _factory.AsSystem().PostObjectAsync("/api/events/BlockConfirmations", new { correlationId = $"tx-{credited.Text("correlationId")}", payload = new { confirmations = 3 } });
        Assert.That(delivered["resumed"]!.GetValue<int>(), Is.EqualTo(1));
        await WaitAsync(() => RecordAsync("deposits", credited.Text("id")), r => r.Text("status") == "Credited");
        var checker = await _factory.AsUserAsync("checker2");

        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/deposits?customer={a}")), Is.EquivalentTo(new[] { credited.Text("correlationId"), open.Text("correlationId") }));
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/deposits?customer={a}&status=Credited")), Is.EqualTo(new[] { credited.Text("correlationId") }));
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/deposits?customer={a}&status=Wallet%20Address%20Under%20Verification")), Is.EqualTo(new[] { open.Text("correlationId") }));
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/deposits?customer={a}&coin=ETH")), Is.EqualTo(new[] { open.Text("correlationId") }));
        Assert.That(RecordNos(await ListAsync(checker, $"/api/crypto/deposits?recordNo={credited.Text("correlationId")}")), Is.EqualTo(new[] { credited.Text("correlationId") }));
        Assert.That((await ListAsync(checker, $"/api/crypto/withdrawals?recordNo={credited.Text("correlationId")}"))["total"]!.GetValue<int>(), Is.Zero, "a deposit is not a withdrawal");
        using var wrongRoute = await checker.GetAsync($"/api/crypto/withdrawals/{credited.Text("id")}");
        await ApiAssert.ProblemAsync(wrongRoute, HttpStatusCode.NotFound);
    }

    [TestCase("withdrawals", "bogus=1", "bogus")]
    [TestCase("withdrawals", "customerId=SA-1", "customerId")]
    [TestCase("withdrawals", "status=Credited", "status")]
    [TestCase("deposits", "status=Under%20Review", "status")]
    [TestCase("deposits", "status=Nope", "status")]
    [TestCase("deposits", "status=Credited&status=Refunded", "status")]
    [TestCase("deposits", "createdFrom=2026-12-01", "createdFrom")]
    [TestCase("deposits", "createdTo=2026-12-01T10:00:00", "createdTo")]
    [TestCase("withdrawals", "createdFrom=yesterday", "createdFrom")]
    [TestCase("withdrawals", "createdFrom=2026-12-02T00:00:00Z&createdTo=2026-12-01T00:00:00Z", "createdFrom")]
    [TestCase("withdrawals", "coin=B%21", "coin")]
    [TestCase("withdrawals", "page=0", "page")]
    [TestCase("deposits", "pageSize=501", "pageSize")]
    [TestCase("deposits", "pageSize=ten", "pageSize")]
    [TestCase("deposits/export", "page=1", "page")]
    [TestCase("withdrawals/export", "status=Nope", "status")]
    [TestCase("withdrawals/export", "customer=SA&bogus=", "bogus")]
    public async Task A_bogus_filter_is_a_400_naming_it_never_ignored(string route, string query, string field)
    {
        var response = await (await _factory.AsUserAsync("checker1")).GetAsync($"/api/crypto/{route}?{query}");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Test]
    public async Task Paging_gives_the_total_and_every_record_once_newest_first()
    {
        var a = Unique("SA");
        var numbers = new List<string>();
        for (var i = 0; i < 5; i++) numbers.Add((await DepositAsync(a)).Text("correlationId"));
        var checker = await _factory.AsUserAsync("checker1");
        var seen = new List<string>();
        for (var page = 1; page <= 3; page++)
        {
            var result = await ListAsync(checker, $"/api/crypto/deposits?customer={a}&pageSize=2&page={page}");
            Assert.That((result["total"]!.GetValue<int>(), result["page"]!.GetValue<int>(), result["pageSize"]!.GetValue<int>()), Is.EqualTo((5, page, 2)));
            Assert.That(result.Items(), Has.Count.EqualTo(page < 3 ? 2 : 1));
            seen.AddRange(RecordNos(result));
        }
        numbers.Reverse();
        Assert.That(seen, Is.EqualTo(numbers), "newest first, each record on exactly one page");
        Assert.That((await ListAsync(checker, $"/api/crypto/deposits?customer={a}&pageSize=2&page=4")).Items(), Is.Empty);
    }

    [Test]
    public async Task A_withdrawal_detail_shows_the_work_order_history_with_who_when_and_comment_and_the_confirmation_progress()
    {
        var a = Unique("SA");
        var started = await WithdrawalAsync(a, amount: 0.5m);
        var id = started.Text("id");
        var checker = await _factory.AsUserAsync("checker1");
        var detail = await checker.GetObjectAsync($"/api/crypto/withdrawals/{id}");
        var task = detail["openTasks"]!.AsArray().Single()!;
        Assert.That(task.Text("definitionId"), Is.EqualTo("work-order-approval"), "the open work order is on the record's detail");
        using (var approved = await checker.PostAsJsonAsync($"/api/tasks/{task.Text("id")}/complete", new { action = "Approve", comment = "Address checked with the client" }))
        {
            Assert.That(approved.StatusCode, Is.EqualTo(HttpStatusCode.OK), await approved.Content.ReadAsStringAsync());
        }
        await WaitAsync(() => RecordAsync("withdrawals", id), r => r.Text("status") == "Awaiting Confirmations");
        var txid = (await RecordAsync("withdrawals", id))["confirmations"].Text("txid");
        await _factory.AsSystem().PostObjectAsync("/api/events/BlockConfirmations", new { correlationId = txid, payload = new { confirmations = 1 } });

        detail = await checker.GetObjectAsync($"/api/crypto/withdrawals/{started.Text("correlationId")}");
        var record = detail["record"]!;
        Assert.That((record.Text("status"), record.Text("recordNo"), record.Text("customer"), record.Text("amountText"), record["decimals"]!.GetValue<int>()),
            Is.EqualTo(("Confirming", started.Text("correlationId"), a, "0.50000000", 8)));
        var progress = record["confirmations"]!;
        Assert.That((progress.Text("txid"), progress["seen"]!.GetValue<int>(), progress["required"]!.GetValue<int>(), progress["complete"]!.GetValue<bool>()), Is.EqualTo((txid, 1, 3, false)));
        var history = detail["history"]!.AsArray();
        var approval = history.Single(h => Str(h!["entry"], "action") == "Approve")!;
        Assert.That((approval.Text("flow"), approval["entry"]!["actor"].Text("userId"), approval["entry"]!.Text("comment")),
            Is.EqualTo(("work-order-approval", "checker1", "Address checked with the client")));
        Assert.That(DateTimeOffset.Parse(approval["entry"]!.Text("timestamp")), Is.GreaterThan(DateTimeOffset.Parse(record.Text("createdAt"))));
        Assert.That(history.Any(h => h.Text("flow") == "crypto-coin-withdrawal" && Str(h!["entry"], "activityId") == "broadcast"), Is.True, "the record's own steps are in the history");
        var times = history.Select(h => DateTimeOffset.Parse(h!["entry"]!.Text("timestamp"))).ToList();
        Assert.That(times, Is.Ordered, "the history is in time order");
        Assert.That(detail["openTasks"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task A_deposit_detail_shows_the_cancellation_with_operator_time_and_remark_and_progress_counts_up()
    {
        var a = Unique("SA");
        var progressing = await DepositAsync(a, amount: 1.2m);
        await _factory.AsSystem().PostObjectAsync("/api/events/BlockConfirmations", new { correlationId = $"tx-{progressing.Text("correlationId")}", payload = new { confirmations = 2 } });
        await WaitAsync(() => RecordAsync("deposits", progressing.Text("id")), r => r.Text("status") == "Confirming");
        var record = await RecordAsync("deposits", progressing.Text("id"));
        Assert.That((record["confirmations"]!["seen"]!.GetValue<int>(), record["confirmations"]!["required"]!.GetValue<int>(), record.Text("amountText")), Is.EqualTo((2, 3, "1.20000000")));

        var cancelledDeposit = await DepositAsync(a);
        var checker2 = await _factory.AsUserAsync("checker2");
        var detail = await checker2.GetObjectAsync($"/api/crypto/deposits/{cancelledDeposit.Text("correlationId")}");
        var task = detail["openTasks"]!.AsArray().Single()!;
        using (var cancelled = await checker2.PostAsJsonAsync($"/api/tasks/{task.Text("id")}/complete", new { action = "Cancel", comment = "Duplicate user request" }))
        {
            Assert.That(cancelled.StatusCode, Is.EqualTo(HttpStatusCode.OK), await cancelled.Content.ReadAsStringAsync());
        }
        detail = await checker2.GetObjectAsync($"/api/crypto/deposits/{cancelledDeposit.Text("id")}");
        Assert.That((detail["record"].Text("status"), detail["record"].Text("reason")), Is.EqualTo(("Cancelled", "Duplicate user request")));
        Assert.That((detail["reasons"].Text("cancelRemark"), detail["reasons"].Text("cancelledBy")), Is.EqualTo(("Duplicate user request", "checker2")));
        var entry = detail["history"]!.AsArray().Single(h => Str(h!["entry"], "action") == "Cancel")!["entry"]!;
        Assert.That((entry["actor"].Text("userId"), entry.Text("comment")), Is.EqualTo(("checker2", "Duplicate user request")));
        Assert.That(entry.Text("timestamp"), Is.Not.Empty);

        using var unknown = await checker2.GetAsync("/api/crypto/deposits/NO-SUCH-RECORD");
        await ApiAssert.ProblemAsync(unknown, HttpStatusCode.NotFound);
        using var unknownId = await checker2.GetAsync($"/api/crypto/deposits/{Guid.NewGuid()}");
        await ApiAssert.ProblemAsync(unknownId, HttpStatusCode.NotFound);
    }

    [Test]
    public async Task The_export_has_the_filtered_rows_amounts_with_the_coins_precision_and_formula_cells_escaped()
    {
        var a = $"+{Unique("SA")}";
        var formula = $"=HYPERLINK(\"http://x\")-{Guid.NewGuid():N}"[..40];
        await DepositAsync(a, amount: 123456789.12345678m, recordNo: formula, depositAddress: "@evil", txid: $"-tx-{Guid.NewGuid():N}");
        await DepositAsync(a, amount: 0.1m, coin: "ETH");
        await DepositAsync(Unique("SA"), amount: 5m); // another customer: filtered out

        using var response = await (await _factory.AsUserAsync("checker1")).GetAsync($"/api/crypto/deposits/export?customer={Uri.EscapeDataString(a)}");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(response.Content.Headers.ContentType!.MediaType, Is.EqualTo("text/csv"));
        Assert.That(response.Content.Headers.ContentDisposition!.FileName, Does.Contain("crypto-deposits.csv"));
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.That(lines[0], Does.StartWith("recordNo,status,customer,coin,network,amount,depositAddress,txid,confirmations,requiredConfirmations"));
        Assert.That(lines, Has.Count.EqualTo(3), text);
        Assert.That(lines[1], Does.Contain(",ETH,ERC20,0.100000000000000000,"), "ETH has 18 decimals");
        Assert.That(lines[2], Does.Contain(",BTC,BTC,123456789.12345678,"), "no double ever touched the amount");
        // No cell of the file starts with = + - @ (each such cell is escaped, e.g. with a leading quote).
        foreach (var cell in lines.Skip(1).SelectMany(l => l.Split(',')))
        {
            Assert.That(cell.TrimStart('"'), Does.Not.StartWith("=").And.Not.StartWith("+").And.Not.StartWith("-").And.Not.StartWith("@"), text);
        }
        Assert.That(text, Does.Contain("HYPERLINK").And.Contain("@evil"), "escaped, not dropped");

        using var withdrawals = await _factory.AsSystem().GetAsync($"/api/crypto/withdrawals/export?customer={Uri.EscapeDataString(a)}");
        var header = (await withdrawals.Content.ReadAsStringAsync()).Split('\n')[0];
        Assert.That(header, Does.StartWith("recordNo,status,customer,coin,network,amount,fee,netAmount,address,txid"));
    }

    [Test]
    public async Task Only_who_may_read_the_crypto_flows_sees_their_records_on_any_route()
    {
        var a = Unique("SA");
        var deposit = await DepositAsync(a);
        var withdrawal = await WithdrawalAsync(a);
        var routes = new[]
        {
            $"/api/crypto/deposits?customer={a}", $"/api/crypto/deposits/export?customer={a}", $"/api/crypto/deposits/{deposit.Text("id")}",
            $"/api/crypto/withdrawals?customer={a}", $"/api/crypto/withdrawals/export?customer={a}", $"/api/crypto/withdrawals/{withdrawal.Text("id")}",
            $"/api/crypto/deposits/NO-SUCH-RECORD",
        };
        var outsiders = new (string Who, HttpClient Client)[]
        {
            ("cs1", await _factory.AsUserAsync("cs1")), ("bo1", await _factory.AsUserAsync("bo1")), ("analyst1", await _factory.AsUserAsync("analyst1")),
            ("bare key", _factory.AsApiKey(TrustIdentities.BareKey)), ("narrow key", _factory.AsApiKey(TrustIdentities.NarrowKey)),
        };
        foreach (var (who, client) in outsiders)
        {
            foreach (var route in routes)
            {
                using var refused = await client.GetAsync(route);
                await ApiAssert.ProblemAsync(refused, HttpStatusCode.Forbidden);
            }
            // The generic routes answer the same: nothing of these records.
            var instances = await ListAsync(client, $"/api/instances?customer={a}");
            Assert.That(instances["total"]!.GetValue<int>(), Is.Zero, who);
            using var one = await client.GetAsync($"/api/instances/{deposit.Text("id")}");
            Assert.That(one.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), who);
            using var journal = await client.GetAsync($"/api/instances/{withdrawal.Text("id")}/journal");
            Assert.That(journal.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), who);
        }
        using (var anonymous = await _factory.CreateClient().GetAsync($"/api/crypto/deposits?customer={a}"))
        {
            Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        }
        var readers = new (string Who, HttpClient Client)[]
        {
            ("maker1", await _factory.AsUserAsync("maker1")), ("checker1", await _factory.AsUserAsync("checker1")), ("checker2", await _factory.AsUserAsync("checker2")),
            ("supervisor1", await _factory.AsUserAsync("supervisor1")), ("supervisor2 (Operations)", await _factory.AsUserAsync("supervisor2")),
            ("dev-system key (read:*)", _factory.AsSystem()),
        };
        foreach (var (who, client) in readers)
        {
            Assert.That(RecordNos(await ListAsync(client, $"/api/crypto/deposits?customer={a}")), Is.EqualTo(new[] { deposit.Text("correlationId") }), who);
            Assert.That(RecordNos(await ListAsync(client, $"/api/crypto/withdrawals?customer={a}")), Is.EqualTo(new[] { withdrawal.Text("correlationId") }), who);
            using var export = await client.GetAsync($"/api/crypto/deposits/export?customer={a}");
            Assert.That(export.StatusCode, Is.EqualTo(HttpStatusCode.OK), who);
        }
    }
}
