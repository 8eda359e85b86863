using System.Collections;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Workflows.Runtime;

/// <summary>Where one wait of the instance goes: a bookmark (and its task or job) moving from one activity to another.</summary>
public sealed record MigrationMove(string Kind, string From, string To, Guid? TaskId = null);

/// <summary>
/// What moving one instance from version A to version B would do (<see cref="Moves"/>) or why it cannot
/// (<see cref="Problems"/>, each naming the activity or variable). <see cref="Notes"/> are changes that are safe but
/// worth reading (a variable the new version no longer declares, a default filled in).
/// </summary>
public sealed record MigrationPlan(Guid InstanceId, int FromVersion, int ToVersion, IReadOnlyList<MigrationMove> Moves, IReadOnlyList<string> Problems, IReadOnlyList<string> Notes)
{
    public bool Ready => Problems.Count == 0;
}

/// <summary>
/// Moving running instances to another version of their definition (Camunda's migration, without its silent cases):
/// a pure planner that checks every wait of the instance against the target version, and the state the move produces.
/// The rule is all or nothing per instance: one wait without a place to go refuses the whole instance.
/// </summary>
public static class InstanceMigration
{
    /// <summary>
    /// Plans the move of <paramref name="state"/> from <paramref name="from"/> to <paramref name="to"/>.
    /// <paramref name="mapping"/> maps source activity ids to target ids; an id it does not name keeps its id, which
    /// the target must then have (with the same activity type).
    /// </summary>
    public static MigrationPlan Plan(WorkflowDefinition from, WorkflowDefinition to, InstanceState state, IReadOnlyDictionary<string, string> mapping)
    {
        var problems = new List<string>();
        var notes = new List<string>();
        var moves = new List<MigrationMove>();
        if (state.DefinitionId != from.Id || to.Id != from.Id) problems.Add($"The instance runs '{state.DefinitionId}', not '{from.Id}'.");
        if (state.DefinitionVersion != from.Version) problems.Add($"The instance is on v{state.DefinitionVersion}, not v{from.Version}.");
        if (from.Version == to.Version) problems.Add($"The instance is already on v{to.Version}.");
        // Only a running instance waits somewhere a mapping can describe; a faulted one is retried (or cancelled) first,
        // and one that is cancelling waits only for its outside calls to report.
        if (state.Status != InstanceStatus.Running) problems.Add($"The instance is {state.Status}; only running instances move.");
        if (problems.Count > 0) return new MigrationPlan(state.Id, state.DefinitionVersion, to.Version, moves, problems, notes);

        foreach (var bookmark in state.Bookmarks)
        {
            var target = Target(bookmark.ActivityId, mapping);
            var source = from.FindActivity(bookmark.ActivityId);
            var destination = to.FindActivity(target);
            if (destination is null)
            {
                problems.Add(mapping.ContainsKey(bookmark.ActivityId)
                    ? $"'{bookmark.ActivityId}' is mapped to '{target}', which v{to.Version} does not have."
                    : $"The instance waits at '{bookmark.ActivityId}' ({bookmark.Kind}), which v{to.Version} does not have: map it to an activity of v{to.Version}.");
                continue;
            }
            var sourceType = source?.Type ?? bookmark.ActivityType;
            if (destination.Type != sourceType)
            {
                problems.Add($"'{bookmark.ActivityId}' is a {sourceType} and '{target}' a {destination.Type}: a wait moves only to an activity of its own type.");
                continue;
            }
            if (bookmark.Branch is { } lineage)
            {
                foreach (var fork in ForksOf(lineage))
                {
                    if (Target(fork, mapping) != fork || to.FindActivity(fork)?.Type != from.FindActivity(fork)?.Type)
                    {
                        problems.Add($"'{bookmark.ActivityId}' waits on a branch of the fork '{fork}', which must keep its id and type in v{to.Version}; migrate once the parallel section is done.");
                    }
                }
            }
            // A wait dropped into a parallel section of the target without that fork's lineage would reach its join
            // alone: the join never sees the other branches, and the instance ends without reaching an End.
            var forks = ForksOf(bookmark.Branch ?? "").ToHashSet(StringComparer.Ordinal);
            foreach (var fork in ParallelSectionsHolding(to, target).Where(f => !forks.Contains(f)))
            {
                problems.Add($"'{target}' lies inside the parallel section of the fork '{fork}' in v{to.Version}, which this instance has not entered; map '{bookmark.ActivityId}' to an activity outside it.");
            }
            moves.Add(new MigrationMove(bookmark.Kind.ToString(), bookmark.ActivityId, target, bookmark.TaskId));
        }

        foreach (var key in state.Joins.Keys)
        {
            var join = key.Split('|')[0];
            if (Target(join, mapping) != join || to.FindActivity(join)?.Type != "Join")
            {
                problems.Add($"The join '{join}' has branches waiting to meet; it must keep its id in v{to.Version}; migrate once the parallel section is done.");
                continue;
            }
            if (!key.Contains('|', StringComparison.Ordinal) && !Incoming(from, join).SetEquals(Incoming(to, join)))
            {
                problems.Add($"The join '{join}' has branches waiting and its incoming connections differ in v{to.Version}; migrate once the parallel section is done.");
            }
        }

        foreach (var (source, target) in mapping)
        {
            if (from.FindActivity(source) is null) problems.Add($"The mapping names '{source}', which v{from.Version} does not have.");
            else if (to.FindActivity(target) is null) problems.Add($"The mapping sends '{source}' to '{target}', which v{to.Version} does not have.");
        }

        foreach (var variable in to.Variables)
        {
            if (!state.Variables.TryGetValue(variable.Name, out var value))
            {
                notes.Add($"Variable '{variable.Name}' is new in v{to.Version}: it gets its default.");
                continue;
            }
            if (!Fits(variable.Type, value))
            {
                problems.Add($"Variable '{variable.Name}' holds a {Describe(value)}, and v{to.Version} declares it {variable.Type}.");
            }
        }
        foreach (var name in state.Variables.Keys.Where(n => from.Variables.Any(v => v.Name == n) && to.Variables.All(v => v.Name != n)))
        {
            notes.Add($"Variable '{name}' is not declared in v{to.Version}; its value is kept.");
        }
        return new MigrationPlan(state.Id, state.DefinitionVersion, to.Version, moves, problems.Distinct().ToList(), notes);
    }

