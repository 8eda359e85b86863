using System.Text.Json.Nodes;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Workflows.Replay;

/// <summary>
/// What a history produced, as comparable JSON: for the root instance and each sub-workflow (in creation order) the
/// journal (kinds, activities, outcomes, actions, who, when, comments, variable changes, the business status after
/// each entry) and the final state (status, business status, department, variables, where it waits). Ids that are
/// not seeded from the instance (database keys, incident ids) are left out; times are the recorded clock's.
/// </summary>
public static class HistoryOutcome
{
    public static async Task<JsonObject> CaptureAsync(IHistoryHost host, Guid rootInstanceId)
    {
        ArgumentNullException.ThrowIfNull(host);
        var instances = new JsonArray();
        var queue = new Queue<(Guid Id, int? Parent)>();
        queue.Enqueue((rootInstanceId, null));
        while (queue.Count > 0)
        {
            var (id, parent) = queue.Dequeue();
            var state = await host.GetAsync(id);
            if (state is null)
            {
                instances.Add(new JsonObject { ["missing"] = id.ToString() });
                continue;
            }
            var index = instances.Count;
            instances.Add(Project(state, parent, await host.JournalAsync(id)));
            foreach (var child in (await host.ChildrenAsync(id)).OrderBy(c => c.CreatedAt).ThenBy(c => c.Id)) queue.Enqueue((child.Id, index));
        }
        return new JsonObject { ["instances"] = instances };
    }

    private static JsonObject Project(InstanceState state, int? parent, IReadOnlyList<JournalEntry> journal)
    {
        var entries = new JsonArray();
        string? businessStatus = null;
        foreach (var e in journal.OrderBy(e => e.Sequence))
        {
            var changes = new JsonArray();
            foreach (var c in e.Changes)
            {
                if (c.Name == "businessStatus") businessStatus = c.After?.GetValue<string>();
                var change = new JsonObject { ["name"] = c.Name };
                if (c.Path is not null) change["path"] = c.Path;
                change["before"] = c.Before?.DeepClone();
                change["after"] = c.After?.DeepClone();
                changes.Add(change);
            }
            var entry = new JsonObject
            {
                ["at"] = Time(e.Timestamp),
                ["kind"] = e.Kind,
            };
            Put(entry, "activityId", e.ActivityId);
            Put(entry, "outcome", e.Outcome);
            Put(entry, "action", e.Action);
            Put(entry, "userId", e.UserId);
            Put(entry, "comment", e.Comment);
            Put(entry, "message", e.Message);
            Put(entry, "businessStatus", businessStatus);
            if (changes.Count > 0) entry["changes"] = changes;
            entries.Add(entry);
        }
        var waiting = new JsonArray();
        foreach (var b in state.Bookmarks.OrderBy(b => b.ActivityId, StringComparer.Ordinal).ThenBy(b => b.Kind))
        {
            var w = new JsonObject { ["kind"] = b.Kind.ToString(), ["activityId"] = b.ActivityId };
            Put(w, "eventName", b.EventName);
            Put(w, "correlationKey", b.CorrelationKey);
            if (b.DueAt is { } due) w["dueAt"] = Time(due);
            waiting.Add(w);
        }
        var variables = new JsonObject();
        foreach (var (name, value) in InstanceStateJson.VariablesToJson(state.Variables).OrderBy(p => p.Key, StringComparer.Ordinal)) variables[name] = value?.DeepClone();
        var json = new JsonObject
        {
            ["definitionId"] = state.DefinitionId,
            ["parent"] = parent,
            ["status"] = state.Status.ToString(),
            ["businessStatus"] = state.BusinessStatus,
            ["department"] = state.Department,
            ["finalOutcome"] = state.FinalOutcome,
            ["fault"] = state.Fault,
            ["startedBy"] = state.StartedBy,
            ["variables"] = variables,
            ["waitingAt"] = waiting,
            ["journal"] = entries,
        };
        return json;
    }

    /// <summary>To the microsecond: PostgreSQL keeps no finer time, so a host that stores it and one that does not agree.</summary>
    private static string Time(DateTimeOffset t)
    {
        var utc = t.ToUniversalTime();
        return utc.AddTicks(-(utc.Ticks % 10)).ToString("O", System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Put(JsonObject o, string name, string? value)
    {
        if (value is not null) o[name] = value;
    }
}
