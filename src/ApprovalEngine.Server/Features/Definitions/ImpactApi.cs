using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Replay;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Definitions;

/// <summary>What a draft would change for one recent instance.</summary>
public static class ImpactKinds
{
    public const string Unchanged = "unchanged";
    public const string PathChanged = "pathChanged";

    /// <summary>Same path and outcome, other values (a variable, an amount a step computed).</summary>
    public const string ValuesChanged = "valuesChanged";
    public const string OutcomeChanged = "outcomeChanged";
    public const string NotPreviewable = "notPreviewable";
    public const string NotApplicable = "notApplicable";
}

/// <param name="Instance">0 = the instance itself; sub-workflows it started follow in creation order.</param>
/// <param name="Index">Position in that instance's journal (0-based).</param>
/// <param name="Recorded">The entry as the instance's own version produces it (kind, activity → outcome, (action), [business status]).</param>
/// <param name="Draft">The entry the draft produces there instead.</param>
public sealed record ImpactStep(int Instance, string? DefinitionId, int Index, string? ActivityId, string Recorded, string Draft);

public sealed record ImpactOutcome(string Status, string? BusinessStatus, string? FinalOutcome);

/// <param name="Impact">One of unchanged, valuesChanged, pathChanged, outcomeChanged, notPreviewable, notApplicable.</param>
/// <param name="Reason">Why it is not previewable or not applicable, or where the draft's replay stopped.</param>
public sealed record InstanceImpact(Guid InstanceId, string? CorrelationId, int Version, DateTimeOffset CreatedAt, string Status, string? BusinessStatus,
    string Impact, string? Reason, ImpactStep? FirstDivergentStep, ImpactOutcome? Recorded, ImpactOutcome? Draft);

/// <param name="Considered">Instances looked at: the newest of the definition, up to the limit.</param>
/// <param name="Counts">Instances per impact kind.</param>
public sealed record ImpactReport(string DefinitionId, int Considered, IReadOnlyDictionary<string, int> Counts, IReadOnlyList<InstanceImpact> Items);

/// <summary>
/// The impact preview (ADR 11): the recent instances of a definition replayed from their recorded step commands, once on
/// the version each ran on and once with the saved draft in its place, and compared. Nothing is written and no outside
/// system is called (their results are in the history). The answer names instances and steps only — no variables,
/// comments or form data — so it is for the analysts who edit or approve definitions.
/// </summary>
public static class ImpactApi
{
    public const int DefaultLimit = 50;
    public const int MaxLimit = 200;

    public static RouteGroupBuilder MapImpactApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/definitions").WithTags("Definitions").ProducesProblems(400, 401, 403);
        group.MapPost("/{id}/draft/impact", Preview).RequireAuthorization(Policies.ReviewDefinitions).ProducesProblems(404, 422).WithName("previewDraftImpact").WithSummary("Preview how the draft would affect running instances");
        return group;
    }

    private static async Task<Ok<ImpactReport>> Preview(string id, int? limit, ApprovalDbContext db, ActivityRegistry registry, WorkflowEngine engine, DefinitionService definitions, CancellationToken ct)
    {
        var take = limit ?? DefaultLimit;
        if (take is < 1 or > MaxLimit) throw ApiProblemException.Invalid("limit", $"limit must be between 1 and {MaxLimit}.");
        var record = await db.Definitions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct) ?? throw ApiProblemException.NotFound($"No definition '{id}'.");
        if (record.DraftJson is null) throw ApiProblemException.NotFound($"'{id}' has no draft to preview.");
        // A draft saved with problems is not replayed: the engine runs valid definitions only.
        var draft = await definitions.RequireValidAsync(db, record.DraftJson, ct);
        var report = await new ImpactPreview(db, registry, engine.Options).RunAsync(id, draft, take, ct);
        return TypedResults.Ok(report);
    }
}

/// <summary>Rebuilds each recent instance's history from <c>step_commands</c> and replays it twice in memory.</summary>
public sealed class ImpactPreview(ApprovalDbContext db, ActivityRegistry registry, EngineOptions options)
{
    private readonly Dictionary<(string, int), JsonObject?> _versions = [];

