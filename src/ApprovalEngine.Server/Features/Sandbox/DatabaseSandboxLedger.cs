using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Sandbox;

/// <summary>
/// The development trading platform, kept in the database so flows run end to end without outside systems. A real
/// platform plugs in behind <see cref="ILedger"/> the same way. Balance operations are idempotent by key.
/// </summary>
public sealed class DatabaseSandboxLedger(IServiceScopeFactory scopes, TimeProvider clock) : ILedger
{
    public async Task<TradingAccount?> GetAccountAsync(string account, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var row = await db.TradingAccounts.AsNoTracking().FirstOrDefaultAsync(a => a.Account == account, cancellationToken);
        return row is null ? null : new TradingAccount(row.Account, row.CustomerId, row.Currency, row.Balance, row.Equity, row.Margin, row.FreeMargin, row.Credit, row.OpenTrades);
    }

    public async Task<BalanceOperation> ApplyBalanceOperationAsync(BalanceOperationRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await using var scope = scopes.CreateAsyncScope();
            var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
            var existing = await db.BalanceOperations.AsNoTracking().FirstOrDefaultAsync(o => o.IdempotencyKey == request.IdempotencyKey, cancellationToken);
            if (existing is not null) return ToOperation(existing);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var account = await db.TradingAccounts.FirstOrDefaultAsync(a => a.Account == request.Account, cancellationToken)
                ?? throw new LedgerRejectedException($"Trading account {request.Account} does not exist.");
            if (account.Currency != request.Currency) throw new LedgerRejectedException($"Account {request.Account} is in {account.Currency}, not {request.Currency}.");
            if (request.Amount < 0 && account.Balance + request.Amount < 0) throw new LedgerRejectedException($"Insufficient balance on {request.Account}: {account.Balance} {account.Currency}.");
            account.Balance += request.Amount;
            account.Equity += request.Amount;
            account.FreeMargin += request.Amount;
            account.UpdatedAt = clock.GetUtcNow();
            var last = await db.BalanceOperations.MaxAsync(o => (long?)o.TradeId, cancellationToken) ?? 100_000;
            var row = new BalanceOperationRecord
            {
                Id = Guid.CreateVersion7(clock.GetUtcNow()),
                TradeId = last + 1,
                Account = request.Account,
                Amount = request.Amount,
                Currency = request.Currency,
                Comment = request.Comment,
                IdempotencyKey = request.IdempotencyKey,
                CreatedAt = clock.GetUtcNow(),
            };
            db.BalanceOperations.Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return ToOperation(row);
            }
            catch (DbUpdateException) when (attempt < 3)
            {
                // A concurrent call with the same key won (unique index) or the account row changed: read again.
            }
        }
    }

    private static BalanceOperation ToOperation(BalanceOperationRecord o) =>
        new(o.TradeId, o.Account, o.Amount, o.Currency, o.Comment ?? "", o.IdempotencyKey, o.CreatedAt);
}
