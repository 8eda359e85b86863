using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Validation;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Engine;

/// <summary>
/// Publishing needs two analysts (ADR 7): one submits a snapshot of the draft, another approves exactly that snapshot.
/// The submitter can never approve. Versions can be suspended for new starts and resumed. Every decision is journaled
/// with the version's content hash. Each method runs in the caller's transaction and saves its changes.
/// </summary>
public sealed class PublishingService(DefinitionService definitions, TimeProvider clock)
{
    public const int MaxNoteLength = 2000;

    public sealed record Submission(PublishRequestRecord Request, bool Created, IReadOnlyList<ValidationError> Validation);

    public async Task<Submission> SubmitAsync(ApprovalDbContext db, string id, string user, string? note, CancellationToken cancellationToken)
    {
        Require.OptionalText(note, "note", MaxNoteLength);
        var record = await db.Definitions.FirstOrDefaultAsync(d => d.Id == id, cancellationToken)
            ?? throw ApiProblemException.NotFound($"No definition '{id}'.");
        if (record.DraftJson is null) throw ApiProblemException.Conflict($"'{id}' has no draft to publish; save one first.");
        // Drafts are saved with their problems; only a valid one is submitted (422 listing them, nothing stored).
        var definition = await definitions.RequireValidAsync(db, record.DraftJson, cancellationToken);
        var hash = DefinitionService.Hash(definition);
        await RefuseIdenticalAsync(db, record, hash, "The draft's content", cancellationToken);
        var pending = await db.PublishRequests.FirstOrDefaultAsync(r => r.DefinitionId == id && r.Status == PublishRequestStatuses.Pending && r.ContentHash == hash && r.BaseVersion == record.PublishedVersion, cancellationToken);
        if (pending is not null) return new Submission(pending, false, []);

        var now = clock.GetUtcNow();
        var request = new PublishRequestRecord
        {
            Id = Guid.CreateVersion7(now),
            DefinitionId = id,
            Status = PublishRequestStatuses.Pending,
            Json = DefinitionJson.Serialize(definition with { Version = 0 }),
            ContentHash = hash,
            BaseVersion = record.PublishedVersion,
            Note = string.IsNullOrWhiteSpace(note) ? null : note.Trim(),
            SubmittedBy = user,
            SubmittedAt = now,
        };
        db.PublishRequests.Add(request);
        definitions.Journal(db, id, DefinitionJournalKinds.Submitted, user, null, hash, request.Id, request.Note);
        await db.SaveChangesAsync(cancellationToken);
        return new Submission(request, true, []);
    }

    /// <summary>Publishes the request's snapshot (not the draft as it is now) as the next version.</summary>
    public async Task<int> ApproveAsync(ApprovalDbContext db, Guid requestId, string user, CancellationToken cancellationToken)
    {
        var request = await PendingAsync(db, requestId, cancellationToken);
        if (request.SubmittedBy == user)
        {
            throw ApiProblemException.Forbidden($"Four eyes: {user} submitted this publish request and cannot approve it; another analyst holding '{Identity.Rights.ApproveDefinitions}' must review it.");
        }
        // Four eyes on the content, not only on the request: an analyst who saved any draft since the last publication
        // may have written what this request publishes (a colleague can save over it and submit), so may not approve it.
        var lastPublished = await db.DefinitionJournal.AsNoTracking()
            .Where(e => e.DefinitionId == request.DefinitionId && (e.Kind == DefinitionJournalKinds.Approved || e.Kind == DefinitionJournalKinds.PublishedFromFile) && e.Timestamp <= request.SubmittedAt)
            .MaxAsync(e => (DateTimeOffset?)e.Timestamp, cancellationToken);
        var wroteDraft = await db.DefinitionJournal.AsNoTracking().AnyAsync(e => e.DefinitionId == request.DefinitionId && e.Kind == DefinitionJournalKinds.DraftSaved
            && e.UserId == user && e.Timestamp <= request.SubmittedAt && (lastPublished == null || e.Timestamp >= lastPublished), cancellationToken);
        if (wroteDraft)
        {
            throw ApiProblemException.Forbidden($"Four eyes: {user} saved a draft of '{request.DefinitionId}' since its last publication, so may have written what this request publishes; another analyst holding '{Identity.Rights.ApproveDefinitions}' who did not edit it must review it.");
        }
        var record = await db.Definitions.FirstAsync(d => d.Id == request.DefinitionId, cancellationToken);
        // Checked before the stale base: a request whose content was published meanwhile by another request says so.
        await RefuseIdenticalAsync(db, record, request.ContentHash, "This request's content", cancellationToken);
        if (record.PublishedVersion != request.BaseVersion)
        {
            throw ApiProblemException.Conflict($"'{request.DefinitionId}' was published as v{record.PublishedVersion} after this request was based on {(request.BaseVersion is { } b ? $"v{b}" : "no version")}; the diff the reviewer would see is no longer true. Reject it and resubmit the draft.");
        }
        var definition = await definitions.RequireValidAsync(db, request.Json, cancellationToken);

        var version = await definitions.AddVersionAsync(db, record, definition, user, cancellationToken);
        var now = clock.GetUtcNow();
        request.Status = PublishRequestStatuses.Approved;
        request.DecidedBy = user;
        request.DecidedAt = now;
        request.PublishedVersion = version;
        // The draft is done with only if it still holds what was approved; later edits stay a draft.
        if (record.DraftJson is not null && DefinitionService.Hash(DefinitionJson.Parse(record.DraftJson)) == request.ContentHash)
        {
            record.DraftJson = null;
            record.DraftSavedAt = null;
            record.DraftSavedBy = null;
        }
        definitions.Journal(db, request.DefinitionId, DefinitionJournalKinds.Approved, user, version, request.ContentHash, request.Id, $"Submitted by {request.SubmittedBy}.");
        await db.SaveChangesAsync(cancellationToken);
        return version;
    }

