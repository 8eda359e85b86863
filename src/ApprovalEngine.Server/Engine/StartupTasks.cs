using ApprovalEngine.Persistence;
using ApprovalEngine.Scheduling;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Server.Engine;

/// <summary>At start-up: apply migrations (every environment); in Development publish the flows in workflows/.</summary>
public static class StartupTasks
{
    public static async Task RunAsync(WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("Startup");
        await Migrator.MigrateAsync(db, [new SqlMigration(2, "V002__quartz.sql", SchedulingSetup.PostgresSchemaScript()), .. Features.Fiat.FiatMigrations.Scripts(), .. Features.Crypto.CryptoMigrations.Scripts(), .. Features.Staff.StaffMigrations.Scripts()]);
        await Features.Fiat.FiatSetup.MigrateSqliteAsync(scope.ServiceProvider);
        await Features.Crypto.CryptoSetup.MigrateSqliteAsync(scope.ServiceProvider);
        await Features.Staff.StaffSetup.MigrateSqliteAsync(scope.ServiceProvider);
        if (!app.Environment.IsDevelopment() && !app.Configuration.GetValue<bool>("Engine:PublishWorkflowFiles")) return;

        var folder = RepositoryPaths.Find(app.Configuration["Engine:WorkflowsPath"], app.Environment.ContentRootPath, "workflows");
        if (folder is null)
        {
            logger.LogWarning("No workflows/ folder found; no sample flows published.");
            return;
        }
        var definitions = scope.ServiceProvider.GetRequiredService<DefinitionService>();
        // Sub-flows first: a flow that calls another is valid only once the callee is published.
        var files = Directory.GetFiles(folder, "*.json").Select(f => DefinitionJson.Parse(File.ReadAllText(f))).ToList();
        var pending = files.OrderBy(d => d.Activities.Any(a => a.Type == "CallWorkflow") ? 1 : 0).ToList();
        foreach (var definition in pending)
        {
            var version = await definitions.PublishIfNewAsync(db, definition, "workflows/", CancellationToken.None);
            if (version is not null) logger.LogInformation("Published {Definition} v{Version} from workflows/", definition.Id, version);
        }
    }
}

public static class RepositoryPaths
{
    /// <summary>The configured path, or <paramref name="name"/> in the nearest folder above the content root or the binaries that holds ApprovalEngine.sln.</summary>
    public static string? Find(string? configured, string contentRoot, string name)
    {
        if (!string.IsNullOrEmpty(configured)) return Directory.Exists(configured) ? Path.GetFullPath(configured) : null;
        foreach (var start in new[] { contentRoot, AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "ApprovalEngine.sln")))
                {
                    var candidate = Path.Combine(dir.FullName, name);
                    if (Directory.Exists(candidate)) return candidate;
                    break;
                }
            }
        }
        return null;
    }
}
