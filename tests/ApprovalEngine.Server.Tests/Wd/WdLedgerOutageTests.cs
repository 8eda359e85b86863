using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Wd;

/// <summary>
/// ADR 19: while the trading platform is down the WD card still opens (so Reject and Back to CS stay possible), shows no
/// account figures and offers no approving action; an approving action is a 503 on the WD route and on the generic task
/// route, and changes nothing. The outage is injected in front of the real (database) sandbox ledger, which answers
/// again as soon as it is switched off.
/// </summary>
[TestFixture]
public sealed class WdLedgerOutageTests
{
    private ApiFactory _factory = null!;
    private WdDriver _wd = null!;
    private SwitchableLedger? _ledger;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        _factory = (await ApiFactory.PostgresAsync()).WithServices(services =>
            services.AddSingleton<ILedger>(sp => _ledger = new SwitchableLedger(sp.GetRequiredService<AdapterBinder>().Get<ILedger>(AdapterKind.Ledger))));
        _wd = new WdDriver(_factory);
    }

    [OneTimeTearDown]
    public async Task StopServerAsync() => await _factory.DisposeAsync();

    [TearDown]
    public void PlatformBack()
    {
        if (_ledger is not null) _ledger.Down = false;
    }

    private static string[] Available(JsonObject card) =>
        [.. card["actionDetails"]!.AsArray().Where(a => a!["available"]!.GetValue<bool>()).Select(a => a!["name"]!.GetValue<string>())];

    [Test]
    public async Task During_a_ledger_outage_the_backoffice_card_opens_without_figures_and_offers_only_the_actions_that_need_none()
    {
        var card = await _wd.DriveToAsync("ApprovedByRetention/Backoffice", amount: 100m);
        Assert.That(_ledger, Is.Not.Null, "the server resolved the switchable ledger");
        Assert.That(card["accountFacts"], Is.Not.Null, "figures are shown while the platform answers");

        _ledger!.Down = true;
        var during = await _wd.CardAsync(card.Id(), "supervisor1");
        Assert.That(during["accountFacts"], Is.Null, "no stale figures are shown as current");
        var approve = during["actionDetails"]!.AsArray().Single(a => a!["name"]!.GetValue<string>() == "Approve")!;
        Assert.That(approve["available"]!.GetValue<bool>(), Is.False);
        Assert.That(approve["reason"]?.GetValue<string>(), Is.Not.Null.And.Not.Empty, "the card says why Approve is not offered");
        Assert.That(Available(during), Does.Contain("Reject"), "stopping a withdrawal never waits for the platform");
        Assert.That(during.Actions(), Does.Not.Contain("Approve"));

        _ledger.Down = false;
        var after = await _wd.CardAsync(card.Id(), "supervisor1");
        Assert.That(after["accountFacts"], Is.Not.Null);
        Assert.That(after.Actions(), Does.Contain("Approve"), "offered again once the platform answers");
    }

    [Test]
    public async Task During_a_ledger_outage_approving_is_a_503_on_the_WD_route_and_the_generic_task_route_and_changes_nothing()
    {
        var card = await _wd.DriveToAsync("ApprovedByRetention/Backoffice", amount: 100m);
        var before = await _wd.CardAsync(card.Id(), "supervisor1");
        var version = before["instanceVersion"]!.GetValue<long>();

        _ledger!.Down = true;
        var wdRoute = await (await _wd.ActAsync("supervisor1", card.Id(), "Approve")).ProblemAsync(HttpStatusCode.ServiceUnavailable);
        Assert.That(wdRoute["title"]!.GetValue<string>(), Does.Contain("trading platform"));
        var generic = await (await _wd.AsAsync("supervisor1")).PostAsJsonAsync($"/api/tasks/{before["taskId"]!.GetValue<string>()}/complete", new { action = "Approve", comment = "checked" });
        await generic.ProblemAsync(HttpStatusCode.ServiceUnavailable);

        _ledger.Down = false;
        var after = await _wd.CardAsync(card.Id(), "supervisor1");
        Assert.That((after.Status(), after.Department(), after["instanceVersion"]!.GetValue<long>()), Is.EqualTo(("ApprovedByRetention", "Backoffice", version)), "nothing was written");
        Assert.That(after["transactions"]!.AsArray(), Is.Empty);
        var approved = await _wd.MustActAsync("supervisor1", card.Id(), "Approve");
        Assert.That(approved.Status(), Is.Not.EqualTo("ApprovedByRetention"), "the same action passes once the platform is back");
    }

    [Test]
    public async Task During_a_ledger_outage_Backoffice_can_still_reject()
    {
        var card = await _wd.DriveToAsync("ApprovedByRetention/Backoffice", amount: 100m);
        _ledger!.Down = true;
        var rejected = await _wd.MustActAsync("supervisor1", card.Id(), "Reject", comment: "platform down, customer asked to stop");
        Assert.That(rejected.Status(), Is.EqualTo("Rejected"));
    }

    /// <summary>The real ledger behind a switch: when down, every call fails as an unreachable platform does.</summary>
    private sealed class SwitchableLedger(ILedger inner) : ILedger
    {
        public volatile bool Down;

        private void ThrowIfDown()
        {
            if (Down) throw new HttpRequestException("connection refused (test outage)");
        }

        public Task<TradingAccount?> GetAccountAsync(string account, CancellationToken cancellationToken)
        {
            ThrowIfDown();
            return inner.GetAccountAsync(account, cancellationToken);
        }

        public Task<string?> GetLastDepositMethodAsync(string account, CancellationToken cancellationToken)
        {
            ThrowIfDown();
            return inner.GetLastDepositMethodAsync(account, cancellationToken);
        }

        public Task<BalanceOperationResult> ApplyBalanceOperationAsync(BalanceOperationRequest request, CancellationToken cancellationToken)
        {
            ThrowIfDown();
            return inner.ApplyBalanceOperationAsync(request, cancellationToken);
        }
    }
}
