// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;

namespace ApprovalEngine.Server.Tests.Security;

/// <summary>
/// Attack 6 of issue 8 over HTTP on PostgreSQL: customer data (instances, journals, tasks, incidents) is read only by
/// callers the definition's read policy admits (ADR 7) — 403 by id, absent from lists and their totals — through
/// every route that returns it, for people, a scope-less API key and a system key holding <c>read:wd-request</c>.
/// </summary>
[TestFixture]
public sealed class ReadRightsTests
{
    private const string ScopelessKey = "read-rights-scopeless-key";
    private const string WdReaderKey = "read-rights-wd-reader-key";
    private const string TestReaderKey = "read-rights-test-reader-key";
    private const string RightsOnlyKey = "read-rights-rights-only-key";

    private ApiFactory _factory = null!;
    private WdDriver _wd = null!;
    private string _wdId = null!;
    private string _wdTaskId = null!;
    private string _workOrderId = null!;
    private string _workOrderTaskId = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync(new Dictionary<string, string?>
        {
            ["Identities:ApiKeys:0:Name"] = "scopeless",
            ["Identities:ApiKeys:0:Key"] = ScopelessKey,
            ["Identities:ApiKeys:1:Name"] = "wd-reader",
            ["Identities:ApiKeys:1:Key"] = WdReaderKey,
            ["Identities:ApiKeys:1:Scopes:0"] = "read:wd-request",
            // Rights to retry and cancel, but no read scope.
            ["Identities:ApiKeys:2:Name"] = "rights-only",
            ["Identities:ApiKeys:2:Key"] = RightsOnlyKey,
            ["Identities:ApiKeys:2:Rights:0"] = "incidents:retry",
            ["Identities:ApiKeys:2:Rights:1"] = "instances:cancel",
            ["Identities:ApiKeys:3:Name"] = "test-reader",
            ["Identities:ApiKeys:3:Key"] = TestReaderKey,
            ["Identities:ApiKeys:3:Scopes:0"] = "read:test-read-default*",
        });
        _wd = new WdDriver(_factory);
        var card = await _wd.CreateAsync(amount: 250m);
        _wdId = card.Id();
        var system = _factory.AsSystem();
        _wdTaskId = (await system.GetObjectAsync($"/api/tasks?definitionId=wd-request")).Items().Single(t => t.Text("instanceId") == _wdId).Text("id");

