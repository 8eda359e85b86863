namespace ApprovalEngine.Server.Features.Crypto.Records;

/// <summary>
/// The two record lists of the WBO manuals (000: coin withdrawals, 001: deposits). A record is a top-level instance of
/// its shipped flow; everything the lists show is read from the instance and its journal, so there is no table to keep
/// in step and records stored by earlier versions are listed like new ones.
/// </summary>
public sealed record CryptoRecordKind(string Route, string DefinitionId, string FileName, IReadOnlyList<string> Statuses)
{
    /// <summary>The status of an instance ended by the generic cancel (withdrawals only; deposits refuse it, ADR 16).</summary>
    public const string Cancelled = "Cancelled";

    /// <summary>Manual 000's statuses of a coin withdrawal, in business order.</summary>
    public static readonly CryptoRecordKind Withdrawals = new("withdrawals", "crypto-coin-withdrawal", "crypto-withdrawals.csv",
    [
        "Under Review", "Pending Approval", "Broadcasting", "Awaiting Confirmations", "Confirming", "Broadcast Failed",
        "Completed", "Rejected", "Failed", Cancelled,
    ]);

    /// <summary>Manual 001's statuses of a deposit, in business order.</summary>
    public static readonly CryptoRecordKind Deposits = new("deposits", "crypto-deposit", "crypto-deposits.csv",
    [
        "Wallet Address Under Verification", "Confirming", "Credited", "Refund Pending Approval", "Refunding", "Refund Confirming",
        "Refunded", Cancelled, "Deleted", "Failed",
    ]);

    public bool IsDeposit => ReferenceEquals(this, Deposits);
}
