using System.Security.Cryptography;
using System.Text;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Hosting;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Crypto.Sandbox;

/// <summary>
/// The Development blockchain, kept in the database (issue 13) and bound only in <c>Adapters:Mode = Sandbox</c>.
/// A broadcast is a row keyed by the transaction hash with a unique idempotency key: the same key again (a retried
/// job, a duplicate after a restart, a concurrent call losing on the index) answers with the first transaction and
/// sends nothing more. Hashes are derived from the key, as the in-memory sandbox's, so both agree.
/// Confirmations advance by <c>BlockConfirmations</c> events; <see cref="RecordConfirmationsAsync"/> keeps the count
/// the sandbox reported (never lower) so a restarted host still knows it.
/// </summary>
public sealed class DatabaseBlockchainSandbox(IDbContextFactory<CryptoDbContext> contexts, TimeProvider clock) : IBlockchainGateway
{
    private const int UniqueRetries = 3;

    public static string TxIdFor(string idempotencyKey) =>
        "0x" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(idempotencyKey)));

    public async Task<BroadcastResult> BroadcastAsync(BroadcastRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) throw new BlockchainRejectedException("A broadcast needs an idempotency key.");
        for (var attempt = 0; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var earlier = await db.Set<SandboxChainTransaction>().AsNoTracking()
                .FirstOrDefaultAsync(t => t.IdempotencyKey == request.IdempotencyKey, cancellationToken);
            if (earlier is not null)
            {
                if (earlier.Address != request.ToAddress || earlier.Amount != request.Amount || earlier.Coin != request.Coin || earlier.Network != request.Network)
                {
                    throw new BlockchainRejectedException($"The idempotency key '{request.IdempotencyKey}' was already used for a different transfer.");
                }
                return ToResult(earlier);
            }
            if (request.Amount <= 0) throw new BlockchainRejectedException("The amount must be positive.");
            var now = clock.GetUtcNow();
            var row = new SandboxChainTransaction
            {
                TxId = TxIdFor(request.IdempotencyKey), Kind = SandboxChainTransaction.Broadcast, IdempotencyKey = request.IdempotencyKey,
                Coin = request.Coin, Network = request.Network, Address = request.ToAddress, Amount = request.Amount, Reference = request.Reference,
                CreatedAt = now, UpdatedAt = now,
            };
            db.Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                return ToResult(row);
            }
            catch (DbUpdateException ex) when (EventInbox.IsUniqueViolation(ex) && attempt < UniqueRetries)
            {
                // A concurrent call with the same key committed first: the next attempt answers with its transaction.
            }
        }
    }

    /// <summary>Transfers actually sent, oldest first.</summary>
    public async Task<IReadOnlyList<BroadcastResult>> SentAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var rows = await db.Set<SandboxChainTransaction>().AsNoTracking().Where(t => t.Kind == SandboxChainTransaction.Broadcast).ToListAsync(cancellationToken);
        return [.. rows.OrderBy(r => r.CreatedAt).ThenBy(r => r.TxId, StringComparer.Ordinal).Select(ToResult)];
    }

    /// <summary>
    /// Stores the confirmations the chain reports for a known transaction (never lower than before; failed sticks).
    /// Null when the sandbox does not know the transaction.
    /// </summary>
    public async Task<SandboxChainTransaction?> RecordConfirmationsAsync(string txId, int confirmations, bool failed, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<SandboxChainTransaction>().FirstOrDefaultAsync(t => t.TxId == txId, cancellationToken);
        if (row is null) return null;
        row.Confirmations = Math.Max(row.Confirmations, confirmations);
        row.Failed |= failed;
        row.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
        return row;
    }

    /// <summary>Records a deposit seen on the sandbox chain; the same hash again answers with the stored one.</summary>
    public async Task<(SandboxChainTransaction Row, bool Created)> AddDepositAsync(string txId, string coin, string network, string address, decimal amount,
        string reference, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var existing = await db.Set<SandboxChainTransaction>().AsNoTracking().FirstOrDefaultAsync(t => t.TxId == txId, cancellationToken);
        if (existing is not null) return (existing, false);
        var now = clock.GetUtcNow();
        var row = new SandboxChainTransaction
        {
            TxId = txId, Kind = SandboxChainTransaction.Deposit, Coin = coin, Network = network, Address = address, Amount = amount,
            Reference = reference, CreatedAt = now, UpdatedAt = now,
        };
        db.Add(row);
        await db.SaveChangesAsync(cancellationToken);
        return (row, true);
    }

    private static BroadcastResult ToResult(SandboxChainTransaction t) =>
        new(t.TxId, t.Coin, t.Network, t.Address, t.Amount, t.Reference, t.IdempotencyKey ?? "", t.CreatedAt);
}
