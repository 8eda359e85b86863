using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Flows.Fiat;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <param name="SecondApprovalThreshold">The default: work orders above this amount need a second checker; absent keeps the stored value.</param>
/// <param name="SecondApprovalThresholds">A currency's own threshold (e.g. { "USD": 10000 }), used instead of the default; absent keeps the stored ones, present replaces them all.</param>
public sealed record SettingsBody(bool? DirectBillingNeedsApproval, string? DefaultReviewKind, int? RowVersion, decimal? SecondApprovalThreshold = null,
    Dictionary<string, decimal?>? SecondApprovalThresholds = null);

/// <param name="SecondApprovalThreshold">The default for currencies without their own: work orders (review, edit, direct billing, batch) above this amount need a second checker; null: one checker.</param>
/// <param name="SecondApprovalThresholds">Currencies with their own threshold, by ISO code.</param>
public sealed record SettingsView(bool DirectBillingNeedsApproval, string DefaultReviewKind, int RowVersion, DateTimeOffset? UpdatedAt, decimal? SecondApprovalThreshold = null,
    IReadOnlyDictionary<string, decimal>? SecondApprovalThresholds = null);

/// <summary>Withdrawal Rules Management &gt; More settings. Before the first save the defaults answer with rowVersion 0.</summary>
public static class SettingsEndpoints
{
    public const string Entity = "Settings";
    private const int MaxCurrencies = 200;

    public static void Map(RouteGroupBuilder config)
    {
        config.MapGet("/settings", Get).WithName("getFiatSettings").WithSummary("Get the fiat withdrawal settings");
        config.MapPut("/settings", Edit).WithName("editFiatSettings").WithSummary("Change the fiat withdrawal settings");
    }

    private static SettingsView View(FiatSettings? s, IEnumerable<FiatCurrencyThreshold> thresholds)
    {
        var own = thresholds.OrderBy(t => t.Currency, StringComparer.Ordinal).ToDictionary(t => t.Currency, t => FiatConfigRules.Plain(t.Threshold), StringComparer.Ordinal);
        return s is null
            ? new SettingsView(true, FiatReviewKinds.AutoSubmit, 0, null, null, own)
            : new SettingsView(s.DirectBillingNeedsApproval, s.DefaultReviewKind, s.RowVersion, s.UpdatedAt, s.SecondApprovalThreshold is { } t ? FiatConfigRules.Plain(t) : null, own);
    }

    private static FiatSettingsState State(SettingsView v) =>
        new(v.DirectBillingNeedsApproval, v.DefaultReviewKind, v.SecondApprovalThreshold, v.SecondApprovalThresholds ?? new Dictionary<string, decimal>());

    public static async Task<Ok<SettingsView>> Get(HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var thresholds = await db.Set<FiatCurrencyThreshold>().AsNoTracking().ToListAsync(ct);
        return TypedResults.Ok(View(await db.Set<FiatSettings>().AsNoTracking().FirstOrDefaultAsync(ct), thresholds));
    }

    public static async Task<Results<Ok<SettingsView>, Accepted<PendingChangeView>>> Edit(SettingsBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await ApplyAsync(body, ConfigCaller.Of(http), db, time, ct);
    }

    /// <summary>The per-currency thresholds of a request, keyed by upper-case ISO code (null: keep the stored ones).</summary>
    private static Dictionary<string, decimal>? Thresholds(FieldErrors errors, Dictionary<string, decimal?>? sent)
    {
        if (sent is null) return null;
        if (sent.Count > MaxCurrencies) errors.Add("secondApprovalThresholds", $"At most {MaxCurrencies} currencies.");
        var map = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var (code, value) in sent)
        {
            var field = $"secondApprovalThresholds.{code}";
            var currency = errors.Currency(code, field);
            var amount = errors.Money(value, field);
            if (currency.Length == 3 && !map.TryAdd(currency, amount)) errors.Add(field, $"{currency} is given twice.");
        }
        return map;
    }

    internal static async Task<Results<Ok<SettingsView>, Accepted<PendingChangeView>>> ApplyAsync(SettingsBody body, ConfigCaller caller, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        var row = await db.Set<FiatSettings>().FirstOrDefaultAsync(ct);
        var stored = await db.Set<FiatCurrencyThreshold>().ToListAsync(ct);
        var errors = new FieldErrors();
        var version = errors.RowVersion(body.RowVersion);
        var approval = errors.Bool(body.DirectBillingNeedsApproval, "directBillingNeedsApproval");
        var kind = body.DefaultReviewKind is null ? row?.DefaultReviewKind ?? FiatReviewKinds.AutoSubmit : errors.OneOf(body.DefaultReviewKind, "defaultReviewKind", FiatReviewKinds.All);
        var threshold = body.SecondApprovalThreshold is null ? row?.SecondApprovalThreshold : errors.OptionalMoney(body.SecondApprovalThreshold, "secondApprovalThreshold");
        var own = Thresholds(errors, body.SecondApprovalThresholds) ?? stored.ToDictionary(t => t.Currency, t => t.Threshold, StringComparer.Ordinal);
        errors.ThrowIfAny();
        ConfigSave.CheckVersion(row?.RowVersion ?? 0, version, "The settings");
        var before = View(row, stored);
        var weakens = FiatWeakening.Settings(State(before), new FiatSettingsState(approval, kind, threshold, own));
        if (caller.MustPropose(weakens.Count > 0))
        {
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, FiatSettings.DefaultId, "Edit", body with { DefaultReviewKind = kind }, before, string.Join("; ", weakens), ct);
        }
        if (row is null)
        {
            row = new FiatSettings();
            db.Add(row);
        }
        row.DirectBillingNeedsApproval = approval;
        row.DefaultReviewKind = kind;
        row.SecondApprovalThreshold = threshold;
        foreach (var gone in stored.Where(t => !own.ContainsKey(t.Currency))) db.Remove(gone);
        foreach (var (currency, value) in own)
        {
            if (stored.FirstOrDefault(t => t.Currency == currency) is { } existing) existing.Threshold = value;
            else db.Add(new FiatCurrencyThreshold { Currency = currency, Threshold = value });
        }
        // The per-currency rows have no version of their own: the settings row's version covers them.
        row.RowVersion++;
        row.UpdatedAt = time.GetUtcNow();
        var after = View(row, own.Select(o => new FiatCurrencyThreshold { Currency = o.Key, Threshold = o.Value }));
        ConfigJournal.Add(db, caller.Actor, row.UpdatedAt, Entity, FiatSettings.DefaultId, "Edit", before.RowVersion == 0 ? null : before, after, caller.Reason(null));
        await ConfigSave.SaveAsync(db, "The settings", ct);
        return TypedResults.Ok(after);
    }
}
