namespace ApprovalEngine.Adapters.Bank;

/// <summary>
/// A thread-safe in-memory bank, channel configuration and withdrawal history for tests and development.
/// Payouts are idempotent on their key and reduce the channel's balance.
/// </summary>
public sealed class InMemoryBankSandbox(TimeProvider? clock = null) : IWithdrawalChannels, IWithdrawalHistory, IBankGateway, ICancellablePayouts
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly Dictionary<string, WithdrawalChannel> _channels = new(StringComparer.Ordinal);
    private readonly Dictionary<string, decimal> _balances = new(StringComparer.Ordinal);
    private readonly Dictionary<(string, string), WithdrawalHistory> _history = [];
    private readonly Dictionary<string, BankPayout> _byKey = new(StringComparer.Ordinal);
    private readonly List<BankPayout> _payouts = [];
    private readonly HashSet<string> _calledOff = new(StringComparer.Ordinal);
    private long _nextReference = 1;

    /// <summary>The development channels: HKD direct billing (ICBC Asia 001, FPS) and USD timed packing (HSBC 002, wire).</summary>
    public static InMemoryBankSandbox WithDefaults(TimeProvider? clock = null)
    {
        var bank = new InMemoryBankSandbox(clock);
        bank.SetChannel(new WithdrawalChannel("ICBC-001-FPS", "ICBC Asia 001", "FPS", "HKD", WithdrawalPolicies.RealTimeSingle, 50_000m, 1_000_000m, 100_000m, 20_000m, 100_000m, false), 2_000_000m);
        bank.SetChannel(new WithdrawalChannel("HSBC-002-WIRE", "HSBC 002", "Wire Transfer", "USD", WithdrawalPolicies.TimedPacking, 200_000m, 2_000_000m, 500_000m, 50_000m, 50_000m, true) { PackingCron = "0 0 16 ? * *" }, 3_000_000m);
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

    /// <summary>The test controls (refuse, lose responses, hold, call-offs), shared with the database sandbox bank.</summary>
    public PayoutFaults Faults { get; } = new();

    public Task<bool> TryCancelPayoutAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            if (!Faults.CancelSupported || _byKey.ContainsKey(idempotencyKey)) return Task.FromResult(false);
            _calledOff.Add(idempotencyKey);
        }
        Faults.Release(idempotencyKey);
        return Task.FromResult(true);
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

    public Task<IReadOnlyList<WithdrawalChannel>> ListChannelsAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate) return Task.FromResult<IReadOnlyList<WithdrawalChannel>>([.. _channels.Values.OrderBy(c => c.ChannelId, StringComparer.Ordinal)]);
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

    public async Task<BankPayout> PayAsync(PayoutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) throw new BankRejectedException("A payout needs an idempotency key.");
        Task? before;
        lock (_gate) before = _byKey.ContainsKey(request.IdempotencyKey) ? null : Faults.Hold(PayoutHold.BeforeMaking, request.IdempotencyKey);
        if (before is not null) await before.WaitAsync(cancellationToken);
        Task? after;
        var payout = Pay(request, out after);
        if (after is not null) await after.WaitAsync(cancellationToken);
        return payout;
    }

    public async Task<BankFileReceipt> SubmitFileAsync(BankFileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        // The sandbox pays a file as its transfers, each idempotent under the file's key and the transfer's reference.
        var paid = new List<BankPayout>();
        foreach (var t in request.Transfers)
        {
            paid.Add(await PayAsync(new PayoutRequest(request.ChannelId, t.BeneficiaryAccount, t.Amount, request.Currency, t.Reference, $"{request.IdempotencyKey}/{t.Reference}"), cancellationToken));
        }
        return new BankFileReceipt($"FILE-{request.FileId}", request.FileId, paid.Count, paid.Sum(p => p.Amount), _clock.GetUtcNow());
    }

    public Task<IReadOnlyList<BankStatementEntry>> GetStatementAsync(string channelId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_gate)
        {
            IReadOnlyList<BankStatementEntry> entries = [.. _payouts
                .Where(p => p.ChannelId == channelId)
                .Select(p => (Payout: p, Day: DateOnly.FromDateTime(p.SubmittedAt.UtcDateTime)))
                .Where(x => x.Day >= from && x.Day <= to)
                .Select(x => new BankStatementEntry(x.Payout.BankReference, x.Day, -x.Payout.Amount, x.Payout.Currency, true, x.Payout.Reference, x.Payout.BeneficiaryAccount, null))];
            return Task.FromResult(entries);
        }
    }

    private BankPayout Pay(PayoutRequest request, out Task? heldAnswer)
    {
        heldAnswer = null;
        lock (_gate)
        {
            if (_calledOff.Contains(request.IdempotencyKey)) throw new BankRejectedException("The payout was called off before the bank made it.");
            if (_byKey.TryGetValue(request.IdempotencyKey, out var earlier))
            {
                if (earlier.Amount != request.Amount || earlier.BeneficiaryAccount != request.BeneficiaryAccount || earlier.Currency != request.Currency)
                {
                    throw new BankRejectedException($"The idempotency key '{request.IdempotencyKey}' was already used for a different payout.");
                }
                return earlier;
            }
            Faults.ThrowIfRejected();
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
            Faults.ThrowIfResponseLost();
            heldAnswer = Faults.Hold(PayoutHold.AfterMaking, request.IdempotencyKey);
            return payout;
        }
    }
}

/// <summary>Where the sandbox bank holds payout requests (<see cref="PayoutFaults.HoldPayouts"/>).</summary>
public enum PayoutHold
{
    None,

    /// <summary>Before the payout is made: it can still be called off.</summary>
    BeforeMaking,

    /// <summary>After the payout is made: only the answer is late.</summary>
    AfterMaking,
}
