using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Chaos;

/// <summary>
/// The real server as a child process (<c>dotnet ApprovalEngine.Server.dll</c>) on a PostgreSQL database, so that a
/// test can kill it with SIGKILL: no shutdown hook, no flush, no finally — what a crashed node or an OOM kill leaves.
/// Its output is kept (the last lines) to show when a test fails. Disposing kills it and waits for the exit.
/// </summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private const int KeptLines = 300;

    // Children still alive when the test host exits (a crash, an aborted run) are killed rather than left behind.
    private static readonly ConcurrentDictionary<int, Process> Alive = new();

    static ServerProcess()
    {
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var process in Alive.Values)
            {
                try
                {
                    if (!process.HasExited) process.Kill();
                }
                catch (InvalidOperationException)
                {
                }
            }
        };
    }

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _lines = new();
    private int _processId;
    private int? _exitCode;

    private ServerProcess(string name, Process process, Uri baseAddress)
    {
        Name = name;
        _process = process;
        BaseAddress = baseAddress;
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    public int ProcessId => _processId;

    public bool HasExited => _exitCode is not null || _process.HasExited;

    /// <summary>
    /// Starts a Development server (development identities, sandbox adapters, <c>workflows/</c> published) on
    /// <paramref name="connectionString"/> and waits until <c>GET /api/health/ready</c> answers 200.
    /// <paramref name="cluster"/> is the Quartz scheduler name every node of one cluster shares.
    /// </summary>
    public static async Task<ServerProcess> StartAsync(string name, string connectionString, string cluster,
        IReadOnlyDictionary<string, string>? settings = null, TimeSpan? readyWithin = null)
    {
        var dll = ServerDll();
        var port = ApprovalEngine.Testing.PostgresServer.FreeLoopbackPort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}");
        var info = new ProcessStartInfo(DotnetHost())
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The content root: appsettings.json and appsettings.Development.json sit next to the dll.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        info.ArgumentList.Add(dll);
        foreach (var (key, value) in Environment(connectionString, cluster, baseAddress, settings)) info.Environment[key] = value;

        var process = new Process { StartInfo = info, EnableRaisingEvents = true };
        var server = new ServerProcess(name, process, baseAddress);
        process.OutputDataReceived += (_, e) => server.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => server.Keep(e.Data);
        if (!process.Start()) throw new InvalidOperationException($"Could not start {info.FileName} {dll}.");
        server._processId = process.Id;
        Alive[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitUntilReadyAsync(readyWithin ?? TimeSpan.FromSeconds(90));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
        return server;
    }

    /// <summary>The configuration a node gets, as environment variables (<c>__</c> for <c>:</c>).</summary>
    private static Dictionary<string, string> Environment(string connectionString, string cluster, Uri baseAddress, IReadOnlyDictionary<string, string>? settings)
    {
        var repository = RepositoryRoot();
        var env = new Dictionary<string, string>
        {
            ["ASPNETCORE_ENVIRONMENT"] = "Development",
            ["DOTNET_ENVIRONMENT"] = "Development",
            ["ASPNETCORE_URLS"] = baseAddress.ToString().TrimEnd('/'),
            ["Urls"] = baseAddress.ToString().TrimEnd('/'),
            ["Database__Provider"] = "Postgres",
            ["ConnectionStrings__ApprovalEngine"] = connectionString,
            ["Engine__SchedulerName"] = cluster,
            ["Engine__LeaseSeconds"] = "2",
            ["Engine__PollIntervalMilliseconds"] = "200",
            ["Engine__WorkflowsPath"] = Path.Combine(repository, "workflows"),
            ["Logging__LogLevel__Default"] = "Warning",
            ["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Information",
            // Same integration key as the in-process test servers (ApiFactory): it may start any flow.
            ["Identities__ApiKeys__9__Name"] = "test-system",
            ["Identities__ApiKeys__9__Key"] = ApiFactory.TestSystemKey,
            ["Auth__SignIn__PermitsPerAddress"] = "100000",
            ["Auth__SignIn__PermitsPerUser"] = "100000",
            ["DOTNET_hostBuilder__reloadConfigOnChange"] = "false",
            ["DOTNET_USE_POLLING_FILE_WATCHER"] = "1",
            ["DOTNET_NOLOGO"] = "1",
        };
        string[] rights = ["wd:create", "instances:cancel", "incidents:retry", "sandbox", "wd:export"];
        string[] scopes = ["start:*", "events:*", "read:*", "wd:client-cancel"];
        foreach (var (i, right) in rights.Index()) env[$"Identities__ApiKeys__9__Rights__{i}"] = right;
        foreach (var (i, scope) in scopes.Index()) env[$"Identities__ApiKeys__9__Scopes__{i}"] = scope;
        foreach (var (key, value) in settings ?? new Dictionary<string, string>()) env[key.Replace(":", "__", StringComparison.Ordinal)] = value;
        return env;
    }

    private void Keep(string? line)
    {
        if (line is null) return;
        _lines.Enqueue(line);
        while (_lines.Count > KeptLines) _lines.TryDequeue(out _);
    }

    /// <summary>The last lines the process wrote (stdout and stderr), for a failure message.</summary>
    public string Output() => $"--- {Name} (pid {_processId}, {BaseAddress}{(_exitCode is { } code ? $", exit code {code}" : "")}) ---\n{string.Join('\n', _lines)}";

    /// <summary>A plain client for this node (no credentials).</summary>
    public HttpClient CreateClient() => new(new SocketsHttpHandler { PooledConnectionLifetime = TimeSpan.FromMinutes(5), MaxConnectionsPerServer = 64 })
    {
        BaseAddress = BaseAddress,
        Timeout = TimeSpan.FromSeconds(60),
    };

    private async Task WaitUntilReadyAsync(TimeSpan within)
    {
        using var client = CreateClient();
        client.Timeout = TimeSpan.FromSeconds(5);
        string last = "no answer yet";
        var ready = await ApprovalEngine.Testing.Poll.UntilAsync(async () =>
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The server {Name} exited with code {_process.ExitCode} before it was ready.\n{Output()}");
            }
            try
            {
                using var response = await client.GetAsync("/api/health/ready");
                if (response.StatusCode == HttpStatusCode.OK) return true;
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                last = ex.Message;
            }
            return false;
        }, within, TimeSpan.FromMilliseconds(100));
        if (ready) return;
        throw new TimeoutException($"The server {Name} was not ready within {within.TotalSeconds:0} s (last: {last}).\n{Output()}");
    }

    /// <summary>Sends SIGKILL (Process.Kill on Linux) at once, without waiting for the exit.</summary>
    public void SendKill()
    {
        if (_exitCode is not null) return;
        try
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: false);
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    /// <summary>SIGKILL, then waits for the process to be gone.</summary>
    public async Task KillHardAsync()
    {
        if (_exitCode is not null) return;
        SendKill();
        using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await _process.WaitForExitAsync(bound.Token);
        _exitCode = _process.ExitCode;
        Alive.TryRemove(_processId, out _);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillHardAsync();
        }
        finally
        {
            _process.Dispose();
        }
    }

    /// <summary>The server's own build output, or the copy in this test's output folder when it is a runnable app.</summary>
    private static string ServerDll()
    {
        const string name = "ApprovalEngine.Server";
        var local = Path.Combine(AppContext.BaseDirectory, name + ".dll");
        if (File.Exists(local) && File.Exists(Path.Combine(AppContext.BaseDirectory, name + ".runtimeconfig.json"))
            && File.Exists(Path.Combine(AppContext.BaseDirectory, name + ".deps.json")))
        {
            return local;
        }
        // bin/<Configuration>/<tfm>/ of the test project → the same of the server project.
        var tfm = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Name;
        var configuration = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar)).Parent!.Name;
        var built = Path.Combine(RepositoryRoot(), "src", name, "bin", configuration, tfm, name + ".dll");
        return File.Exists(built) ? built : throw new FileNotFoundException($"Neither {local} (runnable) nor {built} exists; build src/{name} first.");
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ApprovalEngine.sln"))) return dir.FullName;
        }
        throw new DirectoryNotFoundException($"No ApprovalEngine.sln above {AppContext.BaseDirectory}.");
    }

    /// <summary>The dotnet host that runs these tests (the SDK sets DOTNET_HOST_PATH), else dotnet on the PATH.</summary>
    private static string DotnetHost()
    {
        var host = System.Environment.GetEnvironmentVariable("DOTNET_HOST_PATH");
        if (!string.IsNullOrEmpty(host) && File.Exists(host)) return host;
        var self = System.Environment.ProcessPath;
        return self is not null && Path.GetFileNameWithoutExtension(self) == "dotnet" ? self : "dotnet";
    }
}
