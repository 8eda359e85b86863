// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;
using ApprovalEngine.Testing;
using Microsoft.IdentityModel.Tokens;

namespace ApprovalEngine.Server.Tests.SignIn;

/// <summary>
/// Staff sign in with the company's OpenID Connect provider (issue 15, ADR 21): the server validates the provider's
/// tokens against its discovery document and JWKS (an in-process issuer with its own RSA keys, over real HTTP) and maps
/// groups to departments, WD permissions and rights; every existing rule then applies as to our own tokens. The server
/// runs on PostgreSQL; every call goes through HTTP.
/// </summary>
[TestFixture]
public sealed class OidcSignInTests
{
    private TestTokenIssuer _issuer = null!;
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _issuer = await TestTokenIssuer.StartAsync();
        _factory = await ApiFactory.PostgresAsync(OidcFixture.Settings(_issuer));
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        await _factory.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    private HttpClient With(string token)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private HttpClient Provider(string username, params string[] groups) => With(_issuer.Issue(username, groups));

    private static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];

    /// <summary>
    /// The designer learns the provider from the server before anyone is signed in: the anonymous providers route names
    /// the issuer, the public client, the scopes (openid first, once) and the button's name — exactly those, so neither
    /// the audience nor our signing key nor anything else of the configuration leaks. A token does not change it.
    /// </summary>
    [Test]
    public async Task The_providers_route_is_anonymous_and_names_the_public_client_and_nothing_secret()
    {
        using var anonymous = _factory.CreateClient();
        var response = await anonymous.GetAsync("/api/auth/providers");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        var oidc = JsonNode.Parse(text)!["oidc"]!.AsObject();
        Assert.That(oidc.Select(p => p.Key).Order(StringComparer.Ordinal), Is.EqualTo(new[] { "authority", "clientId", "displayName", "scopes" }), text);
        Assert.That(oidc.Text("authority"), Is.EqualTo(_issuer.Authority));
        Assert.That(oidc.Text("clientId"), Is.EqualTo(OidcFixture.ClientId));
        Assert.That(oidc.Text("displayName"), Is.EqualTo("Broker SSO"));
        Assert.That(Strings(oidc["scopes"]), Is.EqualTo(new[] { "openid", "profile", "groups" }));
        Assert.That(text, Does.Not.Contain(OidcFixture.Audience).And.Not.Contain("crm-cs"), "neither the audience nor the group mapping");
        var signedIn = await Provider("kc.cs.agent", "crm-cs").GetStringAsync("/api/auth/providers");
        Assert.That(signedIn, Is.EqualTo(text), "the same for a signed-in caller");
        using var system = _factory.CreateClient();
        system.DefaultRequestHeaders.Add("X-Api-Key", "dev-system-key");
        Assert.That(await system.GetStringAsync("/api/auth/providers"), Is.EqualTo(text), "the same for a system (API key)");
        using var forged = _factory.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", _issuer.Unsigned("kc.cs.agent", ["crm-cs"]));
        Assert.That(await forged.GetStringAsync("/api/auth/providers"), Is.EqualTo(text), "a bad token does not stop an anonymous route");
    }

    /// <summary>Without a provider (or with one but no client for the designer) the route answers, and names none.</summary>
    [TestCase(false)]
    [TestCase(true)]
    public async Task The_providers_route_names_no_provider_when_the_designer_has_no_client(bool resourceServerOnly)
    {
        var settings = resourceServerOnly ? OidcFixture.Settings(_issuer) : [];
        settings.Remove("Auth:Oidc:ClientId");
        await using var factory = ApiFactory.Sqlite(settings);
        using var anonymous = factory.CreateClient();
        var response = await anonymous.GetAsync("/api/auth/providers");
        var text = await response.Content.ReadAsStringAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), text);
        Assert.That(JsonNode.Parse(text)!["oidc"], Is.Null, text);
    }

    /// <summary>
    /// Attacker review: a provider user named like a configured user (supervisor1) inherited, through a stored staff
    /// account that a user manager created for that name, every right of the configured user. Configured names (and
    /// API key names) are reserved for their own identity; a provider token claiming one is refused, whatever its case.
    /// </summary>
    [TestCase("supervisor1")]
    [TestCase("Supervisor1")]
    [TestCase("dev-system")]
    // Review 9: look-alikes of a reserved name passed the check and then showed as that user in journals and lists.
    [TestCase(" supervisor1")]
    [TestCase("supervisor1 ")]
    [TestCase("supervisor1\u200B")]
    [TestCase("\uFF53\uFF55\uFF50\uFF45\uFF52\uFF56\uFF49\uFF53\uFF4F\uFF52\uFF11")]
    [TestCase("dev-system\t")]
    public async Task A_provider_token_with_the_name_of_a_configured_identity_is_refused(string name)
    {
        await ApiAssert.ProblemAsync(await Provider(name, "crm-cs").GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        var local = await _factory.AsUserAsync("supervisor1");
        Assert.That((await local.GetAsync("/api/auth/me")).StatusCode, Is.EqualTo(HttpStatusCode.OK), "the configured user keeps signing in");
    }

    [Test]
    public async Task A_provider_token_maps_to_the_department_inbox_and_the_WD_permissions_of_its_groups()
    {
        var wd = new WdDriver(_factory);
        var card = await wd.CreateAsync();
        var agent = Provider("kc.cs.agent", "crm-cs", "some-unmapped-group");
        var trainee = Provider("kc.cs.trainee", "crm-cs-trainee");

        var me = await agent.GetObjectAsync("/api/auth/me");
        Assert.That(me.Text("username"), Is.EqualTo("kc.cs.agent"), me.ToJsonString());
        Assert.That(Strings(me["departments"]), Is.EqualTo(new[] { "CS" }), me.ToJsonString());
        Assert.That(Strings(me["permissions"]), Is.EqualTo(new[] { "wd:1", "wd:2", "wd:3" }), me.ToJsonString());
        Assert.That(Strings(me["rights"]), Is.EqualTo(new[] { "wd:create" }), me.ToJsonString());
        Assert.That(me.Text("role"), Is.EqualTo("CS agent"));

        // The CS inbox holds the new request's task, for the provider user as for a configured CS agent.
        var inbox = await agent.GetObjectAsync("/api/tasks?department=CS&pageSize=200");
        Assert.That(inbox.Items().Select(t => t!.Text("id")), Has.Member(card.Text("taskId")), inbox.ToJsonString());
        await ApiAssert.ProblemAsync(await agent.GetAsync("/api/tasks?department=Backoffice"), HttpStatusCode.Forbidden);

        // WD permission 3 (pass to department) comes from crm-cs only: the trainee (permission 1) is refused, the agent passes it on.
        var traineeCard = await trainee.GetObjectAsync($"/api/wd-requests/{card.Id()}");
        Assert.That(Strings(traineeCard["actions"]), Does.Not.Contain("PassToRetention"), traineeCard.ToJsonString());
        var refused = await trainee.PostAsJsonAsync($"/api/wd-requests/{card.Id()}/actions", new { action = "PassToRetention", comment = "checked" });
        await ApiAssert.ProblemAsync(refused, HttpStatusCode.Forbidden);
        var passed = await agent.PostAsJsonAsync($"/api/wd-requests/{card.Id()}/actions", new { action = "PassToRetention", comment = "checked" });
        var after = await passed.ReadObjectAsync();
        Assert.That(passed.StatusCode, Is.EqualTo(HttpStatusCode.OK), after.ToJsonString());
        Assert.That(after.Text("department"), Is.EqualTo("Retention"), after.ToJsonString());

        // The journal names the provider's user as for anyone else.
        var audit = await (await wd.AsAsync("supervisor1")).GetStringAsync($"/api/wd-requests/{card.Id()}/audit-log");
        Assert.That(audit, Does.Contain("kc.cs.agent"));
    }

    [Test]
    public async Task Claims_the_provider_token_carries_under_the_apps_own_names_grant_nothing()
    {
        // A provider (or a user editing their profile attributes) that emits right/department/is_system claims gains nothing by them.
        var token = _issuer.Issue("kc.sneaky", ["crm-cs-trainee"], extra: new Dictionary<string, object>
        {
            ["right"] = new[] { "sandbox", "users:manage" }, ["department"] = "Backoffice", ["is_system"] = "true", ["all_departments"] = "true", ["permission"] = "wd:5",
            ["scope"] = "events:*",
        });
        var me = await With(token).GetObjectAsync("/api/auth/me");
        Assert.That(Strings(me["rights"]), Is.Empty, me.ToJsonString());
        Assert.That(Strings(me["departments"]), Is.EqualTo(new[] { "CS" }), me.ToJsonString());
        Assert.That(Strings(me["permissions"]), Is.EqualTo(new[] { "wd:1" }), me.ToJsonString());
        Assert.That(me["isSystem"]!.GetValue<bool>(), Is.False);
        Assert.That(me["allDepartments"]!.GetValue<bool>(), Is.False);
        Assert.That(Strings(me["scopes"]), Is.Empty);
        await ApiAssert.ProblemAsync(await With(token).GetAsync("/api/admin/users"), HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task A_group_mapped_to_definitions_edit_lets_a_provider_analyst_save_drafts()
    {
        var analyst = Provider("kc.analyst", "bpm-analysts");
        var saved = await analyst.PutObjectAsync("/api/definitions/oidc-draft/draft", TestFlows.Delay("oidc-draft"));
        Assert.That(saved["valid"]!.GetValue<bool>(), Is.True, saved.ToJsonString());
        var draft = await analyst.GetObjectAsync("/api/definitions/oidc-draft/draft");
        Assert.That(draft.Text("createdBy"), Is.EqualTo("kc.analyst"));
    }

    [Test]
    public async Task A_provider_user_in_no_mapped_group_is_signed_in_with_nothing_and_refused_everywhere()
    {
        var nobody = Provider("kc.nobody", "unknown-group");
        var me = await nobody.GetObjectAsync("/api/auth/me");
        Assert.That(me.Text("username"), Is.EqualTo("kc.nobody"));
        Assert.That(Strings(me["departments"]), Is.Empty);
        Assert.That(Strings(me["permissions"]), Is.Empty);
        Assert.That(Strings(me["rights"]), Is.Empty);
        await ApiAssert.ProblemAsync(await nobody.PutAsJsonAsync("/api/definitions/nobody-draft/draft", TestFlows.Delay("nobody-draft")), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await nobody.PostAsJsonAsync("/api/wd-requests", new { customerId = "C-1", tradingAccount = "A-1", requestedAmount = 10m, currency = "USD" }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await nobody.GetAsync("/api/tasks?department=CS"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await nobody.GetAsync("/api/wd-requests"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await nobody.GetAsync("/api/admin/users"), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await nobody.GetAsync("/api/crypto/coins"), HttpStatusCode.Forbidden);
    }

    public enum Spoiled { WrongAudience, WrongIssuer, Expired, OtherKeySameKid, OtherKeyUnknownKid, AlgNone, OurIssuerButProviderKey, NoUsername }

    [TestCase(Spoiled.WrongAudience)]
    [TestCase(Spoiled.WrongIssuer)]
    [TestCase(Spoiled.Expired)]
    [TestCase(Spoiled.OtherKeySameKid)]
    [TestCase(Spoiled.OtherKeyUnknownKid)]
    [TestCase(Spoiled.AlgNone)]
    [TestCase(Spoiled.OurIssuerButProviderKey)]
    [TestCase(Spoiled.NoUsername)]
    public async Task A_spoiled_provider_token_is_401(Spoiled how)
    {
        var groups = new[] { "crm-cs", "it-user-admins" };
        var token = how switch
        {
            Spoiled.WrongAudience => _issuer.Issue("kc.bad", groups, audience: "some-other-app"),
            Spoiled.WrongIssuer => _issuer.Issue("kc.bad", groups, issuer: "https://login.example.org/realms/other"),
            Spoiled.Expired => _issuer.Issue("kc.bad", groups, lifetime: TimeSpan.FromMinutes(-1)),
            Spoiled.OtherKeySameKid => _issuer.Issue("kc.bad", groups, signing: new SigningCredentials(TestTokenIssuer.NewKey(_issuer.Current.KeyId), SecurityAlgorithms.RsaSha256)),
            Spoiled.OtherKeyUnknownKid => _issuer.Issue("kc.bad", groups, signing: new SigningCredentials(TestTokenIssuer.NewKey(), SecurityAlgorithms.RsaSha256)),
            Spoiled.AlgNone => _issuer.Unsigned("kc.bad", groups),
            Spoiled.OurIssuerButProviderKey => _issuer.Issue("kc.bad", groups, issuer: "approval-engine", audience: "approval-engine"),
            Spoiled.NoUsername => _issuer.Issue("", groups),
            _ => throw new ArgumentOutOfRangeException(nameof(how)),
        };
        // The same token unspoiled passes: what fails is the spoiling, not the setup.
        Assert.That((await Provider("kc.good", groups).GetAsync("/api/auth/me")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var client = With(token);
        await ApiAssert.ProblemAsync(await client.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        await ApiAssert.ProblemAsync(await client.GetAsync("/api/admin/users"), HttpStatusCode.Unauthorized);
        await ApiAssert.ProblemAsync(await client.GetAsync("/api/tasks?department=CS"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task Our_own_tokens_keep_working_beside_the_providers()
    {
        var cs1 = await _factory.AsUserAsync("cs1");
        var me = await cs1.GetObjectAsync("/api/auth/me");
        Assert.That(me.Text("username"), Is.EqualTo("cs1"));
        Assert.That(Strings(me["departments"]), Is.EqualTo(new[] { "CS" }));
        var system = await _factory.AsSystem().GetObjectAsync("/api/auth/me");
        Assert.That(system["isSystem"]!.GetValue<bool>(), Is.True);
    }

    [Test, NonParallelizable]
    public async Task After_the_provider_rotates_its_key_new_tokens_are_accepted_once_the_keys_are_fetched_again()
    {
        var before = Provider("kc.rollover", "crm-cs");
        Assert.That((await before.GetAsync("/api/auth/me")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
        var fetched = _issuer.DiscoveryRequests;
        _issuer.Rotate();
        var after = Provider("kc.rollover", "crm-cs");
        // The first request with the unknown key asks for a refresh (at most every RefreshIntervalSeconds = 1 here).
        var accepted = await Poll.UntilAsync(async () => (await after.GetAsync("/api/auth/me")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(30), TimeSpan.FromMilliseconds(200));
        Assert.That(accepted, Is.True, "a token signed with the provider's new key was never accepted");
        Assert.That(_issuer.DiscoveryRequests, Is.GreaterThan(fetched), "the keys were not fetched again");
        // The withdrawn key no longer signs anything the server accepts.
        await ApiAssert.ProblemAsync(await before.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
    }
}
