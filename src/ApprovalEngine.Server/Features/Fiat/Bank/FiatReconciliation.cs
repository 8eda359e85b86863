using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Events;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>What a reconciliation run did.</summary>
public sealed record ReconciliationSummary(int Examined, int Matched, int Discrepancies, int NotDelivered, IReadOnlyDictionary<Guid, string> Left);

/// <summary>
/// Runs <see cref="FiatMatcher"/> over the open debits and the records in Unmatch, and tells each matched record with
/// the event <see cref="FiatBankNames.FiatReconciled"/>. The entry's match status is written by
/// <see cref="FiatReconciledObserver"/> inside the record's own step, so the entry says Matched exactly when the record
/// took the result: a record that no longer waits, or an entry matched meanwhile by another run or node, changes
/// nothing on either side.
/// </summary>
public sealed class FiatReconciliation(
    IDbContextFactory<FiatDbContext> contexts,
    EventDispatcher dispatcher,
    FiatClock fiatClock,
    IConfiguration config,
    ILogger<FiatReconciliation> logger)
{
    /// <summary>Entries and records looked at per run and channel (the oldest open ones first).</summary>
    public const int BatchSize = 2_000;

    /// <summary><c>Fiat:ReconciliationWindowDays</c>: how many days from the payment a debit may be booked (default 3).</summary>
    public int WindowDays => int.TryParse(config["Fiat:ReconciliationWindowDays"], out var days) && days >= 0 ? days : 3;

    public async Task<ReconciliationSummary> ReconcileAsync(string? channelId, CancellationToken cancellationToken)
    {
        List<MatchEntry> entries;
        List<MatchRecord> records;
        await using (var db = await contexts.CreateDbContextAsync(cancellationToken))
        {
            var entryQuery = db.Set<FiatStatementEntry>().AsNoTracking()
                .Where(e => !e.Deleted && e.MatchStatus == MatchStatuses.Unmatch && e.Direction == EntryDirections.Debit);
            if (channelId is not null) entryQuery = entryQuery.Where(e => e.ChannelId == channelId);
            entries = [.. (await entryQuery.OrderBy(e => e.BookingDate).ThenBy(e => e.Id).Take(BatchSize).ToListAsync(cancellationToken))
                .Select(e => new MatchEntry(e.Id, e.ChannelId, e.EntryId, e.Direction, e.Amount, e.Currency, e.BookingDate, e.Reference, e.MatchStatus, e.Deleted))];
            var recordQuery = db.Set<FiatWithdrawalRecord>().AsNoTracking().Where(r => r.Status == FiatBankNames.Unmatch && !r.Finished);
            if (channelId is not null) recordQuery = recordQuery.Where(r => r.ChannelId == channelId);
            records = [.. (await recordQuery.OrderBy(r => r.UpdatedAt).Take(BatchSize).ToListAsync(cancellationToken))
                .Select(r => new MatchRecord(r.Id, r.RecordNo, r.ChannelId, r.Amount, r.Currency, r.BankReference, PaidOn(r), r.Status))];
        }
        var outcome = FiatMatcher.Match(entries, records, WindowDays);
        int matched = 0, discrepancies = 0, missed = 0;
        foreach (var proposal in outcome.Proposals)
        {
            if (await DeliverAsync(proposal.EntryId, proposal.RecordNo, proposal.Result, proposal.Reasons, manual: false, Actor.System(FiatBankNames.ReconciliationActor), cancellationToken))
            {
                if (proposal.Result == MatchStatuses.Matched) matched++;
                else discrepancies++;
            }
            else
            {
                missed++;
            }
        }
        if (outcome.Proposals.Count > 0)
        {
            logger.LogInformation("Reconciliation of {Channel}: {Entries} open debits, {Matched} matched, {Discrepancies} discrepancies, {Missed} not taken.",
                channelId ?? "all channels", entries.Count, matched, discrepancies, missed);
        }
        return new ReconciliationSummary(entries.Count, matched, discrepancies, missed, outcome.Left);
    }

    /// <summary>Sends the result to the record; true when the record took it (and the entry is now matched).</summary>
    public async Task<bool> DeliverAsync(Guid entryId, string recordNo, string result, IReadOnlyList<string> reasons, bool manual, Actor actor, CancellationToken cancellationToken)
    {
        var payload = new JsonObject
        {
            ["result"] = result,
            ["entryId"] = entryId.ToString(),
            ["reasons"] = new JsonArray([.. reasons.Select(r => (JsonNode)JsonValue.Create(r))]),
            ["manual"] = manual,
        };
        // Not kept when nothing waits: a record that is not in Unmatch now is matched by a later run once it is.
        var delivered = await dispatcher.DeliverAsync(FiatBankNames.FiatReconciled, recordNo, payload, ExpressionValues.FromJsonNode(payload), null, 0, actor, cancellationToken);
        return delivered.Resumed > 0;
    }

    /// <summary>The business day the record was paid: its last change before it waits in Unmatch is the bank's result.</summary>
    public DateOnly PaidOn(FiatWithdrawalRecord record)
    {
        ArgumentNullException.ThrowIfNull(record);
        return fiatClock.BusinessDay(record.UpdatedAt);
    }
}

