using ApprovalEngine.Server.Features.Fiat.Records;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Operations;

/// <summary>
/// Server-generated numbers: prefix + business day + a six-digit sequence per day (FW20261202000001). One upsert with
/// RETURNING, so two servers never hand out the same number; a failed start leaves a gap, never a duplicate.
/// </summary>
public sealed class FiatNumbers(IDbContextFactory<FiatDbContext> contexts, FiatClock clock)
{
    public const string RecordPrefix = "FW";
    public const string BatchPrefix = "FB";

    public async Task<string> NextAsync(string prefix, CancellationToken ct)
    {
        var name = prefix + clock.Today.ToString("yyyyMMdd", System.Globalization.CultureInfo.InvariantCulture);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var values = await db.Database.SqlQuery<long>($"""
            INSERT INTO fiat_sequences (name, last_value) VALUES ({name}, 1)
            ON CONFLICT (name) DO UPDATE SET last_value = fiat_sequences.last_value + 1
            RETURNING last_value AS "Value"
            """).ToListAsync(ct);
        return $"{name}{values.Single():D6}";
    }
}
