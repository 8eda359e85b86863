// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Collections.Concurrent;
using System.Data.Common;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Server.Tests.Wd;
using ApprovalEngine.Testing;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// Records every SQL command the server runs that returned rows, with its reader's read count (the rows plus the final
/// read that finds no more: a one-row page reads 2, the whole 300-comment journal would read 300+).
/// </summary>
public sealed class SqlRecorder : DbCommandInterceptor
{
    public ConcurrentQueue<(string Sql, int Rows)> Commands { get; } = new();

    public override InterceptionResult DataReaderClosing(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Commands.Enqueue((command.CommandText, eventData.ReadCount));
        return result;
    }

    public override ValueTask<InterceptionResult> DataReaderClosingAsync(DbCommand command, DataReaderClosingEventData eventData, InterceptionResult result)
    {
        Commands.Enqueue((command.CommandText, eventData.ReadCount));
        return ValueTask.FromResult(result);
    }
}

/// <summary>Work per request is bounded: a WD request with 300 comments of 2 KB keeps a small journal whose audit log pages in SQL.</summary>
[TestFixture]
public sealed class JournalBoundsApiTests
{
    private const int Comments = 300;
    private const int CommentLength = 2000;
    private readonly SqlRecorder _sql = new();
    private ApiFactory _factory = null!;
    private WdDriver _wd = null!;
    private string _id = "";

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = (await ApiFactory.PostgresAsync()).WithServices(s => s.ConfigureDbContext<ApprovalDbContext>(o => o.AddInterceptors(_sql)));
        _wd = new WdDriver(_factory);
        _id = (await _wd.CreateAsync())["id"]!.ToString();
        var cs1 = await _wd.AsAsync("cs1");
        for (var i = 0; i < Comments; i++)
        {
            var text = $"{i:D4} " + new string((char)('a' + (i % 26)), CommentLength - 5);
            var response = await cs1.PostAsJsonAsync($"/api/wd-requests/{_id}/comments", new { text });
            Assert.That(response.StatusCode, Is.EqualTo(HttpStatusCode.Created), await response.Content.ReadAsStringAsync());
        }
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    private async Task<(long ChangesBytes, long LargestChanges, long RowBytes, long LargestRow, long Rows)> MeasureAsync()
    {
        await using var connection = new NpgsqlConnection(_factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            """
            SELECT coalesce(sum(octet_length(changes_json)), 0), coalesce(max(octet_length(changes_json)), 0),
                   sum(pg_column_size(j.*)), max(pg_column_size(j.*)), count(*)
            FROM journal j WHERE instance_id = @id
            """, connection);
        command.Parameters.AddWithValue("id", Guid.Parse(_id));
        await using var reader = await command.ExecuteReaderAsync();
        await reader.ReadAsync();
        return (reader.GetInt64(0), reader.GetInt64(1), reader.GetInt64(2), reader.GetInt64(3), reader.GetInt64(4));
    }

    [Test]
    public async Task Three_hundred_comments_of_2_KB_keep_the_journal_linear_and_every_row_small()
    {
        var m = await MeasureAsync();
        await TestContext.Out.WriteLineAsync($"journal of {Comments} x {CommentLength} chars: changes_json {m.ChangesBytes} bytes (largest {m.LargestChanges}), rows {m.RowBytes} bytes on disk (largest {m.LargestRow}), {m.Rows} rows");
        using (Assert.EnterMultipleScope())
        {
            // Each comment is journaled once as the appended item (~2 KB) plus the comment column: linear, not quadratic
            // (the whole list before and after made 180 MB and a largest row of 1.25 MB).
            Assert.That(m.ChangesBytes, Is.LessThan(Comments * (CommentLength + 300)), "changes_json in total");
            Assert.That(m.LargestChanges, Is.LessThan(CommentLength + 300), "the largest changes_json");
            Assert.That(m.LargestRow, Is.LessThan(8 * 1024), "the largest journal row");
        }
    }

