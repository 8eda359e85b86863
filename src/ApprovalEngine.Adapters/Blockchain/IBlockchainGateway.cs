namespace ApprovalEngine.Adapters.Blockchain;

/// <summary>
/// Withdrawal and deposit configuration of one coin on one network (WBO "Cryptocurrency Configuration").
/// Amounts are in coin units; <see cref="Decimals"/> is the coin's precision (BTC 8, ETH 18, USDT 6).
/// </summary>
public sealed record CoinConfig(
    string Coin,
    string Network,
    int Decimals,
    bool WithdrawalEnabled,
    bool DepositEnabled,
    decimal MinWithdrawal,
    decimal MaxWithdrawal,
    decimal WithdrawalFee,
    int RequiredConfirmations);

/// <summary>The coin configuration maintained by operators.</summary>
public interface ICoinCatalog
{
    /// <summary>The configuration, or null when the coin is not configured on that network.</summary>
    Task<CoinConfig?> GetCoinAsync(string coin, string network, CancellationToken cancellationToken);
}

/// <summary>The customers' wallet addresses and their verification (WBO "Customer Wallet Address").</summary>
public interface IWalletDirectory
{
    /// <summary>The addresses of the securities account that passed verification for the coin on the network.</summary>
    Task<IReadOnlyList<string>> GetVerifiedAddressesAsync(string securitiesAccount, string coin, string network, CancellationToken cancellationToken);
}

/// <summary>An on-chain transfer to broadcast (a withdrawal or a deposit refund).</summary>
public sealed record BroadcastRequest(
    string Coin,
    string Network,
    string ToAddress,
    decimal Amount,
    string Reference,
    string IdempotencyKey);

/// <summary>A broadcast transfer; <see cref="TxId"/> is the transaction hash.</summary>
public sealed record BroadcastResult(string TxId, string Coin, string Network, string ToAddress, decimal Amount, string Reference, string IdempotencyKey, DateTimeOffset BroadcastAt);

/// <summary>
/// The custody / node side that signs and broadcasts transfers. Implementations must be idempotent on
/// <see cref="BroadcastRequest.IdempotencyKey"/>: the same key again returns the first transaction and never sends a second.
/// </summary>
public interface IBlockchainGateway
{
    /// <summary>Broadcasts, or throws <see cref="BlockchainRejectedException"/> when the transfer is refused (retrying will not help).</summary>
    Task<BroadcastResult> BroadcastAsync(BroadcastRequest request, CancellationToken cancellationToken);
}

/// <summary>The custody side refused a transfer (hot wallet short, address malformed, key reused differently).</summary>
public sealed class BlockchainRejectedException : Exception
{
    public BlockchainRejectedException()
    {
    }

    public BlockchainRejectedException(string message) : base(message)
    {
    }

    public BlockchainRejectedException(string message, Exception innerException) : base(message, innerException)
    {
    }
}
