using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Engine;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <summary>
/// Development with the sandbox adapters: the two channels the in-memory sandbox used to hold, stored once at
/// start-up (journaled as <c>system:seed</c>) so that existing instances and tests behave as before. Rows that
/// exist are left as they are: an operator's change is never overwritten by a restart.
/// </summary>
public sealed class ConfigSeed(IDbContextFactory<FiatDbContext> contexts, IHostEnvironment environment, IConfiguration config, TimeProvider time, ILogger<ConfigSeed> logger) : IHostedService
{
    public const string Actor = "system:seed";

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (!environment.IsDevelopment() || AdapterBinder.ModeOf(config) != AdapterMode.Sandbox) return;
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var added = await SeedAsync(db, time.GetUtcNow(), cancellationToken);
        if (added > 0) logger.LogInformation("Seeded {Count} fiat configuration rows for the sandbox", added);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private sealed record SeedChannel(string AccountId, string BankName, string Bic, string AccountNo, string ChannelId, string Method, string Currency, string Policy, string? Cron,
        decimal Single, decimal BankDaily, decimal CustomerDaily, decimal Review, decimal Interception);

    private static readonly SeedChannel[] Channels =
    [
        new("ICBC-001", "ICBC Asia 001", "UBHKHKHH", "001-000001", "ICBC-001-FPS", "FPS", "HKD", WithdrawalPolicies.RealTimeSingle, null, 50_000m, 1_000_000m, 100_000m, 20_000m, 100_000m),
        new("HSBC-002", "HSBC 002", "HSBCHKHH", "002-000002", "HSBC-002-WIRE", "Wire Transfer", "USD", WithdrawalPolicies.TimedPacking, "0 0 16 ? * *", 200_000m, 2_000_000m, 500_000m, 50_000m, 50_000m),
    ];

