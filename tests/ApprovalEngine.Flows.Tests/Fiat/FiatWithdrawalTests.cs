using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Flows.Tests.WorkOrders;
using ApprovalEngine.Flows.WorkOrders;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Validation;
using static ApprovalEngine.Flows.Tests.WorkOrders.OpsActors;

namespace ApprovalEngine.Flows.Tests.Fiat;

/// <summary>workflows/fiat-withdrawal.json version 2 in memory, on the development configuration (InMemoryFiatConfigStore).</summary>
public class FiatWithdrawalTests
{
    private const string Hkd = "ICBC-001-FPS";
    private const string Usd = "HSBC-002-WIRE";
    private const string Customer = "C-77";
    private const string Card = "HK-004-123456";

    private static FlowHarness NewHarness(int previous = 3, bool knownAccount = true)
    {
        var h = new FlowHarness();
        if (knownAccount) h.FiatHistory(Customer, previous, Card);
        else h.FiatHistory(Customer, previous);
        return h;
    }

    private static Task<InstanceState> StartAsync(FlowHarness h, decimal amount = 1_000m, string currency = "HKD", string recordNo = "FW-0001", Actor? starter = null) =>
        h.Host.StartAsync(FiatNames.DefinitionId, new Dictionary<string, object?>
        {
            ["recordNo"] = recordNo,
            ["customerId"] = Customer,
            ["currency"] = currency,
            ["amount"] = amount,
            ["fee"] = 10m,
            ["bankAccount"] = Card,
        }, correlationId: recordNo, actor: starter ?? Maker1);

    private static Task InterruptAsync(FlowHarness h, Guid id, string name, Dictionary<string, object?> payload)
    {
        var state = h.Get(id);
        return h.Host.CommitAsync(h.Host.Engine.Interrupt(h.Host.Definition(state.DefinitionId, state.DefinitionVersion), state, name, payload, Actor.System("fiat")));
    }

    /// <summary>The bank's result naming the payout it is about (version 3 settles a payout only with its bankReference).</summary>
    private static Task BankResultAsync(FlowHarness h, bool success, string? reason = null, string recordNo = "FW-0001")
    {
        var record = h.Host.Instances.Values.Single(i => i.CorrelationId == recordNo && i.ParentInstanceId is null);
        return h.Host.SendEventAsync(FiatNames.BankResult, recordNo, new Dictionary<string, object?>
        {
            ["success"] = success, ["reason"] = reason, ["bankReference"] = record.Variables.GetValueOrDefault("bankReference"),
        });
    }

    private static string Status(FlowHarness h, Guid id) => h.Get(id).BusinessStatus!;

    [Test]
    public void Version_2_passes_the_validator_with_the_full_registry()
    {
        var h = new FlowHarness();
        var errors = new WorkflowValidator(h.Registry).Validate(FlowHarness.Load(FiatNames.DefinitionId), d => h.Host.Definition(d) is not null);
        Assert.That(errors, Is.Empty, string.Join(Environment.NewLine, errors.Select(e => $"{e.Path}: {e.Message}")));
    }

    [Test]
    public void Version_1_still_passes_the_validator_with_the_registry_of_version_2()
    {
        var h = new FlowHarness();
        var v1 = DefinitionJson.Parse(File.ReadAllText(Path.Combine(Support.Repo.Root, "tests", "ApprovalEngine.Flows.Tests", "Fiat", "fiat-withdrawal.v1.json")));
        var errors = new WorkflowValidator(h.Registry).Validate(v1, d => h.Host.Definition(d) is not null);
        Assert.That(errors, Is.Empty, string.Join(Environment.NewLine, errors.Select(e => $"{e.Path}: {e.Message}")));
    }

