using System.Globalization;
using System.Text;

namespace ApprovalEngine.LoadTest;

/// <summary>One line of the results table.</summary>
internal sealed record ResultRow(
    string Scenario,
    string What,
    int Connections,
    long Operations,
    double PerSecond,
    double P50,
    double P95,
    double P99,
    long Errors,
    double? StatementsPerOperation,
    string Memory,
    string Notes)
{
    /// <param name="preparation">The phase runs until its work is done (no duration), so running out is how it ends.</param>
    public static ResultRow From(string scenario, string what, LoadResult r, StatementReport? statements, string memory, string notes = "", bool preparation = false)
    {
        var extra = new List<string>();
        if (notes.Length > 0) extra.Add(notes);
        if (r.Exhausted && !preparation) extra.Add($"ran out of prepared tasks after {r.Elapsed.TotalSeconds:0.0} s");
        if (r.ErrorCount > 0) extra.Add("errors: " + string.Join("; ", r.Errors.Select(e => $"{e.Value}× {e.Key}")));
        return new ResultRow(scenario, what, r.Connections, r.Operations, r.PerSecond, r.Percentile(50), r.Percentile(95), r.Percentile(99), r.ErrorCount,
            statements is { TotalCalls: > 0 } s && r.Operations > 0 ? (double)s.TotalCalls / r.Operations : null, memory, string.Join("; ", extra));
    }
}

/// <summary>The Markdown the run prints and writes under bench/results/.</summary>
internal sealed class Report
{
    private readonly List<ResultRow> _rows = [];
    private readonly List<(string Title, StatementReport Statements, long Operations)> _statements = [];
    private readonly List<string> _sections = [];

    public double PgbenchTps { get; set; }

    public string PgbenchSummary { get; set; } = "";

    /// <summary>Statements/s the idle server sends (Quartz's cluster check-in and trigger polling), measured before the scenarios.</summary>
    public double BackgroundPerSecond { get; set; }

    /// <summary>Where each phase's full pg_stat_statements list is written (tab-separated), next to the server logs.</summary>
    public string? DumpDirectory { get; set; }

    public void Add(ResultRow row)
    {
        _rows.Add(row);
        Console.WriteLine($"  {row.Scenario} {row.What} @{row.Connections}: {row.PerSecond:0.0}/s (×{Ratio(row.PerSecond)} pgbench), p50 {Ms(row.P50)} p95 {Ms(row.P95)} p99 {Ms(row.P99)} ms, errors {row.Errors}, stmts/op {Stmts(row.StatementsPerOperation)}, RSS MiB {row.Memory} {row.Notes}");
    }

    public IReadOnlyList<ResultRow> Rows => _rows;

    public void AddStatements(string title, StatementReport statements, long operations)
    {
        if (statements.TotalCalls == 0) return;
        _statements.Add((title, statements, operations));
        if (DumpDirectory is null) return;
        var name = new string([.. title.Select(c => char.IsAsciiLetterOrDigit(c) ? c : '-')]).Trim('-');
        File.WriteAllLines(Path.Combine(DumpDirectory, $"statements-{_statements.Count:00}-{name}.tsv"),
            ["calls\tquery", .. statements.All.Select(q => $"{q.Calls}\t{string.Join(' ', q.Query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))}")]);
    }

    public void AddSection(string markdown) => _sections.Add(markdown);

    public string Ratio(double perSecond) => PgbenchTps > 0 ? (perSecond / PgbenchTps).ToString("0.000", CultureInfo.InvariantCulture) : "–";

    private static string Ms(double v) => double.IsNaN(v) ? "–" : v < 10 ? v.ToString("0.0", CultureInfo.InvariantCulture) : v.ToString("0", CultureInfo.InvariantCulture);

    private static string Stmts(double? v) => v is { } x ? x.ToString("0.0", CultureInfo.InvariantCulture) : "–";

    public string ToMarkdown(string header, string footer)
    {
        var sb = new StringBuilder();
        sb.AppendLine(header);
        sb.AppendLine(CultureInfo.InvariantCulture, $"Baseline: **pgbench TPC-B-like {PgbenchTps:0} tps** ({PgbenchSummary}). Ratio = operations/s ÷ pgbench tps.");
        sb.AppendLine();
        sb.AppendLine("| # | what | conn | ops | ops/s | ratio | p50 ms | p95 ms | p99 ms | errors | stmts/op | server RSS MiB (peak) | notes |");
        sb.AppendLine("| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |");
        foreach (var r in _rows)
        {
            sb.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Scenario} | {r.What} | {r.Connections} | {r.Operations:N0} | {r.PerSecond:0.0} | {Ratio(r.PerSecond)} | {Ms(r.P50)} | {Ms(r.P95)} | {Ms(r.P99)} | {r.Errors} | {Stmts(r.StatementsPerOperation)} | {r.Memory} | {Escape(r.Notes)} |");
        }
        foreach (var s in _sections)
        {
            sb.AppendLine();
            sb.AppendLine(s);
        }
        if (_statements.Count > 0)
        {
            sb.AppendLine();
            sb.AppendLine("### pg_stat_statements: top 5 statements by calls per phase");
            sb.AppendLine();
            sb.AppendLine(CultureInfo.InvariantCulture, $"The idle server sends about {BackgroundPerSecond:0.0} statements/s of its own (Quartz check-in and polling, measured before the scenarios); \"net\" subtracts that rate over the phase's length.");
            foreach (var (title, st, ops) in _statements)
            {
                var net = st.TotalCalls - BackgroundPerSecond * st.Window.TotalSeconds;
                sb.AppendLine();
                sb.AppendLine(CultureInfo.InvariantCulture, $"**{title}** — {st.TotalCalls:N0} calls in {st.Window.TotalSeconds:0} s for {ops:N0} operations = {(ops > 0 ? (double)st.TotalCalls / ops : 0):0.0} per operation (net {(ops > 0 ? net / ops : 0):0.0})");
                sb.AppendLine();
                sb.AppendLine("| calls | per op | statement |");
                sb.AppendLine("| ---: | ---: | --- |");
                foreach (var q in st.Top)
                {
                    sb.AppendLine(CultureInfo.InvariantCulture, $"| {q.Calls:N0} | {(ops > 0 ? (double)q.Calls / ops : 0):0.00} | `{Escape(Shorten(q.Query))}` |");
                }
            }
        }
        sb.AppendLine();
        sb.AppendLine(footer);
        return sb.ToString();
    }

    private static string Shorten(string query)
    {
        var one = string.Join(' ', query.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
        return one.Length > 160 ? one[..160] + "…" : one;
    }

    private static string Escape(string text) => text.Replace("|", "\\|", StringComparison.Ordinal).Replace("`", "'", StringComparison.Ordinal);
}
