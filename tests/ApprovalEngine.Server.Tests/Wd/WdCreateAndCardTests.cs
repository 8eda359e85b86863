// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Wd;

/// <summary>POST /api/wd-requests validation, the card's amounts (default formula), and bad input everywhere.</summary>
[TestFixture]
public sealed class WdCreateAndCardTests : WdFixture
{
    [Test]
    public async Task Create_returns_201_with_the_card_in_New_and_the_contract_fields()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await Wd.PutAccountAsync(account, customer, freeMargin: 5_000m);
        var response = await Wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 250.50m, currency = "USD", comment = "Withdraw to card" });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var card = await response.ReadObjectAsync();
        Assert.That(response.Headers.Location?.ToString(), Is.EqualTo($"/api/wd-requests/{card.Id()}"));
        foreach (var field in new[] { "id", "status", "department", "priority", "customerId", "tradingAccount", "requestedAmount", "currency", "availableAmount", "fee", "transactions", "comments", "actions" })
        {
            Assert.That(card.ContainsKey(field), Is.True, field);
        }
        Assert.That((card.Status(), card.Department()), Is.EqualTo(("New", "CS")));
        Assert.That(card["requestedAmount"]!.Dec(), Is.EqualTo(250.50m));
        Assert.That(card["availableAmount"]!.Dec(), Is.EqualTo(5_000m));
        Assert.That(card["fee"]!.Dec(), Is.EqualTo(0m));
        Assert.That(card["transactions"]!.AsArray(), Is.Empty);
        Assert.That(card["comments"]!.AsArray().Single()!["text"]!.GetValue<string>(), Is.EqualTo("Withdraw to card"));
        Assert.That(card.Actions(), Is.EquivalentTo(new[] { "RejectAndClose", "RequestDocuments", "PassToRetention" }));

        var retention = await Wd.CardAsync(card.Id(), "retention1");
        Assert.That(retention.Actions(), Is.Empty, "Retention may read the card but not act on a CS request");

        var grid = await (await Wd.AsAsync("cs1")).GetObjectAsync($"/api/wd-requests?customerId={customer}");
        Assert.That(grid["total"]!.GetValue<int>(), Is.EqualTo(1));
        Assert.That(grid["items"]![0]!["status"]!.GetValue<string>(), Is.EqualTo("New"));
    }

    [Test]
    public async Task The_system_key_may_create_and_a_repeated_correlation_id_returns_the_same_request()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await Wd.PutAccountAsync(account, customer);
        var body = new { customerId = customer, tradingAccount = account, requestedAmount = 10m, currency = "USD", comment = "client area", correlationId = $"ca-{account}" };
        var first = await Wd.PostCreateAsync(body, "system");
        Assert.That(first.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var again = await Wd.PostCreateAsync(body, "system");
        Assert.That(again.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That((await again.ReadObjectAsync()).Id(), Is.EqualTo((await first.ReadObjectAsync()).Id()));
    }

    [Test]
    public async Task Create_needs_the_right_wd_create()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await Wd.PutAccountAsync(account, customer);
        var body = new { customerId = customer, tradingAccount = account, requestedAmount = 10m, currency = "USD", comment = "x" };
        await (await Wd.PostCreateAsync(body, "bo1")).ProblemAsync(HttpStatusCode.Forbidden);
        await (await Wd.PostCreateAsync(body, "maker1")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That((await Wd.PostCreateAsync(body, "supervisor1")).StatusCode, Is.EqualTo(HttpStatusCode.Created));
    }

    public static IEnumerable<TestCaseData> InvalidBodies()
    {
        static TestCaseData Case(string name, string field, decimal? amount = 10m, string? currency = "USD", string? comment = "ok", string? customer = null, string? account = null) =>
            new TestCaseData(field, amount, currency, comment, customer, account).SetName($"Create rejects {name} naming {field}");
        yield return Case("an empty comment", "comment", comment: "  ");
        yield return Case("a missing comment", "comment", comment: null);
        yield return Case("a comment over 2000 characters", "comment", comment: new string('x', 2001));
        yield return Case("a lower-case currency", "currency", currency: "usd");
        yield return Case("an unknown currency", "currency", currency: "XYZ");
        yield return Case("a missing currency", "currency", currency: null);
        yield return Case("a negative amount", "requestedAmount", amount: -5m);
        yield return Case("a zero amount", "requestedAmount", amount: 0m);
        yield return Case("three decimals for USD", "requestedAmount", amount: 10.001m);
        yield return Case("a missing amount", "requestedAmount", amount: null);
        yield return Case("a missing customer", "customerId", customer: "");
        yield return Case("an unknown account", "tradingAccount", account: "NO-SUCH-ACCOUNT");
        yield return Case("someone else's account", "tradingAccount", customer: "OTHER-CUSTOMER");
        yield return Case("a currency other than the account's", "currency", currency: "EUR");
    }

    [TestCaseSource(nameof(InvalidBodies))]
    public async Task Invalid_creation_is_422_naming_the_field(string field, decimal? amount, string? currency, string? comment, string? customer, string? account)
    {
        var (c, a) = WdDriver.NewAccountIds();
        await Wd.PutAccountAsync(a, c);
        var response = await Wd.PostCreateAsync(new { customerId = customer ?? c, tradingAccount = account ?? a, requestedAmount = amount, currency, comment });
        var problem = await response.ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(problem.ErrorFields(), Does.Contain(field));
        var grid = await (await Wd.AsAsync("cs1")).GetObjectAsync($"/api/wd-requests?customerId={c}");
        Assert.That(grid["total"]!.GetValue<int>(), Is.Zero, "nothing was created");
    }

    [Test]
    public async Task Amount_not_below_available_is_422_naming_requestedAmount_and_open_requests_reduce_it()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        // FreeMargin 7000, Equity 10000, Margin 2000, Credit 500 → available = 7000 − open, recommended = 10000 − 2000 × 100/100 − open.
        await Wd.PutAccountAsync(account, customer, equity: 10_000m, margin: 2_000m, freeMargin: 7_000m, credit: 500m);
        async Task<HttpResponseMessage> Create(decimal amount) =>
            await Wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = amount, currency = "USD", comment = "wd" });

        var equal = await (await Create(7_000m)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(equal.ErrorFields(), Is.EquivalentTo(new[] { "requestedAmount" }));
        Assert.That(equal["errors"]!["requestedAmount"]![0]!.GetValue<string>(), Does.Contain("7000"));

        var first = await (await Create(1_000m)).ReadObjectAsync();
        Assert.That(first["availableAmount"]!.Dec(), Is.EqualTo(7_000m));
        Assert.That(first["recommendedAmount"]!.Dec(), Is.EqualTo(8_000m));
        Assert.That(first["availableAmountAtCreation"]!.Dec(), Is.EqualTo(7_000m));

        // The open first request (New) now reduces what is available: 7000 − 1000 = 6000.
        var over = await (await Create(6_000m)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(over.ErrorFields(), Does.Contain("requestedAmount"));
        var second = await Create(5_999.99m);
        Assert.That(second.StatusCode, Is.EqualTo(HttpStatusCode.Created));
        var secondCard = await second.ReadObjectAsync();
        Assert.That(secondCard["availableAmount"]!.Dec(), Is.EqualTo(6_000m));
        Assert.That(secondCard["recommendedAmount"]!.Dec(), Is.EqualTo(7_000m));

        // A rejected request no longer counts as open.
        await Wd.MustActAsync("cs1", first.Id(), "RejectAndClose", "customer changed mind");
        var card = await Wd.CardAsync(secondCard.Id());
        Assert.That(card["availableAmount"]!.Dec(), Is.EqualTo(7_000m));
    }

    [Test]
    public async Task Coins_take_eight_decimals()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await Wd.PutAccountAsync(account, customer, currency: "BTC", balance: 2m, equity: 2m, freeMargin: 2m);
        var ok = await Wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 0.12345678m, currency = "BTC", comment = "coins" });
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.Created), await ok.Content.ReadAsStringAsync());
        var bad = await Wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 0.123456789m, currency = "BTC", comment = "coins" });
        Assert.That((await bad.ProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields(), Does.Contain("requestedAmount"));
    }

    [Test]
    public async Task Malformed_json_and_wrong_types_are_400_not_500()
    {
        var cs = await Wd.AsAsync("cs1");
        var malformed = await cs.PostAsync("/api/wd-requests", new StringContent("{ \"customerId\": ", Encoding.UTF8, "application/json"));
        await malformed.ProblemAsync(HttpStatusCode.BadRequest);
        var wrongType = await cs.PostAsync("/api/wd-requests", new StringContent("{ \"customerId\": \"c\", \"requestedAmount\": \"lots\" }", Encoding.UTF8, "application/json"));
        var problem = await wrongType.ProblemAsync(HttpStatusCode.BadRequest);
        Assert.That(problem.ErrorFields(), Does.Contain("requestedAmount"));
        var card = await Wd.CreateAsync();
        var actionWrongType = await cs.PostAsync($"/api/wd-requests/{card.Id()}/actions", new StringContent("{ \"action\": 5 }", Encoding.UTF8, "application/json"));
        await actionWrongType.ProblemAsync(HttpStatusCode.BadRequest);
        var massWrongType = await (await Wd.AsAsync("supervisor1")).PostAsync("/api/wd-requests/mass-edit", new StringContent("{ \"ids\": \"x\" }", Encoding.UTF8, "application/json"));
        await massWrongType.ProblemAsync(HttpStatusCode.BadRequest);
    }

    [TestCase("GET", "/api/wd-requests/not-a-guid")]
    [TestCase("GET", "/api/wd-requests/0195c0de-0000-7000-8000-000000000000")]
    [TestCase("GET", "/api/wd-requests/0195c0de-0000-7000-8000-000000000000/audit-log")]
    [TestCase("POST", "/api/wd-requests/0195c0de-0000-7000-8000-000000000000/actions")]
    [TestCase("POST", "/api/wd-requests/nope/comments")]
    [TestCase("POST", "/api/wd-requests/0195c0de-0000-7000-8000-000000000000/transactions")]
    [TestCase("DELETE", "/api/wd-requests/0195c0de-0000-7000-8000-000000000000/transactions/x")]
    public async Task Unknown_requests_are_404(string method, string url)
    {
        var client = await Wd.AsAsync("supervisor1");
        using var request = new HttpRequestMessage(new HttpMethod(method), url);
        if (method == "POST") request.Content = JsonContent.Create(new { action = "PassToRetention", text = "x", amount = 1m, paymentType = "CreditCard" });
        await (await client.SendAsync(request)).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Client_cancel_of_an_unknown_request_is_404()
    {
        var system = await Wd.AsAsync("system");
        await (await system.PostAsync("/api/wd-requests/0195c0de-0000-7000-8000-000000000000/client-cancel", null)).ProblemAsync(HttpStatusCode.NotFound);
    }

    [Test]
    public async Task Action_input_is_checked_before_the_flow_runs()
    {
        var card = await Wd.DriveToAsync("ApprovedByDealing/Backoffice");
        var id = card.Id();
        var cases = new (object Body, string Field)[]
        {
            (new { action = "" }, "action"),
            (new { action = "Approve", fee = -1m }, "fee"),
            (new { action = "Approve", fee = 0.001m }, "fee"),
            (new { action = "Approve", fee = 100m }, "fee"),
            (new { action = "BackToCS", comment = "docs", fee = 1m }, "fee"),
        };
        var bo = await Wd.AsAsync("bo1");
        foreach (var (body, field) in cases)
        {
            var problem = await (await bo.PostAsJsonAsync($"/api/wd-requests/{id}/actions", body)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
            Assert.That(problem.ErrorFields(), Does.Contain(field), problem.ToJsonString());
        }
        // A required comment missing is the flow's 422 naming comment.
        var noComment = await (await Wd.ActAsync("bo1", id, "Reject", comment: null)).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(noComment.ErrorFields(), Does.Contain("comment"));
        Assert.That((await Wd.CardAsync(id)).Status(), Is.EqualTo("ApprovedByDealing"));
    }

    [Test]
    public async Task Grid_filters_sorts_pages_and_refuses_bad_filters()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await Wd.PutAccountAsync(account, customer);
        var ids = new List<string>();
        foreach (var amount in new[] { 30m, 10m, 20m })
        {
            var r = await Wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = amount, currency = "USD", comment = "grid" });
            ids.Add((await r.ReadObjectAsync()).Id());
        }
        await Wd.MustActAsync("cs1", ids[0], "RequestDocuments", "docs");
        var cs = await Wd.AsAsync("cs1");
        var byAmount = await cs.GetObjectAsync($"/api/wd-requests?customerId={customer}&sort=requestedAmount");
        Assert.That(byAmount["items"]!.AsArray().Select(i => i!["requestedAmount"]!.Dec()), Is.EqualTo(new[] { 10m, 20m, 30m }));
        var desc = await cs.GetObjectAsync($"/api/wd-requests?customerId={customer}&sort=-requestedAmount&page=2&pageSize=1");
        Assert.That(desc["items"]!.AsArray().Single()!["requestedAmount"]!.Dec(), Is.EqualTo(20m));
        Assert.That(desc["total"]!.GetValue<int>(), Is.EqualTo(3));
        var awaiting = await cs.GetObjectAsync($"/api/wd-requests?customerId={customer}&status=AwaitingDocs&department=CS");
        Assert.That(awaiting["items"]!.AsArray().Single()!["id"]!.GetValue<string>(), Is.EqualTo(ids[0]));
        var future = await cs.GetObjectAsync($"/api/wd-requests?customerId={customer}&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}");
        Assert.That(future["total"]!.GetValue<int>(), Is.Zero);
        var past = await cs.GetObjectAsync($"/api/wd-requests?customerId={customer}&from={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(-1).ToString("O"))}&to={Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"))}");
        Assert.That(past["total"]!.GetValue<int>(), Is.EqualTo(3));

        foreach (var bad in new[] { "status=Nope", "department=Sales", "sort=customerId", "pageSize=0", "from=yesterday" })
        {
            await (await cs.GetAsync($"/api/wd-requests?{bad}")).ProblemAsync(HttpStatusCode.BadRequest);
        }
        await (await (await Wd.AsAsync("maker1")).GetAsync("/api/wd-requests")).ProblemAsync(HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task Csv_export_has_the_grid_columns_applies_the_filters_and_needs_wd_export()
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await Wd.PutAccountAsync(account, customer);
        foreach (var amount in new[] { 12.5m, 7m })
        {
            await Wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = amount, currency = "USD", comment = "csv" });
        }
        var bo = await Wd.AsAsync("bo1");
        var response = await bo.GetAsync($"/api/wd-requests/export.csv?customerId={customer}&sort=requestedAmount");
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        Assert.That(response.Content.Headers.ContentType?.MediaType, Is.EqualTo("text/csv"));
        var lines = (await response.Content.ReadAsStringAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.That(lines[0], Is.EqualTo("id,status,department,priority,overdue,customerId,tradingAccount,requestedAmount,currency,fee,createdAt,updatedAt"));
        Assert.That(lines, Has.Length.EqualTo(3));
        Assert.That(lines[1], Does.Contain($",New,CS,1,false,{customer},{account},7,USD,0,"));
        Assert.That(lines[2], Does.Contain($",{customer},{account},12.5,USD,"));
        var filtered = await (await bo.GetAsync($"/api/wd-requests/export.csv?customerId={customer}&status=Rejected")).Content.ReadAsStringAsync();
        Assert.That(filtered.Split("\r\n", StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(1), "header only");

        await (await (await Wd.AsAsync("cs1")).GetAsync("/api/wd-requests/export.csv")).ProblemAsync(HttpStatusCode.Forbidden);
        Assert.That((await (await Wd.AsAsync("system")).GetAsync("/api/wd-requests/export.csv")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task Comments_are_added_to_the_card_with_the_author_and_the_copy_flag()
    {
        var card = await Wd.CreateAsync();
        var retention = await Wd.AsAsync("retention1");
        var response = await retention.PostAsJsonAsync($"/api/wd-requests/{card.Id()}/comments", new { text = "Called the customer", copyToClientCard = true });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        var after = await response.ReadObjectAsync();
        var added = after["comments"]!.AsArray().Single(c => c!["kind"]!.GetValue<string>() == "Comment")!;
        Assert.That(added["text"]!.GetValue<string>(), Is.EqualTo("Called the customer"));
        Assert.That(added["user"]!.GetValue<string>(), Is.EqualTo("retention1"));
        Assert.That(added["copyToClientCard"]!.GetValue<bool>(), Is.True);
        var action = await Wd.MustActAsync("cs1", card.Id(), "RequestDocuments", "Passport please");
        Assert.That(action["comments"]!.AsArray().Select(c => c!["text"]!.GetValue<string>()), Is.EqualTo(new[] { "Customer asked by phone", "Called the customer", "Passport please" }));
        var empty = await (await retention.PostAsJsonAsync($"/api/wd-requests/{card.Id()}/comments", new { text = " " })).ProblemAsync(HttpStatusCode.UnprocessableEntity);
        Assert.That(empty.ErrorFields(), Does.Contain("text"));
    }
}

/// <summary>The other amount formula (config WithdrawalRequest:AmountVariant = EquityMinusCredit).</summary>
[TestFixture]
public sealed class WdAmountVariantTests
{
    [Test]
    public async Task Equity_minus_credit_variant_drives_available_and_recommended()
    {
        await using var factory = await ApiFactory.PostgresAsync(new() { ["WithdrawalRequest:AmountVariant"] = "EquityMinusCredit", ["WithdrawalRequest:MinimumLevelGeneral"] = "150" });
        var wd = new WdDriver(factory);
        var (customer, account) = WdDriver.NewAccountIds();
        await wd.PutAccountAsync(account, customer, equity: 10_000m, margin: 2_000m, freeMargin: 7_000m, credit: 500m);
        var tooMuch = await wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 9_500m, currency = "USD", comment = "x" });
        Assert.That((await tooMuch.ProblemAsync(HttpStatusCode.UnprocessableEntity)).ErrorFields(), Does.Contain("requestedAmount"));
        var ok = await wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 8_000m, currency = "USD", comment = "x" });
        Assert.That(ok.StatusCode, Is.EqualTo(HttpStatusCode.Created), "8000 is above free margin but below equity − credit");
        var card = await ok.ReadObjectAsync();
        Assert.That(card["availableAmount"]!.Dec(), Is.EqualTo(9_500m));
        Assert.That(card["recommendedAmount"]!.Dec(), Is.EqualTo(9_500m));
        var second = await wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 1_000m, currency = "USD", comment = "x" });
        var secondCard = await second.ReadObjectAsync();
        Assert.That(secondCard["availableAmount"]!.Dec(), Is.EqualTo(1_500m), "9500 − the open 8000");
    }

    [Test]
    public async Task Margin_variant_uses_MinimumLevelGeneral_for_the_recommended_amount()
    {
        await using var factory = await ApiFactory.PostgresAsync(new() { ["WithdrawalRequest:MinimumLevelGeneral"] = "150" });
        var wd = new WdDriver(factory);
        var (customer, account) = WdDriver.NewAccountIds();
        await wd.PutAccountAsync(account, customer, equity: 10_000m, margin: 2_000m, freeMargin: 7_000m, credit: 500m);
        var card = await (await wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = 100m, currency = "USD", comment = "x" })).ReadObjectAsync();
        Assert.That(card["availableAmount"]!.Dec(), Is.EqualTo(7_000m));
        Assert.That(card["recommendedAmount"]!.Dec(), Is.EqualTo(7_000m), "10000 − 2000 × 150 / 100");
    }
}
