using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Workflows.Tests.Support;

/// <summary>An action offered by a user task, as written in a definition.</summary>
public sealed record TaskAction(string Name, string? Permission = null, string? Guard = null, string? GuardMessage = null, params string[] RequiredFields)
{
    /// <summary>The action's form as JSON (field objects); null writes no <c>fields</c>.</summary>
    public string? FieldsJson { get; init; }

    public string? Comment { get; init; }

    /// <summary>Four eyes: activity ids (or <c>@starter</c>) whose actors may not take this action.</summary>
    public string[]? DifferentFrom { get; init; }

    public JsonObject ToJson()
    {
        var json = new JsonObject { ["name"] = Name, ["displayName"] = Name };
        if (Permission is not null) json["permission"] = Permission;
        if (Guard is not null) json["guard"] = Guard;
        if (GuardMessage is not null) json["guardMessage"] = GuardMessage;
        if (RequiredFields.Length > 0) json["requiredFields"] = new JsonArray([.. RequiredFields.Select(f => (JsonNode)f)]);
        if (FieldsJson is not null) json["fields"] = JsonNode.Parse(FieldsJson);
        if (Comment is not null) json["comment"] = Comment;
        if (DifferentFrom is not null) json["differentFrom"] = new JsonArray([.. DifferentFrom.Select(f => (JsonNode)f)]);
        return json;
    }
}

/// <summary>
/// Fluent builder for test definitions. Activities are added in order; <see cref="Then"/> connects the last added
/// activity's outcome to the next one, <see cref="Connect"/> wires anything else.
/// </summary>
public sealed class FlowBuilder(string id)
{
    private readonly List<VariableDefinition> _variables = [];
    private readonly List<InputDefinition> _inputs = [];
    private readonly List<ActivityDefinition> _activities = [];
    private readonly List<ConnectionDefinition> _connections = [];
    private readonly List<InterruptDefinition> _interrupts = [];

    public static FlowBuilder Create(string id) => new(id);

    public FlowBuilder Variable(string name, string type = "any", object? defaultValue = null)
    {
        _variables.Add(new VariableDefinition(name, type, defaultValue is null ? null : JsonSerializer.SerializeToNode(defaultValue)));
        return this;
    }

    public FlowBuilder Input(string name, string type = "any", bool required = false)
    {
        _inputs.Add(new InputDefinition(name, type, required));
        return this;
    }

    /// <summary>Adds an input with constraints (ADR 7).</summary>
    public FlowBuilder Input(InputDefinition input)
    {
        _inputs.Add(input);
        return this;
    }

    public FlowBuilder Variable(VariableDefinition variable)
    {
        _variables.Add(variable);
        return this;
    }

    /// <summary>Adds an activity; <paramref name="inputs"/> is an anonymous object or a JsonObject.</summary>
    public FlowBuilder Activity(string activityId, string type, object? inputs = null)
    {
        var json = inputs switch
        {
            null => [],
            JsonObject o => o,
            _ => JsonSerializer.SerializeToNode(inputs, DefinitionJson.Options)!.AsObject(),
        };
        _activities.Add(new ActivityDefinition { Id = activityId, Type = type, DisplayName = activityId, Inputs = json });
        return this;
    }

    public FlowBuilder Start(string activityId = "start") => Activity(activityId, "Start");

    public FlowBuilder End(string activityId = "end", string status = "Completed", string? outcome = null) =>
        Activity(activityId, "End", outcome is null ? new { status } : new { status, outcome });

    public FlowBuilder Task(string activityId, string department, string? status = null, string? dueIn = null, bool escalate = false, params TaskAction[] actions)
    {
        var inputs = new JsonObject
        {
            ["department"] = department,
            ["actions"] = new JsonArray([.. actions.Select(a => (JsonNode)a.ToJson())]),
        };
        if (status is not null) inputs["status"] = status;
        if (dueIn is not null) inputs["dueIn"] = dueIn;
        if (escalate) inputs["escalate"] = true;
        return Activity(activityId, "UserTask", inputs);
    }

    public FlowBuilder Decision(string activityId, string condition) => Activity(activityId, "Decision", new { condition });

    public FlowBuilder Set(string activityId, params (string Name, string Value)[] assignments) =>
        Activity(activityId, "SetVariables", new JsonObject
        {
            ["assignments"] = new JsonArray([.. assignments.Select(a => (JsonNode)new JsonObject { ["name"] = a.Name, ["value"] = a.Value })]),
        });

    public FlowBuilder Fork(string activityId, params string[] branches) =>
        Activity(activityId, "Fork", new JsonObject { ["branches"] = new JsonArray([.. branches.Select(b => (JsonNode)b)]) });

    public FlowBuilder Join(string activityId, string mode = "all") => Activity(activityId, "Join", new { mode });

    /// <summary>Connects the previously added activity's <paramref name="outcome"/> to <paramref name="target"/>.</summary>
    public FlowBuilder Connect(string source, string outcome, string target)
    {
        _connections.Add(new ConnectionDefinition(source, outcome, target));
        return this;
    }

    /// <summary>Connects a chain: a -Done→ b -Done→ c … with the given outcome between each pair.</summary>
    public FlowBuilder Chain(string outcome, params string[] ids)
    {
        for (var i = 0; i + 1 < ids.Length; i++) Connect(ids[i], outcome, ids[i + 1]);
        return this;
    }

    public FlowBuilder Interrupt(string eventName, string target, string? condition = null)
    {
        _interrupts.Add(new InterruptDefinition(eventName, target, eventName, condition));
        return this;
    }

    /// <summary>Edits the activity with the given id (for validation tests that break one thing).</summary>
    public FlowBuilder With(string activityId, Func<ActivityDefinition, ActivityDefinition> edit)
    {
        var i = _activities.FindIndex(a => a.Id == activityId);
        _activities[i] = edit(_activities[i]);
        return this;
    }

    public int IndexOf(string activityId) => _activities.FindIndex(a => a.Id == activityId);

    public WorkflowDefinition Build() => new()
    {
        Id = id,
        Name = id,
        Version = 1,
        Variables = [.. _variables],
        Inputs = [.. _inputs],
        Activities = [.. _activities],
        Connections = [.. _connections],
        Interrupts = [.. _interrupts],
    };
}
