using System.Text.Json;
using ApprovalEngine.Hosting;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Migrations;

/// <param name="Mapping">Source activity id → target activity id; ids not named keep their id, which the target must have.</param>
/// <param name="InstanceIds">The instances to move; omitted: every running instance on <paramref name="FromVersion"/> (at most <see cref="InstanceMigrationsApi.MaxInstances"/>, oldest first).</param>
public sealed record InstanceMigrationRequest(int? FromVersion, int? ToVersion, Dictionary<string, string>? Mapping, IReadOnlyList<Guid>? InstanceIds, string? Note);

/// <summary>What the move would do to one instance, or why it cannot move.</summary>
public sealed record InstanceMigrationPlanView(Guid InstanceId, string? BusinessStatus, bool Ready, IReadOnlyList<MigrationMove> Moves, IReadOnlyList<string> Problems, IReadOnlyList<string> Notes);

/// <param name="Unmapped">Activities instances wait at that the target version lacks and the mapping does not name: map these.</param>
/// <param name="More">More running instances are on the source version than one request takes; move them in another request.</param>
public sealed record InstanceMigrationPreview(string DefinitionId, int FromVersion, int ToVersion, int Ready, int Refused, IReadOnlyList<string> Unmapped, IReadOnlyList<InstanceMigrationPlanView> Instances, bool More);

/// <param name="Outcome">Migrated, AlreadyMigrated (a continued request), Refused (see problems) or Missing.</param>
public sealed record InstanceMigrationResult(Guid InstanceId, string Outcome, IReadOnlyList<string> Problems);

public sealed record InstanceMigrationView(
    Guid Id,
    string DefinitionId,
    int FromVersion,
    int ToVersion,
    IReadOnlyDictionary<string, string> Mapping,
    IReadOnlyList<Guid> InstanceIds,
    string Status,
    string? Note,
    string SubmittedBy,
    DateTimeOffset SubmittedAt,
    string? DecidedBy,
    DateTimeOffset? DecidedAt,
    string? DecisionReason,
    IReadOnlyList<InstanceMigrationResult>? Results);

/// <summary>A request with what it would do now (instances may have moved on since it was submitted).</summary>
public sealed record InstanceMigrationDetail(InstanceMigrationView Request, InstanceMigrationPreview Preview);

public sealed record RejectInstanceMigration(string? Reason);

/// <summary>
/// Instance migration (ADR 12): preview a move of running instances to another version with an activity mapping,
/// submit it, and have a second analyst apply it — each instance atomically, journaled on the instance and the
/// definition. Analysts see instance ids, their waits and the names of variables, never variable values.
/// </summary>
public static class InstanceMigrationsApi
{
    public const int MaxInstances = 1000;
    private const int MaxMappings = 500;

    public static void MapInstanceMigrationsApi(this IEndpointRouteBuilder app)
    {
        var definitions = app.MapGroup("/api/definitions").WithTags("Instance migration").ProducesProblems(400, 401, 403, 404, 422);
        definitions.MapPost("/{id}/migrations/preview", Preview).RequireAuthorization(Policies.EditDefinitions).WithName("previewInstanceMigration").WithSummary("Preview moving running instances to another version");
        definitions.MapPost("/{id}/migrations", Submit).RequireAuthorization(Policies.EditDefinitions).ProducesProblems(409).WithName("requestInstanceMigration").WithSummary("Ask for running instances to be moved to another version");

        var requests = app.MapGroup("/api/instance-migrations").WithTags("Instance migration").ProducesProblems(400, 401, 403);
        requests.MapGet("/", List).RequireAuthorization(Policies.ReviewDefinitions).WithName("listInstanceMigrations").WithSummary("List instance migration requests");
        requests.MapGet("/{migrationId}", Get).RequireAuthorization(Policies.ReviewDefinitions).ProducesProblems(404).WithName("getInstanceMigration").WithSummary("Get an instance migration request");
        requests.MapPost("/{migrationId}/approve", Approve).RequireAuthorization(Policies.ApproveDefinitions).ProducesProblems(404, 409).WithName("approveInstanceMigration").WithSummary("Approve an instance migration: the instances move");
        requests.MapPost("/{migrationId}/reject", Reject).RequireAuthorization(Policies.ApproveDefinitions).ProducesProblems(404, 409, 422).WithName("rejectInstanceMigration").WithSummary("Reject an instance migration");
    }

