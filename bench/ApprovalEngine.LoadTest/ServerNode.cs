using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace ApprovalEngine.LoadTest;

/// <summary>Memory of a server process from /proc/&lt;pid&gt;/status, in MiB.</summary>
internal readonly record struct ServerMemory(double RssMiB, double HighWaterMiB)
{
    public override string ToString() => $"{RssMiB:0} ({HighWaterMiB:0})";
}

/// <summary>
/// The real server (src/ApprovalEngine.Server, Release) as a child process on a free loopback port: Development
/// (development identities and key, sandbox adapters, workflows/ published at start), PostgreSQL, log level Warning.
/// </summary>
internal sealed class ServerNode : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StreamWriter _log;
    private bool _closed;

    private ServerNode(Process process, int port, string logPath, StreamWriter log)
    {
        _process = process;
        Port = port;
        LogPath = logPath;
        _log = log;
    }

    public int Port { get; }

    public Uri BaseAddress => new($"http://127.0.0.1:{Port}");

    public string LogPath { get; }

    public int ProcessId => _process.Id;

    /// <summary>Builds the server in Release (incremental; the web app is not needed for the API).</summary>
    public static async Task BuildAsync(string repoRoot, CancellationToken ct)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = repoRoot,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "build", "src/ApprovalEngine.Server/ApprovalEngine.Server.csproj", "-c", "Release", "-p:SkipDesignerBuild=true", "-nologo", "-v", "q" }) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException("Could not run dotnet build.");
        await process.WaitForExitAsync(ct);
        if (process.ExitCode != 0) throw new InvalidOperationException($"Building the server failed (exit code {process.ExitCode}).");
    }

    public static string ServerDll(string repoRoot) => Path.Combine(repoRoot, "src", "ApprovalEngine.Server", "bin", "Release", "net10.0", "ApprovalEngine.Server.dll");

    public static async Task<ServerNode> StartAsync(string repoRoot, string connectionString, string name, string logDirectory, CancellationToken ct)
    {
        var dll = ServerDll(repoRoot);
        if (!File.Exists(dll)) throw new InvalidOperationException($"{dll} is missing: build the server (run without --no-build).");
        var port = FreePort();
        var info = new ProcessStartInfo("dotnet")
        {
            // The content root: appsettings*.json sit next to the binaries; workflows/ is found above them.
            WorkingDirectory = Path.GetDirectoryName(dll)!,
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        info.ArgumentList.Add(dll);
        var env = info.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Development";
        env["DOTNET_ENVIRONMENT"] = "Development";
        env["Database__Provider"] = "Postgres";
        env["ConnectionStrings__ApprovalEngine"] = connectionString;
        env["Urls"] = $"http://127.0.0.1:{port}";
        env["Logging__LogLevel__Default"] = "Warning";
        env["Logging__LogLevel__Microsoft.Hosting.Lifetime"] = "Warning";
        // The timer scenario starts a flow the harness publishes; the development key starts only the shipped flows.
        env["Identities__ApiKeys__0__Name"] = "bench-system";
        env["Identities__ApiKeys__0__Key"] = Api.BenchSystemKey;
        env["Identities__ApiKeys__0__Scopes__0"] = "start:bench-timer";
        env["Identities__ApiKeys__0__Scopes__1"] = "read:*";
        // Every token is fetched once per run; the default sign-in limits are per minute and would not bite, but a
        // re-run within a minute on the same address should not either.
        env["Auth__SignIn__PermitsPerAddress"] = "100000";
        env["Auth__SignIn__PermitsPerUser"] = "100000";
        var logPath = Path.Combine(logDirectory, $"server-{name}.log");
        var log = new StreamWriter(logPath) { AutoFlush = true };
        var process = Process.Start(info) ?? throw new InvalidOperationException("Could not start the server.");
        var node = new ServerNode(process, port, logPath, log);
        process.OutputDataReceived += (_, e) => node.Write(e.Data);
        process.ErrorDataReceived += (_, e) => node.Write(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await node.WaitReadyAsync(TimeSpan.FromSeconds(120), ct);
        }
        catch
        {
            await node.DisposeAsync();
            throw;
        }
        return node;
    }

    private void Write(string? line)
    {
        if (line is null) return;
        lock (_log)
        {
            if (!_closed) _log.WriteLine(line);
        }
    }

    /// <summary>Ready = GET /api/health/ready answers 200 (database and scheduler up).</summary>
    private async Task WaitReadyAsync(TimeSpan timeout, CancellationToken ct)
    {
        using var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            if (_process.HasExited) throw new InvalidOperationException($"The server exited with code {_process.ExitCode} before it was ready; see {LogPath}.");
            try
            {
                using var response = await http.GetAsync(new Uri("/api/health/ready", UriKind.Relative), ct);
                if (response.StatusCode == HttpStatusCode.OK) return;
            }
            catch (HttpRequestException)
            {
                // Not listening yet.
            }
            catch (TaskCanceledException) when (!ct.IsCancellationRequested)
            {
            }
            if (clock.Elapsed > timeout) throw new TimeoutException($"The server was not ready within {timeout.TotalSeconds:0} s; see {LogPath}.");
            await Task.Delay(200, ct);
        }
    }

    /// <summary>VmRSS (resident now) and VmHWM (the peak since start).</summary>
    public ServerMemory Memory()
    {
        try
        {
            double rss = 0, hwm = 0;
            foreach (var line in File.ReadLines($"/proc/{_process.Id}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal)) rss = Kib(line);
                else if (line.StartsWith("VmHWM:", StringComparison.Ordinal)) hwm = Kib(line);
            }
            return new ServerMemory(rss / 1024, hwm / 1024);
        }
        catch (IOException)
        {
            return new ServerMemory(double.NaN, double.NaN);
        }

        static double Kib(string line) => double.Parse(line.Split(':', 2)[1].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    public void Kill()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(10_000);
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }
    }

    public ValueTask DisposeAsync()
    {
        Kill();
        _process.Dispose();
        lock (_log)
        {
            _closed = true;
            _log.Dispose();
        }
        return ValueTask.CompletedTask;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
