using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Infrastructure;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

/// <summary>
/// A coin withdrawal or deposit whose amount has more decimals than its coin is malformed input, not a business
/// refusal: 422 naming <c>input.amount</c>, and no record is created. An unconfigured coin and amounts out of the
/// coin's min/max stay the flow's refusals (Rejected with reasons), as before.
/// </summary>
public sealed class CoinAmountStartCheck(ICoinCatalog coins) : IStartInputCheck
{
    public async Task CheckAsync(string definitionId, IReadOnlyDictionary<string, object?> input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (definitionId is not (CryptoNames.WithdrawalDefinitionId or CryptoNames.DepositDefinitionId)) return;
        if (input.GetValueOrDefault("coin") is not string coin || input.GetValueOrDefault("network") is not string network) return;
        if (input.GetValueOrDefault("amount") is not decimal amount) return; // the definition's input check names a missing or non-numeric amount
        if (await coins.GetCoinAsync(coin, network, cancellationToken) is not { } config) return;
        if (!CoinRules.FitsPrecision(amount, config.Decimals))
        {
            throw ApiProblemException.Invalid("input.amount", $"{coin} amounts have at most {config.Decimals} decimals; {amount} has {CoinRules.SignificantScale(amount)}.");
        }
    }
}