    [Test]
    public async Task Auto_submitted_real_time_record_is_paid_after_the_direct_billing_work_order_then_reconciled()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        Assert.That((Status(h, i.Id), h.Get(i.Id).Variables["channel"], h.Bank.Payouts.Count), Is.EqualTo((FiatNames.WithdrawalDirectlyPending, (object)Hkd, 0)));
        await h.ApproveWorkOrderAsync(i.Id);
        Assert.That((Status(h, i.Id), h.Bank.Payouts.Single().Amount), Is.EqualTo((FiatNames.Paying, 1_000m)));
        await BankResultAsync(h, success: true);
        Assert.That((Status(h, i.Id), h.Get(i.Id).Variables["reconciliation"]), Is.EqualTo((FiatNames.Unmatch, (object)"Unmatch")));
        await InterruptAsync(h, i.Id, FiatNames.FiatReconciled, new() { ["result"] = "Matched", ["entryId"] = "E-1", ["reasons"] = new List<object?>(), ["manual"] = false });
        i = h.Get(i.Id);
        Assert.That((i.Status, i.BusinessStatus, i.Variables["reconciliation"]), Is.EqualTo((InstanceStatus.Completed, FiatNames.Completed, (object)"Matched")));
    }

    [Test]
    public async Task A_review_rule_with_a_work_order_holds_it_in_Pending_Submission_where_the_maker_cannot_submit_it()
    {
        var h = NewHarness(previous: 0, knownAccount: false);
        h.FiatConfig.ReviewRules.Add(new FiatReviewRule("Large HKD needs a work order", FiatReviewKinds.ManualWithWorkOrder, 1, null, null, 20_000m, "HKD"));
        var i = await StartAsync(h, amount: 20_000m);
        Assert.That((Status(h, i.Id), h.Get(i.Id).Variables["reviewWorkOrder"]), Is.EqualTo((FiatNames.PendingSubmission, (object)true)));
        var refused = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, FiatNames.Submit, Maker1));
        Assert.That(refused!.Message, Does.Contain("Four eyes"));
        await h.ActAsync(i.Id, FiatNames.Submit, Checker1);
        Assert.That(h.Child(i.Id)!.Variables["workOrderType"], Is.EqualTo(FiatNames.ReviewWorkOrder));
        await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, WorkOrderNames.Approve, Maker1));
        await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker2);
        Assert.That(Status(h, i.Id), Is.EqualTo(FiatNames.WithdrawalDirectlyPending));
    }

    [Test]
    public async Task An_edit_applies_only_after_its_work_order_and_the_rules_run_again()
    {
        var h = NewHarness(previous: 0, knownAccount: false);
        var i = await StartAsync(h, amount: 5_000m);
        Assert.That(Status(h, i.Id), Is.EqualTo(FiatNames.PendingSubmission));
        await h.ActAsync(i.Id, FiatNames.Edit, Checker1, data: new Dictionary<string, object?> { ["amount"] = 4_000m, ["remarks"] = "client called" });
        i = h.Get(i.Id);
        Assert.That((i.BusinessStatus, i.Variables["amount"], i.Variables["editAmount"]), Is.EqualTo((FiatNames.EditPendingApproval, (object)5_000m, (object)4_000m)));
        // The editor is the work order's requester: someone else approves.
        await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1));
        await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker2);
        i = h.Get(i.Id);
        Assert.That((i.BusinessStatus, i.Variables["amount"], i.Variables["remarks"], i.Variables["editAmount"]),
            Is.EqualTo((FiatNames.PendingSubmission, (object)4_000m, (object)"client called", (object?)null)));
    }

    [Test]
    public async Task A_rejected_edit_changes_nothing()
    {
        var h = NewHarness(previous: 0, knownAccount: false);
        var i = await StartAsync(h, amount: 5_000m);
        await h.ActAsync(i.Id, FiatNames.Edit, Checker1, data: new Dictionary<string, object?> { ["bankAccount"] = "HK-999" });
        await h.ActAsync(i.Id, WorkOrderNames.Reject, Checker2, comment: "not confirmed with the client");
        i = h.Get(i.Id);
        Assert.That((i.BusinessStatus, i.Variables["bankAccount"], i.Variables["editBankAccount"]), Is.EqualTo((FiatNames.PendingSubmission, (object)Card, (object?)null)));
    }

    [Test]
    public async Task An_edit_without_a_field_is_refused()
    {
        var h = NewHarness(previous: 0, knownAccount: false);
        var i = await StartAsync(h, amount: 5_000m);
        await Assert.ThrowsAsync<WorkflowConflictException>(() => h.ActAsync(i.Id, FiatNames.Edit, Checker1, data: new Dictionary<string, object?>()));
        Assert.That(Status(h, i.Id), Is.EqualTo(FiatNames.PendingSubmission));
    }

    [Test]
    public async Task Delete_and_reject_end_the_application()
    {
        var h = NewHarness(previous: 0, knownAccount: false);
        var a = await StartAsync(h, amount: 5_000m, recordNo: "FW-A");
        var b = await StartAsync(h, amount: 5_000m, recordNo: "FW-B");
        await h.ActAsync(a.Id, FiatNames.Delete, Maker1);
        await h.ActAsync(b.Id, FiatNames.Reject, Maker1, comment: "documents missing");
        Assert.That((Status(h, a.Id), Status(h, b.Id), h.Get(b.Id).Variables["reason"]), Is.EqualTo((FiatNames.Deleted, FiatNames.Rejected, (object)"documents missing")));
    }

    [Test]
    public async Task Over_the_single_limit_is_rejected_by_the_rules()
    {
        var h = NewHarness();
        var i = await StartAsync(h, amount: 60_000m);
        Assert.That((Status(h, i.Id), h.Bank.Payouts.Count), Is.EqualTo((FiatNames.Rejected, 0)));
    }

    [Test]
    public async Task A_packed_record_waits_for_its_batch_then_goes_back_or_pays()
    {
        var h = NewHarness();
        var i = await StartAsync(h, amount: 1_000m, currency: "USD");
        Assert.That((Status(h, i.Id), h.Get(i.Id).Variables["policy"]), Is.EqualTo((FiatNames.WithdrawalPending, (object)WithdrawalPolicies.TimedPacking)));
        await InterruptAsync(h, i.Id, FiatNames.FiatPacked, new() { ["batchId"] = "B-1" });
        Assert.That((Status(h, i.Id), h.Get(i.Id).Variables["batchId"]), Is.EqualTo((FiatNames.BatchPending, (object)"B-1")));
        // Another batch's result does not move it; a second pack is refused.
        await Assert.ThrowsAsync<WorkflowConflictException>(() => InterruptAsync(h, i.Id, FiatNames.FiatBatchPaid, new() { ["batchId"] = "B-2" }));
        await Assert.ThrowsAsync<WorkflowConflictException>(() => InterruptAsync(h, i.Id, FiatNames.FiatPacked, new() { ["batchId"] = "B-3" }));
        await InterruptAsync(h, i.Id, FiatNames.FiatBatchReleased, new() { ["batchId"] = "B-1", ["reason"] = "wrong channel" });
        Assert.That((Status(h, i.Id), h.Get(i.Id).Variables["batchId"]), Is.EqualTo((FiatNames.WithdrawalPending, (object?)null)));
        await InterruptAsync(h, i.Id, FiatNames.FiatPacked, new() { ["batchId"] = "B-4" });
        await InterruptAsync(h, i.Id, FiatNames.FiatBatchPaid, new() { ["batchId"] = "B-4", ["bankReference"] = "FILE-B-4" });
        Assert.That(Status(h, i.Id), Is.EqualTo(FiatNames.Paying));
        await BankResultAsync(h, success: true);
        Assert.That(Status(h, i.Id), Is.EqualTo(FiatNames.Unmatch));
    }

    [Test]
    public async Task Direct_billing_by_an_operator_uses_the_channel_they_picked()
    {
        var h = NewHarness();
        var i = await StartAsync(h, amount: 1_000m, currency: "USD");
        await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, FiatNames.DirectBilling, Maker1,
            data: new Dictionary<string, object?> { ["bank"] = "HSBC", ["account"] = "002-1", ["channel"] = Usd }));
        await h.ActAsync(i.Id, FiatNames.DirectBilling, Checker1, data: new Dictionary<string, object?> { ["bank"] = "HSBC", ["account"] = "002-1", ["channel"] = Usd });
        Assert.That(Status(h, i.Id), Is.EqualTo(FiatNames.WithdrawalDirectlyPending));
        await h.ActAsync(i.Id, WorkOrderNames.Reject, Checker2, comment: "use the batch");
        Assert.That(Status(h, i.Id), Is.EqualTo(FiatNames.WithdrawalPending));
    }

    [Test]
    public async Task Balance_interception_is_released_by_finance_and_the_payout_goes_out()
    {
        var h = NewHarness();
        h.Bank.SetBalance(Hkd, 100_500m);
        var i = await StartAsync(h, amount: 1_000m);
        await h.ApproveWorkOrderAsync(i.Id);
        Assert.That((Status(h, i.Id), h.Bank.Payouts.Count), Is.EqualTo((FiatNames.Intercepted, 0)));
        await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, FiatNames.Release, Maker1));
        await h.ActAsync(i.Id, FiatNames.Release, Checker2);
        Assert.That((Status(h, i.Id), h.Bank.Payouts.Count), Is.EqualTo((FiatNames.Paying, 1)));
    }

    [Test]
    public async Task An_exception_resolution_needs_a_second_person_and_a_rejection_sends_it_back()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        await h.ApproveWorkOrderAsync(i.Id);
        await BankResultAsync(h, success: false, reason: "beneficiary bank offline");
        Assert.That((Status(h, i.Id), h.Get(i.Id).Variables["failureReason"]), Is.EqualTo((FiatNames.WithdrawalException, (object)"beneficiary bank offline")));
        await h.ActAsync(i.Id, FiatNames.Resubmit, Checker1, comment: "bank back online");
        Assert.That((Status(h, i.Id), h.Get(i.Id).Variables["resolution"]), Is.EqualTo((FiatNames.ToBeReviewed, (object)FiatNames.Resubmit)));
        var same = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, FiatNames.Approve, Checker1));
        Assert.That(same!.Message, Does.Contain("Four eyes"));
        await h.ActAsync(i.Id, FiatNames.Reject, Checker2, comment: "check with the bank first");
        Assert.That(Status(h, i.Id), Is.EqualTo(FiatNames.WithdrawalException));
        await h.ActAsync(i.Id, FiatNames.SetAsFailed, Checker2, comment: "the bank confirms nothing was paid");
        // checker1 chose before and checker2 now: both acted on the exception, so a third person approves.
        await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, FiatNames.Approve, Checker1));
        await h.ActAsync(i.Id, FiatNames.Approve, Checker("checker3"));
        Assert.That((h.Get(i.Id).Status, Status(h, i.Id), h.Bank.Payouts.Count), Is.EqualTo((InstanceStatus.Completed, FiatNames.Failed, 1)));
    }

    [Test]
    public async Task An_approved_resubmit_pays_again_with_a_new_key()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        await h.ApproveWorkOrderAsync(i.Id);
        await BankResultAsync(h, success: false, reason: "timeout at the bank");
        await h.ActAsync(i.Id, FiatNames.Resubmit, Checker1, comment: "again");
        await h.ActAsync(i.Id, FiatNames.Approve, Checker2);
        Assert.That((Status(h, i.Id), h.Bank.Payouts.Count, h.Bank.Payouts.Select(p => p.IdempotencyKey).Distinct().Count()), Is.EqualTo((FiatNames.Paying, 2, 2)));
    }

    [Test]
    public async Task A_reconciliation_discrepancy_is_a_withdrawal_exception()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        await h.ApproveWorkOrderAsync(i.Id);
        await BankResultAsync(h, success: true);
        await InterruptAsync(h, i.Id, FiatNames.FiatReconciled, new() { ["result"] = "Discrepancy", ["entryId"] = "E-9", ["reasons"] = new List<object?> { "Amount mismatch" }, ["manual"] = false });
        Assert.That(Status(h, i.Id), Is.EqualTo(FiatNames.WithdrawalException));
        await h.ActAsync(i.Id, FiatNames.SetAsSuccessful, Checker1, comment: "matched by hand");
        await h.ActAsync(i.Id, FiatNames.Approve, Checker2);
        Assert.That(Status(h, i.Id), Is.EqualTo(FiatNames.Completed));
    }
}

