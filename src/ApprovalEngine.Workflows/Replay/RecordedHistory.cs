using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Workflows.Replay;

/// <summary>A definition version a history ran on, as its JSON.</summary>
public sealed record HistoryDefinition(string Id, int Version, JsonObject Json)
{
    public WorkflowDefinition Parse() => DefinitionJson.Parse(Json.ToJsonString()) with { Version = Version };
}

/// <summary>
/// One instance's history (with the sub-workflows it started): the definitions it ran on, the commands that drove it
/// in order with the clock at each (outside-call results included, as the resumes that delivered them) and, for a
/// golden history, the outcome they produced (<see cref="HistoryOutcome"/>).
/// </summary>
public sealed class RecordedHistory
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public required string Name { get; init; }
    public string? Description { get; init; }
    public required Guid RootInstanceId { get; init; }
    public required IReadOnlyList<HistoryDefinition> Definitions { get; init; }

    /// <summary>The commands to replay, in order; chained ones (caused by another command of the same commit) are left out.</summary>
    public required IReadOnlyList<StepCommand> Commands { get; init; }
    public JsonObject? Expected { get; init; }

    public JsonObject ToJson() => new()
    {
        ["name"] = Name,
        ["description"] = Description,
        ["rootInstanceId"] = RootInstanceId.ToString(),
        ["definitions"] = new JsonArray([.. Definitions.Select(d => (JsonNode)new JsonObject { ["id"] = d.Id, ["version"] = d.Version, ["json"] = d.Json.DeepClone() })]),
        ["commands"] = new JsonArray([.. Commands.Select(c => (JsonNode)c.ToJson())]),
        ["expected"] = Expected?.DeepClone(),
    };

    public string ToJsonText() => ToJson().ToJsonString(Indented) + "\n";

    public static RecordedHistory FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new RecordedHistory
        {
            Name = (string)json["name"]!,
            Description = (string?)json["description"],
            RootInstanceId = Guid.Parse((string)json["rootInstanceId"]!),
            Definitions = [.. json["definitions"]!.AsArray().Select(d => new HistoryDefinition((string)d!["id"]!, (int)d["version"]!, d["json"]!.DeepClone().AsObject()))],
            Commands = [.. json["commands"]!.AsArray().Select(c => StepCommand.FromJson(c!.AsObject()))],
            Expected = json["expected"]?.DeepClone() as JsonObject,
        };
    }

    public static RecordedHistory Load(string path) =>
        FromJson(JsonNode.Parse(File.ReadAllText(path))?.AsObject() ?? throw new JsonException($"{path} is empty."));

    /// <summary>
    /// The history of <paramref name="rootInstanceId"/> from the commands a host kept (in commit order): its own and
    /// those of the sub-workflows it started, chained ones left out (see <see cref="StepCommand.Chained"/>).
    /// </summary>
    public static RecordedHistory FromCommands(string name, Guid rootInstanceId, IEnumerable<StepCommand> commands, IReadOnlyList<HistoryDefinition> definitions, JsonObject? expected = null, string? description = null)
    {
        var tree = new HashSet<Guid> { rootInstanceId };
        var list = new List<StepCommand>();
        foreach (var command in commands)
        {
            // A child belongs to the tree from its (chained) start, which names its parent.
            if (command.Kind == StepCommandKinds.Start && command.Args["parentInstanceId"] is JsonValue parent && tree.Contains(Guid.Parse((string)parent!)))
            {
                tree.Add(command.InstanceId);
            }
            if (!tree.Contains(command.InstanceId)) continue;
            // A chained command is replayed by its cause, except where the cause lies outside the tree: a sub-workflow
            // replayed on its own keeps the start and the cancel its parent gave it.
            if (command.Chained && !(command.InstanceId == rootInstanceId && command.Kind is StepCommandKinds.Start or StepCommandKinds.Cancel)) continue;
            list.Add(command);
        }
        return new RecordedHistory { Name = name, Description = description, RootInstanceId = rootInstanceId, Definitions = definitions, Commands = list, Expected = expected };
    }
}
