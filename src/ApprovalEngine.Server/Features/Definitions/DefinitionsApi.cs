using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Matrix;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Definitions;

public sealed record DefinitionSummary(string Id, string Name, string? Description, int LatestVersion, int? PublishedVersion, bool HasDraft, DateTimeOffset UpdatedAt);

/// <summary>
/// One version or the draft. <see cref="PublishedVersion"/> is the definition's published version now (a draft is
/// "based on" it: publishing diffs against it); <see cref="HasDraft"/> says whether a draft exists besides this.
/// </summary>
public sealed record DefinitionVersionView(string Id, int? Version, bool IsPublished, DateTimeOffset CreatedAt, string? CreatedBy, JsonNode Definition, int? PublishedVersion, bool HasDraft);

/// <summary>A saved draft: drafts are saved with their problems (<see cref="Valid"/> false, <see cref="Errors"/> listed); publishing refuses them until fixed.</summary>
public sealed record DraftSaved(string Id, DateTimeOffset SavedAt, bool Valid, IReadOnlyList<ValidationErrorView> Errors);

public sealed record Published(int Version);

public sealed record VersionInfo(int Version, DateTimeOffset PublishedAt, string? PublishedBy, bool IsCurrent, string ContentHash, bool Suspended, DateTimeOffset? SuspendedAt, string? SuspendedBy, string? SuspendReason);

/// <summary>One problem. For a problem in an expression, <c>at</c> is where in its text (1-based line and column, 0-based
/// offset and length), exactly as <c>POST /api/expressions/check</c> reports it, and <c>message</c> does not repeat it.</summary>
public sealed record ValidationErrorView(string Path, string Message, string? ActivityId, Features.Expressions.SourcePosition? At = null);

public sealed record ValidationReport(bool Valid, IReadOnlyList<ValidationErrorView> Errors);

public sealed record MatrixView(string DefinitionId, int Version, IReadOnlyList<MatrixRow> Rows);

