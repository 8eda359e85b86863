using System.Diagnostics;
using ApprovalEngine.Hosting;
using ApprovalEngine.Scheduling;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>
/// One "server node": the engine host (runner + due-work pollers) and Quartz over a database, as the server wires them,
/// without the web layer. Several nodes on one database are a cluster.
/// </summary>
internal sealed class EngineNode : IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly List<IHostedService> _hosted;

    private EngineNode(ServiceProvider provider, List<IHostedService> hosted)
    {
        _provider = provider;
        _hosted = hosted;
    }

    public WorkflowRunner Runner => _provider.GetRequiredService<WorkflowRunner>();

    public DueWorkPoller Poller => _provider.GetRequiredService<DueWorkPoller>();

    /// <param name="clock">This node's own clock (nodes' clocks drift apart); the system clock unless a test skews it.</param>
    public static async Task<EngineNode> StartAsync(StoreHarness store, bool postgres, string instanceName, Dictionary<string, string?>? settings = null, bool runHostedServices = true, TimeProvider? clock = null)
    {
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<IHostApplicationLifetime, StartedLifetime>();
        services.AddSingleton(clock ?? TimeProvider.System);
        var provider = postgres ? DatabaseProvider.Postgres : DatabaseProvider.Sqlite;
        services.AddDbContext<ApprovalDbContext>(o => ApprovalDbContext.Configure(o, provider, store.ConnectionString));
        services.AddSingleton(store.Definitions);
        services.AddSingleton(store.Engine);
        services.AddSingleton(new WorkflowCoordinator(store.Engine));
        var config = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["RunJobsInline"] = "true",
            ["PollIntervalMilliseconds"] = "200",
        }.Concat(settings ?? [])).Build();
        services.AddEngineHost(config);
        services.AddWorkflowScheduling(postgres, store.ConnectionString, clock ?? TimeProvider.System, instanceName);
        var sp = services.BuildServiceProvider();
        var hosted = runHostedServices ? sp.GetServices<IHostedService>().ToList() : [];
        foreach (var h in hosted) await h.StartAsync(CancellationToken.None);
        return new EngineNode(sp, hosted);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var h in Enumerable.Reverse(_hosted)) await h.StopAsync(CancellationToken.None);
        await _provider.DisposeAsync();
    }

    /// <summary>Starts an instance of <paramref name="definitionId"/> through the runner (one committed step).</summary>
    public Task<StepResult> StartAsync(string definitionId) => Runner.ExecuteAsync(async (unit, ct) =>
    {
        var definition = (await unit.GetDefinitionAsync(definitionId, null, ct))!;
        var step = Runner.Engine.Start(definition, new StartWorkflow { InstanceId = Guid.NewGuid() });
        return new UnitResult<StepResult>(step, step);
    }, CancellationToken.None);
}

/// <summary>A node's clock that runs ahead of (or behind) the others by a fixed amount.</summary>
internal sealed class SkewedClock(TimeSpan skew) : TimeProvider
{
    public override DateTimeOffset GetUtcNow() => base.GetUtcNow() + skew;
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
    public static Task<bool> TrueWithin(TimeSpan timeout, Func<bool> condition) =>
        Testing.Poll.UntilAsync(() => Task.FromResult(condition()), timeout);

    /// <summary>As <see cref="TrueWithin"/>, for a condition that has to ask the database.</summary>
    public static Task<bool> TrueWithinAsync(TimeSpan timeout, Func<Task<bool>> condition) => Testing.Poll.UntilAsync(condition, timeout);

}

internal static class DbExtensions
{
    public static Task<Guid> SingleTimerIdAsync(this ApprovalDbContext db, Guid instanceId) =>
        db.Bookmarks.Where(b => b.InstanceId == instanceId && b.Kind == nameof(BookmarkKind.Timer)).Select(b => b.Id).SingleAsync();
}
