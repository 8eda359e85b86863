using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Features.Crypto;
using ApprovalEngine.Server.Features.Crypto.Coins;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Crypto;

/// <summary>
/// Four eyes on the coin configuration (ADR 18 amended) over HTTP on PostgreSQL: fewer confirmations or a higher maximum
/// wait for a second holder of crypto:configure; the proposer, a system key holding the right, Operations checkers and
/// analysts cannot approve; a stale proposal is a 409 and stays pending; stricter edits and switches apply at once.
/// </summary>
[TestFixture]
public sealed class CoinFourEyesTests
{
    private const string ConfiguringKey = "coin-four-eyes-key";
    private ApiFactory _factory = null!;
    private HttpClient _supervisor1 = null!;
    private HttpClient _supervisor2 = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync(new()
        {
            ["Identities:ApiKeys:8:Name"] = "coin-configuring-system",
            ["Identities:ApiKeys:8:Key"] = ConfiguringKey,
            ["Identities:ApiKeys:8:Rights:0"] = "crypto:configure",
        });
        _supervisor1 = await _factory.AsUserAsync("supervisor1");
        _supervisor2 = await _factory.AsUserAsync("supervisor2");
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    private static object Coin(string coin, decimal max = 100m, int confirmations = 6, int? rowVersion = null) =>
        new { coin, network = coin, decimals = 8, minWithdrawal = 0.01m, maxWithdrawal = max, withdrawalFee = 0.001m, requiredConfirmations = confirmations, depositEnabled = true, withdrawalEnabled = true, rowVersion };

    private async Task<JsonObject> StoredAsync(string coin) => await _supervisor2.GetObjectAsync($"/api/crypto/coins/{coin}/{coin}");

    private async Task<int> PendingRowsAsync()
    {
        await using var scope = _factory.Services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<CryptoDbContext>().Set<CoinPendingChange>().CountAsync();
    }

