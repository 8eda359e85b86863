using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Adapters.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApprovalEngine.Server.Tests.Custody;

/// <summary>
/// An in-process custody service (Kestrel on 127.0.0.1, a free port) implementing docs/adapters/custody.md the way a
/// real one must: it checks the request signature (401 otherwise), keeps transfers by Idempotency-Key (the same key
/// again answers the first transfer, a different body under it 409), and can be told to misbehave on the next
/// requests: answer a status, apply then drop the connection, apply then answer late, refuse, never answer.
/// <see cref="Transfers"/> is what actually left the wallet.
/// </summary>
public sealed class FakeCustody : IAsyncDisposable
{
    public const string SigningKey = "custody-test-signing-key-0123456789abcdef";
    public const string WebhookKey = "custody-test-webhook-key-0123456789abcdef";

    private readonly WebApplication _app;
    private readonly Lock _gate = new();
    private readonly Dictionary<string, (string Body, JsonObject Answer)> _byKey = new(StringComparer.Ordinal);
    private readonly List<JsonObject> _transfers = [];
    private readonly ConcurrentQueue<Func<HttpContext, Task<bool>>> _faults = new();
    private int _attempts;
    private int _unsigned;

    private FakeCustody(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    public static async Task<FakeCustody> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var fake = new FakeCustody(app);
        app.MapPost("/v1/transfers", fake.TransferAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        fake.BaseAddress = new Uri(address.TrimEnd('/') + "/");
        return fake;
    }

    /// <summary>Transfers sent on chain, oldest first (each a JSON answer: txId, coin, network, toAddress, amount, reference).</summary>
    public IReadOnlyList<JsonObject> Transfers
    {
        get
        {
            lock (_gate) return [.. _transfers.Select(t => (JsonObject)t.DeepClone())];
        }
    }

    /// <summary>Requests that reached the transfer route with a valid signature.</summary>
    public int Attempts => Volatile.Read(ref _attempts);

    /// <summary>Requests refused for their signature.</summary>
    public int Unsigned => Volatile.Read(ref _unsigned);

    /// <summary>The next <paramref name="count"/> signed requests are answered <paramref name="status"/> without doing anything.</summary>
    public void AnswerNext(int count, int status)
    {
        for (var i = 0; i < count; i++)
        {
            _faults.Enqueue(async http =>
            {
                http.Response.StatusCode = status;
                await http.Response.WriteAsync("busy");
                return true;
            });
        }
    }

    /// <summary>The next request is applied, then its connection dropped: the caller never learns the outcome.</summary>
    public void LoseNextResponse() => _faults.Enqueue(http =>
    {
        http.Items["after"] = (Func<Task>)(() =>
        {
            http.Abort();
            return Task.CompletedTask;
        });
        return Task.FromResult(false);
    });

    /// <summary>The next request is applied, then answered only after <paramref name="delay"/> (or when the caller gives up).</summary>
    public void AnswerNextLate(TimeSpan delay) => _faults.Enqueue(http =>
    {
        http.Items["after"] = (Func<Task>)(async () =>
        {
            try
            {
                await Task.Delay(delay, http.RequestAborted);
            }
            catch (OperationCanceledException)
            {
            }
        });
        return Task.FromResult(false);
    });

    /// <summary>The next request is refused with a problem document carrying <paramref name="code"/>, nothing sent.</summary>
    public void RefuseNext(int status, string code) => _faults.Enqueue(async http =>
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/problem+json";
        await http.Response.WriteAsync(new JsonObject { ["status"] = status, ["title"] = "Refused.", ["code"] = code, ["detail"] = $"Refused: {code}." }.ToJsonString());
        return true;
    });

    /// <summary>The next request is never answered (until the caller hangs up).</summary>
    public void NeverAnswerNext() => _faults.Enqueue(async http =>
    {
        try
        {
            await Task.Delay(Timeout.Infinite, http.RequestAborted);
        }
        catch (OperationCanceledException)
        {
        }
        return true;
    });

    public void ClearFaults() => _faults.Clear();

