using System.Net;
using System.Net.Http.Json;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Features.Webhooks;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Webhooks;

/// <summary>
/// Webhook routes obey the read rule (ADR 7, ADR 20 amendment): holding <c>webhooks:manage</c> is not enough to
/// subscribe to a definition, list its deliveries or touch its rows; the caller must also read the definition — people
/// and API keys alike. Over HTTP on PostgreSQL, with these callers:
/// <list type="bullet">
/// <item>supervisor1 (development; all departments): reads both flows.</item>
/// <item>hooks-cs (configured person, CS, webhooks:manage): reads sample-approval, not the Operations flow.</item>
/// <item>hooks-blind (configured person without a department, webhooks:manage, like an analyst who kept it): reads nothing.</item>
/// <item>the key hooks-reader (webhooks:manage, read:sample-approval) and hooks-nokey-read (webhooks:manage, no scope).</item>
/// <item>analyst1 (development, no longer holds webhooks:manage) and anonymous callers.</item>
/// </list>
/// </summary>
[TestFixture]
public sealed class WebhookReadAccessTests
{
    private const string ReaderKey = "hooks-reader-key";
    private const string BlindKey = "hooks-blind-key";
    private const string Password = "hooks-password-1";
    private const string Sample = "sample-approval";
    private static readonly string[] TaskCreated = [WebhookEvents.TaskCreated];
    private readonly string _hidden = $"wh-ops-{Guid.NewGuid():N}"[..20];
    private ApiFactory _factory = null!;
    private HttpClient _supervisor = null!;
    private HttpClient _cs = null!;
    private HttpClient _blind = null!;
    private HttpClient _readerKey = null!;
    private HttpClient _blindKey = null!;
    private HttpClient _system = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        var hasher = new PasswordHasher<UserAccount>();
        _factory = await ApiFactory.PostgresAsync(new()
        {
            // The tests run the dispatcher's cycles themselves; no delivery is attempted behind their back.
            ["Webhooks:DispatcherEnabled"] = "false",
            ["Identities:Users:0:Username"] = "hooks-cs",
            ["Identities:Users:0:PasswordHash"] = hasher.HashPassword(new UserAccount { Username = "hooks-cs" }, Password),
            ["Identities:Users:0:Departments:0"] = "CS",
            ["Identities:Users:0:Rights:0"] = Rights.ManageWebhooks,
            ["Identities:Users:1:Username"] = "hooks-blind",
            ["Identities:Users:1:PasswordHash"] = hasher.HashPassword(new UserAccount { Username = "hooks-blind" }, Password),
            ["Identities:Users:1:Rights:0"] = Rights.ManageWebhooks,
            ["Identities:Users:1:Rights:1"] = Rights.EditDefinitions,
            ["Identities:ApiKeys:5:Name"] = "hooks-reader",
            ["Identities:ApiKeys:5:Key"] = ReaderKey,
            ["Identities:ApiKeys:5:Rights:0"] = Rights.ManageWebhooks,
            ["Identities:ApiKeys:5:Scopes:0"] = $"read:{Sample}",
            ["Identities:ApiKeys:6:Name"] = "hooks-nokey-read",
            ["Identities:ApiKeys:6:Key"] = BlindKey,
            ["Identities:ApiKeys:6:Rights:0"] = Rights.ManageWebhooks,
        });
        // A flow of the Operations department only: by default read by Operations and all-department supervisors.
        await _factory.PublishAsync(TestFlows.SingleTask(_hidden, department: "Operations"));
        _supervisor = await _factory.AsUserAsync("supervisor1");
        _cs = await SignInAsync("hooks-cs");
        _blind = await SignInAsync("hooks-blind");
        _readerKey = Key(ReaderKey);
        _blindKey = Key(BlindKey);
        _system = _factory.AsTestSystem();
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _supervisor.Dispose();
        _cs.Dispose();
        _blind.Dispose();
        _readerKey.Dispose();
        _blindKey.Dispose();
        _system.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<HttpClient> SignInAsync(string username)
    {
        var client = _factory.CreateClient();
        var token = await client.PostObjectAsync("/api/auth/token", new { username, password = Password });
        client.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", token.Text("accessToken"));
        return client;
    }

