using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

public sealed record CoinSwitchBody(int? RowVersion);

/// <summary>The manual's Enable / Disable of a coin's withdrawal or deposit function (journaled as Enable / Disable).</summary>
public static class SwitchCoinFunction
{
    public const string Withdrawal = "withdrawal";
    public const string Deposit = "deposit";

    public static Task<Ok<CoinView>> Enable(string coin, string network, string function, CoinSwitchBody? body, HttpContext http, CryptoDbContext db, TimeProvider time, CancellationToken ct) =>
        HandleAsync(coin, network, function, true, body, http, db, time, ct);

    public static Task<Ok<CoinView>> Disable(string coin, string network, string function, CoinSwitchBody? body, HttpContext http, CryptoDbContext db, TimeProvider time, CancellationToken ct) =>
        HandleAsync(coin, network, function, false, body, http, db, time, ct);

    private static async Task<Ok<CoinView>> HandleAsync(string coin, string network, string function, bool enabled, CoinSwitchBody? body, HttpContext http, CryptoDbContext db, TimeProvider time, CancellationToken ct)
    {
        CryptoAccess.RequireConfigurer(http);
        var fields = new CoinFields();
        if (function is not (Withdrawal or Deposit)) fields.Add("function", $"'function' must be {Withdrawal} or {Deposit}.");
        var version = fields.RowVersion(body?.RowVersion);
        fields.ThrowIfAny();
        var row = await CoinSave.FindAsync(db, coin, network, ct);
        var what = $"The coin {coin} on {network}";
        if (row.RowVersion != version) throw CoinSave.Stale(what);
        var before = CoinView.Of(row);
        if (function == Withdrawal) row.WithdrawalEnabled = enabled;
        else row.DepositEnabled = enabled;
        row.RowVersion++;
        row.UpdatedAt = time.GetUtcNow();
        CoinJournal.Add(db, CoinJournal.Actor(http), row.UpdatedAt, row, $"{(enabled ? "Enable" : "Disable")} {function}", before, CoinView.Of(row));
        await CoinSave.SaveAsync(db, what, ct);
        return TypedResults.Ok(CoinView.Of(row));
    }
}
