using ApprovalEngine.Testing;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using TaskStatus = ApprovalEngine.Workflows.Runtime.TaskStatus;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>EfWorkflowUnitOfWork on PostgreSQL: what one step writes, optimistic concurrency, rollback, idempotent start.</summary>
public sealed class UnitOfWorkTests
{
    /// <summary>The unique index that makes a start idempotent per (definition, correlation id) for top-level instances.</summary>
    private const string CorrelationIndex = "ix_instances_definition_id_correlation_id";

    [Test]
    public async Task Committed_steps_read_back_identically()
    {
        var clock = new TestClock();
        var store = await StoreHarness.PostgresAsync(clock, Flows.Approval());
        var started = (await store.StartAsync("approval", "C-1", new Dictionary<string, object?> { ["amount"] = 125.5m })).Single();
        var id = started.State.Id;
        clock.Advance(TimeSpan.FromMinutes(5));
        var reviewed = (await store.CompleteAsync(id, Flows.Cs, "looks fine")).Single();

        await using (var db = store.Context())
        {
            var row = await db.Instances.AsNoTracking().SingleAsync(i => i.Id == id);
            var state = InstanceStateJson.Deserialize(row.StateJson);
            Assert.Multiple(() =>
            {
                Assert.That(InstanceStateJson.Serialize(state), Is.EqualTo(InstanceStateJson.Serialize(reviewed.State)));
                Assert.That(state.Variables["amount"], Is.EqualTo(125.5m));
                Assert.That(row.Version, Is.EqualTo(2));
                Assert.That(row.Status, Is.EqualTo("Running"));
                Assert.That(row.BusinessStatus, Is.EqualTo("InFinance"));
                Assert.That(row.Department, Is.EqualTo("FIN"));
                Assert.That(row.CorrelationId, Is.EqualTo("C-1"));
                Assert.That(row.CreatedAt, Is.EqualTo(started.State.CreatedAt));
                Assert.That(row.UpdatedAt, Is.EqualTo(reviewed.State.UpdatedAt));
            });

            var tasks = await db.Tasks.AsNoTracking().Where(t => t.InstanceId == id).OrderBy(t => t.CreatedAt).ToListAsync();
            var opened = started.TasksOpened.Single();
            Assert.That(tasks, Has.Count.EqualTo(2));
            Assert.Multiple(() =>
            {
                Assert.That(tasks[0].Id, Is.EqualTo(opened.Id));
                Assert.That(tasks[0].Title, Is.EqualTo("Task review"));
                Assert.That(tasks[0].Department, Is.EqualTo("CS"));
                Assert.That(tasks[0].DueAt, Is.EqualTo(opened.DueAt));
                Assert.That(tasks[0].Status, Is.EqualTo(nameof(TaskStatus.Completed)));
                Assert.That(tasks[0].ClosedAction, Is.EqualTo("approve"));
                Assert.That(tasks[0].ClosedBy, Is.EqualTo("alice"));
                Assert.That(tasks[0].ClosedAt, Is.EqualTo(clock.GetUtcNow()));
                Assert.That(tasks[1].Id, Is.EqualTo(reviewed.TasksOpened.Single().Id));
                Assert.That(tasks[1].Status, Is.EqualTo(nameof(TaskStatus.Open)));
                Assert.That(tasks[1].Department, Is.EqualTo("FIN"));
            });

            // Bookmark rows index exactly the waits in the state (the finance task and its SLA timer).
            var bookmarks = await db.Bookmarks.AsNoTracking().Where(b => b.InstanceId == id).Select(b => b.Id).ToListAsync();
            Assert.That(bookmarks, Is.EquivalentTo(reviewed.State.Bookmarks.Select(b => b.Id)));
        }

        clock.Advance(TimeSpan.FromMinutes(5));
        var approved = (await store.CompleteAsync(id, Flows.Finance)).Single();
        Assert.That(approved.State.Status, Is.EqualTo(InstanceStatus.Completed));

        await using (var db = store.Context())
        {
            var row = await db.Instances.AsNoTracking().SingleAsync(i => i.Id == id);
            var journal = await db.Journal.AsNoTracking().Where(j => j.InstanceId == id).OrderBy(j => j.Sequence).ToListAsync();
            var expected = started.Journal.Concat(reviewed.Journal).Concat(approved.Journal).ToList();
            Assert.Multiple(async () =>
            {
                Assert.That(row.Status, Is.EqualTo("Completed"));
                Assert.That(row.CompletedAt, Is.EqualTo(clock.GetUtcNow()));
                Assert.That(row.Version, Is.EqualTo(3));
                Assert.That(await db.Bookmarks.CountAsync(b => b.InstanceId == id), Is.Zero);
                Assert.That(await db.Tasks.CountAsync(t => t.InstanceId == id && t.Status == "Open"), Is.Zero);
                Assert.That(expected, Has.Count.GreaterThanOrEqualTo(3));
                Assert.That(journal.Select(j => j.Sequence), Is.EqualTo(Enumerable.Range(1, expected.Count).Select(i => (long)i)));
                Assert.That(journal.Select(j => j.Kind), Is.EqualTo(expected.Select(e => e.Kind)));
                Assert.That(journal.Select(j => j.ActivityId), Is.EqualTo(expected.Select(e => e.ActivityId)));
                Assert.That(journal.Single(j => j.Comment is not null).Comment, Is.EqualTo("looks fine"));
            });
        }
    }

