using ApprovalEngine.Persistence;
using ApprovalEngine.Workflows.Definitions;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Instances;

/// <summary>
/// The version whose declarations apply to every instance of a definition, whatever version it runs on: the current
/// published version (else the latest), as for reads (ADR 7). So a rule published now covers instances stored before.
/// </summary>
public static class CurrentDefinitions
{
    public static async Task<WorkflowDefinition?> GetAsync(ApprovalDbContext db, DefinitionCache definitions, string id, CancellationToken ct)
    {
        var version = await db.Definitions.AsNoTracking().Where(d => d.Id == id)
            .Select(d => (int?)(d.PublishedVersion ?? d.LatestVersion)).FirstOrDefaultAsync(ct);
        return version is > 0 ? await definitions.GetAsync(db, id, version.Value, ct) : null;
    }

    public static async Task<List<(string Id, WorkflowDefinition Definition)>> LoadAsync(ApprovalDbContext db, DefinitionCache definitions, IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var current = await db.Definitions.AsNoTracking().Where(d => ids.Contains(d.Id))
            .Select(d => new { d.Id, Version = d.PublishedVersion ?? d.LatestVersion }).ToListAsync(ct);
        var result = new List<(string, WorkflowDefinition)>();
        foreach (var d in current)
        {
            if (d.Version > 0 && await definitions.GetAsync(db, d.Id, d.Version, ct) is { } definition) result.Add((d.Id, definition));
        }
        return result;
    }
}
