using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Workflows.Replay;

/// <summary>The first journal entry where two outcomes part.</summary>
/// <param name="Instance">Position of the instance in the outcome (0 = the root; sub-workflows follow in creation order).</param>
/// <param name="Index">Position of the entry in that instance's journal (0-based).</param>
public sealed record FirstDivergence(int Instance, string? DefinitionId, int Index, JsonNode? Expected, JsonNode? Actual)
{
    public string Describe() =>
        $"{DefinitionId ?? "instance " + Instance} journal[{Index}]: expected {Summary(Expected)}, was {Summary(Actual)}";

    public static string Summary(JsonNode? entry) => entry is not JsonObject e
        ? "nothing"
        : string.Join(" ", new[] { (string?)e["kind"], (string?)e["activityId"], e["outcome"] is { } o ? $"→ {o}" : null, e["action"] is { } a ? $"({a})" : null, e["businessStatus"] is { } s ? $"[{s}]" : null }.Where(p => p is not null));
}

/// <summary>How two outcomes of one history differ.</summary>
/// <param name="OutcomeChanged">The root instance ends (or waits) in another status, business status or final outcome.</param>
/// <param name="Lines">Every difference, one per line: <c>path: expected X but was Y</c>.</param>
public sealed record HistoryComparisonResult(bool Same, bool OutcomeChanged, FirstDivergence? First, IReadOnlyList<string> Lines)
{
    /// <summary>
    /// The instances went another way: other journal entries (kind, activity, outcome, action, business status), other
    /// waits, or other sub-workflows. False when only values differ (a variable, a recorded change, a comment).
    /// </summary>
    public bool PathChanged { get; init; }

    public string Report()
    {
        if (Same) return "identical";
        var sb = new StringBuilder();
        if (First is not null) sb.Append("first divergent step: ").AppendLine(First.Describe());
        foreach (var line in Lines.Take(40)) sb.AppendLine(line);
        if (Lines.Count > 40) sb.Append("… and ").Append(Lines.Count - 40).AppendLine(" more differences");
        return sb.ToString();
    }
}

/// <summary>Compares an expected outcome (<see cref="HistoryOutcome"/>) with a replayed one, with <see cref="JournalDiff"/>'s paths.</summary>
public static class HistoryComparison
{
    private static readonly string[] OutcomeFields = ["status", "businessStatus", "finalOutcome"];

    public static HistoryComparisonResult Compare(JsonObject expected, JsonObject actual)
    {
        ArgumentNullException.ThrowIfNull(expected);
        ArgumentNullException.ThrowIfNull(actual);
        if (JsonNode.DeepEquals(expected, actual)) return new HistoryComparisonResult(true, false, null, []);
        var e = expected["instances"]?.AsArray() ?? [];
        var a = actual["instances"]?.AsArray() ?? [];
        var lines = new List<string>();
        FirstDivergence? first = null;
        var outcomeChanged = false;
        var pathChanged = e.Count != a.Count;
        if (e.Count != a.Count) lines.Add($"instances: expected {e.Count} (root and sub-workflows) but was {a.Count}");
        for (var i = 0; i < Math.Max(e.Count, a.Count); i++)
        {
            var ei = i < e.Count ? e[i] as JsonObject : null;
            var ai = i < a.Count ? a[i] as JsonObject : null;
            var name = $"{(string?)(ei ?? ai)?["definitionId"]}[{i}]";
            if (ei is null || ai is null)
            {
                lines.Add($"{name}: expected {(ei is null ? "no instance" : "an instance")} but was {(ai is null ? "none" : "one")}");
                if (i == 0) outcomeChanged = true;
                continue;
            }
            var ej = ei["journal"]?.AsArray() ?? [];
            var aj = ai["journal"]?.AsArray() ?? [];
            if (!JsonNode.DeepEquals(ei["waitingAt"], ai["waitingAt"]) || ej.Count != aj.Count || ej.Zip(aj).Any(p => Path(p.First) != Path(p.Second))) pathChanged = true;
            for (var j = 0; j < Math.Max(ej.Count, aj.Count); j++)
            {
                var ee = j < ej.Count ? ej[j] : null;
                var ae = j < aj.Count ? aj[j] : null;
                if (JsonNode.DeepEquals(ee, ae)) continue;
                first ??= new FirstDivergence(i, (string?)ei["definitionId"], j, ee?.DeepClone(), ae?.DeepClone());
                lines.Add($"{name}.journal[{j}]: expected {FirstDivergence.Summary(ee)} but was {FirstDivergence.Summary(ae)}");
                AddDiff(lines, $"{name}.journal[{j}]", ee, ae);
                // Entries after the first divergence usually all shift; the first one and the final state tell the story.
                break;
            }
            foreach (var field in ei.Select(p => p.Key).Union(ai.Select(p => p.Key)).Where(k => k != "journal"))
            {
                if (JsonNode.DeepEquals(ei[field], ai[field])) continue;
                if (i == 0 && OutcomeFields.Contains(field)) outcomeChanged = true;
                AddDiff(lines, $"{name}.{field}", ei[field], ai[field]);
            }
        }
        return new HistoryComparisonResult(false, outcomeChanged, first, lines) { PathChanged = pathChanged || outcomeChanged };
    }

    private static string Path(JsonNode? entry) => entry is JsonObject e
        ? $"{e["kind"]}|{e["activityId"]}|{e["outcome"]}|{e["action"]}|{e["businessStatus"]}"
        : "";

    private static void AddDiff(List<string> lines, string name, JsonNode? expected, JsonNode? actual)
    {
        var changes = new List<VariableChange>();
        JournalDiff.Diff(name, expected, actual, changes);
        foreach (var c in changes) lines.Add($"{c.Name}{c.Path}: expected {Show(c.Before)} but was {Show(c.After)}");
    }

    private static string Show(JsonNode? value)
    {
        if (value is null) return "nothing";
        var text = value.ToJsonString();
        return text.Length <= 200 ? text : text[..200] + "…";
    }
}
