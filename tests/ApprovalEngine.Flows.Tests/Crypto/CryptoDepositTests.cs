using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Flows.Tests.WorkOrders;
using ApprovalEngine.Flows.WorkOrders;
using ApprovalEngine.Workflows.Matrix;
using ApprovalEngine.Workflows.Runtime;
using static ApprovalEngine.Flows.Tests.WorkOrders.OpsActors;
using TaskStatus = ApprovalEngine.Workflows.Runtime.TaskStatus;

namespace ApprovalEngine.Flows.Tests.Crypto;

public class CryptoDepositTests
{
    private const string Account = "SA-300400";
    private const string DepositTx = "0xdeposit01";
    private const string Verified = "0xVerifiedRefundAddress";

    private static FlowHarness NewHarness()
    {
        var h = new FlowHarness();
        h.Chain.AddVerifiedAddress(Account, "ETH", "ERC20", Verified);
        return h;
    }

    private static Task<InstanceState> StartAsync(FlowHarness h, Actor? starter = null) => h.Host.StartAsync(CryptoNames.DepositDefinitionId, new Dictionary<string, object?>
    {
        ["recordNo"] = "CD-0001",
        ["securitiesAccount"] = Account,
        ["coin"] = "ETH",
        ["network"] = "ERC20",
        ["amount"] = 1.25m,
        ["txid"] = DepositTx,
    }, correlationId: "CD-0001", actor: starter);

    private static Task<int> ConfirmAsync(FlowHarness h, string txid, int confirmations) =>
        h.Host.SendEventAsync(CryptoNames.BlockConfirmations, txid, new Dictionary<string, object?> { ["confirmations"] = (decimal)confirmations });

    private static async Task<InstanceState> CreditedAsync(FlowHarness h)
    {
        var i = await StartAsync(h);
        await ConfirmAsync(h, DepositTx, 12);
        return h.Get(i.Id);
    }

    private static Dictionary<string, object?> Refund(string address, decimal? amount = null, string? reason = null)
    {
        var data = new Dictionary<string, object?> { ["refundAddress"] = address };
        if (amount is not null) data["refundAmount"] = amount;
        if (reason is not null) data["adjustReason"] = reason;
        return data;
    }

    [Test]
    public async Task Confirmations_move_the_record_to_Credited_and_close_the_cancel_window()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        Assert.That(i.BusinessStatus, Is.EqualTo(CryptoNames.WalletAddressUnderVerification));
        var cancelTask = h.OpenTask(i.Id);

