using ApprovalEngine.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Fiat.Config;

// The fiat configuration tables (V012). Every editable row carries RowVersion: an edit names the version it read,
// and a stale one is a 409 instead of silently overwriting a colleague's change.

/// <summary>A broker's paying bank account (Fund Parameter > Company Bank Account).</summary>
public sealed class CompanyBankAccount
{
    public string Id { get; set; } = "";
    public string BankName { get; set; } = "";
    public string? Bic { get; set; }
    public string AccountNo { get; set; } = "";
    public string AccountName { get; set; } = "";
    public string Currency { get; set; } = "";

    /// <summary>Connected to the bank by API (balance inquiry, statements): only these can have an interception rule.</summary>
    public bool ApiIntegrated { get; set; }
    public int RowVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A withdrawal channel: a paying account plus a method, e.g. "ICBC Asia 001 — Cheque Transfer".</summary>
public sealed class FiatChannel
{
    public string Id { get; set; } = "";
    public string BankAccountId { get; set; } = "";
    public string Method { get; set; } = "";
    public string Currency { get; set; } = "";
    public bool IsCheque { get; set; }
    public bool AutomaticStatus { get; set; } = true;
    public bool Enabled { get; set; } = true;
    public int RowVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Currency Setup: whether clients may withdraw in the currency.</summary>
public sealed class FiatCurrency
{
    public string Code { get; set; } = "";
    public bool WithdrawalEnabled { get; set; }
    public int RowVersion { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A withdrawal rule of one channel: policy (and its packing cron), limits, service windows, supported client banks.</summary>
public sealed class WithdrawalRule
{
    public Guid Id { get; set; }
    public string ChannelId { get; set; } = "";
    public string Policy { get; set; } = "";
    public string? PackingCron { get; set; }
    public decimal SingleLimit { get; set; }
    public decimal CustomerDailyLimit { get; set; }

    /// <summary>JSON list of { days: ["Mon",…], from: "09:00", to: "17:00" } in the business time zone; empty = always.</summary>
    public string ServiceWindows { get; set; } = "[]";

    /// <summary>JSON list of client bank names; empty = every bank.</summary>
    public string SupportedBanks { get; set; } = "[]";
    public int Priority { get; set; }
    public bool Enabled { get; set; } = true;
    public int RowVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The daily limit of a withdrawal bank (a paying account).</summary>
public sealed class BankDailyLimit
{
    public string BankAccountId { get; set; } = "";
    public decimal LimitAmount { get; set; }
    public decimal AlertThreshold { get; set; }
    public int RowVersion { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Daily Limit Changes: one row per add, edit, delete or adjustment.</summary>
public sealed class DailyLimitChange
{
    public Guid Id { get; set; }
    public string BankAccountId { get; set; } = "";
    public string Action { get; set; } = "";
    public decimal? Delta { get; set; }
    public decimal? LimitBefore { get; set; }
    public decimal? LimitAfter { get; set; }
    public decimal? AlertBefore { get; set; }
    public decimal? AlertAfter { get; set; }
    public string? Reason { get; set; }
    public string Actor { get; set; } = "";
    public DateTimeOffset At { get; set; }
}

/// <summary>What a scope (a customer in a currency, or a paying account) has reserved on a business day.</summary>
public sealed class LimitUsage
{
    public string Scope { get; set; } = "";
    public DateOnly BusinessDay { get; set; }
    public decimal Used { get; set; }
    public int Version { get; set; }
}

/// <summary>One reference's (record number or batch id) share of a <see cref="LimitUsage"/>, so that it can be replaced or given back.</summary>
public sealed class LimitReservation
{
    public string Kind { get; set; } = "";
    public string Reference { get; set; } = "";
    public string Scope { get; set; } = "";
    public DateOnly BusinessDay { get; set; }
    public decimal Amount { get; set; }
    public DateTimeOffset At { get; set; }
}

/// <summary>Balance Blocking Rule of an API-integrated paying account.</summary>
public sealed class InterceptionRule : ISwitchableRow
{
    public string BankAccountId { get; set; } = "";
    public decimal AlertThreshold { get; set; }
    public decimal InterceptionThreshold { get; set; }
    public bool Enabled { get; set; } = true;
    public int RowVersion { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An automatic review rule: the first enabled rule by priority whose set conditions all hold decides.</summary>
public sealed class ReviewRule : ISwitchableRow
{
    public Guid Id { get; set; }
    public string Name { get; set; } = "";
    public string Kind { get; set; } = "";
    public bool? FirstWithdrawal { get; set; }
    public bool? NewBeneficiaryAccount { get; set; }
    public decimal? AmountAtLeast { get; set; }
    public string? Currency { get; set; }
    public int Priority { get; set; }
    public bool Enabled { get; set; } = true;
    public int RowVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>More settings (one row, id "default").</summary>
public sealed class FiatSettings
{
    public const string DefaultId = "default";
    public string Id { get; set; } = DefaultId;
    public bool DirectBillingNeedsApproval { get; set; } = true;

    /// <summary>What an application gets when no review rule applies.</summary>
    public string DefaultReviewKind { get; set; } = Flows.Fiat.FiatReviewKinds.AutoSubmit;

    /// <summary>Work orders (review, edit, direct billing, batch) above this amount need a second checker; null: one checker.</summary>
    public decimal? SecondApprovalThreshold { get; set; }
    public int RowVersion { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Withdrawal Configuration: estimated arrival and fee per client bank and currency.</summary>
public sealed class WithdrawalParameter
{
    public Guid Id { get; set; }
    public string ClientBank { get; set; } = "";
    public string Currency { get; set; } = "";
    public string? EstimatedArrival { get; set; }
    public decimal? Fee { get; set; }
    public int RowVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>The configuration journal: who changed what, when, before → after.</summary>
public sealed class ConfigJournalEntry : IEntityChangeJournalRow
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    public string Entity { get; set; } = "";
    public string EntityKey { get; set; } = "";
    public string Action { get; set; } = "";
    public string? BeforeJson { get; set; }
    public string? AfterJson { get; set; }
    public string? Reason { get; set; }
}

/// <summary>An alert raised by the payout checks (daily limit low or exceeded, balance low or intercepted).</summary>
public sealed class FiatAlert
{
    public Guid Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string Kind { get; set; } = "";
    public string Subject { get; set; } = "";
    public string? Reference { get; set; }
    public string Message { get; set; } = "";
}

internal sealed class CompanyBankAccountMap : IEntityTypeConfiguration<CompanyBankAccount>
{
    public void Configure(EntityTypeBuilder<CompanyBankAccount> e)
    {
        e.ToTable("fiat_bank_accounts");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.Bic).HasMaxLength(11);
        e.Property(x => x.Currency).HasMaxLength(3);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
    }
}

internal sealed class FiatChannelMap : IEntityTypeConfiguration<FiatChannel>
{
    public void Configure(EntityTypeBuilder<FiatChannel> e)
    {
        e.ToTable("fiat_channels");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.BankAccountId).HasMaxLength(64);
        e.Property(x => x.Currency).HasMaxLength(3);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
        e.HasIndex(x => x.BankAccountId);
    }
}

internal sealed class FiatCurrencyMap : IEntityTypeConfiguration<FiatCurrency>
{
    public void Configure(EntityTypeBuilder<FiatCurrency> e)
    {
        e.ToTable("fiat_currencies");
        e.HasKey(x => x.Code);
        e.Property(x => x.Code).HasMaxLength(3);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
    }
}

internal sealed class WithdrawalRuleMap : IEntityTypeConfiguration<WithdrawalRule>
{
    public void Configure(EntityTypeBuilder<WithdrawalRule> e)
    {
        e.ToTable("fiat_withdrawal_rules");
        e.HasKey(x => x.Id);
        e.Property(x => x.ChannelId).HasMaxLength(64);
        e.Property(x => x.Policy).HasMaxLength(40);
        e.Property(x => x.PackingCron).HasMaxLength(120);
        e.Property(x => x.ServiceWindows).HasMaxLength(4000);
        e.Property(x => x.SupportedBanks).HasMaxLength(4000);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
        e.HasIndex(x => x.ChannelId).IsUnique();
    }
}

internal sealed class BankDailyLimitMap : IEntityTypeConfiguration<BankDailyLimit>
{
    public void Configure(EntityTypeBuilder<BankDailyLimit> e)
    {
        e.ToTable("fiat_daily_limits");
        e.HasKey(x => x.BankAccountId);
        e.Property(x => x.BankAccountId).HasMaxLength(64);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
    }
}

internal sealed class DailyLimitChangeMap : IEntityTypeConfiguration<DailyLimitChange>
{
    public void Configure(EntityTypeBuilder<DailyLimitChange> e)
    {
        e.ToTable("fiat_daily_limit_changes");
        e.HasKey(x => x.Id);
        e.Property(x => x.BankAccountId).HasMaxLength(64);
        e.Property(x => x.Action).HasMaxLength(20);
        e.Property(x => x.Reason).HasMaxLength(1000);
        e.Property(x => x.Actor).HasMaxLength(200);
        e.HasIndex(x => new { x.BankAccountId, x.At });
    }
}

internal sealed class LimitUsageMap : IEntityTypeConfiguration<LimitUsage>
{
    public void Configure(EntityTypeBuilder<LimitUsage> e)
    {
        e.ToTable("fiat_limit_usage");
        e.HasKey(x => new { x.Scope, x.BusinessDay });
        e.Property(x => x.Scope).HasMaxLength(200);
        e.Property(x => x.Version).IsConcurrencyToken();
    }
}

internal sealed class LimitReservationMap : IEntityTypeConfiguration<LimitReservation>
{
    public void Configure(EntityTypeBuilder<LimitReservation> e)
    {
        e.ToTable("fiat_limit_reservations");
        e.HasKey(x => new { x.Kind, x.Reference });
        e.Property(x => x.Kind).HasMaxLength(20);
        e.Property(x => x.Reference).HasMaxLength(200);
        e.Property(x => x.Scope).HasMaxLength(200);
        e.HasIndex(x => x.Reference);
    }
}

internal sealed class InterceptionRuleMap : IEntityTypeConfiguration<InterceptionRule>
{
    public void Configure(EntityTypeBuilder<InterceptionRule> e)
    {
        e.ToTable("fiat_interception_rules");
        e.HasKey(x => x.BankAccountId);
        e.Property(x => x.BankAccountId).HasMaxLength(64);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
    }
}

internal sealed class ReviewRuleMap : IEntityTypeConfiguration<ReviewRule>
{
    public void Configure(EntityTypeBuilder<ReviewRule> e)
    {
        e.ToTable("fiat_review_rules");
        e.HasKey(x => x.Id);
        e.Property(x => x.Name).HasMaxLength(200);
        e.Property(x => x.Kind).HasMaxLength(40);
        e.Property(x => x.Currency).HasMaxLength(3);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
    }
}

internal sealed class FiatSettingsMap : IEntityTypeConfiguration<FiatSettings>
{
    public void Configure(EntityTypeBuilder<FiatSettings> e)
    {
        e.ToTable("fiat_settings");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(20);
        e.Property(x => x.DefaultReviewKind).HasMaxLength(40);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
    }
}

internal sealed class WithdrawalParameterMap : IEntityTypeConfiguration<WithdrawalParameter>
{
    public void Configure(EntityTypeBuilder<WithdrawalParameter> e)
    {
        e.ToTable("fiat_withdrawal_parameters");
        e.HasKey(x => x.Id);
        e.Property(x => x.ClientBank).HasMaxLength(200);
        e.Property(x => x.Currency).HasMaxLength(3);
        e.Property(x => x.EstimatedArrival).HasMaxLength(200);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
        e.HasIndex(x => new { x.ClientBank, x.Currency }).IsUnique();
    }
}

internal sealed class ConfigJournalEntryMap : IEntityTypeConfiguration<ConfigJournalEntry>
{
    public void Configure(EntityTypeBuilder<ConfigJournalEntry> e)
    {
        ChangeJournal.MapEntityColumns(e, "fiat_config_journal");
        e.Property(x => x.Reason).HasMaxLength(1000);
    }
}

internal sealed class FiatAlertMap : IEntityTypeConfiguration<FiatAlert>
{
    public void Configure(EntityTypeBuilder<FiatAlert> e)
    {
        e.ToTable("fiat_alerts");
        e.HasKey(x => x.Id);
        e.Property(x => x.Kind).HasMaxLength(40);
        e.Property(x => x.Subject).HasMaxLength(200);
        e.Property(x => x.Reference).HasMaxLength(200);
        e.Property(x => x.Message).HasMaxLength(1000);
        e.HasIndex(x => x.At);
    }
}

/// <summary>A currency's own second-approval threshold; currencies without one use <see cref="FiatSettings.SecondApprovalThreshold"/> (V020).</summary>
public sealed class FiatCurrencyThreshold
{
    public string Currency { get; set; } = "";
    public decimal Threshold { get; set; }
}

/// <summary>
/// The configuration's version (one row, id 1): bumped in the transaction of every save that writes a journal entry,
/// so that a node's cached channels are checked with one primary-key read (V020).
/// </summary>
public sealed class FiatConfigVersion
{
    public const int RowId = 1;
    public int Id { get; set; } = RowId;
    public long Version { get; set; }
}

internal sealed class FiatCurrencyThresholdMap : IEntityTypeConfiguration<FiatCurrencyThreshold>
{
    public void Configure(EntityTypeBuilder<FiatCurrencyThreshold> e)
    {
        e.ToTable("fiat_second_approval_thresholds");
        e.HasKey(x => x.Currency);
        e.Property(x => x.Currency).HasMaxLength(3);
    }
}

internal sealed class FiatConfigVersionMap : IEntityTypeConfiguration<FiatConfigVersion>
{
    public void Configure(EntityTypeBuilder<FiatConfigVersion> e)
    {
        e.ToTable("fiat_config_version");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).ValueGeneratedNever();
    }
}
