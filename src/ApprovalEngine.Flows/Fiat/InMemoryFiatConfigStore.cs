using ApprovalEngine.Adapters.Bank;

namespace ApprovalEngine.Flows.Fiat;

/// <summary>
/// A thread-safe in-memory <see cref="IFiatConfigStore"/> for in-memory flow tests: the same reservation semantics as
/// the database store (atomic, replaced per reference, refused over the limit unless forced), days in UTC unless a
/// zone is given. The server uses the database store.
/// </summary>
public sealed class InMemoryFiatConfigStore(TimeProvider? clock = null, TimeZoneInfo? zone = null) : IFiatConfigStore
{
    private readonly Lock _gate = new();
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly TimeZoneInfo _zone = zone ?? TimeZoneInfo.Utc;
    private readonly Dictionary<(string Scope, DateOnly Day), decimal> _used = [];
    private readonly Dictionary<(string Kind, string Reference), (string Scope, DateOnly Day, decimal Amount)> _reservations = [];
    private readonly List<FiatAlertNotice> _alerts = [];

    public HashSet<string> EnabledCurrencies { get; } = new(StringComparer.OrdinalIgnoreCase) { "HKD", "USD" };
    public List<FiatChannelRule> Rules { get; } = [];
    public List<FiatReviewRule> ReviewRules { get; } = [];
    public string DefaultReviewKind { get; set; } = FiatReviewKinds.AutoSubmit;
    public bool DirectBillingNeedsApproval { get; set; }

    public decimal? SecondApprovalThreshold { get; set; }

    /// <summary>Channel id → its paying account, daily limit (null = none), alert threshold, interception settings (null = none) and service windows.</summary>
    public Dictionary<string, (string BankAccountId, decimal? DailyLimit, decimal DailyAlert, FiatInterceptionSettings? Interception, IReadOnlyList<FiatServiceWindow> Windows)> Payouts { get; } = new(StringComparer.Ordinal);

    /// <summary>Customer id → (previous paid withdrawals, paid beneficiary accounts).</summary>
    public Dictionary<string, (int Previous, HashSet<string> Accounts)> History { get; } = new(StringComparer.Ordinal);

    /// <summary>The development channels, as the server seeds them.</summary>
    public static InMemoryFiatConfigStore WithDefaults(TimeProvider? clock = null)
    {
        var store = new InMemoryFiatConfigStore(clock);
        store.Rules.Add(new FiatChannelRule("ICBC-001-FPS", "HKD", WithdrawalPolicies.RealTimeSingle, 50_000m, 100_000m, [], 100, true));
        store.Rules.Add(new FiatChannelRule("HSBC-002-WIRE", "USD", WithdrawalPolicies.TimedPacking, 200_000m, 500_000m, [], 100, true));
        store.ReviewRules.Add(new FiatReviewRule("First withdrawal", FiatReviewKinds.ManualWithoutWorkOrder, 10, true, null, null, null));
        store.ReviewRules.Add(new FiatReviewRule("New beneficiary account", FiatReviewKinds.ManualWithoutWorkOrder, 20, null, true, null, null));
        store.ReviewRules.Add(new FiatReviewRule("Amount at least 20000 HKD", FiatReviewKinds.ManualWithoutWorkOrder, 30, null, null, 20_000m, "HKD"));
        store.ReviewRules.Add(new FiatReviewRule("Amount at least 50000 USD", FiatReviewKinds.ManualWithoutWorkOrder, 30, null, null, 50_000m, "USD"));
        store.Payouts["ICBC-001-FPS"] = ("ICBC-001", 1_000_000m, 0m, new FiatInterceptionSettings(100_000m, 100_000m), []);
        store.Payouts["HSBC-002-WIRE"] = ("HSBC-002", 2_000_000m, 0m, new FiatInterceptionSettings(50_000m, 50_000m), []);
        return store;
    }

    public IReadOnlyList<FiatAlertNotice> Alerts
    {
        get
        {
            lock (_gate) return [.. _alerts];
        }
    }

    public decimal Used(string scope, DateOnly day)
    {
        lock (_gate) return _used.GetValueOrDefault((scope, day));
    }

