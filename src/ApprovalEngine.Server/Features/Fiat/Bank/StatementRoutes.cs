using System.Text.Json;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <param name="Format"><c>camt.053</c> or <c>csv</c>.</param>
/// <param name="Content">The file's text (XML or CSV, UTF-8).</param>
public sealed record StatementImportRequest(string? ChannelId, string? Format, string? Content, string? FileName);

public sealed record StatementRefreshRequest(string? ChannelId, DateOnly? From, DateOnly? To);

public sealed record ReclassifyRequest(string? Direction, string? Reason);

public sealed record DeleteDuplicateRequest(Guid? DuplicateOf, string? Reason);

public sealed record TagRequest(string? RecordNo, string? Comment);

public sealed record TagDecisionRequest(string? Reason);

public sealed record ReconcileRequest(string? ChannelId);

public sealed record StatementEntryView(Guid Id, string ChannelId, string EntryId, DateOnly BookingDate, decimal BankAmount, decimal Amount, string Currency,
    string Direction, string? Reference, string? CounterpartyAccount, string? Description, string Source, Guid? ImportId, string MatchStatus, string? RecordNo,
    IReadOnlyList<string> MatchReasons, bool ManualMatch, DateTimeOffset? MatchedAt, string? TaggedBy, DateTimeOffset? TaggedAt, string? ConfirmedBy,
    bool Deleted, string CreatedBy, DateTimeOffset CreatedAt);

public sealed record StatementJournalView(string Action, string Actor, DateTimeOffset At, JsonElement? Before, JsonElement? After, string? Comment);

public sealed record StatementEntryDetail(StatementEntryView Entry, IReadOnlyList<StatementJournalView> Journal);

public sealed record LeftEntryView(Guid EntryId, string Reason);

public sealed record ReconciliationView(int Examined, int Matched, int Discrepancies, int NotDelivered, IReadOnlyList<LeftEntryView> Left);

public sealed record StatementImportResult(Guid ImportId, string ChannelId, string Format, int Imported, int Skipped, IReadOnlyList<DuplicateEntry> Duplicates, ReconciliationView Reconciliation);

public sealed record StatementRefreshResult(string ChannelId, DateOnly From, DateOnly To, int Fetched, int Added, int Duplicates, ReconciliationView Reconciliation);

/// <param name="Reconciliation">Matched, Discrepancy, PendingConfirmation (tagged, awaiting a second person) or Unmatch.</param>
public sealed record RecordReconciliationView(string RecordNo, Guid RecordId, string Status, string? ChannelId, decimal Amount, string Currency,
    string Reconciliation, Guid? EntryId, string? BankEntryId, IReadOnlyList<string> Reasons, bool Manual, DateTimeOffset? MatchedAt);

/// <summary>
/// Withdrawal bills and reconciliation (issue 12, bank side): statement import (camt.053, CSV) and refresh from the bank,
/// the bills list, reclassification, deletion of confirmed duplicates, manual tagging with a second person's
/// confirmation, and the reconciliation result per record. Reading is for Operations (and supervisors, and systems that
/// may read fiat-withdrawal); changing a bill is for Operations people; tags need <c>workorders:approve</c>.
/// </summary>
public static class StatementRoutes
{
    public const int MaxRefreshDays = 31;

