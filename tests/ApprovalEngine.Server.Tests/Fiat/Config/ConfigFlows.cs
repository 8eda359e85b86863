using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;

namespace ApprovalEngine.Server.Tests.Fiat.Config;

/// <summary>Small flows that run one configured fiat activity and end with its outcome as the business status.</summary>
internal static class ConfigFlows
{
    public const string Evaluate = "test-fiat-evaluate";
    public const string Payout = "test-fiat-payout";
    public const string Settings = "test-fiat-settings";

    private static JsonObject Flow(string id, string activity, string[] outcomes, string variables, string inputs) => JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Test {{id}}",
          "variables": {{variables}},
          "inputs": {{inputs}},
          "activities": [
            { "id": "start", "type": "Start" },
            {{activity}},
            {{string.Join(",\n", outcomes.Select(o => $$"""{ "id": "end{{o}}", "type": "End", "inputs": { "status": "{{o}}" } }"""))}}
          ],
          "connections": [
            { "source": "start", "outcome": "Done", "target": "act" },
            {{string.Join(",\n", outcomes.Select(o => $$"""{ "source": "act", "outcome": "{{o}}", "target": "end{{o}}" }"""))}}
          ]
        }
        """)!.AsObject();

    public static async Task PublishAllAsync(ApiFactory factory)
    {
        await factory.PublishAsync(Flow(Evaluate,
            """{ "id": "act", "type": "EvaluateFiatApplication", "inputs": { "recordNo": "recordNo", "customerId": "customerId", "currency": "currency", "amount": "amount", "bankAccount": "bankAccount", "beneficiaryBank": "beneficiaryBank", "channel": "channel" } }""",
            ["AutoReject", "ManualWithWorkOrder", "ManualWithoutWorkOrder", "AutoSubmit"],
            """
            [ { "name": "recordNo", "type": "string" }, { "name": "customerId", "type": "string" }, { "name": "currency", "type": "string" }, { "name": "amount", "type": "number" },
              { "name": "bankAccount", "type": "string" }, { "name": "beneficiaryBank", "type": "string" }, { "name": "channel", "type": "string" }, { "name": "policy", "type": "string" },
              { "name": "reasons", "type": "list" }, { "name": "previousWithdrawals", "type": "number" }, { "name": "knownBankAccount", "type": "boolean" },
              { "name": "customerUsedToday", "type": "number" }, { "name": "customerDailyLimit", "type": "number" }, { "name": "estimatedArrival", "type": "string" }, { "name": "estimatedFee", "type": "number" } ]
            """,
            """
            [ { "name": "recordNo", "type": "string", "required": true }, { "name": "customerId", "type": "string", "required": true }, { "name": "currency", "type": "string", "required": true },
              { "name": "amount", "type": "number", "required": true }, { "name": "bankAccount", "type": "string", "required": true }, { "name": "beneficiaryBank", "type": "string" }, { "name": "channel", "type": "string" } ]
            """));
        await factory.PublishAsync(Flow(Payout,
            """{ "id": "act", "type": "CheckFiatPayout", "inputs": { "channel": "channel", "currency": "currency", "amount": "amount", "reference": "reference", "override": "override" } }""",
            ["Proceed", "Intercept", "OutsideServiceWindow"],
            """
            [ { "name": "channel", "type": "string" }, { "name": "currency", "type": "string" }, { "name": "amount", "type": "number" }, { "name": "reference", "type": "string" },
              { "name": "override", "type": "boolean", "default": false }, { "name": "reasons", "type": "list" }, { "name": "windowOpensAt", "type": "datetime" }, { "name": "bankBalance", "type": "number" } ]
            """,
            """
            [ { "name": "channel", "type": "string", "required": true }, { "name": "currency", "type": "string", "required": true }, { "name": "amount", "type": "number", "required": true },
              { "name": "reference", "type": "string", "required": true }, { "name": "override", "type": "boolean" } ]
            """));
        await factory.PublishAsync(Flow(Settings,
            """{ "id": "act", "type": "LoadFiatSettings", "inputs": {} }""",
            ["Done"],
            """[ { "name": "directBillingNeedsApproval", "type": "boolean" } ]""",
            "[]"));
    }

    /// <summary>Starts the flow and waits until it has ended; returns the instance (status, businessStatus, variables).</summary>
    public static async Task<JsonObject> RunAsync(ApiFactory factory, string definition, string correlationId, object input)
    {
        using var client = factory.AsTestSystem();
        var started = await client.PostObjectAsync($"/api/definitions/{definition}/instances", new { correlationId, input });
        var id = started.Text("id");
        JsonObject instance = started;
        var ended = await Poll.UntilAsync(async () =>
        {
            instance = await client.GetObjectAsync($"/api/instances/{id}");
            return instance.Text("status") is "Completed" or "Faulted" or "Cancelled";
        }, TimeSpan.FromSeconds(30));
        Assert.That(ended, Is.True, $"{definition} {correlationId} did not end: {instance.ToJsonString()}");
        Assert.That(instance.Text("status"), Is.EqualTo("Completed"), instance.ToJsonString());
        return instance;
    }

    public static decimal Number(this JsonObject instance, string variable) => instance["variables"]![variable]!.GetValue<decimal>();

    public static IReadOnlyList<string> Reasons(this JsonObject instance) => [.. instance["variables"]!["reasons"]!.AsArray().Select(r => r!.GetValue<string>())];

    public static async Task<JsonObject> PutConfigAsync(HttpClient client, string url, Func<JsonObject, JsonObject> change)
    {
        var current = await client.GetObjectAsync(url);
        var body = change(current);
        var response = await client.PutAsJsonAsync(url, body);
        var json = await response.ReadObjectAsync();
        Assert.That(response.IsSuccessStatusCode, Is.True, $"PUT {url}: {json.ToJsonString()}");
        return json;
    }

    /// <summary>
    /// A change that weakens a control answers 202 with a pending change; a second holder of fiat:configure
    /// (supervisor2) approves it. Returns the decided pending change.
    /// </summary>
    public static async Task<JsonObject> ApprovedBySecondAsync(ApiFactory factory, HttpResponseMessage proposed)
    {
        var pending = await proposed.ReadObjectAsync();
        Assert.That(proposed.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Accepted), pending.ToJsonString());
        using var second = await factory.AsUserAsync("supervisor2");
        return await second.PostObjectAsync($"/api/fiat/config/pending-changes/{pending.Text("id")}/approve", new { });
    }

    /// <summary>A paying account with a channel and a rule, made through the API; optionally a daily limit and an interception rule.</summary>
    public static async Task PayingChannelAsync(HttpClient supervisor, string account, bool api, decimal? dailyLimit = null, decimal alert = 0m, object? windows = null)
    {
        await supervisor.PostObjectAsync("/api/fiat/config/bank-accounts", new { id = account, bankName = "Bank " + account, accountNo = "N-" + account, accountName = "Broker", currency = "HKD", apiIntegrated = api });
        await supervisor.PostObjectAsync("/api/fiat/config/channels", new { id = account + "-FPS", bankAccountId = account, method = "FPS" });
        await supervisor.PostObjectAsync("/api/fiat/config/withdrawal-rules", new { channelId = account + "-FPS", policy = "RealTimeSingle", singleLimit = 1_000_000m, customerDailyLimit = 1_000_000m, priority = 900, serviceWindows = windows });
        if (dailyLimit is { } limit) await supervisor.PostObjectAsync("/api/fiat/config/daily-limits", new { bankAccountId = account, limit, alertThreshold = alert });
    }
}
