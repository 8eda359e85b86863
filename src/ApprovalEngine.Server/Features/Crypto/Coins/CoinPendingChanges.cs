using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

/// <summary>A coin edit that weakens a control, waiting for a second holder of <c>crypto:configure</c> (V024).</summary>
public sealed class CoinPendingChange
{
    public Guid Id { get; set; }
    public string Entity { get; set; } = "";
    public string EntityKey { get; set; } = "";
    public string Action { get; set; } = "";
    public string Body { get; set; } = "";
    public string? Before { get; set; }
    public string Summary { get; set; } = "";
    public string ProposedBy { get; set; } = "";
    public DateTimeOffset ProposedAt { get; set; }
    public string Status { get; set; } = CoinPendingChanges.Pending;
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? Reason { get; set; }
    public int RowVersion { get; set; }
}

internal sealed class CoinPendingChangeMap : IEntityTypeConfiguration<CoinPendingChange>
{
    public void Configure(EntityTypeBuilder<CoinPendingChange> e)
    {
        e.ToTable("crypto_config_pending_changes");
        e.HasKey(x => x.Id);
        e.Property(x => x.Entity).HasMaxLength(60);
        e.Property(x => x.EntityKey).HasMaxLength(200);
        e.Property(x => x.Action).HasMaxLength(40);
        e.Property(x => x.Body).HasMaxLength(16000);
        e.Property(x => x.Before).HasMaxLength(16000);
        e.Property(x => x.Summary).HasMaxLength(1000);
        e.Property(x => x.ProposedBy).HasMaxLength(200);
        e.Property(x => x.Status).HasMaxLength(20);
        e.Property(x => x.DecidedBy).HasMaxLength(200);
        e.Property(x => x.Reason).HasMaxLength(1000);
        // Two configurers deciding the same change at once: the second save fails (409), the change is decided once.
        e.Property(x => x.RowVersion).IsConcurrencyToken();
        e.HasIndex(x => x.Status);
    }
}

/// <summary>The same shape as the fiat pending changes, so the screens show both the same way.</summary>
public sealed record CoinPendingChangeView(Guid Id, string Entity, string EntityKey, string Action, string Summary, JsonNode? Body, JsonNode? Before,
    string ProposedBy, DateTimeOffset ProposedAt, string Status, string? DecidedBy, DateTimeOffset? DecidedAt, string? Reason)
{
    public static CoinPendingChangeView Of(CoinPendingChange c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.Entity, c.EntityKey, c.Action, c.Summary, JsonNode.Parse(c.Body), c.Before is null ? null : JsonNode.Parse(c.Before),
            c.ProposedBy, c.ProposedAt, c.Status, c.DecidedBy, c.DecidedAt, c.Reason);
    }
}

public sealed record CoinDecisionBody(string? Reason);

/// <summary>
/// Four eyes on coin edits that weaken a control (<see cref="Flows.Crypto.CoinWeakening"/>): the edit is stored as
/// pending (202, journaled <c>Propose</c>) instead of applied; a second holder of <c>crypto:configure</c> — never the
/// proposer, never a system — approves it (the stored edit is replayed as the approver, its rowVersion still checked,
/// in the transaction of the decision) or rejects it with a reason.
/// </summary>
public static class CoinPendingChanges
{
    public const string Pending = "Pending";
    public const string Approved = "Approved";
    public const string Rejected = "Rejected";
    private static readonly string[] Statuses = [Pending, Approved, Rejected];
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(RouteGroupBuilder coins)
    {
        ArgumentNullException.ThrowIfNull(coins);
        var group = coins.MapGroup("/pending-changes");
        group.MapGet("/", List).ProducesProblems(400, 401, 403).WithName("listCoinPendingChanges").WithSummary("List coin changes waiting for a second configurer");
        group.MapPost("/{id:guid}/approve", Approve).ProducesProblems(401, 403, 404, 409, 422).WithName("approveCoinPendingChange").WithSummary("Approve a pending coin change: it is applied as the approver");
        group.MapPost("/{id:guid}/reject", Reject).ProducesProblems(401, 403, 404, 409, 422).WithName("rejectCoinPendingChange").WithSummary("Reject a pending coin change, with a reason");
    }

