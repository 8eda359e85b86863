using System.Text.Json.Nodes;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

public sealed record CoinJournalView(long Id, DateTimeOffset At, string Actor, string Entity, string EntityKey, string Action, JsonNode? Before, JsonNode? After);

/// <summary>The journal of every coin change (who, when, before → after), written in the change's own transaction.</summary>
public static class CoinJournal
{
    public static void Add(CryptoDbContext db, string actor, DateTimeOffset at, CryptoCoin coin, string action, CoinView? before, CoinView? after)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(coin);
        db.Add(ChangeJournal.Entry<CryptoConfigJournalEntry>(actor, at, CoinsApi.Entity, CoinsApi.Key(coin.Coin, coin.Network), action, before, after));
    }

    public static string Actor(HttpContext http) => ChangeJournal.Actor(http);

    /// <summary>GET /api/crypto/coins/journal?coin=&amp;network=&amp;actor=&amp;from=&amp;to=&amp;page=&amp;pageSize= (newest first).</summary>
    public static async Task<Ok<Paged<CoinJournalView>>> List(string? coin, string? network, string? actor, DateTimeOffset? from, DateTimeOffset? to, int? page, int? pageSize,
        HttpContext http, CryptoDbContext db, CancellationToken ct)
    {
        CryptoAccess.RequireReader(http);
        var (p, s) = Paging.Check(page, pageSize);
        if (network is not null && coin is null) throw ApiProblemException.Invalid("network", "'network' filters the journal of one coin; name the 'coin' too.");
        string? key = coin is not null && network is not null ? CoinsApi.Key(coin, network) : null;
        string? prefix = coin is not null && network is null ? coin + "/" : null;
        var query = db.Set<CryptoConfigJournalEntry>().AsNoTracking()
            .Where(j => key == null || j.EntityKey == key)
            .Where(j => prefix == null || j.EntityKey.StartsWith(prefix))
            .Where(j => actor == null || j.Actor == actor)
            .Where(j => from == null || j.At >= from)
            .Where(j => to == null || j.At < to);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(j => j.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<CoinJournalView>([.. rows.Select(j => new CoinJournalView(j.Id, j.At, j.Actor, j.Entity, j.EntityKey, j.Action,
            ChangeJournal.Parse(j.BeforeJson), ChangeJournal.Parse(j.AfterJson)))], total, p, s));
    }
}
