using System.Text;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Runtime;
using BenchmarkDotNet.Attributes;

namespace ApprovalEngine.Benchmarks;

/// <summary>
/// In-memory steps per second: start + 5 task completions of a 5-step linear UserTask flow with guards, i.e. 6 steps
/// per operation (results are per step via OperationsPerInvoke). The baseline clones an instance state, which every
/// step must do at least once, so the ratio column says how many clones one step costs.
/// </summary>
[MemoryDiagnoser]
public class StepBenchmarks
{
    private const int Tasks = 5;
    private const int StepsPerOperation = Tasks + 1;

    private static readonly Actor Clerk = new()
    {
        UserId = "clerk",
        Role = "clerk",
        AllDepartments = true,
        Permissions = new HashSet<string> { "wd:approve" },
    };

    private static readonly IReadOnlyDictionary<string, object?> Input = new Dictionary<string, object?> { ["amount"] = 250m };

    private WorkflowDefinition _definition = null!;
    private WorkflowEngine _engine = null!;
    private ActivityRegistry _registry = null!;
    private ManualClock _clock = null!;
    private InstanceState _midFlow = null!;

    [GlobalSetup]
    public void Setup()
    {
        _definition = DefinitionJson.Parse(LinearDefinition(Tasks));
        _registry = ActivityRegistry.CreateDefault();
        _clock = new ManualClock(new DateTimeOffset(2025, 1, 6, 8, 30, 0, TimeSpan.Zero));
        _engine = new WorkflowEngine(_registry, _clock);
        var step = _engine.Start(_definition, new StartWorkflow { InstanceId = Guid.NewGuid(), Input = Input });
        _midFlow = Complete(step.State);
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = StepsPerOperation, Description = "Baseline: clone an instance state")]
    public InstanceState CloneState()
    {
        InstanceState last = _midFlow;
        for (var i = 0; i < StepsPerOperation; i++) last = _midFlow.Clone();
        return last;
    }

    [Benchmark(OperationsPerInvoke = StepsPerOperation, Description = "WorkflowEngine: start + 5 completions")]
    public InstanceState Engine()
    {
        var state = _engine.Start(_definition, new StartWorkflow { InstanceId = Guid.NewGuid(), Input = Input }).State;
        for (var i = 0; i < Tasks; i++) state = Complete(state);
        return state;
    }

    [Benchmark(OperationsPerInvoke = StepsPerOperation, Description = "InMemoryWorkflowHost: start + 5 completions")]
    public async Task<InstanceState> Host()
    {
        // A host per operation keeps memory flat; its construction is part of the measured cost.
        var host = new InMemoryWorkflowHost(_registry, _clock);
        host.Publish(_definition);
        var state = await host.StartAsync(_definition.Id, Input);
        for (var i = 0; i < Tasks; i++)
        {
            state = await host.CompleteTaskAsync(host.OpenTask(state.Id).Id, "Approve", Clerk, "ok");
        }
        return state;
    }

    private InstanceState Complete(InstanceState state)
    {
        var task = state.Bookmarks[0].TaskId!.Value;
        return _engine.CompleteTask(_definition, state, new CompleteTask { TaskId = task, Action = "Approve", Comment = "ok", Actor = Clerk }).State;
    }

    internal static string LinearDefinition(int tasks)
    {
        var activities = new StringBuilder("""{ "id": "start", "type": "Start" }""");
        var connections = new StringBuilder();
        for (var i = 1; i <= tasks; i++)
        {
            activities.Append($$"""
                , { "id": "t{{i}}", "type": "UserTask", "inputs": { "status": "Step{{i}}", "department": "D{{i}}",
                    "actions": [ { "name": "Approve", "permission": "wd:approve", "guard": "amount > 0 && amount < 1000000" },
                                 { "name": "Reject", "requiredFields": ["comment"] } ] } }
                """);
            connections.Append($$"""{ "source": "{{(i == 1 ? "start" : $"t{i - 1}")}}", "outcome": "{{(i == 1 ? "Done" : "Approve")}}", "target": "t{{i}}" },""");
            connections.Append($$"""{ "source": "t{{i}}", "outcome": "Reject", "target": "rejected" },""");
        }
        activities.Append("""
            , { "id": "done", "type": "End", "inputs": { "status": "Completed" } }, { "id": "rejected", "type": "End", "inputs": { "status": "Rejected" } }
            """);
        connections.Append($$"""{ "source": "t{{tasks}}", "outcome": "Approve", "target": "done" }""");
        return $$"""
            { "id": "bench-linear", "name": "Bench", "version": 1,
              "variables": [ { "name": "amount", "type": "number" }, { "name": "lastComment", "type": "string" } ],
              "inputs": [ { "name": "amount", "type": "number", "required": true } ],
              "activities": [ {{activities}} ], "connections": [ {{connections}} ] }
            """;
    }
}