/// <summary>workflows/fiat-batch.json in memory.</summary>
public class FiatBatchFlowTests
{
    private static Task<InstanceState> StartAsync(FlowHarness h, bool needsWorkOrder, decimal total = 3_000m) =>
        h.Host.StartAsync(FiatNames.BatchDefinitionId, new Dictionary<string, object?>
        {
            ["batchId"] = "FB-1", ["channel"] = "HSBC-002-WIRE", ["currency"] = "USD", ["total"] = total, ["count"] = 2m, ["needsWorkOrder"] = needsWorkOrder,
        }, correlationId: "FB-1", actor: Maker1, domainInputs: new HashSet<string> { "needsWorkOrder" });

    [Test]
    public void The_batch_flow_passes_the_validator()
    {
        var h = new FlowHarness();
        var errors = new WorkflowValidator(h.Registry).Validate(FlowHarness.Load(FiatNames.BatchDefinitionId), d => h.Host.Definition(d) is not null);
        Assert.That(errors, Is.Empty, string.Join(Environment.NewLine, errors.Select(e => $"{e.Path}: {e.Message}")));
    }

    [Test]
    public async Task One_work_order_for_the_batch_total_then_the_file_goes_to_the_bank()
    {
        var h = new FlowHarness();
        var i = await StartAsync(h, needsWorkOrder: true);
        Assert.That((i.BusinessStatus, h.Child(i.Id)!.Variables["amount"], h.Child(i.Id)!.Variables["workOrderType"]), Is.EqualTo(("Batch Pending", (object)3_000m, (object)FiatNames.BatchWorkOrder)));
        await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, WorkOrderNames.Approve, Maker1));
        await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1);
        i = h.Get(i.Id);
        Assert.That((i.Status, i.BusinessStatus, i.Variables["bankReference"]), Is.EqualTo((InstanceStatus.Completed, "Paying", (object)"FILE-FB-1")));
    }

    [Test]
    public async Task Batch_auto_pays_without_a_work_order()
    {
        var h = new FlowHarness();
        var i = await StartAsync(h, needsWorkOrder: false);
        Assert.That((h.Get(i.Id).BusinessStatus, h.Child(i.Id)), Is.EqualTo(("Paying", (InstanceState?)null)));
    }
}

