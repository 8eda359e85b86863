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
        coins.MapGet("/", ListCoins.List).ProducesProblems(401, 403).WithName("listCoins").WithSummary("List coins and their networks");
        coins.MapGet("/journal", CoinJournal.List).ProducesProblems(400, 401, 403).WithName("getCoinJournal").WithSummary("Read the coin configuration journal");
        CoinPendingChanges.Map(coins);
        coins.MapGet("/{coin}/{network}", ListCoins.Get).ProducesProblems(401, 403, 404).WithName("getCoin").WithSummary("Get a coin on a network");
        coins.MapPost("/", CreateCoin.Handle).ProducesProblems(401, 403, 409, 422).WithName("createCoin").WithSummary("Add a coin on a network");
        coins.MapPut("/{coin}/{network}", EditCoin.Handle).ProducesProblems(401, 403, 404, 409, 422).WithName("editCoin").WithSummary("Change a coin on a network");
        coins.MapPost("/{coin}/{network}/{function}/enable", SwitchCoinFunction.Enable).ProducesProblems(401, 403, 404, 409, 422).WithName("enableCoinFunction").WithSummary("Enable a function (deposit, withdrawal) of a coin");
        coins.MapPost("/{coin}/{network}/{function}/disable", SwitchCoinFunction.Disable).ProducesProblems(401, 403, 404, 409, 422).WithName("disableCoinFunction").WithSummary("Disable a function (deposit, withdrawal) of a coin");
    }

    public static string Key(string coin, string network) => $"{coin}/{network}";
}
