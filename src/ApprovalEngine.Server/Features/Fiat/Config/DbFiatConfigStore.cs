using System.Text.Json;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Fiat.Records;
using Microsoft.EntityFrameworkCore;

// EF translates ToUpper() for a case-insensitive match on both providers; string.Equals with a comparison it does not.
#pragma warning disable CA1862

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <summary>
/// <see cref="IFiatConfigStore"/> on the fiat tables. Daily limits are consumed under a row lock on the usage row
/// (<c>SELECT … FOR UPDATE</c> on PostgreSQL; SQLite's write transaction is exclusive already), so concurrent
/// reservations against one limit are serialized and never overdraw it.
/// </summary>
public sealed class DbFiatConfigStore(IDbContextFactory<FiatDbContext> contexts, FiatClock clock, TimeProvider time) : IFiatConfigStore
{
    /// <summary>Statuses whose amounts no longer count against limits or as history.</summary>
    public static readonly string[] Voided = ["Rejected", "Failed", "Deleted"];

    public static string CustomerScope(string customerId, string currency) => $"customer:{currency.ToUpperInvariant()}:{customerId}";

    public static string BankScope(string bankAccountId) => $"bank:{bankAccountId}";

    public async Task<FiatApplicationContext> LoadApplicationAsync(FiatApplicationQuery query, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(query);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var currency = query.Currency.ToUpperInvariant();
        var enabled = await db.Set<FiatCurrency>().AsNoTracking().AnyAsync(c => c.Code == currency && c.WithdrawalEnabled, cancellationToken);
        var rules = await (from r in db.Set<WithdrawalRule>().AsNoTracking()
                           join c in db.Set<FiatChannel>().AsNoTracking() on r.ChannelId equals c.Id
                           select new { Rule = r, Channel = c }).ToListAsync(cancellationToken);
        var reviews = await db.Set<ReviewRule>().AsNoTracking().Where(r => r.Enabled).ToListAsync(cancellationToken);
        var settings = await db.Set<FiatSettings>().AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        var (previous, known) = await HistoryAsync(db, query.CustomerId, query.BankAccount, query.RecordNo, cancellationToken);
        WithdrawalParameter? parameter = null;
        if (!string.IsNullOrWhiteSpace(query.BeneficiaryBank))
        {
            var bank = query.BeneficiaryBank.Trim().ToUpperInvariant();
            parameter = await db.Set<WithdrawalParameter>().AsNoTracking().FirstOrDefaultAsync(p => p.ClientBank.ToUpper() == bank && p.Currency == currency, cancellationToken);
        }
        return new FiatApplicationContext(
            enabled,
            [.. rules.Select(x => new FiatChannelRule(x.Channel.Id, x.Channel.Currency, x.Rule.Policy, FiatConfigRules.Plain(x.Rule.SingleLimit), FiatConfigRules.Plain(x.Rule.CustomerDailyLimit),
                ConfigJson.Banks(x.Rule.SupportedBanks), x.Rule.Priority, x.Rule.Enabled && x.Channel.Enabled))],
            [.. reviews.Select(r => new FiatReviewRule(r.Name, r.Kind, r.Priority, r.FirstWithdrawal, r.NewBeneficiaryAccount, r.AmountAtLeast is { } min ? FiatConfigRules.Plain(min) : null, r.Currency))],
            settings?.DefaultReviewKind ?? FiatReviewKinds.AutoSubmit,
            previous, known, parameter?.EstimatedArrival, parameter?.Fee is { } fee ? FiatConfigRules.Plain(fee) : null);
    }

    /// <summary>Earlier paid withdrawals of the customer (other records than <paramref name="recordNo"/>) and whether one went to <paramref name="bankAccount"/>.</summary>
    internal static async Task<(int Previous, bool Known)> HistoryAsync(FiatDbContext db, string customerId, string bankAccount, string? recordNo, CancellationToken ct)
    {
        var paid = db.Set<FiatWithdrawalRecord>().AsNoTracking()
            .Where(w => w.CustomerId == customerId && w.RecordNo != recordNo)
            .Where(w => w.Status == "Completed" || (w.BankReference != null && !Voided.Contains(w.Status)));
        var previous = await paid.CountAsync(ct);
        var known = previous > 0 && await paid.AnyAsync(w => w.BeneficiaryAccount == bankAccount, ct);
        return (previous, known);
    }

    public async Task<FiatReservation> ReserveCustomerAsync(string recordNo, string customerId, string currency, decimal amount, decimal limit, CancellationToken cancellationToken)
    {
        var day = clock.Today;
        var scope = CustomerScope(customerId, currency);
        return await ReserveAsync(FiatReservationKinds.Customer, recordNo, scope, day, amount, limit, force: false,
            seed: db => CustomerSeedAsync(db, customerId, currency.ToUpperInvariant(), day, recordNo, cancellationToken), cancellationToken);
    }

