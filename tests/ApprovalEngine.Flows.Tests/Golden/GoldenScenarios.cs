using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Flows.Tests.Support;
using ApprovalEngine.Flows.Tests.WorkOrders;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Flows.WorkOrders;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Replay;
using ApprovalEngine.Workflows.Runtime;
using static ApprovalEngine.Flows.Tests.WorkOrders.OpsActors;

namespace ApprovalEngine.Flows.Tests.Golden;

/// <summary>One recorded path through a shipped flow, driven on the real definition with the sandbox adapters.</summary>
/// <param name="DefinitionFile">The flow's definition file (relative to the repository) when it is not workflows/&lt;Flow&gt;.json: an earlier
/// version kept for the histories recorded on it (e.g. fiat-withdrawal version 1).</param>
public sealed record GoldenScenario(string Flow, string Name, string Description, Func<GoldenRecorder, Task> Script, string? DefinitionFile = null)
{
    public override string ToString() => $"{Flow}/{Name}";
}

/// <summary>
/// Drives one scenario on a <see cref="FlowHarness"/> (every flow of workflows/ published, sandbox ledger, chain and
/// bank, a manual clock) and turns what the host kept into a <see cref="RecordedHistory"/>.
/// </summary>
public sealed class GoldenRecorder
{
    public GoldenRecorder(GoldenScenario scenario)
    {
        Scenario = scenario;
        // Seeded from the scenario's name, so that a re-recording writes the same ids.
        RootId = new Guid(SHA256.HashData(Encoding.UTF8.GetBytes("golden:" + scenario)).AsSpan(0, 16));
        H = new FlowHarness();
        if (scenario.DefinitionFile is { } file) H.Host.Publish(DefinitionJson.Parse(File.ReadAllText(Path.Combine(Repo.Root, file))), 1);
    }

    public GoldenScenario Scenario { get; }
    public FlowHarness H { get; }
    public Guid RootId { get; }

    public Task<InstanceState> StartAsync(IReadOnlyDictionary<string, object?> input, string? correlationId, Actor? starter = null, IReadOnlySet<string>? domainInputs = null) =>
        H.Host.StartAsync(Scenario.Flow, input, correlationId, starter, RootId, domainInputs);

    /// <summary>A minute later, the open task (of the root or of the sub-workflow it waits for) is acted on.</summary>
    public async Task ActAsync(string action, Actor actor, string? comment = null, IReadOnlyDictionary<string, object?>? data = null)
    {
        H.Clock.Advance(TimeSpan.FromMinutes(1));
        await H.ActAsync(RootId, action, actor, comment, data);
    }

    public async Task EventAsync(string name, string correlation, IReadOnlyDictionary<string, object?> payload)
    {
        H.Clock.Advance(TimeSpan.FromMinutes(1));
        await H.Host.SendEventAsync(name, correlation, payload);
    }

    public async Task InterruptAsync(string eventName, Actor actor, object? payload = null)
    {
        H.Clock.Advance(TimeSpan.FromMinutes(1));
        var state = H.Get(RootId);
        await H.Host.CommitAsync(H.Host.Engine.Interrupt(H.Host.Definition(state.DefinitionId, state.DefinitionVersion), state, eventName, payload, actor));
    }

    public async Task LaterAsync(TimeSpan by)
    {
        H.Clock.Advance(by);
        await H.Host.FireDueTimersAsync();
    }

    public InstanceState Root => H.Get(RootId);

    public async Task<RecordedHistory> HistoryAsync()
    {
        var used = H.Host.Instances.Values.Where(i => i.Id == RootId || InTree(i)).Select(i => (i.DefinitionId, i.DefinitionVersion)).Distinct()
            .OrderBy(d => d.DefinitionId, StringComparer.Ordinal).ToList();
        var definitions = used.Select(d => new HistoryDefinition(d.DefinitionId, d.DefinitionVersion,
            JsonNode.Parse(File.ReadAllText(Path.Combine(Repo.Root, d.DefinitionId == Scenario.Flow && Scenario.DefinitionFile is { } file ? file : Path.Combine("workflows", d.DefinitionId + ".json"))))!.AsObject())).ToList();
        var host = new RecordingView(this);
        var outcome = await HistoryOutcome.CaptureAsync(host, RootId);
        return RecordedHistory.FromCommands(Scenario.Name, RootId, H.Host.Commands, definitions, outcome, Scenario.Description);
    }

