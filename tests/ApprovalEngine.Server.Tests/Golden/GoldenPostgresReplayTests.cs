using System.Text.Json;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Flows.WorkOrders;
using ApprovalEngine.Hosting;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Scheduling;
using ApprovalEngine.Testing;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Replay;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Golden;

/// <summary>
/// The golden histories of tests/golden replayed through the server's database host: <see cref="WorkflowRunner"/> (one
/// transaction per command, the version-checked <see cref="EfWorkflowUnitOfWork"/>) on a real PostgreSQL, outside calls
/// off, the engine on the recorded clock. The journal and state read back from the database must equal the recorded
/// outcome — the same files the in-memory host replays in Flows.Tests.
/// </summary>
public sealed class GoldenPostgresReplayTests
{
    public static IEnumerable<TestCaseData> Files() => GoldenPaths.All().Select(f => new TestCaseData(f).SetArgDisplayNames(f));

    [TestCaseSource(nameof(Files))]
    public async Task Golden_history_replays_on_PostgreSQL_to_its_recorded_outcome(string file)
    {
        var history = RecordedHistory.Load(Path.Combine(GoldenPaths.Directory, file));
        await using var host = await PostgresHistoryHost.CreateAsync();
        var result = await HistoryReplayer.ReplayAsync(history, host);
        var comparison = HistoryComparison.Compare(history.Expected!, result.Outcome);
        Assert.That(result.Stop, Is.Null, () => $"{file}: command {result.Stop!.Index} ({result.Stop.Kind}) could not be applied: {result.Stop.Message}");
        Assert.That(comparison.Same, Is.True, () => $"{file} replays differently on PostgreSQL:\n{comparison.Report()}");
        Assert.That(await host.CountRowsAsync(), Is.GreaterThan(0), "the replay wrote its steps to the database");
    }
}

public static class GoldenPaths
{
    public static string Directory => Path.Combine(RepositoryRoot(), "tests", "golden");

    public static IEnumerable<string> All() =>
        System.IO.Directory.GetFiles(Directory, "*.json", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Directory, f).Replace('\\', '/')).Order(StringComparer.Ordinal);

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ApprovalEngine.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ApprovalEngine.sln not found above the test directory.");
    }

    /// <summary>Every activity type of the shipped flows; the sandboxes behind them are never called by a replay.</summary>
    public static ActivityRegistry Registry(TimeProvider clock)
    {
        var ledger = new InMemorySandboxLedger(clock);
        var chain = InMemoryBlockchainSandbox.WithDefaults(clock);
        var bank = InMemoryBankSandbox.WithDefaults(clock);
        var registry = WorkOrderActivities.Register(WdActivities.CreateRegistry(ledger, clock, new QuartzCronSchedule()));
        CryptoActivities.Register(registry, chain, chain, chain);
        FiatActivities.Register(registry, bank, bank, bank, clock);
        return registry;
    }
}

/// <summary>A fresh PostgreSQL database behind a <see cref="WorkflowRunner"/> wired as the server wires it (no pollers, no inline outside calls).</summary>
internal sealed class PostgresHistoryHost : IHistoryHost, IAsyncDisposable
{
    private readonly ServiceProvider _provider;
    private readonly DefinitionCache _definitions;

    private PostgresHistoryHost(ServiceProvider provider, ManualClock clock)
    {
        _provider = provider;
        Clock = clock;
        _definitions = provider.GetRequiredService<DefinitionCache>();
    }

    public ManualClock Clock { get; }

    public WorkflowEngine Engine => Runner.Engine;

    private WorkflowRunner Runner => _provider.GetRequiredService<WorkflowRunner>();

    /// <summary>A reader (and writer) over an existing database, e.g. one a test server wrote.</summary>
    public static Task<PostgresHistoryHost> OnAsync(string connectionString) => CreateAsync(connectionString, migrate: false);

    public static async Task<PostgresHistoryHost> CreateAsync() => await CreateAsync(await SharedPostgres.CreateDatabaseAsync("golden"), migrate: true);

