using System.Net;
using System.Net.Sockets;
using ApprovalEngine.Persistence;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;

namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The real server (Development: dev identities, sandbox, workflows/ published at start) on Kestrel at a free
/// 127.0.0.1 port, so that a browser can reach it, on the given PostgreSQL database and serving <c>designer/dist</c>.
/// </summary>
public sealed class KestrelServer : WebApplicationFactory<Program>
{
    private readonly string _connectionString;
    private readonly string _designerDist;
    private readonly int _port = FreePort();
    private readonly IReadOnlyDictionary<string, string?> _settings;

    public KestrelServer(string connectionString, string designerDist, IReadOnlyDictionary<string, string?>? settings = null)
    {
        _connectionString = connectionString;
        _designerDist = designerDist;
        _settings = settings ?? new Dictionary<string, string?>();
        UseKestrel(k => k.Listen(IPAddress.Loopback, _port));
    }

    public Uri BaseAddress => new($"http://127.0.0.1:{_port}");

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Development");
        builder.UseSetting("Database:Provider", nameof(DatabaseProvider.Postgres));
        builder.UseSetting("ConnectionStrings:ApprovalEngine", _connectionString);
        // Quartz keeps schedulers by name per process.
        builder.UseSetting("Engine:SchedulerName", $"e2e-{Guid.NewGuid():N}");
        // failing jobs become incidents within seconds (the incident scenario)
        builder.UseSetting("Engine:JobBackoffSeconds", "1");
        builder.UseSetting("Engine:JobMaxAttempts", "2");
        builder.UseSetting("Designer:Path", _designerDist);
        // The scenarios start flows an analyst just drew: a configured integration key holding start:* (ADR 7; the
        // development key starts only the shipped flows). It has the development key's rights and no task scopes.
        builder.UseSetting("Identities:ApiKeys:0:Name", "e2e-system");
        builder.UseSetting("Identities:ApiKeys:0:Key", SystemKey);
        string[] rights = ["wd:create", "instances:cancel", "incidents:retry", "sandbox", "wd:export"];
        string[] scopes = ["start:*", "events:*", "read:*", "wd:client-cancel"];
        for (var i = 0; i < rights.Length; i++) builder.UseSetting($"Identities:ApiKeys:0:Rights:{i}", rights[i]);
        for (var i = 0; i < scopes.Length; i++) builder.UseSetting($"Identities:ApiKeys:0:Scopes:{i}", scopes[i]);
        // A suite's own settings (e.g. an identity provider) last, so they win.
        foreach (var (key, value) in _settings) builder.UseSetting(key, value);
    }

    public const string SystemKey = "e2e-system-key";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
