using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Flows.Tests.Support;

/// <summary>The repository's files, found by walking up to ApprovalEngine.sln.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    public static string WdDefinitionPath => Path.Combine(Root, "workflows", "wd-request.json");

    public static WorkflowDefinition LoadWdDefinition() => DefinitionJson.Parse(File.ReadAllText(WdDefinitionPath));

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "ApprovalEngine.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ApprovalEngine.sln not found above the test directory.");
    }
}

/// <summary>Actors like the contract's development users.</summary>
public static class WdActors
{
    public static readonly Actor Cs1 = User("cs1", [WdDepartments.CS], 1, 2, 3);
    public static readonly Actor Retention1 = User("retention1", [WdDepartments.Retention], 1, 2, 3);
    public static readonly Actor Dealing1 = User("dealing1", [WdDepartments.Dealing], 1, 2, 3);
    public static readonly Actor Bo1 = User("bo1", [WdDepartments.Backoffice], 1, 2, 3, 4);

    /// <summary>A second Backoffice officer: Complete needs someone other than whoever approved (four eyes).</summary>
    public static readonly Actor Bo2 = User("bo2", [WdDepartments.Backoffice], 1, 2, 3, 4);
    public static readonly Actor Supervisor1 = User("supervisor1", [], 1, 2, 3, 4, 5) with { AllDepartments = true };

    /// <summary>The development user of a department.</summary>
    public static Actor Of(string department) => department switch
    {
        WdDepartments.CS => Cs1,
        WdDepartments.Retention => Retention1,
        WdDepartments.Dealing => Dealing1,
        WdDepartments.Backoffice => Bo1,
        _ => throw new ArgumentOutOfRangeException(nameof(department), department, null),
    };

    public static Actor User(string id, string[] departments, params int[] permissions) => new()
    {
        UserId = id,
        Role = departments.Length == 1 ? departments[0] : "Supervisor",
        Departments = departments.ToHashSet(),
        Permissions = permissions.Select(WdPermissions.FromNumber).ToHashSet(),
    };

    /// <summary>Someone of another department holding every WD permission.</summary>
    public static Actor OtherDepartment(string department) =>
        User("outsider", [WdDepartments.All.First(d => d != department)], 1, 2, 3, 4, 5);

    /// <summary>Someone of the right department holding every WD permission but <paramref name="permission"/>.</summary>
    public static Actor Without(string department, string permission) =>
        User("lacking", [department], [.. Enumerable.Range(1, 5).Where(n => WdPermissions.FromNumber(n) != permission)]);
}

/// <summary>An in-memory host with wd-request published, a manual clock and a sandbox ledger.</summary>
public sealed class WdHarness
{
    public const string Account = "MT4-100200";
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    /// <param name="ledgerFactory">Wraps the sandbox ledger the activities see (faults, outages).</param>
    public WdHarness(Func<ILedger, ILedger>? ledgerFactory = null)
    {
        Clock = new ManualClock(T0);
        Ledger = new InMemorySandboxLedger(Clock);
        Registry = WdActivities.CreateRegistry(ledgerFactory?.Invoke(Ledger) ?? Ledger, Clock);
        Host = new InMemoryWorkflowHost(Registry, Clock);
        Definition = Repo.LoadWdDefinition();
        Host.Publish(Definition);
        SetAccount();
    }

    public ManualClock Clock { get; }
    public InMemorySandboxLedger Ledger { get; }
    public ActivityRegistry Registry { get; }
    public InMemoryWorkflowHost Host { get; }
    public WorkflowDefinition Definition { get; }

    public void SetAccount(decimal balance = 10_000m, decimal equity = 10_500m, decimal margin = 1_000m, decimal freeMargin = 9_500m, decimal credit = 0m, int openTrades = 2) =>
        Ledger.SetAccount(new TradingAccount(Account, "C-1", "USD", balance, equity, margin, freeMargin, credit, openTrades));

    private int _correlation;

    public Task<InstanceState> StartAsync(decimal requestedAmount = 100m, string? paymentType = null, string? bankDetails = null, Actor? creator = null)
    {
        var input = new Dictionary<string, object?>
        {
            ["customerId"] = "C-1",
            ["tradingAccount"] = Account,
            ["requestedAmount"] = requestedAmount,
            ["currency"] = "USD",
            ["comment"] = "Client asked to withdraw",
            ["availableAmount"] = 9_500m,
        };
        if (paymentType is not null) input["paymentType"] = paymentType;
        if (bankDetails is not null) input["bankDetails"] = bankDetails;
        // As POST /api/wd-requests does: the available amount is the domain's, passed as a domain input.
        return Host.StartAsync(WdVariables.DefinitionId, input, correlationId: $"WD-{++_correlation}", actor: creator, domainInputs: new HashSet<string> { WdVariables.AvailableAmount });
    }

