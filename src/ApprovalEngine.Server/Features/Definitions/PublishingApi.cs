using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Validation;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Definitions;

public sealed record PublishSubmission(string? Note);

public sealed record RejectPublishRequest(string? Reason);

public sealed record SuspendVersionRequest(string? Reason);

/// <summary>A publish request; <see cref="Stale"/> when the published version moved since it was submitted (approval would be refused).</summary>
public sealed record PublishRequestView(
    Guid Id,
    string DefinitionId,
    string Status,
    string ContentHash,
    int? BaseVersion,
    string? Note,
    string SubmittedBy,
    DateTimeOffset SubmittedAt,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? DecisionReason,
    int? PublishedVersion,
    bool Stale,
    ValidationReport? Validation);

/// <summary>Everything a reviewer needs: the snapshot, what it would replace, the diff and the validation re-run now.</summary>
public sealed record PublishRequestDetail(PublishRequestView Request, JsonNode Definition, int? PublishedVersion, JsonNode? Published, DefinitionDiff Diff, ValidationReport Validation);

public sealed record DefinitionJournalEntryView(long Id, string DefinitionId, DateTimeOffset Timestamp, string Kind, int? Version, string? ContentHash, Guid? RequestId, string UserId, string? Note);

/// <summary>Publishing by two analysts (ADR 7): submit, review (diff + validation), approve or reject; suspend and resume versions; the definition journal.</summary>
public static class PublishingApi
{
    public static void MapPublishingApi(this IEndpointRouteBuilder app)
    {
        var definitions = app.MapGroup("/api/definitions").WithTags("Publishing").ProducesProblems(400, 401, 403);
        // Bodies are optional and read by hand (OptionalJsonBody), so that a POST without any body still reaches the route.
        definitions.MapPost("/{id}/publish", Submit).RequireAuthorization(Policies.EditDefinitions).ProducesProblems(404, 409, 415, 422).WithName("requestPublication").WithSummary("Ask for the draft to be published (a second person approves)");
        definitions.MapGet("/{id}/publish-requests", ListForDefinition).RequireAuthorization(Policies.ReviewDefinitions).ProducesProblems(404).WithName("listDefinitionPublishRequests").WithSummary("List the publish requests of a definition");
        definitions.MapGet("/{id}/journal", Journal).RequireAuthorization(Policies.ReviewDefinitions).ProducesProblems(404).WithName("getDefinitionJournal").WithSummary("Read the journal of a definition (drafts, publications, suspensions)");
        definitions.MapPost("/{id}/versions/{version:int}/suspend", Suspend).RequireAuthorization(Policies.ApproveDefinitions).ProducesProblems(404, 409, 422).WithName("suspendVersion").WithSummary("Suspend a published version: it starts no new instances");
        definitions.MapPost("/{id}/versions/{version:int}/resume", Resume).RequireAuthorization(Policies.ApproveDefinitions).ProducesProblems(404, 409, 422).WithName("resumeVersion").WithSummary("Resume a suspended version");

        var requests = app.MapGroup("/api/publish-requests").WithTags("Publishing").ProducesProblems(400, 401, 403);
        requests.MapGet("/", List).RequireAuthorization(Policies.ReviewDefinitions).WithName("listPublishRequests").WithSummary("List publish requests");
        requests.MapGet("/{requestId}", Get).RequireAuthorization(Policies.ReviewDefinitions).ProducesProblems(404).WithName("getPublishRequest").WithSummary("Get a publish request with its changes");
        requests.MapPost("/{requestId}/impact", Impact).RequireAuthorization(Policies.ReviewDefinitions).ProducesProblems(404, 422).WithName("previewPublishRequestImpact").WithSummary("Preview the impact of a publish request's snapshot on recent instances");
        requests.MapPost("/{requestId}/approve", Approve).RequireAuthorization(Policies.ApproveDefinitions).ProducesProblems(404, 409, 422).WithName("approvePublishRequest").WithSummary("Approve a publish request: the version goes live");
        requests.MapPost("/{requestId}/reject", Reject).RequireAuthorization(Policies.ApproveDefinitions).ProducesProblems(404, 409, 422).WithName("rejectPublishRequest").WithSummary("Reject a publish request");
    }

    private static async Task<Accepted<PublishRequestView>> Submit(string id, HttpContext http, ApprovalDbContext db, PublishingService publishing, CancellationToken ct)
    {
        var body = await OptionalJsonBody.ReadAsync<PublishSubmission>(http.Request, ct);
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        var submission = await publishing.SubmitAsync(db, id, http.User.UserId(), body?.Note, ct);
        await transaction.CommitAsync(ct);
        var view = ToView(submission.Request, submission.Request.BaseVersion, Report(submission.Validation));
        return TypedResults.Accepted($"/api/publish-requests/{view.Id}", view);
    }

