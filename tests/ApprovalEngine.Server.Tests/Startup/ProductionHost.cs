using System.Collections.Concurrent;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace ApprovalEngine.Server.Tests.Startup;

/// <summary>
/// The real server in-process in another environment than Development (Production by default), configured only by the
/// settings given, with its log lines captured. <see cref="ValidSettings"/> is a complete production configuration
/// except real adapters, which do not exist yet: <see cref="WithStandInAdapters"/> binds test-only ones.
/// </summary>
public sealed class ProductionHost : WebApplicationFactory<Program>
{
    public const string ApiKey = "production-test-system-key-0123456789";
    public const string Password = "correct horse battery staple";
    public const string SigningKey = "a-production-signing-key-of-at-least-32-bytes!";

    private readonly Dictionary<string, string?> _settings;
    private readonly string _environment;
    private readonly SqliteTempDatabase? _sqlite;
    private Action<IServiceCollection>? _services;

    public ProductionHost(Dictionary<string, string?> settings, string environment = "Production", string? postgres = null)
    {
        _environment = environment;
        _settings = new(settings);
        if (postgres is null)
        {
            _sqlite = new SqliteTempDatabase();
            _settings.TryAdd("Database:Provider", "Sqlite");
            _settings.TryAdd("ConnectionStrings:ApprovalEngine", _sqlite.ConnectionString);
        }
        else
        {
            _settings.TryAdd("Database:Provider", "Postgres");
            _settings.TryAdd("ConnectionStrings:ApprovalEngine", postgres);
        }
    }

    public ConcurrentQueue<(LogLevel Level, string Category, string Message)> Logs { get; } = new();

    /// <summary>Everything production needs: Real mode, a 256-bit key, one user with a hash and one API key.</summary>
    public static Dictionary<string, string?> ValidSettings() => new()
    {
        ["Adapters:Mode"] = "Real",
        ["Adapters:Ledger"] = "StandIn",
        ["Adapters:Bank"] = "StandIn",
        ["Adapters:Custody"] = "StandIn",
        ["Auth:SigningKey"] = SigningKey,
        ["Identities:Users:0:Username"] = "ops1",
        ["Identities:Users:0:PasswordHash"] = new PasswordHasher<UserAccount>().HashPassword(new UserAccount { Username = "ops1" }, Password),
        ["Identities:Users:0:Rights:0"] = "wd:create",
        ["Identities:ApiKeys:0:Name"] = "crm",
        ["Identities:ApiKeys:0:Key"] = ApiKey,
        ["Identities:ApiKeys:0:Rights:0"] = "wd:create",
    };

    /// <summary>Test-only stand-ins under the name StandIn, selectable by Adapters:{Kind}=StandIn; they know no accounts.</summary>
    public ProductionHost WithStandInAdapters()
    {
        _services += s =>
        {
            s.AddAdapter(AdapterKind.Ledger, "StandIn", _ => new InMemorySandboxLedger());
            s.AddAdapter(AdapterKind.Bank, "StandIn", _ => new InMemoryBankSandbox());
            s.AddAdapter(AdapterKind.Custody, "StandIn", _ => new InMemoryBlockchainSandbox());
        };
        return this;
    }

    public ProductionHost WithServices(Action<IServiceCollection> configure)
    {
        _services += configure;
        return this;
    }

    /// <summary>Starts the host; returns the exception (and its inner ones) if it refused, else null.</summary>
    public Exception? TryStart()
    {
        try
        {
            _ = Services;
            return null;
        }
        catch (Exception ex)
        {
            return ex;
        }
    }

    public static IEnumerable<string> Messages(Exception? ex)
    {
        for (var e = ex; e is not null; e = e.InnerException)
        {
            yield return e.Message;
            if (e is AggregateException a)
            {
                foreach (var inner in a.InnerExceptions.SelectMany(Messages)) yield return inner;
            }
        }
    }

    public IReadOnlyList<string> CriticalLines() => [.. Logs.Where(l => l.Level == LogLevel.Critical).Select(l => l.Message)];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment(_environment);
        builder.UseSetting("Engine:SchedulerName", $"test-{Guid.NewGuid():N}");
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
        builder.ConfigureLogging(l => l.AddProvider(new CapturingLoggerProvider(Logs)));
        if (_services is { } configure) builder.ConfigureServices(configure);
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) _sqlite?.Dispose();
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<(LogLevel, string, string)> sink) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new Logger(sink, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger(ConcurrentQueue<(LogLevel, string, string)> sink, string category) : ILogger
        {
            public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
                sink.Enqueue((logLevel, category, formatter(state, exception)));
        }
    }
}