    public async Task<PublishRequestRecord> RejectAsync(ApprovalDbContext db, Guid requestId, string user, string? reason, CancellationToken cancellationToken)
    {
        var text = Require.Text(reason, "reason", MaxNoteLength).Trim();
        var request = await PendingAsync(db, requestId, cancellationToken);
        request.Status = PublishRequestStatuses.Rejected;
        request.DecidedBy = user;
        request.DecidedAt = clock.GetUtcNow();
        request.DecisionReason = text;
        definitions.Journal(db, request.DefinitionId, DefinitionJournalKinds.Rejected, user, null, request.ContentHash, request.Id, text);
        await db.SaveChangesAsync(cancellationToken);
        return request;
    }

    public async Task<DefinitionVersionRecord> SuspendAsync(ApprovalDbContext db, string id, int version, string user, string? reason, CancellationToken cancellationToken)
    {
        var text = Require.Text(reason, "reason", 1000).Trim();
        var row = await VersionAsync(db, id, version, cancellationToken);
        if (row.SuspendedAt is not null) throw ApiProblemException.Conflict($"'{id}' v{version} is already suspended (by {row.SuspendedBy}: {row.SuspendReason}).");
        row.SuspendedAt = clock.GetUtcNow();
        row.SuspendedBy = user;
        row.SuspendReason = text;
        definitions.Journal(db, id, DefinitionJournalKinds.Suspended, user, version, row.ContentHash, null, text);
        await db.SaveChangesAsync(cancellationToken);
        return row;
    }

    public async Task<DefinitionVersionRecord> ResumeAsync(ApprovalDbContext db, string id, int version, string user, string? reason, CancellationToken cancellationToken)
    {
        var text = Require.OptionalText(reason, "reason", 1000);
        var row = await VersionAsync(db, id, version, cancellationToken);
        if (row.SuspendedAt is null) throw ApiProblemException.Conflict($"'{id}' v{version} is not suspended.");
        row.SuspendedAt = null;
        row.SuspendedBy = null;
        row.SuspendReason = null;
        definitions.Journal(db, id, DefinitionJournalKinds.Resumed, user, version, row.ContentHash, null, string.IsNullOrWhiteSpace(text) ? null : text.Trim());
        await db.SaveChangesAsync(cancellationToken);
        return row;
    }

    /// <summary>
    /// Identical content is not a new version (issue 14): every route that publishes (submit, approve) refuses content
    /// whose hash equals the published version's, so the version list never holds two identical neighbours.
    /// </summary>
    private static async Task RefuseIdenticalAsync(ApprovalDbContext db, DefinitionRecord record, string hash, string what, CancellationToken cancellationToken)
    {
        if (record.PublishedVersion is not { } current) return;
        var currentHash = await db.DefinitionVersions.AsNoTracking().Where(v => v.DefinitionId == record.Id && v.Version == current).Select(v => v.ContentHash).FirstAsync(cancellationToken);
        if (currentHash == hash) throw ApiProblemException.Conflict($"{what} equals the published version {current}: identical content is not a new version.");
    }

    private static async Task<PublishRequestRecord> PendingAsync(ApprovalDbContext db, Guid requestId, CancellationToken cancellationToken)
    {
        var request = await db.PublishRequests.FirstOrDefaultAsync(r => r.Id == requestId, cancellationToken)
            ?? throw ApiProblemException.NotFound($"No publish request '{requestId}'.");
        if (request.Status != PublishRequestStatuses.Pending)
        {
            throw ApiProblemException.Conflict($"The publish request is already {request.Status} by {request.DecidedBy}.");
        }
        return request;
    }

    private static async Task<DefinitionVersionRecord> VersionAsync(ApprovalDbContext db, string id, int version, CancellationToken cancellationToken)
    {
        if (!await db.Definitions.AnyAsync(d => d.Id == id, cancellationToken)) throw ApiProblemException.NotFound($"No definition '{id}'.");
        return await db.DefinitionVersions.FirstOrDefaultAsync(v => v.DefinitionId == id && v.Version == version, cancellationToken)
            ?? throw ApiProblemException.NotFound($"'{id}' has no version {version}.");
    }
}