    private static async Task<PostgresHistoryHost> CreateAsync(string cs, bool migrate)
    {
        var clock = new ManualClock(DateTimeOffset.UnixEpoch);
        var engine = new WorkflowEngine(GoldenPaths.Registry(clock), clock);
        var services = new ServiceCollection();
        services.AddLogging();
        services.AddSingleton<TimeProvider>(clock);
        services.AddDbContext<ApprovalDbContext>(o => ApprovalDbContext.Configure(o, DatabaseProvider.Postgres, cs));
        services.AddSingleton(new DefinitionCache());
        services.AddSingleton(engine);
        services.AddSingleton(new WorkflowCoordinator(engine));
        services.AddEngineHost(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["RunJobsInline"] = "false" }).Build());
        var provider = services.BuildServiceProvider();
        if (!migrate) return new PostgresHistoryHost(provider, clock);
        await using (var scope = provider.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            await Migrator.MigrateAsync(db, [new SqlMigration(2, "quartz", SchedulingSetup.PostgresSchemaScript())]);
        }
        return new PostgresHistoryHost(provider, clock);
    }

    public async Task PublishAsync(WorkflowDefinition definition)
    {
        await using var scope = _provider.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var now = Clock.GetUtcNow();
        var row = await db.Definitions.FirstOrDefaultAsync(d => d.Id == definition.Id);
        if (row is null) db.Definitions.Add(row = new DefinitionRecord { Id = definition.Id, Name = definition.Name, CreatedAt = now, UpdatedAt = now });
        row.LatestVersion = Math.Max(row.LatestVersion, definition.Version);
        row.PublishedVersion = Math.Max(row.PublishedVersion ?? 0, definition.Version);
        db.DefinitionVersions.Add(new DefinitionVersionRecord
        {
            DefinitionId = definition.Id,
            Version = definition.Version,
            Json = DefinitionJson.Serialize(definition),
            ContentHash = new string('0', 64),
            PublishedAt = now,
        });
        await db.SaveChangesAsync();
    }

    public async Task<WorkflowDefinition> DefinitionAsync(string id, int version)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await _definitions.GetAsync(scope.ServiceProvider.GetRequiredService<ApprovalDbContext>(), id, version, default)
            ?? throw new WorkflowNotFoundException($"{id} v{version} is not stored.");
    }

    public Task StartAsync(StepResult step) =>
        Runner.ExecuteAsync((_, _) => Task.FromResult(new UnitResult<bool>(step, true)), CancellationToken.None, retryStale: false);

    public Task StepAsync(Guid instanceId, Func<WorkflowDefinition, InstanceState, StepResult> step) =>
        Runner.StepAsync(instanceId, step, CancellationToken.None, retryStale: false);

    public async Task<InstanceState?> GetAsync(Guid instanceId)
    {
        await using var scope = _provider.CreateAsyncScope();
        return await new EfWorkflowUnitOfWork(scope.ServiceProvider.GetRequiredService<ApprovalDbContext>(), [], _definitions).GetInstanceAsync(instanceId, default);
    }

    public async Task<IReadOnlyList<InstanceState>> ChildrenAsync(Guid parentId)
    {
        await using var scope = _provider.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<ApprovalDbContext>().Instances.AsNoTracking().Where(i => i.ParentInstanceId == parentId).Select(i => i.StateJson).ToListAsync();
        return [.. rows.Select(InstanceStateJson.Deserialize)];
    }

    public async Task<IReadOnlyList<JournalEntry>> JournalAsync(Guid instanceId)
    {
        await using var scope = _provider.CreateAsyncScope();
        var rows = await scope.ServiceProvider.GetRequiredService<ApprovalDbContext>().Journal.AsNoTracking().Where(j => j.InstanceId == instanceId).OrderBy(j => j.Sequence).ToListAsync();
        return [.. rows.Select(r => new JournalEntry
        {
            Sequence = r.Sequence,
            Timestamp = r.Timestamp,
            Kind = r.Kind,
            ActivityId = r.ActivityId,
            ActivityType = r.ActivityType,
            Outcome = r.Outcome,
            UserId = r.UserId,
            Role = r.Role,
            IpAddress = r.IpAddress,
            Action = r.Action,
            Comment = r.Comment,
            Message = r.Message,
            Changes = r.ChangesJson is null ? [] : JsonSerializer.Deserialize<List<VariableChange>>(r.ChangesJson, JsonSerializerOptions.Web) ?? [],
        })];
    }

    public async Task<int> CountRowsAsync()
    {
        await using var scope = _provider.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<ApprovalDbContext>().Journal.CountAsync();
    }

    public ValueTask DisposeAsync() => _provider.DisposeAsync();
}
