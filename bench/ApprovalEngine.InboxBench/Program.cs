using System.Diagnostics;
using System.Globalization;
using System.Text;
using ApprovalEngine.Persistence;
using ApprovalEngine.Testing;
using Npgsql;

// Inbox subject search over N tasks (default 100,000), on a throwaway PostgreSQL 15 with the real migrations:
//  1. the schema up to V026, then N WD-request instances with one open CS task each, loaded in SQL;
//  2. V027 (the back-fill of the subject columns and their indexes), timed;
//  3. the inbox's search by customer as the API runs it (count + first page of 50), the old way (the JSON scan the
//     search did before V027: instance_state_variable over every instance of the readable flows) and the new way (the
//     stored column, lower(subject_customer) = …), each repeated; the ratio old ÷ new of the medians;
//  4. EXPLAIN (ANALYZE, BUFFERS) of the new search, which must use ix_tasks_subject_customer.
// Writes bench/results/<UTC>-inbox-subject.md. Usage: dotnet run -c Release --project bench/ApprovalEngine.InboxBench -- [tasks] [repeats]
var tasks = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 100_000;
var repeats = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 15;

await using var server = await PostgresServer.StartAsync();
var cs = await server.CreateDatabaseAsync("inboxbench");
await using var db = new NpgsqlConnection(cs);
await db.OpenAsync();

async Task Exec(string sql, int timeoutSeconds = 600)
{
    await using var cmd = new NpgsqlCommand(sql, db) { CommandTimeout = timeoutSeconds };
    await cmd.ExecuteNonQueryAsync();
}

var scripts = Migrator.PostgresScripts();
foreach (var script in scripts.Where(s => s.Version < 27)) await Exec(script.Sql);

// One published WD-request version declaring the default subject variables (as the shipped flow does).
const string definition = """{"id":"wd-request","name":"WD","version":1,"inputs":[{"name":"customerId","type":"string"},{"name":"tradingAccount","type":"string"},{"name":"requestedAmount","type":"number"},{"name":"currency","type":"string"}],"variables":[],"activities":[],"connections":[]}""";
await Exec($"INSERT INTO definition_versions (definition_id, version, json, content_hash, published_at) VALUES ('wd-request', 1, '{definition}', 'bench', now())");
var load = Stopwatch.StartNew();
await Exec($"""
    INSERT INTO instances (id, definition_id, definition_version, status, priority, state_json, version, created_at, updated_at)
    SELECT md5('i' || g)::uuid, 'wd-request', 1, 'Running', 0,
           json_build_object('id', md5('i' || g)::uuid, 'definitionId', 'wd-request', 'definitionVersion', 1,
             'variables', json_build_object('customerId', 'C-' || g, 'tradingAccount', 'TA-' || g, 'requestedAmount', (g % 5000) + 0.5, 'currency', 'USD',
               'comment', repeat('x', 200), 'balance', 10000, 'transactions', json_build_array()))::text,
           1, now(), now()
    FROM generate_series(1, {tasks}) g;
    INSERT INTO tasks (id, instance_id, definition_id, definition_version, activity_id, title, department, status, priority, overdue, created_at)
    SELECT md5('t' || g)::uuid, md5('i' || g)::uuid, 'wd-request', 1, 'cs', 'CS review', 'CS', 'Open', g % 3, false, now() - (g || ' seconds')::interval
    FROM generate_series(1, {tasks}) g;
    ANALYZE;
    """);
load.Stop();
var backfill = Stopwatch.StartNew();
await Exec(scripts.Single(s => s.Version == 27).Sql);
backfill.Stop();
await Exec("ANALYZE tasks");

// The search as GET /api/tasks?customer=… runs it: the caller's readable flows, open tasks of their departments,
// the subject filter, a count and the first page.
const string scope = "t.definition_id = ANY(@readable) AND t.status = 'Open' AND (t.department IS NULL OR t.department = ANY(@departments))";
const string page = " ORDER BY t.priority DESC, t.created_at, t.id LIMIT 50";
var oldFilter = $"{scope} AND t.instance_id IN (SELECT i.id FROM instances i LEFT JOIN instances p ON p.id = i.parent_instance_id WHERE i.definition_id = ANY(@readable) AND upper(instance_state_variable(i.state_json, 'customerId')) = ANY(@upper))";
var newFilter = $"{scope} AND lower(t.subject_customer) = @lower AND ((t.subject_parent_columns & 1) = 0 OR t.subject_parent_definition_id = ANY(@readable))";

