using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <summary>Batch statuses: Pending (awaiting its work order), Paying (file at the bank), Rejected (work order), Refused (bank), Completed (every record has its result).</summary>
public static class FiatBatchStatuses
{
    public const string Pending = "Batch Pending";
    public const string Paying = "Paying";
    public const string Rejected = "Rejected";
    public const string Refused = "Refused";
    public const string Completed = "Completed";
}

/// <summary>
/// A batch packed for arrangement: records of one channel and currency in Withdrawal Pending, approved by one work
/// order (its <c>fiat-batch</c> instance, same id) and paid as one bank file.
/// </summary>
public sealed class FiatBatch
{
    public string Id { get; set; } = "";
    public Guid? InstanceId { get; set; }
    public string ChannelId { get; set; } = "";
    public string Currency { get; set; } = "";
    public string? Policy { get; set; }
    public string Status { get; set; } = FiatBatchStatuses.Pending;
    public decimal Total { get; set; }
    public int Count { get; set; }
    public string CreatedBy { get; set; } = "";
    public string? FileName { get; set; }
    public string? FileFormat { get; set; }
    public string? FileContent { get; set; }
    public string? BankReference { get; set; }
    public string? Reason { get; set; }

    /// <summary>The batch's flow ended (its status is final: Paying = file at the bank, Rejected, Refused).</summary>
    public bool Finished { get; set; }

    /// <summary>The batch's outcome (paid, rejected, refused) has reached every record in it.</summary>
    public bool Dispatched { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>A record in a batch. <see cref="IsOpen"/> while the batch holds it: a record is in one open batch at most (unique index).</summary>
public sealed class FiatBatchItem
{
    public long Id { get; set; }
    public string BatchId { get; set; } = "";
    public Guid RecordId { get; set; }
    public string RecordNo { get; set; } = "";
    public decimal Amount { get; set; }
    public bool IsOpen { get; set; } = true;

    /// <summary>Manual result update (channels without automatic status): Success or Failed.</summary>
    public string? Result { get; set; }
    public string? Reason { get; set; }
}

/// <summary>Per-prefix counters for server-generated numbers (FW + business day + sequence, FB + business day + sequence).</summary>
public sealed class FiatSequence
{
    public string Name { get; set; } = "";
    public long LastValue { get; set; }
}

internal sealed class FiatBatchMap : IEntityTypeConfiguration<FiatBatch>
{
    public void Configure(EntityTypeBuilder<FiatBatch> e)
    {
        e.ToTable("fiat_batches");
        e.HasKey(x => x.Id);
        e.Property(x => x.Id).HasMaxLength(64);
        e.Property(x => x.Status).HasMaxLength(60);
        e.Property(x => x.FileContent).HasMaxLength(int.MaxValue);
        e.Property(x => x.Reason).HasMaxLength(2000);
        e.HasIndex(x => new { x.Status, x.ChannelId });
        e.HasIndex(x => x.InstanceId);
    }
}

internal sealed class FiatBatchItemMap : IEntityTypeConfiguration<FiatBatchItem>
{
    public void Configure(EntityTypeBuilder<FiatBatchItem> e)
    {
        e.ToTable("fiat_batch_items");
        e.HasKey(x => x.Id);
        e.Property(x => x.BatchId).HasMaxLength(64);
        e.Property(x => x.RecordNo).HasMaxLength(64);
        e.Property(x => x.Result).HasMaxLength(20);
        e.Property(x => x.Reason).HasMaxLength(2000);
        e.HasIndex(x => x.BatchId);
        // The rule "one open batch per record" is the database's, so concurrent packs cannot both take a record.
        e.HasIndex(x => x.RecordId).IsUnique().HasFilter("is_open");
    }
}

internal sealed class FiatSequenceMap : IEntityTypeConfiguration<FiatSequence>
{
    public void Configure(EntityTypeBuilder<FiatSequence> e)
    {
        e.ToTable("fiat_sequences");
        e.HasKey(x => x.Name);
        e.Property(x => x.Name).HasMaxLength(40);
    }
}
