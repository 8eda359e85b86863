using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;

namespace ApprovalEngine.Workflows.Runtime;

/// <summary>
/// What caused a step, as data: the engine call with its arguments, the caller and the clock. A host that keeps these
/// in order can replay an instance's history on a fresh host or against another definition (golden histories, the
/// impact preview): outside-call results travel as the arguments of the resume that delivered them, so a replay never
/// calls an outside system again.
/// </summary>
/// <param name="Kind">One of <see cref="StepCommandKinds"/>.</param>
/// <param name="Args">The call's arguments as JSON (values as <see cref="ExpressionValues.ToJsonNode"/> writes them).</param>
/// <param name="Chained">
/// Caused by another step of the same commit (a sub-workflow started, a parent resumed, a child cancelled): replaying
/// the command that caused it reproduces it, so a replay of the whole tree skips it.
/// </param>
public sealed record StepCommand(string Kind, Guid InstanceId, DateTimeOffset At, Actor Actor, JsonObject Args, bool Chained = false)
{
    public JsonObject ToJson()
    {
        var json = new JsonObject
        {
            ["kind"] = Kind,
            ["instanceId"] = InstanceId.ToString(),
            ["at"] = At.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["actor"] = ActorJson(Actor),
            ["args"] = Args.DeepClone(),
        };
        if (Chained) json["chained"] = true;
        return json;
    }

    public static StepCommand FromJson(JsonObject json)
    {
        ArgumentNullException.ThrowIfNull(json);
        return new StepCommand(
            (string)json["kind"]!,
            Guid.Parse((string)json["instanceId"]!),
            DateTimeOffset.Parse((string)json["at"]!, System.Globalization.CultureInfo.InvariantCulture),
            ActorFromJson(json["actor"] as JsonObject),
            json["args"]?.DeepClone() as JsonObject ?? [],
            json["chained"]?.GetValue<bool>() ?? false);
    }

    public static JsonObject ActorJson(Actor actor)
    {
        ArgumentNullException.ThrowIfNull(actor);
        var json = new JsonObject { ["userId"] = actor.UserId };
        if (actor.DisplayName is not null) json["displayName"] = actor.DisplayName;
        if (actor.Role is not null) json["role"] = actor.Role;
        if (actor.IpAddress is not null) json["ipAddress"] = actor.IpAddress;
        if (actor.IsSystem) json["isSystem"] = true;
        if (actor.AllDepartments) json["allDepartments"] = true;
        if (actor.Departments.Count > 0) json["departments"] = Strings(actor.Departments);
        if (actor.Permissions.Count > 0) json["permissions"] = Strings(actor.Permissions);
        if (actor.Scopes.Count > 0) json["scopes"] = Strings(actor.Scopes);
        return json;
    }

    public static Actor ActorFromJson(JsonObject? json) => json is null ? Actor.System() : new Actor
    {
        UserId = (string?)json["userId"] ?? "system",
        DisplayName = (string?)json["displayName"],
        Role = (string?)json["role"],
        IpAddress = (string?)json["ipAddress"],
        IsSystem = json["isSystem"]?.GetValue<bool>() ?? false,
        AllDepartments = json["allDepartments"]?.GetValue<bool>() ?? false,
        Departments = Set(json["departments"]),
        Permissions = Set(json["permissions"]),
        Scopes = Set(json["scopes"]),
    };

    /// <summary>A dictionary of values as a JSON object (null stays absent).</summary>
    public static JsonObject Values(IReadOnlyDictionary<string, object?>? values)
    {
        var json = new JsonObject();
        if (values is null) return json;
        // Order kept: activities apply outputs in this order, and the journal lists their changes so.
        foreach (var (k, v) in values) json[k] = ExpressionValues.ToJsonNode(v);
        return json;
    }

    public static Dictionary<string, object?> ValuesFrom(JsonNode? json)
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (json is not JsonObject o) return result;
        foreach (var (k, v) in o) result[k] = ExpressionValues.FromJsonNode(v);
        return result;
    }

    private static JsonArray Strings(IEnumerable<string> values) => [.. values.Order(StringComparer.Ordinal).Select(v => (JsonNode)JsonValue.Create(v))];

    private static HashSet<string> Set(JsonNode? json) => json is JsonArray a ? [.. a.Select(n => (string)n!)] : [];
}

public static class StepCommandKinds
{
    public const string Start = "start";
    public const string CompleteTask = "completeTask";
    public const string Resume = "resume";
    public const string FireTimer = "fireTimer";
    public const string Interrupt = "interrupt";
    public const string Cancel = "cancel";
    public const string RetryFault = "retryFault";
    public const string Note = "note";
    public const string UpdateVariables = "updateVariables";

    /// <summary>An outside call reported while the instance was cancelling (ADR 10).</summary>
    public const string CompleteCall = "completeCall";

    /// <summary>An outside call reported after the flow had stopped waiting for it (an End on another branch).</summary>
    public const string AbandonedCall = "abandonedCall";

    /// <summary>An outside call failed for good (its retries ran out).</summary>
    public const string CallFailed = "callFailed";

    /// <summary>An operator retried a call that had failed for good.</summary>
    public const string RetryCall = "retryCall";

    /// <summary>The instance moved to another version (ADR 12); its history spans two versions and is not replayed.</summary>
    public const string Migrate = "migrate";
}
