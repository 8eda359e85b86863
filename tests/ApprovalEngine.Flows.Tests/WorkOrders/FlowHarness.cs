using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Flows.Tests.Support;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Flows.WorkOrders;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Flows.Tests.WorkOrders;

/// <summary>The server's development users for the Operations flows.</summary>
public static class OpsActors
{
    public static readonly Actor Maker1 = new() { UserId = "maker1", Role = "Operations maker", Departments = new HashSet<string> { WorkOrderNames.Department } };
    public static readonly Actor Checker1 = Checker("checker1", CryptoNames.CancelDepositPermission, CryptoNames.RefundDepositPermission, CryptoNames.DeleteDepositPermission);
    public static readonly Actor Checker2 = Checker("checker2", CryptoNames.CancelDepositPermission, CryptoNames.RefundDepositPermission);
    public static readonly Actor Supervisor1 = WdActors.Supervisor1;

    public static Actor Checker(string id, params string[] more) => new()
    {
        UserId = id,
        Role = "Operations checker",
        Departments = new HashSet<string> { WorkOrderNames.Department },
        Permissions = new HashSet<string>([WorkOrderNames.ApprovePermission, .. more]),
    };
}

/// <summary>
/// An in-memory host with every definition of workflows/ published, the full registry (built-ins, WD, work orders,
/// crypto, fiat), a manual clock and the sandbox adapters.
/// </summary>
public sealed class FlowHarness
{
    public static readonly DateTimeOffset T0 = new(2026, 3, 2, 9, 0, 0, TimeSpan.Zero);

    public FlowHarness()
    {
        Clock = new ManualClock(T0);
        Ledger = new InMemorySandboxLedger(Clock);
        Chain = InMemoryBlockchainSandbox.WithDefaults(Clock);
        Bank = InMemoryBankSandbox.WithDefaults(Clock);
        // As the server seeds it, with direct billing under a work order (the safe default of More settings).
        FiatConfig = InMemoryFiatConfigStore.WithDefaults(Clock);
        FiatConfig.DirectBillingNeedsApproval = true;
        Registry = CreateRegistry(Ledger, Chain, Bank, Clock, FiatConfig);
        Host = new InMemoryWorkflowHost(Registry, Clock);
        foreach (var definition in LoadAll()) Host.Publish(definition);
    }

    public ManualClock Clock { get; }
    public InMemorySandboxLedger Ledger { get; }
    public InMemoryBlockchainSandbox Chain { get; }
    public InMemoryBankSandbox Bank { get; }
    public InMemoryFiatConfigStore FiatConfig { get; }
    public ActivityRegistry Registry { get; }
    public InMemoryWorkflowHost Host { get; }

    public static ActivityRegistry CreateRegistry(ILedger ledger, InMemoryBlockchainSandbox chain, InMemoryBankSandbox bank, TimeProvider clock, InMemoryFiatConfigStore? fiatConfig = null)
    {
        var registry = WorkOrderActivities.Register(WdActivities.CreateRegistry(ledger, clock, new DailyCronSchedule()));
        CryptoActivities.Register(registry, chain, chain, chain);
        FiatActivities.Register(registry, bank, bank, bank, clock, batchFiles: new SandboxBatchFiles(bank), config: fiatConfig);
        return registry;
    }

    /// <summary>Every definition file in workflows/.</summary>
    public static IReadOnlyList<WorkflowDefinition> LoadAll() =>
        [.. Directory.GetFiles(Path.Combine(Repo.Root, "workflows"), "*.json").Order(StringComparer.Ordinal).Select(f => DefinitionJson.Parse(File.ReadAllText(f)))];

    public static WorkflowDefinition Load(string id) => DefinitionJson.Parse(File.ReadAllText(Path.Combine(Repo.Root, "workflows", id + ".json")));

    public InstanceState Get(Guid id) => Host.Instances[id];

    /// <summary>
    /// The customer's stored history: <paramref name="previous"/> paid withdrawals, to <paramref name="accounts"/>. Set
    /// for both versions: version 1 reads it from the channels port, version 2 from the configuration store.
    /// </summary>
    public void FiatHistory(string customerId, int previous, params string[] accounts)
    {
        foreach (var channel in new[] { "ICBC-001-FPS", "HSBC-002-WIRE" })
        {
            Bank.SetHistory(customerId, channel, new WithdrawalHistory(0m, 0m, previous, accounts.Length > 0));
        }
        FiatConfig.History[customerId] = (previous, new HashSet<string>(accounts, StringComparer.Ordinal));
    }

    /// <summary>The single open task of the instance or of the child it waits for.</summary>
    public WorkTask OpenTask(Guid instanceId)
    {
        var own = Host.OpenTasks(instanceId).ToList();
        if (own.Count > 0) return own.Single();
        return Host.Tasks.Single(t => t.Status == Workflows.Runtime.TaskStatus.Open && Host.Instances[t.InstanceId].ParentInstanceId == instanceId);
    }

    public Task<InstanceState> ActAsync(Guid instanceId, string action, Actor actor, string? comment = null, IReadOnlyDictionary<string, object?>? data = null) =>
        Host.CompleteTaskAsync(OpenTask(instanceId).Id, action, actor, comment, data);

    /// <summary>Approves the work order the instance waits for (two checkers when it asks for a second approval).</summary>
    public async Task ApproveWorkOrderAsync(Guid instanceId)
    {
        await ActAsync(instanceId, WorkOrderNames.Approve, OpsActors.Checker1);
        if (Host.Tasks.Any(t => t.Status == Workflows.Runtime.TaskStatus.Open && t.ActivityId == "secondApproval" && Host.Instances[t.InstanceId].ParentInstanceId == instanceId))
        {
            await ActAsync(instanceId, WorkOrderNames.Approve, OpsActors.Checker2);
        }
    }

    public InstanceState? Child(Guid parentId) => Host.Instances.Values.Where(i => i.ParentInstanceId == parentId).OrderBy(i => i.CreatedAt).LastOrDefault();
}

/// <summary>The batch's file as the sandbox bank takes it (the server builds the real file from the batch's records).</summary>
public sealed class SandboxBatchFiles(InMemoryBankSandbox bank) : IFiatBatchFiles
{
    public async Task<FiatBatchFileResult> SubmitAsync(string batchId, string idempotencyKey, CancellationToken cancellationToken)
    {
        var receipt = await bank.SubmitFileAsync(new BankFileRequest("HSBC-002-WIRE", "USD", batchId, "csv", "", [], idempotencyKey), cancellationToken);
        return new FiatBatchFileResult(receipt.BankReference, batchId + ".csv");
    }
}

/// <summary>A cron schedule for tests that understands "s m h ? * *"-style daily expressions (fires every day at h:m:s UTC).</summary>
public sealed class DailyCronSchedule : ICronSchedule
{
    public DateTimeOffset? Next(string cron, DateTimeOffset after, out string? error)
    {
        var parts = (cron ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < 6 || !int.TryParse(parts[0], out var s) || !int.TryParse(parts[1], out var m) || !int.TryParse(parts[2], out var h))
        {
            error = $"'{cron}' is not a daily cron expression.";
            return null;
        }
        error = null;
        var candidate = new DateTimeOffset(after.UtcDateTime.Date, TimeSpan.Zero).AddHours(h).AddMinutes(m).AddSeconds(s);
        return candidate > after ? candidate : candidate.AddDays(1);
    }
}