        await ConfirmAsync(h, DepositTx, 5);
        Assert.That((h.Get(i.Id).BusinessStatus, h.Get(i.Id).Variables["confirmations"]), Is.EqualTo((CryptoNames.Confirming, (object)5m)));
        await ConfirmAsync(h, DepositTx, 12);
        i = h.Get(i.Id);
        Assert.That((i.BusinessStatus, i.Variables["confirmations"]), Is.EqualTo((CryptoNames.Credited, (object)12m)));
        Assert.That(h.Host.Tasks.Single(t => t.Id == cancelTask.Id).Status, Is.EqualTo(TaskStatus.Cancelled));
        Assert.That(h.OpenTask(i.Id).ActivityId, Is.EqualTo("credited"));
    }

    [Test]
    public async Task Cancel_under_verification_needs_a_remark_and_keeps_the_log()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        var ex = await Assert.ThrowsAsync<WorkflowValidationException>(() => h.ActAsync(i.Id, "Cancel", Checker2));
        Assert.That(ex!.Errors.Keys, Does.Contain("comment"));

        h.Clock.Advance(TimeSpan.FromMinutes(5));
        i = await h.ActAsync(i.Id, "Cancel", Checker2, comment: "Duplicate user request");
        Assert.That((i.Status, i.BusinessStatus, i.Variables["cancelledBy"], i.Variables["cancelRemark"], DateTimeOffset.Parse((string)i.Variables["cancelledAt"]!, System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo((InstanceStatus.Completed, CryptoNames.Cancelled, (object)"checker2", (object)"Duplicate user request", FlowHarness.T0.AddMinutes(5))));
        Assert.That(await ConfirmAsync(h, DepositTx, 12), Is.Zero, "a cancelled record no longer waits for confirmations");
    }

    [Test]
    public async Task Cancel_is_refused_once_confirmations_have_begun()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        await ConfirmAsync(h, DepositTx, 1);
        var ex = await Assert.ThrowsAsync<WorkflowConflictException>(() => h.ActAsync(i.Id, "Cancel", Checker2, comment: "Incorrect address"));
        Assert.That(ex!.Message, Is.EqualTo(CryptoNames.CancelOnlyUnderVerification));
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(CryptoNames.Confirming));
    }

    [Test]
    public async Task Refund_is_refused_unless_Credited()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        var ex = await Assert.ThrowsAsync<WorkflowConflictException>(() => h.ActAsync(i.Id, "RequestRefund", Checker2, data: Refund(Verified)));
        Assert.That(ex!.Message, Does.Contain("'RequestRefund' is not available"));
    }

    [Test]
    public async Task Refund_to_an_unverified_address_is_refused()
    {
        var h = NewHarness();
        var i = await CreditedAsync(h);
        var ex = await Assert.ThrowsAsync<WorkflowConflictException>(() => h.ActAsync(i.Id, "RequestRefund", Checker2, data: Refund("0xSomeoneElse")));
        Assert.That(ex!.Message, Is.EqualTo(CryptoNames.RefundAddressNotVerified));
        Assert.That(h.Child(i.Id), Is.Null);
    }

    [Test]
    public async Task Refund_happy_path_default_amount_work_order_broadcast_confirmations_Refunded()
    {
        var h = NewHarness();
        var i = await CreditedAsync(h);
        i = await h.ActAsync(i.Id, "RequestRefund", Checker2, data: Refund(Verified));
        Assert.That((i.BusinessStatus, i.Variables["refundAmount"], i.Variables["refundRequestedBy"]), Is.EqualTo((CryptoNames.RefundPendingApproval, (object)1.25m, (object)"checker2")));
        Assert.That(h.Child(i.Id)!.Variables["workOrderType"], Is.EqualTo(WorkOrderNames.CoinDepositRefund));

        await h.ApproveWorkOrderAsync(i.Id);
        var sent = h.Chain.Sent.Single();
        Assert.That((sent.Amount, sent.Network, sent.ToAddress), Is.EqualTo((1.25m, "ERC20", Verified)));
        i = h.Get(i.Id);
        Assert.That((i.BusinessStatus, i.Variables["refundTxid"]), Is.EqualTo((CryptoNames.RefundConfirming, (object)sent.TxId)));

        await ConfirmAsync(h, sent.TxId, 6);
        Assert.That(h.Get(i.Id).Variables["refundConfirmations"], Is.EqualTo(6m));
        await ConfirmAsync(h, sent.TxId, 12);
        Assert.That((h.Get(i.Id).Status, h.Get(i.Id).BusinessStatus), Is.EqualTo((InstanceStatus.Completed, CryptoNames.Refunded)));
    }

    [Test]
    public async Task An_adjusted_refund_amount_needs_a_reason()
    {
        var h = NewHarness();
        var i = await CreditedAsync(h);
        i = await h.ActAsync(i.Id, "RequestRefund", Checker2, data: Refund(Verified, amount: 1.2m));
        Assert.That((i.BusinessStatus, i.Variables["refundError"]), Is.EqualTo((CryptoNames.Credited, (object)"An adjusted refund amount needs a reason for the adjustment.")));
        Assert.That(h.Child(i.Id), Is.Null);

        i = await h.ActAsync(i.Id, "RequestRefund", Checker2, data: Refund(Verified, amount: 1.2m, reason: "Network fee borne by client"));
        Assert.That((i.BusinessStatus, i.Variables["refundAmount"]), Is.EqualTo((CryptoNames.RefundPendingApproval, (object)1.2m)));
    }

    [Test]
    public async Task The_refund_maker_cannot_approve_their_own_refund()
    {
        var h = NewHarness();
        var i = await CreditedAsync(h);
        await h.ActAsync(i.Id, "RequestRefund", Checker1, data: Refund(Verified));
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1));
        Assert.That(ex!.Message, Does.Contain("differentFrom @starter"));
        await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker2);
        Assert.That(h.Chain.Sent, Has.Count.EqualTo(1));
    }

    [Test]
    public async Task A_rejected_refund_returns_the_record_to_Credited_with_the_reason()
    {
        var h = NewHarness();
        var i = await CreditedAsync(h);
        await h.ActAsync(i.Id, "RequestRefund", Checker2, data: Refund(Verified));
        await h.ActAsync(i.Id, WorkOrderNames.Reject, Checker1, comment: "Identity not confirmed");
        i = h.Get(i.Id);
        Assert.That((i.BusinessStatus, i.Variables["refundError"], i.Variables["refundAddress"]), Is.EqualTo((CryptoNames.Credited, (object)"Refund work order rejected: Identity not confirmed", (object?)null)));
        Assert.That(h.Chain.Sent, Is.Empty);
    }

    [Test]
    public async Task A_lost_refund_broadcast_response_never_sends_twice()
    {
        var h = NewHarness();
        var i = await CreditedAsync(h);
        h.Chain.LoseResponses(1);
        await h.ActAsync(i.Id, "RequestRefund", Checker2, data: Refund(Verified));
        await h.ApproveWorkOrderAsync(i.Id);
        Assert.That((h.Chain.Sent.Count, h.Get(i.Id).BusinessStatus), Is.EqualTo((1, CryptoNames.RefundConfirming)));
    }

    [TestCase("Cancel", CryptoNames.CancelDepositPermission)]
    [TestCase("RequestRefund", CryptoNames.RefundDepositPermission)]
    [TestCase("Delete", CryptoNames.DeleteDepositPermission)]
    public async Task An_operator_without_the_actions_own_permission_cannot_cancel_refund_or_delete(string action, string permission)
    {
        var h = NewHarness();
        var i = action == "RequestRefund" ? await CreditedAsync(h) : await StartAsync(h);
        // The work-order approval right alone no longer cancels or refunds: each action has its own permission.
        var approver = OpsActors.Checker("checker3");
        foreach (var actor in new[] { Maker1, approver })
        {
            var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, action, actor, comment: "no right", data: action == "RequestRefund" ? Refund(Verified) : null));
            Assert.That(ex!.Message, Does.Contain(permission));
        }
        Assert.That(h.Child(i.Id), Is.Null, "no refund work order was opened");
        Assert.That(h.Get(i.Id).Status, Is.EqualTo(InstanceStatus.Running), "the record is neither cancelled nor deleted");
    }

    [Test]
    public async Task Delete_ends_an_abnormal_application_as_Deleted_with_who_when_and_why_even_while_confirming()
    {
        var h = NewHarness();
        var i = await StartAsync(h);
        await ConfirmAsync(h, DepositTx, 3);
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(CryptoNames.Confirming));
        var ex = await Assert.ThrowsAsync<WorkflowValidationException>(() => h.ActAsync(i.Id, "Delete", Checker1));
        Assert.That(ex!.Errors.Keys, Does.Contain("comment"));
        h.Clock.Advance(TimeSpan.FromMinutes(5));
        i = await h.ActAsync(i.Id, "Delete", Checker1, comment: "Duplicate application from a replayed client request");
        Assert.That((i.Status, i.BusinessStatus, i.Variables["deletedBy"], i.Variables["deleteReason"], DateTimeOffset.Parse((string)i.Variables["deletedAt"]!, System.Globalization.CultureInfo.InvariantCulture)),
            Is.EqualTo((InstanceStatus.Completed, CryptoNames.Deleted, (object)"checker1", (object)"Duplicate application from a replayed client request", FlowHarness.T0.AddMinutes(5))));
        Assert.That(await ConfirmAsync(h, DepositTx, 12), Is.Zero, "a deleted record no longer waits for confirmations");
    }

    [Test]
    public async Task A_Credited_deposit_offers_no_close_and_stays_refundable_after_a_rejected_refund()
    {
        var h = NewHarness();
        var i = await CreditedAsync(h);
        var ex = await Assert.ThrowsAsync<WorkflowConflictException>(() => h.ActAsync(i.Id, "Close", Checker1));
        Assert.That(ex!.Message, Does.Contain("'Close' is not available"));
        await h.ActAsync(i.Id, "RequestRefund", Checker2, data: Refund(Verified));
        await h.ActAsync(i.Id, WorkOrderNames.Reject, Checker1, comment: "Identity not confirmed");
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(CryptoNames.Credited));
        i = await h.ActAsync(i.Id, "RequestRefund", Checker2, data: Refund(Verified));
        Assert.That(i.BusinessStatus, Is.EqualTo(CryptoNames.RefundPendingApproval), "still refundable");
    }

    [Test]
    public async Task Whoever_started_the_deposit_record_cannot_request_its_refund()
    {
        var h = NewHarness();
        var i = await StartAsync(h, starter: Checker2);
        await ConfirmAsync(h, DepositTx, 12);
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, "RequestRefund", Checker2, data: Refund(Verified)));
        Assert.That(ex!.Message, Does.Contain("differentFrom @starter"));
        Assert.That(h.Child(i.Id), Is.Null, "no refund work order was opened");
        await h.ActAsync(i.Id, "RequestRefund", Checker1, data: Refund(Verified));
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(CryptoNames.RefundPendingApproval));
    }

    [Test]
    public void Status_matrix_has_cancel_delete_and_refund_rows_and_no_close()
    {
        var rows = StatusMatrix.Build(FlowHarness.Load(CryptoNames.DepositDefinitionId)).Select(r => (r.FromStatus, r.Action, r.ToStatus)).Distinct().ToList();
        Assert.That(rows, Is.EquivalentTo(new[]
        {
            (CryptoNames.WalletAddressUnderVerification, "Cancel", CryptoNames.Cancelled),
            (CryptoNames.WalletAddressUnderVerification, "Delete", CryptoNames.Deleted),
            (CryptoNames.Credited, "RequestRefund", CryptoNames.Refunded),
            (CryptoNames.Credited, "RequestRefund", CryptoNames.Credited),
        }));
    }
}
