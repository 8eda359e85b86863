using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

public sealed record InterceptionRuleBody(string? BankAccountId, decimal? AlertThreshold, decimal? InterceptionThreshold, bool? Enabled, int? RowVersion);

public sealed record RowVersionBody(int? RowVersion);

public sealed record InterceptionRuleView(string BankAccountId, decimal AlertThreshold, decimal InterceptionThreshold, bool Enabled, int RowVersion, DateTimeOffset UpdatedAt)
{
    public static InterceptionRuleView Of(InterceptionRule r) => new(r.BankAccountId, r.AlertThreshold, r.InterceptionThreshold, r.Enabled, r.RowVersion, r.UpdatedAt);
}

/// <summary>Withdrawal Rules Management &gt; Balance Blocking Rules, for paying accounts integrated by API.</summary>
public static class InterceptionRulesEndpoints
{
    public const string Entity = "InterceptionRule";

    /// <summary>Enable and Disable; a disabled rule intercepts nothing, so disabling waits for a second configurer.</summary>
    public static readonly Switchable<InterceptionRule, InterceptionRuleView> Switchable =
        new(Entity, "interception rule of", FindAsync, InterceptionRuleView.Of, (r, enabled) => FiatWeakening.InterceptionRule(State(r), State(r) with { Enabled = enabled }));

    internal static FiatInterceptionState State(InterceptionRule r) => new(r.AlertThreshold, r.InterceptionThreshold, r.Enabled);

    public static void Map(RouteGroupBuilder config)
    {
        config.MapGet("/interception-rules", List).WithName("listInterceptionRules").WithSummary("List interception rules");
        config.MapGet("/interception-rules/{bankAccountId}", Get).WithName("getInterceptionRule").WithSummary("Get the interception rule of a bank account");
        config.MapPost("/interception-rules", Create).WithName("createInterceptionRule").WithSummary("Add an interception rule");
        config.MapPut("/interception-rules/{bankAccountId}", Edit).WithName("editInterceptionRule").WithSummary("Change an interception rule");
        config.MapPost("/interception-rules/{bankAccountId}/enable", (string bankAccountId, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct) => EnableDisable.HandleAsync(Switchable, bankAccountId, true, http, db, time, ct)).WithName("enableInterceptionRule").WithSummary("Enable an interception rule");
        config.MapPost("/interception-rules/{bankAccountId}/disable", (string bankAccountId, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct) => EnableDisable.HandleAsync(Switchable, bankAccountId, false, http, db, time, ct)).WithName("disableInterceptionRule").WithSummary("Disable an interception rule");
    }

    public static async Task<Ok<List<InterceptionRuleView>>> List(HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var rows = await db.Set<InterceptionRule>().AsNoTracking().OrderBy(r => r.BankAccountId).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(InterceptionRuleView.Of).ToList());
    }

    public static async Task<Ok<InterceptionRuleView>> Get(string bankAccountId, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        return TypedResults.Ok(InterceptionRuleView.Of(await FindAsync(db, bankAccountId, ct)));
    }

    private static async Task<InterceptionRule> FindAsync(FiatDbContext db, string id, CancellationToken ct) =>
        await db.Set<InterceptionRule>().FirstOrDefaultAsync(r => r.BankAccountId == id, ct) ?? throw ApiProblemException.NotFound($"No interception rule for '{id}'.");

    private static (decimal Alert, decimal Intercept) Thresholds(FieldErrors errors, InterceptionRuleBody body)
    {
        var alert = errors.Money(body.AlertThreshold, "alertThreshold");
        var intercept = errors.Money(body.InterceptionThreshold, "interceptionThreshold");
        if (alert < intercept) errors.Add("alertThreshold", "'alertThreshold' warns before interception: it must be at least the interception threshold.");
        return (alert, intercept);
    }

    public static async Task<Created<InterceptionRuleView>> Create(InterceptionRuleBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var errors = new FieldErrors();
        var account = BankAccountsEndpoints.Id(errors, body.BankAccountId, "bankAccountId");
        var (alert, intercept) = Thresholds(errors, body);
        if (account.Length > 0)
        {
            var row = await db.Set<CompanyBankAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == account, ct);
            if (row is null) errors.Add("bankAccountId", $"No company bank account '{account}'.");
            else if (!row.ApiIntegrated) errors.Add("bankAccountId", $"'{account}' is not integrated by API: its balance cannot be asked.");
        }
        errors.ThrowIfAny();
        if (await db.Set<InterceptionRule>().AnyAsync(r => r.BankAccountId == account, ct)) throw ApiProblemException.Conflict($"'{account}' has an interception rule already; edit it.");
        var now = time.GetUtcNow();
        var rule = new InterceptionRule { BankAccountId = account, AlertThreshold = alert, InterceptionThreshold = intercept, Enabled = body.Enabled ?? true, RowVersion = 1, UpdatedAt = now };
        db.Add(rule);
        ConfigJournal.Add(db, ConfigJournal.Actor(http), now, Entity, account, "Create", null, InterceptionRuleView.Of(rule));
        await ConfigSave.SaveAsync(db, $"The interception rule of '{account}'", ct);
        return TypedResults.Created($"/api/fiat/config/interception-rules/{account}", InterceptionRuleView.Of(rule));
    }

    public static async Task<Results<Ok<InterceptionRuleView>, Accepted<PendingChangeView>>> Edit(string bankAccountId, InterceptionRuleBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await EditAsync(bankAccountId, body, ConfigCaller.Of(http), db, time, ct);
    }

    /// <summary>Lower thresholds intercept and warn later, a disabled rule not at all: such an edit waits for a second person.</summary>
    internal static async Task<Results<Ok<InterceptionRuleView>, Accepted<PendingChangeView>>> EditAsync(string bankAccountId, InterceptionRuleBody body, ConfigCaller caller, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        var rule = await FindAsync(db, bankAccountId, ct);
        var errors = new FieldErrors();
        var version = errors.RowVersion(body.RowVersion);
        var (alert, intercept) = Thresholds(errors, body);
        errors.ThrowIfAny();
        ConfigSave.CheckVersion(rule.RowVersion, version, $"The interception rule of '{bankAccountId}'");
        var before = InterceptionRuleView.Of(rule);
        var enabled = body.Enabled ?? rule.Enabled;
        var weakens = FiatWeakening.InterceptionRule(State(rule), new FiatInterceptionState(alert, intercept, enabled));
        if (caller.MustPropose(weakens.Count > 0))
        {
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, bankAccountId, "Edit", body, before,
                $"interception rule of {bankAccountId}: {string.Join("; ", weakens)}", ct);
        }
        rule.AlertThreshold = alert;
        rule.InterceptionThreshold = intercept;
        rule.Enabled = enabled;
        return TypedResults.Ok(await SaveAsync(rule, "Edit", before, caller, db, time, ct));
    }

    private static async Task<InterceptionRuleView> SaveAsync(InterceptionRule rule, string action, InterceptionRuleView before, ConfigCaller caller, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        rule.RowVersion++;
        rule.UpdatedAt = time.GetUtcNow();
        ConfigJournal.Add(db, caller.Actor, rule.UpdatedAt, Entity, rule.BankAccountId, action, before, InterceptionRuleView.Of(rule), caller.Reason(null));
        await ConfigSave.SaveAsync(db, $"The interception rule of '{rule.BankAccountId}'", ct);
        return InterceptionRuleView.Of(rule);
    }
}