    private bool InTree(InstanceState i)
    {
        for (var p = i.ParentInstanceId; p is { } id; p = H.Host.Instances.GetValueOrDefault(id)?.ParentInstanceId)
        {
            if (id == RootId) return true;
        }
        return false;
    }

    /// <summary>The recording host read as a replay host, to capture the outcome the same way a replay does.</summary>
    private sealed class RecordingView(GoldenRecorder r) : IHistoryHost
    {
        public Workflows.Hosting.ManualClock Clock => r.H.Clock;
        public WorkflowEngine Engine => r.H.Host.Engine;
        public Task PublishAsync(Workflows.Definitions.WorkflowDefinition definition) => throw new NotSupportedException();
        public Task<Workflows.Definitions.WorkflowDefinition> DefinitionAsync(string id, int version) => Task.FromResult(r.H.Host.Definition(id, version));
        public Task StartAsync(StepResult step) => throw new NotSupportedException();
        public Task StepAsync(Guid instanceId, Func<Workflows.Definitions.WorkflowDefinition, InstanceState, StepResult> step) => throw new NotSupportedException();
        public Task<InstanceState?> GetAsync(Guid instanceId) => Task.FromResult(r.H.Host.Instances.GetValueOrDefault(instanceId));
        public Task<IReadOnlyList<InstanceState>> ChildrenAsync(Guid parentId) => Task.FromResult<IReadOnlyList<InstanceState>>([.. r.H.Host.Instances.Values.Where(i => i.ParentInstanceId == parentId)]);
        public Task<IReadOnlyList<JournalEntry>> JournalAsync(Guid instanceId) => Task.FromResult(r.H.Host.Journal(instanceId));
    }
}

/// <summary>The scenarios recorded under tests/golden/&lt;flow&gt;/&lt;name&gt;.json: several paths of every shipped flow.</summary>
public static class GoldenScenarios
{
    private const string WdAccount = "MT4-100200";
    private const string CoinAccount = "SA-100200";
    private const string CoinAddress = "bc1qverified0000000000000000000000000000";
    private const string DepositAccount = "SA-300400";
    private const string DepositTx = "0xdeposit01";
    private const string RefundAddress = "0xVerifiedRefundAddress";
    private const string FiatChannel = "ICBC-001-FPS";
    private const string FiatV1 = "tests/ApprovalEngine.Flows.Tests/Fiat/fiat-withdrawal.v1.json";
    private const string FiatV2 = "tests/ApprovalEngine.Flows.Tests/Fiat/fiat-withdrawal.v2.json";

