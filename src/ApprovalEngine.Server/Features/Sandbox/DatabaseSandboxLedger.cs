using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Sandbox;

/// <summary>
/// The development trading platform, kept in the database so flows run end to end without outside systems (bound only
/// in <c>Adapters:Mode = Sandbox</c>). A balance operation is one transaction: a guarded UPDATE changes the balance
/// only if it stays at or above zero (PostgreSQL's row lock makes a concurrent operation re-check the guard against
/// the committed balance, so nothing is lost and nothing overdraws), the trade id comes from a sequence, and the unique
/// idempotency key makes a concurrent duplicate roll back and return the first operation.
/// </summary>
public sealed class DatabaseSandboxLedger(IServiceScopeFactory scopes, TimeProvider clock) : ILedger
{
    /// <summary>The PostgreSQL sequence of trade ids (migration V005).</summary>
    public const string TradeIdSequence = "sandbox_trade_ids";

    private const long FirstTradeId = 100_001;

    public async Task<TradingAccount?> GetAccountAsync(string account, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var row = await db.TradingAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Account == account, cancellationToken);
        return row is null ? null : new TradingAccount(row.Account, row.CustomerId, row.Currency, row.Balance, row.Equity, row.Margin, row.FreeMargin, row.Credit, row.OpenTrades);
    }

    public async Task<string?> GetLastDepositMethodAsync(string account, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        return await db.DepositMethods.AsNoTracking().Where(d => d.Account == account).Select(d => d.Method).FirstOrDefaultAsync(cancellationToken);
    }

    public async Task<BalanceOperationResult> ApplyBalanceOperationAsync(BalanceOperationRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) return BalanceOperationResult.Refused(BalanceOperationRefusal.InvalidRequest, "A balance operation needs an idempotency key.");
        if (request.Amount == 0) return BalanceOperationResult.Refused(BalanceOperationRefusal.InvalidRequest, "A balance operation needs a non-zero amount.");
        for (var attempt = 0; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            // On SQLite this is BEGIN IMMEDIATE: the single writer lock is held from here, which serializes the whole
            // operation (SQLite has no row locks and no sequences).
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var existing = await db.BalanceOperations.AsNoTracking().FirstOrDefaultAsync(o => o.IdempotencyKey == request.IdempotencyKey, cancellationToken);
            if (existing is not null) return SameOperation(existing, request);

            var now = clock.GetUtcNow();
            var amount = request.Amount;
            var changed = await db.TradingAccounts
                .Where(a => a.Account == request.Account && a.Currency == request.Currency && a.Balance + amount >= 0)
                .ExecuteUpdateAsync(
                    s => s.SetProperty(a => a.Balance, a => a.Balance + amount)
                        .SetProperty(a => a.Equity, a => a.Equity + amount)
                        .SetProperty(a => a.FreeMargin, a => a.FreeMargin + amount)
                        .SetProperty(a => a.UpdatedAt, now),
                    cancellationToken);
            if (changed == 0)
            {
                await transaction.RollbackAsync(cancellationToken);
                // The guard may have failed because a concurrent call with this very key took the balance (the UPDATE
                // waited for its row lock, so it has committed by now): that call's operation is the answer.
                var winner = await db.BalanceOperations.AsNoTracking().FirstOrDefaultAsync(o => o.IdempotencyKey == request.IdempotencyKey, cancellationToken);
                return winner is not null ? SameOperation(winner, request) : await WhyRefusedAsync(db, request, cancellationToken);
            }

            var row = new BalanceOperationRecord
            {
                Id = Guid.CreateVersion7(now),
                TradeId = await NextTradeIdAsync(db, cancellationToken),
                Account = request.Account,
                Amount = amount,
                Currency = request.Currency,
                Comment = request.Comment,
                IdempotencyKey = request.IdempotencyKey,
                CreatedAt = now,
            };
            db.BalanceOperations.Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return BalanceOperationResult.Applied(ToOperation(row));
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // A concurrent call with the same key committed first (unique index). Disposing the transaction rolls
                // back this call's balance change; the next attempt finds and returns the first operation.
            }
        }
    }

    private static async Task<long> NextTradeIdAsync(ApprovalDbContext db, CancellationToken cancellationToken)
    {
        if (!db.IsSqlite)
        {
            return await db.Database.SqlQueryRaw<long>($"SELECT nextval('{TradeIdSequence}') AS \"Value\"").SingleAsync(cancellationToken);
        }
        // Inside the SQLite write lock taken above, so no other writer can take the same number.
        var last = await db.BalanceOperations.MaxAsync(o => (long?)o.TradeId, cancellationToken);
        return last is { } l ? l + 1 : FirstTradeId;
    }

    private static BalanceOperationResult SameOperation(BalanceOperationRecord existing, BalanceOperationRequest request) =>
        existing.Account == request.Account && existing.Amount == request.Amount && existing.Currency == request.Currency
            ? BalanceOperationResult.Applied(ToOperation(existing))
            : BalanceOperationResult.Refused(BalanceOperationRefusal.KeyConflict, $"The idempotency key '{request.IdempotencyKey}' was already used for a different operation.");

    private static async Task<BalanceOperationResult> WhyRefusedAsync(ApprovalDbContext db, BalanceOperationRequest request, CancellationToken cancellationToken)
    {
        var account = await db.TradingAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Account == request.Account, cancellationToken);
        if (account is null) return BalanceOperationResult.Refused(BalanceOperationRefusal.UnknownAccount, $"Trading account {request.Account} does not exist.");
        if (account.Currency != request.Currency) return BalanceOperationResult.Refused(BalanceOperationRefusal.CurrencyMismatch, $"Account {request.Account} is in {account.Currency}, not {request.Currency}.");
        return BalanceOperationResult.Refused(BalanceOperationRefusal.InsufficientBalance, $"Insufficient balance on {request.Account}: {account.Balance} {account.Currency}, operation {request.Amount}.");
    }

    private static BalanceOperation ToOperation(BalanceOperationRecord o) =>
        new(o.TradeId, o.Account, o.Amount, o.Currency, o.Comment ?? "", o.IdempotencyKey, o.CreatedAt);
}
