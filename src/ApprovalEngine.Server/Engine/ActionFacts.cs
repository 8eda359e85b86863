using ApprovalEngine.Persistence;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Engine;

/// <summary>
/// Facts read from an outside system for one action, just before it is taken: the variables to refresh, and a rule of
/// the domain that judges the action on them (null = allowed, else why not).
/// </summary>
/// <param name="Refusal">Called with the instance as the step loaded it and the department that holds the task.</param>
public sealed record CurrentFacts(IReadOnlyDictionary<string, object?> Variables, Func<InstanceState, string?, string?> Refusal);

/// <summary>
/// A domain that wants its approvals judged on current facts (e.g. the WD flow re-reads the trading account when
/// Dealing passes to Backoffice). Keyed by definition id, not version: the rule holds for every stored version.
/// </summary>
public interface IActionFacts
{
    string DefinitionId { get; }

    /// <summary>Reads the facts <paramref name="action"/> depends on; null when it depends on none.</summary>
    Task<CurrentFacts?> ReadAsync(InstanceState state, string action, CancellationToken cancellationToken);
}

/// <summary>
/// Every route that completes a task goes through here (the domain's own route and the generic
/// <c>POST /api/tasks/{id}/complete</c>), so no side door skips the current-facts check.
/// </summary>
public sealed class ActionFactsReader(IEnumerable<IActionFacts> sources)
{
    private readonly IReadOnlyList<IActionFacts> _sources = [.. sources];

    /// <summary>Whether a domain judges this definition's actions on current facts.</summary>
    public bool Covers(string definitionId) => _sources.Any(s => s.DefinitionId == definitionId);

    public async Task<CurrentFacts?> ReadAsync(InstanceState state, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(state);
        var source = _sources.FirstOrDefault(s => s.DefinitionId == state.DefinitionId);
        return source is null ? null : await source.ReadAsync(state, action, cancellationToken);
    }

    /// <summary>Reads the instance (only for a definition with a facts source) and the facts the action depends on.</summary>
    public async Task<CurrentFacts?> ReadAsync(ApprovalDbContext db, Guid instanceId, string definitionId, string action, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        if (_sources.All(s => s.DefinitionId != definitionId)) return null;
        var json = await db.Instances.AsNoTracking().Where(i => i.Id == instanceId).Select(i => i.StateJson).FirstOrDefaultAsync(cancellationToken);
        return json is null ? null : await ReadAsync(InstanceStateJson.Deserialize(json), action, cancellationToken);
    }

    /// <summary>
    /// Completes the task with the facts as variables (guards judge them), then applies the domain's rule. Who may act,
    /// the form and the guard are checked first, so a caller without the right still gets 403, bad data 422.
    /// </summary>
    public static StepResult Complete(WorkflowEngine engine, WorkflowDefinition definition, InstanceState state, CompleteTask command, string? department, CurrentFacts? facts)
    {
        ArgumentNullException.ThrowIfNull(engine);
        ArgumentNullException.ThrowIfNull(command);
        var result = engine.CompleteTask(definition, state, facts is null ? command : command with { Facts = facts.Variables });
        if (facts?.Refusal(state, department) is { } refusal) throw new WorkflowConflictException(refusal);
        return result;
    }
}