/// <summary>
/// Writes a statement entry's match in the step of the record that takes <see cref="FiatBankNames.FiatReconciled"/>,
/// in that step's transaction. Refuses the step (the event is then not delivered) when the entry is not open for it,
/// and when the event did not come from this feature: only the matcher's system actor or a person confirming a tag
/// (through the bank routes) reconciles a record, never another system through the generic events route.
/// </summary>
public sealed class FiatReconciledObserver(TimeProvider clock) : IStepObserver
{
    public async ValueTask OnStepSavedAsync(ApprovalDbContext db, StepResult step, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(step);
        if (step.Command is not { Kind: StepCommandKinds.Resume } command) return;
        if (!step.Journal.Any(j => j.Kind == JournalKinds.EventDelivered && j.Action == FiatBankNames.FiatReconciled)) return;
        if (command.Actor.IsSystem && command.Actor.UserId != FiatBankNames.ReconciliationActor)
        {
            throw new WorkflowConflictException($"{FiatBankNames.FiatReconciled} comes from the fiat reconciliation (statement matching or a confirmed tag), not from {command.Actor.UserId}.");
        }
        var payload = command.Args["payload"] as JsonObject;
        string? Text(string name) => payload?[name] is JsonValue v && v.TryGetValue<string>(out var t) ? t : null;
        var result = Text("result");
        if (!Guid.TryParse(Text("entryId"), out var entryId) || result is not (MatchStatuses.Matched or MatchStatuses.Discrepancy))
        {
            throw new WorkflowConflictException($"{FiatBankNames.FiatReconciled} needs the entryId and result of a statement entry.");
        }
        var manual = payload!["manual"] is JsonValue m && m.TryGetValue<bool>(out var isManual) && isManual;
        var reasons = payload["reasons"]?.ToJsonString() ?? "[]";
        // The record number, as the records projection reads it (the correlation the event was sent to).
        var recordNo = step.State.Variables.TryGetValue("recordNo", out var no) && no is string text ? text : step.State.CorrelationId ?? "";
        var now = clock.GetUtcNow();
        object at = db.IsSqlite ? now.UtcTicks : now;
        // A confirmed tag names the confirmer; an automatic match names nobody.
        var confirmedBy = manual ? command.Actor.UserId : "";
        var changed = await db.Database.ExecuteSqlAsync($"""
            UPDATE fiat_statement_entries SET match_status = {result}, record_id = {step.State.Id}, record_no = {recordNo}, match_reasons = {reasons},
                manual_match = {manual}, matched_at = {at}, confirmed_by = NULLIF({confirmedBy}, ''), updated_at = {at}
            WHERE id = {entryId} AND deleted = {false} AND direction = {EntryDirections.Debit}
              AND (match_status = {MatchStatuses.Unmatch} OR (match_status = {MatchStatuses.PendingConfirmation} AND {manual} = {true} AND record_no = {recordNo}))
            """, cancellationToken);
        if (changed != 1)
        {
            throw new WorkflowConflictException($"Statement entry {entryId} is not open for record {recordNo} any more (matched, tagged to another record or deleted meanwhile).");
        }
        var after = JsonSerializer.Serialize(new { matchStatus = result, recordNo, reasons = JsonNode.Parse(reasons), manual }, JsonSerializerOptions.Web);
        await db.Database.ExecuteSqlAsync($"""
            INSERT INTO fiat_statement_journal (id, entry_id, action, actor, at, after)
            VALUES ({Guid.CreateVersion7(now)}, {entryId}, {(manual ? "TagConfirmed" : "Reconciled")}, {command.Actor.UserId}, {at}, {after})
            """, cancellationToken);
    }
}