    private static async Task<Ok<InstanceMigrationPreview>> Preview(string id, InstanceMigrationRequest? request, ApprovalDbContext db, DefinitionCache cache, CancellationToken ct)
    {
        var (from, to, mapping) = await CheckAsync(db, cache, id, request, ct);
        var ids = await SelectAsync(db, id, from.Version, request!.InstanceIds, ct);
        return TypedResults.Ok(await PlanAsync(db, from, to, mapping, ids.Ids, ids.More, ct));
    }

    private static async Task<Accepted<InstanceMigrationView>> Submit(string id, InstanceMigrationRequest? request, HttpContext http, ApprovalDbContext db, DefinitionCache cache,
        DefinitionService definitions, TimeProvider clock, CancellationToken ct)
    {
        var (from, to, mapping) = await CheckAsync(db, cache, id, request, ct);
        var note = Require.OptionalText(request!.Note, "note", 2000);
        var (ids, _) = await SelectAsync(db, id, from.Version, request.InstanceIds, ct);
        if (ids.Count == 0) throw ApiProblemException.Invalid("instanceIds", $"No running instance of '{id}' is on v{from.Version}.");
        var preview = await PlanAsync(db, from, to, mapping, ids, false, ct);
        // A request that cannot move a single instance would only be approved to fail; one that moves some is allowed,
        // and the reviewer sees which are refused and why.
        if (preview.Ready == 0)
        {
            throw ApiProblemException.Invalid(new Dictionary<string, string[]> { ["mapping"] = [.. preview.Instances.SelectMany(i => i.Problems).Distinct().Take(20)] },
                "No instance could move with this mapping.");
        }
        var user = http.User.UserId();
        var record = new InstanceMigrationRecord
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            DefinitionId = id,
            FromVersion = from.Version,
            ToVersion = to.Version,
            MappingJson = JsonSerializer.Serialize(mapping),
            InstanceIdsJson = JsonSerializer.Serialize(ids),
            Status = InstanceMigrationStatuses.Pending,
            Note = note,
            SubmittedBy = user,
            SubmittedAt = clock.GetUtcNow(),
        };
        db.InstanceMigrations.Add(record);
        definitions.Journal(db, id, DefinitionJournalKinds.MigrationSubmitted, user, to.Version, null, record.Id,
            $"v{from.Version} → v{to.Version}, {ids.Count} instance(s){(note is null ? "" : ": " + note)}");
        await db.SaveChangesAsync(ct);
        return TypedResults.Accepted($"/api/instance-migrations/{record.Id}", ToView(record));
    }

    private static async Task<Ok<Paged<InstanceMigrationView>>> List(ApprovalDbContext db, string? definitionId, string? status, int? page, int? pageSize, CancellationToken ct)
    {
        var (p, s) = Paging.Check(page, pageSize);
        var query = db.InstanceMigrations.AsNoTracking();
        if (!string.IsNullOrEmpty(definitionId)) query = query.Where(m => m.DefinitionId == definitionId);
        if (!string.IsNullOrEmpty(status))
        {
            string[] known = [InstanceMigrationStatuses.Pending, InstanceMigrationStatuses.Applying, InstanceMigrationStatuses.Applied, InstanceMigrationStatuses.PartiallyApplied, InstanceMigrationStatuses.Rejected];
            var match = known.FirstOrDefault(k => string.Equals(k, status, StringComparison.OrdinalIgnoreCase))
                ?? throw ApiProblemException.BadRequest("status", $"status must be one of {string.Join(", ", known)}.");
            query = query.Where(m => m.Status == match);
        }
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(m => m.SubmittedAt).ThenBy(m => m.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<InstanceMigrationView>([.. rows.Select(ToView)], total, p, s));
    }

    private static async Task<Ok<InstanceMigrationDetail>> Get(string migrationId, ApprovalDbContext db, DefinitionCache cache, CancellationToken ct)
    {
        var record = await FindAsync(db, migrationId, ct);
        var from = await cache.GetAsync(db, record.DefinitionId, record.FromVersion, ct);
        var to = await cache.GetAsync(db, record.DefinitionId, record.ToVersion, ct);
        var view = ToView(record);
        var preview = await PlanAsync(db, from!, to!, view.Mapping, view.InstanceIds, false, ct);
        return TypedResults.Ok(new InstanceMigrationDetail(view, preview));
    }

    /// <summary>
    /// Applies the request: each instance in its own transaction (all of its rows or none), in order. The request is
    /// claimed first (Pending → Applying, a concurrency token), so two approvals cannot both run it; a request left
    /// Applying by a node that died is continued by the same approver, and instances already moved are reported so.
    /// </summary>
    private static async Task<Ok<InstanceMigrationView>> Approve(string migrationId, HttpContext http, ApprovalDbContext db, WorkflowRunner runner, DefinitionCache cache,
        DefinitionService definitions, TimeProvider clock, CancellationToken ct)
    {
        var record = await FindAsync(db, migrationId, ct, tracked: true);
        var user = http.User.UserId();
        if (record.SubmittedBy == user)
        {
            throw ApiProblemException.Forbidden($"Four eyes: {user} submitted this migration and cannot approve it; another analyst holding '{Rights.ApproveDefinitions}' must review it.");
        }
        var continuing = record.Status == InstanceMigrationStatuses.Applying && record.DecidedBy == user;
        if (record.Status != InstanceMigrationStatuses.Pending && !continuing)
        {
            throw ApiProblemException.Conflict($"The migration is {record.Status}{(record.DecidedBy is null ? "" : $" by {record.DecidedBy}")}.");
        }
        var to = await cache.GetAsync(db, record.DefinitionId, record.ToVersion, ct)
            ?? throw ApiProblemException.Conflict($"v{record.ToVersion} of '{record.DefinitionId}' is gone.");
        await EnsureNotSuspendedAsync(db, record.DefinitionId, record.ToVersion, ct);
        if (!continuing)
        {
            record.Status = InstanceMigrationStatuses.Applying;
            record.DecidedBy = user;
            record.DecidedAt = clock.GetUtcNow();
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateConcurrencyException)
            {
                throw ApiProblemException.Conflict("Another analyst decided this migration at the same moment; reload it.");
            }
        }

        var view = ToView(record);
        var actor = http.ToActor();
        var comment = $"Migration {record.Id} submitted by {record.SubmittedBy}{(record.Note is null ? "" : ": " + record.Note)}";
        var results = new List<InstanceMigrationResult>();
        foreach (var instanceId in view.InstanceIds)
        {
            results.Add(await ApplyOneAsync(runner, instanceId, record.FromVersion, to, view.Mapping, actor, comment, ct));
        }
        var migrated = results.Count(r => r.Outcome is "Migrated" or "AlreadyMigrated");
        record.Status = migrated == results.Count ? InstanceMigrationStatuses.Applied : InstanceMigrationStatuses.PartiallyApplied;
        record.ResultsJson = JsonSerializer.Serialize(results, JsonSerializerOptions.Web);
        definitions.Journal(db, record.DefinitionId, DefinitionJournalKinds.MigrationApplied, user, record.ToVersion, null, record.Id,
            $"v{record.FromVersion} → v{record.ToVersion}: {migrated} of {results.Count} instance(s) moved; submitted by {record.SubmittedBy}.");
        await db.SaveChangesAsync(ct);
        return TypedResults.Ok(ToView(record));
    }

    private static async Task<InstanceMigrationResult> ApplyOneAsync(WorkflowRunner runner, Guid instanceId, int fromVersion, WorkflowDefinition to,
        IReadOnlyDictionary<string, string> mapping, Actor actor, string comment, CancellationToken ct)
    {
        try
        {
            var moved = await runner.ExecuteAsync(async (unit, c) =>
            {
                var (definition, state) = await WorkflowRunner.LoadAsync(unit, instanceId, c);
                // Already on the target: moved by this request before its node died (or by another request).
                if (state.DefinitionVersion == to.Version) return new UnitResult<bool>(null, false);
                if (state.DefinitionVersion != fromVersion)
                {
                    throw new WorkflowConflictException($"The instance is on v{state.DefinitionVersion} now, not v{fromVersion}.");
                }
                return new UnitResult<bool>(runner.Engine.Migrate(definition, to, state, mapping, actor, comment), true);
            }, ct);
            return new InstanceMigrationResult(instanceId, moved ? "Migrated" : "AlreadyMigrated", []);
        }
        catch (WorkflowNotFoundException)
        {
            return new InstanceMigrationResult(instanceId, "Missing", ["The instance no longer exists."]);
        }
        catch (WorkflowConflictException ex)
        {
            // Moved on since the preview (finished, cancelled, now waiting somewhere the mapping does not cover).
            return new InstanceMigrationResult(instanceId, "Refused", [ex.Message]);
        }
    }

    private static async Task<Ok<InstanceMigrationView>> Reject(string migrationId, HttpContext http, ApprovalDbContext db, DefinitionService definitions, TimeProvider clock, CancellationToken ct)
    {
        var body = await OptionalJsonBody.ReadAsync<RejectInstanceMigration>(http.Request, ct);
        var reason = Require.OptionalText(body?.Reason, "reason", 2000);
        var record = await FindAsync(db, migrationId, ct, tracked: true);
        if (record.Status != InstanceMigrationStatuses.Pending) throw ApiProblemException.Conflict($"The migration is {record.Status}.");
        var user = http.User.UserId();
        record.Status = InstanceMigrationStatuses.Rejected;
        record.DecidedBy = user;
        record.DecidedAt = clock.GetUtcNow();
        record.DecisionReason = reason;
        definitions.Journal(db, record.DefinitionId, DefinitionJournalKinds.MigrationRejected, user, record.ToVersion, null, record.Id, reason);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw ApiProblemException.Conflict("Another analyst decided this migration at the same moment; reload it.");
        }
        return TypedResults.Ok(ToView(record));
    }

    private static async Task<(WorkflowDefinition From, WorkflowDefinition To, Dictionary<string, string> Mapping)> CheckAsync(ApprovalDbContext db, DefinitionCache cache, string id,
        InstanceMigrationRequest? request, CancellationToken ct)
    {
        if (request is null) throw ApiProblemException.BadRequest("body", "A JSON body with fromVersion, toVersion and mapping is required.");
        if (!await db.Definitions.AnyAsync(d => d.Id == id, ct)) throw ApiProblemException.NotFound($"No definition '{id}'.");
        if (request.FromVersion is not { } fromVersion) throw ApiProblemException.Invalid("fromVersion", "'fromVersion' is required.");
        if (request.ToVersion is not { } toVersion) throw ApiProblemException.Invalid("toVersion", "'toVersion' is required.");
        if (fromVersion == toVersion) throw ApiProblemException.Invalid("toVersion", "'toVersion' must differ from 'fromVersion'.");
        var from = (fromVersion < 1 ? null : await cache.GetAsync(db, id, fromVersion, ct))
            ?? throw ApiProblemException.Invalid("fromVersion", $"'{id}' has no v{fromVersion}.");
        var to = (toVersion < 1 ? null : await cache.GetAsync(db, id, toVersion, ct))
            ?? throw ApiProblemException.Invalid("toVersion", $"'{id}' has no v{toVersion}.");
        await EnsureNotSuspendedAsync(db, id, toVersion, ct);
        var mapping = new Dictionary<string, string>(StringComparer.Ordinal);
        if (request.Mapping is { } given)
        {
            if (given.Count > MaxMappings) throw ApiProblemException.Invalid("mapping", $"At most {MaxMappings} mappings.");
            foreach (var (source, target) in given)
            {
                if (from.FindActivity(source) is null) throw ApiProblemException.Invalid($"mapping.{Trim(source)}", $"v{fromVersion} has no activity '{Trim(source)}'.");
                if (string.IsNullOrEmpty(target) || to.FindActivity(target) is null) throw ApiProblemException.Invalid($"mapping.{source}", $"v{toVersion} has no activity '{Trim(target)}'.");
                mapping[source] = target;
            }
        }
        if (request.InstanceIds is { Count: > MaxInstances }) throw ApiProblemException.Invalid("instanceIds", $"At most {MaxInstances} instances per migration.");
        return (from, to, mapping);
    }

    private static string Trim(string? text) => text is null ? "" : text.Length > 100 ? text[..100] : text;

    private static async Task EnsureNotSuspendedAsync(ApprovalDbContext db, string id, int version, CancellationToken ct)
    {
        if (await db.DefinitionVersions.AnyAsync(v => v.DefinitionId == id && v.Version == version && v.SuspendedAt != null, ct))
        {
            throw ApiProblemException.Conflict($"v{version} of '{id}' is suspended; instances are not moved onto a suspended version.");
        }
    }

    private static async Task<(List<Guid> Ids, bool More)> SelectAsync(ApprovalDbContext db, string id, int fromVersion, IReadOnlyList<Guid>? given, CancellationToken ct)
    {
        if (given is { Count: > 0 })
        {
            var distinct = given.Distinct().ToList();
            var known = await db.Instances.AsNoTracking().Where(i => distinct.Contains(i.Id) && i.DefinitionId == id).Select(i => i.Id).ToListAsync(ct);
            if (distinct.FirstOrDefault(g => !known.Contains(g)) is var unknown && unknown != Guid.Empty)
            {
                throw ApiProblemException.Invalid("instanceIds", $"{unknown} is not an instance of '{id}'.");
            }
            return (distinct, false);
        }
        var running = InstanceStatus.Running.ToString();
        var rows = await db.Instances.AsNoTracking()
            .Where(i => i.DefinitionId == id && i.DefinitionVersion == fromVersion && i.Status == running)
            .OrderBy(i => i.CreatedAt).ThenBy(i => i.Id).Select(i => i.Id).Take(MaxInstances + 1).ToListAsync(ct);
        return (rows.Take(MaxInstances).ToList(), rows.Count > MaxInstances);
    }

    private static async Task<InstanceMigrationPreview> PlanAsync(ApprovalDbContext db, WorkflowDefinition from, WorkflowDefinition to, IReadOnlyDictionary<string, string> mapping,
        IReadOnlyList<Guid> ids, bool more, CancellationToken ct)
    {
        var plans = new List<InstanceMigrationPlanView>();
        var unmapped = new SortedSet<string>(StringComparer.Ordinal);
        // In chunks, so a thousand instances are a handful of queries, not a thousand.
        foreach (var chunk in ids.Chunk(200))
        {
            var rows = await db.Instances.AsNoTracking().Where(i => chunk.Contains(i.Id)).Select(i => new { i.Id, i.StateJson }).ToDictionaryAsync(i => i.Id, i => i.StateJson, ct);
            foreach (var id in chunk)
            {
                if (!rows.TryGetValue(id, out var json))
                {
                    plans.Add(new InstanceMigrationPlanView(id, null, false, [], ["The instance no longer exists."], []));
                    continue;
                }
                var state = InstanceStateJson.Deserialize(json);
                var plan = InstanceMigration.Plan(from, to, state, mapping);
                foreach (var b in state.Bookmarks.Where(b => !mapping.ContainsKey(b.ActivityId) && to.FindActivity(b.ActivityId) is null)) unmapped.Add(b.ActivityId);
                plans.Add(new InstanceMigrationPlanView(id, state.BusinessStatus, plan.Ready, plan.Moves, plan.Problems, plan.Notes));
            }
        }
        return new InstanceMigrationPreview(from.Id, from.Version, to.Version, plans.Count(p => p.Ready), plans.Count(p => !p.Ready), [.. unmapped], plans, more);
    }

    private static async Task<InstanceMigrationRecord> FindAsync(ApprovalDbContext db, string migrationId, CancellationToken ct, bool tracked = false)
    {
        var id = Require.Id(migrationId, "instance migration");
        var query = tracked ? db.InstanceMigrations : db.InstanceMigrations.AsNoTracking();
        return await query.FirstOrDefaultAsync(m => m.Id == id, ct) ?? throw ApiProblemException.NotFound($"No instance migration '{migrationId}'.");
    }

    private static InstanceMigrationView ToView(InstanceMigrationRecord r) => new(
        r.Id, r.DefinitionId, r.FromVersion, r.ToVersion,
        JsonSerializer.Deserialize<Dictionary<string, string>>(r.MappingJson) ?? [],
        JsonSerializer.Deserialize<List<Guid>>(r.InstanceIdsJson) ?? [],
        r.Status, r.Note, r.SubmittedBy, r.SubmittedAt, r.DecidedBy, r.DecidedAt, r.DecisionReason,
        r.ResultsJson is null ? null : JsonSerializer.Deserialize<List<InstanceMigrationResult>>(r.ResultsJson, JsonSerializerOptions.Web));
}
