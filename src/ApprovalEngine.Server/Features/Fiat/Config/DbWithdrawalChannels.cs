using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Fiat.Records;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <summary>
/// The stored configuration and withdrawal records behind the version-1 ports (<see cref="IWithdrawalChannels"/>,
/// <see cref="IWithdrawalHistory"/>) that LoadFiatWithdrawalFacts reads: a channel's daily limit is its paying
/// account's, the interception threshold its enabled interception rule's, the review threshold the lowest enabled
/// "amount ≥" review rule for its currency, the customer daily limit its withdrawal rule's.
/// </summary>
public sealed class DbWithdrawalChannels(IDbContextFactory<FiatDbContext> contexts, FiatClock clock) : IWithdrawalChannels, IWithdrawalHistory, IFiatBusinessDay
{
    /// <summary>Stands for "no limit" / "no threshold" in the version-1 facts: far above any amount, yet safe to add to.</summary>
    public const decimal NoLimit = 1_000_000_000_000_000m;

    public DateOnly Today => clock.Today;

    /// <summary>The channels as of a configuration version; replaced whole, never changed.</summary>
    private sealed record Snapshot(long Version, IReadOnlyList<WithdrawalChannel> Channels);

    private volatile Snapshot? _snapshot;

    public async Task<WithdrawalChannel?> GetChannelAsync(string channelId, CancellationToken cancellationToken) =>
        (await LoadAsync(cancellationToken)).FirstOrDefault(c => c.ChannelId == channelId);

    public async Task<IReadOnlyList<WithdrawalChannel>> ListChannelsAsync(CancellationToken cancellationToken) => await LoadAsync(cancellationToken);

    /// <summary>
    /// The channels, read from seven tables only when the configuration changed. Every configuration change bumps
    /// <c>fiat_config_version</c> in its own transaction (<see cref="FiatDbContext.SaveChangesAsync(bool, CancellationToken)"/>),
    /// so one primary-key read per call tells every node whether its copy is current.
    /// </summary>
    private async Task<IReadOnlyList<WithdrawalChannel>> LoadAsync(CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var version = await ReadVersionAsync(db, ct);
        if (_snapshot is { } cached && cached.Version == version) return cached.Channels;
        // Read after the version: a change committed in between is in the rows and makes the next call read again.
        var channels = await ReadAsync(db, ct);
        _snapshot = new Snapshot(version, channels);
        return channels;
    }

    /// <summary>The configuration's version (0 before the first change).</summary>
    public static async Task<long> ReadVersionAsync(FiatDbContext db, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        return await db.Set<FiatConfigVersion>().AsNoTracking().Where(v => v.Id == FiatConfigVersion.RowId).Select(v => (long?)v.Version).FirstOrDefaultAsync(ct) ?? 0L;
    }

    private static async Task<IReadOnlyList<WithdrawalChannel>> ReadAsync(FiatDbContext db, CancellationToken ct)
    {
        var channels = await db.Set<FiatChannel>().AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct);
        if (channels.Count == 0) return [];
        var accountIds = channels.Select(c => c.BankAccountId).Distinct().ToList();
        var channelIds = channels.Select(c => c.Id).ToList();
        var accounts = await db.Set<CompanyBankAccount>().AsNoTracking().Where(a => accountIds.Contains(a.Id)).ToDictionaryAsync(a => a.Id, ct);
        var rules = await db.Set<WithdrawalRule>().AsNoTracking().Where(r => channelIds.Contains(r.ChannelId)).ToDictionaryAsync(r => r.ChannelId, ct);
        var limits = await db.Set<BankDailyLimit>().AsNoTracking().Where(l => accountIds.Contains(l.BankAccountId)).ToDictionaryAsync(l => l.BankAccountId, ct);
        var interceptions = await db.Set<InterceptionRule>().AsNoTracking().Where(i => accountIds.Contains(i.BankAccountId) && i.Enabled).ToDictionaryAsync(i => i.BankAccountId, ct);
        var reviews = await db.Set<ReviewRule>().AsNoTracking().Where(r => r.Enabled && r.AmountAtLeast != null).ToListAsync(ct);
        var settings = await db.Set<FiatSettings>().AsNoTracking().FirstOrDefaultAsync(ct);
        var list = new List<WithdrawalChannel>();
        foreach (var c in channels)
        {
            // A channel without a rule is not configured for withdrawals (its policy and limits are the rule's).
            if (!rules.TryGetValue(c.Id, out var rule)) continue;
            var account = accounts.GetValueOrDefault(c.BankAccountId);
            var review = reviews.Where(r => r.Currency is null || string.Equals(r.Currency, c.Currency, StringComparison.OrdinalIgnoreCase)).Select(r => r.AmountAtLeast!.Value).DefaultIfEmpty(NoLimit).Min();
            list.Add(new WithdrawalChannel(
                c.Id, account?.BankName ?? "", c.Method, c.Currency, rule.Policy, FiatConfigRules.Plain(rule.SingleLimit),
                limits.TryGetValue(c.BankAccountId, out var limit) ? FiatConfigRules.Plain(limit.LimitAmount) : NoLimit,
                FiatConfigRules.Plain(rule.CustomerDailyLimit), FiatConfigRules.Plain(review),
                interceptions.TryGetValue(c.BankAccountId, out var interception) && account is { ApiIntegrated: true } ? FiatConfigRules.Plain(interception.InterceptionThreshold) : 0m,
                settings?.DirectBillingNeedsApproval ?? true)
            {
                PackingCron = rule.PackingCron,
                IsCheque = c.IsCheque,
                AutomaticStatus = c.AutomaticStatus,
                Enabled = c.Enabled && rule.Enabled,
            });
        }
        return list;
    }

    /// <summary>
    /// From <c>fiat_withdrawals</c>: the customer's evaluated, not voided amounts on the business day (a record
    /// still being evaluated has no policy yet, so the one asking does not count itself), the channel's paid amounts
    /// of the day, earlier paid records and whether one went to the same account.
    /// </summary>
    public async Task<WithdrawalHistory> GetHistoryAsync(string customerId, string channelId, string bankAccount, DateOnly day, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var records = db.Set<FiatWithdrawalRecord>().AsNoTracking().Where(w => w.BusinessDay == day && !DbFiatConfigStore.Voided.Contains(w.Status));
        var customer = await records.Where(w => w.CustomerId == customerId && w.Policy != null).Select(w => w.Amount).ToListAsync(cancellationToken);
        var channel = await records.Where(w => w.ChannelId == channelId && w.BankReference != null).Select(w => w.Amount).ToListAsync(cancellationToken);
        var (previous, known) = await DbFiatConfigStore.HistoryAsync(db, customerId, bankAccount, null, cancellationToken);
        return new WithdrawalHistory(FiatConfigRules.Plain(customer.Sum()), FiatConfigRules.Plain(channel.Sum()), previous, known);
    }
}
