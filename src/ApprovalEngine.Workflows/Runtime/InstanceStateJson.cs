using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;

namespace ApprovalEngine.Workflows.Runtime;

/// <summary>Round-trips an instance's state as JSON (the store keeps it in one column; dry runs hand it to the browser).</summary>
public static class InstanceStateJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    private sealed record Document(
        Guid Id, string DefinitionId, int DefinitionVersion, string? CorrelationId, InstanceStatus Status, string? BusinessStatus,
        string? Department, int Priority, JsonObject Variables, List<Bookmark> Bookmarks, Dictionary<string, List<string>> Joins,
        List<string> Visited, long Version, long Sequence, Guid? ParentInstanceId, Guid? ParentBookmarkId, string? FinalOutcome,
        string? Fault, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt,
        string? StartedBy = null, string? RequestedBy = null, Dictionary<string, List<string>>? Actors = null);

    public static string Serialize(InstanceState s) => JsonSerializer.Serialize(ToDocument(s), Options);

    public static JsonNode ToNode(InstanceState s) => JsonSerializer.SerializeToNode(ToDocument(s), Options)!;

    public static JsonObject VariablesToJson(IReadOnlyDictionary<string, object?> variables)
    {
        var json = new JsonObject();
        foreach (var (k, v) in variables) json[k] = ExpressionValues.ToJsonNode(v);
        return json;
    }

    public static Dictionary<string, object?> VariablesFromJson(JsonObject? json)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (json is null) return result;
        foreach (var (k, v) in json) result[k] = ExpressionValues.FromJsonNode(v);
        return result;
    }

    public static InstanceState Deserialize(string json) =>
        FromDocument(JsonSerializer.Deserialize<Document>(json, Options) ?? throw new JsonException("Empty instance state."));

    public static InstanceState FromNode(JsonNode node) =>
        FromDocument(node.Deserialize<Document>(Options) ?? throw new JsonException("Empty instance state."));

    private static Document ToDocument(InstanceState s) => new(
        s.Id, s.DefinitionId, s.DefinitionVersion, s.CorrelationId, s.Status, s.BusinessStatus, s.Department, s.Priority,
        VariablesToJson(s.Variables), s.Bookmarks, s.Joins, [.. s.Visited], s.Version, s.Sequence, s.ParentInstanceId,
        s.ParentBookmarkId, s.FinalOutcome, s.Fault, s.CreatedAt, s.UpdatedAt, s.CompletedAt,
        s.StartedBy, s.RequestedBy, s.Actors.Count == 0 ? null : s.Actors);

    private static InstanceState FromDocument(Document d) => new()
    {
        Id = d.Id,
        DefinitionId = d.DefinitionId,
        DefinitionVersion = d.DefinitionVersion,
        CorrelationId = d.CorrelationId,
        Status = d.Status,
        BusinessStatus = d.BusinessStatus,
        Department = d.Department,
        Priority = d.Priority,
        Variables = VariablesFromJson(d.Variables),
        Bookmarks = d.Bookmarks ?? [],
        Joins = d.Joins ?? new(StringComparer.Ordinal),
        Visited = new HashSet<string>(d.Visited ?? [], StringComparer.Ordinal),
        Version = d.Version,
        Sequence = d.Sequence,
        ParentInstanceId = d.ParentInstanceId,
        ParentBookmarkId = d.ParentBookmarkId,
        FinalOutcome = d.FinalOutcome,
        Fault = d.Fault,
        CreatedAt = d.CreatedAt,
        UpdatedAt = d.UpdatedAt,
        CompletedAt = d.CompletedAt,
        StartedBy = d.StartedBy,
        RequestedBy = d.RequestedBy,
        Actors = d.Actors is null ? new(StringComparer.Ordinal) : new(d.Actors, StringComparer.Ordinal),
    };
}
