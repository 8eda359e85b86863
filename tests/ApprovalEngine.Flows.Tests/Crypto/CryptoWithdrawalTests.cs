using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Flows.Tests.WorkOrders;
using ApprovalEngine.Flows.WorkOrders;
using ApprovalEngine.Workflows.Matrix;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Validation;
using static ApprovalEngine.Flows.Tests.WorkOrders.OpsActors;

namespace ApprovalEngine.Flows.Tests.Crypto;

public class CryptoWithdrawalTests
{
    public const string Account = "SA-100200";
    public const string Whitelisted = "bc1qverified0000000000000000000000000000";

    private static FlowHarness NewHarness()
    {
        var h = new FlowHarness();
        h.Chain.AddVerifiedAddress(Account, "BTC", "BTC", Whitelisted);
        return h;
    }

    private static Task<InstanceState> StartAsync(FlowHarness h, decimal amount = 0.5m, string address = Whitelisted, decimal? threshold = null, string recordNo = "CW-0001", Actor? starter = null)
    {
        var input = new Dictionary<string, object?>
        {
            ["recordNo"] = recordNo,
            ["securitiesAccount"] = Account,
            ["coin"] = "BTC",
            ["network"] = "BTC",
            ["amount"] = amount,
            ["address"] = address,
        };
        if (threshold is not null) input["secondApprovalThreshold"] = threshold;
        // The threshold is a domain input: set as a domain route or configuration would, never by the caller.
        return h.Host.StartAsync(CryptoNames.WithdrawalDefinitionId, input, correlationId: recordNo, actor: starter,
            domainInputs: threshold is null ? null : new HashSet<string> { "secondApprovalThreshold" });
    }

    private static Task<int> ConfirmAsync(FlowHarness h, string txid, int confirmations, bool failed = false) =>
        h.Host.SendEventAsync(CryptoNames.BlockConfirmations, txid, new Dictionary<string, object?> { ["confirmations"] = (decimal)confirmations, ["failed"] = failed, ["reason"] = failed ? "dropped from mempool" : null });

    [TestCase(CryptoNames.WithdrawalDefinitionId)]
    [TestCase(CryptoNames.DepositDefinitionId)]
    public void Definition_passes_the_validator_with_the_full_registry(string id)
    {
        var h = new FlowHarness();
        var errors = new WorkflowValidator(h.Registry).Validate(FlowHarness.Load(id), d => h.Host.Definition(d) is not null);
        Assert.That(errors, Is.Empty, string.Join(Environment.NewLine, errors.Select(e => $"{e.Path}: {e.Message}")));
    }

    [Test]
    public async Task Happy_path_checks_approves_broadcasts_and_completes_after_the_required_confirmations()
    {
        var h = NewHarness();
        var i = await StartAsync(h, amount: 0.5m);
        Assert.That(i.BusinessStatus, Is.EqualTo(CryptoNames.PendingApproval));
        Assert.That((i.Variables["fee"], i.Variables["netAmount"]), Is.EqualTo(((object)0.0002m, (object)0.4998m)));
        var child = h.Child(i.Id)!;
        Assert.That((child.Variables["workOrderType"], child.Variables["maker"], child.Variables["reference"]),
            Is.EqualTo(((object)WorkOrderNames.CoinWithdrawApply, (object)"client:" + Account, (object)"CW-0001")));

        await h.ApproveWorkOrderAsync(i.Id);
        i = h.Get(i.Id);
        var sent = h.Chain.Sent.Single();
        Assert.That((i.BusinessStatus, i.Variables["txid"], sent.Amount, sent.ToAddress),
            Is.EqualTo((CryptoNames.AwaitingConfirmations, (object)sent.TxId, 0.4998m, Whitelisted)));

        await ConfirmAsync(h, sent.TxId, 1);
        Assert.That((h.Get(i.Id).BusinessStatus, h.Get(i.Id).Variables["confirmations"]), Is.EqualTo((CryptoNames.Confirming, (object)1m)));
        await ConfirmAsync(h, sent.TxId, 2);
        Assert.That(h.Get(i.Id).Status, Is.EqualTo(InstanceStatus.Running));
        await ConfirmAsync(h, sent.TxId, 3);
        i = h.Get(i.Id);
        Assert.That((i.Status, i.BusinessStatus, i.Variables["confirmations"]), Is.EqualTo((InstanceStatus.Completed, CryptoNames.Completed, (object)3m)));
    }

