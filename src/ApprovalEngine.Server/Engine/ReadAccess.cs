using System.Collections.Concurrent;
using System.Security.Claims;
using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Engine;

/// <summary>
/// Who may read a definition's instances, journals, tasks and incidents (ADR 7). Every route that lets customer data
/// leave asks this one policy, so no route can be weaker than another.
/// </summary>
/// <remarks>
/// The policy of a definition is the <c>read</c> of its current published version (else its latest version), so that
/// instances in flight on older versions are read under the rule the analysts publish now. When a version declares no
/// <c>read</c>: people in a department of one of its user tasks and all-department supervisors. People qualify by
/// permissions, rights or departments; systems (API keys) by scopes only, and always by <c>read:&lt;id&gt;</c> or
/// <c>read:*</c>.
/// </remarks>
public sealed class ReadAccess(DefinitionCache definitions)
{
    private readonly ConcurrentDictionary<(string Id, int Version), Rule> _policies = new();

    /// <summary>A definition's read policy; <see cref="Declared"/> is false for the default.</summary>
    private sealed record Rule(ReadPolicy Policy, bool Declared);

    /// <summary>The definition ids whose instances <paramref name="user"/> may read; list queries filter by it in SQL.</summary>
    public async Task<string[]> ReadableDefinitionsAsync(ApprovalDbContext db, ClaimsPrincipal user, CancellationToken ct)
    {
        var current = await db.Definitions.AsNoTracking()
            .Select(d => new { d.Id, Version = d.PublishedVersion ?? d.LatestVersion })
            .ToListAsync(ct);
        var readable = new List<string>();
        foreach (var d in current)
        {
            if (d.Version > 0 && Allows(await PolicyAsync(db, d.Id, d.Version, ct), user, d.Id)) readable.Add(d.Id);
        }
        return [.. readable];
    }

    public async Task<bool> CanReadAsync(ApprovalDbContext db, ClaimsPrincipal user, string definitionId, CancellationToken ct)
    {
        var version = await db.Definitions.AsNoTracking().Where(d => d.Id == definitionId)
            .Select(d => (int?)(d.PublishedVersion ?? d.LatestVersion)).FirstOrDefaultAsync(ct);
        return version is > 0 && Allows(await PolicyAsync(db, definitionId, version.Value, ct), user, definitionId);
    }

    /// <summary>Refuses (403) a caller who may not read instances of <paramref name="definitionId"/>.</summary>
    public async Task EnsureCanReadAsync(ApprovalDbContext db, ClaimsPrincipal user, string definitionId, CancellationToken ct)
    {
        if (!await CanReadAsync(db, user, definitionId, ct))
        {
            throw ApiProblemException.Forbidden($"You may not read instances of '{definitionId}'; its definition's read policy does not include you.");
        }
    }

    /// <summary>404 for an unknown instance, 403 for one the caller may not read.</summary>
    public async Task EnsureCanReadInstanceAsync(ApprovalDbContext db, ClaimsPrincipal user, Guid instanceId, CancellationToken ct)
    {
        var definitionId = await db.Instances.AsNoTracking().Where(i => i.Id == instanceId).Select(i => i.DefinitionId).FirstOrDefaultAsync(ct)
            ?? throw new WorkflowNotFoundException($"No instance {instanceId}.");
        await EnsureCanReadAsync(db, user, definitionId, ct);
    }

    private async ValueTask<Rule> PolicyAsync(ApprovalDbContext db, string id, int version, CancellationToken ct)
    {
        if (_policies.TryGetValue((id, version), out var cached)) return cached;
        var definition = await definitions.GetAsync(db, id, version, ct);
        // A missing version reads as nobody's rather than everybody's.
        var rule = definition is null ? new Rule(new ReadPolicy(), Declared: true)
            : definition.Read is { } declared ? new Rule(declared, Declared: true)
            : new Rule(DefaultPolicy(definition), Declared: false);
        return _policies.GetOrAdd((id, version), rule);
    }

    /// <summary>The departments of the flow's user tasks (literal text, as the inbox routes them).</summary>
    public static ReadPolicy DefaultPolicy(WorkflowDefinition definition) => new()
    {
        Departments = [.. definition.Activities
            .Where(a => a.Type == "UserTask" && a.Inputs?["department"] is JsonValue v && v.TryGetValue<string>(out _))
            .Select(a => a.Inputs["department"]!.GetValue<string>())
            .Distinct(StringComparer.Ordinal)],
    };

    private static bool Allows(Rule rule, ClaimsPrincipal user, string definitionId)
    {
        var policy = rule.Policy;
        if (user.Identity?.IsAuthenticated != true) return false;
        if (user.IsSystem())
        {
            var actor = new Actor { UserId = user.UserId(), IsSystem = true, Scopes = user.FindAll(ClaimNames.Scope).Select(c => c.Value).ToHashSet(StringComparer.Ordinal) };
            return actor.HasScope($"read:{definitionId}") || policy.Scopes.Any(actor.HasScope);
        }
        // Supervisors hold every department: they read by default and wherever departments are declared.
        if (user.AllDepartments() && (!rule.Declared || policy.Departments.Count > 0)) return true;
        return policy.Permissions.Any(p => user.HasClaim(ClaimNames.Permission, p))
            || policy.Rights.Any(user.HasRight)
            || policy.Departments.Any(d => user.HasClaim(ClaimNames.Department, d));
    }
}
