using ApprovalEngine.Testing;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>The embedded default: SQLite in a file, created from the model, Quartz provisioning its own tables.</summary>
public sealed class SqliteTests
{
    private static readonly string[] EngineTables = ["definitions", "definition_versions", "instances", "tasks", "bookmarks", "journal", "jobs", "incidents", "wd_requests"];
    private SqliteTempDatabase _file = null!;

    [SetUp]
    public void CreateFile() => _file = new SqliteTempDatabase();

    [TearDown]
    public void DeleteFile() => _file.Dispose();

    private async Task<StoreHarness> StoreAsync(TimeProvider clock, params Workflows.Definitions.WorkflowDefinition[] definitions)
    {
        var store = new StoreHarness(DatabaseProvider.Sqlite, _file.ConnectionString, clock);
        await store.MigrateAndPublishAsync(definitions);
        return store;
    }

    [Test]
    public async Task Migrator_creates_the_model_and_a_second_run_is_harmless()
    {
        await using (var db = _file.CreateContext())
        {
            await Migrator.MigrateAsync(db, []);
            await Migrator.MigrateAsync(db, []);
        }
        await using var connection = new SqliteConnection(_file.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = new SqliteCommand("SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name)", connection);
        var tables = ((string)(await cmd.ExecuteScalarAsync())!).Split(',');
        Assert.That(tables, Is.SupersetOf(EngineTables));
    }

    [Test]
    public async Task Step_saved_and_read_back_with_journal_numbering()
    {
        var clock = new TestClock();
        var store = await StoreAsync(clock, Flows.Approval());
        var started = (await store.StartAsync("approval", "S-1")).Single();
        clock.Advance(TimeSpan.FromMinutes(1));
        var reviewed = (await store.CompleteAsync(started.State.Id, Flows.Cs)).Single();

        await using var db = store.Context();
        var row = await db.Instances.AsNoTracking().SingleAsync();
        var journal = await db.Journal.AsNoTracking().OrderBy(j => j.Sequence).Select(j => j.Sequence).ToListAsync();
        Assert.Multiple(async () =>
        {
            Assert.That(row.StateJson, Is.EqualTo(InstanceStateJson.Serialize(reviewed.State)));
            Assert.That(row.Version, Is.EqualTo(2));
            Assert.That(row.UpdatedAt, Is.EqualTo(clock.GetUtcNow()));
            Assert.That(journal, Is.EqualTo(Enumerable.Range(1, started.Journal.Count + reviewed.Journal.Count).Select(i => (long)i)));
            Assert.That(await db.Tasks.CountAsync(t => t.Status == "Open" && t.Department == "FIN"), Is.EqualTo(1));
        });
    }

    [Test]
    public async Task Step_from_an_old_version_is_stale()
    {
        var store = await StoreAsync(new TestClock(), Flows.Approval());
        var id = (await store.StartAsync("approval")).Single().State.Id;
        await using var dbA = store.Context();
        await using var dbB = store.Context();
        var unitA = store.Unit(dbA);
        var unitB = store.Unit(dbB);
        var stepA = await StoreHarness.CompleteOpenTaskAsync(unitA, store.Engine, id, Flows.Cs);
        var stepB = await StoreHarness.CompleteOpenTaskAsync(unitB, store.Engine, id, Flows.Cs);
        await using (var tx = await dbA.Database.BeginTransactionAsync())
        {
            await unitA.SaveAsync(stepA, default);
            await tx.CommitAsync();
        }
        var afterA = await store.SnapshotAsync();
        await using (var tx = await dbB.Database.BeginTransactionAsync())
        {
            var conflict = await Assert.ThrowsAsync<WorkflowConflictException>(async () => await unitB.SaveAsync(stepB, default));
            Assert.That(conflict!.Stale, Is.True);
            await tx.RollbackAsync();
        }
        Assert.That(await store.SnapshotAsync(), Is.EqualTo(afterA));
    }

    [Test]
    public async Task Quartz_on_sqlite_provisions_its_schema_and_fires_a_committed_timer_once()
    {
        var store = await StoreAsync(TimeProvider.System, Flows.Delay("PT1S"));
        var handler = new RecordingTriggerHandler();
        var w = System.Diagnostics.Stopwatch.StartNew();
        await using var node = await SchedulerNode.StartAsync(false, _file.ConnectionString, handler, "sqlite-test");
        w.Restart();
        await node.SaveStepAsync(store, unit => SchedulerNode.StartStepAsync(store, unit, "delay"), commit: true);
        // Quartz's in-memory SQLite lock vs the step's database lock can stall a step until Quartz's busy timeout.
        Assert.That(w.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the step waited for Quartz's 30 s default busy timeout");
        await using var db = store.Context();
        var timerId = await db.SingleTimerIdAsync(await db.Instances.Select(i => i.Id).SingleAsync());

        Assert.That(await Eventually.TrueWithin(TimeSpan.FromSeconds(10), () => handler.Total >= 1), Is.True, "the timer never fired");
        Assert.That(await Eventually.NoTriggerLeftAsync(store.ConnectionString, postgres: false), Is.True, "the fired trigger was never removed");
        Assert.That(handler.TimerFires, Is.EquivalentTo(new Dictionary<Guid, int> { [timerId] = 1 }));
    }

    [Test]
    public async Task Engine_tables_are_created_even_when_Quartz_provisioned_its_tables_first()
    {
        // Start-up order is not guaranteed: the Quartz hosted service may create qrtz_* before the migrator runs.
        var handler = new RecordingTriggerHandler();
        await using (await SchedulerNode.StartAsync(false, _file.ConnectionString, handler, "sqlite-order"))
        {
        }
        await using (var db = _file.CreateContext())
        {
            await Migrator.MigrateAsync(db, []);
        }
        await using (var db = _file.CreateContext())
        {
            Assert.That(await db.Instances.CountAsync(), Is.Zero);
        }
    }
}