    private async Task TransferAsync(HttpContext http)
    {
        using var buffer = new MemoryStream();
        await http.Request.Body.CopyToAsync(buffer);
        var body = buffer.ToArray();
        var key = (string?)http.Request.Headers[RequestSignature.IdempotencyKeyHeader];
        var check = RequestSignature.Verify(Encoding.UTF8.GetBytes(SigningKey), http.Request.Method, http.Request.Path + http.Request.QueryString,
            http.Request.Headers[RequestSignature.TimestampHeader], key, http.Request.Headers[RequestSignature.SignatureHeader], body, DateTimeOffset.UtcNow);
        if (check != SignatureCheck.Valid)
        {
            Interlocked.Increment(ref _unsigned);
            http.Response.StatusCode = 401;
            await http.Response.WriteAsJsonAsync(new { status = 401, title = "Bad signature.", code = "bad-signature" });
            return;
        }
        Interlocked.Increment(ref _attempts);
        if (_faults.TryDequeue(out var fault) && await fault(http)) return;
        if (string.IsNullOrEmpty(key))
        {
            await Problem(http, 400, "idempotency-key-required");
            return;
        }
        var request = JsonNode.Parse(body)!.AsObject();
        // A JSON number here would be the adapter's bug: amounts are decimal strings.
        if (request["amount"] is not JsonValue amountValue || amountValue.GetValueKind() != JsonValueKind.String || !HttpBlockchainGateway.TryParseDecimal(amountValue.GetValue<string>(), out var amount))
        {
            await Problem(http, 400, "amount-not-a-decimal-string");
            return;
        }
        var canonical = request.ToJsonString();
        JsonObject answer;
        int status;
        lock (_gate)
        {
            if (_byKey.TryGetValue(key, out var earlier))
            {
                if (earlier.Body != canonical)
                {
                    answer = new JsonObject { ["status"] = 409, ["title"] = "Key reused.", ["code"] = "idempotency-key-reused" };
                    status = 409;
                }
                else
                {
                    answer = (JsonObject)earlier.Answer.DeepClone();
                    status = 200;
                }
            }
            else if (amount <= 0)
            {
                answer = new JsonObject { ["status"] = 422, ["title"] = "Invalid amount.", ["code"] = "invalid-amount" };
                status = 422;
            }
            else
            {
                var txId = "0x" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes("fake:" + key)));
                answer = new JsonObject
                {
                    ["txId"] = txId, ["coin"] = request["coin"]?.DeepClone(), ["network"] = request["network"]?.DeepClone(), ["toAddress"] = request["toAddress"]?.DeepClone(),
                    ["amount"] = amountValue.GetValue<string>(), ["reference"] = request["reference"]?.DeepClone(), ["broadcastAt"] = DateTimeOffset.UtcNow,
                };
                _byKey[key] = (canonical, answer);
                _transfers.Add((JsonObject)answer.DeepClone());
                status = 201;
            }
        }
        if (http.Items.TryGetValue("after", out var hook) && hook is Func<Task> after)
        {
            await after();
            if (http.RequestAborted.IsCancellationRequested) return;
        }
        http.Response.StatusCode = status;
        http.Response.ContentType = status >= 400 ? "application/problem+json" : "application/json";
        await http.Response.WriteAsync(answer.ToJsonString());
    }

    private static async Task Problem(HttpContext http, int status, string code)
    {
        http.Response.StatusCode = status;
        http.Response.ContentType = "application/problem+json";
        await http.Response.WriteAsync(new JsonObject { ["status"] = status, ["title"] = code, ["code"] = code }.ToJsonString());
    }

    /// <summary>The Standard Webhooks headers custody puts on a delivery of <paramref name="body"/>.</summary>
    public static Dictionary<string, string> WebhookHeaders(string id, string body, string key = WebhookKey, DateTimeOffset? at = null)
    {
        var timestamp = (at ?? DateTimeOffset.UtcNow).ToUnixTimeSeconds();
        return new()
        {
            [WebhookSignature.IdHeader] = id,
            [WebhookSignature.TimestampHeader] = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture),
            [WebhookSignature.SignatureHeader] = WebhookSignature.Sign(Encoding.UTF8.GetBytes(key), id, timestamp, Encoding.UTF8.GetBytes(body)),
        };
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