    private HttpClient Key(string key)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private static string NewSecret() => "whsec_" + Convert.ToBase64String(RandomNumberGenerator.GetBytes(32));

    private static object Body(string definitionId, string url = "http://127.0.0.1:9/hook") => new { definitionId, events = TaskCreated, url, secret = NewSecret() };

    private static async Task<string> SubscribeAsync(HttpClient client, string definitionId, string url = "http://127.0.0.1:9/hook") =>
        (await client.PostObjectAsync("/api/webhooks/subscriptions", Body(definitionId, url)))["subscription"].Text("id");

    /// <summary>Starts an instance (its first task makes a task.created delivery for each subscription); returns its id.</summary>
    private async Task<string> StartAsync(string definitionId) =>
        (await _system.PostObjectAsync($"/api/definitions/{definitionId}/instances", new { correlationId = $"wh-read-{Guid.NewGuid():N}", input = definitionId == Sample ? new { amount = 10 } : null }))
            .Text("id");

    private static async Task<List<string>> SubscriptionIdsAsync(HttpClient client) =>
        [.. (await client.GetArrayAsync("/api/webhooks/subscriptions?includeRemoved=true")).Select(s => s.Text("id"))];

    private static async Task<JsonObject> DeliveriesAsync(HttpClient client, string query = "") =>
        await client.GetObjectAsync($"/api/webhooks/deliveries?pageSize=200{query}");

    [Test]
    public async Task Subscribing_needs_read_access_to_the_definition_for_people_and_API_keys_alike()
    {
        var before = await _factory.QueryAsync(db => db.WebhookSubscriptions.CountAsync());
        var refused = new (string Who, HttpClient Client, string Definition)[]
        {
            ("a person with webhooks:manage and no department (reads nothing)", _blind, Sample),
            ("a person with webhooks:manage and no department (reads nothing)", _blind, _hidden),
            ("a CS person with webhooks:manage, the Operations flow", _cs, _hidden),
            ("a key with webhooks:manage and no read scope", _blindKey, Sample),
            ("a key with webhooks:manage and read:sample-approval, another flow", _readerKey, _hidden),
        };
        foreach (var (who, client, definition) in refused)
        {
            var problem = await ApiAssert.ProblemAsync(await client.PostAsJsonAsync("/api/webhooks/subscriptions", Body(definition)), HttpStatusCode.Forbidden, "definitionId");
            Assert.That(problem.Text("detail"), Does.Contain(definition), who);
        }
        var analyst = await _factory.AsUserAsync("analyst1");
        await ApiAssert.ProblemAsync(await analyst.PostAsJsonAsync("/api/webhooks/subscriptions", Body(Sample)), HttpStatusCode.Forbidden);
        var anonymous = await _factory.CreateClient().PostAsJsonAsync("/api/webhooks/subscriptions", Body(Sample));
        Assert.That(anonymous.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await _factory.QueryAsync(db => db.WebhookSubscriptions.CountAsync()), Is.EqualTo(before), "nothing was stored");

        // The same callers subscribe where they read.
        var allowed = new[] { await SubscribeAsync(_cs, Sample), await SubscribeAsync(_readerKey, Sample), await SubscribeAsync(_supervisor, _hidden) };
        Assert.That(await _factory.QueryAsync(db => db.WebhookSubscriptions.CountAsync()), Is.EqualTo(before + 3));
        foreach (var id in allowed) (await _supervisor.DeleteAsync($"/api/webhooks/subscriptions/{id}")).EnsureSuccessStatusCode();
    }

