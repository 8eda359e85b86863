using System.Text.Json;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

/// <summary>A coin edit that weakens a control, waiting for a second holder of <c>crypto:configure</c> (V024).</summary>
public sealed class CoinPendingChange : PendingChangeRecord;

internal sealed class CoinPendingChangeMap : IEntityTypeConfiguration<CoinPendingChange>
{
    // Two configurers deciding the same change at once: the second save fails (409), the change is decided once.
    public void Configure(EntityTypeBuilder<CoinPendingChange> e) => PendingChangeRecord.Map(e, "crypto_config_pending_changes");
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
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static void Map(RouteGroupBuilder coins)
    {
        ArgumentNullException.ThrowIfNull(coins);
        var group = coins.MapGroup("/pending-changes");
        group.MapGet("/", List).ProducesProblems(400, 401, 403).WithName("listCoinPendingChanges").WithSummary("List coin changes waiting for a second configurer");
        group.MapPost("/{id:guid}/approve", Approve).ProducesProblems(401, 403, 404, 409, 422).WithName("approveCoinPendingChange").WithSummary("Approve a pending coin change: it is applied as the approver");
        group.MapPost("/{id:guid}/reject", Reject).ProducesProblems(401, 403, 404, 409, 422).WithName("rejectCoinPendingChange").WithSummary("Reject a pending coin change, with a reason");
    }

    public static async Task<Accepted<PendingChangeView>> ProposeAsync(CryptoDbContext db, string actor, DateTimeOffset now, CryptoCoin row, CoinBody body,
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
        return TypedResults.Accepted($"/api/crypto/coins/pending-changes/{change.Id}", PendingChangeView.Of(change));
    }

    /// <summary>GET /api/crypto/coins/pending-changes?status=Pending|Approved|Rejected (newest first, at most 200).</summary>
    public static async Task<Ok<List<PendingChangeView>>> List(string? status, HttpContext http, CryptoDbContext db, CancellationToken ct)
    {
        CryptoAccess.RequireReader(http);
        var wanted = status ?? PendingChangeRecord.Pending;
        if (!PendingChangeRecord.Statuses.Contains(wanted, StringComparer.Ordinal)) throw ApiProblemException.BadRequest("status", $"'status' must be one of {string.Join(", ", PendingChangeRecord.Statuses)}.");
        var rows = await db.Set<CoinPendingChange>().AsNoTracking().Where(c => c.Status == wanted).OrderByDescending(c => c.ProposedAt).Take(200).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(PendingChangeView.Of).ToList());
    }

    private static async Task<CoinPendingChange> OpenAsync(CryptoDbContext db, Guid id, CancellationToken ct)
    {
        var change = await db.Set<CoinPendingChange>().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw ApiProblemException.NotFound($"No pending coin change {id}.");
        if (change.Status != PendingChangeRecord.Pending) throw ApiProblemException.Conflict($"Pending change {id} is {change.Status} already.");
        return change;
    }


    public static async Task<Ok<PendingChangeView>> Approve(Guid id, HttpContext http, CryptoDbContext db, TimeProvider time, CancellationToken ct)
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
        change.Decide(PendingChangeRecord.Approved, approver, time.GetUtcNow(), reason);
        // The replay saves the decision together with the edit (same context, one SaveChanges); a stale rowVersion is a
        // 409 and neither is written, so the change stays pending.
        await EditCoin.ApplyAsync(change.EntityKey[..slash], change.EntityKey[(slash + 1)..], edit, approver, approving: true, db, time, ct);
        return TypedResults.Ok(PendingChangeView.Of(change));
    }

    public static async Task<Ok<PendingChangeView>> Reject(Guid id, CoinDecisionBody? body, HttpContext http, CryptoDbContext db, TimeProvider time, CancellationToken ct)
    {
        CryptoAccess.RequireConfigurer(http);
        var reason = Require.Text(body?.Reason, "reason", 1000);
        var change = await OpenAsync(db, id, ct);
        var actor = CoinJournal.Actor(http);
        var now = time.GetUtcNow();
        change.Decide(PendingChangeRecord.Rejected, actor, now, reason);
        var slash = change.EntityKey.IndexOf('/', StringComparison.Ordinal);
        CoinJournal.Add(db, actor, now, new CryptoCoin { Coin = change.EntityKey[..slash], Network = change.EntityKey[(slash + 1)..] }, "Reject", null, null);
        await CoinSave.SaveAsync(db, $"Pending change {id}", ct);
        return TypedResults.Ok(PendingChangeView.Of(change));
    }
}
