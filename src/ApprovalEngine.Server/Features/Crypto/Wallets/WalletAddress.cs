using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Crypto.Wallets;

/// <summary>A customer's wallet address for a coin on a network and its verification (WBO "Customer Wallet Address").</summary>
public sealed class WalletAddress
{
    public const string Verified = "Verified";
    public const string Rejected = "Rejected";

    /// <summary>The crypto-address-verification instance (or a new id for a sandbox row).</summary>
    public Guid Id { get; set; }
    public string SecuritiesAccount { get; set; } = "";
    public string Coin { get; set; } = "";
    public string Network { get; set; } = "";
    public string Address { get; set; } = "";

    /// <summary>Submitted, Under Verification, Verified or Rejected (the flow's business status).</summary>
    public string Status { get; set; } = "";
    public string? SubmittedBy { get; set; }
    public string? ReviewedBy { get; set; }
    public string? Reason { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

internal sealed class WalletAddressMap : IEntityTypeConfiguration<WalletAddress>
{
    public void Configure(EntityTypeBuilder<WalletAddress> e)
    {
        e.ToTable("crypto_wallet_addresses");
        e.HasKey(x => x.Id);
        e.Property(x => x.SecuritiesAccount).HasMaxLength(64);
        e.Property(x => x.Coin).HasMaxLength(10);
        e.Property(x => x.Network).HasMaxLength(20);
        e.Property(x => x.Address).HasMaxLength(200);
        e.Property(x => x.Status).HasMaxLength(40);
        e.Property(x => x.SubmittedBy).HasMaxLength(200);
        e.Property(x => x.ReviewedBy).HasMaxLength(200);
        e.Property(x => x.Reason).HasMaxLength(1000);
        e.HasIndex(x => new { x.SecuritiesAccount, x.Coin, x.Network });
    }
}
