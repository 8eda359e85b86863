using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Npgsql;

namespace ApprovalEngine.Testing;

/// <summary>
/// A throwaway PostgreSQL server for tests. With the environment variable <c>APPROVALENGINE_TEST_PG</c> set to a full
/// Npgsql connection string (its user may CREATE DATABASE), that server is used and the databases created here are
/// dropped on dispose. Otherwise a private server is initialised in a temporary directory on a free loopback port
/// (initdb + pg_ctl, as the <c>postgres</c> OS user when running as root) and deleted again on dispose.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string EnvironmentVariable = "APPROVALENGINE_TEST_PG";
    private const string InstallHint =
        "Install the server with `apt-get update && apt-get install -y postgresql` (Debian/Ubuntu), or set " +
        EnvironmentVariable + " to an Npgsql connection string of a server where the user may CREATE DATABASE.";

    private readonly NpgsqlConnectionStringBuilder _admin;
    private readonly string? _binDirectory;
    private readonly string? _directory;
    private readonly List<string> _createdDatabases = [];
    private readonly Dictionary<string, Lazy<Task<string>>> _templates = [];
    private readonly Lock _lock = new();
    private bool _stopped;

    private PostgresServer(NpgsqlConnectionStringBuilder admin, string? binDirectory, string? directory)
    {
        _admin = admin;
        _binDirectory = binDirectory;
        _directory = directory;
    }

    /// <summary>True when the server came from <c>APPROVALENGINE_TEST_PG</c> (it is not stopped on dispose).</summary>
    public bool IsExternal => _directory is null;

    /// <summary>The private server's temporary directory (data, log, socket); null for an external server.</summary>
    public string? Directory => _directory;

    public string Host => _admin.Host!;

    public int Port => _admin.Port;

    /// <summary>The directory of the PostgreSQL binaries of a private server (pgbench, psql); null for an external server.</summary>
    public string? BinDirectory => _binDirectory;

    /// <summary>Starts a private server, or connects to the one named by <c>APPROVALENGINE_TEST_PG</c>.</summary>
    public static Task<PostgresServer> StartAsync(CancellationToken cancellationToken = default) =>
        StartAsync(PostgresServerOptions.Tests, cancellationToken);

    /// <summary>
    /// Starts a server with <paramref name="options"/>: the tests' defaults, or e.g. the benchmark's production-like
    /// durability. <c>APPROVALENGINE_TEST_PG</c> is honoured only when <see cref="PostgresServerOptions.AllowExternal"/>.
    /// </summary>
    public static async Task<PostgresServer> StartAsync(PostgresServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var external = options.AllowExternal ? Environment.GetEnvironmentVariable(EnvironmentVariable) : null;
        if (!string.IsNullOrWhiteSpace(external))
        {
            var builder = new NpgsqlConnectionStringBuilder(external);
            if (string.IsNullOrEmpty(builder.Database)) builder.Database = "postgres";
            var server = new PostgresServer(builder, null, null);
            await server.WaitUntilAcceptingAsync(TimeSpan.FromSeconds(10), cancellationToken);
            return server;
        }

        var bin = FindBinDirectory() ?? throw new InvalidOperationException(
            "PostgreSQL server binaries (initdb, pg_ctl) were not found in /usr/lib/postgresql/15/bin, /usr/lib/postgresql/*/bin or via `pg_config --bindir`. " + InstallHint);

        Exception? last = null;
        for (var attempt = 0; attempt < 3; attempt++)
        {
            var directory = Path.Combine(Path.GetTempPath(), $"ae-pg-{Guid.NewGuid():N}"[..18]);
            System.IO.Directory.CreateDirectory(directory);
            var port = FreeLoopbackPort();
            var admin = new NpgsqlConnectionStringBuilder
            {
                Host = "127.0.0.1",
                Port = port,
                Username = "postgres",
                Database = "postgres",
                Pooling = true,
                MaxPoolSize = 50,
                Timeout = 15,
            };
            var server = new PostgresServer(admin, bin, directory);
            try
            {
                await server.InitAndStartAsync(port, options, cancellationToken);
                await server.WaitUntilAcceptingAsync(TimeSpan.FromSeconds(20), cancellationToken);
                AppDomain.CurrentDomain.ProcessExit += server.OnProcessExit;
                return server;
            }
            catch (Exception ex) when (ex is InvalidOperationException or NpgsqlException or TimeoutException or IOException)
            {
                last = ex;
                await server.StopAsync();
                if (ex is InvalidOperationException { Data: { } data } && data.Contains("fatal")) throw;
            }
        }
        throw new InvalidOperationException($"The test PostgreSQL server did not start after 3 attempts: {last?.Message}", last);
    }

    /// <summary>A connection string to <paramref name="database"/> on this server.</summary>
    public string ConnectionString(string database)
    {
        ArgumentException.ThrowIfNullOrEmpty(database);
        // A test process starts ~170 servers one after another, and each leaves its pools behind when it stops
        // (Npgsql's pools outlive the host). With the default idle lifetime of 300 s their connections add up past
        // max_connections ("53300: too many clients") once the servers start quickly; closing idle ones after 10 s
        // keeps the count to what the running tests use.
        var builder = new NpgsqlConnectionStringBuilder(_admin.ConnectionString)
        {
            Database = database,
            ConnectionIdleLifetime = 10,
            ConnectionPruningInterval = 2,
        };
        return builder.ConnectionString;
    }

    /// <summary>Creates a fresh, empty database with a unique name and returns a connection string to it.</summary>
    public Task<string> CreateDatabaseAsync(string? namePrefix = null) => CreateDatabaseAsync(namePrefix, template: null);

    /// <summary>
    /// Creates a database with a unique name as a copy of <paramref name="template"/> (a name from
    /// <see cref="TemplateAsync"/>; null: empty) and returns a connection string to it.
    /// </summary>
    public async Task<string> CreateDatabaseAsync(string? namePrefix, string? template)
    {
        ObjectDisposedException.ThrowIf(_stopped, this);
        var prefix = new string((namePrefix ?? "test").ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').ToArray());
        if (prefix.Length == 0 || !char.IsAsciiLetter(prefix[0])) prefix = "t" + prefix;
        if (prefix.Length > 30) prefix = prefix[..30];
        var name = $"{prefix}_{Guid.NewGuid():N}";
        if (template is not null && !template.All(c => char.IsAsciiLetterOrDigit(c) || c == '_')) throw new ArgumentException($"Not a template name: {template}", nameof(template));
        await using (var connection = new NpgsqlConnection(_admin.ConnectionString))
        {
            await connection.OpenAsync();
            await using var cmd = connection.CreateCommand();
#pragma warning disable CA2100 // both names are letters, digits and underscores only (built above, checked above)
            cmd.CommandText = template is null ? $"CREATE DATABASE \"{name}\"" : $"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\"";
#pragma warning restore CA2100
            await cmd.ExecuteNonQueryAsync();
        }
        lock (_lock) _createdDatabases.Add(name);
        return ConnectionString(name);
    }

    /// <summary>
    /// The name of a template database made once per server for <paramref name="key"/>: on the first call a new database
    /// is handed to <paramref name="prepare"/> (a connection string without pooling; e.g. run the migrations), then
    /// closed to connections, so that <see cref="CreateDatabaseAsync(string?, string?)"/> can copy it — a file copy,
    /// much cheaper than running every migration again for each test database. Later calls return the same name;
    /// if the preparation failed, they throw its error again.
    /// </summary>
    public async Task<string> TemplateAsync(string key, Func<string, Task> prepare)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(prepare);
        Lazy<Task<string>> template;
        lock (_lock)
        {
            if (!_templates.TryGetValue(key, out template!))
            {
                template = new Lazy<Task<string>>(() => MakeTemplateAsync(key, prepare));
                _templates[key] = template;
            }
        }
        return await template.Value;
    }

    private async Task<string> MakeTemplateAsync(string key, Func<string, Task> prepare)
    {
        var connectionString = await CreateDatabaseAsync("tpl_" + key);
        var name = new NpgsqlConnectionStringBuilder(connectionString).Database!;
        var unpooled = new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString;
        await prepare(unpooled);
        // CREATE DATABASE … TEMPLATE fails while anyone is connected to the template: drop what a pool may still hold,
        // and refuse connections from now on, so that a test cannot change the template under the others by mistake.
        NpgsqlConnection.ClearPool(new NpgsqlConnection(connectionString));
        await using var connection = new NpgsqlConnection(_admin.ConnectionString);
        await connection.OpenAsync();
        await using var cmd = connection.CreateCommand();
#pragma warning disable CA2100 // the name was built by CreateDatabaseAsync from letters, digits and underscores only
        cmd.CommandText = $"ALTER DATABASE \"{name}\" WITH ALLOW_CONNECTIONS false";
#pragma warning restore CA2100
        await cmd.ExecuteNonQueryAsync();
        return name;
    }

    /// <summary>
    /// Stops a private server (<c>pg_ctl stop -m immediate</c>) and deletes its directory; for an external server,
    /// drops the databases created through <see cref="CreateDatabaseAsync"/>. Safe to call twice.
    /// </summary>
    public async Task StopAsync()
    {
        if (_stopped) return;
        _stopped = true;
        AppDomain.CurrentDomain.ProcessExit -= OnProcessExit;
        NpgsqlConnection.ClearAllPools();
        if (IsExternal)
        {
            await DropCreatedDatabasesAsync();
            return;
        }
        StopLocalServer();
        await Task.CompletedTask;
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    private void OnProcessExit(object? sender, EventArgs e)
    {
        // A test run that ends without the tear-down (crash, Ctrl+C in the debugger) must not leave a server behind.
        if (_stopped) return;
        _stopped = true;
        StopLocalServer();
    }

    private void StopLocalServer()
    {
        if (_directory is null) return;
        var data = Path.Combine(_directory, "data");
        if (File.Exists(Path.Combine(data, "postmaster.pid")))
        {
            try
            {
                RunAsync(Tool("pg_ctl"), ["-D", data, "-m", "immediate", "-w", "stop"], TimeSpan.FromSeconds(20), CancellationToken.None)
                    .GetAwaiter().GetResult();
            }
            catch (InvalidOperationException)
            {
                // The server may already be gone; the directory is removed anyway.
            }
        }
        try
        {
            System.IO.Directory.Delete(_directory, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }

    private async Task DropCreatedDatabasesAsync()
    {
        List<string> names;
        lock (_lock) names = [.. _createdDatabases];
        if (names.Count == 0) return;
        try
        {
            await using var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(_admin.ConnectionString) { Pooling = false }.ConnectionString);
            await connection.OpenAsync();
            foreach (var name in names)
            {
                await using var cmd = connection.CreateCommand();
#pragma warning disable CA2100 // names were generated by CreateDatabaseAsync
                cmd.CommandText = $"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)";
#pragma warning restore CA2100
                await cmd.ExecuteNonQueryAsync();
            }
        }
        catch (NpgsqlException)
        {
            // Best effort: the external server keeps what could not be dropped.
        }
    }

    private async Task InitAndStartAsync(int port, PostgresServerOptions settings, CancellationToken cancellationToken)
    {
        var directory = _directory!;
        var data = Path.Combine(directory, "data");
        var log = Path.Combine(directory, "log");
        if (Environment.IsPrivilegedProcess)
        {
            // PostgreSQL refuses to run as root: the postgres OS user owns the directory and runs the server.
            await RunRawAsync("chown", ["-R", "postgres:", directory], TimeSpan.FromSeconds(10), cancellationToken, fatalHint:
                "Could not hand the temporary directory to the `postgres` OS user (chown failed). Does the user exist? " + InstallHint);
        }
        await RunAsync(Tool("initdb"), ["-D", data, "-U", "postgres", "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"], TimeSpan.FromSeconds(60), cancellationToken);
        // Tests trade durability for speed; a benchmark asks for what production runs with.
        var durability = settings.Durable ? "-c fsync=on -c synchronous_commit=on -c full_page_writes=on" : "-c fsync=off -c synchronous_commit=off -c full_page_writes=off";
        var options = $"-c listen_addresses=127.0.0.1 -p {port} -k {directory} {durability} -c max_connections={settings.MaxConnections}";
        foreach (var (name, value) in settings.Settings) options += $" -c {name}={value}";
        try
        {
            await RunAsync(Tool("pg_ctl"), ["-D", data, "-l", log, "-o", options, "-w", "-t", "30", "start"], TimeSpan.FromSeconds(40), cancellationToken);
        }
        catch (InvalidOperationException ex)
        {
            var tail = File.Exists(log) ? await File.ReadAllTextAsync(log, cancellationToken) : "(no log)";
            throw new InvalidOperationException($"{ex.Message}\nServer log:\n{tail}", ex);
        }
    }

    private async Task WaitUntilAcceptingAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        var probe = new NpgsqlConnectionStringBuilder(_admin.ConnectionString) { Pooling = false, Timeout = 2 }.ConnectionString;
        Exception? last = null;
        var accepting = await Poll.UntilAsync(async () =>
        {
            try
            {
                await using var connection = new NpgsqlConnection(probe);
                await connection.OpenAsync(cancellationToken);
                await using var cmd = new NpgsqlCommand("SELECT 1", connection);
                await cmd.ExecuteScalarAsync(cancellationToken);
                return true;
            }
            catch (Exception ex) when (ex is NpgsqlException or SocketException or TimeoutException)
            {
                last = ex;
                return false;
            }
        }, timeout, TimeSpan.FromMilliseconds(100), cancellationToken);
        if (!accepting)
        {
            throw new TimeoutException($"PostgreSQL at {_admin.Host}:{_admin.Port} did not accept connections within {timeout.TotalSeconds:0} s: {last?.Message}", last);
        }
    }

    private string Tool(string name) => Path.Combine(_binDirectory!, name);

    /// <summary>Runs a PostgreSQL tool, through <c>runuser -u postgres --</c> when we are root.</summary>
    private Task RunAsync(string tool, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken) =>
        Environment.IsPrivilegedProcess
            ? RunRawAsync("runuser", ["-u", "postgres", "--", tool, .. arguments], timeout, cancellationToken, workingDirectory: _directory)
            : RunRawAsync(tool, arguments, timeout, cancellationToken, workingDirectory: _directory);

    private static async Task<string> RunRawAsync(string file, IReadOnlyList<string> arguments, TimeSpan timeout, CancellationToken cancellationToken, string? workingDirectory = null, string? fatalHint = null)
    {
        var info = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Path.GetTempPath(),
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        info.Environment["LC_ALL"] = "C";
        var command = $"{file} {string.Join(' ', arguments)}";
        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException($"Could not start `{command}`.");
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            var error = new InvalidOperationException($"Could not run `{command}`: {ex.Message}. {fatalHint ?? InstallHint}", ex);
            error.Data["fatal"] = true;
            throw error;
        }
        using (process)
        {
            var output = new StringBuilder();
            process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (output) output.AppendLine(e.Data); };
            process.BeginOutputReadLine();
            process.BeginErrorReadLine();
            using var timeoutSource = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeoutSource.CancelAfter(timeout);
            try
            {
                await process.WaitForExitAsync(timeoutSource.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"`{command}` did not finish within {timeout.TotalSeconds:0} s.\n{output}");
            }
            if (process.ExitCode != 0)
            {
                var error = new InvalidOperationException($"`{command}` failed with exit code {process.ExitCode}.\n{output}{(fatalHint is null ? "" : "\n" + fatalHint)}");
                if (fatalHint is not null) error.Data["fatal"] = true;
                throw error;
            }
            lock (output) return output.ToString();
        }
    }

    private static string? FindBinDirectory()
    {
        static bool HasTools(string dir) => File.Exists(Path.Combine(dir, "initdb")) && File.Exists(Path.Combine(dir, "pg_ctl"));

        const string preferred = "/usr/lib/postgresql/15/bin";
        if (HasTools(preferred)) return preferred;
        try
        {
            var info = new ProcessStartInfo("pg_config", "--bindir") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            using var process = Process.Start(info);
            if (process is not null)
            {
                var output = process.StandardOutput.ReadToEnd().Trim();
                process.WaitForExit(5000);
                if (process.ExitCode == 0 && output.Length > 0 && HasTools(output)) return output;
            }
        }
        catch (System.ComponentModel.Win32Exception)
        {
            // No pg_config on the PATH.
        }
        if (System.IO.Directory.Exists("/usr/lib/postgresql"))
        {
            return System.IO.Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => Path.Combine(d, "bin"))
                .Where(HasTools)
                .OrderByDescending(d => int.TryParse(Path.GetFileName(Path.GetDirectoryName(d)), out var v) ? v : 0)
                .FirstOrDefault();
        }
        return null;
    }

    /// <summary>A port on 127.0.0.1 free right now (for a server a test starts).</summary>
    public static int FreeLoopbackPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        try
        {
            return ((IPEndPoint)listener.LocalEndpoint).Port;
        }
        finally
        {
            listener.Stop();
        }
    }
}

/// <summary>How <see cref="PostgresServer"/> starts a private server.</summary>
public sealed record PostgresServerOptions
{
    /// <summary>The tests' defaults: no fsync, asynchronous commit, 1000 connections, <c>APPROVALENGINE_TEST_PG</c> honoured.</summary>
    public static PostgresServerOptions Tests { get; } = new();

    /// <summary>fsync, synchronous_commit and full_page_writes on, as in production (off by default: tests need speed, not crash safety).</summary>
    public bool Durable { get; init; }

    public int MaxConnections { get; init; } = 1000;

    /// <summary>Extra server settings passed as <c>-c name=value</c> (values must not contain spaces).</summary>
    public IReadOnlyList<KeyValuePair<string, string>> Settings { get; init; } = [];

    /// <summary>Use the server named by <c>APPROVALENGINE_TEST_PG</c> when it is set (its settings are then whatever it has).</summary>
    public bool AllowExternal { get; init; } = true;
}
