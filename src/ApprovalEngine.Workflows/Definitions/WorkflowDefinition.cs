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

    public ActivityDefinition? FindActivity(string id)
    {
        foreach (var a in Activities)
        {
            if (a.Id == id) return a;
        }
        return null;
    }

    public ConnectionDefinition? FindConnection(string sourceId, string outcome)
    {
        foreach (var c in Connections)
        {
            if (c.Source == sourceId && c.Outcome == outcome) return c;
        }
        return null;
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
