// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Features.Staff;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.SignIn;

/// <summary>
/// Staff accounts managed in the app (issue 15, ADR 21): a stored account wins over configuration and the provider's
/// groups, takes effect on tokens already issued, and every change is journaled; only people holding users:manage reach
/// the routes, never for their own account, never granting what they do not hold. PostgreSQL, through HTTP.
/// </summary>
[TestFixture]
public sealed class StaffAccountsTests
{
    private TestTokenIssuer _issuer = null!;
    private ApiFactory _factory = null!;
    private HttpClient _admin1 = null!;
    private HttpClient _admin2 = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _issuer = await TestTokenIssuer.StartAsync();
        var settings = OidcFixture.Settings(_issuer);
        // A system key that was (wrongly) given the right: still no way in, the routes are for people only.
        settings["Identities:ApiKeys:5:Name"] = "provisioning";
        settings["Identities:ApiKeys:5:Key"] = ManagerKey;
        settings["Identities:ApiKeys:5:Rights:0"] = "users:manage";
        _factory = await ApiFactory.PostgresAsync(settings);
        _admin1 = await _factory.AsUserAsync("admin1");
        _admin2 = await _factory.AsUserAsync("admin2");
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        await _factory.DisposeAsync();
        await _issuer.DisposeAsync();
    }

    private const string ManagerKey = "provisioning-key-with-users-manage";

    private HttpClient Provider(string username, params string[] groups) => Bearer(_issuer.Issue(username, groups));

    private HttpClient Bearer(string token)
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);
        return client;
    }

    private static string[] Strings(JsonNode? array) => [.. array!.AsArray().Select(n => n!.GetValue<string>())];

    /// <summary>Stored accounts and journal entries: a refused change must leave both unchanged.</summary>
    private Task<string> Snapshot() => Task.Run(async () =>
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StaffDbContext>();
        var accounts = await db.Set<StaffAccount>().OrderBy(a => a.Username).Select(a => a.Username + ":" + a.RowVersion + ":" + a.RightsJson + ":" + a.Enabled).ToListAsync();
        return $"{string.Join(",", accounts)} journal={await db.Set<StaffJournalEntry>().CountAsync()}";
    });

    [Test]
    public async Task Removing_a_right_takes_it_from_a_token_already_issued_and_disabling_stops_the_token()
    {
        var analyst = Provider("kc.analyst.revoked", "bpm-analysts");
        Assert.That((await analyst.PutAsJsonAsync("/api/definitions/revoke-draft/draft", TestFlows.Delay("revoke-draft"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // The stored account wins over the provider's group: no rights any more, for the token already in hand.
        var created = await _admin1.PostAsJsonAsync("/api/admin/users", new { username = "kc.analyst.revoked", displayName = "Revoked Analyst", rights = Array.Empty<string>() });
        var account = await created.ReadObjectAsync();
        Assert.That(created.StatusCode, Is.EqualTo(HttpStatusCode.Created), account.ToJsonString());
        await ApiAssert.ProblemAsync(await analyst.PutAsJsonAsync("/api/definitions/revoke-draft/draft", TestFlows.Delay("revoke-draft")), HttpStatusCode.Forbidden);
        var me = await analyst.GetObjectAsync("/api/auth/me");
        Assert.That(Strings(me["rights"]), Is.Empty, me.ToJsonString());
        Assert.That(me.Text("displayName"), Is.EqualTo("Revoked Analyst"));

        // Given back (admin1 holds definitions:edit), it works again with the same token.
        var edited = await _admin1.PutObjectAsync("/api/admin/users/kc.analyst.revoked", new { displayName = "Revoked Analyst", rights = new[] { "definitions:edit" }, rowVersion = account["rowVersion"]!.GetValue<int>() });
        Assert.That((await analyst.PutAsJsonAsync("/api/definitions/revoke-draft/draft", TestFlows.Delay("revoke-draft"))).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        // Disabled: the same token is refused altogether.
        await _admin1.PostObjectAsync("/api/admin/users/kc.analyst.revoked/disable", new { rowVersion = edited["rowVersion"]!.GetValue<int>() });
        await ApiAssert.ProblemAsync(await analyst.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        await ApiAssert.ProblemAsync(await Provider("kc.analyst.revoked", "bpm-analysts").GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);

        // The journal tells who changed what, before → after, newest first.
        var journal = await _admin2.GetObjectAsync("/api/admin/users/journal?username=kc.analyst.revoked");
        var entries = journal.Items();
        Assert.That(entries.Select(e => e!.Text("action")), Is.EqualTo(new[] { "Disable", "Edit", "Create" }), journal.ToJsonString());
        Assert.That(entries.Select(e => e!.Text("actor")).Distinct(), Is.EqualTo(new[] { "admin1" }));
        Assert.That(Strings(entries[1]!["before"]!["rights"]), Is.Empty);
        Assert.That(Strings(entries[1]!["after"]!["rights"]), Is.EqualTo(new[] { "definitions:edit" }));
        Assert.That(entries[0]!["before"]!["enabled"]!.GetValue<bool>(), Is.True);
        Assert.That(entries[0]!["after"]!["enabled"]!.GetValue<bool>(), Is.False);
    }

    [Test]
    public async Task A_stored_account_changes_a_configured_users_token_and_a_disabled_one_cannot_sign_in()
    {
        var dealing = await _factory.AsUserAsync("dealing1");
        var created = await _admin1.PostObjectAsync("/api/admin/users", new { username = "dealing1", departments = new[] { "Dealing", "Backoffice" }, wdPermissions = new[] { 1, 4 } });
        var me = await dealing.GetObjectAsync("/api/auth/me");
        Assert.That(Strings(me["departments"]), Is.EqualTo(new[] { "Backoffice", "Dealing" }), me.ToJsonString());
        Assert.That(Strings(me["permissions"]), Is.EqualTo(new[] { "wd:1", "wd:4" }), me.ToJsonString());
        Assert.That((await dealing.GetAsync("/api/tasks?department=Backoffice")).StatusCode, Is.EqualTo(HttpStatusCode.OK));

        await _admin1.PostObjectAsync("/api/admin/users/dealing1/disable", new { rowVersion = created["rowVersion"]!.GetValue<int>() });
        // Our own token's refusal says why too, as the provider's does (the designer shows it).
        var refused = await ApiAssert.ProblemAsync(await dealing.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        Assert.That(refused["detail"]?.GetValue<string>(), Is.EqualTo("This account is disabled."), refused.ToJsonString());
        // Review 9: not an oracle of disabled accounts: a token whose signature does not verify (the same token with its
        // signature's first character changed) gets the bare 401, so only the account's own valid token learns it.
        var token = dealing.DefaultRequestHeaders.Authorization!.Parameter!;
        var signatureAt = token.LastIndexOf('.') + 1;
        var tampered = token[..signatureAt] + (token[signatureAt] == 'A' ? 'B' : 'A') + token[(signatureAt + 1)..];
        var forged = await Bearer(tampered).GetAsync("/api/auth/me");
        Assert.That(forged.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await forged.Content.ReadAsStringAsync(), Does.Not.Contain("disabled"));
        var signIn = await _factory.CreateClient().PostAsJsonAsync("/api/auth/token", new { username = "dealing1", password = "dealing1" });
        await ApiAssert.ProblemAsync(signIn, HttpStatusCode.Unauthorized, "username");
    }

    [Test]
    public async Task An_edit_with_a_stale_rowVersion_is_409_and_changes_nothing()
    {
        var created = await _admin1.PostObjectAsync("/api/admin/users", new { username = "kc.stale", departments = new[] { "CS" } });
        var version = created["rowVersion"]!.GetValue<int>();
        await _admin2.PutObjectAsync("/api/admin/users/kc.stale", new { departments = new[] { "Retention" }, rowVersion = version });
        var before = await Snapshot();
        await ApiAssert.ProblemAsync(await _admin1.PutAsJsonAsync("/api/admin/users/kc.stale", new { departments = new[] { "Dealing" }, rowVersion = version }), HttpStatusCode.Conflict, "rowVersion");
        await ApiAssert.ProblemAsync(await _admin1.PostAsJsonAsync("/api/admin/users/kc.stale/disable", new { rowVersion = version }), HttpStatusCode.Conflict, "rowVersion");
        await ApiAssert.ProblemAsync(await _admin1.PostAsJsonAsync("/api/admin/users", new { username = "kc.stale" }), HttpStatusCode.Conflict);
        Assert.That(await Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task Invalid_fields_are_422_naming_each_and_change_nothing()
    {
        var before = await Snapshot();
        var response = await _admin1.PostAsJsonAsync("/api/admin/users", new
        {
            username = "bad name!", wdPermissions = new[] { 0, 6 }, taskPermissions = new[] { "wd:3", "Bad Permission" }, rights = new[] { "root" }, departments = new[] { "" },
        });
        foreach (var field in new[] { "username", "wdPermissions", "taskPermissions", "rights", "departments" }) await ApiAssert.ProblemAsync(CloneOf(response), HttpStatusCode.UnprocessableEntity, field);
        await ApiAssert.ProblemAsync(await _admin1.PutAsJsonAsync("/api/admin/users/cs1", new { departments = new[] { "CS" } }), HttpStatusCode.NotFound);
        // 50 departments of 100 characters would not fit the stored column: a 422, not a failed save.
        var long50 = Enumerable.Range(0, 50).Select(i => $"D{i:00}{new string('x', 97)}").ToArray();
        await ApiAssert.ProblemAsync(await _admin1.PostAsJsonAsync("/api/admin/users", new { username = "kc.longdepts", departments = long50 }), HttpStatusCode.UnprocessableEntity, "departments");
        Assert.That(await Snapshot(), Is.EqualTo(before));
    }

    private static HttpResponseMessage CloneOf(HttpResponseMessage response)
    {
        var text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
        return new HttpResponseMessage(response.StatusCode) { RequestMessage = response.RequestMessage, Content = new StringContent(text, System.Text.Encoding.UTF8, "application/problem+json") };
    }

    [Test]
    public async Task The_list_shows_stored_accounts_and_configured_users_and_a_provider_manager_reads_it()
    {
        await _admin1.PostObjectAsync("/api/admin/users", new { username = "kc.listed", displayName = "Listed", departments = new[] { "CS" }, wdPermissions = new[] { 1 } });
        var itAdmin = Provider("kc.it.admin", "it-user-admins");
        var list = await itAdmin.GetArrayAsync("/api/admin/users");
        var listed = list.Single(u => u!.Text("username") == "kc.listed")!;
        Assert.That(listed.Text("source"), Is.EqualTo("stored"));
        Assert.That(listed["wdPermissions"]!.AsArray().Select(n => n!.GetValue<int>()), Is.EqualTo(new[] { 1 }));
        var cs1 = list.Single(u => u!.Text("username") == "cs1")!;
        Assert.That(cs1.Text("source"), Is.EqualTo("configuration"));
        Assert.That(cs1["rowVersion"], Is.Null);
    }

    // ---- side doors ----

    [TestCase("supervisor1")]
    [TestCase("bo1")]
    [TestCase("analyst1")]
    public async Task Operators_without_users_manage_are_refused_on_every_route(string user)
    {
        var client = await _factory.AsUserAsync(user);
        await RefusedEverywhere(client, HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task API_keys_are_refused_on_every_route() => await RefusedEverywhere(_factory.AsTestSystem(), HttpStatusCode.Forbidden);

    [Test]
    public async Task An_API_key_holding_users_manage_is_refused_on_every_route()
    {
        var client = _factory.CreateClient();
        client.DefaultRequestHeaders.Add("X-Api-Key", ManagerKey);
        await RefusedEverywhere(client, HttpStatusCode.Forbidden);
    }

    [Test]
    public async Task The_V026_script_matches_the_model_of_the_staff_tables()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<StaffDbContext>();
        var model = db.Model.GetEntityTypes()
            .SelectMany(e => e.GetProperties().Select(p => $"{e.GetTableName()}.{p.GetColumnName(Microsoft.EntityFrameworkCore.Metadata.StoreObjectIdentifier.Table(e.GetTableName()!, null))} {(p.IsNullable ? "null" : "not null")} {p.GetColumnType()}"))
            .Order(StringComparer.Ordinal).ToList();
        var tables = model.Select(m => m.Split('.')[0]).Distinct().ToArray();
        var database = await db.Database.SqlQueryRaw<string>("""
            SELECT table_name || '.' || column_name || ' ' || CASE WHEN is_nullable = 'YES' THEN 'null' ELSE 'not null' END || ' ' ||
                   CASE WHEN data_type = 'character varying' THEN 'character varying(' || character_maximum_length || ')' ELSE data_type END AS "Value"
            FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ANY(@tables)
            """, new Npgsql.NpgsqlParameter("tables", tables)).ToListAsync();
        Assert.That(tables, Is.EquivalentTo(new[] { "staff_accounts", "staff_journal" }));
        Assert.That(database.Order(StringComparer.Ordinal), Is.EqualTo(model));
    }

    [Test]
    public async Task Stored_accounts_work_on_SQLite_too()
    {
        await using var sqlite = ApiFactory.Sqlite();
        var admin = await sqlite.AsUserAsync("admin1");
        var cs1 = await sqlite.AsUserAsync("cs1");
        var created = await admin.PostObjectAsync("/api/admin/users", new { username = "cs1", departments = new[] { "Retention" }, wdPermissions = new[] { 1 } });
        var me = await cs1.GetObjectAsync("/api/auth/me");
        Assert.That(Strings(me["departments"]), Is.EqualTo(new[] { "Retention" }), me.ToJsonString());
        Assert.That(Strings(me["permissions"]), Is.EqualTo(new[] { "wd:1" }), me.ToJsonString());
        await admin.PostObjectAsync("/api/admin/users/cs1/disable", new { rowVersion = created["rowVersion"]!.GetValue<int>() });
        await ApiAssert.ProblemAsync(await cs1.GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        var journal = await admin.GetObjectAsync("/api/admin/users/journal?username=cs1");
        Assert.That(journal.Items().Select(e => e!.Text("action")), Is.EqualTo(new[] { "Disable", "Create" }));
    }

    [Test]
    public async Task Anonymous_callers_are_refused_on_every_route() => await RefusedEverywhere(_factory.CreateClient(), HttpStatusCode.Unauthorized);

    private async Task RefusedEverywhere(HttpClient client, HttpStatusCode status)
    {
        var target = await _admin1.PostObjectAsync("/api/admin/users", new { username = $"kc.target.{Guid.NewGuid():N}"[..30] });
        var name = target.Text("username");
        var version = target["rowVersion"]!.GetValue<int>();
        var before = await Snapshot();
        await ApiAssert.ProblemAsync(await client.GetAsync("/api/admin/users"), status);
        await ApiAssert.ProblemAsync(await client.GetAsync($"/api/admin/users/{name}"), status);
        await ApiAssert.ProblemAsync(await client.GetAsync("/api/admin/users/journal"), status);
        await ApiAssert.ProblemAsync(await client.PostAsJsonAsync("/api/admin/users", new { username = "kc.sidedoor" }), status);
        await ApiAssert.ProblemAsync(await client.PutAsJsonAsync($"/api/admin/users/{name}", new { rights = new[] { "sandbox" }, rowVersion = version }), status);
        await ApiAssert.ProblemAsync(await client.PostAsJsonAsync($"/api/admin/users/{name}/disable", new { rowVersion = version }), status);
        await ApiAssert.ProblemAsync(await client.PostAsJsonAsync($"/api/admin/users/{name}/enable", new { rowVersion = version }), status);
        Assert.That(await Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task A_manager_cannot_change_their_own_account()
    {
        // admin2 stores admin1's account (allowed: another manager; it keeps what configuration gave admin1, which
        // admin2 itself does not hold: only additions need the manager to hold them); admin1 then cannot touch it.
        var own = await _admin2.PostObjectAsync("/api/admin/users", new
        {
            username = "admin1", rights = new[] { "definitions:edit", "wd:create", "wd:export" }, wdPermissions = new[] { 1, 2, 3, 4 }, departments = new[] { "Operations" },
        });
        var version = own["rowVersion"]!.GetValue<int>();
        // users:manage stays (configuration gives it; the stored account neither gives nor takes it).
        Assert.That(Strings((await _admin1.GetObjectAsync("/api/auth/me"))["rights"]), Has.Member("users:manage"));
        var before = await Snapshot();
        await ApiAssert.ProblemAsync(await _admin1.PutAsJsonAsync("/api/admin/users/admin1", new { departments = new[] { "Operations" }, rights = new[] { "definitions:edit" }, rowVersion = version }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _admin1.PostAsJsonAsync("/api/admin/users/admin1/enable", new { rowVersion = version }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await _admin1.PostAsJsonAsync("/api/admin/users/admin1/disable", new { rowVersion = version }), HttpStatusCode.Forbidden);
        // A provider manager on their own (not yet stored) account, too.
        var itAdmin = Provider("kc.self.admin", "it-user-admins");
        await ApiAssert.ProblemAsync(await itAdmin.PostAsJsonAsync("/api/admin/users", new { username = "kc.self.admin", rights = new[] { "definitions:edit" } }), HttpStatusCode.Forbidden);
        Assert.That(await Snapshot(), Is.EqualTo(before));
    }

    [Test]
    public async Task Enabling_an_account_needs_the_manager_to_hold_what_it_gives_back()
    {
        // admin1 stores an account with a right and a WD permission admin2 does not hold, then disables it (a leaver).
        var created = await _admin1.PostObjectAsync("/api/admin/users", new { username = "kc.leaver", rights = new[] { "definitions:edit" }, wdPermissions = new[] { 4 } });
        var disabled = await _admin1.PostObjectAsync("/api/admin/users/kc.leaver/disable", new { rowVersion = created["rowVersion"]!.GetValue<int>() });
        var version = disabled["rowVersion"]!.GetValue<int>();
        var before = await Snapshot();

        // admin2 (users:manage only) could not have granted them, so it cannot hand them back by switching the account on:
        // neither through the enable route nor through an edit naming enabled = true.
        await ApiAssert.ProblemAsync(await _admin2.PostAsJsonAsync("/api/admin/users/kc.leaver/enable", new { rowVersion = version }), HttpStatusCode.Forbidden, "rights");
        await ApiAssert.ProblemAsync(await _admin2.PutAsJsonAsync("/api/admin/users/kc.leaver", new
        {
            rights = new[] { "definitions:edit" }, wdPermissions = new[] { 4 }, enabled = true, rowVersion = version,
        }), HttpStatusCode.Forbidden, "wdPermissions");
        Assert.That(await Snapshot(), Is.EqualTo(before));
        // The refusal says why (the designer shows it to a provider user signing in); a merely bad token's 401 does not.
        var refused = await ApiAssert.ProblemAsync(await Provider("kc.leaver").GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        Assert.That(refused["detail"]?.GetValue<string>(), Is.EqualTo("This account is disabled."), refused.ToJsonString());
        var forged = await ApiAssert.ProblemAsync(await Bearer(_issuer.Issue("kc.leaver", audience: "another-api")).GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
        Assert.That(forged.ToJsonString(), Does.Not.Contain("disabled"));
        var unsigned = await Bearer(_issuer.Unsigned("kc.leaver")).GetAsync("/api/auth/me");
        Assert.That(unsigned.StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That(await unsigned.Content.ReadAsStringAsync(), Does.Not.Contain("disabled"), "an unsigned token naming the account learns nothing");

        // admin1 holds both, so it may enable the account again.
        var enabled = await _admin1.PostObjectAsync("/api/admin/users/kc.leaver/enable", new { rowVersion = version });
        Assert.That(enabled["enabled"]!.GetValue<bool>(), Is.True);
        Assert.That((await Provider("kc.leaver").GetAsync("/api/auth/me")).StatusCode, Is.EqualTo(HttpStatusCode.OK));
    }

    [Test]
    public async Task An_edit_that_does_not_name_enabled_leaves_a_disabled_account_disabled()
    {
        var created = await _admin1.PostObjectAsync("/api/admin/users", new { username = "kc.quiet", departments = new[] { "CS" } });
        var disabled = await _admin1.PostObjectAsync("/api/admin/users/kc.quiet/disable", new { rowVersion = created["rowVersion"]!.GetValue<int>() });
        var edited = await _admin2.PutObjectAsync("/api/admin/users/kc.quiet", new { departments = new[] { "Retention" }, rowVersion = disabled["rowVersion"]!.GetValue<int>() });
        Assert.That(edited["enabled"]!.GetValue<bool>(), Is.False, edited.ToJsonString());
        Assert.That(Strings(edited["departments"]), Is.EqualTo(new[] { "Retention" }));
        await ApiAssert.ProblemAsync(await Provider("kc.quiet").GetAsync("/api/auth/me"), HttpStatusCode.Unauthorized);
    }

    [Test]
    public async Task A_manager_cannot_grant_what_they_do_not_hold_nor_users_manage()
    {
        var target = await _admin2.PostObjectAsync("/api/admin/users", new { username = "kc.grantee" });
        var version = target["rowVersion"]!.GetValue<int>();
        var before = await Snapshot();
        // admin1 holds definitions:edit but not definitions:approve, wd:1–4 but not wd:5, no task permissions, not all departments.
        await ApiAssert.ProblemAsync(await _admin1.PutAsJsonAsync("/api/admin/users/kc.grantee", new { rights = new[] { "definitions:edit", "definitions:approve" }, rowVersion = version }), HttpStatusCode.Forbidden, "rights");
        await ApiAssert.ProblemAsync(await _admin1.PutAsJsonAsync("/api/admin/users/kc.grantee", new { wdPermissions = new[] { 4, 5 }, rowVersion = version }), HttpStatusCode.Forbidden, "wdPermissions");
        await ApiAssert.ProblemAsync(await _admin1.PutAsJsonAsync("/api/admin/users/kc.grantee", new { taskPermissions = new[] { "workorders:approve" }, rowVersion = version }), HttpStatusCode.Forbidden, "taskPermissions");
        await ApiAssert.ProblemAsync(await _admin1.PutAsJsonAsync("/api/admin/users/kc.grantee", new { allDepartments = true, rowVersion = version }), HttpStatusCode.Forbidden, "allDepartments");
        await ApiAssert.ProblemAsync(await _admin1.PostAsJsonAsync("/api/admin/users", new { username = "kc.new.approver", rights = new[] { "definitions:approve" } }), HttpStatusCode.Forbidden, "rights");
        // users:manage is never granted in the app, whoever asks.
        await ApiAssert.ProblemAsync(await _admin1.PutAsJsonAsync("/api/admin/users/kc.grantee", new { rights = new[] { "users:manage" }, rowVersion = version }), HttpStatusCode.UnprocessableEntity, "rights");
        await ApiAssert.ProblemAsync(await _admin2.PostAsJsonAsync("/api/admin/users", new { username = "kc.new.manager", rights = new[] { "users:manage" } }), HttpStatusCode.UnprocessableEntity, "rights");
        Assert.That(await Snapshot(), Is.EqualTo(before));

        // What admin1 does hold it may grant.
        var granted = await _admin1.PutObjectAsync("/api/admin/users/kc.grantee", new { rights = new[] { "definitions:edit" }, wdPermissions = new[] { 1, 4 }, rowVersion = version });
        Assert.That(Strings(granted["rights"]), Is.EqualTo(new[] { "definitions:edit" }));
    }
}
