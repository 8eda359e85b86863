using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Hosting;
using ApprovalEngine.Server.Features.Fiat.Bank;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Upgrade;

/// <summary>
/// Upgrade in place from release 6c74ccb (the release before the event inbox, Cancelling and recorded commands): its
/// database (release-6c74ccb.sql, made by make-previous-release-db.sh --driver rules) is restored and the current
/// server starts on it. The rules added since have a defined behaviour for what that release stored: an event key it
/// kept stays a duplicate, a payout it left in flight is not silently dropped by a cancel, instances without recorded
/// commands are "not previewable", and its instances can move to a newer version under the same checks.
/// </summary>
[TestFixture]
public sealed class UpgradeFromRelease6c74ccbTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private JsonObject _manifest = null!;
    private ApiFactory _factory = null!;
    private HttpClient _system = null!;
    private HttpClient _supervisor = null!;
    private List<string> _fiatRowsAtStart = null!;

    [OneTimeSetUp]
    public async Task RestoreAndStartAsync()
    {
        var folder = Path.Combine(AppContext.BaseDirectory, "Upgrade");
        _manifest = JsonNode.Parse(await File.ReadAllTextAsync(Path.Combine(folder, "release-6c74ccb.manifest.json")))!.AsObject();
        var connection = await SharedPostgres.CreateDatabaseAsync("upgrade_6c74ccb");
        await ReleaseDatabase.RestoreAsync(connection, Path.Combine(folder, _manifest.Text("dump")));
        // No pollers: the payout the old release left Pending would otherwise run at start-up, before the test can
        // cancel around it. The test runs it exactly as a poller does (WorkflowRunner.RunJobAsync).
        _factory = ApiFactory.PostgresOn(connection, new() { ["Engine:RunPollers"] = "false" });
        _system = _factory.AsSystem();
        _supervisor = await _factory.AsUserAsync("supervisor1");
        // Read before any test takes a step: only the migration's back-fill can have written these rows.
        _fiatRowsAtStart = await _factory.QueryAsync(db => db.Database
            .SqlQueryRaw<string>("SELECT record_no || '|' || customer_id || '|' || amount::text || '|' || status || '|' || channel_id || '|' || business_day::text AS \"Value\" FROM fiat_withdrawals ORDER BY record_no")
            .ToListAsync());
    }

    [OneTimeTearDown]
    public async Task StopAsync()
    {
        _system.Dispose();
        _supervisor.Dispose();
        await _factory.DisposeAsync();
    }

    private JsonObject Scenario(string name) => _manifest["scenarios"]![name]!.AsObject();

    private Task<JsonObject> InstanceAsync(string id) => _supervisor.GetObjectAsync($"/api/instances/{id}");

    [Test]
    public async Task An_event_key_the_old_release_stored_stays_a_duplicate_and_changes_nothing()
    {
        var deposit = Scenario("depositWithEventKey");
        var before = await InstanceAsync(deposit.Text("id"));
        var retry = await _system.PostObjectAsync("/api/events/BlockConfirmations", new
        {
            correlationId = deposit.Text("txid"),
            payload = new { confirmations = 1 },
            idempotencyKey = deposit.Text("eventKey"),
        });
        var after = await InstanceAsync(deposit.Text("id"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(retry["duplicate"]!.GetValue<bool>(), Is.True, retry.ToJsonString());
            Assert.That(retry["resumed"]!.GetValue<int>(), Is.Zero);
            Assert.That(after["concurrencyVersion"]!.GetValue<long>(), Is.EqualTo(before["concurrencyVersion"]!.GetValue<long>()), "the retry wrote a step");
        }
    }

    [Test]
    public async Task A_deposit_the_old_release_left_waiting_is_credited_by_new_confirmations()
    {
        var deposit = Scenario("depositWithEventKey");
        for (var confirmations = 2; confirmations <= deposit["requiredConfirmations"]!.GetValue<int>(); confirmations++)
        {
            var delivered = await _system.PostObjectAsync("/api/events/BlockConfirmations", new
            {
                correlationId = deposit.Text("txid"),
                payload = new { confirmations },
                idempotencyKey = $"after-upgrade-{confirmations}",
            });
            Assert.That(delivered["resumed"]!.GetValue<int>(), Is.EqualTo(1), delivered.ToJsonString());
        }
        Assert.That(await Poll.UntilAsync(async () => (await InstanceAsync(deposit.Text("id")))["openTasks"]!.AsArray().Any(t => t.Text("activityId") == "credited"), Bound),
            Is.True, "the deposit was not credited");
        var instance = await InstanceAsync(deposit.Text("id"));
        Assert.That(instance["version"]!.GetValue<int>(), Is.EqualTo(_manifest["definitionVersions"]!["crypto-deposit"]!.GetValue<int>()), "it stays on its stored version");
    }

    [Test]
    public async Task A_cancel_during_the_payout_the_old_release_left_in_flight_waits_and_the_late_payment_raises_an_incident()
    {
        var fiat = Scenario("fiatPayoutInFlight");
        var id = Guid.Parse(fiat.Text("id"));
        var jobId = Guid.Parse(fiat.Text("jobId"));
        var bank = _factory.Services.GetRequiredService<DatabaseBankSandbox>();
        bank.Faults.CancelSupported = false; // the bank cannot call it off: the payment will go out after the cancel

        using var response = await _supervisor.PostAsJsonAsync($"/api/instances/{id}/cancel", new { reason = "customer withdrew the request" });
        var cancelled = await response.ReadObjectAsync();
        Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.OK), cancelled.ToJsonString());
        Assert.That(cancelled.Text("status"), Is.EqualTo("Cancelling"), "the stored payout is in flight: the cancel waits for it");

        // The payout runs as the pollers run it, and succeeds after the cancel.
        await _factory.Services.GetRequiredService<WorkflowRunner>().RunJobAsync(id, jobId, CancellationToken.None);

        var instance = await InstanceAsync(id.ToString());
        var journal = (await _supervisor.GetObjectAsync($"/api/instances/{id}/journal")).Items().Select(e => e!.Text("kind")).ToList();
        var incidents = (await _supervisor.GetObjectAsync($"/api/incidents?instanceId={id}")).Items();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(instance.Text("status"), Is.EqualTo("Cancelled"));
            Assert.That(journal, Does.Contain("InstanceCancelling").And.Contain("LateResult").And.Contain("InstanceCancelled"));
            Assert.That(incidents.Select(i => i!.Text("message")), Has.Some.Contains("Money moved after the instance was cancelled"));
            Assert.That(bank.Payouts.Count(p => p.Reference == fiat.Text("recordNo")), Is.EqualTo(1), "paid exactly once");
            Assert.That(await _factory.QueryAsync(db => db.Jobs.Where(j => j.Id == jobId).Select(j => j.Status).SingleAsync()), Is.EqualTo("Done"));
        }
    }

    [Test]
    public void The_migration_lists_the_fiat_withdrawal_the_old_release_stored_among_the_withdrawal_records()
    {
        var fiat = Scenario("fiatPayoutInFlight");
        Assert.That(_fiatRowsAtStart, Has.Some.StartsWith($"{fiat.Text("recordNo")}|FC-R11-1|1000.00000000|Paying|ICBC-001-FPS|"), string.Join("; ", _fiatRowsAtStart));
    }

    [Test]
    public async Task The_impact_preview_lists_instances_of_the_old_release_as_not_previewable_with_the_reason()
    {
        var analyst = await _factory.AsUserAsync("analyst1");
        var current = (await analyst.GetObjectAsync("/api/definitions/crypto-deposit"))["definition"]!.AsObject();
        current.Remove("version");
        using (var saved = await analyst.PutAsJsonAsync("/api/definitions/crypto-deposit/draft", current))
        {
            Assert.That(saved.IsSuccessStatusCode, Is.True, await saved.Content.ReadAsStringAsync());
        }
        var report = await analyst.PostObjectAsync("/api/definitions/crypto-deposit/draft/impact?limit=200", null);
        var deposit = report["items"]!.AsArray().Single(i => i!.Text("instanceId") == Scenario("depositWithEventKey").Text("id"))!;
        Assert.That(deposit.Text("impact"), Is.EqualTo("notPreviewable"), deposit.ToJsonString());
        Assert.That(deposit.Text("reason"), Does.Contain("recorded").Or.Contain("before this release"));
    }
}
