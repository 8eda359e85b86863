using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Server.Features.Crypto.Records;

/// <summary>Confirmation progress of one transaction: confirmations seen of those the coin requires.</summary>
public sealed record ConfirmationProgress(string? Txid, int Seen, int Required, bool Complete);

/// <summary>
/// One withdrawal or deposit record. Amounts are decimals (JSON numbers) and, in <c>amountText</c> etc., decimal text
/// with the coin's precision (<c>decimals</c>; null when the record was refused before its coin was known).
/// </summary>
public sealed record CryptoRecordView(
    Guid Id, string RecordNo, string Customer, string Coin, string Network, decimal Amount, string AmountText, int? Decimals,
    decimal? Fee, decimal? NetAmount, string? Address, string? Txid, string Status, ConfirmationProgress Confirmations,
    string? RefundAddress, decimal? RefundAmount, ConfirmationProgress? Refund, string? Reason,
    int DefinitionVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? CompletedAt);

/// <summary>One entry of a record's history: its own journal or a work order's (<c>flow</c> says which).</summary>
public sealed record CryptoHistoryEntry(string Flow, Guid InstanceId, JournalEntryView Entry);

/// <summary>A record with its history (who did what, when, with which comment) and the tasks open on it now.</summary>
public sealed record CryptoRecordDetail(CryptoRecordView Record, IReadOnlyDictionary<string, string> Reasons, IReadOnlyList<TaskView> OpenTasks, IReadOnlyList<CryptoHistoryEntry> History);

public static class CryptoRecordViews
{
    /// <summary>Variables that say why a record stopped, was refused or was changed by a person, as the flows name them.</summary>
    public static readonly IReadOnlyList<string> ReasonVariables =
        ["reason", "reasons", "failureReason", "cancelRemark", "cancelledBy", "deleteReason", "deletedBy", "refundError", "adjustReason", "refundRequestedBy"];

    public static string StatusOf(InstanceRecord row) =>
        row.Status is nameof(InstanceStatus.Cancelled) or nameof(InstanceStatus.Cancelling) ? CryptoRecordKind.Cancelled : row.BusinessStatus ?? row.Status;

    public static CryptoRecordView ToView(InstanceRecord row, CryptoRecordKind kind) => ToView(row, kind, InstanceStateJson.Deserialize(row.StateJson));

    public static CryptoRecordView ToView(InstanceRecord row, CryptoRecordKind kind, InstanceState state)
    {
        var v = state.Variables;
        // Coin facts are loaded by the flow's first job: before that (or when the coin is not configured) the precision is unknown.
        var configured = v.TryGetValue("coinConfigured", out var c) && c is true;
        int? decimals = configured && CryptoAmounts.Number(v, "coinDecimals") is { } d ? (int)d : null;
        var required = (int)(CryptoAmounts.Number(v, "requiredConfirmations") ?? 1);
        var amount = CryptoAmounts.Number(v, "amount") ?? 0m;
        var status = StatusOf(row);
        var txid = CryptoAmounts.Text(v, "txid");
        var seen = (int)(CryptoAmounts.Number(v, "confirmations") ?? 0);
        var deposit = kind.IsDeposit;
        ConfirmationProgress? refund = null;
        if (deposit && CryptoAmounts.Text(v, "refundTxid") is { } refundTxid)
        {
            var refundSeen = (int)(CryptoAmounts.Number(v, "refundConfirmations") ?? 0);
            refund = new ConfirmationProgress(refundTxid, refundSeen, required, refundSeen >= required);
        }
        return new CryptoRecordView(
            row.Id, CryptoAmounts.Text(v, "recordNo") ?? row.CorrelationId ?? row.Id.ToString("N"), CryptoAmounts.Text(v, "securitiesAccount") ?? "",
            CryptoAmounts.Text(v, "coin") ?? "", CryptoAmounts.Text(v, "network") ?? "", amount, CryptoAmounts.Format(amount, decimals), decimals,
            deposit ? null : CryptoAmounts.Number(v, "fee"), deposit ? null : CryptoAmounts.Number(v, "netAmount"),
            CryptoAmounts.Text(v, deposit ? "depositAddress" : "address"), txid, status,
            // A deposit's transaction is known from the start; a withdrawal's only once broadcast.
            new ConfirmationProgress(txid, seen, required, seen >= required && txid is not null),
            deposit ? CryptoAmounts.Text(v, "refundAddress") : null, deposit ? CryptoAmounts.Number(v, "refundAmount") : null, refund,
            ReasonOf(v, deposit), row.DefinitionVersion, row.CreatedAt, row.UpdatedAt, row.CompletedAt);
    }

    /// <summary>The one line a list shows: why the record was refused, failed, cancelled, deleted or its refund refused.</summary>
    private static string? ReasonOf(IReadOnlyDictionary<string, object?> v, bool deposit)
    {
        if (deposit)
        {
            return CryptoAmounts.Text(v, "deleteReason") ?? CryptoAmounts.Text(v, "cancelRemark") ?? CryptoAmounts.Text(v, "refundError") ?? CryptoAmounts.Text(v, "failureReason");
        }
        if (CryptoAmounts.Text(v, "reason") is { Length: > 0 } reason) return reason.Trim();
        if (v.TryGetValue("reasons", out var list) && list is IEnumerable<object?> items && items.Select(i => i?.ToString()).Where(s => !string.IsNullOrEmpty(s)).ToList() is { Count: > 0 } reasons)
        {
            return string.Join("; ", reasons);
        }
        return CryptoAmounts.Text(v, "failureReason");
    }

    public static IReadOnlyDictionary<string, string> Reasons(InstanceState state)
    {
        var result = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in ReasonVariables)
        {
            if (!state.Variables.TryGetValue(name, out var value) || value is null) continue;
            var text = value is string s ? s : value is IEnumerable<object?> list ? string.Join("; ", list.Select(i => i?.ToString())) : value.ToString();
            if (!string.IsNullOrWhiteSpace(text)) result[name] = text.Trim();
        }
        return result;
    }
}
