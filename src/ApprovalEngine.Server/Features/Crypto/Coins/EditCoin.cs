using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

/// <summary>
/// Changes a coin's settings and switches (journaled as Edit with before → after); the coin and network are its key.
/// An edit that weakens a control (<see cref="CoinWeakening"/>: fewer confirmations, a higher maximum) is stored as a
/// pending change (202) for a second configurer instead.
/// </summary>
public static class EditCoin
{
    public static async Task<Results<Ok<CoinView>, Accepted<PendingChangeView>>> Handle(string coin, string network, CoinBody body, HttpContext http, CryptoDbContext db, TimeProvider time, CancellationToken ct)
    {
        CryptoAccess.RequireConfigurer(http);
        return await ApplyAsync(coin, network, body, CoinJournal.Actor(http), approving: false, db, time, ct);
    }

    /// <param name="approving">The edit is a pending change a second configurer approved: it applies even when it weakens.</param>
    internal static async Task<Results<Ok<CoinView>, Accepted<PendingChangeView>>> ApplyAsync(string coin, string network, CoinBody body, string actor, bool approving,
        CryptoDbContext db, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
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
        var weakens = CoinWeakening.Edit(State(row), new CoinSettingsState(settings.Decimals, settings.MinWithdrawal, settings.MaxWithdrawal, settings.WithdrawalFee,
            settings.RequiredConfirmations, deposit, withdrawal));
        row.Decimals = settings.Decimals;
        row.MinWithdrawal = settings.MinWithdrawal;
        row.MaxWithdrawal = settings.MaxWithdrawal;
        row.WithdrawalFee = settings.WithdrawalFee;
        row.RequiredConfirmations = settings.RequiredConfirmations;
        row.DepositEnabled = deposit;
        row.WithdrawalEnabled = withdrawal;
        var now = time.GetUtcNow();
        if (weakens.Count > 0 && !approving)
        {
            var proposed = CoinView.Of(row);
            // Nothing of the edit is kept: the row is detached, so the save writes only the proposal and its journal entry.
            db.Entry(row).State = EntityState.Detached;
            return await CoinPendingChanges.ProposeAsync(db, actor, now, row, body, before, proposed, $"{coin} on {network}: {string.Join("; ", weakens)}", ct);
        }
        row.RowVersion++;
        row.UpdatedAt = now;
        CoinJournal.Add(db, actor, now, row, "Edit", before, CoinView.Of(row));
        await CoinSave.SaveAsync(db, what, ct);
        return TypedResults.Ok(CoinView.Of(row));
    }

    private static CoinSettingsState State(CryptoCoin c) =>
        new(c.Decimals, c.MinWithdrawal, c.MaxWithdrawal, c.WithdrawalFee, c.RequiredConfirmations, c.DepositEnabled, c.WithdrawalEnabled);
}