    [Test]
    public async Task The_audit_log_shows_the_appended_comment_as_a_diff()
    {
        var page = await (await _wd.AsAsync("cs1")).GetObjectAsync($"/api/wd-requests/{_id}/audit-log?pageSize=1");
        var entry = page["items"]!.AsArray().Single()!;
        var change = entry["changes"]!.AsArray().Single()!;
        using (Assert.EnterMultipleScope())
        {
            Assert.That(entry["action"]!.GetValue<string>(), Is.EqualTo("AddComment"));
            Assert.That(change["name"]!.GetValue<string>(), Is.EqualTo("comments"));
            Assert.That(change["path"]!.GetValue<string>(), Is.EqualTo($"[{Comments - 1}]"));
            Assert.That(change["before"], Is.Null);
            Assert.That(change["after"]!["text"]!.GetValue<string>(), Does.StartWith($"{Comments - 1:D4} "));
            Assert.That(page["total"]!.GetValue<int>(), Is.GreaterThanOrEqualTo(Comments));
        }
    }

    [Test]
    public async Task An_audit_log_page_of_one_reads_one_journal_row()
    {
        var cs1 = await _wd.AsAsync("cs1");
        await cs1.GetObjectAsync($"/api/wd-requests/{_id}/audit-log?pageSize=1"); // warm up: the card cache, the first query compilation
        _sql.Commands.Clear();
        var page = await cs1.GetObjectAsync($"/api/wd-requests/{_id}/audit-log?pageSize=1&page=2");
        var journal = _sql.Commands.Where(c => c.Sql.Contains("FROM journal", StringComparison.Ordinal)).ToList();
        await TestContext.Out.WriteLineAsync(string.Join("\n---\n", journal.Select(c => $"{c.Rows} row(s): {c.Sql}")));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(page["items"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(journal.Where(c => !c.Sql.Contains("count(*)", StringComparison.OrdinalIgnoreCase)).ToList(), Has.Count.EqualTo(1).And.All.Matches<(string Sql, int Rows)>(c => c.Rows <= 2 && c.Sql.Contains("LIMIT", StringComparison.Ordinal) && c.Sql.Contains("OFFSET", StringComparison.Ordinal)),
                "one paged query (LIMIT/OFFSET) reading one row");
            Assert.That(journal.Sum(c => c.Rows), Is.LessThanOrEqualTo(4), "the count and the page: never the whole journal");
        }
    }

    [Test]
    public async Task The_instance_journal_pages_in_SQL_too()
    {
        var system = await _wd.AsAsync("system");
        _sql.Commands.Clear();
        var page = await system.GetObjectAsync($"/api/instances/{_id}/journal?pageSize=1&page=3");
        var journal = _sql.Commands.Where(c => c.Sql.Contains("FROM journal", StringComparison.Ordinal)).ToList();
        using (Assert.EnterMultipleScope())
        {
            Assert.That(page["items"]!.AsArray(), Has.Count.EqualTo(1));
            Assert.That(journal.Sum(c => c.Rows), Is.LessThanOrEqualTo(4), "the count and the page: never the whole journal");
        }
    }
}

/// <summary>A minimal TCP forwarder between the server and PostgreSQL that a test can cut, as a network outage would.</summary>
public sealed class CuttableProxy : IAsyncDisposable
{
    private readonly int _target;
    private readonly ConcurrentBag<TcpClient> _open = [];
    private TcpListener? _listener;

    public CuttableProxy(int target)
    {
        _target = target;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
        _ = AcceptAsync(_listener);
    }

    public int Port { get; }

    private async Task AcceptAsync(TcpListener listener)
    {
        while (true)
        {
            TcpClient client;
            try
            {
                client = await listener.AcceptTcpClientAsync();
            }
            catch (Exception ex) when (ex is SocketException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }
            var upstream = new TcpClient();
            try
            {
                await upstream.ConnectAsync(IPAddress.Loopback, _target);
            }
            catch (SocketException)
            {
                client.Dispose();
                continue;
            }
            _open.Add(client);
            _open.Add(upstream);
            _ = PumpAsync(client, upstream);
            _ = PumpAsync(upstream, client);
        }
    }

    private static async Task PumpAsync(TcpClient from, TcpClient to)
    {
        try
        {
            await from.GetStream().CopyToAsync(to.GetStream());
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or InvalidOperationException)
        {
            // The other side went away or the proxy was cut.
        }
        to.Dispose();
        from.Dispose();
    }