async Task<(int Count, int Rows)> Search(string filter, string customer, string? explain = null, StringBuilder? plan = null)
{
    await using var count = new NpgsqlCommand($"SELECT count(*) FROM tasks t WHERE {filter}", db) { CommandTimeout = 600 };
    await using var rows = new NpgsqlCommand($"{explain}SELECT t.* FROM tasks t WHERE {filter}{page}", db) { CommandTimeout = 600 };
    foreach (var cmd in new[] { count, rows })
    {
        cmd.Parameters.AddWithValue("readable", new[] { "wd-request", "sample-approval" });
        cmd.Parameters.AddWithValue("departments", new[] { "CS" });
        cmd.Parameters.AddWithValue("upper", new[] { customer.ToUpperInvariant() });
        cmd.Parameters.AddWithValue("lower", customer.ToLowerInvariant());
    }
    var n = Convert.ToInt32(await count.ExecuteScalarAsync(), CultureInfo.InvariantCulture);
    var r = 0;
    await using var reader = await rows.ExecuteReaderAsync();
    while (await reader.ReadAsync())
    {
        r++;
        plan?.AppendLine(reader.GetString(0));
    }
    return (n, r);
}

async Task<(double Median, double P95)> Measure(string filter)
{
    var random = new Random(42);
    var samples = new List<double>();
    await Search(filter, "C-1"); // warm-up
    for (var i = 0; i < repeats; i++)
    {
        var customer = $"c-{random.Next(1, tasks + 1)}";
        var sw = Stopwatch.StartNew();
        var (count, rows) = await Search(filter, customer);
        samples.Add(sw.Elapsed.TotalMilliseconds);
        if (count != 1 || rows != 1) throw new InvalidOperationException($"the search for {customer} found {count} tasks ({rows} rows); expected exactly 1");
    }
    samples.Sort();
    return (samples[samples.Count / 2], samples[Math.Min(samples.Count - 1, (int)Math.Ceiling(samples.Count * 0.95) - 1)]);
}

var old = await Measure(oldFilter);
var current = await Measure(newFilter);
var plan = new StringBuilder();
await Search(newFilter, "C-4242", "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ", plan);
var usesIndex = plan.ToString().Contains("ix_tasks_subject_customer", StringComparison.Ordinal);

var now = DateTime.UtcNow;
var report = new StringBuilder()
    .AppendLine(CultureInfo.InvariantCulture, $"# Inbox subject search, {tasks:N0} open tasks ({now:yyyy-MM-dd HH:mm} UTC, {Environment.ProcessorCount} cores)")
    .AppendLine()
    .AppendLine("`GET /api/tasks?customer=…` as the API runs it (count + first page of 50, readable flows, CS department), a random customer per repeat,")
    .AppendLine(CultureInfo.InvariantCulture, $"{repeats} repeats after one warm-up, on a throwaway PostgreSQL 15 (tests' settings) with the real migrations. Made by `bench/ApprovalEngine.InboxBench`.")
    .AppendLine()
    .AppendLine("| search | median ms | p95 ms |")
    .AppendLine("| --- | ---: | ---: |")
    .AppendLine(CultureInfo.InvariantCulture, $"| old: JSON scan (instance_state_variable over the readable flows' instances) | {old.Median:F1} | {old.P95:F1} |")
    .AppendLine(CultureInfo.InvariantCulture, $"| new: stored column (lower(subject_customer), V027) | {current.Median:F2} | {current.P95:F2} |")
    .AppendLine(CultureInfo.InvariantCulture, $"| **ratio old ÷ new (median)** | **{old.Median / current.Median:F0}×** | |")
    .AppendLine()
    .AppendLine(CultureInfo.InvariantCulture, $"Load of {tasks:N0} instances and tasks: {load.Elapsed.TotalSeconds:F1} s. V027 on them (back-fill + 4 indexes): **{backfill.Elapsed.TotalSeconds:F1} s**.")
    .AppendLine()
    .AppendLine(CultureInfo.InvariantCulture, $"The new search's page query uses `ix_tasks_subject_customer`: **{(usesIndex ? "yes" : "NO")}**.")
    .AppendLine()
    .AppendLine("```")
    .Append(plan)
    .AppendLine("```");
Console.WriteLine(report);
var folder = Path.Combine(FindRepo(), "bench", "results");
Directory.CreateDirectory(folder);
var file = Path.Combine(folder, $"{now:yyyy-MM-ddTHHmm}Z-{Environment.ProcessorCount}cores-inbox-subject-{tasks / 1000}k.md");
await File.WriteAllTextAsync(file, report.ToString());
Console.WriteLine($"written {file}");
return usesIndex ? 0 : 1;

static string FindRepo()
{
    var dir = new DirectoryInfo(AppContext.BaseDirectory);
    while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ApprovalEngine.sln"))) dir = dir.Parent;
    return dir?.FullName ?? Directory.GetCurrentDirectory();
}
