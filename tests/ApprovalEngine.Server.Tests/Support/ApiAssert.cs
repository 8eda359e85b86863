using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Tests.Support;

/// <summary>Assertions on problem details and helpers to send raw bodies.</summary>
public static class ApiAssert
{
    /// <summary>Asserts an RFC 9457 problem with <paramref name="status"/>; when <paramref name="field"/> is given, the <c>errors</c> map names it.</summary>
    public static async Task<JsonObject> ProblemAsync(HttpResponseMessage response, HttpStatusCode status, string? field = null)
    {
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(status), $"{response.RequestMessage?.Method} {response.RequestMessage?.RequestUri}: {text}");
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("application/problem+json"), text);
        var problem = JsonNode.Parse(text)!.AsObject();
        Assert.That(problem["status"]?.GetValue<int>(), Is.EqualTo((int)status), text);
        Assert.That(problem["title"]?.GetValue<string>(), Is.Not.Null.And.Not.Empty, text);
        if (field is not null)
        {
            var errors = problem["errors"] as JsonObject;
            Assert.That(errors, Is.Not.Null, $"no errors map: {text}");
            Assert.That(errors!.Select(e => e.Key), Has.Some.EqualTo(field).IgnoreCase, $"errors should name '{field}': {text}");
        }
        return problem;
    }

    public static Task<HttpResponseMessage> SendRawAsync(this HttpClient client, HttpMethod method, string url, string body, string contentType = "application/json") =>
        client.SendAsync(new HttpRequestMessage(method, url) { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue(contentType)) });

    public static Task<HttpResponseMessage> PostRawAsync(this HttpClient client, string url, string body) => client.SendRawAsync(HttpMethod.Post, url, body);

    public static async Task<JsonObject> PutObjectAsync(this HttpClient client, string url, object? body)
    {
        var response = await client.PutAsJsonAsync(url, body);
        var json = await response.ReadObjectAsync();
        if (!response.IsSuccessStatusCode) throw new HttpRequestException($"{(int)response.StatusCode} {url}: {json.ToJsonString()}");
        return json;
    }

    public static string Text(this JsonNode? node, string property) =>
        node?[property]?.GetValue<string>() ?? throw new AssertionException($"'{property}' missing in {node?.ToJsonString()}");

    public static JsonArray Items(this JsonObject page) => page["items"]!.AsArray();

    /// <summary>Counts of everything the API can write: a rejected request must leave them all unchanged.</summary>
    public static Task<string> SnapshotAsync(this ApiFactory factory) => factory.QueryAsync(async db =>
    {
        var parts = new[]
        {
            $"definitions={await db.Definitions.CountAsync()}",
            $"drafts={await db.Definitions.CountAsync(d => d.DraftJson != null)}",
            $"versions={await db.DefinitionVersions.CountAsync()}",
            $"suspended={await db.DefinitionVersions.CountAsync(v => v.SuspendedAt != null)}",
            $"publishRequests={await db.PublishRequests.CountAsync()}",
            $"pendingRequests={await db.PublishRequests.CountAsync(r => r.Status == "Pending")}",
            $"definitionJournal={await db.DefinitionJournal.CountAsync()}",
            $"instances={await db.Instances.CountAsync()}",
            $"instanceVersions={await db.Instances.SumAsync(i => i.Version)}",
            $"tasks={await db.Tasks.CountAsync()}",
            $"openTasks={await db.Tasks.CountAsync(t => t.Status == "Open")}",
            $"claimed={await db.Tasks.CountAsync(t => t.Assignee != null)}",
            $"journal={await db.Journal.CountAsync()}",
            $"jobs={await db.Jobs.CountAsync()}",
            $"incidents={await db.Incidents.CountAsync(i => i.Status == "Open")}",
            $"keys={await db.IdempotencyKeys.CountAsync()}",
            $"events={await db.Events.CountAsync()}",
            $"eventsDelivered={await db.Events.CountAsync(e => e.Status == "Delivered")}",
            $"eventDeliveries={await db.EventDeliveries.CountAsync()}",
            $"accounts={await db.TradingAccounts.CountAsync()}",
        };
        return string.Join(", ", parts);
    });

    /// <summary>Polls <paramref name="probe"/> until it returns true or <paramref name="timeout"/> passes.</summary>
    public static Task<bool> EventuallyAsync(Func<Task<bool>> probe, TimeSpan timeout) =>
        ApprovalEngine.Testing.Poll.UntilAsync(probe, timeout, TimeSpan.FromMilliseconds(200));
}
