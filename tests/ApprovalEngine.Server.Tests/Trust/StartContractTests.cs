using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;

namespace ApprovalEngine.Server.Tests.Trust;

/// <summary>
/// Attack 2 of issue 8 and who may start (ADR 7), over HTTP on PostgreSQL: the generic start route refuses flows that
/// a domain route owns, systems need the flow's start scope, people its start right; refused starts write nothing.
/// </summary>
public sealed class StartContractTests
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

    /// <summary>The forged start of attack 2: another customer's account, a huge amount, a made-up currency and available amount.</summary>
    private async Task<object> ForgedWdStartAsync()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await _wd.PutAccountAsync(account, customer, balance: 1_000m, equity: 1_000m, freeMargin: 1_000m);
        return new
        {
            correlationId = $"forged-{Guid.NewGuid():N}",
            input = new { customerId = "C-attacker", tradingAccount = account, requestedAmount = 5_000_000m, currency = "ZZZ", availableAmount = 9_999_999m, comment = "forged" },
        };
    }

    private async Task AssertRefusedWdStartAsync(HttpClient caller)
    {
        var body = await ForgedWdStartAsync();
        var before = await _factory.SnapshotAsync();
        var response = await caller.PostAsJsonAsync("/api/definitions/wd-request/instances", body);
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden, "route");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("POST /api/wd-requests"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before), "a refused start writes nothing");
    }

    [Test]
    public async Task A_maker_cannot_start_a_WD_request_on_the_generic_route() =>
        await AssertRefusedWdStartAsync(await _factory.AsUserAsync("maker1"));

    [Test]
    public async Task The_development_key_cannot_start_a_WD_request_on_the_generic_route() =>
        await AssertRefusedWdStartAsync(_factory.AsSystem());

    [Test]
    public async Task A_supervisor_cannot_start_a_WD_request_on_the_generic_route_either() =>
        await AssertRefusedWdStartAsync(await _factory.AsUserAsync("supervisor1"));

    [Test]
    public async Task A_WD_version_published_without_via_is_still_refused_because_the_WD_module_owns_the_flow()
    {
        var definition = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "workflows", "wd-request.json")))!.AsObject();
        definition.Remove("start");
        definition["description"] = "A version as stored before start contracts existed.";
        await _factory.PublishAsync(definition);
        await AssertRefusedWdStartAsync(await _factory.AsUserAsync("maker1"));

        // The domain route still creates requests, with its own checks.
        var card = await _wd.CreateAsync(100m);
        Assert.That(card.Status(), Is.EqualTo("New"));
    }

    [Test]
    public async Task The_WD_route_still_refuses_a_forged_request_and_creates_a_real_one()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await _wd.PutAccountAsync(account, customer, balance: 1_000m, equity: 1_000m, freeMargin: 1_000m);
        var forged = await _wd.PostCreateAsync(new { customerId = "C-attacker", tradingAccount = account, requestedAmount = 500m, currency = "USD", comment = "x" });
        await ApiAssert.ProblemAsync(forged, HttpStatusCode.UnprocessableEntity, "tradingAccount");
        var real = await _wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 500m, currency = "USD", comment = "by phone" });
        Assert.That(real.StatusCode, Is.EqualTo(HttpStatusCode.Created), await real.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_key_without_rights_cannot_create_a_WD_request_on_the_WD_route()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await _wd.PutAccountAsync(account, customer);
        var before = await _factory.SnapshotAsync();
        var response = await _factory.AsApiKey(TrustIdentities.BareKey).PostAsJsonAsync("/api/wd-requests",
            new { customerId = customer, tradingAccount = account, requestedAmount = 100m, currency = "USD", comment = "x" });
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden);
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_system_without_the_flows_start_scope_is_refused()
    {
        var narrow = _factory.AsApiKey(TrustIdentities.NarrowKey);
        var before = await _factory.SnapshotAsync();
        var response = await narrow.PostAsJsonAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = "CW-narrow",
            input = new { recordNo = "CW-narrow", securitiesAccount = "SA-1", coin = "BTC", network = "BTC", amount = 0.5m, address = "bc1q" },
        });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden, "scope");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("start:crypto-coin-withdrawal"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_key_without_scopes_cannot_start_a_flow_an_analyst_drew_but_one_holding_its_scope_can()
    {
        await _factory.PublishAsync(TestFlows.SingleTask("test-trust-new"));
        var before = await _factory.SnapshotAsync();
        var bare = await _factory.AsApiKey(TrustIdentities.BareKey).PostAsJsonAsync("/api/definitions/test-trust-new/instances", new { });
        var problem = await ApiAssert.ProblemAsync(bare, HttpStatusCode.Forbidden, "scope");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("start:test-trust-new"));
        var dev = await _factory.AsSystem().PostAsJsonAsync("/api/definitions/test-trust-new/instances", new { });
        await ApiAssert.ProblemAsync(dev, HttpStatusCode.Forbidden, "scope");
        var person = await (await _factory.AsUserAsync("maker1")).PostAsJsonAsync("/api/definitions/test-trust-new/instances", new { });
        await ApiAssert.ProblemAsync(person, HttpStatusCode.Forbidden, "right");
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));

        var narrow = await _factory.AsApiKey(TrustIdentities.NarrowKey).PostAsJsonAsync("/api/definitions/test-trust-new/instances", new { });
        Assert.That(narrow.StatusCode, Is.EqualTo(HttpStatusCode.Created), await narrow.Content.ReadAsStringAsync());
    }

    [TestCase("cs1")]
    [TestCase("checker1")]
    [TestCase("analyst1")]
    public async Task A_person_without_the_start_right_is_refused(string user)
    {
        var before = await _factory.SnapshotAsync();
        var response = await (await _factory.AsUserAsync(user)).PostAsJsonAsync("/api/definitions/crypto-coin-withdrawal/instances", new
        {
            correlationId = $"CW-{user}",
            input = new { recordNo = $"CW-{user}", securitiesAccount = "SA-1", coin = "BTC", network = "BTC", amount = 0.5m, address = "bc1q" },
        });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden, "right");
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("submit"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Nobody_starts_a_work_order_except_a_parent_flow()
    {
        var before = await _factory.SnapshotAsync();
        var body = new { input = new { workOrderType = "atm.va.coin_withdraw_apply", reference = "X", maker = "someone", amount = 1m, currency = "BTC", summary = "s" } };
        await ApiAssert.ProblemAsync(await (await _factory.AsUserAsync("maker1")).PostAsJsonAsync("/api/definitions/work-order-approval/instances", body), HttpStatusCode.Forbidden, "right");
        await ApiAssert.ProblemAsync(await _factory.AsSystem().PostAsJsonAsync("/api/definitions/work-order-approval/instances", body), HttpStatusCode.Forbidden, "scope");
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Makers_and_client_systems_start_applications()
    {
        var byMaker = await _factory.StartCoinWithdrawalAsync(await _factory.AsUserAsync("maker1"), "CW-maker");
        var bySystem = await _factory.StartCoinWithdrawalAsync(_factory.AsSystem(), "CW-system");
        Assert.That((byMaker.Text("status"), bySystem.Text("status")), Is.EqualTo(("Running", "Running")));
        var narrow = await _factory.AsApiKey(TrustIdentities.NarrowKey).PostAsJsonAsync("/api/definitions/crypto-deposit/instances", new
        {
            correlationId = "CD-narrow",
            input = new { recordNo = "CD-narrow", securitiesAccount = "SA-1", coin = "BTC", network = "BTC", amount = 0.5m, txid = "tx-narrow", depositAddress = "bc1qdeposit" },
        });
        Assert.That(narrow.StatusCode, Is.EqualTo(HttpStatusCode.Created), await narrow.Content.ReadAsStringAsync());
    }

    [Test]
    public async Task A_caller_who_may_not_start_does_not_get_the_existing_instance_by_its_correlation_id()
    {
        await _factory.AsSystem().PostObjectAsync("/api/definitions/sample-approval/instances", new { correlationId = "order-known", input = new { amount = 5 } });
        var response = await (await _factory.AsUserAsync("cs1")).PostAsJsonAsync("/api/definitions/sample-approval/instances", new { correlationId = "order-known", input = new { amount = 5 } });
        await ApiAssert.ProblemAsync(response, HttpStatusCode.Forbidden, "right");
    }

    private static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !Directory.Exists(Path.Combine(dir.FullName, "workflows"))) dir = dir.Parent;
        return dir?.FullName ?? throw new DirectoryNotFoundException("workflows/ not found above the test binaries.");
    }
}