    public async Task<FiatReservation> ReserveBankAsync(string reference, string bankAccountId, decimal amount, decimal limit, bool force, CancellationToken cancellationToken) =>
        await ReserveAsync(FiatReservationKinds.Bank, reference, BankScope(bankAccountId), clock.Today, amount, limit, force, seed: _ => Task.FromResult(0m), cancellationToken);

    /// <summary>
    /// What the customer's records of the day that hold no reservation (evaluated by a flow version before the
    /// reservations, or before this release) already took: counted once, when the day's usage row is created.
    /// </summary>
    private static async Task<decimal> CustomerSeedAsync(FiatDbContext db, string customerId, string currency, DateOnly day, string recordNo, CancellationToken ct)
    {
        var amounts = await db.Set<FiatWithdrawalRecord>().AsNoTracking()
            .Where(w => w.CustomerId == customerId && w.Currency == currency && w.BusinessDay == day && w.RecordNo != recordNo && w.Policy != null && !Voided.Contains(w.Status))
            .Where(w => !db.Set<LimitReservation>().Any(r => r.Kind == FiatReservationKinds.Customer && r.Reference == w.RecordNo))
            .Select(w => w.Amount).ToListAsync(ct);
        return amounts.Sum();
    }

    private async Task<FiatReservation> ReserveAsync(string kind, string reference, string scope, DateOnly day, decimal amount, decimal limit, bool force,
        Func<FiatDbContext, Task<decimal>> seed, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var initial = await seed(db);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.Database.ExecuteSqlAsync($"INSERT INTO fiat_limit_usage (scope, business_day, used, version) VALUES ({scope}, {day}, {initial}, 0) ON CONFLICT DO NOTHING", ct);
        // The record's earlier reservation is replaced, not added to: a retried job or a re-evaluation counts once.
        var previous = await LockReservationAsync(db, kind, reference, ct);
        if (previous is not null) await GiveBackAsync(db, previous, ct);
        var usage = await LockUsageAsync(db, scope, day, ct);
        var before = usage.Used;
        if (!force && before + amount > limit)
        {
            await tx.RollbackAsync(ct);
            return new FiatReservation(false, FiatConfigRules.Plain(before), FiatConfigRules.Plain(before), day);
        }
        usage.Used = before + amount;
        usage.Version++;
        db.Add(new LimitReservation { Kind = kind, Reference = reference, Scope = scope, BusinessDay = day, Amount = amount, At = time.GetUtcNow() });
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return new FiatReservation(true, FiatConfigRules.Plain(before), FiatConfigRules.Plain(usage.Used), day);
    }

    public async Task ReleaseAsync(string kind, string reference, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        await using var tx = await db.Database.BeginTransactionAsync(cancellationToken);
        await ReleaseInAsync(db, kind, reference, cancellationToken);
        await tx.CommitAsync(cancellationToken);
    }

    /// <summary>Gives back what <paramref name="reference"/> holds of <paramref name="kind"/>, in the caller's transaction.</summary>
    internal static async Task ReleaseInAsync(FiatDbContext db, string kind, string reference, CancellationToken ct)
    {
        var previous = await LockReservationAsync(db, kind, reference, ct);
        if (previous is null) return;
        await GiveBackAsync(db, previous, ct);
        await db.SaveChangesAsync(ct);
    }

    private static async Task GiveBackAsync(FiatDbContext db, LimitReservation reservation, CancellationToken ct)
    {
        var usage = await LockUsageAsync(db, reservation.Scope, reservation.BusinessDay, ct);
        usage.Used -= reservation.Amount;
        usage.Version++;
        db.Remove(reservation);
        // Saved now so that a reservation of the same reference in this transaction can take its key again.
        await db.SaveChangesAsync(ct);
    }

    private static async Task<LimitReservation?> LockReservationAsync(FiatDbContext db, string kind, string reference, CancellationToken ct)
    {
        var rows = db.IsSqlite
            ? await db.Set<LimitReservation>().Where(r => r.Kind == kind && r.Reference == reference).ToListAsync(ct)
            : await db.Set<LimitReservation>().FromSql($"SELECT * FROM fiat_limit_reservations WHERE kind = {kind} AND reference = {reference} FOR UPDATE").ToListAsync(ct);
        return rows.FirstOrDefault();
    }

    private static async Task<LimitUsage> LockUsageAsync(FiatDbContext db, string scope, DateOnly day, CancellationToken ct)
    {
        var rows = db.IsSqlite
            ? await db.Set<LimitUsage>().Where(u => u.Scope == scope && u.BusinessDay == day).ToListAsync(ct)
            : await db.Set<LimitUsage>().FromSql($"SELECT * FROM fiat_limit_usage WHERE scope = {scope} AND business_day = {day} FOR UPDATE").ToListAsync(ct);
        return rows.FirstOrDefault() ?? throw new InvalidOperationException($"No usage row for {scope} on {day}.");
    }

