using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Flows.Crypto.Activities;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Flows.Crypto;

/// <summary>Registers the crypto activities used by workflows/crypto-coin-withdrawal.json and crypto-deposit.json.</summary>
public static class CryptoActivities
{
    public static ActivityRegistry Register(ActivityRegistry registry, ICoinCatalog coins, IWalletDirectory wallets, IBlockchainGateway gateway)
    {
        ArgumentNullException.ThrowIfNull(registry);
        ArgumentNullException.ThrowIfNull(coins);
        ArgumentNullException.ThrowIfNull(wallets);
        ArgumentNullException.ThrowIfNull(gateway);
        return registry
            .Register(new LoadCoinFacts(coins, wallets))
            .Register(new CheckCoinWithdrawal())
            .Register(new ApplyConfirmations())
            .Register(new PrepareRefund())
            .Register(new BroadcastCryptoTransfer(gateway));
    }
}
