using System.Security.Cryptography;
using System.Text;

namespace ApprovalEngine.Adapters.Blockchain;

/// <summary>
/// A thread-safe in-memory coin catalog, wallet directory and broadcaster for tests and development. Transaction
/// hashes are derived from the idempotency key, and a key seen before returns its first transaction.
/// </summary>
public sealed class InMemoryBlockchainSandbox(TimeProvider? clock = null) : ICoinCatalog, IWalletDirectory, IBlockchainGateway
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<(string, string), CoinConfig> _coins = [];
    private readonly Dictionary<(string, string, string), List<string>> _addresses = [];
    private readonly Dictionary<string, BroadcastResult> _byKey = new(StringComparer.Ordinal);
    private readonly List<BroadcastResult> _sent = [];
    private string? _rejectNext;
    private int _loseResponses;

    /// <summary>The coins <see cref="WithDefaults"/> configures (coin, network).</summary>
    public static readonly IReadOnlyList<(string Coin, string Network)> DefaultCoins = [("BTC", "BTC"), ("ETH", "ERC20"), ("USDT", "TRC20")];

    /// <summary>The development defaults: BTC (8 decimals, 3 confirmations), ETH (18, 12), USDT on TRON (6, 20).</summary>
    public static InMemoryBlockchainSandbox WithDefaults(TimeProvider? clock = null)
    {
        var sandbox = new InMemoryBlockchainSandbox(clock);
        sandbox.SetCoin(new CoinConfig("BTC", "BTC", 8, true, true, 0.001m, 10m, 0.0002m, 3));
        sandbox.SetCoin(new CoinConfig("ETH", "ERC20", 18, true, true, 0.01m, 200m, 0.002m, 12));
        sandbox.SetCoin(new CoinConfig("USDT", "TRC20", 6, true, true, 10m, 100_000m, 1m, 20));
        return sandbox;
    }

    public void SetCoin(CoinConfig config)
    {
        ArgumentNullException.ThrowIfNull(config);
        lock (_gate) _coins[(config.Coin, config.Network)] = config;
    }

    /// <summary>Marks an address as verified for the account, coin and network.</summary>
    public void AddVerifiedAddress(string securitiesAccount, string coin, string network, string address)
    {
        lock (_gate)
        {
            if (!_addresses.TryGetValue((securitiesAccount, coin, network), out var list)) _addresses[(securitiesAccount, coin, network)] = list = [];
            if (!list.Contains(address)) list.Add(address);
        }
    }

    /// <summary>The next broadcast is refused with this reason.</summary>
    public void RejectNext(string reason)
    {
        lock (_gate) _rejectNext = reason;
    }

    /// <summary>The next <paramref name="count"/> broadcasts are sent but their response is lost (the caller sees a timeout).</summary>
    public void LoseResponses(int count)
    {
        lock (_gate) _loseResponses = count;
    }

    /// <summary>Transfers actually sent, oldest first.</summary>
    public IReadOnlyList<BroadcastResult> Sent
    {
        get
        {
            lock (_gate) return [.. _sent];
        }
    }

    public Task<CoinConfig?> GetCoinAsync(string coin, string network, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate) return Task.FromResult(_coins.GetValueOrDefault((coin, network)));
    }

    public Task<IReadOnlyList<string>> GetVerifiedAddressesAsync(string securitiesAccount, string coin, string network, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<string> list = _addresses.TryGetValue((securitiesAccount, coin, network), out var found) ? [.. found] : [];
            return Task.FromResult(list);
        }
    }

    public Task<BroadcastResult> BroadcastAsync(BroadcastRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) throw new BlockchainRejectedException("A broadcast needs an idempotency key.");
        lock (_gate)
        {
            if (_byKey.TryGetValue(request.IdempotencyKey, out var earlier))
            {
                if (earlier.ToAddress != request.ToAddress || earlier.Amount != request.Amount || earlier.Coin != request.Coin || earlier.Network != request.Network)
                {
                    throw new BlockchainRejectedException($"The idempotency key '{request.IdempotencyKey}' was already used for a different transfer.");
                }
                return Task.FromResult(earlier);
            }
            if (_rejectNext is { } reason)
            {
                _rejectNext = null;
                throw new BlockchainRejectedException(reason);
            }
            if (request.Amount <= 0) throw new BlockchainRejectedException("The amount must be positive.");
            var txId = "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(request.IdempotencyKey)));
            var result = new BroadcastResult(txId, request.Coin, request.Network, request.ToAddress, request.Amount, request.Reference, request.IdempotencyKey, _clock.GetUtcNow());
            _byKey[request.IdempotencyKey] = result;
            _sent.Add(result);
            if (_loseResponses > 0)
            {
                _loseResponses--;
                throw new TimeoutException("The node did not answer in time (the transfer may have been sent).");
            }
            return Task.FromResult(result);
        }
    }
}
