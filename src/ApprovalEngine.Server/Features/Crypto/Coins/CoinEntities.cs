using ApprovalEngine.Server.Infrastructure;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Crypto.Coins;

// The coin configuration tables (V021). An edit names the RowVersion it read: a stale one is a 409 instead of silently
// overwriting a colleague's change.

/// <summary>One coin on one network (WBO "Cryptocurrency Configuration"); amounts in coin units.</summary>
public sealed class CryptoCoin
{
    public string Coin { get; set; } = "";
    public string Network { get; set; } = "";
    public int Decimals { get; set; }
    public decimal MinWithdrawal { get; set; }
    public decimal MaxWithdrawal { get; set; }
    public decimal WithdrawalFee { get; set; }
    public int RequiredConfirmations { get; set; }
    public bool DepositEnabled { get; set; }
    public bool WithdrawalEnabled { get; set; }
    public int RowVersion { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>Every change of the crypto configuration: who, when, the entity and its key, before → after.</summary>
public sealed class CryptoConfigJournalEntry : IEntityChangeJournalRow
{
    public long Id { get; set; }
    public DateTimeOffset At { get; set; }
    public string Actor { get; set; } = "";
    public string Entity { get; set; } = "";
    public string EntityKey { get; set; } = "";
    public string Action { get; set; } = "";
    public string? BeforeJson { get; set; }
    public string? AfterJson { get; set; }
}

internal sealed class CryptoCoinMap : IEntityTypeConfiguration<CryptoCoin>
{
    public void Configure(EntityTypeBuilder<CryptoCoin> e)
    {
        e.ToTable("crypto_coins");
        e.HasKey(x => new { x.Coin, x.Network });
        e.Property(x => x.Coin).HasMaxLength(10);
        e.Property(x => x.Network).HasMaxLength(20);
        // ETH counts in wei (18 decimals): the engine's money convention (28,8) would round a coin's amounts.
        e.Property(x => x.MinWithdrawal).HasPrecision(38, 18);
        e.Property(x => x.MaxWithdrawal).HasPrecision(38, 18);
        e.Property(x => x.WithdrawalFee).HasPrecision(38, 18);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
    }
}

internal sealed class CryptoConfigJournalEntryMap : IEntityTypeConfiguration<CryptoConfigJournalEntry>
{
    public void Configure(EntityTypeBuilder<CryptoConfigJournalEntry> e)
    {
        ChangeJournal.MapEntityColumns(e, "crypto_config_journal");
    }
}
