using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace ApprovalEngine.Workflows.Runtime;

/// <summary>
/// Bounds on what one journal entry records. A variable that grows step by step (a comment list) would otherwise be
/// journaled whole, before and after, on every change: the journal grows with the square of the list.
/// </summary>
public static class JournalLimits
{
    /// <summary>A before or after value larger than this (UTF-8 JSON bytes) is recorded as its size, hash and a preview.</summary>
    public const int MaxValueBytes = 8 * 1024;

    /// <summary>The values of all changes of one entry together; beyond it further values are recorded as size and hash only.</summary>
    public const int MaxEntryBytes = 64 * 1024;

    /// <summary>Changes recorded per entry; the rest are counted in one summary change.</summary>
    public const int MaxChangesPerEntry = 100;

    /// <summary>List items or object members diffed one by one before the whole value is recorded instead.</summary>
    public const int MaxItemChanges = 50;

    /// <summary>How deep into nested lists/objects the diff goes before recording the value at that depth.</summary>
    public const int MaxDiffDepth = 8;

    public const int PreviewChars = 200;
}

/// <summary>
/// Turns one variable's before → after into the smallest set of changes a reader can follow: an appended list item is
/// recorded as that item at its index (<c>path</c> "[12]"), an edited member as that member ("[3].amount"), anything
/// else as the whole value. Pure and deterministic (replays journal the same), and every value is capped.
/// </summary>
public static class JournalDiff
{
    public static void Diff(string name, JsonNode? before, JsonNode? after, List<VariableChange> into)
    {
        var found = new List<VariableChange>();
        Walk(name, "", before, after, found, 0);
        // Set for the first time to null: nothing differs as JSON, but the variable now exists.
        if (found.Count == 0) found.Add(new VariableChange(name, before?.DeepClone(), after?.DeepClone()));
        into.AddRange(found);
    }

    private static void Walk(string name, string path, JsonNode? before, JsonNode? after, List<VariableChange> into, int depth)
    {
        if (JsonNode.DeepEquals(before, after)) return;
        if (depth < JournalLimits.MaxDiffDepth)
        {
            if (before is JsonArray b && after is JsonArray a && TryDiffLists(name, path, b, a, into, depth)) return;
            if (before is JsonObject bo && after is JsonObject ao && TryDiffObjects(name, path, bo, ao, into, depth)) return;
        }
        into.Add(new VariableChange(name, before?.DeepClone(), after?.DeepClone()) { Path = path.Length == 0 ? null : path });
    }

    private static bool TryDiffLists(string name, string path, JsonArray before, JsonArray after, List<VariableChange> into, int depth)
    {
        var common = Math.Min(before.Count, after.Count);
        var changed = new List<int>();
        for (var i = 0; i < common; i++)
        {
            if (JsonNode.DeepEquals(before[i], after[i])) continue;
            changed.Add(i);
            if (changed.Count > JournalLimits.MaxItemChanges) return false;
        }
        // Items added or removed at the end, plus items edited in place. Insertions in the middle shift every index
        // after them and fall back to the whole value.
        if (changed.Count + Math.Abs(before.Count - after.Count) > JournalLimits.MaxItemChanges) return false;
        var mark = into.Count;
        foreach (var i in changed) Walk(name, $"{path}[{i}]", before[i], after[i], into, depth + 1);
        for (var i = common; i < after.Count; i++) into.Add(new VariableChange(name, null, after[i]?.DeepClone()) { Path = $"{path}[{i}]" });
        for (var i = common; i < before.Count; i++) into.Add(new VariableChange(name, before[i]?.DeepClone(), null) { Path = $"{path}[{i}]" });
        if (into.Count - mark > JournalLimits.MaxItemChanges)
        {
            into.RemoveRange(mark, into.Count - mark);
            return false;
        }
        return true;
    }

    private static bool TryDiffObjects(string name, string path, JsonObject before, JsonObject after, List<VariableChange> into, int depth)
    {
        var mark = into.Count;
        foreach (var (key, value) in before)
        {
            if (after.TryGetPropertyValue(key, out var now)) Walk(name, Member(path, key), value, now, into, depth + 1);
            else into.Add(new VariableChange(name, value?.DeepClone(), null) { Path = Member(path, key) });
        }
        foreach (var (key, value) in after)
        {
            if (!before.ContainsKey(key)) into.Add(new VariableChange(name, null, value?.DeepClone()) { Path = Member(path, key) });
        }
        if (into.Count - mark > JournalLimits.MaxItemChanges)
        {
            into.RemoveRange(mark, into.Count - mark);
            return false;
        }
        return true;
    }

    private static string Member(string path, string key) =>
        key.Length > 0 && key.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') && !char.IsAsciiDigit(key[0])
            ? $"{path}.{key}"
            : $"{path}[{JsonSerializer.Serialize(key)}]";

    /// <summary>
    /// Applies the per-value and per-entry caps: large values become <c>{"truncated": true, "bytes", "sha256", "preview"}</c>
    /// (the hash lets an auditor match a value kept elsewhere), and changes past the entry's count cap are summarised.
    /// </summary>
    public static IReadOnlyList<VariableChange> Cap(IReadOnlyList<VariableChange> changes)
    {
        var result = new List<VariableChange>(Math.Min(changes.Count, JournalLimits.MaxChangesPerEntry + 1));
        var budget = JournalLimits.MaxEntryBytes;
        for (var i = 0; i < changes.Count; i++)
        {
            if (i == JournalLimits.MaxChangesPerEntry)
            {
                result.Add(new VariableChange("…", null, JsonValue.Create($"{changes.Count - i} more changes not recorded")));
                break;
            }
            var c = changes[i];
            var before = Bound(c.Before, ref budget);
            var after = Bound(c.After, ref budget);
            result.Add(ReferenceEquals(before, c.Before) && ReferenceEquals(after, c.After) ? c : c with { Before = before, After = after });
        }
        return result;
    }

    private static JsonNode? Bound(JsonNode? value, ref int budget)
    {
        if (value is null) return null;
        var json = value.ToJsonString();
        var bytes = Encoding.UTF8.GetByteCount(json);
        if (bytes <= JournalLimits.MaxValueBytes && bytes <= budget)
        {
            budget -= bytes;
            return value;
        }
        var marker = new JsonObject
        {
            ["truncated"] = true,
            ["bytes"] = bytes,
            ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(json))),
        };
        // The preview spends the remaining budget only; once that is gone the size and hash are all that is kept.
        if (budget >= JournalLimits.PreviewChars * 4) marker["preview"] = json.Length <= JournalLimits.PreviewChars ? json : json[..JournalLimits.PreviewChars];
        budget = Math.Max(0, budget - JournalLimits.PreviewChars * 4);
        return marker;
    }
}
