namespace ApprovalEngine.Flows.Fiat;

/// <summary>
/// The stored fiat configuration and the atomic daily-limit reservations, as the configured activities
/// (EvaluateFiatApplication, CheckFiatPayout, LoadFiatSettings) need them. The server implements it on the database.
/// </summary>
public interface IFiatConfigStore
{
    /// <summary>Everything the application check reads: currency switch, rules, review rules, the customer's history (without this record) and the client bank's parameters.</summary>
    Task<FiatApplicationContext> LoadApplicationAsync(FiatApplicationQuery query, CancellationToken cancellationToken);

    /// <summary>
    /// Reserves <paramref name="amount"/> of the customer's daily limit in <paramref name="currency"/> on today's
    /// business day for the record, atomically: refused (nothing changed) when it would exceed <paramref name="limit"/>.
    /// Idempotent per record: a second reservation replaces the first.
    /// </summary>
    Task<FiatReservation> ReserveCustomerAsync(string recordNo, string customerId, string currency, decimal amount, decimal limit, CancellationToken cancellationToken);

    /// <summary>Gives back what the reference holds (<see cref="FiatReservationKinds"/>); nothing held = nothing done.</summary>
    Task ReleaseAsync(string kind, string reference, CancellationToken cancellationToken);

    /// <summary>The channel's paying account, its daily limit, interception rule and service windows; null when the channel is unknown.</summary>
    Task<FiatPayoutContext?> LoadPayoutAsync(string channelId, CancellationToken cancellationToken);

    /// <summary>
    /// Consumes <paramref name="amount"/> of the paying account's daily limit for the reference, atomically; refused
    /// when it would exceed <paramref name="limit"/> unless <paramref name="force"/>. Idempotent per reference.
    /// </summary>
    Task<FiatReservation> ReserveBankAsync(string reference, string bankAccountId, decimal amount, decimal limit, bool force, CancellationToken cancellationToken);

    Task RaiseAlertAsync(FiatAlertNotice alert, CancellationToken cancellationToken);

    /// <summary>
    /// The settings as they apply to the instance asking: its second-approval threshold is the one of its record's or
    /// batch's currency (that currency's own, else the default).
    /// </summary>
    Task<FiatSettingsSnapshot> LoadSettingsAsync(Guid instanceId, CancellationToken cancellationToken);
}

public static class FiatReservationKinds
{
    public const string Customer = "customer";
    public const string Bank = "bank";
}

public sealed record FiatApplicationQuery(string RecordNo, string CustomerId, string Currency, string BankAccount, string? BeneficiaryBank);

public sealed record FiatApplicationContext(
    bool CurrencyWithdrawalEnabled,
    IReadOnlyList<FiatChannelRule> Rules,
    IReadOnlyList<FiatReviewRule> ReviewRules,
    string DefaultReviewKind,
    int PreviousWithdrawals,
    bool KnownBankAccount,
    string? EstimatedArrival,
    decimal? EstimatedFee);

/// <summary>A reservation's answer: accepted or not, the usage before and after it, and the business day it counts on.</summary>
public sealed record FiatReservation(bool Accepted, decimal UsedBefore, decimal UsedAfter, DateOnly BusinessDay);

public sealed record FiatInterceptionSettings(decimal AlertThreshold, decimal InterceptionThreshold);

public sealed record FiatPayoutContext(
    string ChannelId,
    string BankAccountId,
    string Currency,
    bool Enabled,
    decimal? DailyLimit,
    decimal DailyLimitAlertThreshold,
    FiatInterceptionSettings? Interception,
    IReadOnlyList<FiatServiceWindow> ServiceWindows,
    TimeZoneInfo Zone,
    DateTimeOffset Now);

public sealed record FiatAlertNotice(string Kind, string Subject, string? Reference, string Message);

public static class FiatAlertKinds
{
    public const string DailyLimitLow = "DailyLimitLow";
    public const string BalanceLow = "BalanceLow";
    public const string BalanceIntercepted = "BalanceIntercepted";
    public const string DailyLimitExceeded = "DailyLimitExceeded";
}

/// <param name="SecondApprovalThreshold">Work orders above this amount need a second checker; null: one checker.</param>
public sealed record FiatSettingsSnapshot(bool DirectBillingNeedsApproval, decimal? SecondApprovalThreshold = null);

/// <summary>Implemented by withdrawal histories that know the broker's business day (daily limits count per business day, not per UTC day).</summary>
public interface IFiatBusinessDay
{
    DateOnly Today { get; }
}
