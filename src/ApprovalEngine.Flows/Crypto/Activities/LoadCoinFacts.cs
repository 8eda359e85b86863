using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Crypto.Activities;

public sealed class LoadCoinFactsInput
{
    [System.ComponentModel.DataAnnotations.Required]
    [Description("Customer's securities account, e.g. securitiesAccount.")]
    public string? SecuritiesAccount { get; set; }

    [System.ComponentModel.DataAnnotations.Required]
    [Description("Coin, e.g. coin ('BTC').")]
    public string? Coin { get; set; }

    [System.ComponentModel.DataAnnotations.Required]
    [Description("Network, e.g. network ('BTC', 'ERC20').")]
    public string? Network { get; set; }
}

public sealed record LoadCoinFactsOutput(
    [property: Description("The coin is configured on the network.")] bool CoinConfigured,
    [property: Description("Withdrawals are enabled.")] bool WithdrawalEnabled,
    [property: Description("Deposits are enabled.")] bool DepositEnabled,
    [property: Description("Decimals of the coin.")] int CoinDecimals,
    [property: Description("Minimum withdrawal amount.")] decimal MinWithdrawal,
    [property: Description("Maximum withdrawal amount.")] decimal MaxWithdrawal,
    [property: Description("Withdrawal fee per withdrawal.")] decimal WithdrawalFee,
    [property: Description("Block confirmations required.")] int RequiredConfirmations,
    [property: Description("The customer's verified addresses for the coin on the network.")] IReadOnlyList<string> VerifiedAddresses);

/// <summary>
/// Reads the coin configuration and the customer's verified wallet addresses after the commit (so the pure checks
/// and guards that follow see fresh, journaled facts). An unconfigured coin is reported, not thrown.
/// </summary>
[Activity("LoadCoinFacts", "Crypto", "Load coin facts",
    Description = "Reads the coin configuration (enabled, min/max, fee, decimals, confirmations) and the customer's verified wallet addresses.")]
public sealed class LoadCoinFacts(ICoinCatalog coins, IWalletDirectory wallets) : ExternalActivity<LoadCoinFactsInput, LoadCoinFactsOutput>
{
    protected override async Task<DomainResult<LoadCoinFactsOutput>> RunAsync(LoadCoinFactsInput input, ExternalCallContext call, CancellationToken cancellationToken)
    {
        var coin = input.Coin ?? "";
        var network = input.Network ?? "";
        var config = await coins.GetCoinAsync(coin, network, cancellationToken);
        var addresses = await wallets.GetVerifiedAddressesAsync(input.SecuritiesAccount ?? "", coin, network, cancellationToken);
        return DomainResult<LoadCoinFactsOutput>.Done(config is null
            ? new LoadCoinFactsOutput(false, false, false, 0, 0m, 0m, 0m, 0, addresses)
            : new LoadCoinFactsOutput(true, config.WithdrawalEnabled, config.DepositEnabled, config.Decimals, config.MinWithdrawal, config.MaxWithdrawal, config.WithdrawalFee, config.RequiredConfirmations, addresses));
    }
}