    public static async Task<int> SeedAsync(FiatDbContext db, DateTimeOffset now, CancellationToken ct)
    {
        var added = 0;
        void Add<T>(T row, string entity, string key, object view) where T : class
        {
            db.Add(row);
            ConfigJournal.Add(db, Actor, now, entity, key, "Seed", null, view);
            added++;
        }
        foreach (var c in Channels)
        {
            if (!await db.Set<FiatCurrency>().AnyAsync(x => x.Code == c.Currency, ct) && !db.ChangeTracker.Entries<FiatCurrency>().Any(e => e.Entity.Code == c.Currency))
            {
                var currency = new FiatCurrency { Code = c.Currency, WithdrawalEnabled = true, RowVersion = 1, UpdatedAt = now };
                Add(currency, CurrenciesEndpoints.Entity, c.Currency, CurrencyView.Of(currency));
            }
            if (!await db.Set<CompanyBankAccount>().AnyAsync(x => x.Id == c.AccountId, ct))
            {
                var account = new CompanyBankAccount { Id = c.AccountId, BankName = c.BankName, Bic = c.Bic, AccountNo = c.AccountNo, AccountName = "Broker client money account", Currency = c.Currency, ApiIntegrated = true, RowVersion = 1, CreatedAt = now, UpdatedAt = now };
                Add(account, BankAccountsEndpoints.Entity, c.AccountId, BankAccountView.Of(account));
            }
            if (!await db.Set<FiatChannel>().AnyAsync(x => x.Id == c.ChannelId, ct))
            {
                var channel = new FiatChannel { Id = c.ChannelId, BankAccountId = c.AccountId, Method = c.Method, Currency = c.Currency, IsCheque = false, AutomaticStatus = true, Enabled = true, RowVersion = 1, CreatedAt = now, UpdatedAt = now };
                Add(channel, ChannelsEndpoints.Entity, c.ChannelId, ChannelView.Of(channel));
            }
            if (!await db.Set<WithdrawalRule>().AnyAsync(x => x.ChannelId == c.ChannelId, ct))
            {
                var rule = new WithdrawalRule { Id = Guid.CreateVersion7(now), ChannelId = c.ChannelId, Policy = c.Policy, PackingCron = c.Cron, SingleLimit = c.Single, CustomerDailyLimit = c.CustomerDaily, Priority = 100, Enabled = true, RowVersion = 1, CreatedAt = now, UpdatedAt = now };
                Add(rule, WithdrawalRulesEndpoints.Entity, rule.Id.ToString(), WithdrawalRuleView.Of(rule));
            }
            if (!await db.Set<BankDailyLimit>().AnyAsync(x => x.BankAccountId == c.AccountId, ct))
            {
                var limit = new BankDailyLimit { BankAccountId = c.AccountId, LimitAmount = c.BankDaily, AlertThreshold = 0m, RowVersion = 1, UpdatedAt = now };
                db.Add(new DailyLimitChange { Id = Guid.CreateVersion7(now), BankAccountId = c.AccountId, Action = "Add", LimitAfter = c.BankDaily, AlertAfter = 0m, Reason = "Sandbox seed", Actor = Actor, At = now });
                Add(limit, DailyLimitsEndpoints.Entity, c.AccountId, new DailyLimitSnapshot(c.AccountId, c.BankDaily, 0m, 1));
            }
            if (!await db.Set<InterceptionRule>().AnyAsync(x => x.BankAccountId == c.AccountId, ct))
            {
                var interception = new InterceptionRule { BankAccountId = c.AccountId, AlertThreshold = c.Interception, InterceptionThreshold = c.Interception, Enabled = true, RowVersion = 1, UpdatedAt = now };
                Add(interception, InterceptionRulesEndpoints.Entity, c.AccountId, InterceptionRuleView.Of(interception));
            }
            var reviewName = $"Amount at least {c.Review:0} {c.Currency}";
            if (!await db.Set<ReviewRule>().AnyAsync(x => x.Name == reviewName, ct))
            {
                var review = new ReviewRule { Id = Guid.CreateVersion7(now), Name = reviewName, Kind = FiatReviewKinds.ManualWithoutWorkOrder, AmountAtLeast = c.Review, Currency = c.Currency, Priority = 30, Enabled = true, RowVersion = 1, CreatedAt = now, UpdatedAt = now };
                Add(review, ReviewRulesEndpoints.Entity, review.Id.ToString(), ReviewRuleView.Of(review));
            }
        }
        // The review rules version 1 applied to every channel: a first withdrawal and a new beneficiary account.
        foreach (var (name, first, isNew, priority) in new[] { ("First withdrawal", (bool?)true, (bool?)null, 10), ("New beneficiary account", null, true, 20) })
        {
            if (await db.Set<ReviewRule>().AnyAsync(x => x.Name == name, ct)) continue;
            var review = new ReviewRule { Id = Guid.CreateVersion7(now), Name = name, Kind = FiatReviewKinds.ManualWithoutWorkOrder, FirstWithdrawal = first, NewBeneficiaryAccount = isNew, Priority = priority, Enabled = true, RowVersion = 1, CreatedAt = now, UpdatedAt = now };
            Add(review, ReviewRulesEndpoints.Entity, review.Id.ToString(), ReviewRuleView.Of(review));
        }
        if (!await db.Set<FiatSettings>().AnyAsync(ct))
        {
            var settings = new FiatSettings { DirectBillingNeedsApproval = true, DefaultReviewKind = FiatReviewKinds.AutoSubmit, RowVersion = 1, UpdatedAt = now };
            Add(settings, SettingsEndpoints.Entity, FiatSettings.DefaultId, new SettingsView(settings.DirectBillingNeedsApproval, settings.DefaultReviewKind, settings.RowVersion, settings.UpdatedAt));
        }
        if (added == 0) return 0;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another node seeded at the same moment; what it stored is the same configuration.
            return 0;
        }
        return added;
    }
}