    public InstanceState Get(Guid id) => Host.Instances[id];

    public WorkTask OpenTask(InstanceState instance) => Host.OpenTask(instance.Id);

    public Task<InstanceState> ActAsync(InstanceState instance, string action, Actor? actor = null, string? comment = "because", decimal? fee = null)
    {
        var task = OpenTask(Get(instance.Id));
        var data = new Dictionary<string, object?>();
        if (fee is not null) data["fee"] = fee;
        // Bo2 approves by default so that the department's own user (bo1) can complete: four eyes.
        actor ??= action == WdActions.Approve ? WdActors.Bo2 : WdActors.Of(task.Department!);
        return Host.CompleteTaskAsync(task.Id, action, actor, comment, data);
    }

    /// <summary>A flow-level event (client cancel, mass edit) through the engine, so that refusals surface as exceptions.</summary>
    public async Task<InstanceState> InterruptAsync(InstanceState instance, string eventName, Actor? actor = null)
    {
        var state = Get(instance.Id);
        await Host.CommitAsync(Host.Engine.Interrupt(Host.Definition(state.DefinitionId, state.DefinitionVersion), state, eventName, null, actor ?? Actor.System("client-area")));
        return Get(instance.Id);
    }

    /// <summary>Changes the transactions as the server would: rule check, then an UpdateVariables step.</summary>
    public async Task<WdTransactionResult> ChangeTransactionsAsync(InstanceState instance, Func<WdTransactionScope, WdTransactionResult> change)
    {
        var state = Get(instance.Id);
        var result = change(Scope(state));
        if (!result.Ok) return result;
        await Host.CommitAsync(Host.Engine.UpdateVariables(
            Host.Definition(state.DefinitionId, state.DefinitionVersion), state,
            new Dictionary<string, object?> { [WdVariables.Transactions] = WdTransactions.ToVariable(result.Transactions) },
            "EditTransactions", WdActors.Bo1));
        return result;
    }

    public static WdTransactionScope Scope(InstanceState state) => new(
        state.BusinessStatus,
        (decimal)state.Variables[WdVariables.RequestedAmount]!,
        (string)state.Variables[WdVariables.Currency]!,
        WdTransactions.FromVariable(state.Variables[WdVariables.Transactions]),
        state.Variables[WdVariables.Executing] is true);

    public static IReadOnlyList<WdTransaction> Transactions(InstanceState state) => WdTransactions.FromVariable(state.Variables[WdVariables.Transactions]);

    /// <summary>Walks a new request to the task with the given activity id (using the departments' dev users).</summary>
    public async Task<InstanceState> ReachAsync(string taskId, decimal requestedAmount = 100m)
    {
        if (taskId == "bo_ret") SetAccount(openTrades: 0, margin: 0m, freeMargin: 10_500m);
        var i = await MoveAsync(await StartAsync(requestedAmount), taskId);
        var open = Host.OpenTasks(i.Id).ToList();
        Assert.That(open, Has.Count.EqualTo(1), $"one open task at {taskId}");
        Assert.That(open[0].ActivityId, Is.EqualTo(taskId));
        return Get(i.Id);
    }

    private async Task<InstanceState> MoveAsync(InstanceState i, string taskId) => taskId switch
    {
        "cs_new" => i,
        "cs_docs" => await ActAsync(i, WdActions.RequestDocuments),
        "ret_cs" => await ActAsync(i, WdActions.PassToRetention),
        "dea_ret" => await ActAsync(await MoveAsync(i, "ret_cs"), WdActions.PassToDealing),
        "dea_cs" => await ActAsync(await MoveAsync(i, "cs_docs"), WdActions.PassToDealing),
        "dea_fwd" => await InterruptAsync(i, WdEvents.MassEditToDealing, WdActors.Supervisor1),
        "bo_cs" => await ActAsync(await MoveAsync(i, "cs_docs"), WdActions.PassToBackoffice),
        "bo_ret" => await ActAsync(await MoveAsync(i, "ret_cs"), WdActions.PassToBackoffice),
        "bo_dea" => await ActAsync(await MoveAsync(i, "dea_ret"), WdActions.PassToBackoffice),
        "bo_fwd" => await InterruptAsync(i, WdEvents.MassEditToBackoffice, WdActors.Supervisor1),
        "bo_approved" => await ActAsync(await MoveAsync(i, "bo_dea"), WdActions.Approve),
        _ => throw new ArgumentOutOfRangeException(nameof(taskId), taskId, null),
    };

    /// <summary>Every task of the flow, i.e. every non-final (status, department) a request can wait in.</summary>
    public static readonly string[] TaskIds = ["cs_new", "cs_docs", "ret_cs", "dea_ret", "dea_cs", "dea_fwd", "bo_cs", "bo_ret", "bo_dea", "bo_fwd", "bo_approved"];
}
