using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApprovalEngine.Server.Tests.Adapters;

/// <summary>What a fake service does to the next matching requests instead of (or besides) answering normally.</summary>
public enum FaultKind
{
    /// <summary>Answer this status (a problem document), doing nothing.</summary>
    Status,

    /// <summary>Do the operation, then wait longer than the client's attempt timeout before answering.</summary>
    SlowAfterApplying,

    /// <summary>Do the operation, then drop the connection: the client never learns the outcome.</summary>
    LoseResponse,
}

/// <summary>
/// A real HTTP service on 127.0.0.1 (Kestrel in the test), the way the trading platform and the bank will be: every
/// request must carry a valid <see cref="RequestSignature"/> (401 otherwise), and the test can inject faults by method
/// and path. Subclasses map the service's routes.
/// </summary>
public abstract class FakeService : IAsyncDisposable
{
    public const string KeyId = "approval-engine";
    public const string SigningKey = "fake-service-signing-key-0123456789abcdef";

    private readonly List<(string Method, string Path, FaultKind Kind, int Status, TimeSpan Delay, int Remaining, string Code, string Detail)> _faults = [];
    private readonly Lock _gate = new();
    private WebApplication? _app;

    /// <summary>Every request that reached a route with a valid signature, as "METHOD path".</summary>
    public List<string> Requests { get; } = [];

    /// <summary>Requests refused for their signature.</summary>
    public int Unsigned { get; private set; }

    public Uri BaseAddress { get; private set; } = null!;

    protected Lock Gate => _gate;

    /// <summary>
    /// Queues a fault for the next <paramref name="times"/> requests with this method and path prefix. A Status fault
    /// answers a problem with <paramref name="code"/> (default <c>unavailable</c>): with a documented code and a 4xx it
    /// is the service refusing the request (e.g. 422 <c>beneficiary-rejected</c>).
    /// </summary>
    public void Fault(string method, string pathPrefix, FaultKind kind, int times = 1, int status = 503, TimeSpan? delay = null, string code = "unavailable", string detail = "Injected failure.")
    {
        lock (_gate) _faults.Add((method, pathPrefix, kind, status, delay ?? TimeSpan.FromSeconds(3), times, code, detail));
    }

