using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Fiat.Config;
using ApprovalEngine.Server.Features.Fiat.Records;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <summary>What packing needs to know of a record's channel now: its rule may have changed since the record was approved.</summary>
public sealed record FiatPackChannel(string ChannelId, string Currency, bool Enabled, decimal SingleLimit, IReadOnlyList<string> SupportedBanks, string Policy);

/// <summary>
/// The configuration one pack request works on, read once (in one transaction on PostgreSQL): the checks of every
/// record and the batch's policy (work order or Batch Auto) come from the same reading, so a change committed
/// meanwhile cannot pass the records on the old rule and start the batch on the new one.
/// </summary>
public sealed record FiatPackSnapshot(IReadOnlyDictionary<string, FiatPackChannel> Channels, IReadOnlySet<string> EnabledCurrencies, IReadOnlyDictionary<Guid, string> OpenBatches);

/// <summary>
/// The checks each record passes before it is packed for arrangement. The batch total alone is not enough: a record
/// approved yesterday may exceed a single limit lowered today, pay a client bank the channel dropped, or be in a
/// currency whose withdrawals were switched off since.
/// </summary>
public static class FiatPackChecks
{
    /// <summary>Why <paramref name="record"/> cannot be packed (empty = it can). Pure: the facts are loaded by <see cref="LoadAsync"/>.</summary>
    public static IReadOnlyList<string> Check(FiatWithdrawalRecord record, FiatPackChannel? channel, bool currencyEnabled, string? openBatch)
    {
        ArgumentNullException.ThrowIfNull(record);
        var errors = new List<string>();
        if (record.Status != FiatNames.WithdrawalPending || record.Finished) errors.Add($"{record.RecordNo} is {record.Status}; only records in {FiatNames.WithdrawalPending} are packed.");
        if (openBatch is not null) errors.Add($"{record.RecordNo} is already in batch {openBatch}.");
        if (!currencyEnabled) errors.Add($"{record.RecordNo}: withdrawals in {record.Currency} are switched off.");
        if (channel is null)
        {
            errors.Add($"{record.RecordNo}: channel '{record.ChannelId}' has no withdrawal rule.");
            return errors;
        }
        if (!channel.Enabled) errors.Add($"{record.RecordNo}: channel {channel.ChannelId} or its withdrawal rule is disabled.");
        if (!string.Equals(channel.Currency, record.Currency, StringComparison.OrdinalIgnoreCase)) errors.Add($"{record.RecordNo}: channel {channel.ChannelId} pays {channel.Currency}, not {record.Currency}.");
        if (record.Amount > channel.SingleLimit)
        {
            errors.Add($"{record.RecordNo}: {FiatConfigRules.Plain(record.Amount)} {record.Currency} is above the single-withdrawal limit of {channel.SingleLimit} {channel.Currency}.");
        }
        if (!FiatConfigRules.SupportsBank(channel.SupportedBanks, record.BeneficiaryBank))
        {
            errors.Add($"{record.RecordNo}: channel {channel.ChannelId} does not pay to the client's bank '{record.BeneficiaryBank}'.");
        }
        return errors;
    }

    /// <summary>Every record's problems by its id (records without problems are absent), against one snapshot. Pure.</summary>
    public static Dictionary<Guid, IReadOnlyList<string>> CheckAll(FiatPackSnapshot snapshot, IReadOnlyList<FiatWithdrawalRecord> rows)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(rows);
        var problems = new Dictionary<Guid, IReadOnlyList<string>>();
        foreach (var row in rows)
        {
            var errors = Check(row, row.ChannelId is { } c ? snapshot.Channels.GetValueOrDefault(c) : null, snapshot.EnabledCurrencies.Contains(row.Currency.ToUpperInvariant()),
                snapshot.OpenBatches.GetValueOrDefault(row.Id));
            if (errors.Count > 0) problems[row.Id] = errors;
        }
        return problems;
    }

    /// <summary>Reads the configuration of the records' channels, the enabled currencies and the records' open batches once.</summary>
    public static async Task<FiatPackSnapshot> LoadAsync(FiatDbContext fiat, IReadOnlyList<FiatWithdrawalRecord> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fiat);
        ArgumentNullException.ThrowIfNull(rows);
        var channelIds = rows.Select(r => r.ChannelId).OfType<string>().Distinct().ToList();
        var ids = rows.Select(r => r.Id).ToList();
        // One snapshot of the three tables (PostgreSQL: repeatable read; SQLite has one writer and reads a consistent file).
        await using var transaction = fiat.IsSqlite || fiat.Database.CurrentTransaction is not null ? null
            : await fiat.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var channels = await (from r in fiat.Set<WithdrawalRule>().AsNoTracking()
                              join c in fiat.Set<FiatChannel>().AsNoTracking() on r.ChannelId equals c.Id
                              where channelIds.Contains(c.Id)
                              select new { Rule = r, Channel = c }).ToListAsync(ct);
        var enabled = await fiat.Set<FiatCurrency>().AsNoTracking().Where(c => c.WithdrawalEnabled).Select(c => c.Code).ToListAsync(ct);
        var open = await fiat.Set<FiatBatchItem>().AsNoTracking().Where(i => i.IsOpen && ids.Contains(i.RecordId)).Select(i => new { i.RecordId, i.BatchId }).ToListAsync(ct);
        if (transaction is not null) await transaction.CommitAsync(ct);
        return new FiatPackSnapshot(
            channels.GroupBy(x => x.Channel.Id).ToDictionary(g => g.Key, g =>
            {
                var x = g.OrderBy(y => y.Rule.Priority).First();
                return new FiatPackChannel(x.Channel.Id, x.Channel.Currency, x.Channel.Enabled && x.Rule.Enabled, FiatConfigRules.Plain(x.Rule.SingleLimit),
                    ConfigJson.Banks(x.Rule.SupportedBanks), x.Rule.Policy);
            }, StringComparer.Ordinal),
            enabled.Select(c => c.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal),
            open.GroupBy(o => o.RecordId).ToDictionary(g => g.Key, g => g.First().BatchId));
    }
}
