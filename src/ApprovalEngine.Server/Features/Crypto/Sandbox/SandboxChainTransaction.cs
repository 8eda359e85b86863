using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Crypto.Sandbox;

/// <summary>
/// A transaction the Development blockchain sandbox knows (issue 13): a transfer it broadcast (withdrawal or refund,
/// keyed by the caller's idempotency key) or a deposit it was told about, with the confirmations reported so far.
/// Stored so a restarted host keeps what the "chain" did.
/// </summary>
public sealed class SandboxChainTransaction
{
    public const string Broadcast = "Broadcast";
    public const string Deposit = "Deposit";

    public string TxId { get; set; } = "";

    /// <summary><see cref="Broadcast"/> or <see cref="Deposit"/>.</summary>
    public string Kind { get; set; } = "";

    /// <summary>The broadcast's idempotency key (unique); null for a deposit.</summary>
    public string? IdempotencyKey { get; set; }
    public string Coin { get; set; } = "";
    public string Network { get; set; } = "";
    public string Address { get; set; } = "";
    public decimal Amount { get; set; }
    public string Reference { get; set; } = "";
    public int Confirmations { get; set; }
    public bool Failed { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class SandboxChainTransactionMap : IEntityTypeConfiguration<SandboxChainTransaction>
{
    public void Configure(EntityTypeBuilder<SandboxChainTransaction> e)
    {
        e.ToTable("crypto_sandbox_transactions");
        e.HasKey(x => x.TxId);
        e.Property(x => x.TxId).HasMaxLength(100);
        e.Property(x => x.Kind).HasMaxLength(20);
        e.Property(x => x.IdempotencyKey).HasMaxLength(200);
        e.Property(x => x.Coin).HasMaxLength(10);
        e.Property(x => x.Network).HasMaxLength(20);
        e.Property(x => x.Address).HasMaxLength(200);
        e.Property(x => x.Reference).HasMaxLength(200);
        // Coin units to the finest precision any coin has (ETH: 18), as crypto_coins.
        e.Property(x => x.Amount).HasPrecision(38, 18);
        e.HasIndex(x => x.IdempotencyKey).IsUnique();
    }
}