    [Test]
    public async Task Second_of_two_steps_from_the_same_version_is_stale_and_changes_nothing()
    {
        var store = await StoreHarness.PostgresAsync(new TestClock(), Flows.Approval());
        var id = (await store.StartAsync("approval")).Single().State.Id;

        // Both users open the instance at version 1 and act on it.
        await using var dbA = store.Context();
        await using var dbB = store.Context();
        var unitA = store.Unit(dbA);
        var unitB = store.Unit(dbB);
        var stepA = await StoreHarness.CompleteOpenTaskAsync(unitA, store.Engine, id, Flows.Cs, "first");
        var stepB = await StoreHarness.CompleteOpenTaskAsync(unitB, store.Engine, id, Flows.Cs, "second");

        await using (var tx = await dbA.Database.BeginTransactionAsync())
        {
            await store.Coordinator().SaveAsync(unitA, stepA);
            await tx.CommitAsync();
        }
        var afterA = await store.SnapshotAsync();

        await using (var tx = await dbB.Database.BeginTransactionAsync())
        {
            var conflict = await Assert.ThrowsAsync<WorkflowConflictException>(async () => await store.Coordinator().SaveAsync(unitB, stepB));
            Assert.That(conflict!.Stale, Is.True);
            await tx.RollbackAsync();
        }

        // A third one that loads the instance only after A committed is refused before writing anything.
        await using (var dbC = store.Context())
        {
            var unitC = store.Unit(dbC);
            await using var tx = await dbC.Database.BeginTransactionAsync();
            var conflict = await Assert.ThrowsAsync<WorkflowConflictException>(async () => await unitC.SaveAsync(stepB, default));
            Assert.That(conflict!.Stale, Is.True);
        }

        Assert.That(await store.SnapshotAsync(), Is.EqualTo(afterA));
        Assert.That(afterA, Does.Contain(" v2 "));
    }

    [Test]
    public async Task Overlapping_transactions_on_one_instance_the_later_waits_then_is_stale()
    {
        var store = await StoreHarness.PostgresAsync(new TestClock(), Flows.Approval());
        var id = (await store.StartAsync("approval")).Single().State.Id;
        await using var dbA = store.Context();
        await using var dbB = store.Context();
        var unitA = store.Unit(dbA);
        var unitB = store.Unit(dbB);
        var stepA = await StoreHarness.CompleteOpenTaskAsync(unitA, store.Engine, id, Flows.Cs);
        var stepB = await StoreHarness.CompleteOpenTaskAsync(unitB, store.Engine, id, Flows.Cs);

        await using var txA = await dbA.Database.BeginTransactionAsync();
        await unitA.SaveAsync(stepA, default);
        await using var txB = await dbB.Database.BeginTransactionAsync();
        var saveB = Task.Run(async () => await unitB.SaveAsync(stepB, default));
        // B is seen waiting on a lock in PostgreSQL itself, not assumed to after a pause.
        Assert.That(await Eventually.TrueWithinAsync(TimeSpan.FromSeconds(10), async () =>
        {
            await using var probe = store.Context();
            return await probe.Database.SqlQueryRaw<long>("SELECT count(*) AS \"Value\" FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()").SingleAsync() > 0;
        }), Is.True, "B never waited on a lock");
        Assert.That(saveB.IsCompleted, Is.False, "B must wait for A's row lock");
        await txA.CommitAsync();
        var conflict = await Assert.ThrowsAsync<WorkflowConflictException>(async () => await saveB.WaitAsync(TimeSpan.FromSeconds(10)));
        Assert.That(conflict!.Stale, Is.True);
        await txB.RollbackAsync();
        await using var db = store.Context();
        Assert.That(await db.Instances.Where(i => i.Id == id).Select(i => i.Version).SingleAsync(), Is.EqualTo(2));
    }