    public static void Map(RouteGroupBuilder group)
    {
        group.MapPost("/statements/imports", Import).RequireAuthorization(Policies.People).ProducesProblems(400, 401, 403, 413, 422).WithName("importBankStatement").WithSummary("Import a bank statement file");
        group.MapPost("/statements/refresh", Refresh).RequireAuthorization(Policies.People).ProducesProblems(400, 401, 403, 422).WithName("refreshBankStatements").WithSummary("Fetch new statement entries from the bank");
        group.MapGet("/statements/entries", List).ProducesProblems(400, 401, 403).WithName("listStatementEntries").WithSummary("List bank statement entries");
        group.MapGet("/statements/entries/{id}", Get).ProducesProblems(401, 403, 404).WithName("getStatementEntry").WithSummary("Get a bank statement entry");
        group.MapPost("/statements/entries/{id}/reclassify", Reclassify).RequireAuthorization(Policies.People).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("reclassifyStatementEntry").WithSummary("Reclassify a bank statement entry");
        group.MapPost("/statements/entries/{id}/delete", DeleteDuplicate).RequireAuthorization(Policies.People).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("deleteDuplicateStatementEntry").WithSummary("Delete a duplicate bank statement entry");
        group.MapPost("/statements/entries/{id}/tag", Tag).RequireAuthorization(Policies.People).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("tagStatementEntry").WithSummary("Tag a bank statement entry to a withdrawal (a second person confirms)");
        group.MapPost("/statements/entries/{id}/tag/confirm", ConfirmTag).RequireAuthorization(Policies.People).ProducesProblems(400, 401, 403, 404, 409).WithName("confirmStatementEntryTag").WithSummary("Confirm the tag of a bank statement entry");
        group.MapPost("/statements/entries/{id}/tag/reject", RejectTag).RequireAuthorization(Policies.People).ProducesProblems(400, 401, 403, 404, 409, 422).WithName("rejectStatementEntryTag").WithSummary("Reject the tag of a bank statement entry");
        group.MapPost("/reconciliation/run", Run).RequireAuthorization(Policies.People).ProducesProblems(400, 401, 403, 422).WithName("runReconciliation").WithSummary("Reconcile withdrawals with the bank statements now");
        group.MapGet("/reconciliation/records", Records).ProducesProblems(400, 401, 403).WithName("listReconciliationRecords").WithSummary("List withdrawals with their reconciliation state");
    }

    // ---- who ----

    internal static bool InOperations(HttpContext http) => FiatAccess.IsOperator(http.User);

    internal static void RequireReader(HttpContext http)
    {
        if (http.User.IsSystem())
        {
            var actor = http.ToActor();
            if (actor.HasScope($"read:{FiatNames.DefinitionId}")) return;
            throw ApiProblemException.Forbidden($"Reading bank statements needs the scope read:{FiatNames.DefinitionId}.");
        }
        if (!InOperations(http)) throw ApiProblemException.Forbidden("Bank statements are for the Operations department.");
    }

    internal static void RequireOperator(HttpContext http)
    {
        if (http.User.IsSystem()) throw ApiProblemException.Forbidden("Bank statements are changed by people of Operations, not by systems.");
        if (!InOperations(http)) throw ApiProblemException.Forbidden("Changing bank statements is for the Operations department.");
    }

    private static void RequireApprover(HttpContext http)
    {
        if (http.User.IsSystem()) throw ApiProblemException.Forbidden("Tags are set and confirmed by people (four eyes need two identities), not by systems.");
        if (!http.User.HasRight(Rights.ApproveWorkOrders)) throw ApiProblemException.Forbidden($"Tagging statement entries needs the right {Rights.ApproveWorkOrders}.");
    }

    private static async Task<string> ChannelAsync(string? channelId, IWithdrawalChannels channels, CancellationToken ct)
    {
        var id = Require.Text(channelId, "channelId", 100);
        if (await channels.GetChannelAsync(id, ct) is null) throw ApiProblemException.Invalid("channelId", $"No withdrawal channel '{id}'.");
        return id;
    }

    // ---- import, refresh ----

