using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Flows.Tests.WorkOrders;
using ApprovalEngine.Flows.WorkOrders;
using ApprovalEngine.Workflows.Matrix;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Validation;
using static ApprovalEngine.Flows.Tests.WorkOrders.OpsActors;

namespace ApprovalEngine.Flows.Tests.Fiat;

public class FiatWithdrawalTests
{
    private const string Hkd = "ICBC-001-FPS";
    private const string Usd = "HSBC-002-WIRE";
    private const string Customer = "C-77";
    private const string Card = "HK-004-123456";

    /// <summary>A known customer: earlier withdrawals to the same account, nothing used today.</summary>
    private static FlowHarness NewHarness(decimal usedToday = 0m, int previous = 3, bool knownAccount = true)
    {
        var h = new FlowHarness();
        h.Bank.SetHistory(Customer, Hkd, new WithdrawalHistory(usedToday, 0m, previous, knownAccount));
        h.Bank.SetHistory(Customer, Usd, new WithdrawalHistory(usedToday, 0m, previous, knownAccount));
        return h;
    }

    private static Task<InstanceState> StartAsync(FlowHarness h, decimal amount = 1_000m, string channel = Hkd, string recordNo = "FW-0001", Actor? starter = null) =>
        h.Host.StartAsync(FiatNames.DefinitionId, new Dictionary<string, object?>
        {
            ["recordNo"] = recordNo,
            ["customerId"] = Customer,
            ["channel"] = channel,
            ["currency"] = channel == Hkd ? "HKD" : "USD",
            ["amount"] = amount,
            ["bankAccount"] = Card,
        }, correlationId: recordNo, actor: starter);

    private static Task<int> BankResultAsync(FlowHarness h, bool success, string? reason = null, string recordNo = "FW-0001") =>
        h.Host.SendEventAsync(FiatNames.BankResult, recordNo, new Dictionary<string, object?> { ["success"] = success, ["reason"] = reason });

    private static Task<int> StatementAsync(FlowHarness h, decimal amount, string currency = "HKD", string reference = "FPS FW-0001") =>
        h.Host.SendEventAsync(FiatNames.BankStatementLine, "FW-0001", new Dictionary<string, object?> { ["amount"] = amount, ["currency"] = currency, ["reference"] = reference });

    private static IEnumerable<object?> List(InstanceState i, string name) => (IEnumerable<object?>)i.Variables[name]!;

    [Test]
    public void Definition_passes_the_validator_with_the_full_registry()
    {
        var h = new FlowHarness();
        var errors = new WorkflowValidator(h.Registry).Validate(FlowHarness.Load(FiatNames.DefinitionId), d => h.Host.Definition(d) is not null);
        Assert.That(errors, Is.Empty, string.Join(Environment.NewLine, errors.Select(e => $"{e.Path}: {e.Message}")));
    }

    [Test]
    public async Task Happy_path_auto_approved_direct_billing_paid_and_reconciled()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        var payout = h.Bank.Payouts.Single();
        Assert.That((i.BusinessStatus, i.Variables["decision"], i.Variables["bankReference"], payout.Amount, payout.BeneficiaryAccount),
            Is.EqualTo((FiatNames.AwaitingBankResult, (object)"Approve", (object)payout.BankReference, 1_000m, Card)));