    [Test]
    public async Task Saving_without_a_transaction_is_refused_before_writing()
    {
        var store = await StoreHarness.PostgresAsync(new TestClock(), Flows.Approval());
        var id = (await store.StartAsync("approval")).Single().State.Id;
        var before = await store.SnapshotAsync();
        await using var db = store.Context();
        var unit = store.Unit(db);
        var step = await StoreHarness.CompleteOpenTaskAsync(unit, store.Engine, id, Flows.Cs);
        await Assert.ThrowsAsync<InvalidOperationException>(async () => await unit.SaveAsync(step, default));
        Assert.That(await store.SnapshotAsync(), Is.EqualTo(before));
    }

    [Test]
    public async Task Rolled_back_start_leaves_no_instance_task_bookmark_or_journal()
    {
        var store = await StoreHarness.PostgresAsync(new TestClock(), Flows.Approval());
        await using (var db = store.Context())
        {
            var unit = store.Unit(db);
            var definition = (await unit.GetDefinitionAsync("approval", null, default))!;
            var step = store.Engine.Start(definition, new StartWorkflow { InstanceId = Guid.NewGuid(), CorrelationId = "C-rollback" });
            await using var tx = await db.Database.BeginTransactionAsync();
            await store.Coordinator().SaveAsync(unit, step);
            Assert.That(await db.Instances.CountAsync(), Is.EqualTo(1), "visible inside the transaction");
            await tx.RollbackAsync();
        }
        await using (var db = store.Context())
        {
            Assert.Multiple(async () =>
            {
                Assert.That(await db.Instances.CountAsync(), Is.Zero);
                Assert.That(await db.Tasks.CountAsync(), Is.Zero);
                Assert.That(await db.Bookmarks.CountAsync(), Is.Zero);
                Assert.That(await db.Journal.CountAsync(), Is.Zero);
            });
        }
    }

    [Test]
    public async Task Second_start_with_the_same_correlation_id_violates_the_unique_index()
    {
        var store = await StoreHarness.PostgresAsync(new TestClock(), Flows.Approval());
        await store.StartAsync("approval", "C-dup");

        var error = await Assert.ThrowsAsync<DbUpdateException>(async () => await store.StartAsync("approval", "C-dup"));
        Assert.That(IsCorrelationConflict(error!), Is.True, error!.InnerException?.Message);

        // Another correlation id, or none at all, is fine.
        await store.StartAsync("approval", "C-other");
        await store.StartAsync("approval");
        await store.StartAsync("approval");
        await using var db = store.Context();
        Assert.That(await db.Instances.CountAsync(), Is.EqualTo(4));
    }