    private static async Task<Created<StatementImportResult>> Import(StatementImportRequest? request, HttpContext http, IWithdrawalChannels channels,
        FiatStatements statements, FiatReconciliation reconciliation, TimeProvider clock, CancellationToken ct)
    {
        RequireOperator(http);
        var channelId = await ChannelAsync(request?.ChannelId, channels, ct);
        var format = request?.Format switch
        {
            StatementSources.Camt053 or StatementSources.Csv => request.Format,
            var other => throw ApiProblemException.Invalid("format", $"format is {StatementSources.Camt053} or {StatementSources.Csv}, not '{other}'."),
        };
        if (string.IsNullOrWhiteSpace(request!.Content)) throw ApiProblemException.Invalid("content", "content (the statement file's text) is required.");
        var fileName = Require.OptionalText(request.FileName, "fileName", 200);
        var parsed = format == StatementSources.Camt053 ? StatementParsers.Camt053(request.Content) : StatementParsers.Csv(request.Content);
        // Nothing of a file with a bad row is stored: the operator fixes the file and imports it again.
        if (parsed.Errors.Count > 0) throw ApiProblemException.Invalid(parsed.Errors, $"{parsed.Errors.Count} problem(s) in the file; nothing was imported.");
        var import = new FiatStatementImport
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            ChannelId = channelId,
            Format = format,
            FileName = fileName,
            Skipped = parsed.Skipped,
            ImportedBy = http.User.UserId(),
            ImportedAt = clock.GetUtcNow(),
        };
        var stored = await statements.AddAsync(channelId, parsed.Entries, format, http.User.UserId(), import, ct);
        var matched = await reconciliation.ReconcileAsync(channelId, ct);
        return TypedResults.Created($"/api/fiat/statements/entries?importId={stored.ImportId}",
            new StatementImportResult(stored.ImportId!.Value, channelId, format, stored.Added, parsed.Skipped, stored.Duplicates, View(matched)));
    }

    private static async Task<Ok<StatementRefreshResult>> Refresh(StatementRefreshRequest? request, HttpContext http, IWithdrawalChannels channels,
        IBankGateway bank, FiatStatements statements, FiatReconciliation reconciliation, CancellationToken ct)
    {
        RequireOperator(http);
        var channelId = await ChannelAsync(request?.ChannelId, channels, ct);
        if (request!.From is not { } from) throw ApiProblemException.Invalid("from", "from (yyyy-MM-dd) is required.");
        if (request.To is not { } to) throw ApiProblemException.Invalid("to", "to (yyyy-MM-dd) is required.");
        if (to < from) throw ApiProblemException.Invalid("to", "to is before from.");
        if (to.DayNumber - from.DayNumber >= MaxRefreshDays) throw ApiProblemException.Invalid("to", $"A refresh covers at most {MaxRefreshDays} days.");
        var fetched = await bank.GetStatementAsync(channelId, from, to, ct);
        var stored = await statements.AddAsync(channelId, FiatStatements.FromBank(fetched), StatementSources.Api, http.User.UserId(), null, ct);
        var matched = await reconciliation.ReconcileAsync(channelId, ct);
        return TypedResults.Ok(new StatementRefreshResult(channelId, from, to, fetched.Count, stored.Added, stored.Duplicates.Count, View(matched)));
    }

    private static async Task<Ok<ReconciliationView>> Run(ReconcileRequest? request, HttpContext http, IWithdrawalChannels channels, FiatReconciliation reconciliation, CancellationToken ct)
    {
        RequireOperator(http);
        var channelId = request?.ChannelId is null ? null : await ChannelAsync(request.ChannelId, channels, ct);
        return TypedResults.Ok(View(await reconciliation.ReconcileAsync(channelId, ct)));
    }

    // ---- the bills ----

    private static async Task<Ok<Paged<StatementEntryView>>> List(HttpContext http, FiatDbContext db, string? channelId, string? matchStatus, string? direction,
        DateOnly? from, DateOnly? to, string? reference, string? recordNo, Guid? importId, bool? includeDeleted, int? page, int? pageSize, CancellationToken ct)
    {
        RequireReader(http);
        var (p, s) = Paging.Check(page, pageSize);
        if (matchStatus is not (null or MatchStatuses.Unmatch or MatchStatuses.Matched or MatchStatuses.Discrepancy or MatchStatuses.PendingConfirmation))
        {
            throw ApiProblemException.BadRequest("matchStatus", "matchStatus is Unmatch, Matched, Discrepancy or PendingConfirmation.");
        }
        if (direction is not (null or EntryDirections.Debit or EntryDirections.Credit)) throw ApiProblemException.BadRequest("direction", "direction is Debit or Credit.");
        var query = db.Set<FiatStatementEntry>().AsNoTracking();
        if (includeDeleted != true) query = query.Where(e => !e.Deleted);
        if (channelId is not null) query = query.Where(e => e.ChannelId == channelId);
        if (matchStatus is not null) query = query.Where(e => e.MatchStatus == matchStatus);
        if (direction is not null) query = query.Where(e => e.Direction == direction);
        if (from is not null) query = query.Where(e => e.BookingDate >= from);
        if (to is not null) query = query.Where(e => e.BookingDate <= to);
        if (reference is not null) query = query.Where(e => e.Reference == reference || e.EntryId == reference);
        if (recordNo is not null) query = query.Where(e => e.RecordNo == recordNo);
        if (importId is not null) query = query.Where(e => e.ImportId == importId);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(e => e.BookingDate).ThenByDescending(e => e.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<StatementEntryView>([.. rows.Select(View)], total, p, s));
    }

    private static async Task<Ok<StatementEntryDetail>> Get(string id, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        RequireReader(http);
        var entry = await FindAsync(db, id, ct, tracked: false);
        var journal = await db.Set<FiatStatementJournalEntry>().AsNoTracking().Where(j => j.EntryId == entry.Id).OrderBy(j => j.At).ThenBy(j => j.Id).ToListAsync(ct);
        return TypedResults.Ok(new StatementEntryDetail(View(entry), [.. journal.Select(j => new StatementJournalView(j.Action, j.Actor, j.At, Json(j.Before), Json(j.After), j.Comment))]));
    }

    private static async Task<Ok<StatementEntryView>> Reclassify(string id, ReclassifyRequest? request, HttpContext http, FiatDbContext db, TimeProvider clock, CancellationToken ct)
    {
        RequireOperator(http);
        var direction = request?.Direction is EntryDirections.Debit or EntryDirections.Credit ? request.Direction
            : throw ApiProblemException.Invalid("direction", "direction is Debit or Credit.");
        var reason = Require.Text(request!.Reason, "reason", 1000);
        var entry = await FindAsync(db, id, ct);
        if (entry.Deleted) throw ApiProblemException.Conflict("The entry was deleted as a duplicate.");
        if (entry.MatchStatus != MatchStatuses.Unmatch) throw ApiProblemException.Conflict($"The entry is {entry.MatchStatus}: only an unmatched entry is reclassified.");
        if (entry.Direction == direction) throw ApiProblemException.Conflict($"The entry is already a {direction}.");
        var now = clock.GetUtcNow();
        db.Set<FiatStatementJournalEntry>().Add(FiatStatements.Journal(entry.Id, "Reclassified", http.User.UserId(), now, new { direction = entry.Direction }, new { direction }, reason));
        entry.Direction = direction;
        entry.UpdatedAt = now;
        await SaveGuardedAsync(db, ct);
        return TypedResults.Ok(View(entry));
    }

    private static async Task<Ok<StatementEntryView>> DeleteDuplicate(string id, DeleteDuplicateRequest? request, HttpContext http, FiatDbContext db, TimeProvider clock, CancellationToken ct)
    {
        RequireOperator(http);
        if (request?.DuplicateOf is not { } originalId) throw ApiProblemException.Invalid("duplicateOf", "duplicateOf (the id of the entry this one duplicates) is required.");
        var reason = Require.Text(request.Reason, "reason", 1000);
        var entry = await FindAsync(db, id, ct);
        if (entry.Deleted) throw ApiProblemException.Conflict("The entry is already deleted.");
        if (entry.MatchStatus != MatchStatuses.Unmatch) throw ApiProblemException.Conflict($"The entry is {entry.MatchStatus}: only an unmatched duplicate may be deleted.");
        var original = await db.Set<FiatStatementEntry>().AsNoTracking().FirstOrDefaultAsync(e => e.Id == originalId, ct)
            ?? throw ApiProblemException.Invalid("duplicateOf", $"No statement entry '{originalId}'.");
        if (original.Id == entry.Id || original.Deleted) throw ApiProblemException.Invalid("duplicateOf", "duplicateOf names another entry that is kept.");
        // A duplicate is the same money: same account, day, direction, currency and amount. Anything else is two lines.
        var differences = new List<string>();
        if (original.ChannelId != entry.ChannelId) differences.Add("channel");
        if (original.BookingDate != entry.BookingDate) differences.Add("booking date");
        if (original.Direction != entry.Direction) differences.Add("direction");
        if (original.Currency != entry.Currency) differences.Add("currency");
        if (original.Amount != entry.Amount) differences.Add("amount");
        if (differences.Count > 0) throw ApiProblemException.Invalid("duplicateOf", $"Not a duplicate: the {string.Join(", ", differences)} differ.");
        var now = clock.GetUtcNow();
        db.Set<FiatStatementJournalEntry>().Add(FiatStatements.Journal(entry.Id, "DeletedAsDuplicate", http.User.UserId(), now, new { deleted = false }, new { deleted = true, duplicateOf = original.Id }, reason));
        entry.Deleted = true;
        entry.DeletedBy = http.User.UserId();
        entry.DeletedAt = now;
        entry.UpdatedAt = now;
        await SaveGuardedAsync(db, ct);
        return TypedResults.Ok(View(entry));
    }

    // ---- manual tagging (four eyes) ----

    private static async Task<Ok<StatementEntryView>> Tag(string id, TagRequest? request, HttpContext http, FiatDbContext db, TimeProvider clock, CancellationToken ct)
    {
        RequireApprover(http);
        var recordNo = Require.Text(request?.RecordNo, "recordNo", 64);
        var comment = Require.OptionalText(request?.Comment, "comment", 1000);
        var entry = await FindAsync(db, id, ct);
        if (entry.Deleted) throw ApiProblemException.Conflict("The entry was deleted as a duplicate.");
        if (entry.MatchStatus != MatchStatuses.Unmatch) throw ApiProblemException.Conflict($"The entry is {entry.MatchStatus}: only an unmatched entry is tagged.");
        if (entry.Direction != EntryDirections.Debit) throw ApiProblemException.Conflict("A credit is not a withdrawal: reclassify it first if it is one.");
        var record = await db.Set<FiatWithdrawalRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.RecordNo == recordNo, ct)
            ?? throw ApiProblemException.Invalid("recordNo", $"No withdrawal record '{recordNo}'.");
        if (record.Status != FiatBankNames.Unmatch) throw ApiProblemException.Conflict($"Record {recordNo} is {record.Status}: only a record in Unmatch is tagged.");
        if (await db.Set<FiatStatementEntry>().AnyAsync(e => e.RecordNo == recordNo && e.MatchStatus != MatchStatuses.Unmatch && !e.Deleted, ct))
        {
            throw ApiProblemException.Conflict($"Record {recordNo} already has a matched or tagged entry.");
        }
        var now = clock.GetUtcNow();
        db.Set<FiatStatementJournalEntry>().Add(FiatStatements.Journal(entry.Id, "Tagged", http.User.UserId(), now,
            new { matchStatus = entry.MatchStatus }, new { matchStatus = MatchStatuses.PendingConfirmation, recordNo }, comment));
        entry.MatchStatus = MatchStatuses.PendingConfirmation;
        entry.RecordNo = recordNo;
        entry.RecordId = record.Id;
        entry.TaggedBy = http.User.UserId();
        entry.TaggedAt = now;
        entry.UpdatedAt = now;
        await SaveGuardedAsync(db, ct);
        return TypedResults.Ok(View(entry));
    }

    private static async Task<Ok<StatementEntryView>> ConfirmTag(string id, HttpContext http, FiatDbContext db, FiatReconciliation reconciliation, CancellationToken ct)
    {
        RequireApprover(http);
        var entry = await FindAsync(db, id, ct, tracked: false);
        if (entry.MatchStatus != MatchStatuses.PendingConfirmation) throw ApiProblemException.Conflict($"The entry is {entry.MatchStatus}: there is no tag to confirm.");
        if (string.Equals(entry.TaggedBy, http.User.UserId(), StringComparison.Ordinal))
        {
            throw ApiProblemException.Forbidden($"Four eyes: {entry.TaggedBy} tagged this entry, so another person holding {Rights.ApproveWorkOrders} confirms it.");
        }
        var record = await db.Set<FiatWithdrawalRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.RecordNo == entry.RecordNo, ct)
            ?? throw ApiProblemException.Conflict($"Record {entry.RecordNo} no longer exists.");
        var reasons = new List<string>();
        if (entry.ChannelId != record.ChannelId) reasons.Add($"Paid from {record.ChannelId ?? "no channel"}, booked on {entry.ChannelId}.");
        if (entry.Currency != record.Currency) reasons.Add($"Currency {entry.Currency} on the statement, {record.Currency} on the record.");
        if (entry.Amount != record.Amount) reasons.Add($"Amount {Normal(entry.Amount)} on the statement, {Normal(record.Amount)} on the record.");
        var result = reasons.Count == 0 ? MatchStatuses.Matched : MatchStatuses.Discrepancy;
        if (!await reconciliation.DeliverAsync(entry.Id, record.RecordNo, result, reasons, manual: true, http.ToActor(), ct))
        {
            throw ApiProblemException.Conflict($"Record {record.RecordNo} does not wait for its reconciliation now (or the tag changed meanwhile); nothing was confirmed.");
        }
        var confirmed = await db.Set<FiatStatementEntry>().AsNoTracking().FirstAsync(e => e.Id == entry.Id, ct);
        return TypedResults.Ok(View(confirmed));
    }

    private static async Task<Ok<StatementEntryView>> RejectTag(string id, TagDecisionRequest? request, HttpContext http, FiatDbContext db, TimeProvider clock, CancellationToken ct)
    {
        RequireApprover(http);
        var reason = Require.Text(request?.Reason, "reason", 1000);
        var entry = await FindAsync(db, id, ct);
        if (entry.MatchStatus != MatchStatuses.PendingConfirmation) throw ApiProblemException.Conflict($"The entry is {entry.MatchStatus}: there is no tag to reject.");
        var now = clock.GetUtcNow();
        db.Set<FiatStatementJournalEntry>().Add(FiatStatements.Journal(entry.Id, "TagRejected", http.User.UserId(), now,
            new { matchStatus = entry.MatchStatus, recordNo = entry.RecordNo, taggedBy = entry.TaggedBy }, new { matchStatus = MatchStatuses.Unmatch }, reason));
        entry.MatchStatus = MatchStatuses.Unmatch;
        entry.RecordNo = null;
        entry.RecordId = null;
        entry.TaggedBy = null;
        entry.TaggedAt = null;
        entry.UpdatedAt = now;
        await SaveGuardedAsync(db, ct);
        return TypedResults.Ok(View(entry));
    }

    // ---- result per record ----

    private static async Task<Ok<Paged<RecordReconciliationView>>> Records(HttpContext http, FiatDbContext db, string? recordNo, string? channelId, string? status,
        string? reconciliation, int? page, int? pageSize, CancellationToken ct)
    {
        RequireReader(http);
        var (p, s) = Paging.Check(page, pageSize);
        if (reconciliation is not (null or MatchStatuses.Unmatch or MatchStatuses.Matched or MatchStatuses.Discrepancy or MatchStatuses.PendingConfirmation))
        {
            throw ApiProblemException.BadRequest("reconciliation", "reconciliation is Unmatch, Matched, Discrepancy or PendingConfirmation.");
        }
        var entries = db.Set<FiatStatementEntry>().Where(e => !e.Deleted && e.MatchStatus != MatchStatuses.Unmatch);
        var query = db.Set<FiatWithdrawalRecord>().AsNoTracking()
            .Select(r => new { Record = r, Entry = entries.Where(e => e.RecordNo == r.RecordNo).OrderByDescending(e => e.UpdatedAt).FirstOrDefault() });
        if (recordNo is not null) query = query.Where(x => x.Record.RecordNo == recordNo);
        if (channelId is not null) query = query.Where(x => x.Record.ChannelId == channelId);
        if (status is not null) query = query.Where(x => x.Record.Status == status);
        // Records that waited for or went through reconciliation: in Unmatch now, or with an entry matched or tagged.
        query = query.Where(x => x.Record.Status == FiatBankNames.Unmatch || x.Entry != null);
        if (reconciliation == MatchStatuses.Unmatch) query = query.Where(x => x.Entry == null);
        else if (reconciliation is not null) query = query.Where(x => x.Entry != null && x.Entry.MatchStatus == reconciliation);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(x => x.Record.UpdatedAt).ThenBy(x => x.Record.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<RecordReconciliationView>([.. rows.Select(x => new RecordReconciliationView(
            x.Record.RecordNo, x.Record.Id, x.Record.Status, x.Record.ChannelId, Normal(x.Record.Amount), x.Record.Currency,
            x.Entry?.MatchStatus ?? MatchStatuses.Unmatch, x.Entry?.Id, x.Entry?.EntryId, Reasons(x.Entry?.MatchReasons), x.Entry?.ManualMatch ?? false, x.Entry?.MatchedAt))], total, p, s));
    }

    // ---- helpers ----

    private static async Task<FiatStatementEntry> FindAsync(FiatDbContext db, string id, CancellationToken ct, bool tracked = true)
    {
        var entryId = Require.Id(id, "statement entry");
        var query = tracked ? db.Set<FiatStatementEntry>() : db.Set<FiatStatementEntry>().AsNoTracking();
        return await query.FirstOrDefaultAsync(e => e.Id == entryId, ct) ?? throw ApiProblemException.NotFound($"No statement entry '{id}'.");
    }

    /// <summary>Saves an operator's change unless the entry changed since it was read (a concurrent tag, match or delete): 409.</summary>
    private static async Task SaveGuardedAsync(FiatDbContext db, CancellationToken ct)
    {
        var entry = db.ChangeTracker.Entries<FiatStatementEntry>().Single();
        var readAt = (DateTimeOffset)entry.OriginalValues[nameof(FiatStatementEntry.UpdatedAt)]!;
        var readStatus = (string)entry.OriginalValues[nameof(FiatStatementEntry.MatchStatus)]!;
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        // The row as stored now must be the row as read; otherwise someone else acted first.
        var unchanged = await db.Set<FiatStatementEntry>().Where(e => e.Id == entry.Entity.Id && e.UpdatedAt == readAt && e.MatchStatus == readStatus)
            .ExecuteUpdateAsync(u => u.SetProperty(e => e.UpdatedAt, entry.Entity.UpdatedAt), ct);
        if (unchanged != 1) throw ApiProblemException.Conflict("The entry changed meanwhile; read it again.");
        await db.SaveChangesAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private static ReconciliationView View(ReconciliationSummary s) =>
        new(s.Examined, s.Matched, s.Discrepancies, s.NotDelivered, [.. s.Left.Select(l => new LeftEntryView(l.Key, l.Value))]);

    private static StatementEntryView View(FiatStatementEntry e) => new(e.Id, e.ChannelId, e.EntryId, e.BookingDate, Normal(e.BankAmount), Normal(e.Amount), e.Currency,
        e.Direction, e.Reference, e.CounterpartyAccount, e.Description, e.Source, e.ImportId, e.MatchStatus, e.RecordNo, Reasons(e.MatchReasons), e.ManualMatch,
        e.MatchedAt, e.TaggedBy, e.TaggedAt, e.ConfirmedBy, e.Deleted, e.CreatedBy, e.CreatedAt);

    private static IReadOnlyList<string> Reasons(string? json) => json is null ? [] : JsonSerializer.Deserialize<string[]>(json) ?? [];

    private static JsonElement? Json(string? json) => json is null ? null : JsonSerializer.Deserialize<JsonElement>(json);

    private static decimal Normal(decimal value) => DatabaseBankSandbox.Normal(value);
}