        var added = await system.PostAsJsonAsync("/api/sandbox/wallets/SA-READ/verified-addresses", new { coin = "BTC", network = "BTC", address = "bc1qreadrights" });
        Assert.That(added.StatusCode, Is.EqualTo(HttpStatusCode.OK), await added.Content.ReadAsStringAsync());
        var started = await system.PostObjectAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = "CW-READ",
            input = new { recordNo = "CW-READ", securitiesAccount = "SA-READ", coin = "BTC", network = "BTC", amount = 0.5m, address = "bc1qreadrights", requestedBy = "client:SA-READ" },
        });
        _workOrderId = started.Text("id");
        var tasks = await system.GetObjectAsync("/api/tasks?department=Operations");
        _workOrderTaskId = tasks.Items().Single(t => t.Text("businessStatus") == "Pending Approval").Text("id");
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    private HttpClient Key(string key)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", key);
        return client;
    }

    private async Task<HttpClient> CallerAsync(string caller) => caller switch
    {
        "scopeless-key" => Key(ScopelessKey),
        "wd-reader-key" => Key(WdReaderKey),
        _ => await _factory.AsUserAsync(caller),
    };

    private static async Task<JsonObject> PageAsync(HttpClient client, string url)
    {
        var response = await client.GetAsync(url);
        var page = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), page.ToJsonString());
        return page;
    }

    [TestCase("analyst1")]
    [TestCase("maker1")]
    [TestCase("checker1")]
    [TestCase("scopeless-key")]
    public async Task A_caller_without_WD_rights_gets_403_on_a_WD_instance_and_its_journal(string caller)
    {
        var client = await CallerAsync(caller);
        var instance = await ApiAssert.ProblemAsync(await client.GetAsync($"/api/instances/{_wdId}"), HttpStatusCode.Forbidden);
        Assert.That(instance.ToJsonString(), Does.Not.Contain("tradingAccount").And.Not.Contain("Customer asked"));
        var journal = await ApiAssert.ProblemAsync(await client.GetAsync($"/api/instances/{_wdId}/journal"), HttpStatusCode.Forbidden);
        Assert.That(journal.ToJsonString(), Does.Not.Contain("Customer asked"));
        await ApiAssert.ProblemAsync(await client.GetAsync($"/api/tasks/{_wdTaskId}"), HttpStatusCode.Forbidden);
    }

    [TestCase("analyst1")]
    [TestCase("maker1")]
    [TestCase("checker1")]
    [TestCase("scopeless-key")]
    public async Task WD_instances_and_tasks_are_absent_from_the_lists_and_totals_of_a_caller_without_WD_rights(string caller)
    {
        var client = await CallerAsync(caller);
        var filtered = await PageAsync(client, "/api/instances?definitionId=wd-request");
        Assert.That(filtered["total"]!.GetValue<int>(), Is.Zero);
        Assert.That(filtered.Items(), Is.Empty);
        var all = await PageAsync(client, "/api/instances?pageSize=200");
        Assert.That(all.Items().Select(i => i.Text("definitionId")), Does.Not.Contain("wd-request"));
        var tasks = await PageAsync(client, "/api/tasks?definitionId=wd-request&status=all");
        Assert.That(tasks["total"]!.GetValue<int>(), Is.Zero);
        var allTasks = await PageAsync(client, "/api/tasks?status=all&pageSize=200");
        Assert.That(allTasks.Items().Select(t => t.Text("definitionId")), Does.Not.Contain("wd-request"));
    }

    [TestCase("cs1")]
    [TestCase("bo1")]
    [TestCase("supervisor1")]
    [TestCase("wd-reader-key")]
    public async Task A_WD_reader_still_reads_the_WD_instance_its_journal_and_the_list(string caller)
    {
        var client = await CallerAsync(caller);
        var instance = await client.GetObjectAsync($"/api/instances/{_wdId}");
        Assert.That(instance.Text("definitionId"), Is.EqualTo("wd-request"));
        var journal = await client.GetObjectAsync($"/api/instances/{_wdId}/journal");
        Assert.That(journal.Items(), Is.Not.Empty);
        var listed = await PageAsync(client, "/api/instances?definitionId=wd-request&pageSize=200");
        Assert.That(listed.Items().Select(i => i.Text("id")), Does.Contain(_wdId));
        Assert.That(listed["total"]!.GetValue<int>(), Is.EqualTo(listed.Items().Count));
    }

    [Test]
    public async Task The_WD_reader_key_reads_the_WD_card_but_the_scopeless_key_does_not()
    {
        var reader = Key(WdReaderKey);
        Assert.That((await reader.GetObjectAsync($"/api/wd-requests/{_wdId}")).Id(), Is.EqualTo(_wdId));
        Assert.That((await PageAsync(reader, "/api/wd-requests")).Items().Select(r => r.Text("id")), Does.Contain(_wdId));
        var scopeless = Key(ScopelessKey);
        await ApiAssert.ProblemAsync(await scopeless.GetAsync($"/api/wd-requests/{_wdId}"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await scopeless.GetAsync("/api/wd-requests"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await scopeless.GetAsync($"/api/wd-requests/{_wdId}/audit-log"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await scopeless.GetAsync("/api/wd-requests/export.csv"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task The_WD_reader_key_reads_no_work_orders()
    {
        var reader = Key(WdReaderKey);
        await ApiAssert.ProblemAsync(await reader.GetAsync($"/api/instances/{_workOrderId}"), HttpStatusCode.Forbidden);
        var listed = await PageAsync(reader, "/api/instances?pageSize=200");
        Assert.That(listed.Items().Select(i => i.Text("definitionId")).Distinct(), Is.EquivalentTo(new[] { "wd-request" }));
    }

    [Test]
    public async Task A_work_order_is_read_by_a_checker_and_not_by_customer_support()
    {
        var checker = await _factory.AsUserAsync("checker1");
        Assert.That((await checker.GetObjectAsync($"/api/instances/{_workOrderId}")).Text("definitionId"), Is.EqualTo("crypto-coin-withdrawal"));
        Assert.That((await checker.GetObjectAsync($"/api/instances/{_workOrderId}/journal")).Items(), Is.Not.Empty);
        Assert.That((await PageAsync(checker, "/api/instances?definitionId=crypto-coin-withdrawal"))["total"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That((await checker.GetObjectAsync($"/api/tasks/{_workOrderTaskId}"))["task"]!.Text("id"), Is.EqualTo(_workOrderTaskId));

        var cs = await _factory.AsUserAsync("cs1");
        await ApiAssert.ProblemAsync(await cs.GetAsync($"/api/instances/{_workOrderId}"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await cs.GetAsync($"/api/instances/{_workOrderId}/journal"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await cs.GetAsync($"/api/tasks/{_workOrderTaskId}"), HttpStatusCode.Forbidden);
        var listed = await PageAsync(cs, "/api/instances?pageSize=200");
        Assert.That(listed.Items().Select(i => i.Text("definitionId")), Has.None.AnyOf("crypto-coin-withdrawal", "work-order-approval"));
    }

    [Test]
    public async Task The_scopeless_key_reads_nothing()
    {
        var key = Key(ScopelessKey);
        Assert.That((await PageAsync(key, "/api/instances"))["total"]!.GetValue<int>(), Is.Zero);
        Assert.That((await PageAsync(key, "/api/tasks?status=all"))["total"]!.GetValue<int>(), Is.Zero);
        Assert.That((await PageAsync(key, "/api/incidents?status=all"))["total"]!.GetValue<int>(), Is.Zero);
        await ApiAssert.ProblemAsync(await key.GetAsync($"/api/instances/{_workOrderId}"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await key.GetAsync($"/api/tasks/{_workOrderTaskId}"), HttpStatusCode.Forbidden);
        // The development system key reads everything (read:*), so the empty answers above are the filter's doing.
        Assert.That((await PageAsync(_factory.AsSystem(), "/api/instances"))["total"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(2));
    }

    [Test]
    public async Task An_unreadable_task_can_be_neither_claimed_nor_completed_and_nothing_is_written()
    {
        var before = await _factory.SnapshotAsync();
        foreach (var caller in new[] { "analyst1", "maker1", "scopeless-key" })
        {
            var client = await CallerAsync(caller);
            await ApiAssert.ProblemAsync(await client.PostAsync($"/api/tasks/{_wdTaskId}/claim", null), HttpStatusCode.Forbidden);
            await ApiAssert.ProblemAsync(await client.PostAsJsonAsync($"/api/tasks/{_wdTaskId}/complete", new { action = "RequestDocuments", comment = "x" }), HttpStatusCode.Forbidden);
        }
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_task_whose_department_matches_but_whose_flow_the_caller_may_not_read_is_not_in_the_inbox()
    {
        // The task sits in the CS inbox, but the flow declares that only Backoffice's approvers (wd:4) read it.
        var flow = TestFlows.SingleTask("test-read-narrow", department: "CS", status: "Narrow");
        flow["read"] = new JsonObject { ["permissions"] = new JsonArray("wd:4") };
        await _factory.PublishAsync(flow);
        var started = await _factory.AsTestSystem().PostObjectAsync("/api/definitions/test-read-narrow/instances", new { correlationId = "narrow-1" });
        var bo = await _factory.AsUserAsync("bo1");
        Assert.That((await bo.GetObjectAsync($"/api/instances/{started.Text("id")}")).Text("businessStatus"), Is.EqualTo("Narrow"));

        var cs = await _factory.AsUserAsync("cs1");
        var inbox = await PageAsync(cs, "/api/tasks?department=CS&definitionId=test-read-narrow");
        Assert.That(inbox["total"]!.GetValue<int>(), Is.Zero);
        await ApiAssert.ProblemAsync(await cs.GetAsync($"/api/instances/{started.Text("id")}"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Incidents_are_listed_only_to_readers_and_a_retry_by_a_key_that_may_not_read_is_refused()
    {
        await _factory.PublishAsync(TestFlows.LoadAccount("test-read-incident"));
        var started = await _factory.AsTestSystem().PostObjectAsync("/api/definitions/test-read-incident/instances", new { correlationId = "incident-1", input = new { account = "NO-SUCH-ACCOUNT" } });
        var id = started.Text("id");
        var system = _factory.AsSystem();
        string? incidentId = null;
        var opened = await ApiAssert.EventuallyAsync(async () =>
        {
            incidentId = (await system.GetObjectAsync($"/api/incidents?instanceId={id}")).Items().FirstOrDefault()?.Text("id");
            return incidentId is not null;
        }, TimeSpan.FromSeconds(30));
        Assert.That(opened, Is.True, "no incident within 30 s");

        // The flow's only task is CS's: CS reads it, Operations does not.
        var cs = await _factory.AsUserAsync("cs1");
        Assert.That((await PageAsync(cs, $"/api/incidents?instanceId={id}")).Items().Select(i => i.Text("id")), Does.Contain(incidentId));
        var maker = await _factory.AsUserAsync("maker1");
        Assert.That((await PageAsync(maker, $"/api/incidents?instanceId={id}"))["total"]!.GetValue<int>(), Is.Zero);
        Assert.That((await PageAsync(maker, "/api/incidents?status=all"))["total"]!.GetValue<int>(), Is.Zero);

        var before = await _factory.SnapshotAsync();
        await ApiAssert.ProblemAsync(await Key(RightsOnlyKey).PostAsync($"/api/incidents/{incidentId}/retry", null), HttpStatusCode.Forbidden);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        Assert.That((await system.GetObjectAsync($"/api/incidents?instanceId={id}")).Items().Single().Text("status"), Is.EqualTo("Open"));
    }

    [Test]
    public async Task Cancelling_an_instance_the_caller_may_not_read_is_refused_and_writes_nothing()
    {
        var before = await _factory.SnapshotAsync();
        using var key = Key(RightsOnlyKey);
        var problem = await ApiAssert.ProblemAsync(await key.PostAsJsonAsync($"/api/instances/{_wdId}/cancel", new { reason = "x" }), HttpStatusCode.Forbidden);
        Assert.That(problem.Text("detail"), Does.Contain("wd-request"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
        Assert.That((await _factory.AsSystem().GetObjectAsync($"/api/instances/{_wdId}")).Text("status"), Is.EqualTo("Running"));
    }

    [Test]
    public async Task Without_a_declared_read_the_task_departments_and_supervisors_read_and_systems_need_read_of_the_id()
    {
        await _factory.PublishAsync(TestFlows.SingleTask("test-read-default", department: "Backoffice", status: "Default"));
        var withTask = (await _factory.AsTestSystem().PostObjectAsync("/api/definitions/test-read-default/instances", new { correlationId = "default-1" })).Text("id");
        await _factory.PublishAsync(TestFlows.WaitForPayment("test-read-default-no-tasks"));
        var noTasks = (await _factory.AsTestSystem().PostObjectAsync("/api/definitions/test-read-default-no-tasks/instances", new { correlationId = "default-2" })).Text("id");

        async Task<HttpStatusCode> StatusAsync(string caller, string id) =>
            (await (caller == "test-reader-key" ? Key(TestReaderKey) : await CallerAsync(caller)).GetAsync($"/api/instances/{id}")).StatusCode;

        (string Caller, string Id, HttpStatusCode Expected, string Why)[] cases =
        [
            ("bo1", withTask, HttpStatusCode.OK, "the department of its task"),
            ("supervisor1", withTask, HttpStatusCode.OK, "all-department supervisor"),
            ("cs1", withTask, HttpStatusCode.Forbidden, "another department"),
            ("analyst1", withTask, HttpStatusCode.Forbidden, "no department"),
            ("wd-reader-key", withTask, HttpStatusCode.Forbidden, "read:wd-request only"),
            ("test-reader-key", withTask, HttpStatusCode.OK, "read:test-read-default* matches"),
            ("supervisor1", noTasks, HttpStatusCode.OK, "no user tasks: supervisors"),
            ("bo1", noTasks, HttpStatusCode.Forbidden, "no user tasks: no department"),
            ("test-reader-key", noTasks, HttpStatusCode.OK, "read:test-read-default* matches"),
        ];
        var wrong = new List<string>();
        foreach (var (caller, id, expected, why) in cases)
        {
            var actual = await StatusAsync(caller, id);
            if (actual != expected) wrong.Add($"{caller} on {(id == withTask ? "the flow with a Backoffice task" : "the flow without tasks")} ({why}): {(int)actual}, expected {(int)expected}");
        }
        Assert.That(wrong, Is.Empty);
    }
}
