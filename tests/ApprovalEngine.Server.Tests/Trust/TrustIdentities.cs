using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Trust;

/// <summary>
/// Identities configured the way production configures them (Identities:ApiKeys, Identities:Users), next to the
/// development ones: a key with no rights and no scopes, a key with narrow scopes, and a person holding both the
/// maker right (submit) and the checker right (workorders:approve).
/// </summary>
public static class TrustIdentities
{
    public const string BareKey = "bare-system-key";
    public const string NarrowKey = "narrow-system-key";
    public const string MakerChecker = "makerchecker1";

    /// <summary>The scope the narrow key holds for the test flow's system action.</summary>
    public const string ActScope = "test:act";

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Identities:ApiKeys:0:Name"] = "bare-system",
        ["Identities:ApiKeys:0:Key"] = BareKey,
        ["Identities:ApiKeys:1:Name"] = "narrow-system",
        ["Identities:ApiKeys:1:Key"] = NarrowKey,
        ["Identities:ApiKeys:1:Scopes:0"] = "start:crypto-deposit",
        ["Identities:ApiKeys:1:Scopes:1"] = "start:test-trust-*",
        ["Identities:ApiKeys:1:Scopes:2"] = ActScope,
        // Acting on a task answers with the instance, so the key must also read the flows it acts on (ADR 7).
        ["Identities:ApiKeys:1:Scopes:3"] = "read:test-trust-*",
        ["Identities:Users:0:Username"] = MakerChecker,
        ["Identities:Users:0:DisplayName"] = "Maker and checker",
        ["Identities:Users:0:Role"] = "Operations maker and checker",
        ["Identities:Users:0:Departments:0"] = "Operations",
        ["Identities:Users:0:Permissions:0"] = "workorders:approve",
        ["Identities:Users:0:Rights:0"] = "submit",
        ["Identities:Users:0:Rights:1"] = "workorders:approve",
    };

    public static HttpClient AsApiKey(this ApiFactory factory, string key)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>Starts a crypto coin withdrawal on the generic route; the address is verified in the sandbox wallet first.</summary>
    public static async Task<JsonObject> StartCoinWithdrawalAsync(this ApiFactory factory, HttpClient caller, string recordNo, decimal amount = 0.5m, decimal? threshold = null)
    {
        var system = factory.AsSystem();
        var added = await system.PostAsJsonAsync($"/api/sandbox/wallets/SA-{recordNo}/verified-addresses", new { coin = "BTC", network = "BTC", address = "bc1qtrust" });
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK), await added.Content.ReadAsStringAsync());
        var input = new JsonObject
        {
            ["recordNo"] = recordNo, ["securitiesAccount"] = $"SA-{recordNo}", ["coin"] = "BTC", ["network"] = "BTC", ["amount"] = amount,
            ["address"] = "bc1qtrust", ["requestedBy"] = $"client:SA-{recordNo}",
        };
        if (threshold is not null) input["secondApprovalThreshold"] = threshold;
        return await caller.PostObjectAsync("/api/definitions/crypto-coin-withdrawal/instances", new { correlationId = recordNo, input });
    }

    /// <summary>
    /// Starts a crypto coin withdrawal as a domain route would (the engine's starter, not the generic route), passing
    /// the domain input secondApprovalThreshold; <paramref name="user"/> is recorded as the starter.
    /// </summary>
    public static async Task StartCoinWithdrawalAsDomainAsync(this ApiFactory factory, string user, string recordNo, decimal amount, decimal threshold)
    {
        var added = await factory.AsSystem().PostAsJsonAsync($"/api/sandbox/wallets/SA-{recordNo}/verified-addresses", new { coin = "BTC", network = "BTC", address = "bc1qtrust" });
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK), await added.Content.ReadAsStringAsync());
        var input = new Dictionary<string, object?>
        {
            ["recordNo"] = recordNo, ["securitiesAccount"] = $"SA-{recordNo}", ["coin"] = "BTC", ["network"] = "BTC", ["amount"] = amount,
            ["address"] = "bc1qtrust", ["requestedBy"] = $"client:SA-{recordNo}", ["secondApprovalThreshold"] = threshold,
        };
        var account = DevelopmentIdentities.Users.Single(u => u.Username == user);
        var actor = new Actor
        {
            UserId = user, Role = account.Role, Departments = account.Departments.ToHashSet(), Permissions = account.Permissions.ToHashSet(),
        };
        var starter = factory.Services.GetRequiredService<InstanceStarter>();
        var (_, created) = await starter.StartAsync("crypto-coin-withdrawal", recordNo, input, actor, StartRoute.Domain("test: threshold from configuration"), CancellationToken.None,
            domainInputs: new HashSet<string> { "secondApprovalThreshold" });
        Assert.That(created, Is.True);
    }

    /// <summary>The open task of <paramref name="activityId"/> in the instances correlated with <paramref name="correlationId"/>.</summary>
    public static Task<Guid> OpenTaskAsync(this ApiFactory factory, string correlationId, string activityId) => factory.QueryAsync(db =>
        db.Tasks.AsNoTracking().Where(t => t.CorrelationId == correlationId && t.ActivityId == activityId && t.Status == "Open").Select(t => t.Id).SingleAsync());

    /// <summary>The open task of <paramref name="activityId"/> in the instance (a WD request's id is its instance's).</summary>
    public static Task<Guid> OpenTaskOfInstanceAsync(this ApiFactory factory, string instanceId, string activityId)
    {
        var id = Guid.Parse(instanceId);
        return factory.QueryAsync(db => db.Tasks.AsNoTracking().Where(t => t.InstanceId == id && t.ActivityId == activityId && t.Status == "Open").Select(t => t.Id).SingleAsync());
    }

    public static Task<string?> VariableAsync(this ApiFactory factory, string instanceId, string name) => factory.QueryAsync(async db =>
    {
        var id = Guid.Parse(instanceId);
        var state = await db.Instances.AsNoTracking().Where(i => i.Id == id).Select(i => i.StateJson).SingleAsync();
        return JsonNode.Parse(state)!["variables"]?[name]?.ToString();
    });
}
