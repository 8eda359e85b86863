using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Fiat.Records;

/// <summary>
/// One withdrawal record (a <c>fiat-withdrawal</c> instance; same id), kept by <see cref="FiatProjection"/> in the
/// step's transaction. Serves the records list, filters, export, indicator cards and the facts the rules read
/// (customer usage per business day, earlier withdrawals, known beneficiary accounts).
/// </summary>
public sealed class FiatWithdrawalRecord
{
    public Guid Id { get; set; }
    public string RecordNo { get; set; } = "";
    public string CustomerId { get; set; } = "";
    public string Currency { get; set; } = "";
    public decimal Amount { get; set; }
    public decimal Fee { get; set; }
    public string BeneficiaryAccount { get; set; } = "";
    public string? BeneficiaryBank { get; set; }
    public string? BeneficiaryName { get; set; }
    public string? ChannelId { get; set; }
    public string? Policy { get; set; }
    public string Status { get; set; } = "";
    public string? BatchId { get; set; }
    public string? BankReference { get; set; }

    /// <summary>Reconciliation result: Unmatch (paid, not yet matched) or Matched; null before payment (version 2).</summary>
    public string? Reconciliation { get; set; }

    /// <summary>The record this one re-pays (Repayment of a withdrawal exception).</summary>
    public string? RepaymentOf { get; set; }

    /// <summary>Who started the record (a system's key name or a person) and that caller's own id for it: unique together.</summary>
    public string? StartedBy { get; set; }
    public string? ClientReference { get; set; }

    /// <summary>The business day (in <c>Fiat:BusinessTimeZone</c>) the application arrived on: the day its amount counts against daily limits.</summary>
    public DateOnly BusinessDay { get; set; }

    /// <summary>The instance finished (Completed, Rejected, Failed, Deleted...).</summary>
    public bool Finished { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }

    /// <summary>When the payout was confirmed paid (first arrival in Unmatch or Completed); null before, and for old records whose journal did not tell.</summary>
    public DateTimeOffset? PaidAt { get; set; }
}

internal sealed class FiatWithdrawalRecordMap : IEntityTypeConfiguration<FiatWithdrawalRecord>
{
    public void Configure(EntityTypeBuilder<FiatWithdrawalRecord> e)
    {
        e.ToTable("fiat_withdrawals");
        e.HasKey(x => x.Id);
        e.Property(x => x.RecordNo).HasMaxLength(64);
        e.Property(x => x.Status).HasMaxLength(60);
        e.Property(x => x.Reconciliation).HasMaxLength(20);
        e.Property(x => x.RepaymentOf).HasMaxLength(64);
        e.Property(x => x.ClientReference).HasMaxLength(100);
        e.HasIndex(x => new { x.StartedBy, x.ClientReference }).IsUnique().HasFilter("client_reference IS NOT NULL");
        e.HasIndex(x => new { x.ChannelId, x.Currency, x.Status });
        e.HasIndex(x => x.RecordNo).IsUnique();
        e.HasIndex(x => new { x.CustomerId, x.BusinessDay });
        e.HasIndex(x => new { x.Status, x.ChannelId });
        e.HasIndex(x => x.BatchId);
        e.HasIndex(x => x.CreatedAt);
        e.HasIndex(x => x.PaidAt);
    }
}
