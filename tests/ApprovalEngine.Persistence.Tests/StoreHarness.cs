using System.Text;
using ApprovalEngine.Scheduling;
using ApprovalEngine.Testing;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>Runs engine steps against a real database the way the server does: one transaction per command.</summary>
internal sealed class StoreHarness(DatabaseProvider provider, string connectionString, TimeProvider clock)
{
    public WorkflowEngine Engine { get; } = new(ActivityRegistry.CreateDefault(new QuartzCronSchedule()), clock);

    public DefinitionCache Definitions { get; } = new();

    public string ConnectionString => connectionString;

    public static async Task<StoreHarness> PostgresAsync(TimeProvider clock, params WorkflowDefinition[] definitions)
    {
        var cs = await SharedPostgres.CreateDatabaseAsync("uow");
        var harness = new StoreHarness(DatabaseProvider.Postgres, cs, clock);
        await harness.MigrateAndPublishAsync(definitions);
        return harness;
    }

    public async Task MigrateAndPublishAsync(params WorkflowDefinition[] definitions)
    {
        await using var db = Context();
        await Migrator.MigrateAsync(db, provider == DatabaseProvider.Postgres ? [new SqlMigration(2, "quartz", SchedulingSetup.PostgresSchemaScript())] : []);
        await Flows.PublishAsync(db, definitions);
    }

    public ApprovalDbContext Context() => TestDatabase.CreateContext(provider, connectionString);

    public EfWorkflowUnitOfWork Unit(ApprovalDbContext db) => new(db, [], Definitions);

    public WorkflowCoordinator Coordinator() => new(Engine);

    /// <summary>Starts an instance in its own committed transaction.</summary>
    public async Task<IReadOnlyList<StepResult>> StartAsync(string definitionId, string? correlationId = null, IReadOnlyDictionary<string, object?>? input = null)
    {
        await using var db = Context();
        var unit = Unit(db);
        var definition = (await unit.GetDefinitionAsync(definitionId, null, default))!;
        var step = Engine.Start(definition, new StartWorkflow { InstanceId = Guid.NewGuid(), CorrelationId = correlationId, Input = input ?? new Dictionary<string, object?>() });
        await using var tx = await db.Database.BeginTransactionAsync();
        var saved = await Coordinator().SaveAsync(unit, step);
        await tx.CommitAsync();
        return saved;
    }

    /// <summary>Computes the completion of the instance's open task (not saved).</summary>
    public static async Task<StepResult> CompleteOpenTaskAsync(EfWorkflowUnitOfWork unit, WorkflowEngine engine, Guid instanceId, Actor actor, string? comment = null)
    {
        var state = (await unit.GetInstanceAsync(instanceId, default))!;
        var definition = (await unit.GetDefinitionAsync(state.DefinitionId, state.DefinitionVersion, default))!;
        var task = state.Bookmarks.Single(b => b.Kind == BookmarkKind.Task);
        return engine.CompleteTask(definition, state, new CompleteTask { TaskId = task.TaskId!.Value, Action = "approve", Actor = actor, Comment = comment });
    }

    /// <summary>Completes the instance's open task in its own committed transaction.</summary>
    public async Task<IReadOnlyList<StepResult>> CompleteAsync(Guid instanceId, Actor actor, string? comment = null)
    {
        await using var db = Context();
        var unit = Unit(db);
        await using var tx = await db.Database.BeginTransactionAsync();
        var step = await CompleteOpenTaskAsync(unit, Engine, instanceId, actor, comment);
        var saved = await Coordinator().SaveAsync(unit, step);
        await tx.CommitAsync();
        return saved;
    }

    /// <summary>Every engine row as text, to show that a failed commit changed nothing.</summary>
    public async Task<string> SnapshotAsync()
    {
        await using var db = Context();
        var sb = new StringBuilder();
        foreach (var i in await db.Instances.AsNoTracking().OrderBy(i => i.Id).ToListAsync())
            sb.AppendLine($"I {i.Id} {i.Status} v{i.Version} {i.BusinessStatus} {i.StateJson}");
        foreach (var t in await db.Tasks.AsNoTracking().OrderBy(t => t.Id).ToListAsync())
            sb.AppendLine($"T {t.Id} {t.Status} {t.Priority} {t.ClosedAction} {t.ClosedBy}");
        foreach (var b in await db.Bookmarks.AsNoTracking().OrderBy(b => b.Id).ToListAsync())
            sb.AppendLine($"B {b.Id} {b.Kind} {b.ActivityId}");
        foreach (var j in await db.Journal.AsNoTracking().OrderBy(j => j.InstanceId).ThenBy(j => j.Sequence).ToListAsync())
            sb.AppendLine($"J {j.InstanceId} {j.Sequence} {j.Kind} {j.ActivityId}");
        foreach (var c in await db.StepCommands.AsNoTracking().OrderBy(c => c.InstanceId).ThenBy(c => c.Version).ToListAsync())
            sb.AppendLine($"C {c.InstanceId} v{c.Version} {c.Kind} {(c.Chained ? "chained" : "")}");
        return sb.ToString();
    }
}
