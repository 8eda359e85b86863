using ApprovalEngine.Adapters.Http;
using ApprovalEngine.Adapters.Ledger;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApprovalEngine.Server.Tests.Adapters;

/// <summary>
/// An outside service (or whatever answers at its address) must not be able to send our signed money requests elsewhere,
/// nor make the server hold an unbounded answer in memory: the adapters' clients follow no redirect and buffer at most
/// <see cref="ServiceCalls.MaxAnswerBytes"/>.
/// </summary>
public sealed class AdapterRedirectTests
{
    private FakeLedgerService _ledger = null!;
    private WebApplication _front = null!;
    private Uri _frontAddress = null!;
    private ServiceProvider _services = null!;
    private long _sent;

    [SetUp]
    public async Task Start()
    {
        _ledger = new FakeLedgerService();
        await _ledger.StartAsync();
        _ledger.PutAccount("A-1", new FakeLedgerService.Account("C-1", "USD", 1_000m));
        // What the configured address answers: a 307 to the same path on another host (here the real ledger, so a
        // followed redirect would visibly move money there), or an endless body without a length.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel().UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _front = builder.Build();
        _front.MapPost("/balance-operations", (HttpContext http) =>
        {
            http.Response.StatusCode = StatusCodes.Status307TemporaryRedirect;
            http.Response.Headers.Location = new Uri(_ledger.BaseAddress, "balance-operations").ToString();
        });
        _front.MapGet("/accounts/{id}", async (HttpContext http) =>
        {
            http.Response.ContentType = "application/json";
            var chunk = new byte[64 * 1024];
            Array.Fill(chunk, (byte)' ');
            await http.Response.WriteAsync("{\"account\":\"A-1\"", http.RequestAborted);
            while (Interlocked.Read(ref _sent) < 64L * 1024 * 1024 && !http.RequestAborted.IsCancellationRequested)
            {
                await http.Response.Body.WriteAsync(chunk, http.RequestAborted);
                Interlocked.Add(ref _sent, chunk.Length);
            }
        });
        await _front.StartAsync();
        _frontAddress = new Uri(_front.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First().TrimEnd('/') + "/");
        var services = new ServiceCollection();
        services.AddSignedHttpAdapter(HttpLedger.ClientName, new HttpAdapterOptions
        {
            BaseAddress = _frontAddress, KeyId = FakeService.KeyId, SigningKey = FakeService.SigningKey, AttemptTimeout = TimeSpan.FromSeconds(10),
            TotalTimeout = TimeSpan.FromSeconds(20), MaxRetries = 0, RetryDelay = TimeSpan.FromMilliseconds(20),
        });
        _services = services.BuildServiceProvider();
    }

    [TearDown]
    public async Task Stop()
    {
        await _services.DisposeAsync();
        await _front.DisposeAsync();
        await _ledger.DisposeAsync();
    }

    private HttpLedger Ledger() => new(_services.GetRequiredService<IHttpClientFactory>().CreateClient(HttpLedger.ClientName));

    [Test]
    public async Task A_redirect_from_the_platforms_address_is_not_followed_with_the_signed_debit()
    {
        var call = () => Ledger().ApplyBalanceOperationAsync(new BalanceOperationRequest("A-1", -97.5m, "USD", "WD 1 withdrawal", "job-1:tx-1"), CancellationToken.None);
        // Unknown outcome (the engine retries the step later with the same key), and nothing reached the other host.
        await Assert.ThatAsync(async () => await call(), Throws.InstanceOf<ServiceUnavailableException>());
        Assert.That(_ledger.Count("POST", "/balance-operations"), Is.Zero);
        Assert.That(_ledger.Operations("A-1"), Is.Empty);
        Assert.That(_ledger.Get("A-1")!.Balance, Is.EqualTo(1_000m));
    }

    [Test]
    public async Task An_endless_answer_is_cut_off_at_the_answer_limit_as_an_outage()
    {
        await Assert.ThatAsync(async () => await Ledger().GetAccountAsync("A-1", CancellationToken.None), Throws.InstanceOf<ServiceUnavailableException>());
        // Refused once the limit (4 MB) is passed: the service could send little more than that and the socket's buffers,
        // never the 64 MB it tried to push into our memory.
        Assert.That(Interlocked.Read(ref _sent), Is.LessThan(32L * 1024 * 1024));
    }
}
