using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>The inbox over HTTP: department scoping, filters, sorting, actions per caller, claim/unclaim, complete and its refusals.</summary>
[TestFixture]
public sealed class TasksApiTests
{
    private ApiFactory _factory = null!;
    private HttpClient _system = null!;
    private HttpClient _cs = null!;
    private HttpClient _bo = null!;
    private HttpClient _supervisor = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _system = _factory.AsTestSystem();
        _cs = await _factory.AsUserAsync("cs1");
        _bo = await _factory.AsUserAsync("bo1");
        _supervisor = await _factory.AsUserAsync("supervisor1");
        await _factory.PublishAsync(TestFlows.SingleTask("test-bo-task", department: "Backoffice", status: "AtBackoffice"));
        await _factory.PublishAsync(TestFlows.SingleTask("test-sla", status: "Urgent", dueIn: "PT1S", priority: 9));
        await _factory.PublishAsync(TestFlows.SingleTask("test-sort-low", status: "Low", dueIn: "PT2H", priority: 1));
        await _factory.PublishAsync(TestFlows.SingleTask("test-sort-high", status: "High", dueIn: "PT1H", priority: 5));
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        _system.Dispose();
        await _factory.DisposeAsync();
    }

    private async Task<(string InstanceId, string TaskId)> StartAsync(string definition, object? input = null)
    {
        var started = await _system.PostObjectAsync($"/api/definitions/{definition}/instances", new { correlationId = $"t-{Guid.NewGuid():N}", input = input ?? new { } });
        var instance = await _system.GetObjectAsync($"/api/instances/{started.Text("id")}");
        return (started.Text("id"), instance["openTasks"]!.AsArray().Single()!.Text("id"));
    }

    private static async Task<List<string>> TaskIdsAsync(HttpClient client, string query)
    {
        var page = await client.GetObjectAsync($"/api/tasks?{query}");
        return [.. page.Items().Select(t => t.Text("id"))];
    }

    [Test]
    public async Task The_inbox_shows_only_the_callers_departments_and_asking_for_another_is_403()
    {
        var (_, csTask) = await StartAsync("sample-approval", new { amount = 100 });
        var (_, boTask) = await StartAsync("test-bo-task");

        var csInbox = await _cs.GetObjectAsync("/api/tasks?pageSize=500");
        Assert.That(csInbox.Items().Select(t => t.Text("department")), Has.All.EqualTo("CS"));
        Assert.That(csInbox.Items().Select(t => t.Text("id")), Does.Contain(csTask).And.Not.Contain(boTask));
        Assert.That(csInbox["total"]!.GetValue<int>(), Is.EqualTo(csInbox.Items().Count));

        var boInbox = await TaskIdsAsync(_bo, "department=Backoffice&pageSize=500");
        Assert.That(boInbox, Does.Contain(boTask).And.Not.Contain(csTask));
        Assert.That(await TaskIdsAsync(_supervisor, "pageSize=500"), Does.Contain(boTask).And.Contain(csTask));
        Assert.That(await TaskIdsAsync(_supervisor, "department=Backoffice&pageSize=500"), Does.Contain(boTask).And.Not.Contain(csTask));

        await ApiAssert.ProblemAsync(await _cs.GetAsync("/api/tasks?department=Backoffice"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Filters_status_definition_business_status_assignee_and_overdue_narrow_the_inbox()
    {
        var (slaInstance, slaTask) = await StartAsync("test-sla");
        var (_, lowTask) = await StartAsync("test-sort-low");
        var (doneInstance, doneTask) = await StartAsync("sample-approval", new { amount = 1 });
        await _cs.PostObjectAsync($"/api/tasks/{doneTask}/complete", new { action = "Approve" });

        Assert.That(await TaskIdsAsync(_cs, "definitionId=test-sla&pageSize=500"), Does.Contain(slaTask).And.Not.Contain(lowTask));
        Assert.That(await TaskIdsAsync(_cs, "businessStatus=Low&pageSize=500"), Does.Contain(lowTask).And.Not.Contain(slaTask));
        Assert.That(await TaskIdsAsync(_cs, "definitionId=sample-approval&pageSize=500"), Does.Not.Contain(doneTask), "open is the default");
        var completed = await _cs.GetObjectAsync("/api/tasks?status=completed&definitionId=sample-approval&pageSize=500");
        var done = completed.Items().Single(t => t.Text("id") == doneTask)!;
        Assert.That(done.Text("status"), Is.EqualTo("Completed"));
        Assert.That(done.Text("closedBy"), Is.EqualTo("cs1"));
        Assert.That(done.Text("closedAction"), Is.EqualTo("Approve"));
        Assert.That(await TaskIdsAsync(_cs, "status=all&pageSize=500"), Does.Contain(doneTask).And.Contain(slaTask));

        await _cs.PostObjectAsync($"/api/tasks/{lowTask}/claim", null);
        var mine = await _cs.GetObjectAsync("/api/tasks?assignee=me&pageSize=500");
        Assert.That(mine.Items().Select(t => t.Text("id")), Does.Contain(lowTask).And.Not.Contain(slaTask));
        Assert.That(mine.Items().Select(t => t.Text("assignee")), Has.All.EqualTo("cs1"));
        var bySupervisor = await _supervisor.GetObjectAsync("/api/tasks?assignee=cs1&pageSize=500");
        Assert.That(bySupervisor.Items().Select(t => t.Text("id")), Does.Contain(lowTask).And.Not.Contain(slaTask));
        Assert.That(await TaskIdsAsync(_supervisor, "assignee=me&pageSize=500"), Does.Not.Contain(lowTask));

        // The SLA of test-sla is one second: wait until the inbox shows it overdue (the pollers fire the SLA timer).
        Assert.That(await ApiAssert.EventuallyAsync(async () =>
            (await _cs.GetObjectAsync("/api/tasks?overdue=true&pageSize=500")).Items().Any(t => t.Text("id") == slaTask), TimeSpan.FromSeconds(30)), Is.True, "the SLA task never showed overdue");
        var overdue = await _cs.GetObjectAsync("/api/tasks?overdue=true&pageSize=500");
        Assert.That(overdue.Items().Select(t => t.Text("id")), Does.Contain(slaTask).And.Not.Contain(lowTask));
        Assert.That(overdue.Items().Single(t => t.Text("id") == slaTask)!["overdue"]!.GetValue<bool>(), Is.True);
        Assert.That(await TaskIdsAsync(_cs, "overdue=false&pageSize=500"), Does.Contain(lowTask).And.Not.Contain(slaTask));
        Assert.That(slaInstance, Is.Not.EqualTo(doneInstance));
    }

    [Test]
    public async Task Sorting_by_priority_due_date_and_creation_and_unknown_sort_is_400()
    {
        var (_, low) = await StartAsync("test-sort-low");
        var (_, high) = await StartAsync("test-sort-high");
        List<string> Order(List<string> ids) => [.. ids.Where(i => i == low || i == high)];

        Assert.That(Order(await TaskIdsAsync(_cs, "pageSize=500")), Is.EqualTo(new List<string> { high, low }), "default: -priority");
        Assert.That(Order(await TaskIdsAsync(_cs, "sort=priority&pageSize=500")), Is.EqualTo(new List<string> { low, high }));
        Assert.That(Order(await TaskIdsAsync(_cs, "sort=dueAt&pageSize=500")), Is.EqualTo(new List<string> { high, low }));
        Assert.That(Order(await TaskIdsAsync(_cs, "sort=-dueAt&pageSize=500")), Is.EqualTo(new List<string> { low, high }));
        Assert.That(Order(await TaskIdsAsync(_cs, "sort=createdAt&pageSize=500")), Is.EqualTo(new List<string> { low, high }));
        Assert.That(Order(await TaskIdsAsync(_cs, "sort=-createdAt&pageSize=500")), Is.EqualTo(new List<string> { high, low }));
        await ApiAssert.ProblemAsync(await _cs.GetAsync("/api/tasks?sort=colour"), HttpStatusCode.BadRequest, "sort");
        await ApiAssert.ProblemAsync(await _cs.GetAsync("/api/tasks?status=maybe"), HttpStatusCode.BadRequest, "status");
    }

    [Test]
    public async Task A_task_shows_the_actions_each_caller_may_take_now_with_reasons()
    {
        var (_, zero) = await StartAsync("sample-approval", new { amount = 0 });
        var detail = await _cs.GetObjectAsync($"/api/tasks/{zero}");
        Assert.That(detail["task"]!.Text("id"), Is.EqualTo(zero));
        Assert.That(detail["instanceVersion"]!.GetValue<long>(), Is.GreaterThan(0));
        var actions = detail["actions"]!.AsArray().ToDictionary(a => a.Text("name"), a => a!.AsObject());
        Assert.That(actions.Keys, Is.EquivalentTo(new List<string> { "Approve", "Reject" }));
        Assert.That(actions["Approve"]["available"]!.GetValue<bool>(), Is.False);
        Assert.That(actions["Approve"]["reason"]!.GetValue<string>(), Is.EqualTo("The amount must be positive."));
        Assert.That(actions["Reject"]["available"]!.GetValue<bool>(), Is.True);
        Assert.That(actions["Reject"]["requiredFields"]!.AsArray().Select(f => f!.GetValue<string>()), Does.Contain("comment"));

        // Backoffice approval needs wd:4: bo1 may, cs1 (other department) may not.
        var (_, boTaskId) = await MoveToBackofficeAsync();
        var asBo = (await _bo.GetObjectAsync($"/api/tasks/{boTaskId}"))["actions"]!.AsArray().Single(a => a.Text("name") == "Approve")!;
        Assert.That(asBo["available"]!.GetValue<bool>(), Is.True, asBo.ToJsonString());
        // cs1 is not in Backoffice: the task is not even readable (as it is not listed in cs1's inbox).
        await ApiAssert.ProblemAsync(await _cs.GetAsync($"/api/tasks/{boTaskId}"), HttpStatusCode.Forbidden);

        // Claimed by someone else: not available, and the reason says who holds it.
        var (_, claimed) = await StartAsync("sample-approval", new { amount = 5 });
        await _cs.PostObjectAsync($"/api/tasks/{claimed}/claim", null);
        var forSupervisor = (await _supervisor.GetObjectAsync($"/api/tasks/{claimed}"))["actions"]!.AsArray().Single(a => a.Text("name") == "Approve")!;
        Assert.That(forSupervisor["available"]!.GetValue<bool>(), Is.False);
        Assert.That(forSupervisor.Text("reason"), Does.Contain("cs1"));

        await ApiAssert.ProblemAsync(await _cs.GetAsync($"/api/tasks/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
    }

    private async Task<(string InstanceId, string TaskId)> MoveToBackofficeAsync()
    {
        var (instance, csTask) = await StartAsync("sample-approval", new { amount = 50_000 });
        var after = await _cs.PostObjectAsync($"/api/tasks/{csTask}/complete", new { action = "Approve" });
        Assert.That(after.Text("businessStatus"), Is.EqualTo("ApprovedByCS"));
        return (instance, after["openTasks"]!.AsArray().Single()!.Text("id"));
    }

    [Test]
    public async Task Claim_and_unclaim_for_oneself_someone_elses_claim_is_409()
    {
        var (instance, task) = await StartAsync("sample-approval", new { amount = 5 });
        var claimed = await _cs.PostObjectAsync($"/api/tasks/{task}/claim", null);
        Assert.That(claimed.Text("assignee"), Is.EqualTo("cs1"));
        var again = await _cs.PostObjectAsync($"/api/tasks/{task}/claim", null);
        Assert.That(again.Text("assignee"), Is.EqualTo("cs1"), "claiming one's own task again is harmless");

        var before = await _factory.SnapshotAsync();
        await ApiAssert.ProblemAsync(await _supervisor.PostAsync($"/api/tasks/{task}/claim", null), HttpStatusCode.Conflict);
        await ApiAssert.ProblemAsync(await _supervisor.PostAsJsonAsync($"/api/tasks/{task}/complete", new { action = "Approve" }), HttpStatusCode.Conflict);
        await ApiAssert.ProblemAsync(await _bo.PostAsync($"/api/tasks/{task}/claim", null), HttpStatusCode.Forbidden);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));

        var released = await _cs.PostObjectAsync($"/api/tasks/{task}/unclaim", null);
        Assert.That(released["assignee"], Is.Null);
        var bySupervisor = await _supervisor.PostObjectAsync($"/api/tasks/{task}/claim", null);
        Assert.That(bySupervisor.Text("assignee"), Is.EqualTo("supervisor1"));
        await ApiAssert.ProblemAsync(await _cs.PostAsync($"/api/tasks/{task}/unclaim", null), HttpStatusCode.Conflict);

        var journal = await _cs.GetObjectAsync($"/api/instances/{instance}/journal");
        Assert.That(journal.Items().Count(e => e.Text("kind") == "TaskClaimed"), Is.EqualTo(3));
        Assert.That(journal.Items().Count(e => e.Text("kind") == "TaskUnclaimed"), Is.EqualTo(1));
        await ApiAssert.ProblemAsync(await _cs.PostAsync($"/api/tasks/{Guid.NewGuid()}/claim", null), HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Complete_returns_the_instance_after_the_step_and_a_second_completion_is_409()
    {
        var (instance, boTask) = await MoveToBackofficeAsync();
        var after = await _bo.PostObjectAsync($"/api/tasks/{boTask}/complete", new { action = "Approve", comment = "paid" });
        Assert.That(after.Text("id"), Is.EqualTo(instance));
        Assert.That(after.Text("status"), Is.EqualTo("Completed"));
        Assert.That(after.Text("businessStatus"), Is.EqualTo("Approved"));
        Assert.That(after["openTasks"]!.AsArray(), Is.Empty);
        Assert.That(after["visitedActivities"]!.AsArray().Select(a => a!.GetValue<string>()), Does.Contain("boReview"));

        var before = await _factory.SnapshotAsync();
        await ApiAssert.ProblemAsync(await _bo.PostAsJsonAsync($"/api/tasks/{boTask}/complete", new { action = "Approve" }), HttpStatusCode.Conflict);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Refusals_forbidden_action_403_missing_comment_422_stale_version_409_unknown_action_409_and_nothing_changes()
    {
        var (instance, boTask) = await MoveToBackofficeAsync();
        var (_, csTask) = await StartAsync("sample-approval", new { amount = 5 });
        var before = await _factory.SnapshotAsync();

        // cs1 is not in Backoffice (and lacks wd:4).
        await ApiAssert.ProblemAsync(await _cs.PostAsJsonAsync($"/api/tasks/{boTask}/complete", new { action = "Approve" }), HttpStatusCode.Forbidden);
        // Reject needs a comment.
        await ApiAssert.ProblemAsync(await _cs.PostAsJsonAsync($"/api/tasks/{csTask}/complete", new { action = "Reject" }), HttpStatusCode.UnprocessableEntity, "comment");
        await ApiAssert.ProblemAsync(await _cs.PostAsJsonAsync($"/api/tasks/{csTask}/complete", new { action = "Reject", comment = "   " }), HttpStatusCode.UnprocessableEntity, "comment");
        // Missing action.
        await ApiAssert.ProblemAsync(await _cs.PostAsJsonAsync($"/api/tasks/{csTask}/complete", new { comment = "x" }), HttpStatusCode.UnprocessableEntity, "action");
        // An action the task does not offer.
        await ApiAssert.ProblemAsync(await _cs.PostAsJsonAsync($"/api/tasks/{csTask}/complete", new { action = "Teleport" }), HttpStatusCode.Conflict);
        // Stale expectedVersion.
        var version = (await _bo.GetObjectAsync($"/api/tasks/{boTask}"))["instanceVersion"]!.GetValue<long>();
        var stale = await _bo.PostAsJsonAsync($"/api/tasks/{boTask}/complete", new { action = "Approve", expectedVersion = version - 1 });
        var problem = await ApiAssert.ProblemAsync(stale, HttpStatusCode.Conflict);
        Assert.That(problem.Text("title"), Does.Contain("changed"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));

        var ok = await _bo.PostObjectAsync($"/api/tasks/{boTask}/complete", new { action = "Reject", comment = "no docs", expectedVersion = version });
        Assert.That(ok.Text("businessStatus"), Is.EqualTo("Rejected"));
        Assert.That(ok.Text("id"), Is.EqualTo(instance));
    }
}
