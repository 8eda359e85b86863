using System.Globalization;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>A statement entry as the matcher sees it (<see cref="Amount"/> is absolute; the direction says debit or credit).</summary>
public sealed record MatchEntry(Guid Id, string ChannelId, string EntryId, string Direction, decimal Amount, string Currency, DateOnly BookingDate,
    string? Reference, string MatchStatus = MatchStatuses.Unmatch, bool Deleted = false);

/// <summary>A withdrawal record as the matcher sees it; <see cref="PaidOn"/> is the business day it was paid.</summary>
public sealed record MatchRecord(Guid Id, string RecordNo, string? ChannelId, decimal Amount, string Currency, string? BankReference, DateOnly PaidOn,
    string Status = FiatBankNames.Unmatch);

/// <summary>An entry proposed as the debit of a record: <see cref="MatchStatuses.Matched"/>, or <see cref="MatchStatuses.Discrepancy"/> with reasons.</summary>
public sealed record MatchProposal(Guid EntryId, Guid RecordId, string RecordNo, string Result, IReadOnlyList<string> Reasons);

/// <summary>The proposals, and for every other open debit why it was left for manual tagging.</summary>
public sealed record MatchOutcome(IReadOnlyList<MatchProposal> Proposals, IReadOnlyDictionary<Guid, string> Left);

/// <summary>
/// Automatic reconciliation of withdrawal bills with records, as a pure function. A debit entry goes with a record in
/// status Unmatch when: same channel (paying account); the entry's reference (end-to-end id) or the bank's entry id is
/// the record number or the record's bank reference; and it was booked within <c>windowDays</c> days of the payment,
/// either side. Then equal amount and currency make it Matched; a difference makes it a Discrepancy with the reasons,
/// because the reference proves it is this record's money and someone must look at why it differs. Anything
/// ambiguous (two records, a record two entries claim, no reference) is left to manual tagging, never guessed.
/// </summary>
public static class FiatMatcher
{
    public static MatchOutcome Match(IEnumerable<MatchEntry> entries, IEnumerable<MatchRecord> records, int windowDays)
    {
        ArgumentNullException.ThrowIfNull(entries);
        ArgumentNullException.ThrowIfNull(records);
        ArgumentOutOfRangeException.ThrowIfNegative(windowDays);
        var open = records.Where(r => r.Status == FiatBankNames.Unmatch).ToList();
        var proposals = new List<MatchProposal>();
        var left = new Dictionary<Guid, string>();
        var taken = new Dictionary<Guid, string>();
        // Oldest booking first, so of two debits claiming one record the earlier one is proposed, the same on every run.
        foreach (var e in entries.OrderBy(e => e.BookingDate).ThenBy(e => e.EntryId, StringComparer.Ordinal).ThenBy(e => e.Id))
        {
            if (e.Deleted || e.MatchStatus != MatchStatuses.Unmatch) continue;
            if (e.Direction != EntryDirections.Debit)
            {
                left[e.Id] = "A credit is not a withdrawal (reclassify it as a debit if the bank's sign misled the import).";
                continue;
            }
            var refs = new[] { e.Reference, e.EntryId }.Where(r => !string.IsNullOrWhiteSpace(r)).ToHashSet(StringComparer.Ordinal);
            var byReference = open.Where(r => r.ChannelId == e.ChannelId && (refs.Contains(r.RecordNo) || (r.BankReference is { } b && refs.Contains(b)))).ToList();
            if (byReference.Count == 0)
            {
                left[e.Id] = "No record in Unmatch on this channel has the entry's reference.";
                continue;
            }
            var inWindow = byReference.Where(r => Math.Abs(e.BookingDate.DayNumber - r.PaidOn.DayNumber) <= windowDays).ToList();
            if (inWindow.Count == 0)
            {
                left[e.Id] = $"Booked {e.BookingDate:yyyy-MM-dd}, more than {windowDays} days from the payment ({string.Join(", ", byReference.Select(r => $"{r.RecordNo} paid {r.PaidOn:yyyy-MM-dd}"))}).";
                continue;
            }
            if (inWindow.Count > 1)
            {
                left[e.Id] = $"The reference fits {inWindow.Count} records ({string.Join(", ", inWindow.Select(r => r.RecordNo))}): tag it by hand.";
                continue;
            }
            var record = inWindow[0];
            if (taken.TryGetValue(record.Id, out var other))
            {
                left[e.Id] = $"Record {record.RecordNo} already goes with entry {other}.";
                continue;
            }
            var reasons = new List<string>();
            if (!string.Equals(e.Currency, record.Currency, StringComparison.Ordinal)) reasons.Add($"Currency {e.Currency} on the statement, {record.Currency} on the record.");
            if (e.Amount != record.Amount) reasons.Add($"Amount {Text(e.Amount)} on the statement, {Text(record.Amount)} on the record.");
            taken[record.Id] = e.EntryId;
            proposals.Add(new MatchProposal(e.Id, record.Id, record.RecordNo, reasons.Count == 0 ? MatchStatuses.Matched : MatchStatuses.Discrepancy, reasons));
        }
        return new MatchOutcome(proposals, left);
    }

    private static string Text(decimal amount) => (amount / 1.0000000000000000000000000000m).ToString(CultureInfo.InvariantCulture);
}
