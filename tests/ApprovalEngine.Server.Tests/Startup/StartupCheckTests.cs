using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using ApprovalEngine.Persistence;

namespace ApprovalEngine.Server.Tests.Startup;

/// <summary>
/// Issue 9 (2): outside Development the server refuses to start, with one log line naming the setting, when the
/// signing key is missing or short, no identity is configured, sandbox adapters are selected, or an adapter is unbound;
/// and with everything bound the sandbox routes and tables are out of reach.
/// </summary>
public sealed class StartupCheckTests
{
    private static void AssertRefused(ProductionHost host, string expected)
    {
        var error = host.TryStart();
        Assert.That(error, Is.Not.Null, "the host started");
        Assert.That(ProductionHost.Messages(error), Has.Some.Contains(expected), string.Join(" | ", ProductionHost.Messages(error)));
        var critical = host.CriticalLines();
        Assert.That(critical, Has.Count.EqualTo(1), "one log line");
        Assert.That(critical[0], Does.Contain("Refusing to start").And.Contain(expected));
    }

    private static Dictionary<string, string?> Valid(Action<Dictionary<string, string?>> change)
    {
        var settings = ProductionHost.ValidSettings();
        change(settings);
        return settings;
    }

    [Test]
    public void Production_without_a_signing_key_refuses_to_start()
    {
        using var host = new ProductionHost(Valid(s => s.Remove("Auth:SigningKey"))).WithStandInAdapters();
        AssertRefused(host, "Auth:SigningKey is missing");
    }

    [TestCase("Production")]
    [TestCase("Development")]
    public void A_signing_key_shorter_than_256_bits_refuses_to_start(string environment)
    {
        // Such a key made sign-in answer 500 for a right password and 401 for a wrong one: a password oracle.
        using var host = new ProductionHost(Valid(s => s["Auth:SigningKey"] = new string('k', 31)), environment).WithStandInAdapters();
        AssertRefused(host, "Auth:SigningKey is 248 bits");
    }

    [Test]
    public void Production_without_any_identity_source_refuses_to_start()
    {
        using var host = new ProductionHost(Valid(s =>
        {
            foreach (var key in s.Keys.Where(k => k.StartsWith("Identities:", StringComparison.Ordinal)).ToList()) s.Remove(key);
        })).WithStandInAdapters();
        AssertRefused(host, "Identities: no identity source is configured");
    }

    [Test]
    public void Production_with_users_but_no_password_hashes_and_no_api_keys_refuses_to_start()
    {
        using var host = new ProductionHost(Valid(s =>
        {
            s.Remove("Identities:Users:0:PasswordHash");
            s.Remove("Identities:ApiKeys:0:Name");
            s.Remove("Identities:ApiKeys:0:Key");
        })).WithStandInAdapters();
        AssertRefused(host, "Identities: no identity source is configured");
    }

    [TestCase("hook:bank")]
    [TestCase("HOOK:custody")]
    public void An_api_key_named_like_a_webhook_sender_refuses_to_start(string name)
    {
        using var host = new ProductionHost(Valid(s => s["Identities:ApiKeys:0:Name"] = name)).WithStandInAdapters();
        AssertRefused(host, "is reserved for signed webhooks");
    }

    [Test]
    public void An_identity_provider_without_audience_or_with_unknown_rights_and_WD_permissions_refuses_to_start()
    {
        using var host = new ProductionHost(Valid(s =>
        {
            s["Auth:Oidc:Authority"] = "https://sso.example.com/realms/broker";
            s["Auth:Oidc:Groups:0:Group"] = "crm-cs";
            s["Auth:Oidc:Groups:0:WdPermissions:0"] = "6";
            s["Auth:Oidc:Groups:0:Rights:0"] = "root";
        })).WithStandInAdapters();
        AssertRefused(host, "Auth:Oidc:Audience is missing");
        Assert.That(host.CriticalLines()[0], Does.Contain("WdPermissions has 6").And.Contain("Rights has 'root'"));
    }

    /// <summary>The designer finds the provider by its issuer: a client id with only a metadata address (or nothing) is refused.</summary>
    [TestCase(false)]
    [TestCase(true)]
    public void A_designer_client_id_without_an_authority_refuses_to_start(bool withMetadataAddress)
    {
        using var host = new ProductionHost(Valid(s =>
        {
            s["Auth:Oidc:ClientId"] = "approval-engine-designer";
            if (withMetadataAddress)
            {
                s["Auth:Oidc:MetadataAddress"] = "https://sso.example.com/realms/broker/.well-known/openid-configuration";
                s["Auth:Oidc:Audience"] = "approval-engine";
            }
        })).WithStandInAdapters();
        AssertRefused(host, "Auth:Oidc:ClientId is set without Auth:Oidc:Authority");
    }

    [Test]
    public void Production_with_adapters_mode_unset_means_sandbox_and_refuses_to_start()
    {
        using var host = new ProductionHost(Valid(s => s.Remove("Adapters:Mode"))).WithStandInAdapters();
        AssertRefused(host, "Adapters:Mode is Sandbox");
    }

    [Test]
    public void Production_in_sandbox_mode_refuses_to_start()
    {
        using var host = new ProductionHost(Valid(s => s["Adapters:Mode"] = "Sandbox")).WithStandInAdapters();
        AssertRefused(host, "Adapters:Mode is Sandbox");
    }