    /// <summary>Refuses new connections and drops the open ones.</summary>
    public void Cut()
    {
        _listener?.Stop();
        _listener = null;
        foreach (var c in _open) c.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Cut();
        return ValueTask.CompletedTask;
    }
}

/// <summary>A database outage answers 503 with Retry-After; liveness stays up while readiness goes down.</summary>
[TestFixture]
public sealed class OutageAndHealthTests
{
    private CuttableProxy _proxy = null!;
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        var connection = new NpgsqlConnectionStringBuilder(await SharedPostgres.CreateDatabaseAsync("outage"));
        _proxy = new CuttableProxy(connection.Port);
        connection.Port = _proxy.Port;
        connection.Timeout = 15;
        _factory = ApiFactory.Postgres(connection.ConnectionString);
    }

    [OneTimeTearDown]
    public async Task TearDown()
    {
        await _factory.DisposeAsync();
        await _proxy.DisposeAsync();
    }

    [Test]
    public async Task A_database_outage_answers_503_with_Retry_After_and_only_readiness_fails()
    {
        var client = _factory.CreateClient();
        // The scheduler starts in the background after the host: wait (on the condition, bounded) until the node is ready.
        await ApiAssert.EventuallyAsync(async () => (await client.GetAsync("/api/health/ready")).StatusCode == HttpStatusCode.OK, TimeSpan.FromSeconds(60));
        foreach (var route in new[] { "/api/health", "/api/health/live", "/api/health/ready" })
        {
            var up = await client.GetAsync(route);
            Assert.That(up.StatusCode, Is.EqualTo(HttpStatusCode.OK), $"{route} while the database is up: {await up.Content.ReadAsStringAsync()}");
        }
        var cs1 = await _factory.AsUserAsync("cs1");
        var system = _factory.AsSystem();
        _proxy.Cut();

        var tasks = await cs1.GetAsync("/api/tasks");
        var problem = await ApiAssert.ProblemAsync(tasks, HttpStatusCode.ServiceUnavailable);
        var start = await system.PostAsJsonAsync("/api/definitions/sample-approval/instances", new { correlationId = "outage-1", input = new { amount = 5 } });
        await ApiAssert.ProblemAsync(start, HttpStatusCode.ServiceUnavailable);
        var live = await system.GetAsync("/api/health/live");
        var ready = await system.GetAsync("/api/health/ready");
        var health = await system.GetAsync("/api/health");
        using (Assert.EnterMultipleScope())
        {
            Assert.That(tasks.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(start.Headers.RetryAfter?.Delta, Is.EqualTo(TimeSpan.FromSeconds(5)));
            Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("database"));
            Assert.That(live.StatusCode, Is.EqualTo(HttpStatusCode.OK), "liveness does not depend on the database");
            Assert.That(ready.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
            Assert.That(health.StatusCode, Is.EqualTo(HttpStatusCode.ServiceUnavailable));
        }
    }
}

/// <summary>Durations the runtime cannot schedule are refused when an analyst publishes.</summary>
[TestFixture]
public sealed class DurationBoundsTests
{
    private ApiFactory _factory = null!;

    [OneTimeSetUp]
    public async Task SetUp() => _factory = await ApiFactory.PostgresAsync();

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    [Test]
    public async Task A_delay_of_P10000Y_is_kept_as_a_draft_with_its_problem_and_refused_at_publish()
    {
        var analyst = await _factory.AsUserAsync("analyst1");
        var definition = TestFlows.Delay("ten-thousand-years", "P10000Y");
        var validated = await analyst.PostObjectAsync("/api/definitions/validate", definition);
        // drafts are never lost (issue 14): saved, with the problem in the answer
        var saved = await analyst.PutObjectAsync("/api/definitions/ten-thousand-years/draft", definition);
        var published = await analyst.PostAsync("/api/definitions/ten-thousand-years/publish", null);
        var publishedProblem = await ApiAssert.ProblemAsync(published, HttpStatusCode.UnprocessableEntity, "/activities/1/inputs/duration");
        var versions = await _factory.QueryAsync(db => db.DefinitionVersions.CountAsync(v => v.DefinitionId == "ten-thousand-years"));
        using (Assert.EnterMultipleScope())
        {
            Assert.That(validated.ToJsonString(), Does.Contain("/activities/1/inputs/duration"));
            Assert.That(saved["valid"]!.GetValue<bool>(), Is.False);
            Assert.That(saved.ToJsonString(), Does.Contain("100 years"));
            Assert.That(publishedProblem.ToJsonString(), Does.Contain("100 years"));
            Assert.That(versions, Is.Zero);
        }
    }
}
