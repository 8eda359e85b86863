using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <summary>A fiat configuration change held for a second holder of <c>fiat:configure</c> (ADR 15, V017).</summary>
public sealed class PendingConfigChange : PendingChangeRecord;

/// <summary>The statuses of a pending change (kept for the fiat callers; the values are <see cref="PendingChangeRecord"/>'s).</summary>
public static class PendingStatuses
{
    public const string Pending = PendingChangeRecord.Pending;
    public const string Approved = PendingChangeRecord.Approved;
    public const string Rejected = PendingChangeRecord.Rejected;
}

internal sealed class PendingConfigChangeMap : IEntityTypeConfiguration<PendingConfigChange>
{
    public void Configure(EntityTypeBuilder<PendingConfigChange> e) => PendingChangeRecord.Map(e, "fiat_config_pending_changes");
}

/// <summary>
/// Who makes a configuration change: the caller, or — when a pending change is approved — the approver, carrying the
/// proposer so that the journal names both.
/// </summary>
public sealed record ConfigCaller(string Actor, PendingConfigChange? Approving = null)
{
    public static ConfigCaller Of(HttpContext http) => new(ConfigJournal.Actor(http));

    /// <summary>True when the change must wait for a second person: it weakens a control and nobody approved it yet.</summary>
    public bool MustPropose(bool weakens) => weakens && Approving is null;

    /// <summary>The journal's reason: an approved change names its proposer and its approver.</summary>
    public string? Reason(string? reason) => Approving is null ? reason
        : $"Four eyes: proposed by {Approving.ProposedBy}, approved by {Actor} (pending change {Approving.Id})" + (reason is null ? "" : $"; {reason}");
}

public sealed record PendingDecisionBody(string? Reason);

/// <summary>
/// Four eyes on the settings that weaken controls: such a change is stored as pending (202) instead of applied, and a
/// second holder of <c>fiat:configure</c> — never the proposer — approves (the stored request is replayed, its
/// rowVersion still checked: a row changed meanwhile makes the approval a 409) or rejects it.
/// </summary>
public static class PendingChanges
{
    public const string Entity = "PendingChange";
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(RouteGroupBuilder config)
    {
        var group = config.MapGroup("/pending-changes").ProducesProblems(400, 401, 403, 404, 409, 422);
        group.MapGet("/", List).WithName("listPendingChanges").WithSummary("List configuration changes waiting for a second person");
        group.MapGet("/{id:guid}", Get).WithName("getPendingChange").WithSummary("Get a pending configuration change");
        group.MapPost("/{id:guid}/approve", Approve).WithName("approvePendingChange").WithSummary("Approve a pending configuration change: it takes effect");
        group.MapPost("/{id:guid}/reject", Reject).WithName("rejectPendingChange").WithSummary("Reject a pending configuration change");
    }

    /// <summary>Stores the change as pending, journaled as <c>Propose</c> by the proposer; answers 202 with it.</summary>
    public static async Task<Accepted<PendingChangeView>> ProposeAsync<TBody>(FiatDbContext db, ConfigCaller caller, TimeProvider time, string entity, string key, string action,
        TBody body, object? before, string summary, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(time);
        var now = time.GetUtcNow();
        var change = new PendingConfigChange
        {
            Id = Guid.CreateVersion7(now), Entity = entity, EntityKey = key, Action = action,
            Body = JsonSerializer.Serialize(body, Json), Before = before is null ? null : JsonSerializer.Serialize(before, before.GetType(), Json),
            Summary = summary, ProposedBy = caller.Actor, ProposedAt = now, RowVersion = 1,
        };
        db.Add(change);
        ConfigJournal.Add(db, caller.Actor, now, entity, key, "Propose", before, JsonNode.Parse(change.Body), $"Pending change {change.Id}: {summary}");
        await ConfigSave.SaveAsync(db, "The pending change", ct);
        return TypedResults.Accepted($"/api/fiat/config/pending-changes/{change.Id}", PendingChangeView.Of(change));
    }

    public static async Task<Ok<List<PendingChangeView>>> List(string? status, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var wanted = status ?? PendingStatuses.Pending;
        var rows = await db.Set<PendingConfigChange>().AsNoTracking().Where(c => c.Status == wanted).OrderByDescending(c => c.ProposedAt).Take(200).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(PendingChangeView.Of).ToList());
    }

    public static async Task<Ok<PendingChangeView>> Get(Guid id, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        return TypedResults.Ok(PendingChangeView.Of(await FindAsync(db, id, tracked: false, ct)));
    }

    private static async Task<PendingConfigChange> FindAsync(FiatDbContext db, Guid id, bool tracked, CancellationToken ct)
    {
        var set = tracked ? db.Set<PendingConfigChange>() : db.Set<PendingConfigChange>().AsNoTracking();
        return await set.FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw ApiProblemException.NotFound($"No pending change {id}.");
    }

    private static async Task<PendingConfigChange> OpenAsync(FiatDbContext db, Guid id, CancellationToken ct)
    {
        var change = await FindAsync(db, id, tracked: true, ct);
        if (change.Status != PendingStatuses.Pending) throw ApiProblemException.Conflict($"Pending change {id} is {change.Status} already.");
        return change;
    }


    /// <summary>Applies the change as the approver, in the same transaction as the decision (the kind comes from the registry).</summary>
    public static async Task<Ok<PendingChangeView>> Approve(Guid id, HttpContext http, FiatDbContext db, Records.FiatClock clock, TimeProvider time, PendingChangeKinds kinds, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var body = await OptionalJsonBody.ReadAsync<PendingDecisionBody>(http.Request, ct);
        var reason = Require.OptionalText(body?.Reason, "reason", 1000);
        var change = await OpenAsync(db, id, ct);
        var approver = ConfigJournal.Actor(http);
        if (string.Equals(change.ProposedBy, approver, StringComparison.Ordinal))
        {
            throw ApiProblemException.Forbidden($"Four eyes: {approver} proposed this change; a second holder of {Rights.ConfigureFiat} approves it.");
        }
        var kind = kinds.Find(change.Entity, change.Action)
            ?? throw ApiProblemException.Conflict($"Pending change {id} ({change.Entity} {change.Action}) cannot be applied by this release.");
        change.Decide(PendingStatuses.Approved, approver, time.GetUtcNow(), reason);
        // The replay saves the decision together with the change (same context, one SaveChanges).
        await kind.ApplyAsync(change, new PendingReplay(db, clock, time, new ConfigCaller(approver, change)), ct);
        return TypedResults.Ok(PendingChangeView.Of(change));
    }

    public static async Task<Ok<PendingChangeView>> Reject(Guid id, PendingDecisionBody? body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var reason = Require.Text(body?.Reason, "reason", 1000);
        var change = await OpenAsync(db, id, ct);
        var actor = ConfigJournal.Actor(http);
        var now = time.GetUtcNow();
        change.Decide(PendingStatuses.Rejected, actor, now, reason);
        ConfigJournal.Add(db, actor, now, change.Entity, change.EntityKey, "Reject", null, null,
            $"Pending change {change.Id} proposed by {change.ProposedBy}, rejected by {actor}: {reason}");
        await ConfigSave.SaveAsync(db, $"Pending change {id}", ct);
        return TypedResults.Ok(PendingChangeView.Of(change));
    }
}

/// <summary>What a proposed delete of a daily limit replays.</summary>
public sealed record DailyLimitDeleteBody(int? RowVersion, string? Reason);
