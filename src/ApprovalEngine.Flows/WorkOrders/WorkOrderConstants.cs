namespace ApprovalEngine.Flows.WorkOrders;

/// <summary>The reusable maker–checker work-order approval (workflows/work-order-approval.json).</summary>
public static class WorkOrderNames
{
    public const string DefinitionId = "work-order-approval";

    /// <summary>Department whose inbox gets work orders; makers and checkers belong to it.</summary>
    public const string Department = "Operations";

    /// <summary>Task permission of checkers.</summary>
    public const string ApprovePermission = "workorders:approve";

    /// <summary>End outcomes reported to the calling flow.</summary>
    public const string Approved = "Approved";
    public const string Rejected = "Rejected";

    /// <summary>Task actions.</summary>
    public const string Approve = "Approve";
    public const string Reject = "Reject";

    /// <summary>Business statuses of the work order itself.</summary>
    public const string PendingApproval = "Pending Approval";
    public const string PendingSecondApproval = "Pending Second Approval";

    /// <summary>Guard messages (the definition must use exactly these).</summary>

    /// <summary>Work-order types of the flows in this repository.</summary>
    public const string CoinWithdrawApply = "atm.va.coin_withdraw_apply";
    public const string CoinDepositRefund = "atm.va.coin_deposit_refund";
    public const string FiatDirectBilling = "whale.withdraw.direct_billing";
    public const string FiatBatch = "whale.withdraw.batch";
}