    public async Task<ImpactReport> RunAsync(string definitionId, WorkflowDefinition draft, int limit, CancellationToken ct)
    {
        var instances = await db.Instances.AsNoTracking().Where(i => i.DefinitionId == definitionId)
            .OrderByDescending(i => i.CreatedAt).ThenByDescending(i => i.Id).Take(limit)
            .Select(i => new { i.Id, i.CorrelationId, i.DefinitionVersion, i.CreatedAt, i.Status, i.BusinessStatus })
            .ToListAsync(ct);
        var items = new List<InstanceImpact>(instances.Count);
        foreach (var i in instances)
        {
            var (impact, reason, step, recorded, drafted) = await PreviewOneAsync(i.Id, definitionId, draft, ct);
            items.Add(new InstanceImpact(i.Id, i.CorrelationId, i.DefinitionVersion, i.CreatedAt, i.Status, i.BusinessStatus, impact, reason, step, recorded, drafted));
        }
        var counts = new[] { ImpactKinds.Unchanged, ImpactKinds.ValuesChanged, ImpactKinds.PathChanged, ImpactKinds.OutcomeChanged, ImpactKinds.NotPreviewable, ImpactKinds.NotApplicable }
            .ToDictionary(k => k, k => items.Count(x => x.Impact == k));
        return new ImpactReport(definitionId, items.Count, counts, items);
    }

    private async Task<(string Impact, string? Reason, ImpactStep? Step, ImpactOutcome? Recorded, ImpactOutcome? Draft)> PreviewOneAsync(Guid rootId, string definitionId, WorkflowDefinition draft, CancellationToken ct)
    {
        var (history, missing) = await LoadHistoryAsync(rootId, ct);
        if (history is null) return (ImpactKinds.NotPreviewable, missing, null, null, null);
        return await CompareAsync(history, definitionId, draft);
    }

    /// <summary>The instance's history (with the sub-workflows it started) from <c>step_commands</c>, or why there is none.</summary>
    public async Task<(RecordedHistory? History, string? Missing)> LoadHistoryAsync(Guid rootId, CancellationToken ct)
    {
        // The instance and the sub-workflows it started, level by level.
        var tree = new List<(Guid Id, string DefinitionId, int DefinitionVersion, long Version)>();
        var frontier = new List<Guid> { rootId };
        var root = await db.Instances.AsNoTracking().Where(x => x.Id == rootId).Select(x => new { x.Id, x.DefinitionId, x.DefinitionVersion, x.Version }).SingleAsync(ct);
        tree.Add((root.Id, root.DefinitionId, root.DefinitionVersion, root.Version));
        for (var depth = 0; depth < 8 && frontier.Count > 0; depth++)
        {
            var ids = frontier;
            var children = await db.Instances.AsNoTracking().Where(x => x.ParentInstanceId != null && ids.Contains(x.ParentInstanceId.Value))
                .Select(x => new { x.Id, x.DefinitionId, x.DefinitionVersion, x.Version }).ToListAsync(ct);
            tree.AddRange(children.Select(c => (c.Id, c.DefinitionId, c.DefinitionVersion, c.Version)));
            frontier = [.. children.Select(c => c.Id)];
        }
        var treeIds = tree.Select(t => t.Id).ToList();
        var rows = await db.StepCommands.AsNoTracking().Where(c => treeIds.Contains(c.InstanceId)).OrderBy(c => c.Id)
            .Select(c => new { c.InstanceId, c.CommandJson }).ToListAsync(ct);
        // Every step of every instance of the tree must have its command, or the replay would miss what happened.
        var perInstance = rows.GroupBy(r => r.InstanceId).ToDictionary(g => g.Key, g => g.Count());
        var incomplete = tree.FirstOrDefault(t => perInstance.GetValueOrDefault(t.Id) != t.Version);
        if (incomplete.Id != Guid.Empty)
        {
            return (null, perInstance.GetValueOrDefault(incomplete.Id) == 0
                ? "It ran before this release recorded step commands."
                : $"Only {perInstance.GetValueOrDefault(incomplete.Id)} of the {incomplete.Version} steps of {incomplete.DefinitionId} {incomplete.Id} were recorded.");
        }

        var definitions = new List<HistoryDefinition>();
        foreach (var (id, version) in tree.Select(t => (t.DefinitionId, t.DefinitionVersion)).Distinct())
        {
            var json = await VersionAsync(id, version, ct);
            if (json is null) return (null, $"{id} v{version} is not stored.");
            definitions.Add(new HistoryDefinition(id, version, json));
        }
        var commands = rows.Select(r => StepCommand.FromJson(JsonNode.Parse(r.CommandJson)!.AsObject()));
        return (RecordedHistory.FromCommands(rootId.ToString(), rootId, commands, definitions), null);
    }

