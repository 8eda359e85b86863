// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Text.Json.Nodes;
using ApprovalEngine.Scheduling;
using ApprovalEngine.Testing;
using ApprovalEngine.Workflows.Runtime;
using Npgsql;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>
/// V003 gives instances stored before ADR 7 what four eyes by identity needs: the starter (sub-workflows: the
/// top-level ancestor's) and the actors of completed tasks, without touching anything else.
/// </summary>
public sealed class TrustMigrationTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 30, 9, 0, 0, TimeSpan.Zero);

    private static string V003() => Migrator.PostgresScripts().Single(m => m.Version == 3).Sql;

    private static async Task<string> MigratedAsync()
    {
        var cs = await SharedPostgres.CreateDatabaseAsync("trust_v003");
        await using var db = TestDatabase.CreateContext(DatabaseProvider.Postgres, cs);
        await Migrator.MigrateAsync(db, [new SqlMigration(2, "quartz", SchedulingSetup.PostgresSchemaScript())]);
        return cs;
    }

    /// <summary>A state as the previous release stored it: no startedBy, requestedBy or actors.</summary>
    private static string LegacyState(Guid id, string definitionId, Guid? parent = null)
    {
        var node = InstanceStateJson.ToNode(new InstanceState
        {
            Id = id, DefinitionId = definitionId, DefinitionVersion = 1, Status = InstanceStatus.Running, ParentInstanceId = parent,
            CreatedAt = T0, UpdatedAt = T0, Variables = { ["amount"] = 100.50m, ["maker"] = "client:SA-1" },
        }).AsObject();
        node.Remove("startedBy");
        node.Remove("requestedBy");
        node.Remove("actors");
        return node.ToJsonString();
    }

    private static async Task ExecAsync(NpgsqlConnection connection, string sql, params object?[] args)
    {
        await using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        for (var i = 0; i < args.Length; i++) cmd.Parameters.Add(new NpgsqlParameter($"p{i}", args[i] ?? DBNull.Value));
        await cmd.ExecuteNonQueryAsync();
    }

    private static Task InsertInstanceAsync(NpgsqlConnection c, Guid id, string definitionId, Guid? parent) => ExecAsync(c,
        "INSERT INTO instances (id, definition_id, definition_version, status, priority, state_json, version, parent_instance_id, created_at, updated_at) " +
        "VALUES (@p0, @p1, 1, 'Running', 0, @p2, 3, @p3, @p4, @p4)", id, definitionId, LegacyState(id, definitionId, parent), parent, T0);

    private static Task JournalAsync(NpgsqlConnection c, Guid instance, long sequence, string kind, string user) => ExecAsync(c,
        "INSERT INTO journal (instance_id, sequence, timestamp, kind, user_id) VALUES (@p0, @p1, @p2, @p3, @p4)", instance, sequence, T0.AddMinutes(sequence), kind, user);

    private static Task TaskAsync(NpgsqlConnection c, Guid instance, string activity, string status, string? closedBy, int minute) => ExecAsync(c,
        "INSERT INTO tasks (id, instance_id, definition_id, definition_version, activity_id, title, status, priority, overdue, created_at, closed_at, closed_by) " +
        "VALUES (@p0, @p1, 'work-order-approval', 1, @p2, 'Approve', @p3, 0, false, @p4, @p5, @p6)",
        Guid.NewGuid(), instance, activity, status, T0, closedBy is null ? null : T0.AddMinutes(minute), closedBy);

    private static async Task<InstanceState> StateAsync(NpgsqlConnection c, Guid id)
    {
        await using var cmd = c.CreateCommand();
        cmd.CommandText = "SELECT state_json FROM instances WHERE id = @p0";
        cmd.Parameters.Add(new NpgsqlParameter("p0", id));
        return InstanceStateJson.Deserialize((string)(await cmd.ExecuteScalarAsync())!);
    }

    [Test]
    public async Task V003_records_starters_down_the_sub_workflow_tree_and_the_actors_of_completed_tasks()
    {
        var cs = await MigratedAsync();
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        Guid parent = Guid.NewGuid(), child = Guid.NewGuid(), grandchild = Guid.NewGuid(), orphan = Guid.NewGuid();
        await InsertInstanceAsync(c, parent, "crypto-coin-withdrawal", null);
        await InsertInstanceAsync(c, child, "work-order-approval", parent);
        await InsertInstanceAsync(c, grandchild, "work-order-approval", child);
        await InsertInstanceAsync(c, orphan, "sample-approval", null);
        await JournalAsync(c, parent, 1, "InstanceStarted", "maker1");
        await JournalAsync(c, parent, 2, "TaskCompleted", "checker9");
        await JournalAsync(c, child, 1, "InstanceStarted", "parent");
        await JournalAsync(c, grandchild, 1, "InstanceStarted", "parent");
        await TaskAsync(c, child, "firstApproval", "Completed", "checker1", 5);
        await TaskAsync(c, child, "secondApproval", "Completed", "checker2", 9);
        await TaskAsync(c, child, "secondApproval", "Completed", "checker3", 7);
        await TaskAsync(c, child, "firstApproval", "Cancelled", "timer", 6);
        await TaskAsync(c, child, "secondApproval", "Open", null, 0);

        await ExecAsync(c, V003());

        var (p, ch, g, o) = (await StateAsync(c, parent), await StateAsync(c, child), await StateAsync(c, grandchild), await StateAsync(c, orphan));
        Assert.That((p.StartedBy, ch.StartedBy, g.StartedBy), Is.EqualTo(("maker1", "maker1", "maker1")));
        Assert.That(o.StartedBy, Is.Null, "no journal entry: the starter stays unknown and four-eyes rules refuse");
        Assert.That(ch.Actors.Keys, Is.EquivalentTo(new[] { "firstApproval", "secondApproval" }));
        Assert.That(ch.Actors["firstApproval"], Is.EqualTo(new[] { "checker1" }));
        Assert.That(ch.Actors["secondApproval"], Is.EqualTo(new[] { "checker3", "checker2" }));
        Assert.That(p.Actors, Is.Empty);
        Assert.That((ch.Variables["amount"], ch.Variables["maker"], ch.ParentInstanceId, ch.CreatedAt), Is.EqualTo(((object)100.50m, (object)"client:SA-1", (Guid?)parent, T0)),
            "the rest of the state is unchanged");
    }

    [Test]
    public async Task V003_never_overwrites_what_the_engine_recorded()
    {
        var cs = await MigratedAsync();
        await using var c = new NpgsqlConnection(cs);
        await c.OpenAsync();
        var id = Guid.NewGuid();
        var recorded = InstanceStateJson.Serialize(new InstanceState
        {
            Id = id, DefinitionId = "work-order-approval", DefinitionVersion = 1, Status = InstanceStatus.Running, CreatedAt = T0, UpdatedAt = T0,
            StartedBy = "maker1", Actors = { ["firstApproval"] = ["checker1"] },
        });
        await ExecAsync(c, "INSERT INTO instances (id, definition_id, definition_version, status, priority, state_json, version, created_at, updated_at) VALUES (@p0, 'work-order-approval', 1, 'Running', 0, @p1, 2, @p2, @p2)", id, recorded, T0);
        await JournalAsync(c, id, 1, "InstanceStarted", "someone-else");
        await TaskAsync(c, id, "firstApproval", "Completed", "checker7", 3);

        await ExecAsync(c, V003());

        var state = await StateAsync(c, id);
        Assert.That((state.StartedBy, state.Actors["firstApproval"].Single()), Is.EqualTo(("maker1", "checker1")));
    }
}
