using System.Text.Json.Nodes;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>Small definitions that exercise what the store has to keep: tasks, timers, journal, child instances.</summary>
internal static class Flows
{
    public static readonly Actor Cs = new() { UserId = "alice", Departments = new HashSet<string> { "CS" } };
    public static readonly Actor Finance = new() { UserId = "bob", Departments = new HashSet<string> { "FIN" } };

    /// <summary>start → review (CS) → finance (FIN) → end.</summary>
    public static WorkflowDefinition Approval(string id = "approval") => new()
    {
        Id = id,
        Name = "Two-step approval",
        Variables = [new VariableDefinition("amount", "number", JsonValue.Create(0)), new VariableDefinition("note", "string")],
        Inputs = [new InputDefinition("amount", "number")],
        Activities =
        [
            new ActivityDefinition { Id = "start", Type = "Start" },
            UserTask("review", "CS", "InReview"),
            UserTask("finance", "FIN", "InFinance"),
            new ActivityDefinition { Id = "end", Type = "End", Inputs = new JsonObject { ["status"] = "Approved" } },
        ],
        Connections =
        [
            new ConnectionDefinition("start", "Done", "review"),
            new ConnectionDefinition("review", "approve", "finance"),
            new ConnectionDefinition("finance", "approve", "end"),
        ],
    };

    /// <summary>start → wait (Delay) → end.</summary>
    public static WorkflowDefinition Delay(string duration, string id = "delay") => new()
    {
        Id = id,
        Name = "Delay",
        Activities =
        [
            new ActivityDefinition { Id = "start", Type = "Start" },
            new ActivityDefinition { Id = "wait", Type = "Delay", Inputs = new JsonObject { ["duration"] = duration } },
            new ActivityDefinition { Id = "end", Type = "End", Inputs = new JsonObject { ["status"] = "Done" } },
        ],
        Connections = [new ConnectionDefinition("start", "Done", "wait"), new ConnectionDefinition("wait", "Done", "end")],
    };

    /// <summary>start → call child → end; the child ends at once, or waits for a CS task when <paramref name="childWaits"/>.</summary>
    public static (WorkflowDefinition Parent, WorkflowDefinition Child) ParentAndChild(bool childWaits)
    {
        var child = new WorkflowDefinition
        {
            Id = "child",
            Name = "Child",
            Activities = childWaits
                ? [new ActivityDefinition { Id = "start", Type = "Start" }, UserTask("check", "CS", "Checking"), new ActivityDefinition { Id = "end", Type = "End", Inputs = new JsonObject { ["status"] = "Checked", ["outcome"] = "Ok" } }]
                : [new ActivityDefinition { Id = "start", Type = "Start" }, new ActivityDefinition { Id = "end", Type = "End", Inputs = new JsonObject { ["status"] = "Checked", ["outcome"] = "Ok" } }],
            Connections = childWaits
                ? [new ConnectionDefinition("start", "Done", "check"), new ConnectionDefinition("check", "approve", "end")]
                : [new ConnectionDefinition("start", "Done", "end")],
        };
        var parent = new WorkflowDefinition
        {
            Id = "parent",
            Name = "Parent",
            Activities =
            [
                new ActivityDefinition { Id = "start", Type = "Start" },
                new ActivityDefinition { Id = "call", Type = "CallWorkflow", Inputs = new JsonObject { ["definition"] = "child", ["outcomes"] = new JsonArray("Ok") } },
                new ActivityDefinition { Id = "end", Type = "End", Inputs = new JsonObject { ["status"] = "ParentDone" } },
            ],
            Connections = [new ConnectionDefinition("start", "Done", "call"), new ConnectionDefinition("call", "Ok", "end")],
        };
        return (parent, child);
    }

    private static ActivityDefinition UserTask(string id, string department, string status) => new()
    {
        Id = id,
        Type = "UserTask",
        Inputs = new JsonObject
        {
            ["title"] = $"Task {id}",
            ["department"] = department,
            ["status"] = status,
            ["priority"] = 2,
            ["dueIn"] = "P1D",
            ["actions"] = new JsonArray(new JsonObject { ["name"] = "approve", ["displayName"] = "Approve" }),
        },
    };

    /// <summary>Publishes each definition as version 1, as the server's publish endpoint does.</summary>
    public static async Task PublishAsync(ApprovalDbContext db, params WorkflowDefinition[] definitions)
    {
        var now = new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);
        foreach (var definition in definitions)
        {
            db.Definitions.Add(new DefinitionRecord { Id = definition.Id, Name = definition.Name, LatestVersion = 1, PublishedVersion = 1, CreatedAt = now, UpdatedAt = now });
            db.DefinitionVersions.Add(new DefinitionVersionRecord
            {
                DefinitionId = definition.Id,
                Version = 1,
                Json = DefinitionJson.Serialize(definition with { Version = 1 }),
                ContentHash = new string('0', 64),
                PublishedAt = now,
            });
        }
        await db.SaveChangesAsync();
    }
}
