// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Wd;

/// <summary>Drives WD requests over HTTP: sandbox accounts, creation, actions, and "bring a request to stage X".</summary>
public sealed class WdDriver(ApiFactory factory)
{
    private readonly Dictionary<string, HttpClient> _clients = [];
    private static int _counter;

    public ApiFactory Factory => factory;

    /// <summary>A cached client for a development user, or "system" for the system key.</summary>
    public async Task<HttpClient> AsAsync(string user)
    {
        if (_clients.TryGetValue(user, out var client)) return client;
        client = user == "system" ? factory.AsSystem() : await factory.AsUserAsync(user);
        _clients[user] = client;
        return client;
    }

    public static (string Customer, string Account) NewAccountIds()
    {
        var n = Interlocked.Increment(ref _counter);
        return ($"C-{n}-{Guid.NewGuid():N}"[..20], $"A{n}-{Guid.NewGuid():N}"[..24]);
    }

    public async Task PutAccountAsync(string account, string customer, string currency = "USD", decimal balance = 10_000m, decimal equity = 10_000m,
        decimal margin = 0m, decimal freeMargin = 10_000m, decimal credit = 0m, int openTrades = 0)
    {
        var system = await AsAsync("system");
        var response = await system.PutAsJsonAsync($"/api/sandbox/trading-accounts/{account}", new { customerId = customer, currency, balance, equity, margin, freeMargin, credit, openTrades });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    public async Task<JsonObject> GetAccountAsync(string account) => await (await AsAsync("system")).GetObjectAsync($"/api/sandbox/trading-accounts/{account}");

    public async Task<HttpResponseMessage> PostCreateAsync(object body, string user = "cs1") =>
        await (await AsAsync(user)).PostAsJsonAsync("/api/wd-requests", body);

    /// <summary>A new account (balance 10 000 USD) and a request of <paramref name="amount"/> on it; returns the card.</summary>
    public async Task<JsonObject> CreateAsync(decimal amount = 100m, int openTrades = 0, string user = "cs1", decimal margin = 0m)
    {
        var (customer, account) = NewAccountIds();
        await PutAccountAsync(account, customer, openTrades: openTrades, margin: margin, freeMargin: 10_000m - margin);
        var response = await PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = amount, currency = "USD", comment = "Customer asked by phone" }, user);
        var card = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), card.ToJsonString());
        return card;
    }

    public async Task<HttpResponseMessage> ActAsync(string user, string id, string action, string? comment = "checked", decimal? fee = null) =>
        await (await AsAsync(user)).PostAsJsonAsync($"/api/wd-requests/{id}/actions", fee is null ? new { action, comment } : (object)new { action, comment, fee });

    /// <summary>Takes the action and expects 200; returns the card after the step.</summary>
    public async Task<JsonObject> MustActAsync(string user, string id, string action, string? comment = "checked", decimal? fee = null)
    {
        var response = await ActAsync(user, id, action, comment, fee);
        var card = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{user} {action} on {id}: {card.ToJsonString()}");
        return card;
    }

    public async Task<JsonObject> CardAsync(string id, string user = "supervisor1") => await (await AsAsync(user)).GetObjectAsync($"/api/wd-requests/{id}");

    public async Task<JsonObject> MassEditAsync(string id, string department)
    {
        var response = await (await AsAsync("supervisor1")).PostAsJsonAsync("/api/wd-requests/mass-edit", new { ids = new[] { id }, department });
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var result = JsonNode.Parse(text)!.AsArray().Single()!.AsObject();
        Assert.That(result["ok"]!.GetValue<bool>(), Is.True, text);
        return await CardAsync(id);
    }

    /// <summary>Stages a request can wait in, as "Status/Department", plus the final statuses.</summary>
    public static readonly string[] Stages =
    [
        "New/CS", "AwaitingDocs/CS", "ApprovedByCS/Retention", "ApprovedByCS/Dealing", "ApprovedByCS/Backoffice",
        "ApprovedByRetention/Dealing", "ApprovedByRetention/Backoffice", "ApprovedByDealing/Backoffice",
        "ForwardedToDealing/Dealing", "ForwardedToBackoffice/Backoffice", "ApprovedByBackoffice/Backoffice",
        "Rejected", "Completed", "CanceledByClient",
    ];

    /// <summary>A new request brought to <paramref name="stage"/> by the usual actors; asserts it got there.</summary>
    public async Task<JsonObject> DriveToAsync(string stage, bool? openTrades = null, decimal amount = 100m)
    {
        var trades = openTrades ?? stage is "ApprovedByRetention/Dealing" or "ApprovedByDealing/Backoffice";
        var card = await CreateAsync(amount, openTrades: trades ? 2 : 0, margin: trades ? 100m : 0m);
        var id = card["id"]!.GetValue<string>();
        switch (stage)
        {
            case "New/CS": break;
            case "AwaitingDocs/CS": card = await MustActAsync("cs1", id, "RequestDocuments", "send passport"); break;
            case "ApprovedByCS/Retention": card = await MustActAsync("cs1", id, "PassToRetention"); break;
            case "ApprovedByCS/Dealing":
                await MustActAsync("cs1", id, "RequestDocuments", "send passport");
                card = await MustActAsync("cs1", id, "PassToDealing");
                break;
            case "ApprovedByCS/Backoffice":
                await MustActAsync("cs1", id, "RequestDocuments", "send passport");
                card = await MustActAsync("cs1", id, "PassToBackoffice");
                break;
            case "ApprovedByRetention/Dealing":
                await MustActAsync("cs1", id, "PassToRetention");
                card = await MustActAsync("retention1", id, "PassToDealing");
                break;
            case "ApprovedByRetention/Backoffice":
                await MustActAsync("cs1", id, "PassToRetention");
                card = await MustActAsync("retention1", id, "PassToBackoffice");
                break;
            case "ApprovedByDealing/Backoffice":
                await MustActAsync("cs1", id, "PassToRetention");
                await MustActAsync("retention1", id, "PassToDealing");
                card = await MustActAsync("dealing1", id, "PassToBackoffice");
                break;
            case "ForwardedToDealing/Dealing": card = await MassEditAsync(id, "Dealing"); break;
            case "ForwardedToBackoffice/Backoffice": card = await MassEditAsync(id, "Backoffice"); break;
            case "ApprovedByBackoffice/Backoffice":
                await MustActAsync("cs1", id, "PassToRetention");
                await MustActAsync("retention1", id, "PassToBackoffice");
                // Four eyes: Complete needs someone other than the Backoffice approver, so bo1 is left to complete.
                card = await MustActAsync("supervisor1", id, "Approve");
                break;
            case "Rejected": card = await MustActAsync("cs1", id, "RejectAndClose", "no documents"); break;
            case "Completed":
                await MustActAsync("cs1", id, "PassToRetention");
                await MustActAsync("retention1", id, "PassToBackoffice");
                await MustActAsync("supervisor1", id, "Approve");
                card = await MustActAsync("bo1", id, "Complete");
                break;
            case "CanceledByClient":
                var response = await (await AsAsync("system")).PostAsync($"/api/wd-requests/{id}/client-cancel", null);
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
                card = await CardAsync(id);
                break;
            default: throw new ArgumentOutOfRangeException(nameof(stage), stage, "Unknown stage.");
        }
        var parts = stage.Split('/');
        Assert.That(card["status"]!.GetValue<string>(), Is.EqualTo(parts[0]), $"driving to {stage}: {card.ToJsonString()}");
        if (parts.Length > 1) Assert.That(card["department"]?.GetValue<string>(), Is.EqualTo(parts[1]), $"driving to {stage}");
        return card;
    }
}

public static class WdJson
{
    public static string Id(this JsonObject card) => card["id"]!.GetValue<string>();

    public static string Status(this JsonObject card) => card["status"]!.GetValue<string>();

    public static string? Department(this JsonObject card) => card["department"]?.GetValue<string>();

    public static List<string> Actions(this JsonObject card) => [.. card["actions"]!.AsArray().Select(a => a!.GetValue<string>())];

    public static decimal Dec(this JsonNode node) => node.GetValue<decimal>();

    public static async Task<JsonObject> ProblemAsync(this HttpResponseMessage response, HttpStatusCode expected)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(expected), text);
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        return JsonNode.Parse(text)!.AsObject();
    }

    public static IEnumerable<string> ErrorFields(this JsonObject problem) => problem["errors"]!.AsObject().Select(e => e.Key);
}