/// <summary>Definitions: list, read any version or the draft, save drafts, validate, version history, status matrix. Publishing: <see cref="PublishingApi"/>.</summary>
public static class DefinitionsApi
{
    public static RouteGroupBuilder MapDefinitionsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/definitions").WithTags("Definitions").ProducesProblems(400, 401);
        group.MapGet("/", List).WithName("listDefinitions").WithSummary("List workflow definitions");
        group.MapGet("/schema", Schema).Produces<object>(200, "application/schema+json").WithName("getDefinitionSchema").WithSummary("Get the JSON Schema a workflow definition follows");
        // Validate reports what the expression check reports (and more), so it is behind the same right.
        group.MapPost("/validate", Validate).RequireAuthorization(Policies.EditDefinitions).ProducesProblems(403).WithName("validateDefinition").WithSummary("Check a workflow definition without saving it");
        group.MapGet("/{id}", Get).ProducesProblems(404).WithName("getDefinition").WithSummary("Get a definition: the published version or a given one");
        group.MapGet("/{id}/draft", GetDraft).ProducesProblems(404).WithName("getDraft").WithSummary("Get the draft of a definition");
        group.MapGet("/{id}/editable", GetEditable).ProducesProblems(404).WithName("getEditableDefinition").WithSummary("Get what the designer edits: the draft, else the published version");
        // The matrix of an unsaved draft serves the designer: those who edit definitions (it walks a body they send).
        group.MapPost("/matrix", MatrixOf).RequireAuthorization(Policies.EditDefinitions).ProducesProblems(403, 422).WithName("getStatusMatrixOfDefinition").WithSummary("Get the status matrix of a definition sent in the body (e.g. an unsaved draft)");
        group.MapPut("/{id}/draft", SaveDraft).RequireAuthorization(Policies.EditDefinitions).ProducesProblems(403, 422).WithName("saveDraft").WithSummary("Save the draft of a definition");
        group.MapGet("/{id}/versions", Versions).ProducesProblems(404).WithName("listDefinitionVersions").WithSummary("List the versions of a definition");
        group.MapGet("/{id}/matrix", Matrix).ProducesProblems(404, 422).WithName("getStatusMatrix").WithSummary("Get the status matrix of a definition version");
        return group;
    }

    private static async Task<Ok<Paged<DefinitionSummary>>> List(ApprovalDbContext db, int? page, int? pageSize, CancellationToken ct)
    {
        var (p, s) = Paging.Check(page, pageSize);
        var query = db.Definitions.AsNoTracking();
        var total = await query.CountAsync(ct);
        var items = await query.OrderBy(d => d.Id).Skip((p - 1) * s).Take(s)
            .Select(d => new DefinitionSummary(d.Id, d.Name, d.Description, d.LatestVersion, d.PublishedVersion, d.DraftJson != null, d.UpdatedAt))
            .ToListAsync(ct);
        return TypedResults.Ok(new Paged<DefinitionSummary>(items, total, p, s));
    }

    private static IResult Schema() => TypedResults.Text(DefinitionSchema.Json, "application/schema+json");

    private static async Task<Ok<ValidationReport>> Validate(JsonNode? body, ApprovalDbContext db, DefinitionService definitions, CancellationToken ct)
    {
        var (definition, errors) = DefinitionService.Parse(body);
        if (definition is not null) errors.AddRange(await definitions.ValidateAsync(db, definition, ct));
        return TypedResults.Ok(new ValidationReport(errors.Count == 0, [.. errors.Select(e => new ValidationErrorView(e.Path, e.Message, e.ActivityId, e.At is { } at ? Features.Expressions.SourcePosition.From(at) : null))]));
    }

    private static async Task<Ok<DefinitionVersionView>> Get(string id, int? version, ApprovalDbContext db, CancellationToken ct)
    {
        var record = await db.Definitions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct)
            ?? throw ApiProblemException.NotFound($"No definition '{id}'.");
        var wanted = version ?? record.PublishedVersion ?? throw ApiProblemException.NotFound($"'{id}' has no published version yet; read its draft.");
        var row = await db.DefinitionVersions.AsNoTracking().FirstOrDefaultAsync(v => v.DefinitionId == id && v.Version == wanted, ct)
            ?? throw ApiProblemException.NotFound($"'{id}' has no version {wanted}.");
        return TypedResults.Ok(new DefinitionVersionView(id, row.Version, true, row.PublishedAt, row.PublishedBy, JsonNode.Parse(row.Json)!, record.PublishedVersion, record.DraftJson is not null));
    }

    private static async Task<Ok<DefinitionVersionView>> GetDraft(string id, ApprovalDbContext db, CancellationToken ct)
    {
        var record = await db.Definitions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct);
        if (record?.DraftJson is null) throw ApiProblemException.NotFound($"'{id}' has no draft.");
        return TypedResults.Ok(Draft(record));
    }

    private static DefinitionVersionView Draft(DefinitionRecord record) =>
        new(record.Id, null, false, record.DraftSavedAt ?? record.UpdatedAt, record.DraftSavedBy, JsonNode.Parse(record.DraftJson!)!, record.PublishedVersion, true);

    /// <summary>
    /// What the designer opens: the draft when there is one, otherwise the published version — one answer, so opening a
    /// definition without a draft no longer costs a 404 on /draft first (issue 14). 404 only for an unknown definition.
    /// </summary>
    private static async Task<Ok<DefinitionVersionView>> GetEditable(string id, ApprovalDbContext db, CancellationToken ct)
    {
        var record = await db.Definitions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct)
            ?? throw ApiProblemException.NotFound($"No definition '{id}'.");
        if (record.DraftJson is not null) return TypedResults.Ok(Draft(record));
        var row = await db.DefinitionVersions.AsNoTracking().FirstOrDefaultAsync(v => v.DefinitionId == id && v.Version == record.PublishedVersion, ct)
            ?? throw ApiProblemException.NotFound($"'{id}' has neither a draft nor a published version.");
        return TypedResults.Ok(new DefinitionVersionView(id, row.Version, true, row.PublishedAt, row.PublishedBy, JsonNode.Parse(row.Json)!, record.PublishedVersion, false));
    }

    /// <summary>
    /// The status matrix of a definition sent in the body — the designer's editor state, saved or not — so analysts see
    /// the draft's matrix before publishing. A pure computation like validate: nothing is stored. Version is 0 (a draft).
    /// </summary>
    private static Ok<MatrixView> MatrixOf(JsonNode? body)
    {
        var (definition, errors) = DefinitionService.Parse(body);
        if (definition is null) throw DefinitionService.Invalid(errors);
        try
        {
            return TypedResults.Ok(new MatrixView(definition.Id, 0, StatusMatrix.Build(definition, StatusMatrix.DefaultStepBudget)));
        }
        catch (StatusMatrix.TooManyPathsException ex)
        {
            throw ApiProblemException.Invalid("/", ex.Message);
        }
    }

    private static async Task<Ok<DraftSaved>> SaveDraft(string id, JsonNode? body, HttpContext http, ApprovalDbContext db, DefinitionService definitions, CancellationToken ct)
    {
        // Only a document of the wrong shape is refused; an unfinished flow is saved and its problems are returned.
        var (definition, blocking, content) = DefinitionService.ParseDraft(body);
        if (definition is null) throw DefinitionService.Invalid(blocking);
        var (record, problems) = await definitions.SaveDraftAsync(db, id, definition, content, http.User.UserId(), ct);
        return TypedResults.Ok(new DraftSaved(id, record.DraftSavedAt!.Value, problems.Count == 0, [.. problems.Select(e => new ValidationErrorView(e.Path, e.Message, e.ActivityId))]));
    }

    private static async Task<Ok<IReadOnlyList<VersionInfo>>> Versions(string id, ApprovalDbContext db, CancellationToken ct)
    {
        var record = await db.Definitions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct)
            ?? throw ApiProblemException.NotFound($"No definition '{id}'.");
        var rows = await db.DefinitionVersions.AsNoTracking().Where(v => v.DefinitionId == id).OrderByDescending(v => v.Version)
            .Select(v => new { v.Version, v.PublishedAt, v.PublishedBy, v.ContentHash, v.SuspendedAt, v.SuspendedBy, v.SuspendReason }).ToListAsync(ct);
        return TypedResults.Ok<IReadOnlyList<VersionInfo>>([.. rows.Select(v => new VersionInfo(v.Version, v.PublishedAt, v.PublishedBy, v.Version == record.PublishedVersion,
            v.ContentHash, v.SuspendedAt is not null, v.SuspendedAt, v.SuspendedBy, v.SuspendReason))]);
    }

    private static async Task<Ok<MatrixView>> Matrix(string id, int? version, ApprovalDbContext db, DefinitionCache cache, DefinitionService definitions, CancellationToken ct)
    {
        var record = await db.Definitions.AsNoTracking().FirstOrDefaultAsync(d => d.Id == id, ct)
            ?? throw ApiProblemException.NotFound($"No definition '{id}'.");
        WorkflowDefinition definition;
        if (version is null && record.PublishedVersion is null && record.DraftJson is not null)
        {
            // A draft may be saved with problems; the matrix is built from a valid one only.
            definition = await definitions.RequireValidAsync(db, record.DraftJson, ct);
        }
        else
        {
            var wanted = version ?? record.PublishedVersion ?? throw ApiProblemException.NotFound($"'{id}' has no published version.");
            definition = await cache.GetAsync(db, id, wanted, ct) ?? throw ApiProblemException.NotFound($"'{id}' has no version {wanted}.");
        }
        // The same budgets as the draft's matrix: a valid definition may still have exponentially many paths, and this
        // route is open to every signed-in user.
        try
        {
            return TypedResults.Ok(new MatrixView(id, definition.Version, StatusMatrix.Build(definition, StatusMatrix.DefaultStepBudget)));
        }
        catch (StatusMatrix.TooManyPathsException ex)
        {
            throw ApiProblemException.Invalid("/", ex.Message);
        }
    }
}
