using ApprovalEngine.Adapters.Bank;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>
/// The development bank, kept in the database (issue 12: "the sandbox implementation persists in the database") and
/// bound only in <c>Adapters:Mode = Sandbox</c>. A payout is one transaction: the row keyed by its idempotency key
/// (unique) and a guarded balance UPDATE commit together, so a key pays once — a concurrent duplicate loses on the
/// unique index, rolls its balance change back and answers with the first payout — and a balance never goes below
/// zero. Calling a payout off is a row under the same key, so whichever of pay and call-off commits first wins.
/// <para>
/// Channels and withdrawal history are not the bank's: they are delegated to <paramref name="configuration"/> (the
/// in-memory defaults) until the configuration feature's database-backed ones replace them.
/// </para>
/// <para>
/// The test controls (<see cref="RejectNext"/>, <see cref="LoseResponses"/>, <see cref="HoldPayouts"/>) act on this
/// node's calls only, like the in-memory sandbox's; what the bank did is in the database.
/// </para>
/// </summary>
public sealed class DatabaseBankSandbox(
    IDbContextFactory<FiatDbContext> contexts,
    TimeProvider clock,
    InMemoryBankSandbox configuration,
    IServiceProvider services) : IBankGateway, ICancellablePayouts
{
    /// <summary>The PostgreSQL sequence of bank reference numbers (V013).</summary>
    public const string ReferenceSequence = "sandbox_bank_references";

    private const int UniqueRetries = 4;

    private readonly Lock _gate = new();
    private Task? _seeded;

    /// <summary>The test controls, the same as the in-memory sandbox bank's (one implementation).</summary>
    public PayoutFaults Faults { get; } = new();

    /// <summary>Every payout made, oldest first (read from the database: a test's view of what left the bank).</summary>
    public IReadOnlyList<BankPayout> Payouts
    {
        get
        {
            using var db = contexts.CreateDbContext();
            return [.. db.Set<SandboxBankPayout>().AsNoTracking().Where(p => p.Status == SandboxPayoutStatuses.Paid)
                .AsEnumerable().OrderBy(p => p.ReferenceNo).Select(ToPayout)];
        }
    }

    /// <summary>Sets (or, with null, removes) the balance of a channel's paying account.</summary>
    public async Task SetBalanceAsync(string channelId, string currency, decimal? balance, CancellationToken cancellationToken)
    {
        await EnsureSeededAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<SandboxBankAccount>().FirstOrDefaultAsync(a => a.ChannelId == channelId, cancellationToken);
        if (row is null) db.Set<SandboxBankAccount>().Add(row = new SandboxBankAccount { ChannelId = channelId });
        row.Currency = currency;
        row.Balance = balance;
        row.UpdatedAt = clock.GetUtcNow();
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Books an entry on a channel's statement by hand (a fee, a credit, a debit the system did not make).</summary>
    public async Task AddEntryAsync(string channelId, BankStatementEntry entry, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entry);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        db.Set<SandboxBankEntry>().Add(new SandboxBankEntry
        {
            Id = Guid.CreateVersion7(clock.GetUtcNow()),
            ChannelId = channelId,
            EntryId = entry.EntryId,
            BookingDate = entry.BookingDate,
            Amount = entry.Amount,
            Currency = entry.Currency,
            IsDebit = entry.IsDebit,
            Reference = entry.Reference,
            CounterpartyAccount = entry.CounterpartyAccount,
            Description = entry.Description,
        });
        await db.SaveChangesAsync(cancellationToken);
    }

    // ---- the bank ----

    public async Task<decimal?> GetAvailableBalanceAsync(string channelId, CancellationToken cancellationToken)
    {
        await EnsureSeededAsync(cancellationToken);
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var balance = await db.Set<SandboxBankAccount>().AsNoTracking().Where(a => a.ChannelId == channelId).Select(a => a.Balance).FirstOrDefaultAsync(cancellationToken);
        return balance is { } b ? Normal(b) : null;
    }

    public async Task<BankPayout> PayAsync(PayoutRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) throw new BankRejectedException("A payout needs an idempotency key.");
        await EnsureSeededAsync(cancellationToken);
        Task? before = null;
        if (!await KnownAsync(request.IdempotencyKey, cancellationToken))
        {
            before = Faults.Hold(PayoutHold.BeforeMaking, request.IdempotencyKey);
        }
        if (before is not null) await before.WaitAsync(cancellationToken);
        var (payout, made) = await MakeAsync(request, cancellationToken);
        Task? after = null;
        if (made)
        {
            Faults.ThrowIfResponseLost();
            after = Faults.Hold(PayoutHold.AfterMaking, request.IdempotencyKey);
        }
        if (after is not null) await after.WaitAsync(cancellationToken);
        return payout;
    }

    public async Task<bool> TryCancelPayoutAsync(string idempotencyKey, CancellationToken cancellationToken)
    {
        if (!Faults.CancelSupported) return false;
        var calledOff = false;
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            var existing = await db.Set<SandboxBankPayout>().AsNoTracking().FirstOrDefaultAsync(p => p.IdempotencyKey == idempotencyKey, cancellationToken);
            if (existing is not null)
            {
                calledOff = existing.Status == SandboxPayoutStatuses.CalledOff;
                break;
            }
            // The promise not to pay is a row under the key: a payout racing this call loses on the unique index.
            db.Set<SandboxBankPayout>().Add(new SandboxBankPayout
            {
                Id = Guid.CreateVersion7(clock.GetUtcNow()),
                IdempotencyKey = idempotencyKey,
                Status = SandboxPayoutStatuses.CalledOff,
                SubmittedAt = Now(),
            });
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                calledOff = true;
                break;
            }
            catch (DbUpdateException ex) when (EventInbox.IsUniqueViolation(ex) && attempt < UniqueRetries)
            {
            }
        }
        // A request held before the bank made it goes on at once, and is refused.
        if (calledOff) Faults.Release(idempotencyKey);
        return calledOff;
    }

    public async Task<BankFileReceipt> SubmitFileAsync(BankFileRequest request, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (string.IsNullOrWhiteSpace(request.IdempotencyKey)) throw new BankRejectedException("A bank file needs an idempotency key.");
        if (request.Transfers.Count == 0) throw new BankRejectedException("The bank file has no transfers.");
        await EnsureSeededAsync(cancellationToken);
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var existing = await db.Set<SandboxBankFile>().AsNoTracking().FirstOrDefaultAsync(f => f.IdempotencyKey == request.IdempotencyKey, cancellationToken);
            if (existing is not null) return ToReceipt(existing);
            Faults.ThrowIfRejected();
            var total = request.Transfers.Sum(t => t.Amount);
            if (request.Transfers.Any(t => t.Amount <= 0)) throw new BankRejectedException("Every transfer's amount must be positive.");
            if (request.Transfers.Select(t => t.Reference).Distinct(StringComparer.Ordinal).Count() != request.Transfers.Count)
            {
                throw new BankRejectedException("A transfer reference appears twice in the file.");
            }
            await CheckChannelAsync(request.ChannelId, request.Currency, cancellationToken);
            if (!await DebitAsync(db, request.ChannelId, total, cancellationToken))
            {
                await transaction.RollbackAsync(cancellationToken);
                var winner = await db.Set<SandboxBankFile>().AsNoTracking().FirstOrDefaultAsync(f => f.IdempotencyKey == request.IdempotencyKey, cancellationToken);
                if (winner is not null) return ToReceipt(winner);
                throw new BankRejectedException("Insufficient funds on the paying account for the whole file.");
            }
            var now = Now();
            var fileNo = await NextReferenceAsync(db, cancellationToken);
            var file = new SandboxBankFile
            {
                Id = Guid.CreateVersion7(now),
                FileId = request.FileId,
                IdempotencyKey = request.IdempotencyKey,
                ReferenceNo = fileNo,
                BankReference = $"FILE-{fileNo:D8}",
                ChannelId = request.ChannelId,
                Currency = request.Currency,
                Format = request.Format,
                Content = request.Content,
                Transfers = request.Transfers.Count,
                Total = total,
                SubmittedAt = now,
            };
            db.Set<SandboxBankFile>().Add(file);
            // Each transfer is a payout of its own (its statement line), all in this one transaction.
            foreach (var t in request.Transfers)
            {
                var no = await NextReferenceAsync(db, cancellationToken, fileNo);
                fileNo = Math.Max(fileNo, no);
                db.Set<SandboxBankPayout>().Add(new SandboxBankPayout
                {
                    Id = Guid.CreateVersion7(now),
                    ReferenceNo = no,
                    BankReference = $"BANK-{no:D8}",
                    ChannelId = request.ChannelId,
                    BeneficiaryAccount = t.BeneficiaryAccount,
                    Amount = t.Amount,
                    Currency = request.Currency,
                    Reference = t.Reference,
                    IdempotencyKey = $"{request.IdempotencyKey}/{t.Reference}",
                    Status = SandboxPayoutStatuses.Paid,
                    FileId = request.FileId,
                    SubmittedAt = now,
                });
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return ToReceipt(file);
            }
            catch (DbUpdateException ex) when (EventInbox.IsUniqueViolation(ex) && attempt < UniqueRetries)
            {
                // A concurrent submission of the same file committed first; the next attempt answers with it.
            }
        }
    }

    public async Task<IReadOnlyList<BankStatementEntry>> GetStatementAsync(string channelId, DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        var start = new DateTimeOffset(from.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var end = new DateTimeOffset(to.AddDays(1).ToDateTime(TimeOnly.MinValue), TimeSpan.Zero);
        var payouts = await db.Set<SandboxBankPayout>().AsNoTracking()
            .Where(p => p.ChannelId == channelId && p.Status == SandboxPayoutStatuses.Paid && p.SubmittedAt >= start && p.SubmittedAt < end)
            .ToListAsync(cancellationToken);
        var entries = await db.Set<SandboxBankEntry>().AsNoTracking()
            .Where(e => e.ChannelId == channelId && e.BookingDate >= from && e.BookingDate <= to).ToListAsync(cancellationToken);
        // Debits as most banks print them: negative amounts (the import lets operators reclassify what a bank signs oddly).
        return [.. payouts.OrderBy(p => p.ReferenceNo)
                .Select(p => new BankStatementEntry(p.BankReference, DateOnly.FromDateTime(p.SubmittedAt.UtcDateTime), -Normal(p.Amount), p.Currency, true, p.Reference, p.BeneficiaryAccount, null))
            .Concat(entries.OrderBy(e => e.BookingDate).ThenBy(e => e.EntryId, StringComparer.Ordinal)
                .Select(e => new BankStatementEntry(e.EntryId, e.BookingDate, Normal(e.Amount), e.Currency, e.IsDebit, e.Reference, e.CounterpartyAccount, e.Description)))];
    }

    private async Task<(BankPayout Payout, bool Made)> MakeAsync(PayoutRequest request, CancellationToken cancellationToken)
    {
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            // On SQLite this is BEGIN IMMEDIATE: the writer lock serializes the whole payout (no row locks, no sequences).
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var existing = await db.Set<SandboxBankPayout>().AsNoTracking().FirstOrDefaultAsync(p => p.IdempotencyKey == request.IdempotencyKey, cancellationToken);
            if (existing is not null) return (Same(existing, request), false);
            Faults.ThrowIfRejected();
            if (request.Amount <= 0) throw new BankRejectedException("The amount must be positive.");
            await CheckChannelAsync(request.ChannelId, request.Currency, cancellationToken);
            if (!await DebitAsync(db, request.ChannelId, request.Amount, cancellationToken))
            {
                await transaction.RollbackAsync(cancellationToken);
                // The guard may have failed because a concurrent call with this very key took the balance (the UPDATE
                // waited for its row lock, so it has committed by now): that call's payout is the answer.
                var winner = await db.Set<SandboxBankPayout>().AsNoTracking().FirstOrDefaultAsync(p => p.IdempotencyKey == request.IdempotencyKey, cancellationToken);
                if (winner is not null) return (Same(winner, request), false);
                throw new BankRejectedException("Insufficient funds on the paying account.");
            }
            var now = Now();
            var no = await NextReferenceAsync(db, cancellationToken);
            var row = new SandboxBankPayout
            {
                Id = Guid.CreateVersion7(now),
                ReferenceNo = no,
                BankReference = $"BANK-{no:D8}",
                ChannelId = request.ChannelId,
                BeneficiaryAccount = request.BeneficiaryAccount,
                Amount = request.Amount,
                Currency = request.Currency,
                Reference = request.Reference,
                IdempotencyKey = request.IdempotencyKey,
                Status = SandboxPayoutStatuses.Paid,
                SubmittedAt = now,
            };
            db.Set<SandboxBankPayout>().Add(row);
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return (ToPayout(row), true);
            }
            catch (DbUpdateException ex) when (EventInbox.IsUniqueViolation(ex) && attempt < UniqueRetries)
            {
                // A concurrent call with the same key (or a call-off) committed first: disposing the transaction rolls
                // this call's debit back, and the next attempt answers with what is stored under the key.
            }
        }
    }

    private async Task CheckChannelAsync(string channelId, string currency, CancellationToken cancellationToken)
    {
        // The channels the server is configured with (the fiat configuration's stored channels).
        var channels = services.GetService(typeof(IWithdrawalChannels)) as IWithdrawalChannels ?? configuration;
        var channel = await channels.GetChannelAsync(channelId, cancellationToken) ?? throw new BankRejectedException($"Unknown channel '{channelId}'.");
        if (channel.Currency != currency) throw new BankRejectedException($"Channel '{channelId}' pays {channel.Currency}, not {currency}.");
    }

    /// <summary>Takes <paramref name="amount"/> from the channel's balance, if it has one; false when it does not cover it.</summary>
    private static async Task<bool> DebitAsync(FiatDbContext db, string channelId, decimal amount, CancellationToken cancellationToken)
    {
        var account = await db.Set<SandboxBankAccount>().AsNoTracking().Where(a => a.ChannelId == channelId).Select(a => new { a.Balance }).FirstOrDefaultAsync(cancellationToken);
        if (account?.Balance is null) return true;
        var changed = await db.Set<SandboxBankAccount>()
            .Where(a => a.ChannelId == channelId && a.Balance != null && a.Balance >= amount)
            .ExecuteUpdateAsync(s => s.SetProperty(a => a.Balance, a => a.Balance - amount), cancellationToken);
        return changed == 1;
    }

    private static async Task<long> NextReferenceAsync(FiatDbContext db, CancellationToken cancellationToken, long atLeast = 0)
    {
        if (!db.IsSqlite)
        {
            return await db.Database.SqlQueryRaw<long>($"SELECT nextval('{ReferenceSequence}') AS \"Value\"").SingleAsync(cancellationToken);
        }
        // Inside the SQLite write lock taken by the transaction; rows added but not saved yet are counted by the caller.
        var payouts = await db.Set<SandboxBankPayout>().MaxAsync(p => (long?)p.ReferenceNo, cancellationToken) ?? 0;
        var files = await db.Set<SandboxBankFile>().MaxAsync(f => (long?)f.ReferenceNo, cancellationToken) ?? 0;
        var pending = db.ChangeTracker.Entries<SandboxBankPayout>().Select(e => e.Entity.ReferenceNo)
            .Concat(db.ChangeTracker.Entries<SandboxBankFile>().Select(e => e.Entity.ReferenceNo)).DefaultIfEmpty(0).Max();
        return Math.Max(Math.Max(payouts, files), Math.Max(pending, atLeast)) + 1;
    }

    private async Task<bool> KnownAsync(string key, CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        return await db.Set<SandboxBankPayout>().AnyAsync(p => p.IdempotencyKey == key, cancellationToken);
    }

    /// <summary>The accounts of the default channels, with their opening balances, the first time the bank is used.</summary>
    private Task EnsureSeededAsync(CancellationToken cancellationToken)
    {
        Task seed;
        lock (_gate)
        {
            // Once per process; a failed try (database down) is tried again by the next call.
            if (_seeded is { IsFaulted: true } or { IsCanceled: true }) _seeded = null;
            seed = _seeded ??= SeedAsync(CancellationToken.None);
        }
        return seed.WaitAsync(cancellationToken);
    }

    private async Task SeedAsync(CancellationToken cancellationToken)
    {
        await using var db = await contexts.CreateDbContextAsync(cancellationToken);
        foreach (var channel in await configuration.ListChannelsAsync(cancellationToken))
        {
            if (await db.Set<SandboxBankAccount>().AnyAsync(a => a.ChannelId == channel.ChannelId, cancellationToken)) continue;
            db.Set<SandboxBankAccount>().Add(new SandboxBankAccount
            {
                ChannelId = channel.ChannelId,
                Currency = channel.Currency,
                Balance = await configuration.GetAvailableBalanceAsync(channel.ChannelId, cancellationToken),
                UpdatedAt = clock.GetUtcNow(),
            });
        }
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (EventInbox.IsUniqueViolation(ex))
        {
            // Another node seeded them first.
        }
    }

    /// <summary>Now, to the microsecond PostgreSQL keeps, so a payout answered before and after it is stored is the same value.</summary>
    private DateTimeOffset Now()
    {
        var now = clock.GetUtcNow();
        return now.AddTicks(-(now.UtcTicks % 10));
    }

    private static BankPayout Same(SandboxBankPayout existing, PayoutRequest request)
    {
        if (existing.Status == SandboxPayoutStatuses.CalledOff) throw new BankRejectedException("The payout was called off before the bank made it.");
        if (existing.Amount != request.Amount || existing.BeneficiaryAccount != request.BeneficiaryAccount || existing.Currency != request.Currency)
        {
            throw new BankRejectedException($"The idempotency key '{request.IdempotencyKey}' was already used for a different payout.");
        }
        return ToPayout(existing);
    }

    private static BankPayout ToPayout(SandboxBankPayout p) =>
        new(p.BankReference, p.ChannelId, p.BeneficiaryAccount, Normal(p.Amount), p.Currency, p.Reference, p.IdempotencyKey, p.SubmittedAt);

    private static BankFileReceipt ToReceipt(SandboxBankFile f) => new(f.BankReference, f.FileId, f.Transfers, Normal(f.Total), f.SubmittedAt);

    /// <summary>The value without the column's trailing zeros (numeric(28,8) gives 250.00000000 back for 250).</summary>
    internal static decimal Normal(decimal value) => value / 1.0000000000000000000000000000m;
}
