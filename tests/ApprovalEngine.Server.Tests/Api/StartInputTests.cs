// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// Start inputs are checked by the engine whatever route starts the flow (ADR 7): unknown keys, constraints, and
/// inputs only a domain route may supply. Each refusal is a 422 naming <c>input.&lt;name&gt;</c> with nothing written.
/// </summary>
[TestFixture]
public sealed class StartInputTests : WdFixture
{
    private const string Flow = "test-start-inputs";

    [OneTimeSetUp]
    public async Task PublishAsync()
    {
        var definition = JsonNode.Parse("""
        {
          "id": "test-start-inputs", "name": "Start inputs",
          "variables": [],
          "inputs": [
            { "name": "amount", "type": "number", "required": true, "exclusiveMinimum": 0, "currencyInput": "currency" },
            { "name": "currency", "type": "string", "required": true, "format": "currency" },
            { "name": "reference", "type": "string", "maxLength": 10, "pattern": "[A-Z]{2}-[0-9]+" },
            { "name": "channel", "type": "string", "enum": ["card", "wire"] },
            { "name": "limit", "type": "number", "validation": { "expression": "value >= amount", "message": "The limit must cover the amount." } },
            { "name": "computed", "type": "number", "source": "domain" }
          ],
          "activities": [
            { "id": "start", "type": "Start" },
            { "id": "task", "type": "UserTask", "inputs": { "department": "CS", "actions": [ { "name": "Done" } ] } },
            { "id": "end", "type": "End", "inputs": { "status": "Done" } }
          ],
          "connections": [ { "source": "start", "outcome": "Done", "target": "task" }, { "source": "task", "outcome": "Done", "target": "end" } ]
        }
        """)!.AsObject();
        await Factory.PublishAsync(definition);
    }

    private async Task RefusedAsync(string user, object input, string field, string? message = null)
    {
        var before = await Factory.SnapshotAsync();
        // The tests' integration key holds start:* (the development key starts only the shipped flows).
        var client = user == "system" ? Factory.AsTestSystem() : await Wd.AsAsync(user);
        var response = await client.PostAsJsonAsync($"/api/definitions/{Flow}/instances", new { input });
        var problem = await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, field);
        if (message is not null) Assert.That(problem["errors"]![field]![0]!.GetValue<string>(), Does.Contain(message));
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before), "a refused start writes nothing");
    }

    [Test]
    public async Task A_valid_start_is_accepted()
    {
        var response = await Factory.AsTestSystem().PostAsJsonAsync($"/api/definitions/{Flow}/instances",
            new { input = new { amount = 12.5m, currency = "EUR", reference = "AB-12", channel = "card", limit = 20 } });
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
    }

    [Test]
    public Task An_unknown_input_key_is_refused() => RefusedAsync("system", new { amount = 1, currency = "USD", availableAmount = 5 }, "input.availableAmount", "not an input");

    [Test]
    public Task A_negative_amount_is_refused() => RefusedAsync("system", new { amount = -5, currency = "USD" }, "input.amount", "greater than 0");

    [Test]
    public Task Currency_ZZZ_is_refused() => RefusedAsync("system", new { amount = 5, currency = "ZZZ" }, "input.currency", "ISO 4217");

    [Test]
    public Task Too_many_decimals_for_the_currency_are_refused() => RefusedAsync("system", new { amount = 5.5m, currency = "JPY" }, "input.amount", "decimal places for JPY");

    [Test]
    public Task An_amount_sent_as_text_is_refused() => RefusedAsync("system", new { amount = "5", currency = "USD" }, "input.amount", "must be a number");

    [Test]
    public Task A_pattern_failure_is_refused() => RefusedAsync("system", new { amount = 5, currency = "USD", reference = "ab-12" }, "input.reference", "expected form");

    [Test]
    public Task An_enum_failure_is_refused() => RefusedAsync("system", new { amount = 5, currency = "USD", channel = "cash" }, "input.channel", "one of card, wire");

    [Test]
    public Task A_validation_expression_failure_gives_its_message() =>
        RefusedAsync("system", new { amount = 50, currency = "USD", limit = 10 }, "input.limit", "The limit must cover the amount.");

    [Test]
    public Task A_domain_input_is_refused_from_the_generic_route() =>
        RefusedAsync("system", new { amount = 5, currency = "USD", computed = 1_000_000 }, "input.computed", "computed by the domain route");

    [Test]
    public async Task A_forged_available_amount_for_a_WD_request_is_refused_on_the_generic_route()
    {
        // Attack 2, input half: maker1 (submit right) through the generic route with the values POST /api/wd-requests refuses.
        var (customer, account) = WdDriver.NewAccountIds();
        await Wd.PutAccountAsync(account, customer);
        var before = await Factory.SnapshotAsync();
        var response = await (await Wd.AsAsync("maker1")).PostAsJsonAsync("/api/definitions/wd-request/instances", new
        {
            input = new { customerId = customer, tradingAccount = account, requestedAmount = -5_000_000m, currency = "ZZZ", comment = "x", availableAmount = 9_999_999m },
        });
        Assert.That(response.StatusCode, Is.AnyOf(HttpStatusCode.UnprocessableEntity, HttpStatusCode.Forbidden), await response.Content.ReadAsStringAsync());
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            var problem = await response.ReadObjectAsync();
            Assert.That(problem["errors"]!.AsObject().Select(e => e.Key), Is.SupersetOf(new[] { "input.availableAmount", "input.requestedAmount", "input.currency" }));
        }
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task The_domain_route_still_supplies_the_available_amount()
    {
        var card = await Wd.CreateAsync(amount: 250m);
        Assert.That((card.Status(), card["availableAmountAtCreation"]!.Dec()), Is.EqualTo(("New", 10_000m)));
    }

    [TestCase(-5, "USD", "requestedAmount")]
    [TestCase(5, "ZZZ", "currency")]
    [TestCase(5.5, "JPY", "requestedAmount")]
    public async Task The_domain_route_refuses_the_same_values(decimal amount, string currency, string field)
    {
        var (customer, account) = WdDriver.NewAccountIds();
        await Wd.PutAccountAsync(account, customer, currency: currency == "ZZZ" ? "USD" : currency);
        var before = await Factory.SnapshotAsync();
        var response = await Wd.PostCreateAsync(new { customerId = customer, tradingAccount = account, requestedAmount = amount, currency, comment = "x" });
        await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity, field);
        Assert.That(await Factory.SnapshotAsync(), Is.EqualTo(before));
    }
}