    private async Task<(string Impact, string? Reason, ImpactStep? Step, ImpactOutcome? Recorded, ImpactOutcome? Draft)> CompareAsync(RecordedHistory history, string definitionId, WorkflowDefinition draft)
    {
        var recorded = await HistoryReplayer.ReplayAsync(history, new InMemoryHistoryHost(registry, options));
        if (recorded.Stop is { } stuck)
        {
            return (ImpactKinds.NotPreviewable, $"Its history does not replay on its own version (command {stuck.Index}, {stuck.Kind}: {stuck.Message}).", null, Outcome(recorded.Outcome), null);
        }
        var drafted = await HistoryReplayer.ReplayAsync(history, new InMemoryHistoryHost(registry, options), new Dictionary<string, WorkflowDefinition> { [definitionId] = draft });
        if (drafted.Stop is { MissingActivity: true } missing)
        {
            return (ImpactKinds.NotApplicable, $"The draft has no activity '{missing.ActivityId}', where this instance was acted on (command {missing.Index}, {missing.Kind}).", null, Outcome(recorded.Outcome), Outcome(drafted.Outcome));
        }
        var comparison = HistoryComparison.Compare(recorded.Outcome, drafted.Outcome);
        var stop = drafted.Stop is { } s ? $"On the draft, command {s.Index} ({s.Kind}{(s.ActivityId is null ? "" : " at " + s.ActivityId)}) could not be taken: {s.Message}" : null;
        if (comparison.Same && stop is null) return (ImpactKinds.Unchanged, null, null, Outcome(recorded.Outcome), Outcome(drafted.Outcome));
        ImpactStep? step = comparison.First is { } f
            ? new ImpactStep(f.Instance, f.DefinitionId, f.Index, (string?)f.Expected?["activityId"] ?? (string?)f.Actual?["activityId"], FirstDivergence.Summary(f.Expected), FirstDivergence.Summary(f.Actual))
            : null;
        var kind = comparison.OutcomeChanged ? ImpactKinds.OutcomeChanged
            : comparison.PathChanged || stop is not null ? ImpactKinds.PathChanged
            : ImpactKinds.ValuesChanged;
        // Values only: name them (variable names, never their values — those may be customer data).
        if (kind == ImpactKinds.ValuesChanged) stop = "Same path and outcome; values differ: " + string.Join(", ", comparison.Lines.Select(Field).Distinct().Take(10));
        return (kind, stop, step, Outcome(recorded.Outcome), Outcome(drafted.Outcome));
    }

    /// <summary>"sample-approval[0].variables.limit: expected …" → "sample-approval[0].variables.limit".</summary>
    private static string Field(string line) => line.Split(':', 2)[0];

    private async Task<JsonObject?> VersionAsync(string id, int version, CancellationToken ct)
    {
        if (_versions.TryGetValue((id, version), out var cached)) return cached;
        var json = await db.DefinitionVersions.AsNoTracking().Where(v => v.DefinitionId == id && v.Version == version).Select(v => v.Json).FirstOrDefaultAsync(ct);
        return _versions[(id, version)] = json is null ? null : JsonNode.Parse(json)?.AsObject();
    }

    private static ImpactOutcome? Outcome(JsonObject outcome) =>
        outcome["instances"]?.AsArray().FirstOrDefault() is JsonObject root && root["status"] is not null
            ? new ImpactOutcome((string)root["status"]!, (string?)root["businessStatus"], (string?)root["finalOutcome"])
            : null;
}
