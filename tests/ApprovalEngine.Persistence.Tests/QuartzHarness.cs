using System.Collections.Concurrent;
using System.Diagnostics;
using ApprovalEngine.Scheduling;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Quartz;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>Records what the scheduler calls back.</summary>
internal sealed class RecordingTriggerHandler : IWorkflowTriggerHandler
{
    public ConcurrentDictionary<Guid, int> TimerFires { get; } = new();

    public int Total => TimerFires.Values.Sum();

    public Task FireTimerAsync(Guid instanceId, Guid bookmarkId, CancellationToken cancellationToken)
    {
        TimerFires.AddOrUpdate(bookmarkId, 1, (_, n) => n + 1);
        return Task.CompletedTask;
    }

    public Task RunJobAsync(Guid instanceId, Guid jobId, CancellationToken cancellationToken) => Task.CompletedTask;
}

/// <summary>One "server node": a service provider with AddWorkflowScheduling and its hosted Quartz scheduler running.</summary>
internal sealed class SchedulerNode : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _hosted;

    private SchedulerNode(ServiceProvider provider, List<IHostedService> hosted)
    {
        _provider = provider;
        _hosted = hosted;
    }

    public QuartzWorkflowScheduler Scheduler => _provider.GetRequiredService<QuartzWorkflowScheduler>();

    public ValueTask<IScheduler> QuartzAsync() => _provider.GetRequiredService<ISchedulerFactory>().GetScheduler();

    public static async Task<SchedulerNode> StartAsync(bool postgres, string connectionString, IWorkflowTriggerHandler handler, string instanceName)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostApplicationLifetime, StartedLifetime>();
        services.AddSingleton(handler);
        services.AddWorkflowScheduling(postgres, connectionString, TimeProvider.System, instanceName);
        var provider = services.BuildServiceProvider();
        var hosted = provider.GetServices<IHostedService>().ToList();
        foreach (var h in hosted) await h.StartAsync(CancellationToken.None);
        return new SchedulerNode(provider, hosted);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var h in Enumerable.Reverse(_hosted)) await h.StopAsync(CancellationToken.None);
        await _provider.DisposeAsync();
    }

    /// <summary>
    /// What the server does per step: one EF transaction; the engine rows are saved, the step's timers are scheduled
    /// through the enlisted scheduler, then the transaction commits (or rolls back) inside the enlistment scope.
    /// </summary>
    public async Task SaveStepAsync(StoreHarness store, Func<EfWorkflowUnitOfWork, Task<StepResult>> compute, bool commit)
    {
        await using var db = store.Context();
        var unit = store.Unit(db);
        await using var tx = await db.Database.BeginTransactionAsync();
        var step = await compute(unit);
        var saved = await store.Coordinator().SaveAsync(unit, step);
        using (await Scheduler.EnlistAsync(tx.GetDbTransaction(), CancellationToken.None))
        {
            foreach (var s in saved)
            {
                foreach (var timer in s.TimersToCancel) await Scheduler.CancelTimerAsync(timer.Id, CancellationToken.None);
                foreach (var timer in s.TimersToSchedule) await Scheduler.ScheduleTimerAsync(s.State.Id, timer.Id, timer.DueAt!.Value, CancellationToken.None);
            }
            if (commit) await tx.CommitAsync();
            else await tx.RollbackAsync();
        }
    }

    public static async Task<StepResult> StartStepAsync(StoreHarness store, EfWorkflowUnitOfWork unit, string definitionId) =>
        store.Engine.Start((await unit.GetDefinitionAsync(definitionId, null, default))!, new StartWorkflow { InstanceId = Guid.NewGuid() });
}

/// <summary>The lifetime a host would provide, already started (QuartzHostedService needs one).</summary>
internal sealed class StartedLifetime : IHostApplicationLifetime
{
    public CancellationToken ApplicationStarted { get; } = new(canceled: true);

    public CancellationToken ApplicationStopping => CancellationToken.None;

    public CancellationToken ApplicationStopped => CancellationToken.None;

    public void StopApplication()
    {
    }
}

internal static class Eventually
{
    /// <summary>Polls until <paramref name="condition"/> holds or the time is up; returns whether it held.</summary>
    public static async Task<bool> TrueWithin(TimeSpan timeout, Func<bool> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!condition())
        {
            if (watch.Elapsed > timeout) return false;
            await Task.Delay(50);
        }
        return true;
    }

    /// <summary>As <see cref="TrueWithin"/>, for a condition that has to ask the database.</summary>
    public static async Task<bool> TrueWithinAsync(TimeSpan timeout, Func<Task<bool>> condition)
    {
        var watch = Stopwatch.StartNew();
        while (!await condition())
        {
            if (watch.Elapsed > timeout) return false;
            await Task.Delay(50);
        }
        return true;
    }

    /// <summary>
    /// Quartz deletes a one-shot trigger once it has fired; with none left nothing can fire again, so counting fires
    /// after this is final (instead of sleeping a while and hoping a duplicate would have shown up by then).
    /// </summary>
    public static Task<bool> NoTriggerLeftAsync(string connectionString, bool postgres) => TrueWithinAsync(TimeSpan.FromSeconds(15), async () =>
    {
        await using System.Data.Common.DbConnection connection = postgres
            ? new Npgsql.NpgsqlConnection(connectionString)
            : new Microsoft.Data.Sqlite.SqliteConnection(connectionString);
        await connection.OpenAsync();
        await using var command = connection.CreateCommand();
        command.CommandText = "SELECT COUNT(*) FROM qrtz_triggers";
        return Convert.ToInt64(await command.ExecuteScalarAsync(), System.Globalization.CultureInfo.InvariantCulture) == 0;
    });
}

internal static class DbExtensions
{
    public static Task<Guid> SingleTimerIdAsync(this ApprovalDbContext db, Guid instanceId) =>
        db.Bookmarks.Where(b => b.InstanceId == instanceId && b.Kind == nameof(BookmarkKind.Timer)).Select(b => b.Id).SingleAsync();
}