    private DateOnly Today => DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(_clock.GetUtcNow(), _zone).DateTime);

    public Task<FiatApplicationContext> LoadApplicationAsync(FiatApplicationQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        lock (_gate)
        {
            var (previous, accounts) = History.GetValueOrDefault(query.CustomerId, (0, []));
            return Task.FromResult(new FiatApplicationContext(EnabledCurrencies.Contains(query.Currency), [.. Rules], [.. ReviewRules], DefaultReviewKind,
                previous, accounts.Contains(query.BankAccount), null, null));
        }
    }

    public Task<FiatReservation> ReserveCustomerAsync(string recordNo, string customerId, string currency, decimal amount, decimal limit, CancellationToken cancellationToken) =>
        Task.FromResult(Reserve(FiatReservationKinds.Customer, recordNo, $"customer:{currency.ToUpperInvariant()}:{customerId}", amount, limit, force: false));

    public Task<FiatReservation> ReserveBankAsync(string reference, string bankAccountId, decimal amount, decimal limit, bool force, CancellationToken cancellationToken) =>
        Task.FromResult(Reserve(FiatReservationKinds.Bank, reference, $"bank:{bankAccountId}", amount, limit, force));

    private FiatReservation Reserve(string kind, string reference, string scope, decimal amount, decimal limit, bool force)
    {
        lock (_gate)
        {
            var day = Today;
            var previous = _reservations.GetValueOrDefault((kind, reference));
            var held = previous.Scope == scope && previous.Day == day ? previous.Amount : 0m;
            var before = _used.GetValueOrDefault((scope, day)) - held;
            if (!force && before + amount > limit) return new FiatReservation(false, before, before, day);
            Release(kind, reference);
            _used[(scope, day)] = before + amount;
            _reservations[(kind, reference)] = (scope, day, amount);
            return new FiatReservation(true, before, before + amount, day);
        }
    }

    public Task ReleaseAsync(string kind, string reference, CancellationToken cancellationToken)
    {
        lock (_gate) Release(kind, reference);
        return Task.CompletedTask;
    }

    private void Release(string kind, string reference)
    {
        if (!_reservations.Remove((kind, reference), out var held)) return;
        _used[(held.Scope, held.Day)] = _used.GetValueOrDefault((held.Scope, held.Day)) - held.Amount;
    }

    public Task<FiatPayoutContext?> LoadPayoutAsync(string channelId, CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (!Payouts.TryGetValue(channelId, out var p)) return Task.FromResult<FiatPayoutContext?>(null);
            var rule = Rules.FirstOrDefault(r => r.ChannelId == channelId);
            return Task.FromResult<FiatPayoutContext?>(new FiatPayoutContext(channelId, p.BankAccountId, rule?.Currency ?? "", rule?.Enabled ?? true,
                p.DailyLimit, p.DailyAlert, p.Interception, p.Windows, _zone, _clock.GetUtcNow()));
        }
    }

    public Task RaiseAlertAsync(FiatAlertNotice alert, CancellationToken cancellationToken)
    {
        lock (_gate) _alerts.Add(alert);
        return Task.CompletedTask;
    }

    /// <summary>Instance id → the currency of its record or batch, for <see cref="SecondApprovalThresholds"/>.</summary>
    public Dictionary<Guid, string> InstanceCurrencies { get; } = [];

    /// <summary>A currency's own second-approval threshold, instead of <see cref="SecondApprovalThreshold"/>.</summary>
    public Dictionary<string, decimal> SecondApprovalThresholds { get; } = new(StringComparer.OrdinalIgnoreCase);

    public Task<FiatSettingsSnapshot> LoadSettingsAsync(Guid instanceId, CancellationToken cancellationToken)
    {
        var own = InstanceCurrencies.TryGetValue(instanceId, out var currency) && SecondApprovalThresholds.TryGetValue(currency, out var t) ? t : (decimal?)null;
        return Task.FromResult(new FiatSettingsSnapshot(DirectBillingNeedsApproval, own ?? SecondApprovalThreshold));
    }
}
