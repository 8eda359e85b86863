using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApprovalEngine.Server.Tests.Webhooks;

/// <summary>One request as the receiver saw it, and whether its Standard Webhooks signature checked out.</summary>
public sealed record ReceivedWebhook(string Id, string Timestamp, string Signature, string Body, bool SignatureValid, bool Duplicate);

/// <summary>
/// A system's webhook endpoint: Kestrel on a loopback port inside the test. It checks every request's signature the
/// way a receiver following Standard Webhooks does (its own code, not the server's), processes each webhook-id once
/// (a repeat is acknowledged and dropped), and answers as the test scripted: a status, or processing and then a lost
/// answer (connection cut, or no answer until the sender gives up).
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    public enum Behaviour
    {
        Accept,
        Fail503,
        AcceptThenCutConnection,
        AcceptThenHang,
    }

    private readonly WebApplication _app;
    private readonly byte[] _key;
    private readonly ConcurrentQueue<Behaviour> _script = new();
    private readonly ConcurrentDictionary<string, bool> _processed = new();
    private readonly Lock _lock = new();
    private readonly List<ReceivedWebhook> _received = [];

    private WebhookReceiver(WebApplication app, string secret)
    {
        _app = app;
        _key = secret.StartsWith("whsec_", StringComparison.Ordinal) ? Convert.FromBase64String(secret["whsec_".Length..]) : Encoding.UTF8.GetBytes(secret);
    }

    public int Port { get; private set; }

    public string Url => $"http://127.0.0.1:{Port}/hook";

    /// <summary>Every request, in arrival order (duplicates included).</summary>
    public IReadOnlyList<ReceivedWebhook> Received
    {
        get
        {
            lock (_lock) return [.. _received];
        }
    }

    /// <summary>The webhook-ids processed (each once: repeats are dropped).</summary>
    public IReadOnlyCollection<string> Processed => [.. _processed.Keys];

    /// <summary>The next requests' answers, in order; after the script, Accept.</summary>
    public void Then(params Behaviour[] behaviours)
    {
        foreach (var b in behaviours) _script.Enqueue(b);
    }

    public static async Task<WebhookReceiver> StartAsync(string secret, int port = 0)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel().UseUrls($"http://127.0.0.1:{port}");
        var app = builder.Build();
        var receiver = new WebhookReceiver(app, secret);
        app.MapPost("/hook", receiver.HandleAsync);
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        receiver.Port = new Uri(address).Port;
        return receiver;
    }

    private async Task HandleAsync(HttpContext http)
    {
        using var reader = new StreamReader(http.Request.Body, Encoding.UTF8);
        var body = await reader.ReadToEndAsync(http.RequestAborted);
        var id = http.Request.Headers["webhook-id"].ToString();
        var timestamp = http.Request.Headers["webhook-timestamp"].ToString();
        var signature = http.Request.Headers["webhook-signature"].ToString();
        var valid = Verify(id, timestamp, signature, body);
        var behaviour = _script.TryDequeue(out var b) ? b : Behaviour.Accept;
        if (behaviour == Behaviour.Fail503)
        {
            Record(id, timestamp, signature, body, valid, duplicate: false);
            http.Response.StatusCode = 503;
            await http.Response.WriteAsync("busy, try later");
            return;
        }
        // Processed once per webhook-id: a repeat (its first answer was lost) is acknowledged and dropped.
        var duplicate = valid && !_processed.TryAdd(id, true);
        Record(id, timestamp, signature, body, valid, duplicate);
        if (!valid)
        {
            http.Response.StatusCode = 401;
            return;
        }
        switch (behaviour)
        {
            case Behaviour.AcceptThenCutConnection:
                http.Abort();
                return;
            case Behaviour.AcceptThenHang:
                // No answer until the sender gives up and closes the connection.
                try
                {
                    await Task.Delay(Timeout.Infinite, http.RequestAborted);
                }
                catch (OperationCanceledException)
                {
                }
                return;
            default:
                http.Response.StatusCode = (int)HttpStatusCode.NoContent;
                return;
        }
    }

    private void Record(string id, string timestamp, string signature, string body, bool valid, bool duplicate)
    {
        lock (_lock) _received.Add(new ReceivedWebhook(id, timestamp, signature, body, valid, duplicate));
    }

    /// <summary>Standard Webhooks: HMAC-SHA256 over "{id}.{timestamp}.{body}", base64, after "v1,"; any of the space-separated signatures.</summary>
    private bool Verify(string id, string timestamp, string signatures, string body)
    {
        if (id.Length == 0 || !long.TryParse(timestamp, out var seconds)) return false;
        // A receiver refuses stale timestamps (replays); the tests' clock runs at most minutes ahead.
        if (Math.Abs(TimeProvider.System.GetUtcNow().ToUnixTimeSeconds() - seconds) > 600) return false;
        var expected = Convert.ToBase64String(HMACSHA256.HashData(_key, Encoding.UTF8.GetBytes($"{id}.{timestamp}.{body}")));
        return signatures.Split(' ').Any(s => s.StartsWith("v1,", StringComparison.Ordinal)
            && CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(s[3..]), Encoding.ASCII.GetBytes(expected)));
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