    public int Count(string method, string pathPrefix)
    {
        lock (_gate) return Requests.Count(r => r.StartsWith($"{method} {pathPrefix}", StringComparison.Ordinal));
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.Use(async (http, next) =>
        {
            http.Request.EnableBuffering();
            using var copy = new MemoryStream();
            await http.Request.Body.CopyToAsync(copy);
            http.Request.Body.Position = 0;
            var check = RequestSignature.Verify(Encoding.UTF8.GetBytes(SigningKey), http.Request.Method, http.Request.Path + http.Request.QueryString,
                http.Request.Headers[RequestSignature.TimestampHeader], http.Request.Headers[RequestSignature.IdempotencyKeyHeader],
                http.Request.Headers[RequestSignature.SignatureHeader], copy.ToArray(), DateTimeOffset.UtcNow);
            if (check != SignatureCheck.Valid || http.Request.Headers[RequestSignature.KeyIdHeader] != KeyId)
            {
                lock (_gate) Unsigned++;
                await Problem(http, 401, "unauthenticated", $"Signature check: {check}.");
                return;
            }
            lock (_gate) Requests.Add($"{http.Request.Method} {http.Request.Path}");
            await next(http);
        });
        Map(_app);
        await _app.StartAsync();
        var address = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.TrimEnd('/') + "/");
    }

    protected abstract void Map(WebApplication app);

    /// <summary>The fault for this request, if one is queued (consumed).</summary>
    protected (FaultKind Kind, int Status, TimeSpan Delay, string Code, string Detail)? TakeFault(HttpContext http)
    {
        lock (_gate)
        {
            var i = _faults.FindIndex(f => f.Method == http.Request.Method && http.Request.Path.Value!.StartsWith(f.Path, StringComparison.Ordinal));
            if (i < 0) return null;
            var f = _faults[i];
            if (f.Remaining <= 1) _faults.RemoveAt(i);
            else _faults[i] = f with { Remaining = f.Remaining - 1 };
            return (f.Kind, f.Status, f.Delay, f.Code, f.Detail);
        }
    }

    /// <summary>
    /// Runs the route: a Status fault answers before anything happens; otherwise <paramref name="apply"/> runs (the
    /// money moves) and its answer is written, late or never as the fault says. <paramref name="beforeAnswer"/> runs
    /// between the two (a bank holding its answer after making the payout); false there means the caller left.
    /// </summary>
    protected async Task Handle(HttpContext http, Func<JsonObject, (int Status, object Body)> apply, Func<Task<bool>>? beforeAnswer = null)
    {
        var fault = TakeFault(http);
        if (fault is { Kind: FaultKind.Status } s)
        {
            await Problem(http, s.Status, s.Code, s.Detail);
            return;
        }
        JsonObject body;
        try
        {
            body = http.Request.ContentLength > 0 ? JsonNode.Parse(await new StreamReader(http.Request.Body).ReadToEndAsync()) as JsonObject ?? [] : [];
        }
        catch (JsonException)
        {
            await Problem(http, 400, "invalid-request", "Malformed JSON.");
            return;
        }
        var (status, answer) = apply(body);
        if (beforeAnswer is not null && !await beforeAnswer()) return;
        if (fault is { Kind: FaultKind.LoseResponse })
        {
            http.Abort();
            return;
        }
        if (fault is { Kind: FaultKind.SlowAfterApplying } slow)
        {
            try
            {
                await Task.Delay(slow.Delay, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
        if (answer is ProblemAnswer p) await Problem(http, status, p.Code, p.Detail);
        else await Json(http, status, answer);
    }

    public sealed record ProblemAnswer(string Code, string Detail);

    protected static async Task Json(HttpContext http, int status, object body)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/json";
        await http.Response.WriteAsync(JsonSerializer.Serialize(body, ServiceCalls.Json));
    }

    protected static async Task Problem(HttpContext http, int status, string code, string detail)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/problem+json";
        await http.Response.WriteAsync(new JsonObject { ["type"] = "about:blank", ["title"] = detail, ["status"] = status, ["code"] = code, ["detail"] = detail }.ToJsonString());
    }

    protected static string Key(HttpContext http) => http.Request.Headers[RequestSignature.IdempotencyKeyHeader].ToString();

    /// <summary>Decimal text from a JSON string (the contract) — a JSON number is refused, as the contract says.</summary>
    protected static decimal? Money(JsonNode? node) =>
        node is JsonValue v && v.TryGetValue<string>(out var text) && decimal.TryParse(text, NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var d) ? d : null;

    protected static string Text(decimal value) => value.ToString(CultureInfo.InvariantCulture);

    public async ValueTask DisposeAsync()
    {
        if (_app is not null) await _app.DisposeAsync();
        GC.SuppressFinalize(this);
    }
}

/// <summary>The trading platform's contract (docs/adapters/ledger.md), in memory.</summary>
public sealed class FakeLedgerService : FakeService
{
    public sealed record Account(string CustomerId, string Currency, decimal Balance, string? LastDeposit = "CreditCard", int OpenTrades = 0, decimal Margin = 0m);

    public sealed record Operation(long TradeId, string Account, decimal Amount, string Currency, string Comment, string IdempotencyKey, DateTimeOffset CreatedAt);

    private readonly Dictionary<string, Account> _accounts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Operation> _operations = new(StringComparer.Ordinal);
    private long _nextTrade = 500_001;

    public void PutAccount(string account, Account value)
    {
        lock (Gate) _accounts[account] = value;
    }

    public Account? Get(string account)
    {
        lock (Gate) return _accounts.GetValueOrDefault(account);
    }

    public IReadOnlyList<Operation> Operations(string account)
    {
        lock (Gate) return [.. _operations.Values.Where(o => o.Account == account).OrderBy(o => o.TradeId)];
    }

