using ApprovalEngine.Server.Infrastructure;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Infrastructure;

/// <summary>
/// A configuration change that weakens a control, held until a second configurer decides it (four eyes: fiat ADR 15,
/// crypto ADR 18). Each family keeps its rows in its own table (a sealed subclass mapped by the family's context);
/// the shape, the statuses, the decision and the view are this one. <see cref="Body"/> is the request as the proposer
/// sent it (with the rowVersion it read), replayed on approval.
/// </summary>
public abstract class PendingChangeRecord
{
    public const string Pending = "Pending";
    public const string Approved = "Approved";
    public const string Rejected = "Rejected";
    public static readonly IReadOnlyList<string> Statuses = [Pending, Approved, Rejected];

    public Guid Id { get; set; }
    public string Entity { get; set; } = "";
    public string EntityKey { get; set; } = "";
    public string Action { get; set; } = "";
    public string Body { get; set; } = "";
    public string? Before { get; set; }
    public string Summary { get; set; } = "";
    public string ProposedBy { get; set; } = "";
    public DateTimeOffset ProposedAt { get; set; }
    public string Status { get; set; } = Pending;
    public string? DecidedBy { get; set; }
    public DateTimeOffset? DecidedAt { get; set; }
    public string? Reason { get; set; }
    public int RowVersion { get; set; }

    /// <summary>Approved or rejected once: the RowVersion bump makes a concurrent second decision fail its save (409).</summary>
    public void Decide(string status, string actor, DateTimeOffset at, string? reason)
    {
        Status = status;
        DecidedBy = actor;
        DecidedAt = at;
        Reason = reason;
        RowVersion++;
    }

    /// <summary>The columns of every family's pending-change table (V017 fiat, V024 crypto).</summary>
    public static void Map<T>(EntityTypeBuilder<T> e, string table) where T : PendingChangeRecord
    {
        ArgumentNullException.ThrowIfNull(e);
        e.ToTable(table);
        e.HasKey(x => x.Id);
        e.Property(x => x.Entity).HasMaxLength(60);
        e.Property(x => x.EntityKey).HasMaxLength(200);
        e.Property(x => x.Action).HasMaxLength(40);
        e.Property(x => x.Body).HasMaxLength(16000);
        e.Property(x => x.Before).HasMaxLength(16000);
        e.Property(x => x.Summary).HasMaxLength(1000);
        e.Property(x => x.ProposedBy).HasMaxLength(200);
        e.Property(x => x.Status).HasMaxLength(20);
        e.Property(x => x.DecidedBy).HasMaxLength(200);
        e.Property(x => x.Reason).HasMaxLength(1000);
        e.Property(x => x.RowVersion).IsConcurrencyToken();
        e.HasIndex(x => x.Status);
    }
}

/// <summary>A pending change as the routes show it (fiat and crypto alike, so the screens show both the same way).</summary>
public sealed record PendingChangeView(Guid Id, string Entity, string EntityKey, string Action, string Summary, JsonNode? Body, JsonNode? Before,
    string ProposedBy, DateTimeOffset ProposedAt, string Status, string? DecidedBy, DateTimeOffset? DecidedAt, string? Reason)
{
    public static PendingChangeView Of(PendingChangeRecord c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new(c.Id, c.Entity, c.EntityKey, c.Action, c.Summary, JsonNode.Parse(c.Body), c.Before is null ? null : JsonNode.Parse(c.Before),
            c.ProposedBy, c.ProposedAt, c.Status, c.DecidedBy, c.DecidedAt, c.Reason);
    }
}
