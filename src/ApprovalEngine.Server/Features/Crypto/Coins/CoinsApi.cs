using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Server.Infrastructure;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

/// <summary>A coin as the routes show it; also the before/after of the journal.</summary>
public sealed record CoinView(string Coin, string Network, int Decimals, decimal MinWithdrawal, decimal MaxWithdrawal, decimal WithdrawalFee,
    int RequiredConfirmations, bool DepositEnabled, bool WithdrawalEnabled, int RowVersion, DateTimeOffset UpdatedAt)
{
    public static CoinView Of(CryptoCoin c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Coin, c.Network, c.Decimals, CoinRules.Normalize(c.MinWithdrawal), CoinRules.Normalize(c.MaxWithdrawal), CoinRules.Normalize(c.WithdrawalFee), c.RequiredConfirmations, c.DepositEnabled, c.WithdrawalEnabled, c.RowVersion, c.UpdatedAt);
    }
}

/// <summary>Create (all fields) or edit (all but coin and network, which are the route's key; plus the rowVersion read).</summary>
public sealed record CoinBody(string? Coin, string? Network, int? Decimals, decimal? MinWithdrawal, decimal? MaxWithdrawal, decimal? WithdrawalFee,
    int? RequiredConfirmations, bool? DepositEnabled, bool? WithdrawalEnabled, int? RowVersion);

/// <summary>The coin configuration routes under <c>/api/crypto/coins</c>.</summary>
public static class CoinsApi
{
    public const string Entity = "Coin";

    public static void Map(RouteGroupBuilder crypto)
    {
        ArgumentNullException.ThrowIfNull(crypto);
        var coins = crypto.MapGroup("/coins");
        coins.MapGet("/", ListCoins.List).ProducesProblems(401, 403);
        coins.MapGet("/journal", CoinJournal.List).ProducesProblems(400, 401, 403);
        CoinPendingChanges.Map(coins);
        coins.MapGet("/{coin}/{network}", ListCoins.Get).ProducesProblems(401, 403, 404);
        coins.MapPost("/", CreateCoin.Handle).ProducesProblems(401, 403, 409, 422);
        coins.MapPut("/{coin}/{network}", EditCoin.Handle).ProducesProblems(401, 403, 404, 409, 422);
        coins.MapPost("/{coin}/{network}/{function}/enable", SwitchCoinFunction.Enable).ProducesProblems(401, 403, 404, 409, 422);
        coins.MapPost("/{coin}/{network}/{function}/disable", SwitchCoinFunction.Disable).ProducesProblems(401, 403, 404, 409, 422);
    }

    public static string Key(string coin, string network) => $"{coin}/{network}";
}
