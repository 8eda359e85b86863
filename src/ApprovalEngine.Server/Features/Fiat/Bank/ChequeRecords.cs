using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>The cheque of a record paid by cheque: its number (unique) and how often it was printed.</summary>
public sealed class FiatCheque
{
    public Guid RecordId { get; set; }
    public string RecordNo { get; set; } = "";
    public string ChequeNo { get; set; } = "";
    public int PrintCount { get; set; }
    public string FirstPrintedBy { get; set; } = "";
    public DateTimeOffset FirstPrintedAt { get; set; }
    public string LastPrintedBy { get; set; } = "";
    public DateTimeOffset LastPrintedAt { get; set; }
}

/// <summary>One print of one cheque (initial or reprint): who, when, which number, in which print run.</summary>
public sealed class FiatChequePrint
{
    public Guid Id { get; set; }
    public Guid PrintRun { get; set; }
    public Guid RecordId { get; set; }
    public string RecordNo { get; set; } = "";
    public string ChequeNo { get; set; } = "";

    /// <summary>The number the cheque had before a reprint with a new number (the old paper is void).</summary>
    public string? PreviousChequeNo { get; set; }
    public string Kind { get; set; } = "";
    public string PrintedBy { get; set; } = "";
    public DateTimeOffset PrintedAt { get; set; }
}

internal sealed class FiatChequeMap : IEntityTypeConfiguration<FiatCheque>
{
    public void Configure(EntityTypeBuilder<FiatCheque> e)
    {
        e.ToTable("fiat_cheques");
        e.HasKey(x => x.RecordId);
        e.Property(x => x.ChequeNo).HasMaxLength(20);
        // Two prints of one cheque at once: the second sees another count and is refused, so no print goes uncounted.
        e.Property(x => x.PrintCount).IsConcurrencyToken();
        e.HasIndex(x => x.ChequeNo).IsUnique();
        e.HasIndex(x => x.RecordNo).IsUnique();
    }
}

internal sealed class FiatChequePrintMap : IEntityTypeConfiguration<FiatChequePrint>
{
    public void Configure(EntityTypeBuilder<FiatChequePrint> e)
    {
        e.ToTable("fiat_cheque_prints");
        e.HasKey(x => x.Id);
        e.Property(x => x.ChequeNo).HasMaxLength(20);
        e.Property(x => x.PreviousChequeNo).HasMaxLength(20);
        e.Property(x => x.Kind).HasMaxLength(20);
        e.HasIndex(x => new { x.RecordId, x.PrintedAt });
    }
}