    protected override void Map(WebApplication app)
    {
        app.MapGet("/accounts/{account}", async (string account, HttpContext http) =>
        {
            if (TakeFault(http) is { Kind: FaultKind.Status } f)
            {
                await Problem(http, f.Status, "unavailable", "Injected failure.");
                return;
            }
            var a = Get(account);
            if (a is null)
            {
                await Problem(http, 404, "unknown-account", $"No account {account}.");
                return;
            }
            await Json(http, 200, new
            {
                account, customerId = a.CustomerId, currency = a.Currency, balance = Text(a.Balance), equity = Text(a.Balance), margin = Text(a.Margin),
                freeMargin = Text(a.Balance - a.Margin), credit = "0", openTrades = a.OpenTrades,
            });
        });
        app.MapGet("/accounts/{account}/last-deposit", async (string account, HttpContext http) =>
        {
            var a = Get(account);
            if (a is null) await Problem(http, 404, "unknown-account", $"No account {account}.");
            else await Json(http, 200, new { method = a.LastDeposit });
        });
        app.MapPost("/balance-operations", (HttpContext http) => Handle(http, body => Apply(Key(http), body)));
    }

    private (int, object) Apply(string key, JsonObject body)
    {
        var account = (string?)body["account"];
        var currency = (string?)body["currency"];
        var amount = Money(body["amount"]);
        var comment = (string?)body["comment"] ?? "";
        if (string.IsNullOrEmpty(key) || account is null || currency is null || amount is null or 0) return (422, new ProblemAnswer("invalid-request", "account, amount (decimal string), currency and Idempotency-Key are required."));
        lock (Gate)
        {
            if (_operations.TryGetValue(key, out var seen))
            {
                return seen.Account == account && seen.Amount == amount && seen.Currency == currency
                    ? (200, OpWire(seen))
                    : (409, new ProblemAnswer("key-conflict", $"Key {key} was used for another operation."));
            }
            if (!_accounts.TryGetValue(account, out var a)) return (422, new ProblemAnswer("unknown-account", $"No account {account}."));
            if (a.Currency != currency) return (422, new ProblemAnswer("currency-mismatch", $"Account {account} is in {a.Currency}."));
            if (a.Balance + amount.Value < 0) return (422, new ProblemAnswer("insufficient-balance", $"Balance {a.Balance} does not cover {amount}."));
            _accounts[account] = a with { Balance = a.Balance + amount.Value };
            var op = new Operation(_nextTrade++, account, amount.Value, currency, comment, key, DateTimeOffset.UtcNow);
            _operations[key] = op;
            return (201, OpWire(op));
        }
    }

    private static object OpWire(Operation op) => new { op.TradeId, op.Account, amount = Text(op.Amount), op.Currency, op.Comment, op.IdempotencyKey, op.CreatedAt };
}

/// <summary>
/// The bank payout gateway's contract (docs/adapters/bank.md), in memory, and its webhook sender. Payouts and files
/// are money on its own books (the channel's balance); a payout can be held before or after the bank makes it (so a
/// test can cancel an instance while its payout is in flight) and called off while held before.
/// </summary>
public sealed class FakeBankService : FakeService
{
    public const string WebhookKey = "fake-bank-webhook-key-0123456789abcdef";

    public sealed record Payout(string BankReference, string ChannelId, string BeneficiaryAccount, decimal Amount, string Currency, string Reference, string IdempotencyKey, DateTimeOffset SubmittedAt, bool CalledOff = false);

    /// <summary>A file the bank took: its number, the key it came with, and its transfers (reference, amount).</summary>
    public sealed record File(string BankReference, string FileId, string IdempotencyKey, string ChannelId, IReadOnlyList<(string Reference, decimal Amount)> Transfers, JsonObject Receipt);

    private readonly Dictionary<string, (string Currency, decimal? Balance)> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Payout> _payouts = new(StringComparer.Ordinal);
    private readonly Dictionary<string, File> _files = new(StringComparer.Ordinal);
    private readonly List<(string Key, TaskCompletionSource Gate)> _held = [];
    private ApprovalEngine.Adapters.Bank.PayoutHold _hold;
    private long _next = 1;