    [Test]
    public async Task Concurrent_starts_with_the_same_correlation_id_let_exactly_one_win()
    {
        var store = await StoreHarness.PostgresAsync(new TestClock(), Flows.Approval());
        var results = await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => Task.Run(async () =>
        {
            try
            {
                await store.StartAsync("approval", "C-race");
                return "won";
            }
            catch (DbUpdateException ex) when (IsCorrelationConflict(ex))
            {
                return "duplicate";
            }
        })));
        Assert.That(results.Count(r => r == "won"), Is.EqualTo(1));
        await using var db = store.Context();
        Assert.That(await db.Instances.CountAsync(i => i.CorrelationId == "C-race"), Is.EqualTo(1));
    }

    [Test]
    public async Task Coordinator_commits_parent_and_child_in_one_transaction()
    {
        var (parent, child) = Flows.ParentAndChild(childWaits: false);
        var store = await StoreHarness.PostgresAsync(new TestClock(), parent, child);
        var saved = await store.StartAsync("parent", "P-1");

        // parent start, child start (ends at once), parent resumed: three steps, one commit.
        Assert.That(saved, Has.Count.EqualTo(3));
        await using var db = store.Context();
        var rows = await db.Instances.AsNoTracking().ToListAsync();
        var p = rows.Single(r => r.DefinitionId == "parent");
        var c = rows.Single(r => r.DefinitionId == "child");
        Assert.Multiple(async () =>
        {
            Assert.That(rows, Has.Count.EqualTo(2));
            Assert.That(c.ParentInstanceId, Is.EqualTo(p.Id));
            Assert.That(c.CorrelationId, Is.EqualTo("P-1"), "children inherit the correlation id; the unique index ignores them");
            Assert.That(c.Status, Is.EqualTo("Completed"));
            Assert.That(p.Status, Is.EqualTo("Completed"));
            Assert.That(p.BusinessStatus, Is.EqualTo("ParentDone"));
            Assert.That(p.Version, Is.EqualTo(2));
            Assert.That(InstanceStateJson.Deserialize(p.StateJson).Version, Is.EqualTo(2));
            var parentJournal = await db.Journal.Where(j => j.InstanceId == p.Id).OrderBy(j => j.Sequence).Select(j => j.Sequence).ToListAsync();
            Assert.That(parentJournal, Is.EqualTo(Enumerable.Range(1, parentJournal.Count).Select(i => (long)i)));
            Assert.That(parentJournal, Has.Count.EqualTo(saved[0].Journal.Count + saved[2].Journal.Count));
            Assert.That(await db.Journal.CountAsync(j => j.InstanceId == c.Id), Is.EqualTo(saved[1].Journal.Count));
        });
    }

    [Test]
    public async Task Waiting_child_and_parent_commit_or_roll_back_together_and_finish_together()
    {
        var (parent, child) = Flows.ParentAndChild(childWaits: true);
        var store = await StoreHarness.PostgresAsync(new TestClock(), parent, child);

        await using (var db = store.Context())
        {
            var unit = store.Unit(db);
            var step = store.Engine.Start((await unit.GetDefinitionAsync("parent", null, default))!, new StartWorkflow { InstanceId = Guid.NewGuid() });
            await using var tx = await db.Database.BeginTransactionAsync();
            Assert.That(await store.Coordinator().SaveAsync(unit, step), Has.Count.EqualTo(2));
            await tx.RollbackAsync();
        }
        Assert.That(await store.SnapshotAsync(), Is.Empty);

        var saved = await store.StartAsync("parent");
        var parentId = saved[0].State.Id;
        var childId = saved[1].State.Id;
        await using (var db = store.Context())
        {
            var p = InstanceStateJson.Deserialize((await db.Instances.AsNoTracking().SingleAsync(i => i.Id == parentId)).StateJson);
            Assert.That(p.Bookmarks.Single(b => b.Kind == BookmarkKind.Child).ChildInstanceId, Is.EqualTo(childId));
            Assert.That(await db.Tasks.CountAsync(t => t.InstanceId == childId && t.Status == "Open"), Is.EqualTo(1));
        }

        var finished = await store.CompleteAsync(childId, Flows.Cs);
        Assert.That(finished.Select(s => s.State.Id), Is.EqualTo(new[] { childId, parentId }));
        await using (var db = store.Context())
        {
            var rows = await db.Instances.AsNoTracking().ToDictionaryAsync(i => i.Id);
            Assert.Multiple(() =>
            {
                Assert.That(rows[childId].Status, Is.EqualTo("Completed"));
                Assert.That(rows[parentId].Status, Is.EqualTo("Completed"));
                Assert.That(rows[parentId].Version, Is.EqualTo(2));
            });
        }
    }

    /// <summary>
    /// How the server recognises a lost race on start-by-correlation-id: the INSERT fails on the partial unique index.
    /// It should roll back, then load and return the instance that won (definition id + correlation id, no parent).
    /// </summary>
    internal static bool IsCorrelationConflict(DbUpdateException ex) =>
        ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation, ConstraintName: CorrelationIndex };
}
