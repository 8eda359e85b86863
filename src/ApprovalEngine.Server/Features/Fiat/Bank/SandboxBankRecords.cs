using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>The sandbox bank's paying account of a channel: null balance = a bank without balance inquiry.</summary>
public sealed class SandboxBankAccount
{
    public string ChannelId { get; set; } = "";
    public string Currency { get; set; } = "";
    public decimal? Balance { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// A payout the sandbox bank made (<see cref="SandboxPayoutStatuses.Paid"/>) or promised never to make
/// (<see cref="SandboxPayoutStatuses.CalledOff"/>); one row per idempotency key, which is what makes a key pay once.
/// </summary>
public sealed class SandboxBankPayout
{
    public Guid Id { get; set; }
    public long ReferenceNo { get; set; }
    public string BankReference { get; set; } = "";
    public string ChannelId { get; set; } = "";
    public string BeneficiaryAccount { get; set; } = "";
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "";
    public string Reference { get; set; } = "";
    public string IdempotencyKey { get; set; } = "";
    public string Status { get; set; } = SandboxPayoutStatuses.Paid;

    /// <summary>The bank file the payout was part of, if any.</summary>
    public string? FileId { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
}

public static class SandboxPayoutStatuses
{
    public const string Paid = "Paid";
    public const string CalledOff = "CalledOff";
}

/// <summary>A bank file the sandbox bank took (its transfers are payouts with <see cref="SandboxBankPayout.FileId"/>).</summary>
public sealed class SandboxBankFile
{
    public Guid Id { get; set; }
    public string FileId { get; set; } = "";
    public string IdempotencyKey { get; set; } = "";
    public long ReferenceNo { get; set; }
    public string BankReference { get; set; } = "";
    public string ChannelId { get; set; } = "";
    public string Currency { get; set; } = "";
    public string Format { get; set; } = "";
    public string Content { get; set; } = "";
    public int Transfers { get; set; }
    public decimal Total { get; set; }
    public DateTimeOffset SubmittedAt { get; set; }
}

/// <summary>A statement entry booked on a sandbox account by hand (a test, a developer): fees, credits, odd debits.</summary>
public sealed class SandboxBankEntry
{
    public Guid Id { get; set; }
    public string ChannelId { get; set; } = "";
    public string EntryId { get; set; } = "";
    public DateOnly BookingDate { get; set; }
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "";
    public bool IsDebit { get; set; }
    public string? Reference { get; set; }
    public string? CounterpartyAccount { get; set; }
    public string? Description { get; set; }
}

internal sealed class SandboxBankAccountMap : IEntityTypeConfiguration<SandboxBankAccount>
{
    public void Configure(EntityTypeBuilder<SandboxBankAccount> e)
    {
        e.ToTable("sandbox_bank_accounts");
        e.HasKey(x => x.ChannelId);
    }
}

internal sealed class SandboxBankPayoutMap : IEntityTypeConfiguration<SandboxBankPayout>
{
    public void Configure(EntityTypeBuilder<SandboxBankPayout> e)
    {
        e.ToTable("sandbox_bank_payouts");
        e.HasKey(x => x.Id);
        e.Property(x => x.Status).HasMaxLength(20);
        e.HasIndex(x => x.IdempotencyKey).IsUnique();
        e.HasIndex(x => new { x.ChannelId, x.SubmittedAt });
        e.HasIndex(x => x.Reference);
    }
}

internal sealed class SandboxBankFileMap : IEntityTypeConfiguration<SandboxBankFile>
{
    public void Configure(EntityTypeBuilder<SandboxBankFile> e)
    {
        e.ToTable("sandbox_bank_files");
        e.HasKey(x => x.Id);
        e.Property(x => x.Content).HasColumnType("text");
        e.HasIndex(x => x.IdempotencyKey).IsUnique();
    }
}

internal sealed class SandboxBankEntryMap : IEntityTypeConfiguration<SandboxBankEntry>
{
    public void Configure(EntityTypeBuilder<SandboxBankEntry> e)
    {
        e.ToTable("sandbox_bank_entries");
        e.HasKey(x => x.Id);
        e.HasIndex(x => new { x.ChannelId, x.EntryId }).IsUnique();
    }
}
