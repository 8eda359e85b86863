using ApprovalEngine.Workflows.Definitions;

namespace ApprovalEngine.Workflows.Tests.Support;

/// <summary>Reusable definitions shared by the tests.</summary>
public static class Flows
{
    public static readonly TaskAction Approve = new("Approve", Permission: "wd:approve", Guard: "amount > 0", GuardMessage: "Amount must be positive");
    public static readonly TaskAction Reject = new("Reject", RequiredFields: "comment");

    /// <summary>Approve with a form that may correct the amount.</summary>
    public static readonly TaskAction ApproveWithAmount = Approve with { FieldsJson = """[{ "name": "amount", "type": "number", "minimum": 0 }]""" };

    /// <summary>Start → n user tasks (CS, Dealing, …) each with Approve (guarded) → End; Reject goes to a Rejected end.</summary>
    public static FlowBuilder Linear(string id = "linear", int tasks = 2, string? dueIn = null, bool escalate = false, TaskAction? approve = null)
    {
        approve ??= Approve;
        var b = FlowBuilder.Create(id)
            .Variable("amount", "number", 0m)
            .Variable("lastComment", "string")
            .Input("amount", "number", required: true)
            .Start();
        for (var i = 1; i <= tasks; i++)
        {
            b.Task($"t{i}", $"D{i}", status: $"Step{i}", dueIn: dueIn, escalate: escalate, approve, Reject);
            b.Connect(i == 1 ? "start" : $"t{i - 1}", i == 1 ? "Done" : "Approve", $"t{i}");
            b.Connect($"t{i}", "Reject", "rejected");
        }
        return b.End("done", "Completed").Connect($"t{tasks}", "Approve", "done")
            .End("rejected", "Rejected", outcome: "Rejected");
    }

    /// <summary>Start → activity under test (id "x") → End on each outcome (one End per outcome, status = outcome).</summary>
    public static FlowBuilder Around(string type, object inputs, params string[] outcomes)
    {
        var b = FlowBuilder.Create("around-" + type.ToLowerInvariant()).Start().Activity("x", type, inputs).Connect("start", "Done", "x");
        foreach (var outcome in outcomes) b.End("end" + outcome, outcome, outcome).Connect("x", outcome, "end" + outcome);
        return b;
    }

    /// <summary>Start → Fork(A, B) → A: task in DA, B: task in DB → Join(mode) → task "after" → End.</summary>
    public static FlowBuilder ForkJoin(string mode, string id = "forkjoin") => FlowBuilder.Create(id)
        .Start()
        .Fork("fork", "A", "B")
        .Task("a", "DA", actions: new TaskAction("Ok"))
        .Task("b", "DB", actions: new TaskAction("Ok"))
        .Join("join", mode)
        .Task("after", "DC", actions: new TaskAction("Ok"))
        .End("end")
        .Connect("start", "Done", "fork")
        .Connect("fork", "A", "a").Connect("fork", "B", "b")
        .Connect("a", "Ok", "join").Connect("b", "Ok", "join")
        .Chain("Done", "join", "after")
        .Connect("after", "Ok", "end");

    /// <summary>A child flow: Start → task in "Child" (Yes → End outcome Approved, No → End outcome Declined).</summary>
    public static WorkflowDefinition Child(string id = "child") => FlowBuilder.Create(id)
        .Variable("score", "number", 0m)
        .Input("score", "number")
        .Start()
        .Task("review", "Child", actions: [new TaskAction("Yes"), new TaskAction("No")])
        .End("yes", "Approved", "Approved")
        .End("no", "Declined", "Declined")
        .Connect("start", "Done", "review")
        .Connect("review", "Yes", "yes")
        .Connect("review", "No", "no")
        .Build();

    /// <summary>A child flow that ends at once with outcome Approved, doubling its input into a variable.</summary>
    public static WorkflowDefinition InstantChild(string id = "instant") => FlowBuilder.Create(id)
        .Variable("score", "number", 0m)
        .Variable("doubled", "number", 0m)
        .Input("score", "number")
        .Start()
        .Set("calc", ("doubled", "score * 2"))
        .End("end", "Approved", "Approved")
        .Chain("Done", "start", "calc", "end")
        .Build();

    /// <summary>Parent: Start → CallWorkflow(child) → Approved/Declined/Completed/Cancelled → End with that status.</summary>
    public static WorkflowDefinition Parent(string childId, string id = "parent") => FlowBuilder.Create(id)
        .Variable("result", "object")
        .Variable("score", "number", 21m)
        .Start()
        .Activity("call", "CallWorkflow", new
        {
            definition = childId,
            input = new[] { new { name = "score", value = "score" } },
            outcomes = new[] { "Approved", "Declined" },
            resultVariable = "result",
        })
        .End("approved", "Approved").End("declined", "Declined").End("completed", "Completed").End("cancelled", "ChildCancelled")
        .Connect("start", "Done", "call")
        .Connect("call", "Approved", "approved").Connect("call", "Declined", "declined")
        .Connect("call", "Completed", "completed").Connect("call", "Cancelled", "cancelled")
        .Build();
}