/// <summary>Bank results that belong to another payout of the same record.</summary>
public class FiatBankResultTests
{
    /// <summary>A known customer's record FW-1, its direct billing work order approved: Paying.</summary>
    private static async Task<(FlowHarness H, InstanceState I)> PayingAsync()
    {
        var h = new FlowHarness();
        h.FiatHistory("C-77", 3, "HK-1");
        var i = await h.Host.StartAsync(FiatNames.DefinitionId, new Dictionary<string, object?>
        {
            ["recordNo"] = "FW-1", ["customerId"] = "C-77", ["currency"] = "HKD", ["amount"] = 1_000m, ["bankAccount"] = "HK-1",
        }, correlationId: "FW-1", actor: Maker1);
        await h.ApproveWorkOrderAsync(i.Id);
        return (h, i);
    }

    [Test]
    public async Task A_result_naming_an_earlier_bank_order_does_not_settle_the_resubmitted_payout()
    {
        var (h, i) = await PayingAsync();
        var first = (string)h.Get(i.Id).Variables["bankReference"]!;
        await h.Host.SendEventAsync(FiatNames.BankResult, "FW-1", new Dictionary<string, object?> { ["success"] = false, ["reason"] = "offline", ["bankReference"] = first });
        await h.ActAsync(i.Id, FiatNames.Resubmit, Checker1, comment: "again");
        await h.ActAsync(i.Id, FiatNames.Approve, Checker2);
        var second = (string)h.Get(i.Id).Variables["bankReference"]!;
        Assert.That(second, Is.Not.EqualTo(first));

        await h.Host.SendEventAsync(FiatNames.BankResult, "FW-1", new Dictionary<string, object?> { ["success"] = true, ["reason"] = null, ["bankReference"] = first });
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(FiatNames.Paying), "the late result of the first order is ignored");
        await h.Host.SendEventAsync(FiatNames.BankResult, "FW-1", new Dictionary<string, object?> { ["success"] = true, ["reason"] = null, ["bankReference"] = second });
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(FiatNames.Unmatch));
    }

    [Test]
    public async Task A_result_naming_no_bank_order_never_settles_the_payout()
    {
        var (h, i) = await PayingAsync();
        await h.Host.SendEventAsync(FiatNames.BankResult, "FW-1", new Dictionary<string, object?> { ["success"] = false, ["reason"] = "forged" });
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(FiatNames.Paying), "a result that names no payout is journaled and ignored");
        await h.Host.SendEventAsync(FiatNames.BankResult, "FW-1", new Dictionary<string, object?> { ["success"] = false, ["reason"] = "forged", ["bankReference"] = "BANK-OTHER" });
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(FiatNames.Paying));
        await h.Host.SendEventAsync(FiatNames.BankResult, "FW-1", new Dictionary<string, object?> { ["success"] = true, ["bankReference"] = h.Get(i.Id).Variables["bankReference"] });
        Assert.That((h.Get(i.Id).BusinessStatus, h.Get(i.Id).Variables["moneyLeft"]), Is.EqualTo((FiatNames.Unmatch, (object?)true)));
    }
}