    private static async Task<Ok<Paged<PublishRequestView>>> List(ApprovalDbContext db, string? status, string? definitionId, int? page, int? pageSize, CancellationToken ct) =>
        TypedResults.Ok(await PageAsync(db, status, definitionId, page, pageSize, ct));

    private static async Task<Ok<Paged<PublishRequestView>>> ListForDefinition(string id, ApprovalDbContext db, string? status, int? page, int? pageSize, CancellationToken ct)
    {
        if (!await db.Definitions.AnyAsync(d => d.Id == id, ct)) throw ApiProblemException.NotFound($"No definition '{id}'.");
        return TypedResults.Ok(await PageAsync(db, status, id, page, pageSize, ct));
    }

    private static async Task<Paged<PublishRequestView>> PageAsync(ApprovalDbContext db, string? status, string? definitionId, int? page, int? pageSize, CancellationToken ct)
    {
        var (p, s) = Paging.Check(page, pageSize);
        var query = db.PublishRequests.AsNoTracking();
        if (!string.IsNullOrEmpty(status))
        {
            string[] known = [PublishRequestStatuses.Pending, PublishRequestStatuses.Approved, PublishRequestStatuses.Rejected];
            var match = known.FirstOrDefault(k => string.Equals(k, status, StringComparison.OrdinalIgnoreCase))
                ?? throw ApiProblemException.BadRequest("status", $"status must be one of {string.Join(", ", known)}.");
            query = query.Where(r => r.Status == match);
        }
        if (!string.IsNullOrEmpty(definitionId)) query = query.Where(r => r.DefinitionId == definitionId);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(r => r.SubmittedAt).ThenBy(r => r.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        var ids = rows.Select(r => r.DefinitionId).Distinct().ToList();
        var current = await db.Definitions.AsNoTracking().Where(d => ids.Contains(d.Id)).ToDictionaryAsync(d => d.Id, d => d.PublishedVersion, ct);
        return new Paged<PublishRequestView>([.. rows.Select(r => ToView(r, current.GetValueOrDefault(r.DefinitionId), null))], total, p, s);
    }

    private static async Task<Ok<PublishRequestDetail>> Get(string requestId, ApprovalDbContext db, DefinitionService definitions, CancellationToken ct)
    {
        var id = Require.Id(requestId, "publish request");
        var request = await db.PublishRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct)
            ?? throw ApiProblemException.NotFound($"No publish request '{requestId}'.");
        var record = await db.Definitions.AsNoTracking().FirstAsync(d => d.Id == request.DefinitionId, ct);
        var snapshot = JsonNode.Parse(request.Json)!.AsObject();
        JsonObject? published = null;
        if (record.PublishedVersion is { } version)
        {
            var json = await db.DefinitionVersions.AsNoTracking().Where(v => v.DefinitionId == record.Id && v.Version == version).Select(v => v.Json).FirstAsync(ct);
            published = JsonNode.Parse(json)!.AsObject();
        }
        // Validated again now: a flow it calls may have changed since it was submitted.
        var validation = Report(await definitions.ValidateAsync(db, DefinitionJson.Parse(request.Json), ct));
        return TypedResults.Ok(new PublishRequestDetail(ToView(request, record.PublishedVersion, validation), snapshot, record.PublishedVersion, published,
            DefinitionDiff.Compute(published, snapshot), validation));
    }