    /// <summary>Statement entries per page (small in tests, so paging is exercised).</summary>
    public int PageSize { get; set; } = 2;

    public void PutChannel(string channelId, string currency, decimal? balance)
    {
        lock (Gate) _channels[channelId] = (currency, balance);
    }

    public decimal? Balance(string channelId)
    {
        lock (Gate) return _channels.TryGetValue(channelId, out var c) ? c.Balance : null;
    }

    /// <summary>Payouts made (not the ones called off), oldest first.</summary>
    public IReadOnlyList<Payout> Payouts()
    {
        lock (Gate) return [.. _payouts.Values.Where(p => !p.CalledOff).OrderBy(p => p.BankReference, StringComparer.Ordinal)];
    }

    /// <summary>Keys the bank promised not to pay (call-offs that came before the payout).</summary>
    public IReadOnlyList<string> CalledOff()
    {
        lock (Gate) return [.. _payouts.Values.Where(p => p.CalledOff).Select(p => p.IdempotencyKey)];
    }

    public int Files
    {
        get
        {
            lock (Gate) return _files.Count;
        }
    }

    /// <summary>The files taken for this file id (a batch), however many times they were sent.</summary>
    public IReadOnlyList<File> FilesOf(string fileId)
    {
        lock (Gate) return [.. _files.Values.Where(f => f.FileId == fileId)];
    }

    /// <summary>
    /// Holds every payout request from now on (first try and retries) until <see cref="ReleaseHeld"/>: before the bank
    /// makes it (it can still be called off) or after (made, only the answer is late). A caller that gives up (its
    /// attempt timeout) leaves; its retry is held again.
    /// </summary>
    public void HoldPayouts(ApprovalEngine.Adapters.Bank.PayoutHold hold)
    {
        lock (Gate) _hold = hold;
    }

    /// <summary>Payout requests that were held (also ones whose caller has left since).</summary>
    public int HeldCount
    {
        get
        {
            lock (Gate) return _held.Count;
        }
    }

    /// <summary>Lets every held request go on and stops holding new ones.</summary>
    public void ReleaseHeld() => ReleaseWhere(_ => true, stopHolding: true);

    private void ReleaseWhere(Func<string, bool> which, bool stopHolding)
    {
        List<TaskCompletionSource> gates;
        lock (Gate)
        {
            if (stopHolding) _hold = ApprovalEngine.Adapters.Bank.PayoutHold.None;
            gates = [.. _held.Where(h => which(h.Key)).Select(h => h.Gate)];
            _held.RemoveAll(h => which(h.Key));
        }
        foreach (var gate in gates) gate.TrySetResult();
    }

