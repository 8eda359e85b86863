using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ApprovalEngine.Hosting;
using ApprovalEngine.Server.Features.Webhooks;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Webhooks;

/// <summary>
/// Webhooks for systems with the dispatcher running in the background as in production: a completed instance reaches
/// the receiver on its own. Also who may manage subscriptions (and who may not), what a read shows of a secret, bad
/// input, and the SSRF rules.
/// </summary>
[TestFixture]
public sealed class WebhookApiTests
{
    private const string ManagerKey = "webhook-manager-key";
    private static readonly string[] CompletedEvent = ["instance.completed"];
    private static readonly string[] TaskCreatedEvent = ["task.created"];
    private static readonly string[] UnknownEvent = ["instance.exploded"];
    private ApiFactory _factory = null!;
    private HttpClient _manager = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync(new()
        {
            ["Webhooks:PollIntervalMilliseconds"] = "100",
            // A system's key that holds webhooks:manage and reads sample-approval (it subscribes itself) but may start nothing.
            ["Identities:ApiKeys:5:Name"] = "webhook-manager",
            ["Identities:ApiKeys:5:Key"] = ManagerKey,
            ["Identities:ApiKeys:5:Rights:0"] = "webhooks:manage",
            ["Identities:ApiKeys:5:Scopes:0"] = "read:sample-approval",
        });
        _manager = await _factory.AsUserAsync("supervisor1");
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _manager.Dispose();
        await _factory.DisposeAsync();
    }

    private static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    [Test]
    public async Task A_completed_instance_reaches_the_receiver_once_with_its_outcome_in_the_body()
    {
        var secret = NewSecret();
        await using var receiver = await WebhookReceiver.StartAsync(secret);
        var created = await _manager.PostObjectAsync("/api/webhooks/subscriptions", new { definitionId = "sample-approval", events = CompletedEvent, url = receiver.Url, secret });
        var subscription = created["subscription"]!.Text("id");
        var system = _factory.AsSystem();
        var correlation = $"done-{Guid.NewGuid():N}";
        var instance = (await system.PostObjectAsync("/api/definitions/sample-approval/instances", new { correlationId = correlation, input = new { amount = 250 } })).Text("id");
        var task = (await system.GetObjectAsync($"/api/instances/{instance}"))["openTasks"]!.AsArray().Single().Text("id");
        await (await _factory.AsUserAsync("cs1")).PostObjectAsync($"/api/tasks/{task}/complete", new { action = "Approve" });

        Assert.That(await Poll.UntilAsync(() => Task.FromResult(receiver.Received.Count > 0), TimeSpan.FromSeconds(30)), Is.True, "delivered by the background dispatcher");
        Assert.That(await Poll.UntilAsync(async () => (await _manager.GetObjectAsync($"/api/webhooks/deliveries?subscriptionId={subscription}")).Items().Single()!.Text("status") == "Delivered", TimeSpan.FromSeconds(30)), Is.True);

        var got = receiver.Received.Single();
        var body = JsonNode.Parse(got.Body)!;
        var data = body["data"]!;
        Assert.Multiple(() =>
        {
            Assert.That(got.SignatureValid, Is.True);
            Assert.That(body.Text("type"), Is.EqualTo("instance.completed"));
            Assert.That(data.Text("instanceId"), Is.EqualTo(instance));
            Assert.That(data.Text("definitionId"), Is.EqualTo("sample-approval"));
            Assert.That(data.Text("correlationId"), Is.EqualTo(correlation));
            Assert.That(data.Text("status"), Is.EqualTo("Completed"));
            Assert.That(data.Text("businessStatus"), Is.EqualTo("Approved"));
            Assert.That(data["completedAt"], Is.Not.Null);
            Assert.That(data.AsObject().ContainsKey("variables"), Is.False, "no variables: the system reads what it may through the API");
        });
        (await _manager.DeleteAsync($"/api/webhooks/subscriptions/{subscription}")).EnsureSuccessStatusCode();
    }

    [Test]
    public async Task Reads_show_a_hint_of_the_secret_and_the_table_holds_it_sealed()
    {
        var secret = NewSecret();
        var created = await _manager.PostObjectAsync("/api/webhooks/subscriptions", new { definitionId = "sample-approval", events = TaskCreatedEvent, url = "http://127.0.0.1:9/hook", secret });
        var id = created["subscription"]!.Text("id");
        var generated = await _manager.PostObjectAsync("/api/webhooks/subscriptions", new { definitionId = "sample-approval", events = TaskCreatedEvent, url = "http://127.0.0.1:9/other" });
        var generatedSecret = generated.Text("generatedSecret");

        var list = await _manager.GetAsync("/api/webhooks/subscriptions");
        var text = await list.Content.ReadAsStringAsync();
        var sealedSecrets = await _factory.QueryAsync(db => db.WebhookSubscriptions.Select(s => s.SecretSealed).ToListAsync());
        Assert.Multiple(() =>
        {
            Assert.That(generatedSecret, Does.StartWith("whsec_"), "shown once, when the server made it");
            Assert.That(text, Does.Not.Contain(secret).And.Not.Contain(secret["whsec_".Length..]).And.Not.Contain(generatedSecret["whsec_".Length..]));
            Assert.That(JsonNode.Parse(text)!.AsArray().Single(s => s.Text("id") == id).Text("secretHint"), Is.EqualTo("whsec_…" + secret[^4..]));
            Assert.That(sealedSecrets, Has.None.Contains(secret["whsec_".Length..]).And.None.Contains(generatedSecret["whsec_".Length..]));
        });
        foreach (var s in new[] { id, generated["subscription"].Text("id") }) (await _manager.DeleteAsync($"/api/webhooks/subscriptions/{s}")).EnsureSuccessStatusCode();
        await ApiAssert.ProblemAsync(await _manager.DeleteAsync($"/api/webhooks/subscriptions/{id}"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Bad_subscriptions_are_refused_naming_the_field_and_nothing_is_stored()
    {
        var before = await _factory.QueryAsync(db => db.WebhookSubscriptions.CountAsync());
        var good = new Dictionary<string, object?> { ["definitionId"] = "sample-approval", ["events"] = new[] { "task.created" }, ["url"] = "https://systems.example/hook", ["secret"] = NewSecret() };
        (string Field, object? Value, string Expected)[] cases =
        [
            ("definitionId", "no-such-flow", "definitionId"),
            ("definitionId", null, "definitionId"),
            ("events", UnknownEvent, "events"),
            ("events", Array.Empty<string>(), "events"),
            ("url", "ftp://systems.example/hook", "url"),
            ("url", "/relative/hook", "url"),
            ("url", "https://user:pass@systems.example/hook", "url"),
            ("secret", "short", "secret"),
            ("secret", "whsec_not*base64", "secret"),
        ];
        foreach (var (field, value, expected) in cases)
        {
            var body = new Dictionary<string, object?>(good) { [field] = value };
            await ApiAssert.ProblemAsync(await _manager.PostAsJsonAsync("/api/webhooks/subscriptions", body), HttpStatusCode.UnprocessableEntity, expected);
        }
        Assert.That(await _factory.QueryAsync(db => db.WebhookSubscriptions.CountAsync()), Is.EqualTo(before));
    }

    [Test]
    public async Task Only_holders_of_webhooks_manage_reach_subscriptions_and_deliveries()
    {
        var someId = Guid.NewGuid();
        (HttpMethod Method, string Url, object? Body)[] routes =
        [
            (HttpMethod.Get, "/api/webhooks/subscriptions", null),
            (HttpMethod.Post, "/api/webhooks/subscriptions", new { definitionId = "sample-approval", events = TaskCreatedEvent, url = "https://systems.example/hook" }),
            (HttpMethod.Delete, $"/api/webhooks/subscriptions/{someId}", null),
            (HttpMethod.Get, "/api/webhooks/deliveries", null),
            (HttpMethod.Post, $"/api/webhooks/deliveries/{someId}/resend", null),
        ];
        var anonymous = _factory.CreateClient();
        var refused = new (string Who, HttpClient Client)[]
        {
            ("cs1 (an operator)", await _factory.AsUserAsync("cs1")),
            ("analyst1 (designs flows, reads no instances)", await _factory.AsUserAsync("analyst1")),
            ("the development system key", _factory.AsSystem()),
            ("the tests' system key", _factory.AsTestSystem()),
        };
        var before = await _factory.QueryAsync(db => db.WebhookSubscriptions.CountAsync());
        foreach (var (method, url, body) in routes)
        {
            foreach (var (who, client) in refused)
            {
                var response = await client.SendAsync(new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) });
                Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), $"{who}: {method} {url}");
            }
            var anon = await anonymous.SendAsync(new HttpRequestMessage(method, url) { Content = body is null ? null : JsonContent.Create(body) });
            Assert.That(anon.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"anonymous: {method} {url}");
        }
        Assert.That(await _factory.QueryAsync(db => db.WebhookSubscriptions.CountAsync()), Is.EqualTo(before), "nothing was created");

        // A system whose key holds the right manages its own subscription.
        var manager = _factory.CreateClient();
        manager.DefaultRequestHeaders.Add("X-Api-Key", ManagerKey);
        var created = await manager.PostObjectAsync("/api/webhooks/subscriptions", new { definitionId = "sample-approval", events = TaskCreatedEvent, url = "https://systems.example/hook" });
        Assert.That(created["subscription"].Text("createdBy"), Is.EqualTo("webhook-manager"));
        (await manager.GetAsync("/api/webhooks/deliveries")).EnsureSuccessStatusCode();
        (await manager.DeleteAsync($"/api/webhooks/subscriptions/{created["subscription"].Text("id")}")).EnsureSuccessStatusCode();
    }

    [Test]
    public async Task Strict_urls_refuse_http_and_inside_addresses_unless_allowed_and_check_again_where_a_name_resolves()
    {
        var secret = NewSecret();
        await using var receiver = await WebhookReceiver.StartAsync(secret);
        await using var strict = await ApiFactory.PostgresAsync(new()
        {
            ["Webhooks:StrictUrls"] = "true",
            ["Webhooks:DispatcherEnabled"] = "false",
            ["Webhooks:AllowedHosts:0"] = "10.20.30.40",
        });
        var manager = await strict.AsUserAsync("supervisor1");
        object Body(string url) => new { definitionId = "sample-approval", events = TaskCreatedEvent, url, secret };

        foreach (var url in new[] { receiver.Url, "https://127.0.0.1/hook", "https://localhost/hook", "https://10.1.2.3/hook", "https://192.168.1.10/hook", "https://169.254.169.254/latest", "https://[::1]/hook" })
        {
            await ApiAssert.ProblemAsync(await manager.PostAsJsonAsync("/api/webhooks/subscriptions", Body(url)), HttpStatusCode.UnprocessableEntity, "url");
        }
        (await manager.PostAsJsonAsync("/api/webhooks/subscriptions", Body("https://10.20.30.40/hook"))).EnsureSuccessStatusCode();

        // A name that passed the check when subscribing but points at this machine now (DNS changed; stood in for by
        // rewriting the stored URL) is refused when connecting, on the address it resolves to.
        var sneaky = await manager.PostObjectAsync("/api/webhooks/subscriptions", Body("https://hooks.systems.example/hook"));
        var sneakyId = Guid.Parse(sneaky["subscription"].Text("id"));
        await strict.QueryAsync(db => db.WebhookSubscriptions.Where(s => s.Id == sneakyId).ExecuteUpdateAsync(u => u.SetProperty(s => s.Url, receiver.Url)));
        await strict.AsSystem().PostObjectAsync("/api/definitions/sample-approval/instances", new { correlationId = $"ssrf-{Guid.NewGuid():N}", input = new { amount = 1 } });
        await strict.Services.GetRequiredService<WebhookDispatcher>().RunOnceAsync();
        var delivery = (await manager.GetObjectAsync($"/api/webhooks/deliveries?subscriptionId={sneaky["subscription"].Text("id")}")).Items().Single();
        Assert.Multiple(() =>
        {
            Assert.That(delivery.Text("status"), Is.EqualTo("Pending"));
            Assert.That(delivery.Text("lastError"), Does.Contain("private or loopback"));
            Assert.That(receiver.Received, Is.Empty);
        });
    }

    [Test]
    public async Task Strict_urls_refuse_IPv6_forms_that_carry_an_inside_IPv4_address()
    {
        await using var strict = await ApiFactory.PostgresAsync(new()
        {
            ["Webhooks:StrictUrls"] = "true",
            ["Webhooks:DispatcherEnabled"] = "false",
        });
        var manager = await strict.AsUserAsync("supervisor1");
        object Body(string url) => new { definitionId = "sample-approval", events = TaskCreatedEvent, url, secret = NewSecret() };
        // NAT64 of the metadata service and of loopback, the local-use NAT64 prefix, 6to4 of 10.0.0.1, IPv4-compatible 169.254.169.254.
        foreach (var url in new[] { "https://[64:ff9b::a9fe:a9fe]/latest", "https://[64:ff9b::7f00:1]/hook", "https://[64:ff9b:1::a00:1]/hook", "https://[2002:a00:1::1]/hook", "https://[::a9fe:a9fe]/latest" })
        {
            await ApiAssert.ProblemAsync(await manager.PostAsJsonAsync("/api/webhooks/subscriptions", Body(url)), HttpStatusCode.UnprocessableEntity, "url");
        }
        // The same forms of a public address are still fine.
        (await manager.PostAsJsonAsync("/api/webhooks/subscriptions", Body("https://[64:ff9b::808:808]/hook"))).EnsureSuccessStatusCode();
        (await manager.PostAsJsonAsync("/api/webhooks/subscriptions", Body("https://[2002:808:808::1]/hook"))).EnsureSuccessStatusCode();
    }

    [Test]
    public async Task On_the_embedded_SQLite_database_the_outbox_and_the_dispatcher_work_too()
    {
        var secret = NewSecret();
        await using var receiver = await WebhookReceiver.StartAsync(secret);
        // The backlog is the gauge's count (approvalengine.webhooks.backlog), read fresh here rather than from its cache.
        await using var sqlite = ApiFactory.Sqlite(new() { ["Webhooks:DispatcherEnabled"] = "false", ["Engine:MetricsCacheSeconds"] = "0" });
        var manager = await sqlite.AsUserAsync("supervisor1");
        var created = await manager.PostObjectAsync("/api/webhooks/subscriptions", new { definitionId = "sample-approval", events = TaskCreatedEvent, url = receiver.Url, secret });
        await sqlite.AsSystem().PostObjectAsync("/api/definitions/sample-approval/instances", new { correlationId = $"lite-{Guid.NewGuid():N}", input = new { amount = 3 } });
        var dispatcher = sqlite.Services.GetRequiredService<WebhookDispatcher>();
        var gauges = sqlite.Services.GetRequiredService<EngineGauges>();
        Assert.That(gauges.Current().WebhookBacklog, Is.EqualTo(1), "the backlog");

        await dispatcher.RunOnceAsync();

        var delivery = (await manager.GetObjectAsync($"/api/webhooks/deliveries?subscriptionId={created["subscription"].Text("id")}")).Items().Single();
        Assert.Multiple(() =>
        {
            Assert.That(delivery.Text("status"), Is.EqualTo("Delivered"));
            Assert.That(receiver.Received.Single().SignatureValid, Is.True);
            Assert.That(receiver.Received.Single().Id, Is.EqualTo(delivery.Text("id")));
            Assert.That(gauges.Current().WebhookBacklog, Is.Zero);
        });
    }
}
