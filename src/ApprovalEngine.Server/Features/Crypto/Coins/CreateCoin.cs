using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

/// <summary>Adds a coin on a network (journaled as Create).</summary>
public static class CreateCoin
{
    public static async Task<Created<CoinView>> Handle(CoinBody body, HttpContext http, CryptoDbContext db, TimeProvider time, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(body);
        CryptoAccess.RequireConfigurer(http);
        var fields = new CoinFields();
        var coin = fields.Coin(body.Coin);
        var network = fields.Network(body.Network);
        var settings = fields.Settings(body);
        var deposit = fields.Required(body.DepositEnabled, "depositEnabled");
        var withdrawal = fields.Required(body.WithdrawalEnabled, "withdrawalEnabled");
        fields.ThrowIfAny();
        var what = $"The coin {coin} on {network}";
        if (await db.Set<CryptoCoin>().AnyAsync(c => c.Coin == coin && c.Network == network, ct)) throw ApiProblemException.Conflict($"{what} is already configured.");
        var now = time.GetUtcNow();
        var row = new CryptoCoin
        {
            Coin = coin, Network = network, Decimals = settings.Decimals, MinWithdrawal = settings.MinWithdrawal, MaxWithdrawal = settings.MaxWithdrawal,
            WithdrawalFee = settings.WithdrawalFee, RequiredConfirmations = settings.RequiredConfirmations, DepositEnabled = deposit, WithdrawalEnabled = withdrawal,
            RowVersion = 1, CreatedAt = now, UpdatedAt = now,
        };
        db.Add(row);
        CoinJournal.Add(db, CoinJournal.Actor(http), now, row, "Create", null, CoinView.Of(row));
        await CoinSave.SaveAsync(db, what, ct);
        return TypedResults.Created($"/api/crypto/coins/{coin}/{network}", CoinView.Of(row));
    }
}
