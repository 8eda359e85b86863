using ApprovalEngine.Testing;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.Data.Sqlite;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

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
    public async Task A_file_an_earlier_release_created_gets_the_tables_added_since()
    {
        await using (var db = _file.CreateContext()) await Migrator.MigrateAsync(db, []);
        await using (var connection = new SqliteConnection(_file.ConnectionString))
        {
            await connection.OpenAsync();
            // What a file from before the event inbox and start triggers lacks.
            foreach (var table in new[] { "events", "event_deliveries", "start_triggers", "trigger_starts" })
            {
                await using var drop = new SqliteCommand($"DROP TABLE {table}", connection);
                await drop.ExecuteNonQueryAsync();
            }
        }
        await using (var db = _file.CreateContext())
        {
            await Migrator.MigrateAsync(db, []);
            Assert.That(await db.Events.CountAsync(), Is.Zero);
            Assert.That(await db.TriggerStarts.CountAsync(), Is.Zero);
            db.Events.Add(new Entities.EventRecord { Id = Guid.NewGuid(), Name = "e", CorrelationId = "c", Sender = "s", Status = "Waiting", IdempotencyKey = "k" });
            db.Events.Add(new Entities.EventRecord { Id = Guid.NewGuid(), Name = "e", CorrelationId = "c", Sender = "s", Status = "Waiting", IdempotencyKey = "k" });
            // The unique index came back with its table.
            await Assert.ThatAsync(() => db.SaveChangesAsync(), Throws.InstanceOf<DbUpdateException>());
        }
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
    public async Task A_committed_timer_fires_once_through_the_poller_on_sqlite()
    {
        var store = await StoreAsync(TimeProvider.System, Flows.Delay("PT1S"));
        await using var node = await EngineNode.StartAsync(store, postgres: false, "sqlite-test");
        var w = System.Diagnostics.Stopwatch.StartNew();
        var id = (await node.StartAsync("delay")).State.Id;
        // Before ADR 8 Quartz's in-memory SQLite lock against the step's database lock could stall a step for seconds.
        Assert.That(w.Elapsed, Is.LessThan(TimeSpan.FromSeconds(10)), "the step waited for a lock");

        Assert.That(await Eventually.TrueWithinAsync(TimeSpan.FromSeconds(15), async () =>
        {
            await using var db = store.Context();
            return await db.Instances.AnyAsync(i => i.Id == id && i.Status == "Completed");
        }), Is.True, "the timer never fired");
        await using var check = store.Context();
        Assert.That(await check.Bookmarks.CountAsync(), Is.Zero, "a fired timer's row stayed");
        Assert.That(await check.Journal.CountAsync(j => j.InstanceId == id && j.ActivityId == "wait" && j.Kind == Workflows.Runtime.JournalKinds.ActivityCompleted), Is.EqualTo(1));
    }

    [Test]
    public async Task Engine_tables_are_created_even_when_Quartz_provisioned_its_tables_first()
    {
        // Start-up order is not guaranteed: the Quartz hosted service may create qrtz_* before the migrator runs.
        var services = new Microsoft.Extensions.DependencyInjection.ServiceCollection();
        services.AddLogging();
        services.AddSingleton<Microsoft.Extensions.Hosting.IHostApplicationLifetime, StartedLifetime>();
        services.AddSingleton<Workflows.Hosting.IWorkflowTriggerHandler>(new NoTriggers());
        Scheduling.SchedulingSetup.AddWorkflowScheduling(services, false, _file.ConnectionString, TimeProvider.System, "sqlite-order");
        await using (var provider = services.BuildServiceProvider())
        {
            var hosted = provider.GetServices<Microsoft.Extensions.Hosting.IHostedService>().ToList();
            foreach (var h in hosted) await h.StartAsync(CancellationToken.None);
            foreach (var h in hosted) await h.StopAsync(CancellationToken.None);
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

internal sealed class NoTriggers : Workflows.Hosting.IWorkflowTriggerHandler
{
    public Task FireTimerAsync(Guid instanceId, Guid bookmarkId, CancellationToken cancellationToken) => Task.CompletedTask;

    public Task RunJobAsync(Guid instanceId, Guid jobId, CancellationToken cancellationToken) => Task.CompletedTask;
}