    [TestCase("Production")]
    [TestCase("Development")]
    public void An_unknown_adapters_mode_refuses_to_start(string environment)
    {
        using var host = new ProductionHost(Valid(s => s["Adapters:Mode"] = "Mock"), environment).WithStandInAdapters();
        AssertRefused(host, "Adapters:Mode is 'Mock'; it must be Sandbox or Real");
    }

    [Test]
    public void Production_with_everything_configured_but_no_real_adapters_refuses_naming_each_adapter()
    {
        // Real adapters exist (Http for the ledger and the bank), but none is chosen: a server without them cannot start.
        using var host = new ProductionHost(Valid(s =>
        {
            s.Remove("Adapters:Ledger");
            s.Remove("Adapters:Bank");
            s.Remove("Adapters:Custody");
        }));
        AssertRefused(host, "Adapters:Ledger is not set (Adapters:Mode is Real; available: Http)");
        var line = host.CriticalLines()[0];
        Assert.That(line, Does.Contain("Adapters:Bank is not set").And.Contain("Adapters:Custody is not set"));
    }

    [Test]
    public void Production_naming_an_adapter_that_does_not_exist_refuses_naming_it()
    {
        using var host = new ProductionHost(ProductionHost.ValidSettings());
        AssertRefused(host, "Adapters:Ledger names 'StandIn', which is not a known Ledger adapter");
    }

    [Test]
    public void Production_names_the_sandbox_adapter_in_real_mode_and_is_refused()
    {
        // The sandboxes are not even registered in Real mode, so naming them does not bring them back.
        using var host = new ProductionHost(Valid(s => s["Adapters:Ledger"] = "Sandbox")).WithStandInAdapters();
        AssertRefused(host, "Adapters:Ledger names 'Sandbox', which is not a known Ledger adapter (available: Http, StandIn)");
    }

    [Test]
    public async Task Production_with_everything_bound_starts_without_sandbox_routes_and_ignores_sandbox_tables()
    {
        var postgres = await SharedPostgres.CreateDatabaseAsync("prod");
        await using var host = new ProductionHost(ProductionHost.ValidSettings(), postgres: postgres).WithStandInAdapters();
        Assert.That(host.TryStart(), Is.Null);
        var client = host.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ProductionHost.ApiKey);

        // Ready once the scheduler has started, which the host does in the background after accepting requests.
        Assert.That(await ApiAssert.EventuallyAsync(async () => (await client.GetAsync("/api/health")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30)),
            Is.True, "the production host never became healthy");
        var put = await client.PutAsJsonAsync("/api/sandbox/trading-accounts/TA-P", new { customerId = "C-P", currency = "USD", balance = 5000m, equity = 5000m, margin = 0m, freeMargin = 5000m, credit = 0m, openTrades = 0 });
        var get = await client.GetAsync("/api/sandbox/trading-accounts/TA-P");
        var wallet = await client.PostAsJsonAsync("/api/sandbox/wallets/SA-1/verified-addresses", new { coin = "BTC", network = "BTC", address = "bc1qtest" });
        Assert.Multiple(() =>
        {
            Assert.That(put.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(get.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
            Assert.That(wallet.StatusCode, Is.EqualTo(HttpStatusCode.NotFound));
        });

        // The side door: a row written straight into the sandbox table must not make an account real.
        await using (var scope = host.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            db.TradingAccounts.Add(new TradingAccountRecord { Account = "TA-P", CustomerId = "C-P", Currency = "USD", Balance = 5000m, Equity = 5000m, FreeMargin = 5000m });
            await db.SaveChangesAsync();
        }
        var create = await client.PostAsJsonAsync("/api/wd-requests", new { customerId = "C-P", tradingAccount = "TA-P", requestedAmount = 100m, currency = "USD", comment = "side door" });
        var problem = await create.ReadObjectAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(create.StatusCode, Is.EqualTo(HttpStatusCode.UnprocessableEntity), problem.ToJsonString());
            Assert.That(problem["errors"]!["tradingAccount"], Is.Not.Null, problem.ToJsonString());
            await using var scope = host.Services.CreateAsyncScope();
            Assert.That(await scope.ServiceProvider.GetRequiredService<ApprovalDbContext>().WdRequests.CountAsync(), Is.Zero, "nothing was created");
        });
    }

    [Test]
    public async Task Production_sign_in_answers_401_for_a_wrong_password_and_a_token_for_the_right_one()
    {
        var postgres = await SharedPostgres.CreateDatabaseAsync("prod_signin");
        await using var host = new ProductionHost(ProductionHost.ValidSettings(), postgres: postgres).WithStandInAdapters();
        var client = host.CreateClient();
        var wrong = await client.PostAsJsonAsync("/api/auth/token", new { username = "ops1", password = "wrong" });
        var unknown = await client.PostAsJsonAsync("/api/auth/token", new { username = "cs1", password = "cs1" });
        var right = await client.PostAsJsonAsync("/api/auth/token", new { username = "ops1", password = ProductionHost.Password });
        Assert.Multiple(() =>
        {
            Assert.That(wrong.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
            Assert.That(unknown.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized), "no development users outside Development");
            Assert.That(right.StatusCode, Is.EqualTo(HttpStatusCode.OK));
        });
    }
}