    [Test]
    public async Task Lists_show_only_subscriptions_and_deliveries_of_definitions_the_caller_may_read()
    {
        var sampleSub = await SubscribeAsync(_supervisor, Sample);
        var hiddenSub = await SubscribeAsync(_supervisor, _hidden);
        var sampleInstance = await StartAsync(Sample);
        var hiddenInstance = await StartAsync(_hidden);

        var supervisorSubs = await SubscriptionIdsAsync(_supervisor);
        var supervisorDeliveries = (await DeliveriesAsync(_supervisor)).Items().Select(d => d.Text("instanceId")).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(supervisorSubs, Does.Contain(sampleSub).And.Contain(hiddenSub), "the reader of both sees both");
            Assert.That(supervisorDeliveries, Does.Contain(sampleInstance).And.Contain(hiddenInstance));
        });

        foreach (var (who, client) in new[] { ("CS person", _cs), ("key with read:sample-approval", _readerKey) })
        {
            var subs = await SubscriptionIdsAsync(client);
            var deliveries = await DeliveriesAsync(client);
            var ofHiddenSub = await DeliveriesAsync(client, $"&subscriptionId={hiddenSub}");
            var ofHiddenInstance = await DeliveriesAsync(client, $"&instanceId={hiddenInstance}");
            Assert.Multiple(() =>
            {
                Assert.That(subs, Does.Contain(sampleSub).And.Not.Contain(hiddenSub), who);
                Assert.That(deliveries.Items().Select(d => d.Text("instanceId")), Does.Contain(sampleInstance).And.Not.Contain(hiddenInstance), who);
                Assert.That(deliveries.Items().Select(d => d.Text("definitionId")), Is.All.EqualTo(Sample), who);
                // Counted in SQL after the filter: the total does not betray the hidden rows either.
                Assert.That(deliveries["total"]!.GetValue<int>(), Is.EqualTo(deliveries.Items().Count), who);
                Assert.That(ofHiddenSub["total"]!.GetValue<int>(), Is.Zero, $"{who}: filtered by the hidden subscription");
                Assert.That(ofHiddenInstance["total"]!.GetValue<int>(), Is.Zero, $"{who}: filtered by the hidden instance");
            });
        }
        foreach (var (who, client) in new[] { ("person reading nothing", _blind), ("key without read", _blindKey) })
        {
            var subs = await SubscriptionIdsAsync(client);
            var deliveries = await DeliveriesAsync(client);
            Assert.Multiple(() =>
            {
                Assert.That(subs, Is.Empty, who);
                Assert.That(deliveries["total"]!.GetValue<int>(), Is.Zero, who);
            });
        }
        foreach (var route in new[] { "/api/webhooks/subscriptions", "/api/webhooks/deliveries" })
        {
            Assert.That((await _factory.CreateClient().GetAsync(route)).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"anonymous {route}");
        }
        foreach (var id in new[] { sampleSub, hiddenSub }) (await _supervisor.DeleteAsync($"/api/webhooks/subscriptions/{id}")).EnsureSuccessStatusCode();
    }

    [Test]
    public async Task Removing_or_resending_a_row_of_an_unreadable_definition_is_a_404_and_changes_nothing()
    {
        var hiddenSub = await SubscribeAsync(_supervisor, _hidden);
        await StartAsync(_hidden);
        var delivery = (await DeliveriesAsync(_supervisor, $"&subscriptionId={hiddenSub}")).Items().Single();
        var deliveryId = delivery.Text("id");
        var unknown = Guid.NewGuid();

        foreach (var (who, client) in new[] { ("CS person", _cs), ("person reading nothing", _blind), ("key with read:sample-approval", _readerKey), ("key without read", _blindKey) })
        {
            var resend = await ApiAssert.ProblemAsync(await client.PostAsync($"/api/webhooks/deliveries/{deliveryId}/resend", null), HttpStatusCode.NotFound);
            var resendUnknown = await ApiAssert.ProblemAsync(await client.PostAsync($"/api/webhooks/deliveries/{unknown}/resend", null), HttpStatusCode.NotFound);
            var remove = await ApiAssert.ProblemAsync(await client.DeleteAsync($"/api/webhooks/subscriptions/{hiddenSub}"), HttpStatusCode.NotFound);
            var removeUnknown = await ApiAssert.ProblemAsync(await client.DeleteAsync($"/api/webhooks/subscriptions/{unknown}"), HttpStatusCode.NotFound);
            Assert.Multiple(() =>
            {
                // The same answer as for an id that does not exist: nothing tells the caller it does.
                Assert.That(resend.Text("detail").Replace(deliveryId, "{id}", StringComparison.Ordinal), Is.EqualTo(resendUnknown.Text("detail").Replace(unknown.ToString(), "{id}", StringComparison.Ordinal)), who);
                Assert.That(remove.Text("detail").Replace(hiddenSub, "{id}", StringComparison.Ordinal), Is.EqualTo(removeUnknown.Text("detail").Replace(unknown.ToString(), "{id}", StringComparison.Ordinal)), who);
            });
        }
        foreach (var (method, url) in new[] { (HttpMethod.Post, $"/api/webhooks/deliveries/{deliveryId}/resend"), (HttpMethod.Delete, $"/api/webhooks/subscriptions/{hiddenSub}") })
        {
            Assert.That((await _factory.CreateClient().SendAsync(new HttpRequestMessage(method, url))).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), $"anonymous {method} {url}");
        }

        var deliveryId_ = Guid.Parse(deliveryId);
        var subId = Guid.Parse(hiddenSub);
        var row = await _factory.QueryAsync(db => db.WebhookDeliveries.AsNoTracking().SingleAsync(d => d.Id == deliveryId_));
        var sub = await _factory.QueryAsync(db => db.WebhookSubscriptions.AsNoTracking().SingleAsync(s => s.Id == subId));
        Assert.Multiple(() =>
        {
            Assert.That(row.ResentAt, Is.Null, "not resent");
            Assert.That(row.ResentBy, Is.Null);
            Assert.That(sub.DisabledAt, Is.Null, "not removed");
        });

        // Its reader resends and removes it.
        var resent = await _supervisor.PostObjectAsync($"/api/webhooks/deliveries/{deliveryId}/resend", null);
        Assert.That(resent.Text("resentBy"), Is.EqualTo("supervisor1"));
        (await _supervisor.DeleteAsync($"/api/webhooks/subscriptions/{hiddenSub}")).EnsureSuccessStatusCode();
    }

    [Test]
    public async Task A_subscription_stored_before_the_read_rule_by_someone_who_cannot_read_keeps_delivering()
    {
        // Upgrade in place: a row made before this change by an analyst (then holding webhooks:manage, reading nothing).
        var secret = NewSecret();
        await using var receiver = await WebhookReceiver.StartAsync(secret);
        var secrets = _factory.Services.GetRequiredService<WebhookSecrets>();
        var id = Guid.CreateVersion7();
        await _factory.QueryAsync(async db =>
        {
            db.WebhookSubscriptions.Add(new WebhookSubscriptionRecord
            {
                Id = id, DefinitionId = _hidden, Events = WebhookEvents.TaskCreated, Url = receiver.Url,
                SecretSealed = secrets.Seal(id, secret), SecretHint = WebhookSecrets.Hint(secret), CreatedBy = "analyst1", CreatedAt = DateTimeOffset.UtcNow,
            });
            return await db.SaveChangesAsync();
        });
        // Other servers' caches would see it within seconds; this one is told at once.
        _factory.Services.GetRequiredService<WebhookSubscriptionCache>().Invalidate();
        var instance = await StartAsync(_hidden);

        await _factory.Services.GetRequiredService<WebhookDispatcher>().RunOnceAsync();

        var delivery = (await DeliveriesAsync(_supervisor, $"&subscriptionId={id}")).Items().Single();
        Assert.Multiple(async () =>
        {
            Assert.That(delivery.Text("status"), Is.EqualTo("Delivered"));
            Assert.That(delivery.Text("instanceId"), Is.EqualTo(instance));
            Assert.That(receiver.Received.Single().SignatureValid, Is.True);
            Assert.That(await SubscriptionIdsAsync(_supervisor), Does.Contain(id.ToString()), "its readers see it, to keep or remove it");
            Assert.That(await SubscriptionIdsAsync(_blind), Does.Not.Contain(id.ToString()), "its maker, who reads nothing, no longer does");
        });
        (await _supervisor.DeleteAsync($"/api/webhooks/subscriptions/{id}")).EnsureSuccessStatusCode();
    }
}
