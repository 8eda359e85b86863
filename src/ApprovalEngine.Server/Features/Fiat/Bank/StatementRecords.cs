using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>Names of the bank side fixed by the shared design (FiatNames holds them once the operations side adds them).</summary>
public static class FiatBankNames
{
    /// <summary>The event a record in status <see cref="Unmatch"/> waits for; correlation = record no.</summary>
    public const string FiatReconciled = "FiatReconciled";

    /// <summary>Business status of a paid record waiting for its bank debit.</summary>
    public const string Unmatch = "Unmatch";

    /// <summary>The system actor that fires automatic reconciliations.</summary>
    public const string ReconciliationActor = "system:fiat-reconciliation";
}

/// <summary>Match status of a statement entry, and reconciliation result of a record.</summary>
public static class MatchStatuses
{
    public const string Unmatch = "Unmatch";
    public const string Matched = "Matched";
    public const string Discrepancy = "Discrepancy";

    /// <summary>Tagged to a record by hand; a second person confirms (or anyone with the right rejects).</summary>
    public const string PendingConfirmation = "PendingConfirmation";
}

public static class EntryDirections
{
    public const string Debit = "Debit";
    public const string Credit = "Credit";
}

/// <summary>Where a statement entry came from.</summary>
public static class StatementSources
{
    public const string Camt053 = "camt.053";
    public const string Csv = "csv";

    /// <summary>Fetched from the bank's API (the poller or a refresh).</summary>
    public const string Api = "api";
}

/// <summary>
/// One line of a paying account's bank statement (a "withdrawal bill" when it is a debit). Unique per channel and the
/// bank's entry id, so the same line imported or fetched twice is stored once.
/// </summary>
public sealed class FiatStatementEntry
{
    public Guid Id { get; set; }
    public string ChannelId { get; set; } = "";

    /// <summary>The bank's id of the entry (camt.053 AcctSvcrRef, else NtryRef; the CSV's entry_id; the API's entry id).</summary>
    public string EntryId { get; set; } = "";
    public DateOnly BookingDate { get; set; }

    /// <summary>The amount as the bank wrote it (debits may come negative).</summary>
    public decimal BankAmount { get; set; }

    /// <summary>The absolute amount: what is compared with a record.</summary>
    public decimal Amount { get; set; }
    public string Currency { get; set; } = "";

    /// <summary><see cref="EntryDirections"/>: as parsed, or as an operator reclassified it.</summary>
    public string Direction { get; set; } = EntryDirections.Debit;
    public string? Reference { get; set; }
    public string? CounterpartyAccount { get; set; }
    public string? Description { get; set; }
    public string Source { get; set; } = "";
    public Guid? ImportId { get; set; }

    public string MatchStatus { get; set; } = MatchStatuses.Unmatch;
    public Guid? RecordId { get; set; }
    public string? RecordNo { get; set; }

    /// <summary>JSON array of the reasons of a Discrepancy (or of the match).</summary>
    public string? MatchReasons { get; set; }
    public bool ManualMatch { get; set; }
    public DateTimeOffset? MatchedAt { get; set; }
    public string? TaggedBy { get; set; }
    public DateTimeOffset? TaggedAt { get; set; }
    public string? ConfirmedBy { get; set; }

    public bool Deleted { get; set; }
    public string? DeletedBy { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
    public string CreatedBy { get; set; } = "";
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>An accepted import of a statement file (nothing of a refused file is stored, so no row for it either).</summary>
public sealed class FiatStatementImport
{
    public Guid Id { get; set; }
    public string ChannelId { get; set; } = "";
    public string Format { get; set; } = "";
    public string? FileName { get; set; }
    public int Imported { get; set; }
    public int Duplicates { get; set; }
    public int Skipped { get; set; }
    public string ImportedBy { get; set; } = "";
    public DateTimeOffset ImportedAt { get; set; }
}

/// <summary>Who changed a statement entry, when, how (before → after, as JSON), and why.</summary>
public sealed class FiatStatementJournalEntry
{
    public Guid Id { get; set; }
    public Guid EntryId { get; set; }
    public string Action { get; set; } = "";
    public string Actor { get; set; } = "";
    public DateTimeOffset At { get; set; }
    public string? Before { get; set; }
    public string? After { get; set; }
    public string? Comment { get; set; }
}

internal sealed class FiatStatementEntryMap : IEntityTypeConfiguration<FiatStatementEntry>
{
    public void Configure(EntityTypeBuilder<FiatStatementEntry> e)
    {
        e.ToTable("fiat_statement_entries");
        e.HasKey(x => x.Id);
        e.Property(x => x.Direction).HasMaxLength(10);
        e.Property(x => x.MatchStatus).HasMaxLength(30);
        e.Property(x => x.MatchReasons).HasColumnType("text");
        e.Property(x => x.Description).HasMaxLength(1000);
        e.HasIndex(x => new { x.ChannelId, x.EntryId }).IsUnique();
        e.HasIndex(x => new { x.ChannelId, x.MatchStatus, x.BookingDate });
        e.HasIndex(x => x.RecordNo);
        e.HasIndex(x => x.Reference);
    }
}

internal sealed class FiatStatementImportMap : IEntityTypeConfiguration<FiatStatementImport>
{
    public void Configure(EntityTypeBuilder<FiatStatementImport> e)
    {
        e.ToTable("fiat_statement_imports");
        e.HasKey(x => x.Id);
        e.HasIndex(x => new { x.ChannelId, x.ImportedAt });
    }
}

internal sealed class FiatStatementJournalMap : IEntityTypeConfiguration<FiatStatementJournalEntry>
{
    public void Configure(EntityTypeBuilder<FiatStatementJournalEntry> e)
    {
        e.ToTable("fiat_statement_journal");
        e.HasKey(x => x.Id);
        e.Property(x => x.Before).HasColumnType("text");
        e.Property(x => x.After).HasColumnType("text");
        e.Property(x => x.Comment).HasMaxLength(2000);
        e.HasIndex(x => new { x.EntryId, x.At });
    }
}
