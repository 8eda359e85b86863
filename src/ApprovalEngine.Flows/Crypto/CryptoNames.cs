namespace ApprovalEngine.Flows.Crypto;

/// <summary>Definition ids, statuses and events of the crypto flows (workflows/crypto-*.json).</summary>
public static class CryptoNames
{
    public const string WithdrawalDefinitionId = "crypto-coin-withdrawal";
    public const string DepositDefinitionId = "crypto-deposit";

    /// <summary>Event carrying the block confirmations of a transaction; correlation = the TXID.</summary>
    public const string BlockConfirmations = "BlockConfirmations";

    public const string Department = "Operations";

    // Withdrawal statuses.
    public const string UnderReview = "Under Review";
    public const string PendingApproval = "Pending Approval";
    public const string Broadcasting = "Broadcasting";
    public const string AwaitingConfirmations = "Awaiting Confirmations";
    public const string Confirming = "Confirming";
    public const string Completed = "Completed";
    public const string Rejected = "Rejected";
    public const string BroadcastFailed = "Broadcast Failed";
    public const string Failed = "Failed";

    // Deposit statuses.
    public const string WalletAddressUnderVerification = "Wallet Address Under Verification";
    public const string Credited = "Credited";
    public const string Cancelled = "Cancelled";
    public const string RefundPendingApproval = "Refund Pending Approval";
    public const string Refunding = "Refunding";
    public const string RefundConfirming = "Refund Confirming";
    public const string Refunded = "Refunded";
    public const string Deleted = "Deleted";

    // Task permissions of the deposit record (the manual's "Cancel" and "Refund", and deleting an abnormal application).
    public const string CancelDepositPermission = "crypto-deposit:cancel";
    public const string RefundDepositPermission = "crypto-deposit:refund";
    public const string DeleteDepositPermission = "crypto-deposit:delete";

    // Guard messages (the definitions must use exactly these).
    public const string CancelOnlyUnderVerification = "Only records in status \"Wallet Address Under Verification\" can be cancelled.";
    public const string RefundAddressNotVerified = "The refund address must be one of the customer's verified wallet addresses for the coin on the deposit network.";
}