    /// <summary>
    /// The impact preview (ADR 11) of exactly the snapshot the reviewer would approve — not the draft, which may have
    /// moved on since — so the reviewer sees which recent instances it would treat differently.
    /// </summary>
    private static async Task<Ok<ImpactReport>> Impact(string requestId, int? limit, ApprovalDbContext db, ApprovalEngine.Workflows.Activities.ActivityRegistry registry,
        ApprovalEngine.Workflows.Runtime.WorkflowEngine engine, CancellationToken ct)
    {
        var id = Require.Id(requestId, "publish request");
        var take = limit ?? ImpactApi.DefaultLimit;
        if (take is < 1 or > ImpactApi.MaxLimit) throw ApiProblemException.Invalid("limit", $"limit must be between 1 and {ImpactApi.MaxLimit}.");
        var request = await db.PublishRequests.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct)
            ?? throw ApiProblemException.NotFound($"No publish request '{requestId}'.");
        var snapshot = DefinitionJson.Parse(request.Json);
        return TypedResults.Ok(await new ImpactPreview(db, registry, engine.Options).RunAsync(request.DefinitionId, snapshot, take, ct));
    }

    private static async Task<Ok<Published>> Approve(string requestId, HttpContext http, ApprovalDbContext db, PublishingService publishing, CancellationToken ct)
    {
        var id = Require.Id(requestId, "publish request");
        await using var transaction = await db.Database.BeginTransactionAsync(ct);
        try
        {
            var version = await publishing.ApproveAsync(db, id, http.User.UserId(), ct);
            await transaction.CommitAsync(ct);
            return TypedResults.Ok(new Published(version));
        }
        catch (DbUpdateException)
        {
            throw ApiProblemException.Conflict("Another publish request was approved or this one was decided at the same moment; reload and try again.");
        }
    }

    private static async Task<Ok<PublishRequestView>> Reject(string requestId, HttpContext http, ApprovalDbContext db, PublishingService publishing, CancellationToken ct)
    {
        var id = Require.Id(requestId, "publish request");
        var body = await OptionalJsonBody.ReadAsync<RejectPublishRequest>(http.Request, ct);
        try
        {
            var request = await publishing.RejectAsync(db, id, http.User.UserId(), body?.Reason, ct);
            var current = await db.Definitions.AsNoTracking().Where(d => d.Id == request.DefinitionId).Select(d => d.PublishedVersion).FirstAsync(ct);
            return TypedResults.Ok(ToView(request, current, null));
        }
        catch (DbUpdateException)
        {
            throw ApiProblemException.Conflict("The publish request was decided at the same moment; reload.");
        }
    }

    private static async Task<Ok<VersionInfo>> Suspend(string id, int version, HttpContext http, ApprovalDbContext db, PublishingService publishing, CancellationToken ct)
    {
        var body = await OptionalJsonBody.ReadAsync<SuspendVersionRequest>(http.Request, ct);
        return TypedResults.Ok(await VersionViewAsync(db, await publishing.SuspendAsync(db, id, version, http.User.UserId(), body?.Reason, ct), ct));
    }

    private static async Task<Ok<VersionInfo>> Resume(string id, int version, HttpContext http, ApprovalDbContext db, PublishingService publishing, CancellationToken ct)
    {
        var body = await OptionalJsonBody.ReadAsync<SuspendVersionRequest>(http.Request, ct);
        return TypedResults.Ok(await VersionViewAsync(db, await publishing.ResumeAsync(db, id, version, http.User.UserId(), body?.Reason, ct), ct));
    }

    private static async Task<VersionInfo> VersionViewAsync(ApprovalDbContext db, DefinitionVersionRecord v, CancellationToken ct)
    {
        var current = await db.Definitions.AsNoTracking().Where(d => d.Id == v.DefinitionId).Select(d => d.PublishedVersion).FirstAsync(ct);
        return new VersionInfo(v.Version, v.PublishedAt, v.PublishedBy, v.Version == current, v.ContentHash, v.SuspendedAt is not null, v.SuspendedAt, v.SuspendedBy, v.SuspendReason);
    }

    private static async Task<Ok<Paged<DefinitionJournalEntryView>>> Journal(string id, ApprovalDbContext db, int? page, int? pageSize, CancellationToken ct)
    {
        if (!await db.Definitions.AnyAsync(d => d.Id == id, ct)) throw ApiProblemException.NotFound($"No definition '{id}'.");
        var (p, s) = Paging.Check(page, pageSize);
        var query = db.DefinitionJournal.AsNoTracking().Where(j => j.DefinitionId == id);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderBy(j => j.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<DefinitionJournalEntryView>([.. rows.Select(j => new DefinitionJournalEntryView(j.Id, j.DefinitionId, j.Timestamp, j.Kind, j.Version, j.ContentHash, j.RequestId, j.UserId, j.Note))], total, p, s));
    }

    private static ValidationReport Report(IReadOnlyList<ValidationError> errors) =>
        new(errors.Count == 0, [.. errors.Select(e => new ValidationErrorView(e.Path, e.Message, e.ActivityId))]);

    private static PublishRequestView ToView(PublishRequestRecord r, int? currentVersion, ValidationReport? validation) =>
        new(r.Id, r.DefinitionId, r.Status, r.ContentHash, r.BaseVersion, r.Note, r.SubmittedBy, r.SubmittedAt, r.DecidedBy, r.DecidedAt, r.DecisionReason, r.PublishedVersion,
            r.Status == PublishRequestStatuses.Pending && r.BaseVersion != currentVersion, validation);
}
