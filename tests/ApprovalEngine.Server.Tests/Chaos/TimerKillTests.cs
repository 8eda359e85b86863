using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Chaos;

/// <summary>
/// Two nodes fire one database's timers (ADR 8); one of them is killed with SIGKILL while they fall due. The rows it
/// had leased wait for the lease (2 s here) and the survivor fires them: every timer fires, none twice.
/// </summary>
[TestFixture]
[Category("Chaos")]
public sealed class TimerKillTests : ChaosFixture
{
    private const int Instances = 500;
    private const string Flow = "chaos-delay";
    private const string LeasedByASql = "SELECT count(*) FROM bookmarks WHERE lease_until > clock_timestamp() + interval '2 seconds'";

    [Test]
    public async Task A_node_killed_while_timers_fall_due_loses_none_and_fires_none_twice()
    {
        var connection = await SharedPostgres.CreateDatabaseAsync("chaos_timers");
        var cluster = $"chaos-{Guid.NewGuid():N}";
        var db = Own(new ChaosDatabase(connection));

        // Node A: a real process, so it can die without a word. Node B in-process, so its poller can be asked what it fired.
        // A fires one timer at a time from batches of up to 50, so it holds leased rows for a while after each take, and
        // leases them for 4 s where B leases for 2 s: a row leased until more than 2 s from now can only be A's.
        var a = await StartNodeAsync("A", connection, cluster, new Dictionary<string, string>
        {
            ["Engine:PollConcurrency"] = "1",
            ["Engine:PollBatchSize"] = "50",
            ["Engine:LeaseSeconds"] = "4",
        });
        var b = Own(ApiFactory.PostgresOn(connection, new Dictionary<string, string?>
        {
            ["Engine:SchedulerName"] = cluster,
            ["Engine:LeaseSeconds"] = "2",
            ["Engine:PollIntervalMilliseconds"] = "200",
        }));
        var nodeA = Own(NodeClients.Of(a));
        var nodeB = Own(NodeClients.Of("B", b));
        Assert.That(await WaitForAsync(async () => (await nodeB.System.GetAsync("/api/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60)),
            Is.True, "node B never became ready");
        var pollerB = b.Services.GetRequiredService<DueWorkPoller>();
        Report("node B (in-process) ready");

        await nodeA.PublishAsync(TestFlows.Delay(Flow, "PT5S"));

        const string completedSql = "SELECT count(*) FROM instances WHERE definition_id = @flow AND status = 'Completed'";
        var completed = () => db.CountAsync(completedSql, ("flow", Flow));

        // Starts go to B while the timers of the first ones fall due on both nodes. A dies once a fifth of them fired
        // (whatever the machine's speed) at a moment it holds leased rows (three or more: one may be firing as it dies,
        // the others are left), while timers still fall due and are written.
        var started = new ConcurrentBag<Guid>();
        var failures = new ConcurrentBag<string>();
        var startClock = Stopwatch.StartNew();
        var startsBegan = Clock.Elapsed;
        var next = -1;
        var starting = Task.WhenAll(Enumerable.Range(0, 8).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < Instances; i = Interlocked.Increment(ref next))
            {
                using var response = await nodeB.System.PostAsJsonAsync($"/api/definitions/{Flow}/instances", new { correlationId = $"t-{i}", input = new { } });
                var body = await response.ReadObjectAsync();
                if (response.StatusCode == HttpStatusCode.Created) started.Add(Guid.Parse(body.Text("id")));
                else failures.Add($"{(int)response.StatusCode} {body.ToJsonString()}");
            }
            return startClock.Elapsed;
        }));

        // The kill is sent in the same continuation as the look that saw A's leases, so A has no time to fire them all.
        long firedBeforeKill = 0;
        var firing = await WaitForAsync(async () =>
        {
            if (await completed() < Instances / 5 || await db.CountAsync(LeasedByASql) < 3) return false;
            a.SendKill();
            firedBeforeKill = pollerB.TimersFired;
            return true;
        }, TimeSpan.FromSeconds(90), TimeSpan.FromMilliseconds(20));
        Assert.That(firing, Is.True, $"within 90 s, {await completed()} of {Instances} timers fired and A never held three leases at 20 % or more");
        await a.KillHardAsync();
        var killedAt = Clock.Elapsed;
        var completedAtKill = await completed();
        var bookmarksAtKill = await db.CountAsync("SELECT count(*) FROM bookmarks WHERE due_at IS NOT NULL");
        var dueAtKill = await db.CountAsync("SELECT count(*) FROM bookmarks WHERE due_at <= now()");
        var leasedAtKill = await db.RowsAsync("SELECT instance_id, lease_until FROM bookmarks WHERE lease_until > clock_timestamp()",
            r => (Instance: r.GetGuid(0), Until: r.GetFieldValue<DateTimeOffset>(1)));
        var heldByA = await db.CountAsync(LeasedByASql);
        Report($"SIGKILL A (pid {a.ProcessId}) with {completedAtKill} of {Instances} completed, {started.Count} started, {bookmarksAtKill} timers waiting ({dueAtKill} due, {leasedAtKill.Count} leased, {heldByA} of them surely by A); B had fired {firedBeforeKill}");
        // Otherwise the kill came too late to test anything.
        Assert.That(bookmarksAtKill, Is.GreaterThan(0), "every timer had fired before A was killed");

        var startSeconds = (await starting.WaitAsync(TimeSpan.FromSeconds(120))).Max().TotalSeconds;
        Assert.That(failures, Is.Empty, "starts that did not answer 201");
        Assert.That(started.Distinct().Count(), Is.EqualTo(Instances));
        Report($"{Instances} instances started through B in {startSeconds:0.0} s ({Instances / startSeconds:0}/s); each timer falls due 5 s after its start");

        // The last timer falls due 5 s after the last start; A's leases end at most 4 s after the kill.
        var allDone = await WaitForAsync(async () => await completed() == Instances, TimeSpan.FromSeconds(30));
        var doneAfter = Clock.Elapsed - killedAt;
        var afterLastStart = Clock.Elapsed - startsBegan - TimeSpan.FromSeconds(startSeconds);
        Report($"after the kill: {await completed()} of {Instances} completed {doneAfter.TotalSeconds:0.0} s later, {afterLastStart.TotalSeconds:0.0} s after the last start; B fired {pollerB.TimersFired} in all ({pollerB.TimersFired - firedBeforeKill} after the kill), so A fired at least {Instances - pollerB.TimersFired}");
        Assert.That(allDone, Is.True, $"not every instance completed within 30 s of the last start ({await completed()} of {Instances})");

        // Each instance: completed, its delay completed exactly once (a timer fired twice would have run it twice), no row left.
        var rows = await db.RowsAsync(
            """
            SELECT i.id, i.status,
                   (SELECT count(*) FROM journal j WHERE j.instance_id = i.id AND j.activity_id = 'delay' AND j.kind = 'ActivityCompleted') AS fired,
                   (SELECT count(*) FROM journal j WHERE j.instance_id = i.id AND j.kind = 'InstanceCompleted') AS ended
            FROM instances i WHERE i.definition_id = @flow
            """,
            r => (Id: r.GetGuid(0), Status: r.GetString(1), Fired: r.GetInt64(2), Ended: r.GetInt64(3)), ("flow", Flow));
        Assert.Multiple(() =>
        {
            Assert.That(rows.Select(r => r.Id), Is.EquivalentTo(started), "the instances in the database are not the ones started");
            Assert.That(rows.Where(r => r.Status != "Completed").Select(r => $"{r.Id} {r.Status}"), Is.Empty, "instances not completed");
            Assert.That(rows.Where(r => r.Fired != 1).Select(r => $"{r.Id}: delay completed {r.Fired} times"), Is.Empty, "timers not fired exactly once");
            Assert.That(rows.Where(r => r.Ended != 1).Select(r => $"{r.Id}: completed {r.Ended} times"), Is.Empty, "instances not completed exactly once");
        });
        Assert.That(await db.CountAsync("SELECT count(*) FROM bookmarks"), Is.Zero, "bookmark rows left behind");

        // Rows leased at the kill that fired only once their lease had run out were A's: B took them over.
        var firedAt = (await db.RowsAsync("SELECT instance_id, timestamp FROM journal WHERE activity_id = 'delay' AND kind = 'ActivityCompleted'",
            r => (Instance: r.GetGuid(0), At: r.GetFieldValue<DateTimeOffset>(1)))).ToDictionary(r => r.Instance, r => r.At);
        var takenOver = leasedAtKill.Count(l => firedAt[l.Instance] >= l.Until);
        Report($"verified {rows.Count} instances, each timer fired once; {takenOver} of the {leasedAtKill.Count} rows leased at the kill fired after their lease ran out (A's, taken over by B); total {Clock.Elapsed.TotalSeconds:0.0} s");
        Assert.That(takenOver, Is.GreaterThan(0), "no row A held when it died was taken over after its lease: the kill did not test the takeover");
    }
}
