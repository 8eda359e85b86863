using System.Globalization;
using System.Text.Json.Nodes;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Workflows.Tests.Support;

/// <summary>An in-memory host with a manual clock, the test cron schedule and the test domain activities.</summary>
public sealed class TestHost
{
    public static readonly DateTimeOffset T0 = new(2025, 1, 6, 8, 30, 0, TimeSpan.Zero);

    public TestHost(params WorkflowDefinition[] definitions)
    {
        Clock = new ManualClock(T0);
        Ledger = new PostToLedger();
        Flaky = new FlakyStep();
        Registry = ActivityRegistry.CreateDefault(new TestCronSchedule()).Register(new CheckLimit()).Register(Ledger).Register(Flaky).Register(new TestPayout());
        Host = new InMemoryWorkflowHost(Registry, Clock);
        foreach (var d in definitions) Host.Publish(d);
    }

    public ManualClock Clock { get; }
    public ActivityRegistry Registry { get; }
    public InMemoryWorkflowHost Host { get; }
    public PostToLedger Ledger { get; }
    public FlakyStep Flaky { get; }
    public WorkflowEngine Engine => Host.Engine;

    public static Actor User(string department, params string[] permissions) => new()
    {
        UserId = "u-" + department.ToLowerInvariant(),
        Role = "clerk",
        Departments = new HashSet<string> { department },
        Permissions = new HashSet<string>(permissions),
    };

    public static readonly Actor Supervisor = new() { UserId = "boss", Role = "supervisor", AllDepartments = true, Permissions = new HashSet<string> { "wd:approve" } };

    public Task<InstanceState> StartAsync(string definitionId, decimal? amount = null, string? correlationId = null, Guid? instanceId = null) =>
        Host.StartAsync(definitionId, amount is null ? null : new Dictionary<string, object?> { ["amount"] = amount }, correlationId, instanceId: instanceId);

    public InstanceState State(Guid id) => Host.Instances[id];

    /// <summary>Completes the single open task of the instance as a supervisor.</summary>
    public Task<InstanceState> ActAsync(Guid instanceId, string action, string? comment = null, Actor? actor = null) =>
        Host.CompleteTaskAsync(Host.OpenTask(instanceId).Id, action, actor ?? Supervisor, comment);

    public Task<InstanceState> ActOnAsync(Guid instanceId, string activityId, string action, string? comment = null) =>
        Host.CompleteTaskAsync(Host.OpenTasks(instanceId).Single(t => t.ActivityId == activityId).Id, action, Supervisor, comment);

    public async Task<int> AdvanceAsync(TimeSpan by)
    {
        Clock.Advance(by);
        return await Host.FireDueTimersAsync();
    }

    public IReadOnlyList<string> Kinds(Guid instanceId) => [.. Host.Journal(instanceId).Select(j => j.Kind)];
}

/// <summary>
/// A tiny cron schedule for tests. Understands "0 M * * * ?" (every hour at minute M) and "0 M H * * ?" (every day at
/// H:M); anything else is an error.
/// </summary>
public sealed class TestCronSchedule : ICronSchedule
{
    public DateTimeOffset? Next(string cron, DateTimeOffset after, out string? error)
    {
        error = null;
        var parts = cron.Split(' ');
        if (parts.Length != 6 || parts[0] != "0" || parts[3] != "*" || parts[4] != "*" || parts[5] != "?"
            || !int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var minute) || minute > 59)
        {
            error = $"Unsupported cron '{cron}'.";
            return null;
        }
        var start = new DateTimeOffset(after.Year, after.Month, after.Day, after.Hour, 0, 0, after.Offset);
        if (parts[2] == "*")
        {
            var candidate = start.AddMinutes(minute);
            return candidate > after ? candidate : candidate.AddHours(1);
        }
        if (!int.TryParse(parts[2], NumberStyles.None, CultureInfo.InvariantCulture, out var hour) || hour > 23)
        {
            error = $"Unsupported cron '{cron}'.";
            return null;
        }
        var daily = start.AddHours(hour - after.Hour).AddMinutes(minute);
        return daily > after ? daily : daily.AddDays(1);
    }
}

public sealed class LimitInput
{
    public decimal Amount { get; set; }
    public decimal Limit { get; set; }
}

public sealed record LimitOutput(decimal Headroom);

/// <summary>In-step domain activity: Done when amount ≤ limit (headroom = limit − amount), otherwise Insufficient.</summary>
[Activity("CheckLimit", "Domain", "Check limit", Outcomes = ["Done", "Insufficient"])]
public sealed class CheckLimit : DomainActivity<LimitInput, LimitOutput>
{
    protected override DomainResult<LimitOutput> Run(LimitInput input, ActivityContext context)
    {
        return input.Amount <= input.Limit
            ? DomainResult<LimitOutput>.Done(new LimitOutput(input.Limit - input.Amount))
            : new DomainResult<LimitOutput>("Insufficient", new LimitOutput(0));
    }
}

public sealed class LedgerInput
{
    public decimal Amount { get; set; }
}

public sealed record LedgerOutput(string Reference);

/// <summary>External activity that fails <see cref="FailuresLeft"/> times, then posts; records every call.</summary>
[Activity("PostToLedger", "Domain", "Post to ledger", Outcomes = ["Done"])]
public sealed class PostToLedger : ExternalActivity<LedgerInput, LedgerOutput>
{
    public int FailuresLeft { get; set; }
    public List<ExternalCallContext> Calls { get; } = [];

    protected override Task<DomainResult<LedgerOutput>> RunAsync(LedgerInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        Calls.Add(call);
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw new InvalidOperationException("Ledger unavailable");
        }
        return Task.FromResult(DomainResult<LedgerOutput>.Done(new LedgerOutput($"L-{input.Amount.ToString(CultureInfo.InvariantCulture)}")));
    }
}

public sealed class FlakyInput
{
    public decimal Value { get; set; }
}

public sealed record FlakyOutput(decimal Echo);

/// <summary>In-step domain activity that faults the instance <see cref="FailuresLeft"/> times (for operator retries).</summary>
[Activity("Flaky", "Domain", "Flaky step")]
public sealed class FlakyStep : DomainActivity<FlakyInput, FlakyOutput>
{
    public int FailuresLeft { get; set; }

    protected override DomainResult<FlakyOutput> Run(FlakyInput input, ActivityContext context)
    {
        if (FailuresLeft > 0)
        {
            FailuresLeft--;
            throw new ActivityFailedException("Rates feed is down");
        }
        return DomainResult<FlakyOutput>.Done(new FlakyOutput(input.Value));
    }
}

public sealed class PayoutInput
{
    public decimal Amount { get; set; }
}

public sealed record PayoutOutput(string? BankReference);

/// <summary>An outside call that moves money (ADR 10): a late result other than Refused raises an incident.</summary>
[Activity("TestPayout", "Domain", "Test payout", Outcomes = ["Sent", "Refused"], MovesMoney = true, NothingMovedOutcomes = ["Refused"])]
public sealed class TestPayout : ExternalActivity<PayoutInput, PayoutOutput>
{
    protected override Task<DomainResult<PayoutOutput>> RunAsync(PayoutInput input, ExternalCallContext call, CancellationToken cancellationToken) =>
        Task.FromResult(new DomainResult<PayoutOutput>("Sent", new PayoutOutput("B-1")));
}
