using System.Security.Claims;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Server.Features.Instances;

/// <summary>Through which route a start arrives: the generic engine route (with the caller's claims) or a domain route.</summary>
public sealed record StartRoute
{
    public const string GenericName = "POST /api/definitions/{id}/instances";

    private StartRoute(string name, ClaimsPrincipal? caller)
    {
        Name = name;
        Caller = caller;
    }

    public string Name { get; }

    /// <summary>The caller on the generic route; domain routes authorize their callers themselves.</summary>
    public ClaimsPrincipal? Caller { get; }

    public bool IsGeneric => Caller is not null;

    public static StartRoute Generic(ClaimsPrincipal caller) => new(GenericName, caller);

    /// <param name="name">The route as definitions name it in <c>start.via</c>, e.g. <c>POST /api/wd-requests</c>.</param>
    public static StartRoute Domain(string name) => new(name, null);
}

/// <summary>
/// Who may start a definition (ADR 7), decided by the host before the engine runs: the definition's <c>start</c>
/// (people by rights, systems by scopes, default <c>start:&lt;id&gt;</c>), and the route. A definition with
/// <c>via</c>, or one a domain module owns, starts only through its domain route, whatever version is published.
/// </summary>
public sealed class StartPolicy
{
    private readonly Dictionary<string, string> _owned = new(StringComparer.Ordinal);

    public StartPolicy(IEnumerable<IActivityModule> modules)
    {
        foreach (var module in modules)
        {
            foreach (var (id, route) in module.OwnedDefinitions) _owned[id] = route;
        }
    }

    /// <summary>The only route that may start <paramref name="definitionId"/>, or null when the generic route may.</summary>
    public string? DomainRouteOf(string definitionId, WorkflowDefinition? definition) =>
        _owned.TryGetValue(definitionId, out var route) ? route : definition?.Start?.Via;

    /// <summary>Throws a 403 problem unless the start may go ahead.</summary>
    public void Check(string definitionId, WorkflowDefinition? definition, StartRoute route, Actor actor)
    {
        var domain = DomainRouteOf(definitionId, definition);
        if (!route.IsGeneric)
        {
            // A domain route starts its own flows; it never starts another domain's.
            if (domain is not null && domain != route.Name) throw Refused(definitionId, domain);
            return;
        }
        if (domain is not null) throw Refused(definitionId, domain);
        if (definition is null) return; // unknown or unpublished: the starter answers 404 / 409
        var start = definition.Start;
        if (actor.IsSystem)
        {
            var scopes = start?.Scopes ?? [Scopes.Start(definitionId)];
            if (!scopes.Any(actor.HasScope))
            {
                throw new ApiProblemException(403, "Not permitted.", new Dictionary<string, string[]> { ["scope"] = [Needs("scopes", scopes)] },
                    $"Starting {definitionId} needs {Needs("scopes", scopes)}; this API key holds none of them.");
            }
            return;
        }
        var rights = start?.Rights ?? [];
        if (!rights.Any(route.Caller!.HasRight))
        {
            throw new ApiProblemException(403, "Not permitted.", new Dictionary<string, string[]> { ["right"] = [Needs("rights", rights)] },
                $"Starting {definitionId} needs {Needs("rights", rights)}.");
        }
    }

    private static string Needs(string what, IReadOnlyList<string> names) =>
        names.Count == 0 ? $"{what} that its definition does not grant to anyone (no {what} are declared)" : $"one of the {what} {string.Join(", ", names)}";

    private static ApiProblemException Refused(string definitionId, string route) =>
        new(403, "Not permitted.", new Dictionary<string, string[]> { ["route"] = [$"Use {route}."] },
            $"{definitionId} is started only through {route}, which checks what the generic route cannot; use {route}.");
}
