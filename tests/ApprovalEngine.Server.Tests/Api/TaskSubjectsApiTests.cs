// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Tasks;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using ApprovalEngine.Server.Tests.Trust;
using ApprovalEngine.Server.Tests.Wd;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// The inbox's subject columns and search (issue 14) over HTTP on PostgreSQL, with the shipped flows: a WD request's
/// tasks carry its customer, trading account, requested amount (decimal text) and currency; a crypto withdrawal's work
/// order carries its own amount and coin and its record's customer and address. The search finds them and nothing
/// else, is validated (400 naming the parameter), and never reaches tasks the caller may not see today.
/// </summary>
public sealed class TaskSubjectsApiTests
{
    private ApiFactory _factory = null!;
    private WdDriver _wd = null!;

    [OneTimeSetUp]
    public async Task Start()
    {
        _factory = await ApiFactory.PostgresAsync(TrustIdentities.Settings());
        _wd = new WdDriver(_factory);
    }

    [OneTimeTearDown]
    public async Task Stop() => await _factory.DisposeAsync();

    private async Task<(string Id, string Customer, string Account)> WdAsync(decimal amount)
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await _wd.PutAccountAsync(account, customer);
        using var response = await _wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = amount, currency = "USD", comment = "Customer asked by phone" });
        var card = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), card.ToJsonString());
        return (card.Text("id"), customer, account);
    }

    private static async Task<JsonArray> TasksAsync(HttpClient client, string query)
    {
        using var response = await client.GetAsync($"/api/tasks?{query}");
        var body = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
        return body.Items();
    }

    private static string[] InstanceIds(JsonArray tasks) => [.. tasks.Select(t => t.Text("instanceId")).Distinct()];

    [Test]
    public async Task A_WD_request_task_shows_customer_account_amount_and_currency_and_the_search_finds_it_alone()
    {
        var (id, customer, account) = await WdAsync(1234.50m);
        var (other, otherCustomer, _) = await WdAsync(1234.50m);
        var cs = await _wd.AsAsync("cs1");

        var found = await TasksAsync(cs, $"customer={customer}");
        Assert.That(InstanceIds(found), Is.EqualTo(new[] { id }));
        var subject = found.Single()!["subject"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(subject.Text("customer"), Is.EqualTo(customer));
            Assert.That(subject.Text("account"), Is.EqualTo(account));
            Assert.That(subject["amount"]!.GetValueKind(), Is.EqualTo(System.Text.Json.JsonValueKind.String), "amounts travel as decimal text, never a double");
            Assert.That(decimal.Parse(subject.Text("amount"), CultureInfo.InvariantCulture), Is.EqualTo(1234.50m));
            Assert.That(subject.Text("currency"), Is.EqualTo("USD"));
        }
        using (Assert.EnterMultipleScope())
        {
            Assert.That(InstanceIds(await TasksAsync(cs, $"account={account.ToLowerInvariant()}")), Is.EqualTo(new[] { id }), "account, case-insensitive");
            Assert.That(InstanceIds(await TasksAsync(cs, $"customer={customer}&amount=1234.5&currency=usd")), Is.EqualTo(new[] { id }), "1234.5 is the same amount as 1234.50");
            Assert.That(InstanceIds(await TasksAsync(cs, "amount=1234.50&currency=USD&pageSize=500")), Is.SupersetOf(new[] { id, other }));
            Assert.That(await TasksAsync(cs, $"customer={customer}&amount=1234.51"), Is.Empty, "another amount");
            Assert.That(await TasksAsync(cs, $"customer={customer}&currency=EUR"), Is.Empty, "another currency");
            Assert.That(await TasksAsync(cs, $"customer={customer[..8]}"), Is.Empty, "a prefix is not the customer");
            Assert.That(InstanceIds(await TasksAsync(cs, $"customer={otherCustomer}")), Is.EqualTo(new[] { other }));
        }
        // The task card reads the same subject.
        var detail = await cs.GetObjectAsync($"/api/tasks/{found.Single()!.Text("id")}");
        Assert.That(detail["task"]!["subject"]!.Text("account"), Is.EqualTo(account));
    }

    [Test]
    public async Task Status_all_lists_the_closed_task_of_a_request_as_completed_next_to_the_open_one()
    {
        var (id, customer, _) = await WdAsync(300m);
        await _wd.MustActAsync("cs1", id, "PassToRetention");
        var all = await TasksAsync(await _wd.AsAsync("supervisor1"), $"customer={customer}&status=all");
        Assert.That(all.Select(t => t.Text("status")), Is.EquivalentTo(new[] { "Completed", "Open" }));
        Assert.That(all.Select(t => t!["subject"]!.Text("customer")).Distinct(), Is.EqualTo(new[] { customer }), "closed tasks keep their subject columns");
        Assert.That(await TasksAsync(await _wd.AsAsync("supervisor1"), $"customer={customer}&status=open"), Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_crypto_withdrawal_work_order_shows_its_amount_and_coin_and_its_records_customer()
    {
        var recordNo = $"CWS-{Guid.NewGuid():N}"[..16];
        await _factory.StartCoinWithdrawalAsync(await _factory.AsUserAsync("maker1"), recordNo, amount: 0.25m);
        var checker = await _factory.AsUserAsync("checker1");
        var found = await TasksAsync(checker, $"customer=SA-{recordNo}&definitionId=work-order-approval");
        Assert.That(found, Has.Count.EqualTo(1), "the work order's customer is its record's");
        var subject = found.Single()!["subject"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(subject.Text("customer"), Is.EqualTo($"SA-{recordNo}"));
            Assert.That(subject.Text("account"), Is.EqualTo("bc1qtrust"), "the record's destination address");
            Assert.That(decimal.Parse(subject.Text("amount"), CultureInfo.InvariantCulture), Is.EqualTo(0.25m));
            Assert.That(subject.Text("currency"), Is.EqualTo("BTC"));
        }
        Assert.That(await TasksAsync(checker, $"customer=SA-{recordNo}&amount=0.250&currency=btc"), Has.Count.EqualTo(1));
        Assert.That(await TasksAsync(checker, $"customer=SA-{recordNo}&amount=0.26"), Is.Empty);
    }

    [TestCase("amount=abc", "amount")]
    [TestCase("amount=1e3", "amount")]
    [TestCase("amount=1,000", "amount")]
    [TestCase("currency=U%24D", "currency")]
    [TestCase("customerId=C-1", "customerId")]
    [TestCase("search=C-1", "search")]
    public async Task A_bad_or_unknown_search_parameter_is_a_400_problem_naming_it(string query, string field)
    {
        using var response = await (await _wd.AsAsync("cs1")).GetAsync($"/api/tasks?{query}");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, field);
    }

    [Test]
    public async Task A_customer_longer_than_200_characters_is_a_400_naming_customer()
    {
        using var response = await (await _wd.AsAsync("cs1")).GetAsync($"/api/tasks?customer={new string('C', 201)}");
        await ApiAssert.ProblemAsync(response, HttpStatusCode.BadRequest, "customer");
    }

    [Test]
    public async Task The_search_never_reaches_tasks_of_other_departments_or_unreadable_flows()
    {
        var (wdId, customer, account) = await WdAsync(777m);
        var recordNo = $"CWD-{Guid.NewGuid():N}"[..16];
        await _factory.StartCoinWithdrawalAsync(await _factory.AsUserAsync("maker1"), recordNo, amount: 0.75m);
        var wdQueries = new[] { $"customer={customer}", $"account={account}", "amount=777&currency=USD&pageSize=500", $"customer={customer}&status=all" };
        var coinQueries = new[] { $"customer=SA-{recordNo}", "account=bc1qtrust&pageSize=500", "amount=0.75&currency=BTC&pageSize=500", $"customer=SA-{recordNo}&status=all" };

        // The WD request waits in CS: Dealing holds WD permissions but not the CS inbox; Operations reads no WD requests.
        foreach (var user in new[] { "dealing1", "bo1", "checker1", "maker1" })
        {
            var client = await _factory.AsUserAsync(user);
            foreach (var q in wdQueries) Assert.That(InstanceIds(await TasksAsync(client, q)), Does.Not.Contain(wdId), $"{user}: {q}");
        }
        // CS reads no crypto work orders; an API key without read scopes reads nothing; a narrow key only its test flows.
        var coinTasks = new[] { "cs1", "dealing1", "bo1" };
        foreach (var user in coinTasks)
        {
            var client = await _factory.AsUserAsync(user);
            foreach (var q in coinQueries) Assert.That(await TasksAsync(client, q), Is.Empty, $"{user}: {q}");
        }
        foreach (var key in new[] { TrustIdentities.BareKey, TrustIdentities.NarrowKey })
        {
            var client = _factory.AsApiKey(key);
            foreach (var q in wdQueries.Concat(coinQueries)) Assert.That(await TasksAsync(client, q), Is.Empty, $"{key}: {q}");
        }
        // The task itself stays closed to them by id (the subject travels with the task view).
        var workOrderTask = (await TasksAsync(await _factory.AsUserAsync("checker1"), $"customer=SA-{recordNo}")).Single()!.Text("id");
        using (var response = await (await _factory.AsUserAsync("cs1")).GetAsync($"/api/tasks/{workOrderTask}"))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }
        using (var response = await _factory.AsApiKey(TrustIdentities.BareKey).GetAsync($"/api/tasks/{workOrderTask}"))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden));
        }
        // …while those who may see them do (the searches above were not empty for lack of data).
        Assert.That(InstanceIds(await TasksAsync(await _factory.AsUserAsync("cs1"), $"customer={customer}")), Is.EqualTo(new[] { wdId }));
        Assert.That(await TasksAsync(await _factory.AsUserAsync("checker2"), $"customer=SA-{recordNo}"), Has.Count.EqualTo(1));
    }

    private static JsonObject SubjectFlow(string id, string customerVariable, string amountVariable)
    {
        var flow = TestFlows.SingleTask(id, department: "CS");
        flow["variables"] = new JsonArray(new JsonObject { ["name"] = customerVariable, ["type"] = "string" }, new JsonObject { ["name"] = amountVariable, ["type"] = "number" });
        flow["inputs"] = new JsonArray(new JsonObject { ["name"] = customerVariable, ["type"] = "string", ["required"] = true }, new JsonObject { ["name"] = amountVariable, ["type"] = "number", ["required"] = true });
        flow["subject"] = new JsonObject { ["customer"] = customerVariable, ["amount"] = amountVariable };
        return flow;
    }

    private async Task<string> StartSubjectFlowAsync(string id, JsonObject input)
    {
        using var client = _factory.AsTestSystem();
        var started = await client.PostObjectAsync($"/api/definitions/{id}/instances", new JsonObject { ["input"] = input });
        return started.Text("id");
    }

    /// <summary>
    /// Issue 14: the columns come from the version the instance runs on. v1 holds the customer in <c>client</c>; v2
    /// renames it <c>clientNo</c> (and the amount): v1's instance in flight keeps its columns, in the list, the search
    /// and the task card, next to v2's instance with its own.
    /// </summary>
    [Test]
    public async Task A_task_of_an_older_version_keeps_its_subject_when_a_newer_version_names_other_variables()
    {
        var id = $"test-subject-{Guid.NewGuid():N}"[..24];
        var old = $"OLD-{Guid.NewGuid():N}"[..16];
        var young = $"NEW-{Guid.NewGuid():N}"[..16];
        Assert.That(await _factory.PublishAsync(SubjectFlow(id, "client", "sum")), Is.EqualTo(1));
        var v1Instance = await StartSubjectFlowAsync(id, new JsonObject { ["client"] = old, ["sum"] = 12.30m });
        Assert.That(await _factory.PublishAsync(SubjectFlow(id, "clientNo", "total")), Is.EqualTo(2));
        var v2Instance = await StartSubjectFlowAsync(id, new JsonObject { ["clientNo"] = young, ["total"] = 45.6m });

        var cs = await _wd.AsAsync("cs1");
        var v1Tasks = await TasksAsync(cs, $"customer={old.ToLowerInvariant()}");
        Assert.That(InstanceIds(v1Tasks), Is.EqualTo(new[] { v1Instance }), "v1's task is found by v1's customer variable");
        var subject = v1Tasks.Single()!["subject"]!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(subject.Text("customer"), Is.EqualTo(old));
            Assert.That(decimal.Parse(subject.Text("amount"), CultureInfo.InvariantCulture), Is.EqualTo(12.30m));
            Assert.That(InstanceIds(await TasksAsync(cs, $"definitionId={id}&amount=12.3")), Is.EqualTo(new[] { v1Instance }));
            Assert.That(InstanceIds(await TasksAsync(cs, $"customer={young}&amount=45.60")), Is.EqualTo(new[] { v2Instance }), "v2's task by v2's variables");
            Assert.That(await TasksAsync(cs, $"customer={old}&amount=45.6"), Is.Empty, "v1's task keeps v1's amount");
        }
        var card = await cs.GetObjectAsync($"/api/tasks/{v1Tasks.Single()!.Text("id")}");
        Assert.That(card["task"]!["subject"]!.Text("customer"), Is.EqualTo(old), "the task card too");
        // Side door: an API key that may read nothing finds nothing by the same search.
        Assert.That(await TasksAsync(_factory.AsApiKey(TrustIdentities.BareKey), $"customer={old}"), Is.Empty);
    }

    /// <summary>
    /// ADR 23's refresh rule: an open task follows its instance when the instance moves to a version whose subject
    /// names another variable (the task's columns are the version's, not frozen at the first one).
    /// </summary>
    [Test]
    public async Task An_open_task_takes_the_subject_of_the_version_its_instance_is_moved_to()
    {
        var id = $"test-subject-{Guid.NewGuid():N}"[..24];
        var client = $"CLI-{Guid.NewGuid():N}"[..16];
        var alias = $"ALI-{Guid.NewGuid():N}"[..16];
        JsonObject Version(string customerVariable)
        {
            var flow = SubjectFlow(id, "client", "sum");
            flow["variables"]!.AsArray().Add(new JsonObject { ["name"] = "alias", ["type"] = "string" });
            flow["inputs"]!.AsArray().Add(new JsonObject { ["name"] = "alias", ["type"] = "string", ["required"] = true });
            flow["subject"]!["customer"] = customerVariable;
            return flow;
        }
        Assert.That(await _factory.PublishAsync(Version("client")), Is.EqualTo(1));
        var instance = await StartSubjectFlowAsync(id, new JsonObject { ["client"] = client, ["sum"] = 5m, ["alias"] = alias });
        Assert.That(await _factory.PublishAsync(Version("alias")), Is.EqualTo(2));
        var cs = await _wd.AsAsync("cs1");
        Assert.That(InstanceIds(await TasksAsync(cs, $"customer={client}")), Is.EqualTo(new[] { instance }), "on v1 the customer is client");

        using (var submit = await (await _factory.AsUserAsync("analyst1")).PostAsJsonAsync($"/api/definitions/{id}/migrations",
            new { fromVersion = 1, toVersion = 2, mapping = new { }, instanceIds = new[] { instance }, note = "subject moves to alias" }))
        {
            var migration = await submit.ReadObjectAsync();
            Assert.That(submit.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), migration.ToJsonString());
            using var approved = await (await _factory.AsUserAsync("analyst2")).PostAsync($"/api/instance-migrations/{migration.Text("id")}/approve", null);
            Assert.That(approved.IsSuccessStatusCode, Is.True, await approved.Content.ReadAsStringAsync());
        }
        var moved = await TasksAsync(cs, $"customer={alias}");
        Assert.That(InstanceIds(moved), Is.EqualTo(new[] { instance }), "on v2 the customer is alias");
        Assert.That(moved.Single()!["subject"]!.Text("customer"), Is.EqualTo(alias));
        Assert.That(await TasksAsync(cs, $"customer={client}"), Is.Empty, "the v1 column is gone with v1");
    }

    /// <summary>
    /// The search's SQL compares the very expressions V027 indexes (bench/ApprovalEngine.InboxBench shows with EXPLAIN at
    /// 100k tasks that lower(subject_customer) = … is an index scan): a rewrite that wraps them otherwise fails here.
    /// </summary>
    [Test]
    public async Task The_search_compares_the_indexed_expressions_in_SQL()
    {
        var sql = await _factory.QueryAsync(db => Task.FromResult(TaskSubjects.Filter(db.Tasks, ["wd-request"],
            TaskSubjectFilter.Parse("C-1", "TA-1", "10.5", "usd")).ToQueryString()));
        Assert.That(sql, Does.Contain("lower(t.subject_customer) =").And.Contain("lower(t.subject_account) =")
            .And.Contain("lower(t.subject_currency) =").And.Contain("t.subject_amount ="), sql);
        Assert.That(sql, Does.Not.Contain("state_json"), "no instance JSON is read");
    }

    [Test]
    public async Task A_definition_naming_an_undeclared_subject_variable_is_invalid_at_its_column_and_a_declared_one_is_valid()
    {
        var analyst = await _factory.AsUserAsync("analyst1");
        var flow = TestFlows.Delay("test-subject");
        flow["subject"] = new JsonObject { ["customer"] = "nobody", ["amount"] = "alsoNobody" };
        var report = await analyst.PostObjectAsync("/api/definitions/validate", flow);
        Assert.That(report["errors"]!.AsArray().Select(e => e.Text("path")), Is.SupersetOf(new[] { "/subject/customer", "/subject/amount" }), report.ToJsonString());
        flow["subject"] = new JsonObject { ["unknownColumn"] = "x" };
        report = await analyst.PostObjectAsync("/api/definitions/validate", flow);
        Assert.That(report["valid"]!.GetValue<bool>(), Is.False, "only the four columns exist");
        flow.Remove("subject");
        Assert.That((await analyst.PostObjectAsync("/api/definitions/validate", flow))["valid"]!.GetValue<bool>(), Is.True, "a definition without subject keeps working");
    }

    [Test]
    public async Task A_stale_completion_names_who_changed_the_task_since_it_was_read()
    {
        var (id, customer, _) = await WdAsync(150m);
        var cs = await _wd.AsAsync("cs1");
        var taskId = (await TasksAsync(cs, $"customer={customer}")).Single()!.Text("id");
        var read = await cs.GetObjectAsync($"/api/tasks/{taskId}");
        var version = read["instanceVersion"]!.GetValue<long>();
        // The same user, in another tab, comments on the request: the instance moves on.
        using (var comment = await cs.PostAsJsonAsync($"/api/wd-requests/{id}/comments", new { text = "called the customer", copyToClientCard = false }))
        {
            Assert.That(comment.StatusCode, Is.EqualTo(HttpStatusCode.Created), await comment.Content.ReadAsStringAsync());
        }
        using var stale = await cs.PostAsJsonAsync($"/api/tasks/{taskId}/complete", new { action = "PassToRetention", comment = "typed before", expectedVersion = version });
        var problem = await ApiAssert.ProblemAsync(stale, HttpStatusCode.Conflict, "expectedVersion");
        Assert.That(problem.Text("changedBy"), Is.EqualTo("cs1"));
        Assert.That(problem["changedAction"], Is.Not.Null);
        // Nothing was written: the task is still open at CS.
        Assert.That((await cs.GetObjectAsync($"/api/tasks/{taskId}"))["task"]!.Text("status"), Is.EqualTo("Open"));
    }
}

