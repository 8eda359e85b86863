using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>Instances over HTTP: start (idempotent, also under concurrency), read, query with paging, journal, cancel.</summary>
[TestFixture]
public sealed class InstancesApiTests
{
    private ApiFactory _factory = null!;
    private HttpClient _system = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        // Real sockets (not the in-memory test server), so that the journal records the caller's IP address.
        _factory.UseKestrel(k => k.Listen(IPAddress.Loopback, 0));
        _system = _factory.AsTestSystem();
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _system.Dispose();
        await _factory.DisposeAsync();
    }

    private static string NewCorrelation() => $"corr-{Guid.NewGuid():N}";

    [Test]
    public async Task Start_returns_201_with_the_instance_and_its_location_and_GET_shows_variables_and_open_tasks()
    {
        var correlation = NewCorrelation();
        var response = await _system.PostAsJsonAsync("/api/definitions/sample-approval/instances", new { correlationId = correlation, input = new { amount = 250, currency = "EUR" } });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var started = await response.ReadObjectAsync();
        Assert.That(started.Text("definitionId"), Is.EqualTo("sample-approval"));
        Assert.That(started["version"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(1));
        Assert.That(started.Text("status"), Is.EqualTo("Running"));
        Assert.That(started.Text("correlationId"), Is.EqualTo(correlation));
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/instances/{started.Text("id")}"));

        var instance = await _system.GetObjectAsync($"/api/instances/{started.Text("id")}");
        Assert.That(instance.Text("businessStatus"), Is.EqualTo("InReview"));
        Assert.That(instance["variables"]!["amount"]!.GetValue<decimal>(), Is.EqualTo(250m));
        Assert.That(instance["variables"]!["currency"]!.GetValue<string>(), Is.EqualTo("EUR"));
        var task = instance["openTasks"]!.AsArray().Single()!;
        Assert.That(task.Text("department"), Is.EqualTo("CS"));
        Assert.That(task.Text("activityId"), Is.EqualTo("csReview"));
        Assert.That(instance["incidents"]!.AsArray(), Is.Empty);
    }

    [Test]
    public async Task A_second_start_with_the_same_correlation_id_returns_200_and_the_same_instance()
    {
        var correlation = NewCorrelation();
        var first = await _system.PostAsJsonAsync("/api/definitions/sample-approval/instances", new { correlationId = correlation, input = new { amount = 10 } });
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var second = await _system.PostAsJsonAsync("/api/definitions/sample-approval/instances", new { correlationId = correlation, input = new { amount = 99 } });
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await second.ReadObjectAsync()).Text("id"), Is.EqualTo((await first.ReadObjectAsync()).Text("id")));
        var query = await _system.GetObjectAsync($"/api/instances?correlationId={correlation}");
        Assert.That(query["total"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(query.Items().Single()!["id"]!.GetValue<string>(), Is.EqualTo((await first.ReadObjectAsync()).Text("id")));
    }

    [Test]
    public async Task Ten_parallel_starts_with_one_correlation_id_create_exactly_one_instance()
    {
        var correlation = NewCorrelation();
        var responses = await Task.WhenAll(Enumerable.Range(0, 10).Select(_ =>
            _factory.AsTestSystem().PostAsJsonAsync("/api/definitions/sample-approval/instances", new { correlationId = correlation, input = new { amount = 5 } })));
        var bodies = await Task.WhenAll(responses.Select(r => r.Content.ReadAsStringAsync()));
        Assert.That(responses.Select(r => r.StatusCode), Has.All.AnyOf(HttpStatusCode.Created, HttpStatusCode.OK), string.Join("\n", bodies));
        Assert.That(responses.Count(r => r.StatusCode == HttpStatusCode.Created), Is.EqualTo(1), string.Join("\n", bodies));
        var ids = bodies.Select(b => JsonNode.Parse(b)!.Text("id")).Distinct().ToList();
        Assert.That(ids, Has.Count.EqualTo(1));
        var query = await _system.GetObjectAsync($"/api/instances?correlationId={correlation}");
        Assert.That(query["total"]!.GetValue<int>(), Is.EqualTo(1));
        var tasks = await _factory.QueryAsync(db => Task.FromResult(db.Tasks.Count(t => t.CorrelationId == correlation)));
        Assert.That(tasks, Is.EqualTo(1), "one CS task, not one per request");
    }

    [Test]
    public async Task Query_filters_by_definition_status_correlation_and_business_status_and_pages()
    {
        await _factory.PublishAsync(TestFlows.SingleTask("test-query", status: "Queued"));
        var correlations = Enumerable.Range(0, 3).Select(_ => NewCorrelation()).ToList();
        var ids = new List<string>();
        foreach (var c in correlations) ids.Add((await _system.PostObjectAsync("/api/definitions/test-query/instances", new { correlationId = c }))["id"]!.GetValue<string>());
        var supervisor = await _factory.AsUserAsync("supervisor1");
        await supervisor.PostObjectAsync($"/api/instances/{ids[0]}/cancel", new { reason = "test" });

        var all = await _system.GetObjectAsync("/api/instances?definitionId=test-query");
        Assert.That(all["total"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(all.Items().Select(i => i.Text("definitionId")), Has.All.EqualTo("test-query"));
        Assert.That(all["page"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(all["pageSize"]!.GetValue<int>(), Is.EqualTo(50));

        var running = await _system.GetObjectAsync("/api/instances?definitionId=test-query&status=Running");
        Assert.That(running.Items().Select(i => i.Text("id")), Is.EquivalentTo(ids.Skip(1)));
        var cancelled = await _system.GetObjectAsync("/api/instances?definitionId=test-query&status=cancelled");
        Assert.That(cancelled.Items().Select(i => i.Text("id")), Is.EquivalentTo(ids.Take(1)));
        var byCorrelation = await _system.GetObjectAsync($"/api/instances?correlationId={correlations[2]}");
        Assert.That(byCorrelation.Items().Single()!.Text("id"), Is.EqualTo(ids[2]));
        var byBusiness = await _system.GetObjectAsync("/api/instances?definitionId=test-query&businessStatus=Queued");
        Assert.That(byBusiness["total"]!.GetValue<int>(), Is.EqualTo(3));
        var noBusiness = await _system.GetObjectAsync("/api/instances?definitionId=test-query&businessStatus=Elsewhere");
        Assert.That(noBusiness["total"]!.GetValue<int>(), Is.EqualTo(0));

        var page1 = await _system.GetObjectAsync("/api/instances?definitionId=test-query&page=1&pageSize=2");
        var page2 = await _system.GetObjectAsync("/api/instances?definitionId=test-query&page=2&pageSize=2");
        Assert.That(page1.Items(), Has.Count.EqualTo(2));
        Assert.That(page2.Items(), Has.Count.EqualTo(1));
        Assert.That(page2["total"]!.GetValue<int>(), Is.EqualTo(3));
        Assert.That(page2["page"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That(page1.Items().Concat(page2.Items()).Select(i => i.Text("id")), Is.EquivalentTo(ids));

        await ApiAssert.ProblemAsync(await _system.GetAsync("/api/instances?status=Sleeping"), HttpStatusCode.BadRequest, "status");
    }

    [Test]
    public async Task The_journal_is_ordered_and_names_the_actor_their_role_and_IP()
    {
        // The development key starts the shipped sample flow (start:sample-approval).
        var started = await _factory.AsSystem().PostObjectAsync("/api/definitions/sample-approval/instances", new { correlationId = NewCorrelation(), input = new { amount = 20 } });
        var id = started.Text("id");
        var cs = await _factory.AsUserAsync("cs1");
        var task = (await cs.GetObjectAsync($"/api/instances/{id}"))["openTasks"]!.AsArray().Single()!.Text("id");
        await cs.PostObjectAsync($"/api/tasks/{task}/complete", new { action = "Approve", comment = "looks fine" });

        var journal = await cs.GetObjectAsync($"/api/instances/{id}/journal");
        var entries = journal.Items();
        var sequences = entries.Select(e => e!["sequence"]!.GetValue<long>()).ToList();
        Assert.That(sequences, Is.Ordered.Ascending);
        Assert.That(sequences, Is.Unique);
        Assert.That(journal["total"]!.GetValue<int>(), Is.EqualTo(entries.Count));
        var kinds = entries.Select(e => e.Text("kind")).ToList();
        Assert.That(kinds[0], Is.EqualTo("InstanceStarted"));
        Assert.That(kinds.IndexOf("TaskOpened"), Is.LessThan(kinds.IndexOf("TaskCompleted")));
        Assert.That(kinds[^1], Is.EqualTo("InstanceCompleted"));

        var completed = entries.Single(e => e.Text("kind") == "TaskCompleted")!;
        Assert.That(completed["actor"]!.Text("userId"), Is.EqualTo("cs1"));
        Assert.That(completed["actor"]!.Text("role"), Is.EqualTo("CS agent"));
        Assert.That(completed["actor"]!["ipAddress"]?.GetValue<string>(), Is.EqualTo("127.0.0.1").Or.EqualTo("::ffff:127.0.0.1"), completed.ToJsonString());
        Assert.That(completed.Text("action"), Is.EqualTo("Approve"));
        Assert.That(completed.Text("comment"), Is.EqualTo("looks fine"));
        var first = entries[0]!;
        Assert.That(first["actor"]!.Text("userId"), Is.EqualTo("dev-system"));
        Assert.That(first["actor"]!.Text("role"), Is.EqualTo("system"));

        var paged = await cs.GetObjectAsync($"/api/instances/{id}/journal?page=2&pageSize=2");
        Assert.That(paged.Items().Select(e => e!["sequence"]!.GetValue<long>()), Is.EqualTo(sequences.Skip(2).Take(2)));
        await ApiAssert.ProblemAsync(await cs.GetAsync($"/api/instances/{Guid.NewGuid()}/journal"), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Cancel_needs_the_right_and_a_reason_and_a_finished_instance_gives_409()
    {
        var id = (await _system.PostObjectAsync("/api/definitions/sample-approval/instances", new { correlationId = NewCorrelation(), input = new { amount = 20 } })).Text("id");
        var cs = await _factory.AsUserAsync("cs1");
        var before = await _factory.SnapshotAsync();
        await ApiAssert.ProblemAsync(await cs.PostAsJsonAsync($"/api/instances/{id}/cancel", new { reason = "no" }), HttpStatusCode.Forbidden);
        var supervisor = await _factory.AsUserAsync("supervisor1");
        await ApiAssert.ProblemAsync(await supervisor.PostAsJsonAsync($"/api/instances/{id}/cancel", new { reason = "" }), HttpStatusCode.UnprocessableEntity, "reason");
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));

        var cancelled = await supervisor.PostObjectAsync($"/api/instances/{id}/cancel", new { reason = "customer asked" });
        Assert.That(cancelled.Text("status"), Is.EqualTo("Cancelled"));
        Assert.That(cancelled["openTasks"]!.AsArray(), Is.Empty);
        var journal = await supervisor.GetObjectAsync($"/api/instances/{id}/journal");
        var entry = journal.Items().Single(e => e.Text("kind") == "InstanceCancelled")!;
        Assert.That(entry["actor"]!.Text("userId"), Is.EqualTo("supervisor1"));
        Assert.That(entry.Text("comment"), Is.EqualTo("customer asked"));

        await ApiAssert.ProblemAsync(await supervisor.PostAsJsonAsync($"/api/instances/{id}/cancel", new { reason = "again" }), HttpStatusCode.Conflict);
        await ApiAssert.ProblemAsync(await _system.PostAsJsonAsync($"/api/instances/{id}/cancel", new { reason = "system" }), HttpStatusCode.Conflict);
        await ApiAssert.ProblemAsync(await supervisor.PostAsJsonAsync($"/api/instances/{Guid.NewGuid()}/cancel", new { reason = "x" }), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Starting_needs_a_system_key_or_the_submit_right_and_a_published_definition()
    {
        var cs = await _factory.AsUserAsync("cs1");
        await ApiAssert.ProblemAsync(await cs.PostAsJsonAsync("/api/definitions/sample-approval/instances", new { input = new { amount = 1 } }), HttpStatusCode.Forbidden);
        var maker = await _factory.AsUserAsync("maker1");
        var byMaker = await maker.PostAsJsonAsync("/api/definitions/sample-approval/instances", new { input = new { amount = 1 } });
        Assert.That(byMaker.StatusCode, Is.EqualTo(HttpStatusCode.Created), await byMaker.Content.ReadAsStringAsync());
        await ApiAssert.ProblemAsync(await _system.PostAsJsonAsync("/api/definitions/no-such-flow/instances", new { input = new { } }), HttpStatusCode.NotFound);
        await ApiAssert.ProblemAsync(await _system.PostAsJsonAsync("/api/definitions/sample-approval/instances", new { input = new { } }), HttpStatusCode.UnprocessableEntity, "input.amount");
    }
}