    private static async Task<JsonObject> ProposedAsync(HttpResponseMessage response, string summary)
    {
        var body = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Accepted), body.ToJsonString());
        Assert.That((body.Text("status"), body.Text("proposedBy"), body.Text("entityKey")), Is.EqualTo(("Pending", "supervisor1", body.Text("entityKey"))));
        Assert.That(body.Text("summary"), Does.Contain(summary));
        return body;
    }

    [Test]
    public async Task Fewer_confirmations_wait_for_a_second_configurer_who_alone_can_approve_them()
    {
        await _supervisor1.PostObjectAsync("/api/crypto/coins", Coin("ZEC"));
        var lower = Coin("ZEC", confirmations: 2, rowVersion: 1);
        var pending = await ProposedAsync(await _supervisor1.PutAsJsonAsync("/api/crypto/coins/ZEC/ZEC", lower), "fewer confirmations (6 → 2)");
        Assert.That((await StoredAsync("ZEC"))["requiredConfirmations"]!.GetValue<int>(), Is.EqualTo(6), "one person's say changes nothing");
        var listed = await _supervisor2.GetArrayAsync("/api/crypto/coins/pending-changes");
        Assert.That(listed.Select(p => p.Text("id")), Does.Contain(pending.Text("id")));

        // Side doors: the proposer, a system key holding crypto:configure, a checker, an analyst; and the same edit by them.
        var approveUrl = $"/api/crypto/coins/pending-changes/{pending.Text("id")}/approve";
        await ApiAssert.ProblemAsync(await _supervisor1.PostAsJsonAsync(approveUrl, new { }), HttpStatusCode.Forbidden);
        using var key = _factory.CreateClient();
        key.DefaultRequestHeaders.Add("X-Api-Key", ConfiguringKey);
        await ApiAssert.ProblemAsync(await key.PostAsJsonAsync(approveUrl, new { }), HttpStatusCode.Forbidden);
        await ApiAssert.ProblemAsync(await key.PutAsJsonAsync("/api/crypto/coins/ZEC/ZEC", lower), HttpStatusCode.Forbidden);
        foreach (var user in new[] { "checker1", "analyst1" })
        {
            using var other = await _factory.AsUserAsync(user);
            await ApiAssert.ProblemAsync(await other.PostAsJsonAsync(approveUrl, new { }), HttpStatusCode.Forbidden);
            await ApiAssert.ProblemAsync(await other.PutAsJsonAsync("/api/crypto/coins/ZEC/ZEC", lower), HttpStatusCode.Forbidden);
        }
        using var anonymous = _factory.CreateClient();
        Assert.That((await anonymous.PostAsJsonAsync(approveUrl, new { })).StatusCode, Is.EqualTo(HttpStatusCode.Unauthorized));
        Assert.That((await StoredAsync("ZEC"))["requiredConfirmations"]!.GetValue<int>(), Is.EqualTo(6));

        var approved = await _supervisor2.PostObjectAsync(approveUrl, new { reason = "the chain is final after two blocks" });
        Assert.That((approved.Text("status"), approved.Text("decidedBy")), Is.EqualTo(("Approved", "supervisor2")));
        var stored = await StoredAsync("ZEC");
        Assert.That((stored["requiredConfirmations"]!.GetValue<int>(), stored["rowVersion"]!.GetValue<int>()), Is.EqualTo((2, 2)));
        var journal = (await _supervisor2.GetObjectAsync("/api/crypto/coins/journal?coin=ZEC&network=ZEC"))["items"]!.AsArray();
        Assert.That(journal.Select(j => (j.Text("action"), j.Text("actor"))), Is.EqualTo(new[] { ("Edit", "supervisor2"), ("Propose", "supervisor1"), ("Create", "supervisor1") }));
        Assert.That(journal[1]!["after"]!["requiredConfirmations"]!.GetValue<int>(), Is.EqualTo(2), "the proposal journals what was asked");

        // Decided once: a second approval is a 409.
        await ApiAssert.ProblemAsync(await _supervisor2.PostAsJsonAsync(approveUrl, new { }), HttpStatusCode.Conflict);
    }

    [Test]
    public async Task A_higher_maximum_waits_and_a_rejection_needs_a_reason_and_changes_nothing()
    {
        await _supervisor1.PostObjectAsync("/api/crypto/coins", Coin("XMR"));
        var pending = await ProposedAsync(await _supervisor1.PutAsJsonAsync("/api/crypto/coins/XMR/XMR", Coin("XMR", max: 1000m, rowVersion: 1)), "maximum 100 → 1000");
        var rejectUrl = $"/api/crypto/coins/pending-changes/{pending.Text("id")}/reject";
        await ApiAssert.ProblemAsync(await _supervisor2.PostAsJsonAsync(rejectUrl, new { }), HttpStatusCode.UnprocessableEntity, "reason");
        var rejected = await _supervisor2.PostObjectAsync(rejectUrl, new { reason = "no business case" });
        Assert.That((rejected.Text("status"), rejected.Text("reason")), Is.EqualTo(("Rejected", "no business case")));
        Assert.That((await StoredAsync("XMR"))["maxWithdrawal"]!.GetValue<decimal>(), Is.EqualTo(100m));
        await ApiAssert.ProblemAsync(await _supervisor1.PostAsJsonAsync($"/api/crypto/coins/pending-changes/{pending.Text("id")}/approve", new { }), HttpStatusCode.Conflict);
        var rejectedList = await _supervisor2.GetArrayAsync("/api/crypto/coins/pending-changes?status=Rejected");
        Assert.That(rejectedList.Select(p => p.Text("id")), Does.Contain(pending.Text("id")));
        await ApiAssert.ProblemAsync(await _supervisor2.GetAsync("/api/crypto/coins/pending-changes?status=Maybe"), HttpStatusCode.BadRequest, "status");
    }

    [Test]
    public async Task A_proposal_made_stale_by_a_later_edit_is_a_409_on_approval_and_stays_pending()
    {
        await _supervisor1.PostObjectAsync("/api/crypto/coins", Coin("DASH"));
        var pending = await ProposedAsync(await _supervisor1.PutAsJsonAsync("/api/crypto/coins/DASH/DASH", Coin("DASH", confirmations: 1, rowVersion: 1)), "fewer confirmations");
        // Meanwhile a stricter edit applies at once (more confirmations): the proposal was made on version 1.
        var stricter = await _supervisor1.PutObjectAsync("/api/crypto/coins/DASH/DASH", Coin("DASH", confirmations: 10, rowVersion: 1));
        Assert.That(stricter["rowVersion"]!.GetValue<int>(), Is.EqualTo(2));
        var rowsBefore = await PendingRowsAsync();
        await ApiAssert.ProblemAsync(await _supervisor2.PostAsJsonAsync($"/api/crypto/coins/pending-changes/{pending.Text("id")}/approve", new { }), HttpStatusCode.Conflict, "rowVersion");
        Assert.That((await StoredAsync("DASH"))["requiredConfirmations"]!.GetValue<int>(), Is.EqualTo(10), "the stale proposal did not overwrite the later edit");
        var still = (await _supervisor2.GetArrayAsync("/api/crypto/coins/pending-changes")).Single(p => p.Text("id") == pending.Text("id"))!;
        Assert.That(still.Text("status"), Is.EqualTo("Pending"));
        Assert.That(await PendingRowsAsync(), Is.EqualTo(rowsBefore));
    }

    [Test]
    public async Task Stricter_edits_and_both_switches_apply_at_once()
    {
        await _supervisor1.PostObjectAsync("/api/crypto/coins", Coin("ETC"));
        var stricter = await _supervisor1.PutObjectAsync("/api/crypto/coins/ETC/ETC", Coin("ETC", max: 10m, confirmations: 30, rowVersion: 1));
        Assert.That((stricter["maxWithdrawal"]!.GetValue<decimal>(), stricter["requiredConfirmations"]!.GetValue<int>()), Is.EqualTo((10m, 30)));
        var off = await _supervisor1.PostObjectAsync("/api/crypto/coins/ETC/ETC/withdrawal/disable", new { rowVersion = 2 });
        var on = await _supervisor1.PostObjectAsync("/api/crypto/coins/ETC/ETC/withdrawal/enable", new { rowVersion = off["rowVersion"]!.GetValue<int>() });
        Assert.That(on["withdrawalEnabled"]!.GetValue<bool>(), Is.True);
        Assert.That((await _supervisor2.GetArrayAsync("/api/crypto/coins/pending-changes")).Any(p => p.Text("entityKey") == "ETC/ETC"), Is.False);
    }
}
