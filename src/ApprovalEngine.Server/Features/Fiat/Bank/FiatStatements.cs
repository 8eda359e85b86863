using System.Text.Json;
using ApprovalEngine.Adapters.Bank;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Bank;

/// <summary>A line of a file or a fetch the store already had (same channel and bank entry id), or that came twice in it.</summary>
public sealed record DuplicateEntry(int Row, string EntryId, string Reason);

/// <summary>What storing a statement did.</summary>
public sealed record StoredStatement(Guid? ImportId, int Added, IReadOnlyList<DuplicateEntry> Duplicates);

/// <summary>
/// The withdrawal bills store: adds statement lines once per channel and bank entry id (in one transaction per file
/// or fetch, so a file is stored whole or not at all), and journals every change an operator makes to a line.
/// </summary>
public sealed class FiatStatements(IDbContextFactory<FiatDbContext> contexts, TimeProvider clock)
{
    private const int UniqueRetries = 4;

    /// <summary>Stores the entries a file or a fetch gave; <paramref name="import"/> is recorded with them when given.</summary>
    public async Task<StoredStatement> AddAsync(string channelId, IReadOnlyList<ParsedEntry> entries, string source, string actor,
        FiatStatementImport? import, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(entries);
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(cancellationToken);
            await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
            var ids = entries.Select(e => e.EntryId).Distinct(StringComparer.Ordinal).ToList();
            var known = new HashSet<string>(StringComparer.Ordinal);
            foreach (var chunk in ids.Chunk(500))
            {
                known.UnionWith(await db.Set<FiatStatementEntry>().AsNoTracking()
                    .Where(e => e.ChannelId == channelId && chunk.Contains(e.EntryId)).Select(e => e.EntryId).ToListAsync(cancellationToken));
            }
            var duplicates = new List<DuplicateEntry>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var now = clock.GetUtcNow();
            var added = 0;
            foreach (var e in entries)
            {
                if (known.Contains(e.EntryId))
                {
                    duplicates.Add(new DuplicateEntry(e.Row, e.EntryId, $"Entry {e.EntryId} of {channelId} is already stored."));
                    continue;
                }
                if (!seen.Add(e.EntryId))
                {
                    duplicates.Add(new DuplicateEntry(e.Row, e.EntryId, $"Entry {e.EntryId} appears earlier in the same file."));
                    continue;
                }
                db.Set<FiatStatementEntry>().Add(new FiatStatementEntry
                {
                    Id = Guid.CreateVersion7(now),
                    ChannelId = channelId,
                    EntryId = e.EntryId,
                    BookingDate = e.BookingDate,
                    BankAmount = e.BankAmount,
                    Amount = e.Amount,
                    Currency = e.Currency,
                    Direction = e.Direction,
                    Reference = e.Reference,
                    CounterpartyAccount = e.CounterpartyAccount,
                    Description = e.Description,
                    Source = source,
                    ImportId = import?.Id,
                    CreatedBy = actor,
                    CreatedAt = now,
                    UpdatedAt = now,
                });
                added++;
            }
            if (import is not null)
            {
                import.Imported = added;
                import.Duplicates = duplicates.Count;
                db.Set<FiatStatementImport>().Add(import);
            }
            try
            {
                await db.SaveChangesAsync(cancellationToken);
                await transaction.CommitAsync(cancellationToken);
                return new StoredStatement(import?.Id, added, duplicates);
            }
            catch (DbUpdateException ex) when (EventInbox.IsUniqueViolation(ex) && attempt < UniqueRetries)
            {
                // The same lines arrived concurrently (another import, the poller on another node): count them as known.
                if (import is not null) import.Id = Guid.CreateVersion7(clock.GetUtcNow());
            }
        }
    }

    /// <summary>The bank's entries for a channel and period, as the store keeps them (rows numbered in the bank's order).</summary>
    public static IReadOnlyList<ParsedEntry> FromBank(IReadOnlyList<BankStatementEntry> entries) =>
        [.. entries.Select((e, i) => new ParsedEntry(i + 1, e.EntryId, e.BookingDate, e.Amount, e.Currency,
            e.IsDebit ? EntryDirections.Debit : EntryDirections.Credit, e.Reference, e.CounterpartyAccount, e.Description))];

    public static FiatStatementJournalEntry Journal(Guid entryId, string action, string actor, DateTimeOffset at, object? before, object? after, string? comment) => new()
    {
        Id = Guid.CreateVersion7(at),
        EntryId = entryId,
        Action = action,
        Actor = actor,
        At = at,
        Before = before is null ? null : JsonSerializer.Serialize(before, JsonSerializerOptions.Web),
        After = after is null ? null : JsonSerializer.Serialize(after, JsonSerializerOptions.Web),
        Comment = comment,
    };
}