    public async Task<FiatPayoutContext?> LoadPayoutAsync(string channelId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var channel = await db.Set<FiatChannel>().AsNoTracking().FirstOrDefaultAsync(c => c.Id == channelId, cancellationToken);
        if (channel is null) return null;
        var account = await db.Set<CompanyBankAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == channel.BankAccountId, cancellationToken);
        var rule = await db.Set<WithdrawalRule>().AsNoTracking().FirstOrDefaultAsync(r => r.ChannelId == channelId, cancellationToken);
        var limit = await db.Set<BankDailyLimit>().AsNoTracking().FirstOrDefaultAsync(l => l.BankAccountId == channel.BankAccountId, cancellationToken);
        var interception = await db.Set<InterceptionRule>().AsNoTracking().FirstOrDefaultAsync(i => i.BankAccountId == channel.BankAccountId && i.Enabled, cancellationToken);
        return new FiatPayoutContext(
            channel.Id, channel.BankAccountId, channel.Currency, channel.Enabled && account is not null,
            limit is null ? null : FiatConfigRules.Plain(limit.LimitAmount), limit is null ? 0m : FiatConfigRules.Plain(limit.AlertThreshold),
            account is { ApiIntegrated: true } && interception is not null ? new FiatInterceptionSettings(FiatConfigRules.Plain(interception.AlertThreshold), FiatConfigRules.Plain(interception.InterceptionThreshold)) : null,
            rule is null ? [] : ConfigJson.Windows(rule.ServiceWindows),
            clock.Zone, time.GetUtcNow());
    }

    public async Task RaiseAlertAsync(FiatAlertNotice alert, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(alert);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var now = time.GetUtcNow();
        var row = new FiatAlert { Id = Guid.CreateVersion7(now), At = now, Kind = alert.Kind, Subject = alert.Subject, Reference = alert.Reference, Message = alert.Message[..Math.Min(alert.Message.Length, 1000)] };
        // Sent, not only stored: the alert reaches the Operations inbox in the same save.
        await AlertInbox.DeliverAsync(db, row, clock.BusinessDay(now), cancellationToken);
    }

    /// <summary>
    /// The instance is a withdrawal record (its id is the record's) or a batch (<c>fiat_batches.instance_id</c>, set
    /// in the step that started it, so before this job runs): its currency picks the threshold, else the default.
    /// </summary>
    public async Task<FiatSettingsSnapshot> LoadSettingsAsync(Guid instanceId, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var settings = await db.Set<FiatSettings>().AsNoTracking().FirstOrDefaultAsync(cancellationToken);
        var currency = await db.Set<FiatWithdrawalRecord>().AsNoTracking().Where(r => r.Id == instanceId).Select(r => r.Currency).FirstOrDefaultAsync(cancellationToken)
            ?? await db.Set<Operations.FiatBatch>().AsNoTracking().Where(b => b.InstanceId == instanceId).Select(b => b.Currency).FirstOrDefaultAsync(cancellationToken);
        var own = currency is null ? null
            : await db.Set<FiatCurrencyThreshold>().AsNoTracking().Where(t => t.Currency == currency.ToUpperInvariant()).Select(t => (decimal?)t.Threshold).FirstOrDefaultAsync(cancellationToken);
        var threshold = own ?? settings?.SecondApprovalThreshold;
        return new FiatSettingsSnapshot(settings?.DirectBillingNeedsApproval ?? true, threshold is { } t ? FiatConfigRules.Plain(t) : null);
    }
}

/// <summary>The JSON columns of a withdrawal rule (service windows, supported banks).</summary>
public static class ConfigJson
{
    private static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web);

    public sealed record WindowDto(IReadOnlyList<string>? Days, string? From, string? To);

    public static IReadOnlyList<string> Banks(string json) => JsonSerializer.Deserialize<List<string>>(json, Options) ?? [];

    public static IReadOnlyList<WindowDto> WindowDtos(string json) => JsonSerializer.Deserialize<List<WindowDto>>(json, Options) ?? [];

    public static IReadOnlyList<FiatServiceWindow> Windows(string json) =>
        [.. WindowDtos(json).Select(w => new FiatServiceWindow([.. (w.Days ?? []).Select(d => ParseDay(d)!.Value)], TimeOnly.Parse(w.From!, System.Globalization.CultureInfo.InvariantCulture), TimeOnly.Parse(w.To!, System.Globalization.CultureInfo.InvariantCulture)))];

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);

    public static DayOfWeek? ParseDay(string? text) => text?.Trim().ToUpperInvariant() switch
    {
        "MON" or "MONDAY" => DayOfWeek.Monday,
        "TUE" or "TUESDAY" => DayOfWeek.Tuesday,
        "WED" or "WEDNESDAY" => DayOfWeek.Wednesday,
        "THU" or "THURSDAY" => DayOfWeek.Thursday,
        "FRI" or "FRIDAY" => DayOfWeek.Friday,
        "SAT" or "SATURDAY" => DayOfWeek.Saturday,
        "SUN" or "SUNDAY" => DayOfWeek.Sunday,
        _ => null,
    };
}
