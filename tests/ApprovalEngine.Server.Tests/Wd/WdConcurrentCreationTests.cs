using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Wd;

/// <summary>Requests created at the same moment cannot together withdraw more than the available amount.</summary>
public sealed class WdConcurrentCreationTests
{
    [TestCase("Postgres")]
    [TestCase("Sqlite")]
    public async Task Parallel_requests_for_one_customer_spend_the_available_amount_once(string provider)
    {
        await using var factory = provider == "Postgres" ? await ApiFactory.PostgresAsync() : ApiFactory.Sqlite();
        var system = factory.AsSystem();
        var account = await system.PutAsJsonAsync("/api/sandbox/trading-accounts/TA-RACE", new
        {
            customerId = "C-RACE", currency = "USD", balance = 1000m, equity = 1000m, margin = 0m, freeMargin = 1000m, credit = 0m, openTrades = 0,
        });
        Assert.That(account.StatusCode, Is.EqualTo(HttpStatusCode.OK));

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i => system.PostAsJsonAsync("/api/wd-requests", new
        {
            customerId = "C-RACE", tradingAccount = "TA-RACE", requestedAmount = 600m, currency = "USD", comment = $"race {i}",
        })));
        var codes = responses.Select(r => r.StatusCode).ToList();
        Assert.That(codes.Count(c => c == HttpStatusCode.Created), Is.EqualTo(1), string.Join(", ", codes));
        Assert.That(codes.Count(c => c == HttpStatusCode.UnprocessableEntity), Is.EqualTo(5), string.Join(", ", codes));
        var grid = await system.GetObjectAsync("/api/wd-requests?customerId=C-RACE");
        Assert.That(grid["total"]!.GetValue<int>(), Is.EqualTo(1));
    }
}
