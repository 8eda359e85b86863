using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Fiat.Operations;

/// <summary>Helpers over HTTP for the fiat operations tests (records by id, open tasks, waits on conditions).</summary>
public static class FiatOps
{
    public const string Hkd = "ICBC-001-FPS";
    public const string Usd = "HSBC-002-WIRE";

    /// <summary>A key that reads and sends events but may not start fiat withdrawals.</summary>
    public const string ReaderKey = "fiat-reader-key";

    public static Dictionary<string, string?> Settings() => new()
    {
        ["Identities:ApiKeys:0:Name"] = "fiat-reader",
        ["Identities:ApiKeys:0:Key"] = ReaderKey,
        ["Identities:ApiKeys:0:Scopes:0"] = "read:*",
        ["Identities:ApiKeys:0:Scopes:1"] = "events:*",
        ["Fiat:UnstartedBatchGraceSeconds"] = "5",
    };

    public static HttpClient WithKey(this ApiFactory factory, string key)
    {
        var client = factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    /// <summary>
    /// The customer's stored history, which the review rules read: when <paramref name="known"/>, a withdrawal to the
    /// card <see cref="ApplyAsync"/> uses was paid and reconciled on an earlier business day (so it does not count
    /// against today's limit); otherwise the customer has none (first withdrawal, new beneficiary account).
    /// </summary>
    public static void KnownCustomer(this ApiFactory factory, string customerId, bool known)
    {
        if (!known) return;
        using var scope = factory.Services.CreateScope();
        var fiat = scope.ServiceProvider.GetRequiredService<ApprovalEngine.Server.Features.Fiat.FiatDbContext>();
        var earlier = factory.Services.GetRequiredService<TimeProvider>().GetUtcNow().AddDays(-30);
        fiat.Add(new ApprovalEngine.Server.Features.Fiat.Records.FiatWithdrawalRecord
        {
            Id = Guid.NewGuid(),
            RecordNo = $"HIST-{Guid.NewGuid():N}",
            CustomerId = customerId,
            Currency = "HKD",
            Amount = 100m,
            BeneficiaryAccount = $"CARD-{customerId}",
            ChannelId = Hkd,
            Status = "Completed",
            BankReference = "BANK-HISTORY",
            BusinessDay = DateOnly.FromDateTime(earlier.UtcDateTime),
            Finished = true,
            CreatedAt = earlier,
            UpdatedAt = earlier,
        });
        fiat.SaveChanges();
    }

    public static async Task<JsonObject> ApplyAsync(this HttpClient client, string customerId, decimal amount, string currency = "HKD", object? extra = null)
    {
        var body = new JsonObject { ["customerId"] = customerId, ["currency"] = currency, ["amount"] = amount, ["fee"] = 5m, ["bankAccount"] = $"CARD-{customerId}" };
        if (extra is not null)
        {
            foreach (var (k, v) in JsonSerializerNode(extra)) body[k] = v?.DeepClone();
        }
        return await client.PostObjectAsync("/api/fiat/withdrawals", body);
    }

    private static readonly System.Text.Json.JsonSerializerOptions Web = new(System.Text.Json.JsonSerializerDefaults.Web);

    private static JsonObject JsonSerializerNode(object o) => System.Text.Json.JsonSerializer.SerializeToNode(o, Web)!.AsObject();

    public static Task<JsonObject> RecordAsync(this HttpClient client, string id) => client.GetObjectAsync($"/api/fiat/withdrawals/{id}");

    /// <summary>Waits until the record reaches <paramref name="status"/> (outside calls run after the commit).</summary>
    public static async Task<JsonObject> WaitForStatusAsync(this HttpClient client, string id, string status)
    {
        JsonObject? last = null;
        var reached = await ApiAssert.EventuallyAsync(async () =>
        {
            last = await client.RecordAsync(id);
            if (last.Text("status") != status) return false;
            // Statuses set before an outside call: wait for what the call brings.
            return status switch
            {
                "Pending Submission" => (string?)last["openActivityId"] == "application",
                "Paying" => last["bankReference"] is not null,
                _ => true,
            };
        }, TimeSpan.FromSeconds(30));
        Assert.That(reached, Is.True, $"record {id} never reached {status}: {last?.ToJsonString()}");
        return last!;
    }

    /// <summary>The open task of the record's work order (the child instance).</summary>
    public static Task<Guid> WorkOrderTaskAsync(this ApiFactory factory, string recordId) => factory.QueryAsync(async db =>
    {
        var id = Guid.Parse(recordId);
        Guid? task = null;
        await ApiAssert.EventuallyAsync(async () =>
        {
            task = await db.Tasks.AsNoTracking().Where(t => t.Status == "Open" && db.Instances.Any(i => i.Id == t.InstanceId && i.ParentInstanceId == id)).Select(t => (Guid?)t.Id).FirstOrDefaultAsync();
            return task is not null;
        }, TimeSpan.FromSeconds(30));
        return task ?? throw new AssertionException($"no open work order for {recordId}");
    });

    public static async Task CompleteOkAsync(this HttpClient client, Guid taskId, string action, string? comment = null)
    {
        var response = await client.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { action, comment });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), await response.Content.ReadAsStringAsync());
    }

    /// <summary>A known customer's application: submitted automatically, direct billing work order approved by checker1, Paying.</summary>
    public static async Task<JsonObject> PayingAsync(this ApiFactory factory, string customerId, decimal amount = 1_000m)
    {
        factory.KnownCustomer(customerId, known: true);
        var id = (await factory.AsSystem().ApplyAsync(customerId, amount)).Text("id");
        var checker1 = await factory.AsUserAsync("checker1");
        await checker1.WaitForStatusAsync(id, "Withdrawal Directly Pending");
        await checker1.CompleteOkAsync(await factory.WorkOrderTaskAsync(id), "Approve");
        return await checker1.WaitForStatusAsync(id, "Paying");
    }

    /// <summary>The bank's result of the record's current payout, naming it by its bankReference (version 3 settles a payout only so).</summary>
    public static async Task<JsonObject> BankResultAsync(this ApiFactory factory, string recordNo, bool success, string? reason = null)
    {
        var reference = (await (await factory.AsUserAsync("checker1")).RecordAsync(recordNo)).Text("bankReference");
        return await factory.AsSystem().PostObjectAsync("/api/events/BankResult", new { correlationId = recordNo, payload = new { success, reason, bankReference = reference } });
    }

    /// <summary>The bank's statement, imported as an operator does (CSV template): one debit line naming the record.</summary>
    public static async Task<JsonObject> ImportStatementAsync(this ApiFactory factory, HttpClient operatorClient, string recordNo, decimal amount, string? reference = null)
    {
        var today = factory.Services.GetRequiredService<TimeProvider>().GetUtcNow().ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var csv = "entry_id,booking_date,amount,currency,reference\r\n"
            + $"\"ST-{recordNo}\",\"{today}\",\"-{amount.ToString(System.Globalization.CultureInfo.InvariantCulture)}\",\"HKD\",\"{reference ?? recordNo}\"\r\n";
        return await operatorClient.PostObjectAsync("/api/fiat/statements/imports", new { channelId = FiatOps.Hkd, format = "csv", content = csv });
    }

    public static async Task<JsonArray> BulkAsync(this HttpClient client, string url, object body)
    {
        var response = await client.PostAsJsonAsync(url, body);
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        return JsonNode.Parse(text)!.AsArray();
    }
}
