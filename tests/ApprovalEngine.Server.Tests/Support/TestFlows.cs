using System.Net.Http.Json;
using System.Text.Json.Nodes;

namespace ApprovalEngine.Server.Tests.Support;

/// <summary>Small definitions the tests publish through the API as analyst1.</summary>
public static class TestFlows
{
    /// <summary>
    /// Saves <paramref name="definition"/> as the draft, analyst1 submits it for publishing and analyst2 approves it
    /// (publishing needs two analysts); returns the new version.
    /// </summary>
    public static async Task<int> PublishAsync(this ApiFactory factory, JsonObject definition)
    {
        var request = await factory.SubmitAsync(definition);
        var reviewer = await factory.AsUserAsync("analyst2");
        var approved = await reviewer.PostObjectAsync($"/api/publish-requests/{request.Text("id")}/approve", null);
        return approved["version"]!.GetValue<int>();
    }

    /// <summary>Saves the draft as <paramref name="submitter"/> and submits it for publishing; returns the pending request.</summary>
    public static async Task<JsonObject> SubmitAsync(this ApiFactory factory, JsonObject definition, string submitter = "analyst1", string? note = null)
    {
        var analyst = await factory.AsUserAsync(submitter);
        var id = definition.Text("id");
        var saved = await analyst.PutAsJsonAsync($"/api/definitions/{id}/draft", definition);
        Assert.That(saved.IsSuccessStatusCode, Is.True, $"draft of {id}: {await saved.Content.ReadAsStringAsync()}");
        var submitted = await analyst.PostAsJsonAsync($"/api/definitions/{id}/publish", new { note });
        var request = await submitted.ReadObjectAsync();
        Assert.That(submitted.StatusCode, Is.EqualTo(System.Net.HttpStatusCode.Accepted), $"submit {id}: {request.ToJsonString()}");
        return request;
    }

    private static JsonObject Flow(string id, string activities, string connections, string variables = "[]", string inputs = "[]", string interrupts = "[]") =>
        JsonNode.Parse($$"""
        {
          "id": "{{id}}", "name": "Test flow {{id}}",
          "variables": {{variables}}, "inputs": {{inputs}},
          "activities": {{activities}},
          "connections": {{connections}},
          "interrupts": {{interrupts}}
        }
        """)!.AsObject();

    /// <summary>Waits for the event <c>payment-received</c> (payload → payment); the event <c>client-cancelled</c> interrupts it.</summary>
    public static JsonObject WaitForPayment(string id = "test-wait-payment") => Flow(id,
        """
        [
          { "id": "start", "type": "Start" },
          { "id": "wait", "type": "WaitForEvent", "inputs": { "event": "payment-received", "resultVariable": "payment" } },
          { "id": "paid", "type": "End", "inputs": { "status": "Paid" } },
          { "id": "cancelled", "type": "End", "inputs": { "status": "CancelledByClient" } }
        ]
        """,
        """[ { "source": "start", "outcome": "Done", "target": "wait" }, { "source": "wait", "outcome": "Received", "target": "paid" } ]""",
        variables: """[ { "name": "payment", "type": "any" } ]""",
        interrupts: """[ { "event": "client-cancelled", "target": "cancelled" } ]""");

    /// <summary>Waits for the event <c>go</c> with a one-hour time-out.</summary>
    public static JsonObject WaitWithTimeout(string id = "test-wait-timeout") => Flow(id,
        """
        [
          { "id": "start", "type": "Start" },
          { "id": "wait", "type": "WaitForEvent", "inputs": { "event": "go", "timeout": "PT1H" } },
          { "id": "received", "type": "End", "inputs": { "status": "Received" } },
          { "id": "timedOut", "type": "End", "inputs": { "status": "TimedOut" } }
        ]
        """,
        """
        [
          { "source": "start", "outcome": "Done", "target": "wait" },
          { "source": "wait", "outcome": "Received", "target": "received" },
          { "source": "wait", "outcome": "TimedOut", "target": "timedOut" }
        ]
        """);

    /// <summary>Start → Delay <paramref name="duration"/> → End (Waited).</summary>
    public static JsonObject Delay(string id = "test-delay", string duration = "PT1S") => Flow(id,
        $$"""
        [
          { "id": "start", "type": "Start" },
          { "id": "delay", "type": "Delay", "inputs": { "duration": "{{duration}}" } },
          { "id": "done", "type": "End", "inputs": { "status": "Waited" } }
        ]
        """,
        """[ { "source": "start", "outcome": "Done", "target": "delay" }, { "source": "delay", "outcome": "Done", "target": "done" } ]""");

    /// <summary>Loads the trading account named by the input <c>account</c> through the ledger (a job), then a CS task.</summary>
    public static JsonObject LoadAccount(string id = "test-load-account") => Flow(id,
        """
        [
          { "id": "start", "type": "Start" },
          { "id": "load", "type": "LoadTradingAccount", "inputs": { "account": "account" } },
          { "id": "review", "type": "UserTask", "inputs": { "title": "Check the balance", "status": "Loaded", "department": "CS", "actions": [ { "name": "Done", "displayName": "Done" } ] } },
          { "id": "done", "type": "End", "inputs": { "status": "Checked" } }
        ]
        """,
        """
        [
          { "source": "start", "outcome": "Done", "target": "load" },
          { "source": "load", "outcome": "Done", "target": "review" },
          { "source": "review", "outcome": "Done", "target": "done" }
        ]
        """,
        variables: """[ { "name": "account", "type": "string" }, { "name": "balance", "type": "number" } ]""",
        inputs: """[ { "name": "account", "type": "string", "required": true } ]""");

    /// <summary>One task for <paramref name="department"/> with the given actions (JSON array), due in <paramref name="dueIn"/>.</summary>
    public static JsonObject SingleTask(string id, string department = "CS", string actions = """[ { "name": "Approve", "displayName": "Approve" } ]""", string? dueIn = null, string status = "Waiting", int priority = 0)
    {
        var due = dueIn is null ? "" : $", \"dueIn\": \"{dueIn}\"";
        var outcomes = JsonNode.Parse(actions)!.AsArray().Select(a => a!["name"]!.GetValue<string>());
        var connections = string.Join(", ", outcomes.Select(o => $$"""{ "source": "task", "outcome": "{{o}}", "target": "done" }"""));
        return Flow(id,
            $$"""
            [
              { "id": "start", "type": "Start" },
              { "id": "task", "type": "UserTask", "inputs": { "title": "Task of {{id}}", "status": "{{status}}", "department": "{{department}}", "priority": {{priority}}, "actions": {{actions}}{{due}} } },
              { "id": "done", "type": "End", "inputs": { "status": "Done" } }
            ]
            """,
            $$"""[ { "source": "start", "outcome": "Done", "target": "task" }, {{connections}} ]""");
    }
}
