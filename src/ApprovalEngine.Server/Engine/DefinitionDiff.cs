using System.Text.Json.Nodes;

namespace ApprovalEngine.Server.Engine;

/// <summary>One field that differs: its path inside the element (e.g. <c>inputs.actions</c>) and both values.</summary>
public sealed record FieldChange(string Field, JsonNode? Old, JsonNode? New);

/// <summary>An element present in both versions (by its key: an activity's id, a variable's name …) whose fields differ.</summary>
public sealed record ElementChange(string Key, IReadOnlyList<FieldChange> Fields);

public sealed record SectionDiff(IReadOnlyList<JsonNode> Added, IReadOnlyList<JsonNode> Removed, IReadOnlyList<ElementChange> Changed)
{
    public bool IsEmpty => Added.Count == 0 && Removed.Count == 0 && Changed.Count == 0;
}

/// <summary>
/// What a reviewer must see before approving a version: every element added, removed or changed, with old → new values
/// per field. <see cref="Definition"/> holds the rest (name, description, start, read, interrupts …) field by field.
/// </summary>
public sealed record DefinitionDiff(
    SectionDiff Activities,
    SectionDiff Connections,
    SectionDiff Variables,
    SectionDiff Inputs,
    IReadOnlyList<FieldChange> Definition,
    bool IsEmpty)
{
    private static readonly string[] Sections = ["activities", "connections", "variables", "inputs"];

    /// <summary>Compares two definition documents (the published one may be absent: everything is added).</summary>
    public static DefinitionDiff Compute(JsonObject? published, JsonObject proposed)
    {
        var activities = Section(published, proposed, "activities", a => a["id"]?.ToString());
        var connections = Section(published, proposed, "connections", c => $"{c["source"]}:{c["outcome"]} → {c["target"]}");
        var variables = Section(published, proposed, "variables", v => v["name"]?.ToString());
        var inputs = Section(published, proposed, "inputs", v => v["name"]?.ToString());
        var rest = new List<FieldChange>();
        var keys = (published?.Select(p => p.Key) ?? []).Concat(proposed.Select(p => p.Key))
            .Where(k => k != "version" && !Sections.Contains(k)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal);
        foreach (var key in keys) Fields(key, published?[key], proposed[key], rest, depth: 1);
        return new DefinitionDiff(activities, connections, variables, inputs, rest,
            activities.IsEmpty && connections.IsEmpty && variables.IsEmpty && inputs.IsEmpty && rest.Count == 0);
    }

    private static SectionDiff Section(JsonObject? published, JsonObject proposed, string name, Func<JsonObject, string?> keyOf)
    {
        static Dictionary<string, JsonObject> Index(JsonNode? list, Func<JsonObject, string?> keyOf)
        {
            var map = new Dictionary<string, JsonObject>(StringComparer.Ordinal);
            if (list is not JsonArray array) return map;
            foreach (var item in array.OfType<JsonObject>())
            {
                if (keyOf(item) is { } key) map.TryAdd(key, item);
            }
            return map;
        }
        var before = Index(published?[name], keyOf);
        var after = Index(proposed[name], keyOf);
        var added = after.Where(a => !before.ContainsKey(a.Key)).Select(a => a.Value.DeepClone()).ToList();
        var removed = before.Where(b => !after.ContainsKey(b.Key)).Select(b => b.Value.DeepClone()).ToList();
        var changed = new List<ElementChange>();
        foreach (var (key, now) in after)
        {
            if (!before.TryGetValue(key, out var then) || JsonNode.DeepEquals(then, now)) continue;
            var fields = new List<FieldChange>();
            foreach (var field in then.Select(p => p.Key).Concat(now.Select(p => p.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                // One level into objects (an activity's inputs), so a reviewer sees which input changed, not just "inputs".
                Fields(field, then[field], now[field], fields, depth: 1);
            }
            changed.Add(new ElementChange(key, fields));
        }
        return new SectionDiff(added, removed, changed);
    }

    private static void Fields(string path, JsonNode? old, JsonNode? @new, List<FieldChange> into, int depth)
    {
        if (JsonNode.DeepEquals(old, @new)) return;
        if (depth > 0 && old is JsonObject o && @new is JsonObject n)
        {
            foreach (var key in o.Select(p => p.Key).Concat(n.Select(p => p.Key)).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
            {
                Fields($"{path}.{key}", o[key], n[key], into, depth - 1);
            }
            return;
        }
        into.Add(new FieldChange(path, old?.DeepClone(), @new?.DeepClone()));
    }
}