/// <summary>
/// The embedded default (SQLite) searches amounts too: json_extract reads a number as REAL, which must be compared as
/// the same text PostgreSQL's function gives.
/// </summary>
public sealed class TaskSubjectsSqliteTests
{
    [Test]
    public async Task On_SQLite_the_amount_search_finds_a_WD_request_by_its_amount_written_either_way()
    {
        await using var factory = ApiFactory.Sqlite(TrustIdentities.Settings());
        var wd = new WdDriver(factory);
        var (customer, account) = WdDriver.NewAccountIds();
        await wd.PutAccountAsync(account, customer);
        using var response = await wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 1234.50m, currency = "USD", comment = "Customer asked by phone" });
        var card = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), card.ToJsonString());
        var cs = await wd.AsAsync("cs1");
        foreach (var (query, expected) in new[] { ("amount=1234.5", 1), ("amount=1234.50", 1), ("amount=1234.51", 0) })
        {
            using var found = await cs.GetAsync($"/api/tasks?customer={customer}&{query}&currency=USD");
            var body = await found.ReadObjectAsync();
            Assert.That(found.StatusCode, Is.EqualTo(HttpStatusCode.OK), body.ToJsonString());
            Assert.That(body.Items().Select(t => t.Text("instanceId")).Distinct().Count(), Is.EqualTo(expected), query);
        }
    }

    /// <summary>
    /// SQLite has no migrations: a file written by the previous release (tasks without the subject columns) gets them at
    /// start-up, back-filled from its instances by the same rules as new tasks (ADR 23), and the search finds the task.
    /// </summary>
    [Test]
    public async Task A_SQLite_file_without_the_subject_columns_gets_them_back_filled_at_start_up()
    {
        await using var factory = ApiFactory.Sqlite(TrustIdentities.Settings());
        var wd = new WdDriver(factory);
        var (customer, account) = WdDriver.NewAccountIds();
        await wd.PutAccountAsync(account, customer);
        using (var response = await wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 987.65m, currency = "USD", comment = "Customer asked by phone" }))
        {
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        }
        // The previous release's file: the same tasks table without the subject columns and their indexes.
        await factory.QueryAsync(async db =>
        {
            string[] statements =
            [
                "DROP INDEX ix_tasks_subject_customer", "DROP INDEX ix_tasks_subject_account", "DROP INDEX ix_tasks_subject_amount", "DROP INDEX ix_tasks_subject_currency",
                "ALTER TABLE tasks DROP COLUMN subject_customer", "ALTER TABLE tasks DROP COLUMN subject_account", "ALTER TABLE tasks DROP COLUMN subject_amount",
                "ALTER TABLE tasks DROP COLUMN subject_currency", "ALTER TABLE tasks DROP COLUMN subject_parent_definition_id", "ALTER TABLE tasks DROP COLUMN subject_parent_columns",
            ];
            foreach (var statement in statements) await db.Database.ExecuteSqlRawAsync(statement);
            return 0;
        });
        Task<List<string>> ColumnsAsync() => factory.QueryAsync(db => db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM pragma_table_info('tasks')").ToListAsync());
        Assert.That(await ColumnsAsync(), Does.Not.Contain("subject_customer"));

        await factory.QueryAsync(async db => { await Migrator.MigrateAsync(db, []); return 0; });
        Assert.That(await ColumnsAsync(), Is.SupersetOf(new[] { "subject_customer", "subject_account", "subject_amount", "subject_currency" }));
        var cs = await wd.AsAsync("cs1");
        var found = (await cs.GetObjectAsync($"/api/tasks?customer={customer.ToLowerInvariant()}&amount=987.650&currency=usd")).Items();
        Assert.That(found, Has.Count.EqualTo(1), "the back-filled columns are searched");
        var subject = found.Single()!["subject"]!;
        Assert.That(subject.Text("account"), Is.EqualTo(account));
        Assert.That(decimal.Parse(subject.Text("amount"), CultureInfo.InvariantCulture), Is.EqualTo(987.65m));
        var indexes = await factory.QueryAsync(db => db.Database.SqlQueryRaw<string>("SELECT name AS \"Value\" FROM sqlite_master WHERE type = 'index' AND tbl_name = 'tasks'").ToListAsync());
        Assert.That(indexes, Is.SupersetOf(new[] { "ix_tasks_subject_customer", "ix_tasks_subject_account", "ix_tasks_subject_amount", "ix_tasks_subject_currency" }));
        await factory.QueryAsync(async db => { await Migrator.MigrateAsync(db, []); return 0; }); // a second start-up adds nothing twice
    }
}
