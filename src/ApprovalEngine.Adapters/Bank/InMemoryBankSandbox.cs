namespace ApprovalEngine.Adapters.Bank;

/// <summary>
/// A thread-safe in-memory bank, channel configuration and withdrawal history for tests and development.
/// Payouts are idempotent on their key and reduce the channel's balance.
/// </summary>
public sealed class InMemoryBankSandbox(TimeProvider? clock = null) : IWithdrawalChannels, IWithdrawalHistory, IBankGateway
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<string, WithdrawalChannel> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _balances = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), WithdrawalHistory> _history = [];
    private readonly Dictionary<string, BankPayout> _byKey = new(StringComparer.Ordinal);
    private readonly List<BankPayout> _payouts = [];
    private string? _rejectNext;
    private int _loseResponses;
    private long _nextReference = 1;

    /// <summary>The development channels: HKD direct billing (ICBC Asia 001, FPS) and USD timed packing (HSBC 002, wire).</summary>
    public static InMemoryBankSandbox WithDefaults(TimeProvider? clock = null)
    {
        var bank = new InMemoryBankSandbox(clock);
        bank.SetChannel(new WithdrawalChannel("ICBC-001-FPS", "ICBC Asia 001", "FPS", "HKD", WithdrawalPolicies.RealTimeSingle, 50_000m, 1_000_000m, 100_000m, 20_000m, 100_000m, false), 2_000_000m);
        bank.SetChannel(new WithdrawalChannel("HSBC-002-WIRE", "HSBC 002", "Wire Transfer", "USD", WithdrawalPolicies.TimedPacking, 200_000m, 2_000_000m, 500_000m, 50_000m, 50_000m, true), 3_000_000m);
        return bank;
    }

    public void SetChannel(WithdrawalChannel channel, decimal? balance = null)
    {
        ArgumentNullException.ThrowIfNull(channel);
        lock (_gate)
        {
            _channels[channel.ChannelId] = channel;
            if (balance is { } b) _balances[channel.ChannelId] = b;
        }
    }

    public void SetBalance(string channelId, decimal? balance)
    {
        lock (_gate)
        {
            if (balance is { } b) _balances[channelId] = b;
            else _balances.Remove(channelId);
        }
    }

    public void SetHistory(string customerId, string channelId, WithdrawalHistory history)
    {
        lock (_gate) _history[(customerId, channelId)] = history;
    }

    public void RejectNext(string reason)
    {
        lock (_gate) _rejectNext = reason;
    }

    /// <summary>The next <paramref name="count"/> payouts are made but their response is lost (the caller sees a timeout).</summary>
    public void LoseResponses(int count)
    {
        lock (_gate) _loseResponses = count;
    }

    public IReadOnlyList<BankPayout> Payouts
    {
        get
        {
            lock (_gate) return [.. _payouts];
        }
    }

    public Task<WithdrawalChannel?> GetChannelAsync(string channelId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate) return Task.FromResult(_channels.GetValueOrDefault(channelId));
    }

    public Task<WithdrawalHistory> GetHistoryAsync(string customerId, string channelId, string bankAccount, DateOnly day, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            var known = _history.GetValueOrDefault((customerId, channelId)) ?? new WithdrawalHistory(0m, 0m, 0, false);
            var today = DateOnly.FromDateTime(_clock.GetUtcNow().UtcDateTime) == day;
            var paidToday = today ? _payouts.Where(p => p.ChannelId == channelId).Sum(p => p.Amount) : 0m;
            return Task.FromResult(known with { ChannelUsedToday = known.ChannelUsedToday + paidToday });
        }
    }

    public Task<decimal?> GetAvailableBalanceAsync(string channelId, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate) return Task.FromResult(_balances.TryGetValue(channelId, out var b) ? b : (decimal?)null);
    }

    public Task<BankPayout> PayAsync(PayoutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) throw new BankRejectedException("A payout needs an idempotency key.");
        lock (_gate)
        {
            if (_byKey.TryGetValue(request.IdempotencyKey, out var earlier))
            {
                if (earlier.Amount != request.Amount || earlier.BeneficiaryAccount != request.BeneficiaryAccount || earlier.Currency != request.Currency)
                {
                    throw new BankRejectedException($"The idempotency key '{request.IdempotencyKey}' was already used for a different payout.");
                }
                return Task.FromResult(earlier);
            }
            if (_rejectNext is { } reason)
            {
                _rejectNext = null;
                throw new BankRejectedException(reason);
            }
            if (!_channels.TryGetValue(request.ChannelId, out var channel)) throw new BankRejectedException($"Unknown channel '{request.ChannelId}'.");
            if (channel.Currency != request.Currency) throw new BankRejectedException($"Channel '{request.ChannelId}' pays {channel.Currency}, not {request.Currency}.");
            if (request.Amount <= 0) throw new BankRejectedException("The amount must be positive.");
            if (_balances.TryGetValue(request.ChannelId, out var balance))
            {
                if (balance < request.Amount) throw new BankRejectedException("Insufficient funds on the paying account.");
                _balances[request.ChannelId] = balance - request.Amount;
            }
            var payout = new BankPayout($"BANK-{_nextReference++:D8}", request.ChannelId, request.BeneficiaryAccount, request.Amount, request.Currency, request.Reference, request.IdempotencyKey, _clock.GetUtcNow());
            _byKey[request.IdempotencyKey] = payout;
            _payouts.Add(payout);
            if (_loseResponses > 0)
            {
                _loseResponses--;
                throw new TimeoutException("The bank did not answer in time (the payout may have been made).");
            }
            return Task.FromResult(payout);
        }
    }
}