    public static IReadOnlyList<GoldenScenario> All { get; } =
    [
        new("sample-approval", "small-amount-approved", "CS approves an amount under the limit: done in one step.", async r =>
        {
            await r.StartAsync(new Dictionary<string, object?> { ["amount"] = 500m, ["currency"] = "USD" }, "order-1", Actor.System("shop"));
            await r.ActAsync("Approve", WdActors.Cs1, "fine");
        }),
        new("sample-approval", "big-amount-overdue-then-approved", "Over the limit: Backoffice's task goes overdue (SLA timer), then Backoffice approves.", async r =>
        {
            await r.StartAsync(new Dictionary<string, object?> { ["amount"] = 50_000m, ["currency"] = "USD" }, "order-2", Actor.System("shop"));
            await r.ActAsync("Approve", WdActors.Cs1);
            await r.LaterAsync(TimeSpan.FromHours(9));
            await r.ActAsync("Approve", WdActors.Bo1, "late but fine");
        }),
        new("sample-approval", "rejected-by-cs", "CS rejects.", async r =>
        {
            await r.StartAsync(new Dictionary<string, object?> { ["amount"] = 900m, ["currency"] = "USD" }, "order-3", Actor.System("shop"));
            await r.ActAsync("Reject", WdActors.Cs1, "no");
        }),

        new("wd-request", "completed", "CS → Retention → Dealing (fee 5) → Backoffice approves → another officer completes: both transactions executed.", async r =>
        {
            await StartWdAsync(r);
            await r.ActAsync(WdActions.PassToRetention, WdActors.Cs1);
            await r.ActAsync(WdActions.PassToDealing, WdActors.Retention1);
            await r.ActAsync(WdActions.PassToBackoffice, WdActors.Dealing1, data: new Dictionary<string, object?> { ["fee"] = 5m });
            await r.ActAsync(WdActions.Approve, WdActors.Bo2);
            await r.ActAsync(WdActions.Complete, WdActors.Bo1);
        }),
        new("wd-request", "partially-completed", "Backoffice cuts the withdrawal to 50 before completing: Partially Completed.", async r =>
        {
            await StartWdAsync(r);
            await r.ActAsync(WdActions.RequestDocuments, WdActors.Cs1, "passport please");
            await r.ActAsync(WdActions.PassToDealing, WdActors.Cs1);
            await r.ActAsync(WdActions.PassToBackoffice, WdActors.Dealing1, data: new Dictionary<string, object?> { ["fee"] = 5m });
            await r.ActAsync(WdActions.Approve, WdActors.Bo2);
            r.H.Clock.Advance(TimeSpan.FromMinutes(1));
            var state = r.Root;
            var scope = WdHarness.Scope(state);
            var withdrawal = scope.Transactions.Single(t => !t.IsFee);
            var edited = WdTransactions.Edit(scope, withdrawal.Id, new(50m, withdrawal.PaymentType));
            Assert.That(edited.Error, Is.Null);
            await r.H.Host.CommitAsync(r.H.Host.Engine.UpdateVariables(r.H.Host.Definition(state.DefinitionId, state.DefinitionVersion), state,
                new Dictionary<string, object?> { [WdVariables.Transactions] = WdTransactions.ToVariable(edited.Transactions) }, "EditTransactions", WdActors.Bo1));
            await r.ActAsync(WdActions.Complete, WdActors.Bo1);
        }),
        new("wd-request", "rejected-by-dealing", "Dealing rejects with a reason.", async r =>
        {
            await StartWdAsync(r);
            await r.ActAsync(WdActions.PassToRetention, WdActors.Cs1);
            await r.ActAsync(WdActions.PassToDealing, WdActors.Retention1);
            await r.ActAsync(WdActions.Reject, WdActors.Dealing1, "margin too thin");
        }),
        new("wd-request", "returned-to-cs-then-closed", "Retention sends it back to CS, who asks for documents and then rejects and closes it.", async r =>
        {
            await StartWdAsync(r);
            await r.ActAsync(WdActions.PassToRetention, WdActors.Cs1);
            await r.ActAsync(WdActions.BackToCS, WdActors.Retention1, "talk to the client first");
            await r.ActAsync(WdActions.RejectAndClose, WdActors.Cs1, "client withdrew the request by phone");
        }),
        new("wd-request", "client-cancel", "The client cancels while Dealing looks at it.", async r =>
        {
            await StartWdAsync(r);
            await r.ActAsync(WdActions.PassToRetention, WdActors.Cs1);
            await r.ActAsync(WdActions.PassToDealing, WdActors.Retention1);
            await r.InterruptAsync(WdEvents.ClientCancel, Actor.System("client-area"));
        }),

        new("work-order-approval", "two-checkers-approve", "Above the threshold two different checkers approve.", async r =>
        {
            await r.StartAsync(WorkOrderInput(amount: 10m), null, Actor.System("client-area"));
            await r.ActAsync(WorkOrderNames.Approve, Checker1);
            await r.ActAsync(WorkOrderNames.Approve, Checker2);
        }),
        new("work-order-approval", "rejected", "The checker rejects with a reason.", async r =>
        {
            await r.StartAsync(WorkOrderInput(amount: 1m), null, Actor.System("client-area"));
            await r.ActAsync(WorkOrderNames.Reject, Checker1, "address looks wrong");
        }),

        new("crypto-coin-withdrawal", "approved-broadcast-confirmed", "Checks pass, the work order is approved, the transfer is broadcast and confirmed.", async r =>
        {
            r.H.Chain.AddVerifiedAddress(CoinAccount, "BTC", "BTC", CoinAddress);
            await r.StartAsync(CoinInput(0.5m, CoinAddress), "CW-0001", Maker1);
            await r.ActAsync(WorkOrderNames.Approve, Checker1);
            var txid = r.H.Chain.Sent.Single().TxId;
            await r.EventAsync(CryptoNames.BlockConfirmations, txid, new Dictionary<string, object?> { ["confirmations"] = 2m });
            await r.EventAsync(CryptoNames.BlockConfirmations, txid, new Dictionary<string, object?> { ["confirmations"] = 6m });
        }),
        new("crypto-coin-withdrawal", "work-order-rejected", "The checker rejects the work order: the withdrawal is rejected with the reason and nothing is sent.", async r =>
        {
            r.H.Chain.AddVerifiedAddress(CoinAccount, "BTC", "BTC", CoinAddress);
            await r.StartAsync(CoinInput(0.5m, CoinAddress), "CW-0002", Maker1);
            await r.ActAsync(WorkOrderNames.Reject, Checker1, "customer asked to stop");
        }),
        new("crypto-coin-withdrawal", "unverified-address-rejected", "The automatic checks reject an address that is not verified.", async r =>
        {
            r.H.Chain.AddVerifiedAddress(CoinAccount, "BTC", "BTC", CoinAddress);
            await r.StartAsync(CoinInput(0.5m, "bc1qsomebodyelse000000000000000000000000"), "CW-0003", Maker1);
        }),

        new("crypto-address-verification", "verified-by-a-checker", "A customer's BTC address, submitted by the client area, is verified by a checker.", async r =>
        {
            await r.StartAsync(AddressInput("BTC", "BTC", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"), "AV-0001", Maker1);
            await r.ActAsync("Verify", Checker1);
        }),
        new("crypto-address-verification", "rejected-with-a-reason", "A checker rejects a TRON address with a reason.", async r =>
        {
            await r.StartAsync(AddressInput("USDT", "TRC20", "TR7NHqjeKQxGTCi8q8ZY4pL8otSzgjLj6t"), "AV-0002", Maker1);
            await r.ActAsync("Reject", Checker2, "Address belongs to an exchange, not the customer");
        }),

        new("crypto-deposit", "cancelled-under-verification", "An operator cancels the deposit record before confirmations begin.", async r =>
        {
            r.H.Chain.AddVerifiedAddress(DepositAccount, "ETH", "ERC20", RefundAddress);
            await r.StartAsync(DepositInput(), "CD-0001", Maker1);
            await r.ActAsync("Cancel", Checker2, "Duplicate user request");
        }),
        new("crypto-deposit", "credited-then-refunded", "Confirmations credit it; a refund is requested, approved, broadcast and confirmed.", async r =>
        {
            r.H.Chain.AddVerifiedAddress(DepositAccount, "ETH", "ERC20", RefundAddress);
            await r.StartAsync(DepositInput(), "CD-0002", Maker1);
            await r.EventAsync(CryptoNames.BlockConfirmations, DepositTx, new Dictionary<string, object?> { ["confirmations"] = 5m });
            await r.EventAsync(CryptoNames.BlockConfirmations, DepositTx, new Dictionary<string, object?> { ["confirmations"] = 12m });
            await r.ActAsync("RequestRefund", Checker2, data: new Dictionary<string, object?> { ["refundAddress"] = RefundAddress });
            await r.ActAsync(WorkOrderNames.Approve, Checker1);
            var txid = r.H.Chain.Sent.Single().TxId;
            await r.EventAsync(CryptoNames.BlockConfirmations, txid, new Dictionary<string, object?> { ["confirmations"] = 12m });
        }),

        new("fiat-withdrawal", "auto-approved-paid-reconciled", "No rule hits: paid by direct billing, the bank confirms, the statement matches.", async r =>
        {
            r.H.Bank.SetHistory("C-77", FiatChannel, new WithdrawalHistory(0m, 0m, 3, true));
            await r.StartAsync(FiatInput(1_000m), "FW-0001", Maker1);
            await r.EventAsync(FiatNames.BankResult, "FW-0001", new Dictionary<string, object?> { ["success"] = true, ["reason"] = null });
            await r.EventAsync(FiatNames.BankStatementLine, "FW-0001", new Dictionary<string, object?> { ["amount"] = -1_000m, ["currency"] = "HKD", ["reference"] = "FPS FW-0001" });
        }, FiatV1),
        new("fiat-withdrawal", "manual-review-submitted", "Review rules hit: a checker submits it, then the bank fails and the checker resubmits.", async r =>
        {
            r.H.Bank.SetHistory("C-77", FiatChannel, new WithdrawalHistory(0m, 0m, 0, false));
            await r.StartAsync(FiatInput(20_000m), "FW-0001", Maker1);
            await r.ActAsync("Submit", Checker1);
            await r.EventAsync(FiatNames.BankResult, "FW-0001", new Dictionary<string, object?> { ["success"] = false, ["reason"] = "beneficiary bank offline" });
        }, FiatV1),
        new("fiat-batch", "approved-file-sent", "A batch of three USD withdrawals: its work order is approved and the bank takes the file.", async r =>
        {
            await r.StartAsync(BatchInput(), "FB-0001", Maker1, new HashSet<string> { "needsWorkOrder" });
            await r.ActAsync(WorkOrderNames.Approve, Checker1);
        }),
        new("fiat-batch", "work-order-rejected", "A batch whose work order is rejected: its records go back to Withdrawal Pending.", async r =>
        {
            await r.StartAsync(BatchInput(), "FB-0001", Maker1, new HashSet<string> { "needsWorkOrder" });
            await r.ActAsync(WorkOrderNames.Reject, Checker1, "wrong paying account");
        }),
        new("fiat-withdrawal", "v2-reviewed-direct-billing-paid-matched", "Version 2: a first withdrawal waits in Pending Submission, a checker submits it, the direct billing work order is approved, the bank pays, reconciliation matches.", async r =>
        {
            r.H.FiatHistory("C-77", 0);
            await r.StartAsync(FiatInputV2(5_000m), "FW-0001", Maker1);
            await r.ActAsync(FiatNames.Submit, Checker1);
            await r.ActAsync(WorkOrderNames.Approve, Checker2);
            await r.EventAsync(FiatNames.BankResult, "FW-0001", new Dictionary<string, object?> { ["success"] = true, ["reason"] = null });
            await r.InterruptAsync(FiatNames.FiatReconciled, Actor.System("fiat-reconciliation"), new Dictionary<string, object?> { ["result"] = "Matched", ["entryId"] = "E-1", ["reasons"] = new List<object?>(), ["manual"] = false });
        }, FiatV2),
        new("fiat-withdrawal", "v2-exception-resubmitted-after-review", "Version 2: the bank fails the payout; one checker resubmits, another approves, the bank pays again.", async r =>
        {
            r.H.FiatHistory("C-77", 3, "HK-004-123456");
            await r.StartAsync(FiatInputV2(1_000m), "FW-0001", Maker1);
            await r.ActAsync(WorkOrderNames.Approve, Checker1);
            await r.EventAsync(FiatNames.BankResult, "FW-0001", new Dictionary<string, object?> { ["success"] = false, ["reason"] = "beneficiary bank offline" });
            await r.ActAsync(FiatNames.Resubmit, Checker1, "bank back online");
            await r.ActAsync(FiatNames.Approve, Checker2);
            await r.EventAsync(FiatNames.BankResult, "FW-0001", new Dictionary<string, object?> { ["success"] = true, ["reason"] = null });
        }, FiatV2),
        new("fiat-withdrawal", "v3-unnamed-result-ignored-exception-resubmitted-paid", "Version 3: a result naming no payout is ignored; the bank fails the payout it names; one checker resubmits, another approves, the bank pays the new order.", async r =>
        {
            r.H.FiatHistory("C-77", 3, "HK-004-123456");
            await r.StartAsync(FiatInputV2(1_000m), "FW-0001", Maker1);
            await r.ActAsync(WorkOrderNames.Approve, Checker1);
            await r.EventAsync(FiatNames.BankResult, "FW-0001", new Dictionary<string, object?> { ["success"] = false, ["reason"] = "names no payout" });
            await r.EventAsync(FiatNames.BankResult, "FW-0001", new Dictionary<string, object?> { ["success"] = false, ["reason"] = "beneficiary bank offline", ["bankReference"] = r.Root.Variables["bankReference"] });
            await r.ActAsync(FiatNames.Resubmit, Checker1, "bank back online");
            await r.ActAsync(FiatNames.Approve, Checker2);
            await r.EventAsync(FiatNames.BankResult, "FW-0001", new Dictionary<string, object?> { ["success"] = true, ["reason"] = null, ["bankReference"] = r.Root.Variables["bankReference"] });
        }),
    ];

    private static Task StartWdAsync(GoldenRecorder r)
    {
        r.H.Ledger.SetAccount(new TradingAccount(WdAccount, "C-1", "USD", 10_000m, 10_500m, 1_000m, 9_500m, 0m, 2));
        return r.StartAsync(new Dictionary<string, object?>
        {
            ["customerId"] = "C-1",
            ["tradingAccount"] = WdAccount,
            ["requestedAmount"] = 100m,
            ["currency"] = "USD",
            ["comment"] = "Client asked to withdraw",
            ["availableAmount"] = 9_500m,
        }, "WD-1", WdActors.Cs1, new HashSet<string> { WdVariables.AvailableAmount });
    }

    private static Dictionary<string, object?> WorkOrderInput(decimal amount) => new()
    {
        ["workOrderType"] = WorkOrderNames.CoinWithdrawApply,
        ["reference"] = "CW-1",
        ["maker"] = "client:SA-1",
        ["amount"] = amount,
        ["currency"] = "BTC",
        ["summary"] = "Withdraw BTC",
        ["secondApprovalThreshold"] = 5m,
    };

    private static Dictionary<string, object?> AddressInput(string coin, string network, string address) => new()
    {
        ["securitiesAccount"] = "SA-AV",
        ["coin"] = coin,
        ["network"] = network,
        ["address"] = address,
    };

    private static Dictionary<string, object?> CoinInput(decimal amount, string address) => new()
    {
        ["recordNo"] = "CW-0001",
        ["securitiesAccount"] = CoinAccount,
        ["coin"] = "BTC",
        ["network"] = "BTC",
        ["amount"] = amount,
        ["address"] = address,
    };

    private static Dictionary<string, object?> DepositInput() => new()
    {
        ["recordNo"] = "CD-0001",
        ["securitiesAccount"] = DepositAccount,
        ["coin"] = "ETH",
        ["network"] = "ERC20",
        ["amount"] = 1.25m,
        ["txid"] = DepositTx,
    };

    private static Dictionary<string, object?> FiatInput(decimal amount) => new()
    {
        ["recordNo"] = "FW-0001",
        ["customerId"] = "C-77",
        ["channel"] = FiatChannel,
        ["currency"] = "HKD",
        ["amount"] = amount,
        ["bankAccount"] = "HK-004-123456",
    };

    private static Dictionary<string, object?> FiatInputV2(decimal amount) => new()
    {
        ["recordNo"] = "FW-0001",
        ["customerId"] = "C-77",
        ["currency"] = "HKD",
        ["amount"] = amount,
        ["fee"] = 5m,
        ["bankAccount"] = "HK-004-123456",
    };

    private static Dictionary<string, object?> BatchInput() => new()
    {
        ["batchId"] = "FB-0001",
        ["channel"] = "HSBC-002-WIRE",
        ["currency"] = "USD",
        ["total"] = 3_600m,
        ["count"] = 3m,
        ["policy"] = "TimedPacking",
        ["needsWorkOrder"] = true,
    };
}
