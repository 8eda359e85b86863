using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace ApprovalEngine.Workflows.Definitions;

/// <summary>A declarative flowchart as analysts edit it. Immutable once published: instances run on the version they started on.</summary>
public sealed record WorkflowDefinition
{
    public required string Id { get; init; }
    public required string Name { get; init; }
    public int Version { get; init; }
    public string? Description { get; init; }
    public IReadOnlyList<VariableDefinition> Variables { get; init; } = [];
    public IReadOnlyList<InputDefinition> Inputs { get; init; } = [];
    public IReadOnlyList<ActivityDefinition> Activities { get; init; } = [];
    public IReadOnlyList<ConnectionDefinition> Connections { get; init; } = [];
    public IReadOnlyList<InterruptDefinition> Interrupts { get; init; } = [];

    // Lookups built once per definition instance (definitions are immutable once published); the first match wins,
    // as with the linear scans they replace.
    private static readonly ConditionalWeakTable<WorkflowDefinition, Lookup> Lookups = [];

    public ActivityDefinition? FindActivity(string id) =>
        Lookups.GetValue(this, static d => new Lookup(d)).Activities.GetValueOrDefault(id);

    public ConnectionDefinition? FindConnection(string sourceId, string outcome) =>
        Lookups.GetValue(this, static d => new Lookup(d)).Connections.GetValueOrDefault((sourceId, outcome));

    private sealed class Lookup
    {
        public readonly Dictionary<string, ActivityDefinition> Activities = new(StringComparer.Ordinal);
        public readonly Dictionary<(string, string), ConnectionDefinition> Connections = [];

        public Lookup(WorkflowDefinition definition)
        {
            foreach (var a in definition.Activities)
            {
                if (a.Id is not null) Activities.TryAdd(a.Id, a);
            }
            foreach (var c in definition.Connections)
            {
                if (c.Source is not null && c.Outcome is not null) Connections.TryAdd((c.Source, c.Outcome), c);
            }
        }
    }
}

public sealed record VariableDefinition(string Name, string Type = "any", JsonNode? Default = null, string? Description = null);

public sealed record InputDefinition(string Name, string Type = "any", bool Required = false, string? Description = null);

public sealed record ActivityDefinition
{
    public required string Id { get; init; }
    public required string Type { get; init; }
    public string? DisplayName { get; init; }
    public JsonObject Inputs { get; init; } = [];
    public Position? Position { get; init; }
}

public sealed record Position(decimal X, decimal Y);

public sealed record ConnectionDefinition(string Source, string Outcome, string Target);

/// <summary>A flow-level event that interrupts whatever the instance waits for and moves it to <see cref="Target"/>.</summary>
public sealed record InterruptDefinition(string Event, string Target, string? DisplayName = null, string? Condition = null);

public static class DefinitionJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        WriteIndented = true,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow,
        AllowTrailingCommas = false,
        MaxDepth = 64,
    };

    public static WorkflowDefinition Parse(string json) =>
        JsonSerializer.Deserialize<WorkflowDefinition>(json, Options)
        ?? throw new JsonException("The definition is empty.");

    public static string Serialize(WorkflowDefinition definition) => JsonSerializer.Serialize(definition, Options);
}