    [Test]
    public async Task A_lower_or_repeated_confirmation_report_does_not_go_back()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        await h.ApproveWorkOrderAsync(i.Id);
        var txid = (string)h.Get(i.Id).Variables["txid"]!;
        await ConfirmAsync(h, txid, 2);
        await ConfirmAsync(h, txid, 1);
        Assert.That(h.Get(i.Id).Variables["confirmations"], Is.EqualTo(2m));
        Assert.That(await h.Host.SendEventAsync(CryptoNames.BlockConfirmations, "0xother", null), Is.Zero, "events are correlated by TXID");
        await ConfirmAsync(h, txid, 3);
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(CryptoNames.Completed));
    }

    public static IEnumerable<TestCaseData> Refusals()
    {
        yield return new TestCaseData(0.5m, "bc1qsomeoneelse", "The destination address is not a verified wallet address of the customer.").SetArgDisplayNames("address not whitelisted");
        yield return new TestCaseData(11m, Whitelisted, "The amount is above the maximum withdrawal of 10 BTC.").SetArgDisplayNames("above max");
        yield return new TestCaseData(0.0005m, Whitelisted, "The amount is below the minimum withdrawal of 0.001 BTC.").SetArgDisplayNames("below min");
        yield return new TestCaseData(0.123456789m, Whitelisted, "BTC amounts have at most 8 decimals.").SetArgDisplayNames("9 decimals");
    }

    [TestCaseSource(nameof(Refusals))]
    public async Task Automatic_checks_reject_with_the_reason_and_send_nothing(decimal amount, string address, string reason)
    {
        var h = NewHarness();
        var i = await StartAsync(h, amount: amount, address: address);
        Assert.That((i.Status, i.BusinessStatus), Is.EqualTo((InstanceStatus.Completed, CryptoNames.Rejected)));
        Assert.That((IEnumerable<object?>)i.Variables["reasons"]!, Does.Contain(reason));
        Assert.That(h.Child(i.Id), Is.Null, "no work order for a refused request");
        Assert.That(h.Chain.Sent, Is.Empty);
    }

    [Test]
    public async Task A_disabled_coin_is_rejected()
    {
        var h = NewHarness();
        h.Chain.SetCoin(new Adapters.Blockchain.CoinConfig("BTC", "BTC", 8, false, true, 0.001m, 10m, 0.0002m, 3));
        var i = await StartAsync(h);
        Assert.That((string)i.Variables["reason"]!, Does.Contain("Withdrawals of BTC are disabled."));
    }

    [Test]
    public async Task A_rejected_work_order_rejects_the_withdrawal_with_the_checkers_reason()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        await h.ActAsync(i.Id, WorkOrderNames.Reject, Checker1, comment: "Customer called: not theirs");
        i = h.Get(i.Id);
        Assert.That((i.BusinessStatus, i.Variables["reason"]), Is.EqualTo((CryptoNames.Rejected, (object)"Work order rejected: Customer called: not theirs")));
        Assert.That(h.Chain.Sent, Is.Empty);
    }

    [Test]
    public async Task An_operator_who_submitted_the_withdrawal_cannot_approve_its_work_order_whatever_the_input_says()
    {
        var h = NewHarness();
        var i = await StartAsync(h, starter: Checker1);
        var child = h.Child(i.Id)!;
        Assert.That((child.StartedBy, child.Variables["maker"]), Is.EqualTo(("checker1", (object)("client:" + Account))));
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1));
        Assert.That(ex!.Message, Does.Contain("differentFrom @starter"));
        Assert.That(h.Chain.Sent, Is.Empty);
        await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker2);
        Assert.That(h.Chain.Sent, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_caller_cannot_supply_the_second_approval_threshold()
    {
        var h = NewHarness();
        var input = new Dictionary<string, object?>
        {
            ["recordNo"] = "CW-0001", ["securitiesAccount"] = Account, ["coin"] = "BTC", ["network"] = "BTC", ["amount"] = 2m, ["address"] = Whitelisted,
            ["secondApprovalThreshold"] = 1_000m,
        };
        var ex = await Assert.ThrowsAsync<WorkflowValidationException>(() => h.Host.StartAsync(CryptoNames.WithdrawalDefinitionId, input, correlationId: "CW-0001", actor: Maker1));
        Assert.That(ex!.Errors.Keys.Single(), Is.EqualTo("input.secondApprovalThreshold"));
        Assert.That(h.Host.Instances, Is.Empty);
    }

    [Test]
    public async Task A_failed_transaction_cannot_be_marked_failed_without_the_operations_right()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        await h.ApproveWorkOrderAsync(i.Id);
        var txid = h.Chain.Sent.Single().TxId;
        await ConfirmAsync(h, txid, 1, failed: true);
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, "MarkFailed", Maker1, comment: "Customer informed"));
        Assert.That(ex!.Message, Does.Contain(WorkOrderNames.ApprovePermission));
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(CryptoNames.BroadcastFailed));
    }

    [Test]
    public async Task Above_the_threshold_two_different_checkers_approve_before_anything_is_sent()
    {
        var h = NewHarness();
        var i = await StartAsync(h, amount: 2m, threshold: 1m);
        await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1);
        Assert.That(h.Chain.Sent, Is.Empty);
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1));
        Assert.That(ex!.Message, Does.Contain("differentFrom firstApproval"));
        await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker2);
        Assert.That(h.Chain.Sent, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_lost_broadcast_response_is_retried_with_the_same_key_and_sends_once()
    {
        var h = NewHarness();
        h.Chain.LoseResponses(2);
        var i = await StartAsync(h);
        await h.ApproveWorkOrderAsync(i.Id);
        i = h.Get(i.Id);
        var sent = h.Chain.Sent.Single();
        Assert.That((i.BusinessStatus, i.Variables["txid"]), Is.EqualTo((CryptoNames.AwaitingConfirmations, (object)sent.TxId)));
        Assert.That(h.Host.Incidents, Is.Empty);
    }

    [Test]
    public async Task A_refused_broadcast_goes_to_an_operator_who_can_retry()
    {
        var h = NewHarness();
        h.Chain.RejectNext("Hot wallet balance too low");
        var i = await StartAsync(h);
        await h.ApproveWorkOrderAsync(i.Id);
        i = h.Get(i.Id);
        Assert.That((i.BusinessStatus, i.Variables["failureReason"]), Is.EqualTo((CryptoNames.BroadcastFailed, (object)"Hot wallet balance too low")));
        Assert.That(h.Chain.Sent, Is.Empty);

        await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, "Retry", Maker1));
        i = await h.ActAsync(i.Id, "Retry", Checker1);
        Assert.That((i.BusinessStatus, h.Chain.Sent.Count), Is.EqualTo((CryptoNames.AwaitingConfirmations, 1)));
    }

    [Test]
    public async Task A_transaction_failed_on_chain_can_be_marked_failed_with_a_comment()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        await h.ApproveWorkOrderAsync(i.Id);
        var txid = (string)h.Get(i.Id).Variables["txid"]!;
        await ConfirmAsync(h, txid, 1);
        await ConfirmAsync(h, txid, 1, failed: true);
        i = h.Get(i.Id);
        Assert.That((i.BusinessStatus, (string)i.Variables["failureReason"]!), Is.EqualTo((CryptoNames.BroadcastFailed, $"The transaction {txid} failed on chain: dropped from mempool")));
        await Assert.ThrowsAsync<WorkflowValidationException>(() => h.ActAsync(i.Id, "MarkFailed", Checker1));
        i = await h.ActAsync(i.Id, "MarkFailed", Checker1, comment: "Customer informed");
        Assert.That((i.Status, i.BusinessStatus), Is.EqualTo((InstanceStatus.Completed, CryptoNames.Failed)));
        Assert.That((string)i.Variables["reason"]!, Does.Contain("dropped from mempool").And.Contain("Customer informed"));
    }

    [Test]
    public void Status_matrix_has_the_operator_rows()
    {
        // The matrix follows the flow through jobs and events to the next task or End: a retry ends Completed once
        // confirmed, or back at Broadcast Failed when the custody side refuses again or the transaction fails on chain.
        var rows = StatusMatrix.Build(FlowHarness.Load(CryptoNames.WithdrawalDefinitionId)).Select(r => (r.FromStatus, r.Action, r.Permission, r.ToStatus, r.Condition)).ToList();
        Assert.That(rows, Is.EquivalentTo(new[]
        {
            (CryptoNames.BroadcastFailed, "Retry", (string?)WorkOrderNames.ApprovePermission, CryptoNames.Completed, (string?)"Broadcast withdrawal: Broadcast && Count confirmations: Confirmed"),
            (CryptoNames.BroadcastFailed, "Retry", WorkOrderNames.ApprovePermission, CryptoNames.BroadcastFailed, "Broadcast withdrawal: Refused"),
            (CryptoNames.BroadcastFailed, "Retry", WorkOrderNames.ApprovePermission, CryptoNames.BroadcastFailed, "Broadcast withdrawal: Broadcast && Count confirmations: Failed"),
            (CryptoNames.BroadcastFailed, "MarkFailed", (string?)WorkOrderNames.ApprovePermission, CryptoNames.Failed, null),
        }));
    }
}