    /// <summary>The state after the move: the same waits, tasks, timers and variables, under the target's activity ids.</summary>
    internal static InstanceState Apply(WorkflowDefinition to, InstanceState current, IReadOnlyDictionary<string, string> mapping)
    {
        var state = current.Clone(to.Version);
        for (var i = 0; i < state.Bookmarks.Count; i++)
        {
            var b = state.Bookmarks[i];
            var target = to.FindActivity(Target(b.ActivityId, mapping))!;
            state.Bookmarks[i] = b with { ActivityId = target.Id, ActivityType = target.Type };
        }
        foreach (var variable in to.Variables.Where(v => !state.Variables.ContainsKey(v.Name)))
        {
            state.Variables[variable.Name] = Expressions.ExpressionValues.FromJsonNode(variable.Default);
        }
        // Who acted where follows the activity, so four-eyes rules of the new version compare against the same people.
        foreach (var (source, target) in mapping.Where(m => m.Key != m.Value && state.Actors.ContainsKey(m.Key)))
        {
            var actors = state.Actors[source];
            state.Actors.Remove(source);
            if (!state.Actors.TryGetValue(target, out var existing)) state.Actors[target] = existing = [];
            foreach (var user in actors.Where(u => !existing.Contains(u, StringComparer.Ordinal))) existing.Add(user);
        }
        var visited = state.Visited.Select(v => Target(v, mapping)).Where(v => to.FindActivity(v) is not null).ToList();
        state.Visited.Clear();
        state.Visited.UnionWith(visited);
        return state;
    }

    private static string Target(string activityId, IReadOnlyDictionary<string, string> mapping) =>
        mapping.TryGetValue(activityId, out var target) ? target : activityId;

    /// <summary>The fork ids in a branch lineage ("forkId@seq/branch;…"); activity ids cannot hold '@'.</summary>
    private static IEnumerable<string> ForksOf(string lineage) =>
        lineage.Split(';', StringSplitOptions.RemoveEmptyEntries)
            .Select(segment => segment.IndexOf('@', StringComparison.Ordinal) is var at && at > 0 ? segment[..at] : null)
            .OfType<string>()
            .Where(fork => fork.Length > 0);

    /// <summary>The forks of <paramref name="definition"/> from which <paramref name="activityId"/> is reached before any join.</summary>
    private static IEnumerable<string> ParallelSectionsHolding(WorkflowDefinition definition, string activityId)
    {
        foreach (var fork in definition.Activities.Where(a => a.Type == "Fork"))
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var next = new Queue<string>(definition.Connections.Where(c => c.Source == fork.Id).Select(c => c.Target));
            while (next.TryDequeue(out var id))
            {
                if (!seen.Add(id) || definition.FindActivity(id) is not { } activity || activity.Type == "Join" || id == fork.Id) continue;
                if (id == activityId)
                {
                    yield return fork.Id;
                    break;
                }
                foreach (var c in definition.Connections.Where(c => c.Source == id)) next.Enqueue(c.Target);
            }
        }
    }

    private static HashSet<string> Incoming(WorkflowDefinition definition, string join) =>
        definition.Connections.Where(c => c.Target == join).Select(c => $"{c.Source}:{c.Outcome}").ToHashSet(StringComparer.Ordinal);

    private static bool Fits(string type, object? value) => value is null || type switch
    {
        "string" or "datetime" => value is string,
        "number" => value is decimal or int or long or double,
        "boolean" => value is bool,
        "list" => value is IList,
        "object" => value is IDictionary,
        _ => true,
    };

    private static string Describe(object? value) => value switch
    {
        string => "text",
        decimal or int or long or double => "number",
        bool => "boolean",
        IList => "list",
        IDictionary => "object",
        _ => value?.GetType().Name ?? "null",
    };
}
