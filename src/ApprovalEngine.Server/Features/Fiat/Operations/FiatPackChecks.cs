using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Fiat.Config;
using ApprovalEngine.Server.Features.Fiat.Records;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <summary>What packing needs to know of a record's channel now: its rule may have changed since the record was approved.</summary>
public sealed record FiatPackChannel(string ChannelId, string Currency, bool Enabled, decimal SingleLimit, IReadOnlyList<string> SupportedBanks);

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

    /// <summary>Every record's problems by its id (records without problems are absent).</summary>
    public static async Task<Dictionary<Guid, IReadOnlyList<string>>> CheckAllAsync(FiatDbContext fiat, IReadOnlyList<FiatWithdrawalRecord> rows, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(fiat);
        ArgumentNullException.ThrowIfNull(rows);
        var (channels, currencies, openBatches) = await LoadAsync(fiat, rows, ct);
        var problems = new Dictionary<Guid, IReadOnlyList<string>>();
        foreach (var row in rows)
        {
            var errors = Check(row, row.ChannelId is { } c ? channels.GetValueOrDefault(c) : null, currencies.Contains(row.Currency.ToUpperInvariant()), openBatches.GetValueOrDefault(row.Id));
            if (errors.Count > 0) problems[row.Id] = errors;
        }
        return problems;
    }

    private static async Task<(Dictionary<string, FiatPackChannel> Channels, HashSet<string> EnabledCurrencies, Dictionary<Guid, string> OpenBatches)> LoadAsync(
        FiatDbContext fiat, IReadOnlyList<FiatWithdrawalRecord> rows, CancellationToken ct)
    {
        var channelIds = rows.Select(r => r.ChannelId).OfType<string>().Distinct().ToList();
        var ids = rows.Select(r => r.Id).ToList();
        var channels = await (from r in fiat.Set<WithdrawalRule>().AsNoTracking()
                              join c in fiat.Set<FiatChannel>().AsNoTracking() on r.ChannelId equals c.Id
                              where channelIds.Contains(c.Id)
                              select new { Rule = r, Channel = c }).ToListAsync(ct);
        var enabled = await fiat.Set<FiatCurrency>().AsNoTracking().Where(c => c.WithdrawalEnabled).Select(c => c.Code).ToListAsync(ct);
        var open = await fiat.Set<FiatBatchItem>().AsNoTracking().Where(i => i.IsOpen && ids.Contains(i.RecordId)).Select(i => new { i.RecordId, i.BatchId }).ToListAsync(ct);
        return (
            channels.GroupBy(x => x.Channel.Id).ToDictionary(g => g.Key, g =>
            {
                var x = g.OrderBy(y => y.Rule.Priority).First();
                return new FiatPackChannel(x.Channel.Id, x.Channel.Currency, x.Channel.Enabled && x.Rule.Enabled, FiatConfigRules.Plain(x.Rule.SingleLimit), ConfigJson.Banks(x.Rule.SupportedBanks));
            }, StringComparer.Ordinal),
            enabled.Select(c => c.ToUpperInvariant()).ToHashSet(StringComparer.Ordinal),
            open.GroupBy(o => o.RecordId).ToDictionary(g => g.Key, g => g.First().BatchId));
    }
}