    /// <summary>Waits while payouts are held at <paramref name="when"/>; false when the caller left meanwhile.</summary>
    private async Task<bool> HoldAsync(HttpContext http, ApprovalEngine.Adapters.Bank.PayoutHold when, string key)
    {
        TaskCompletionSource gate;
        lock (Gate)
        {
            if (_hold != when) return true;
            // Only a payout not yet known waits before making: a key paid or called off answers at once.
            if (when == ApprovalEngine.Adapters.Bank.PayoutHold.BeforeMaking && _payouts.ContainsKey(key)) return true;
            gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _held.Add((key, gate));
        }
        try
        {
            await gate.Task.WaitAsync(http.RequestAborted);
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    protected override void Map(WebApplication app)
    {
        app.MapGet("/channels/{channelId}/balance", async (string channelId, HttpContext http) =>
        {
            (string Currency, decimal? Balance) c;
            bool known;
            lock (Gate) known = _channels.TryGetValue(channelId, out c);
            if (!known) await Problem(http, 404, "unknown-channel", $"No channel {channelId}.");
            else await Json(http, 200, new { channelId, currency = c.Currency, available = c.Balance is { } b ? Text(b) : null });
        });
        app.MapPost("/payouts", (HttpContext http) => PayRouteAsync(http));
        app.MapPost("/payouts/cancel", (HttpContext http) => Handle(http, body => Cancel((string?)body["idempotencyKey"])));
        app.MapPost("/files", (HttpContext http) => Handle(http, body => SubmitFile(Key(http), body)));
        app.MapGet("/channels/{channelId}/statement", async (string channelId, string from, string to, string? cursor, HttpContext http) =>
        {
            List<Payout> all;
            lock (Gate) all = [.. _payouts.Values.Where(p => p.ChannelId == channelId && !p.CalledOff).OrderBy(p => p.BankReference, StringComparer.Ordinal)];
            var start = cursor is null ? 0 : int.Parse(cursor, CultureInfo.InvariantCulture);
            var page = all.Skip(start).Take(PageSize).Select(p => new
            {
                entryId = p.BankReference, bookingDate = DateOnly.FromDateTime(p.SubmittedAt.UtcDateTime), amount = Text(-p.Amount), currency = p.Currency, isDebit = true,
                reference = p.Reference, counterpartyAccount = p.BeneficiaryAccount, description = (string?)null,
            }).ToList();
            var next = start + PageSize < all.Count ? (start + PageSize).ToString(CultureInfo.InvariantCulture) : null;
            await Json(http, 200, new { entries = page, next });
        });
    }

    private async Task PayRouteAsync(HttpContext http)
    {
        var key = Key(http);
        if (!await HoldAsync(http, ApprovalEngine.Adapters.Bank.PayoutHold.BeforeMaking, key)) return;
        await Handle(http, body => Pay(key, body), () => HoldAsync(http, ApprovalEngine.Adapters.Bank.PayoutHold.AfterMaking, key));
    }

    private (int, object) Pay(string key, JsonObject body)
    {
        var channel = (string?)body["channelId"];
        var account = (string?)body["beneficiaryAccount"];
        var currency = (string?)body["currency"];
        var reference = (string?)body["reference"] ?? "";
        var amount = Money(body["amount"]);
        if (string.IsNullOrEmpty(key) || channel is null || account is null || currency is null || amount is not > 0) return (422, new ProblemAnswer("invalid-request", "channelId, beneficiaryAccount, amount > 0 (decimal string), currency and Idempotency-Key are required."));
        lock (Gate)
        {
            if (_payouts.TryGetValue(key, out var seen))
            {
                if (seen.CalledOff) return (409, new ProblemAnswer("called-off", "The payout was called off before it was made."));
                return seen.Amount == amount && seen.Currency == currency && seen.BeneficiaryAccount == account ? (200, Wire(seen)) : (409, new ProblemAnswer("key-conflict", $"Key {key} was used for another payout."));
            }
            if (!_channels.TryGetValue(channel, out var c)) return (422, new ProblemAnswer("unknown-channel", $"No channel {channel}."));
            if (c.Currency != currency) return (422, new ProblemAnswer("currency-mismatch", $"Channel {channel} pays {c.Currency}."));
            if (c.Balance is { } b && b < amount) return (422, new ProblemAnswer("insufficient-funds", "Insufficient funds on the paying account."));
            _channels[channel] = (c.Currency, c.Balance - amount);
            var payout = new Payout($"FB-{_next++:D6}", channel, account, amount.Value, currency, reference, key, DateTimeOffset.UtcNow);
            _payouts[key] = payout;
            return (201, Wire(payout));
        }
    }

    private (int, object) Cancel(string? key)
    {
        if (string.IsNullOrEmpty(key)) return (422, new ProblemAnswer("invalid-request", "idempotencyKey is required."));
        lock (Gate)
        {
            if (_payouts.TryGetValue(key, out var seen)) return (200, new { cancelled = seen.CalledOff });
            _payouts[key] = new Payout("", "", "", 0, "", "", key, DateTimeOffset.UtcNow, CalledOff: true);
        }
        // A payout held before the bank made it goes on at once, and is refused (called-off).
        ReleaseWhere(k => k == key, stopHolding: false);
        return (200, new { cancelled = true });
    }

    private (int, object) SubmitFile(string key, JsonObject body)
    {
        var transfers = body["transfers"] as JsonArray;
        var channel = (string?)body["channelId"];
        if (string.IsNullOrEmpty(key) || transfers is null || transfers.Count == 0) return (422, new ProblemAnswer("invalid-request", "transfers and Idempotency-Key are required."));
        lock (Gate)
        {
            if (_files.TryGetValue(key, out var seen)) return (200, seen.Receipt.DeepClone());
            var lines = transfers.Select(t => ((string?)t!["reference"] ?? "", Money(t["amount"]) ?? 0m)).ToList();
            var total = lines.Sum(l => l.Item2);
            // Money on the bank's own books: the whole file is debited once, or refused whole.
            if (channel is not null && _channels.TryGetValue(channel, out var c))
            {
                if (c.Balance is { } b && b < total) return (422, new ProblemAnswer("insufficient-funds", "Insufficient funds on the paying account for the whole file."));
                _channels[channel] = (c.Currency, c.Balance - total);
            }
            var receipt = new JsonObject
            {
                ["bankReference"] = $"FILE-{_next++:D6}", ["fileId"] = (string?)body["fileId"], ["transfers"] = transfers.Count,
                ["total"] = Text(total), ["submittedAt"] = DateTimeOffset.UtcNow,
            };
            _files[key] = new File((string)receipt["bankReference"]!, (string?)body["fileId"] ?? "", key, channel ?? "", lines, receipt);
            return (201, receipt.DeepClone());
        }
    }

    private static object Wire(Payout p) => new
    {
        p.BankReference, p.ChannelId, p.BeneficiaryAccount, amount = Text(p.Amount), p.Currency, p.Reference, p.IdempotencyKey, p.SubmittedAt,
    };

    /// <summary>The webhook body of one payout's result, as the bank sends it.</summary>
    public static byte[] ResultBody(string reference, string bankReference, bool success, string? reason = null) =>
        Encoding.UTF8.GetBytes(new JsonObject
        {
            ["type"] = "payout.result", ["timestamp"] = DateTimeOffset.UtcNow,
            ["data"] = new JsonObject { ["reference"] = reference, ["bankReference"] = bankReference, ["success"] = success, ["reason"] = reason },
        }.ToJsonString());

    /// <summary>A signed delivery (Standard Webhooks) of <paramref name="body"/> to <paramref name="url"/>, once.</summary>
    public static async Task<HttpResponseMessage> DeliverAsync(HttpClient client, string url, string deliveryId, byte[] body, string key = WebhookKey, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        using var request = new HttpRequestMessage(HttpMethod.Post, url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue("application/json");
        request.Headers.Add(WebhookSignature.IdHeader, deliveryId);
        request.Headers.Add(WebhookSignature.TimestampHeader, timestamp.ToString(CultureInfo.InvariantCulture));
        request.Headers.Add(WebhookSignature.SignatureHeader, WebhookSignature.Sign(Encoding.UTF8.GetBytes(key), deliveryId, timestamp, body));
        return await client.SendAsync(request);
    }

    /// <summary>
    /// Delivers the way a Standard Webhooks sender does: the same delivery (same id) again after any non-2xx, until it
    /// is accepted or <paramref name="timeout"/> passes; returns the accepted answer.
    /// </summary>
    public static async Task<JsonObject> DeliverUntilAcceptedAsync(HttpClient client, string url, string deliveryId, byte[] body, TimeSpan timeout)
    {
        JsonObject? accepted = null;
        string last = "";
        var ok = await ApprovalEngine.Testing.Poll.UntilAsync(async () =>
        {
            using var response = await DeliverAsync(client, url, deliveryId, body);
            last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            if (response.StatusCode != HttpStatusCode.OK) return false;
            accepted = JsonNode.Parse(last[4..])!.AsObject();
            return true;
        }, timeout, TimeSpan.FromMilliseconds(200));
        Assert.That(ok, Is.True, $"delivery {deliveryId} never accepted; last answer {last}");
        return accepted!;
    }
}