        await BankResultAsync(h, success: true);
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(FiatNames.Reconciling));
        await StatementAsync(h, -1_000m);
        i = h.Get(i.Id);
        Assert.That((i.Status, i.BusinessStatus, i.Variables["reconciliationResult"]), Is.EqualTo((InstanceStatus.Completed, FiatNames.Completed, (object)"Matched")));
    }

    [Test]
    public async Task Review_rules_send_it_to_manual_review_with_the_reasons_then_Submit_pays()
    {
        var h = NewHarness(previous: 0, knownAccount: false);
        var i = await StartAsync(h, amount: 20_000m);
        Assert.That(i.BusinessStatus, Is.EqualTo(FiatNames.PendingReview));
        Assert.That(List(i, "reviewReasons"), Is.EqualTo(new object[]
        {
            "First withdrawal of the customer.",
            "The amount is at or above the review threshold of 20000 HKD.",
            "New beneficiary bank account.",
        }));
        Assert.That(h.Bank.Payouts, Is.Empty);
        i = await h.ActAsync(i.Id, "Submit", Checker1);
        Assert.That((i.BusinessStatus, h.Bank.Payouts.Count), Is.EqualTo((FiatNames.AwaitingBankResult, 1)));
    }

    [Test]
    public async Task The_maker_who_started_the_withdrawal_cannot_submit_its_review()
    {
        var h = NewHarness(previous: 0, knownAccount: false);
        var i = await StartAsync(h, amount: 20_000m, starter: Maker1);
        Assert.That(i.BusinessStatus, Is.EqualTo(FiatNames.PendingReview));
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, "Submit", Maker1));
        Assert.That(ex!.Message, Does.Contain(WorkOrderNames.ApprovePermission));
        Assert.That((h.Get(i.Id).BusinessStatus, h.Bank.Payouts.Count), Is.EqualTo((FiatNames.PendingReview, 0)));
    }

    [Test]
    public async Task A_checker_who_started_the_withdrawal_cannot_submit_its_review()
    {
        var h = NewHarness(previous: 0, knownAccount: false);
        var i = await StartAsync(h, amount: 20_000m, starter: Checker1);
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, "Submit", Checker1));
        Assert.That(ex!.Message, Does.Contain("differentFrom @starter"));
        Assert.That((h.Get(i.Id).BusinessStatus, h.Bank.Payouts.Count), Is.EqualTo((FiatNames.PendingReview, 0)));
        i = await h.ActAsync(i.Id, "Submit", Checker2);
        Assert.That((i.BusinessStatus, h.Bank.Payouts.Count), Is.EqualTo((FiatNames.AwaitingBankResult, 1)));
    }

    [Test]
    public async Task Manual_review_reject_needs_a_comment()
    {
        var h = NewHarness(previous: 0);
        var i = await StartAsync(h);
        await Assert.ThrowsAsync<WorkflowValidationException>(() => h.ActAsync(i.Id, "Reject", Checker1));
        i = await h.ActAsync(i.Id, "Reject", Checker1, comment: "Documents missing");
        Assert.That((i.BusinessStatus, i.Variables["reason"]), Is.EqualTo((FiatNames.Rejected, (object)"Documents missing")));
    }

    [TestCase(99_500, 1_000, "The customer's daily limit of 100000 HKD on this channel would be exceeded (99500 already used today).")]
    [TestCase(0, 50_001, "The amount exceeds the single-withdrawal limit of 50000 HKD.")]
    public async Task Limits_reject_automatically_with_the_reason(decimal usedToday, decimal amount, string reason)
    {
        var h = NewHarness(usedToday: usedToday);
        var i = await StartAsync(h, amount: amount);
        Assert.That((i.Status, i.BusinessStatus), Is.EqualTo((InstanceStatus.Completed, FiatNames.Rejected)));
        Assert.That(List(i, "rejectReasons"), Does.Contain(reason));
        Assert.That((string)i.Variables["reason"]!, Does.StartWith("Rejected by the automatic rules: "));
        Assert.That(h.Bank.Payouts, Is.Empty);
    }

    [Test]
    public async Task An_amount_with_more_decimals_than_the_currency_is_refused_at_the_start()
    {
        // The input declares currencyInput (ADR 7): the rule's own precision check is now met at the door.
        var h = NewHarness();
        var error = await Assert.ThrowsAsync<WorkflowValidationException>(() => StartAsync(h, amount: 10.005m));
        Assert.That(error!.Errors["input.amount"], Has.Some.Contains("decimal places for HKD"));
        Assert.That(h.Bank.Payouts, Is.Empty);
    }

    [TestCase(500, "Insufficient available balance on the paying account (500 HKD).")]
    [TestCase(100_500, "The paying account would fall below its interception threshold of 100000 HKD.")]
    public async Task Balance_interception_holds_it_for_finance_who_release_it(decimal balance, string reason)
    {
        var h = NewHarness();
        h.Bank.SetBalance(Hkd, balance);
        var i = await StartAsync(h);
        Assert.That(i.BusinessStatus, Is.EqualTo(FiatNames.Intercepted));
        Assert.That(List(i, "interceptReasons"), Is.EqualTo(new object[] { reason }));
        Assert.That(h.Bank.Payouts, Is.Empty);

        await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, "Release", Maker1));
        h.Bank.SetBalance(Hkd, 2_000_000m);
        i = await h.ActAsync(i.Id, "Release", Checker1);
        Assert.That((i.BusinessStatus, h.Bank.Payouts.Count), Is.EqualTo((FiatNames.AwaitingBankResult, 1)));
    }

    [Test]
    public async Task A_released_interception_still_goes_through_manual_review_when_a_review_rule_hit()
    {
        var h = NewHarness(knownAccount: false);
        h.Bank.SetBalance(Hkd, 500m);
        var i = await StartAsync(h);
        i = await h.ActAsync(i.Id, "Release", Checker1);
        Assert.That(i.BusinessStatus, Is.EqualTo(FiatNames.PendingReview));
    }

    [Test]
    public async Task Direct_billing_with_a_work_order_pays_only_after_approval()
    {
        var h = NewHarness();
        h.Bank.SetChannel(new WithdrawalChannel(Hkd, "ICBC Asia 001", "FPS", "HKD", WithdrawalPolicies.RealTimeSingle, 50_000m, 1_000_000m, 100_000m, 20_000m, 100_000m, true));
        var i = await StartAsync(h);
        Assert.That((i.BusinessStatus, h.Child(i.Id)!.Variables["workOrderType"]), Is.EqualTo((FiatNames.DirectBillingPending, (object)WorkOrderNames.FiatDirectBilling)));
        Assert.That(h.Bank.Payouts, Is.Empty);
        await h.ApproveWorkOrderAsync(i.Id);
        Assert.That((h.Get(i.Id).BusinessStatus, h.Bank.Payouts.Count), Is.EqualTo((FiatNames.AwaitingBankResult, 1)));
    }

    [Test]
    public async Task Batch_packing_waits_for_the_cut_off_then_a_batch_work_order()
    {
        var h = NewHarness();
        var i = await StartAsync(h, amount: 5_000m, channel: Usd);
        Assert.That(i.BusinessStatus, Is.EqualTo(FiatNames.AwaitingBatch));
        Assert.That(await h.Host.FireDueTimersAsync(), Is.Zero);

        h.Clock.Set(new DateTimeOffset(2026, 3, 2, 16, 0, 0, TimeSpan.Zero));
        await h.Host.FireDueTimersAsync();
        i = h.Get(i.Id);
        var child = h.Child(i.Id)!;
        Assert.That((i.BusinessStatus, child.Variables["workOrderType"], child.Variables["maker"]), Is.EqualTo((FiatNames.BatchPending, (object)WorkOrderNames.FiatBatch, (object)"system:packing")));
        Assert.That((string)i.Variables["batchId"]!, Does.StartWith("BATCH-" + Usd));
        Assert.That(h.Bank.Payouts, Is.Empty);

        await h.ApproveWorkOrderAsync(i.Id);
        Assert.That((h.Get(i.Id).BusinessStatus, h.Bank.Payouts.Single().Currency), Is.EqualTo((FiatNames.AwaitingBankResult, "USD")));
    }

    [Test]
    public async Task A_rejected_batch_work_order_rejects_the_withdrawal()
    {
        var h = NewHarness();
        var i = await StartAsync(h, channel: Usd);
        h.Clock.Set(new DateTimeOffset(2026, 3, 2, 16, 0, 0, TimeSpan.Zero));
        await h.Host.FireDueTimersAsync();
        await h.ActAsync(i.Id, WorkOrderNames.Reject, Checker1, comment: "Beneficiary bank closed");
        Assert.That((h.Get(i.Id).BusinessStatus, h.Get(i.Id).Variables["reason"]), Is.EqualTo((FiatNames.Rejected, (object)"Work order rejected: Beneficiary bank closed")));
    }

    [Test]
    public async Task A_lost_payout_response_is_retried_with_the_same_key_and_pays_once()
    {
        var h = NewHarness();
        h.Bank.LoseResponses(2);
        var i = await StartAsync(h);
        Assert.That((h.Get(i.Id).BusinessStatus, h.Bank.Payouts.Count, h.Host.Incidents.Count), Is.EqualTo((FiatNames.AwaitingBankResult, 1, 0)));
    }

    [Test]
    public async Task A_bank_failure_opens_the_exception_task_where_resubmit_pays_again()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        await BankResultAsync(h, success: false, reason: "Beneficiary account closed");
        i = h.Get(i.Id);
        Assert.That((i.BusinessStatus, i.Variables["failureReason"]), Is.EqualTo((FiatNames.WithdrawalException, (object)"Beneficiary account closed")));

        i = await h.ActAsync(i.Id, "Resubmit", Checker1);
        Assert.That((i.BusinessStatus, h.Bank.Payouts.Count), Is.EqualTo((FiatNames.AwaitingBankResult, 2)));
        await BankResultAsync(h, success: false, reason: "Still closed");
        i = await h.ActAsync(i.Id, "SetAsFailed", Checker1, comment: "Client to give a new account");
        Assert.That((i.Status, i.BusinessStatus, (string)i.Variables["reason"]!), Is.EqualTo((InstanceStatus.Completed, FiatNames.Failed, "Still closed Client to give a new account")));
    }

    [Test]
    public async Task A_payout_refused_by_the_bank_is_an_exception_that_can_be_set_successful()
    {
        var h = NewHarness();
        h.Bank.RejectNext("Channel closed for maintenance");
        var i = await StartAsync(h);
        Assert.That((i.BusinessStatus, i.Variables["failureReason"]), Is.EqualTo((FiatNames.WithdrawalException, (object)"Channel closed for maintenance")));
        i = await h.ActAsync(i.Id, "SetAsSuccessful", Checker1, comment: "Paid manually by cheque 000123");
        Assert.That(i.BusinessStatus, Is.EqualTo(FiatNames.Reconciling));
    }

    [Test]
    public async Task A_statement_mismatch_opens_the_reconciliation_exception()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        await BankResultAsync(h, success: true);
        await StatementAsync(h, -990m);
        i = h.Get(i.Id);
        Assert.That((i.BusinessStatus, i.Variables["reconciliationResult"]), Is.EqualTo((FiatNames.ReconciliationException, (object)"Mismatch")));
        Assert.That(List(i, "discrepancies"), Is.EqualTo(new object[] { "Amount mismatch: statement 990, withdrawal 1000." }));
        await Assert.ThrowsAsync<WorkflowValidationException>(() => h.ActAsync(i.Id, "ManualMatch", Checker1));
        i = await h.ActAsync(i.Id, "ManualMatch", Checker1, comment: "Bank charged 10 HKD fee on the line");
        Assert.That(i.BusinessStatus, Is.EqualTo(FiatNames.Completed));
    }

    [Test]
    public void Status_matrix_has_review_interception_and_exception_rows()
    {
        var rows = StatusMatrix.Build(FlowHarness.Load(FiatNames.DefinitionId)).Select(r => (r.FromStatus, r.Action, r.ToStatus)).Distinct().ToList();
        Assert.That(rows, Is.EquivalentTo(new[]
        {
            (FiatNames.Intercepted, "Release", FiatNames.PendingReview),
            (FiatNames.Intercepted, "Release", FiatNames.Completed),
            (FiatNames.Intercepted, "Release", FiatNames.WithdrawalException),
            (FiatNames.Intercepted, "Release", FiatNames.ReconciliationException),
            (FiatNames.Intercepted, "Release", FiatNames.Rejected),
            (FiatNames.Intercepted, "Reject", FiatNames.Rejected),
            (FiatNames.PendingReview, "Submit", FiatNames.Completed),
            (FiatNames.PendingReview, "Submit", FiatNames.WithdrawalException),
            (FiatNames.PendingReview, "Submit", FiatNames.ReconciliationException),
            (FiatNames.PendingReview, "Submit", FiatNames.Rejected),
            (FiatNames.PendingReview, "Reject", FiatNames.Rejected),
            (FiatNames.WithdrawalException, "SetAsSuccessful", FiatNames.Completed),
            (FiatNames.WithdrawalException, "SetAsSuccessful", FiatNames.ReconciliationException),
            (FiatNames.WithdrawalException, "SetAsFailed", FiatNames.Failed),
            (FiatNames.WithdrawalException, "Resubmit", FiatNames.WithdrawalException),
            (FiatNames.WithdrawalException, "Resubmit", FiatNames.Completed),
            (FiatNames.WithdrawalException, "Resubmit", FiatNames.ReconciliationException),
            (FiatNames.ReconciliationException, "ManualMatch", FiatNames.Completed),
            (FiatNames.ReconciliationException, "SetAsFailed", FiatNames.Failed),
        }));
    }
}
