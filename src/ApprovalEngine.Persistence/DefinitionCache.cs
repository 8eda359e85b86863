using System.Collections.Concurrent;
using ApprovalEngine.Workflows.Definitions;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Persistence;

/// <summary>Published versions never change, so each is parsed once per process.</summary>
public sealed class DefinitionCache
{
    private readonly ConcurrentDictionary<(string, int), WorkflowDefinition> _cache = new();

    public async ValueTask<WorkflowDefinition?> GetAsync(ApprovalDbContext db, string id, int version, CancellationToken cancellationToken)
    {
        if (_cache.TryGetValue((id, version), out var cached)) return cached;
        var json = await db.DefinitionVersions.AsNoTracking()
            .Where(v => v.DefinitionId == id && v.Version == version)
            .Select(v => v.Json)
            .FirstOrDefaultAsync(cancellationToken);
        if (json is null) return null;
        var definition = DefinitionJson.Parse(json) with { Version = version };
        return _cache.GetOrAdd((id, version), definition);
    }
}