    public static async Task<Accepted<CoinPendingChangeView>> ProposeAsync(CryptoDbContext db, string actor, DateTimeOffset now, CryptoCoin row, CoinBody body,
        CoinView before, CoinView proposed, string summary, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(row);
        var change = new CoinPendingChange
        {
            Id = Guid.CreateVersion7(now), Entity = CoinsApi.Entity, EntityKey = CoinsApi.Key(row.Coin, row.Network), Action = "Edit",
            Body = JsonSerializer.Serialize(body, Json), Before = JsonSerializer.Serialize(before, Json),
            Summary = summary.Length <= 1000 ? summary : summary[..999] + "…", ProposedBy = actor, ProposedAt = now, RowVersion = 1,
        };
        db.Add(change);
        CoinJournal.Add(db, actor, now, row, "Propose", before, proposed);
        await CoinSave.SaveAsync(db, "The pending change", ct);
        return TypedResults.Accepted($"/api/crypto/coins/pending-changes/{change.Id}", CoinPendingChangeView.Of(change));
    }

    /// <summary>GET /api/crypto/coins/pending-changes?status=Pending|Approved|Rejected (newest first, at most 200).</summary>
    public static async Task<Ok<List<CoinPendingChangeView>>> List(string? status, HttpContext http, CryptoDbContext db, CancellationToken ct)
    {
        CryptoAccess.RequireReader(http);
        var wanted = status ?? Pending;
        if (!Statuses.Contains(wanted, StringComparer.Ordinal)) throw ApiProblemException.BadRequest("status", $"'status' must be one of {string.Join(", ", Statuses)}.");
        var rows = await db.Set<CoinPendingChange>().AsNoTracking().Where(c => c.Status == wanted).OrderByDescending(c => c.ProposedAt).Take(200).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(CoinPendingChangeView.Of).ToList());
    }

    private static async Task<CoinPendingChange> OpenAsync(CryptoDbContext db, Guid id, CancellationToken ct)
    {
        var change = await db.Set<CoinPendingChange>().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw ApiProblemException.NotFound($"No pending coin change {id}.");
        if (change.Status != Pending) throw ApiProblemException.Conflict($"Pending change {id} is {change.Status} already.");
        return change;
    }

    private static void Decide(CoinPendingChange change, string status, string actor, DateTimeOffset at, string? reason)
    {
        change.Status = status;
        change.DecidedBy = actor;
        change.DecidedAt = at;
        change.Reason = reason;
        change.RowVersion++;
    }

    public static async Task<Ok<CoinPendingChangeView>> Approve(Guid id, HttpContext http, CryptoDbContext db, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(http);
        CryptoAccess.RequireConfigurer(http);
        var body = await OptionalJsonBody.ReadAsync<CoinDecisionBody>(http.Request, ct);
        var reason = Require.OptionalText(body?.Reason, "reason", 1000);
        var change = await OpenAsync(db, id, ct);
        var approver = CoinJournal.Actor(http);
        if (string.Equals(change.ProposedBy, approver, StringComparison.Ordinal))
        {
            throw ApiProblemException.Forbidden($"Four eyes: {approver} proposed this change; a second holder of {Rights.ConfigureCrypto} approves it.");
        }
        var edit = JsonSerializer.Deserialize<CoinBody>(change.Body, Json) ?? throw ApiProblemException.Conflict($"Pending change {id} has no edit to apply.");
        var slash = change.EntityKey.IndexOf('/', StringComparison.Ordinal);
        Decide(change, Approved, approver, time.GetUtcNow(), reason);
        // The replay saves the decision together with the edit (same context, one SaveChanges); a stale rowVersion is a
        // 409 and neither is written, so the change stays pending.
        await EditCoin.ApplyAsync(change.EntityKey[..slash], change.EntityKey[(slash + 1)..], edit, approver, approving: true, db, time, ct);
        return TypedResults.Ok(CoinPendingChangeView.Of(change));
    }

    public static async Task<Ok<CoinPendingChangeView>> Reject(Guid id, CoinDecisionBody? body, HttpContext http, CryptoDbContext db, TimeProvider time, CancellationToken ct)
    {
        CryptoAccess.RequireConfigurer(http);
        var reason = Require.Text(body?.Reason, "reason", 1000);
        var change = await OpenAsync(db, id, ct);
        var actor = CoinJournal.Actor(http);
        var now = time.GetUtcNow();
        Decide(change, Rejected, actor, now, reason);
        var slash = change.EntityKey.IndexOf('/', StringComparison.Ordinal);
        CoinJournal.Add(db, actor, now, new CryptoCoin { Coin = change.EntityKey[..slash], Network = change.EntityKey[(slash + 1)..] }, "Reject", null, null);
        await CoinSave.SaveAsync(db, $"Pending change {id}", ct);
        return TypedResults.Ok(CoinPendingChangeView.Of(change));
    }
}
