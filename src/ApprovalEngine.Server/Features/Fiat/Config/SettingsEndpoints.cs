using ApprovalEngine.Flows.Fiat;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <param name="SecondApprovalThreshold">Work orders above this amount need a second checker; absent keeps the stored value.</param>
public sealed record SettingsBody(bool? DirectBillingNeedsApproval, string? DefaultReviewKind, int? RowVersion, decimal? SecondApprovalThreshold = null);

/// <param name="SecondApprovalThreshold">Work orders (review, edit, direct billing, batch) above this amount need a second checker; null: one checker.</param>
public sealed record SettingsView(bool DirectBillingNeedsApproval, string DefaultReviewKind, int RowVersion, DateTimeOffset? UpdatedAt, decimal? SecondApprovalThreshold = null);

/// <summary>Withdrawal Rules Management &gt; More settings. Before the first save the defaults answer with rowVersion 0.</summary>
public static class SettingsEndpoints
{
    public const string Entity = "Settings";

    public static void Map(RouteGroupBuilder config)
    {
        config.MapGet("/settings", Get);
        config.MapPut("/settings", Edit);
    }

    private static SettingsView View(FiatSettings? s) => s is null
        ? new SettingsView(true, FiatReviewKinds.AutoSubmit, 0, null)
        : new SettingsView(s.DirectBillingNeedsApproval, s.DefaultReviewKind, s.RowVersion, s.UpdatedAt, s.SecondApprovalThreshold is { } t ? FiatConfigRules.Plain(t) : null);

    public static async Task<Ok<SettingsView>> Get(HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        return TypedResults.Ok(View(await db.Set<FiatSettings>().AsNoTracking().FirstOrDefaultAsync(ct)));
    }

    public static async Task<Results<Ok<SettingsView>, Accepted<PendingChangeView>>> Edit(SettingsBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await ApplyAsync(body, ConfigCaller.Of(http), db, time, ct);
    }

    /// <summary>How strict a review kind is: a default that reviews less than before weakens a control.</summary>
    internal static int Strictness(string kind) => kind switch
    {
        FiatReviewKinds.AutoReject => 3,
        FiatReviewKinds.ManualWithWorkOrder => 2,
        FiatReviewKinds.ManualWithoutWorkOrder => 1,
        _ => 0,
    };

    internal static async Task<Results<Ok<SettingsView>, Accepted<PendingChangeView>>> ApplyAsync(SettingsBody body, ConfigCaller caller, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        var row = await db.Set<FiatSettings>().FirstOrDefaultAsync(ct);
        var errors = new FieldErrors();
        var version = errors.RowVersion(body.RowVersion);
        var approval = errors.Bool(body.DirectBillingNeedsApproval, "directBillingNeedsApproval");
        var kind = body.DefaultReviewKind is null ? row?.DefaultReviewKind ?? FiatReviewKinds.AutoSubmit : errors.OneOf(body.DefaultReviewKind, "defaultReviewKind", FiatReviewKinds.All);
        var threshold = body.SecondApprovalThreshold is null ? row?.SecondApprovalThreshold : errors.OptionalMoney(body.SecondApprovalThreshold, "secondApprovalThreshold");
        errors.ThrowIfAny();
        ConfigSave.CheckVersion(row?.RowVersion ?? 0, version, "The settings");
        var before = View(row);
        // A higher second-approval threshold lets bigger payouts through on one checker: as weakening as switching approval off.
        var raisesThreshold = threshold is { } t && before.SecondApprovalThreshold is { } old && t > old;
        var weakens = (before.DirectBillingNeedsApproval && !approval) || Strictness(kind) < Strictness(before.DefaultReviewKind) || raisesThreshold;
        if (caller.MustPropose(weakens))
        {
            var what = before.DirectBillingNeedsApproval && !approval ? "direct billing without work-order approval"
                : raisesThreshold ? $"second approval only above {FiatConfigRules.Plain(threshold!.Value)} (was {before.SecondApprovalThreshold})"
                : $"default review {before.DefaultReviewKind} → {kind}";
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, FiatSettings.DefaultId, "Edit", body with { DefaultReviewKind = kind }, before, what, ct);
        }
        if (row is null)
        {
            row = new FiatSettings();
            db.Add(row);
        }
        row.DirectBillingNeedsApproval = approval;
        row.DefaultReviewKind = kind;
        row.SecondApprovalThreshold = threshold;
        row.RowVersion++;
        row.UpdatedAt = time.GetUtcNow();
        ConfigJournal.Add(db, caller.Actor, row.UpdatedAt, Entity, FiatSettings.DefaultId, "Edit", before.RowVersion == 0 ? null : before, View(row), caller.Reason(null));
        await ConfigSave.SaveAsync(db, "The settings", ct);
        return TypedResults.Ok(View(row));
    }
}
