using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

public sealed record ReviewRuleBody(string? Name, string? Kind, bool? FirstWithdrawal, bool? NewBeneficiaryAccount, decimal? AmountAtLeast, string? Currency, int? Priority, bool? Enabled, int? RowVersion);

public sealed record ReviewRuleView(Guid Id, string Name, string Kind, bool? FirstWithdrawal, bool? NewBeneficiaryAccount, decimal? AmountAtLeast, string? Currency, int Priority, bool Enabled, int RowVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ReviewRuleView Of(ReviewRule r) => new(r.Id, r.Name, r.Kind, r.FirstWithdrawal, r.NewBeneficiaryAccount, r.AmountAtLeast, r.Currency, r.Priority, r.Enabled, r.RowVersion, r.CreatedAt, r.UpdatedAt);
}

/// <summary>Withdrawal Rules Management &gt; Automatic Review Rules: create, edit, enable, disable.</summary>
public static class ReviewRulesEndpoints
{
    public const string Entity = "ReviewRule";

    /// <summary>
    /// Enable and Disable. Disabling a rule that sends applications to review (or rejects them) lets them through on
    /// the default: it waits for a second configurer; an AutoSubmit rule switches at once.
    /// </summary>
    public static readonly Switchable<ReviewRule, ReviewRuleView> Switchable =
        new(Entity, "review rule", FindAsync, ReviewRuleView.Of, r => r.Kind != FiatReviewKinds.AutoSubmit);

    public static void Map(RouteGroupBuilder config)
    {
        config.MapGet("/review-rules", List);
        config.MapGet("/review-rules/{id}", Get);
        config.MapPost("/review-rules", Create);
        config.MapPut("/review-rules/{id}", Edit);
        config.MapPost("/review-rules/{id}/enable", (string id, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct) => EnableDisable.HandleAsync(Switchable, id, true, http, db, time, ct));
        config.MapPost("/review-rules/{id}/disable", (string id, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct) => EnableDisable.HandleAsync(Switchable, id, false, http, db, time, ct));
    }

    public static async Task<Ok<List<ReviewRuleView>>> List(HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var rows = await db.Set<ReviewRule>().AsNoTracking().OrderBy(r => r.Priority).ThenBy(r => r.Name).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(ReviewRuleView.Of).ToList());
    }

    public static async Task<Ok<ReviewRuleView>> Get(string id, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        return TypedResults.Ok(ReviewRuleView.Of(await FindAsync(db, id, ct)));
    }

    private static async Task<ReviewRule> FindAsync(FiatDbContext db, string id, CancellationToken ct)
    {
        var key = Require.Id(id, "review rule");
        return await db.Set<ReviewRule>().FirstOrDefaultAsync(r => r.Id == key, ct) ?? throw ApiProblemException.NotFound($"No review rule '{id}'.");
    }

    private static void Apply(FieldErrors errors, ReviewRule row, ReviewRuleBody body)
    {
        row.Name = errors.Text(body.Name, "name", 200);
        row.Kind = errors.OneOf(body.Kind, "kind", FiatReviewKinds.All);
        row.FirstWithdrawal = body.FirstWithdrawal;
        row.NewBeneficiaryAccount = body.NewBeneficiaryAccount;
        row.AmountAtLeast = errors.OptionalMoney(body.AmountAtLeast, "amountAtLeast");
        row.Currency = body.Currency is null ? null : errors.Currency(body.Currency, "currency");
        row.Priority = body.Priority ?? 100;
        if (row.Priority is < 0 or > 1_000_000) errors.Add("priority", "'priority' must be between 0 and 1,000,000.");
        row.Enabled = body.Enabled ?? true;
    }

    public static async Task<Created<ReviewRuleView>> Create(ReviewRuleBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var errors = new FieldErrors();
        var now = time.GetUtcNow();
        var row = new ReviewRule { Id = Guid.CreateVersion7(now), CreatedAt = now, UpdatedAt = now, RowVersion = 1 };
        Apply(errors, row, body);
        errors.ThrowIfAny();
        db.Add(row);
        ConfigJournal.Add(db, ConfigJournal.Actor(http), now, Entity, row.Id.ToString(), "Create", null, ReviewRuleView.Of(row));
        await ConfigSave.SaveAsync(db, $"The review rule '{row.Name}'", ct);
        return TypedResults.Created($"/api/fiat/config/review-rules/{row.Id}", ReviewRuleView.Of(row));
    }

    public static async Task<Results<Ok<ReviewRuleView>, Accepted<PendingChangeView>>> Edit(string id, ReviewRuleBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await EditAsync(id, body, ConfigCaller.Of(http), db, time, ct);
    }

    /// <summary>
    /// An edit is a side door to the four-eyed Disable unless it is held the same way: an edit that switches off a rule
    /// which reviews (or rejects) applications, or makes an enabled rule's kind laxer, waits for a second configurer.
    /// </summary>
    internal static async Task<Results<Ok<ReviewRuleView>, Accepted<PendingChangeView>>> EditAsync(string id, ReviewRuleBody body, ConfigCaller caller, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        var row = await FindAsync(db, id, ct);
        var before = ReviewRuleView.Of(row);
        var errors = new FieldErrors();
        var version = errors.RowVersion(body.RowVersion);
        Apply(errors, row, body);
        errors.ThrowIfAny();
        ConfigSave.CheckVersion(row.RowVersion, version, $"The review rule '{id}'");
        var weakens = before.Enabled &&
            ((!row.Enabled && before.Kind != FiatReviewKinds.AutoSubmit) || (row.Enabled && SettingsEndpoints.Strictness(row.Kind) < SettingsEndpoints.Strictness(before.Kind)));
        if (caller.MustPropose(weakens))
        {
            // Nothing of the edit is kept: the edited row is detached, so the save writes only the proposal.
            db.Entry(row).State = EntityState.Detached;
            var what = row.Enabled ? $"review rule '{before.Name}': {before.Kind} → {row.Kind}" : $"disable the review rule '{before.Name}' by an edit";
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, id, "Edit", body, before, what, ct);
        }
        row.RowVersion++;
        row.UpdatedAt = time.GetUtcNow();
        ConfigJournal.Add(db, caller.Actor, row.UpdatedAt, Entity, id, "Edit", before, ReviewRuleView.Of(row), caller.Reason(null));
        await ConfigSave.SaveAsync(db, $"The review rule '{id}'", ct);
        return TypedResults.Ok(ReviewRuleView.Of(row));
    }
}
