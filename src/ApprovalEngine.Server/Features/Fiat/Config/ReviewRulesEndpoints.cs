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
    /// the default, and enabling an AutoSubmit rule lets its matches through unreviewed: both wait for a second
    /// configurer (<see cref="FiatWeakening.ReviewRule"/>); the other switches apply at once.
    /// </summary>
    public static readonly Switchable<ReviewRule, ReviewRuleView> Switchable =
        new(Entity, "review rule", FindAsync, ReviewRuleView.Of, (r, enabled) => FiatWeakening.ReviewRule(State(r), State(r) with { Enabled = enabled }),
            (db, r, enabled, ct) => SetWeakeningAsync(db, r.Id, Copy(r, enabled), ct));

    private static ReviewRule Copy(ReviewRule r, bool enabled) => new()
    {
        Id = r.Id, Name = r.Name, Kind = r.Kind, FirstWithdrawal = r.FirstWithdrawal, NewBeneficiaryAccount = r.NewBeneficiaryAccount,
        AmountAtLeast = r.AmountAtLeast, Currency = r.Currency, Priority = r.Priority, Enabled = enabled,
    };

    /// <summary>
    /// The rule set as stored against the same set with the row <paramref name="id"/> replaced by <paramref name="after"/>
    /// (added when new): what the ordered set decides per class of application (<see cref="FiatWeakening.ReviewRuleSet"/>).
    /// The rows are read without tracking, so the stored values are compared even when the caller already changed its copy.
    /// </summary>
    internal static async Task<IReadOnlyList<string>> SetWeakeningAsync(FiatDbContext db, Guid id, ReviewRule after, CancellationToken ct)
    {
        var stored = await db.Set<ReviewRule>().AsNoTracking().ToListAsync(ct);
        var defaultKind = await db.Set<FiatSettings>().AsNoTracking().Select(x => x.DefaultReviewKind).FirstOrDefaultAsync(ct) ?? FiatReviewKinds.AutoSubmit;
        static FiatReviewRule Decision(ReviewRule r) =>
            new(r.Name, r.Kind, r.Priority, r.FirstWithdrawal, r.NewBeneficiaryAccount, r.AmountAtLeast is { } min ? FiatConfigRules.Plain(min) : null, r.Currency);
        var before = stored.Where(r => r.Enabled).Select(Decision).ToList();
        var changed = stored.Where(r => r.Id != id).Append(after).Where(r => r.Enabled).Select(Decision).ToList();
        return FiatWeakening.ReviewRuleSet(before, changed, defaultKind);
    }

    internal static FiatReviewRuleState State(ReviewRule r) => new(r.Kind, r.Enabled, r.Priority, r.FirstWithdrawal, r.NewBeneficiaryAccount, r.AmountAtLeast, r.Currency);

    public static void Map(RouteGroupBuilder config)
    {
        config.MapGet("/review-rules", List).WithName("listReviewRules").WithSummary("List review rules");
        config.MapGet("/review-rules/{id}", Get).WithName("getReviewRule").WithSummary("Get a review rule");
        config.MapPost("/review-rules", Create).WithName("createReviewRule").WithSummary("Add a review rule");
        config.MapPut("/review-rules/{id}", Edit).WithName("editReviewRule").WithSummary("Change a review rule");
        config.MapPost("/review-rules/{id}/enable", (string id, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct) => EnableDisable.HandleAsync(Switchable, id, true, http, db, time, ct)).WithName("enableReviewRule").WithSummary("Enable a review rule");
        config.MapPost("/review-rules/{id}/disable", (string id, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct) => EnableDisable.HandleAsync(Switchable, id, false, http, db, time, ct)).WithName("disableReviewRule").WithSummary("Disable a review rule");
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

    public static async Task<Results<Created<ReviewRuleView>, Accepted<PendingChangeView>>> Create(ReviewRuleBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await CreateAsync(body, ConfigCaller.Of(http), db, time, ct);
    }

    /// <summary>A new enabled AutoSubmit rule lets its matches through unreviewed: it waits for a second configurer; other new rules apply at once.</summary>
    internal static async Task<Results<Created<ReviewRuleView>, Accepted<PendingChangeView>>> CreateAsync(ReviewRuleBody body, ConfigCaller caller, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var now = time.GetUtcNow();
        var row = new ReviewRule { Id = Guid.CreateVersion7(now), CreatedAt = now, UpdatedAt = now, RowVersion = 1 };
        Apply(errors, row, body);
        errors.ThrowIfAny();
        IReadOnlyList<string> weakens = [.. FiatWeakening.ReviewRule(null, State(row)), .. await SetWeakeningAsync(db, row.Id, row, ct)];
        if (caller.MustPropose(weakens.Count > 0))
        {
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, row.Name, "Create", body, null, $"new review rule '{row.Name}': {string.Join("; ", weakens)}", ct);
        }
        db.Add(row);
        ConfigJournal.Add(db, caller.Actor, now, Entity, row.Id.ToString(), "Create", null, ReviewRuleView.Of(row), caller.Reason(null));
        await ConfigSave.SaveAsync(db, $"The review rule '{row.Name}'", ct);
        return TypedResults.Created($"/api/fiat/config/review-rules/{row.Id}", ReviewRuleView.Of(row));
    }

    public static async Task<Results<Ok<ReviewRuleView>, Accepted<PendingChangeView>>> Edit(string id, ReviewRuleBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await EditAsync(id, body, ConfigCaller.Of(http), db, time, ct);
    }

    /// <summary>
    /// An edit is a side door to the four-eyed Disable unless it is held the same way: every edit that lets an
    /// application through which the rule held back before (<see cref="FiatWeakening.ReviewRule"/>: switched off, a
    /// laxer kind, narrower conditions, a later priority; for AutoSubmit wider conditions or an earlier priority)
    /// waits for a second configurer.
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
        IReadOnlyList<string> weakens =
        [
            .. FiatWeakening.ReviewRule(new FiatReviewRuleState(before.Kind, before.Enabled, before.Priority, before.FirstWithdrawal, before.NewBeneficiaryAccount, before.AmountAtLeast, before.Currency), State(row)),
            .. await SetWeakeningAsync(db, row.Id, row, ct),
        ];
        if (caller.MustPropose(weakens.Count > 0))
        {
            // Nothing of the edit is kept: the edited row is detached, so the save writes only the proposal.
            db.Entry(row).State = EntityState.Detached;
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, id, "Edit", body, before, $"review rule '{before.Name}': {string.Join("; ", weakens)}", ct);
        }
        row.RowVersion++;
        row.UpdatedAt = time.GetUtcNow();
        ConfigJournal.Add(db, caller.Actor, row.UpdatedAt, Entity, id, "Edit", before, ReviewRuleView.Of(row), caller.Reason(null));
        await ConfigSave.SaveAsync(db, $"The review rule '{id}'", ct);
        return TypedResults.Ok(ReviewRuleView.Of(row));
    }
}
