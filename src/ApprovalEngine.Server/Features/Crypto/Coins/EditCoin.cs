using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

/// <summary>Changes a coin's settings and switches (journaled as Edit with before → after); the coin and network are its key.</summary>
public static class EditCoin
{
    public static async Task<Ok<CoinView>> Handle(string coin, string network, CoinBody body, HttpContext http, CryptoDbContext db, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        CryptoAccess.RequireConfigurer(http);
        var row = await CoinSave.FindAsync(db, coin, network, ct);
        var fields = new CoinFields();
        if (body.Coin is not null && body.Coin != coin) fields.Add("coin", "The coin is the key of the row and cannot be changed; add a new coin instead.");
        if (body.Network is not null && body.Network != network) fields.Add("network", "The network is the key of the row and cannot be changed; add a new coin on that network instead.");
        var version = fields.RowVersion(body.RowVersion);
        var settings = fields.Settings(body);
        var deposit = fields.Required(body.DepositEnabled, "depositEnabled");
        var withdrawal = fields.Required(body.WithdrawalEnabled, "withdrawalEnabled");
        fields.ThrowIfAny();
        var what = $"The coin {coin} on {network}";
        if (row.RowVersion != version) throw CoinSave.Stale(what);
        var before = CoinView.Of(row);
        row.Decimals = settings.Decimals;
        row.MinWithdrawal = settings.MinWithdrawal;
        row.MaxWithdrawal = settings.MaxWithdrawal;
        row.WithdrawalFee = settings.WithdrawalFee;
        row.RequiredConfirmations = settings.RequiredConfirmations;
        row.DepositEnabled = deposit;
        row.WithdrawalEnabled = withdrawal;
        row.RowVersion++;
        row.UpdatedAt = time.GetUtcNow();
        CoinJournal.Add(db, CoinJournal.Actor(http), row.UpdatedAt, row, "Edit", before, CoinView.Of(row));
        await CoinSave.SaveAsync(db, what, ct);
        return TypedResults.Ok(CoinView.Of(row));
    }
}
