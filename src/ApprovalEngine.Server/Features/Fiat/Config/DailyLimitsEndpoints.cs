using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

public sealed record DailyLimitBody(string? BankAccountId, decimal? Limit, decimal? AlertThreshold, string? Reason, int? RowVersion);

public sealed record DailyLimitAdjustBody(decimal? Delta, string? Reason, int? RowVersion);

public sealed record DailyLimitView(string BankAccountId, decimal Limit, decimal AlertThreshold, DateOnly BusinessDay, decimal UsedToday, decimal Remaining, int RowVersion, DateTimeOffset UpdatedAt);

public sealed record DailyLimitSnapshot(string BankAccountId, decimal Limit, decimal AlertThreshold, int RowVersion);

public sealed record DailyLimitChangeView(Guid Id, string BankAccountId, string Action, decimal? Delta, decimal? LimitBefore, decimal? LimitAfter, decimal? AlertBefore, decimal? AlertAfter, string? Reason, string Actor, DateTimeOffset At);

/// <summary>Withdrawal Rules Management &gt; Daily Limits (add, edit, delete, adjust) and Daily Limit Changes.</summary>
public static class DailyLimitsEndpoints
{
    public const string Entity = "DailyLimit";

    public static void Map(RouteGroupBuilder config)
    {
        config.MapGet("/daily-limits", List).WithName("listDailyLimits").WithSummary("List daily payout limits");
        config.MapGet("/daily-limits/{bankAccountId}", Get).WithName("getDailyLimit").WithSummary("Get the daily payout limit of a bank account");
        config.MapPost("/daily-limits", Create).WithName("createDailyLimit").WithSummary("Add a daily payout limit");
        config.MapPut("/daily-limits/{bankAccountId}", Edit).WithName("editDailyLimit").WithSummary("Change a daily payout limit");
        config.MapDelete("/daily-limits/{bankAccountId}", Delete).WithName("deleteDailyLimit").WithSummary("Delete a daily payout limit");
        config.MapPost("/daily-limits/{bankAccountId}/adjust", Adjust).WithName("adjustDailyLimit").WithSummary("Make a one-day adjustment of a daily payout limit");
        config.MapGet("/daily-limit-changes", Changes).WithName("listDailyLimitChanges").WithSummary("List the changes of daily payout limits");
    }

    private static async Task<Dictionary<string, decimal>> UsedAsync(FiatDbContext db, DateOnly day, CancellationToken ct)
    {
        var rows = await db.Set<LimitUsage>().AsNoTracking().Where(u => u.BusinessDay == day && u.Scope.StartsWith("bank:")).ToListAsync(ct);
        return rows.ToDictionary(u => u.Scope["bank:".Length..], u => u.Used, StringComparer.Ordinal);
    }

    private static DailyLimitView View(BankDailyLimit l, DateOnly day, decimal used) =>
        new(l.BankAccountId, l.LimitAmount, l.AlertThreshold, day, used, l.LimitAmount - used, l.RowVersion, l.UpdatedAt);

    private static FiatDailyLimitState State(BankDailyLimit l) => new(l.LimitAmount, l.AlertThreshold);

    /// <summary>What the journal keeps of a daily limit (not the day's usage, which is no configuration).</summary>
    private static DailyLimitSnapshot Snapshot(BankDailyLimit l) => new(l.BankAccountId, l.LimitAmount, l.AlertThreshold, l.RowVersion);

    public static async Task<Ok<List<DailyLimitView>>> List(HttpContext http, FiatDbContext db, FiatClock clock, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var day = clock.Today;
        var used = await UsedAsync(db, day, ct);
        var rows = await db.Set<BankDailyLimit>().AsNoTracking().OrderBy(l => l.BankAccountId).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(l => View(l, day, used.GetValueOrDefault(l.BankAccountId))).ToList());
    }

    public static async Task<Ok<DailyLimitView>> Get(string bankAccountId, HttpContext http, FiatDbContext db, FiatClock clock, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var row = await FindAsync(db, bankAccountId, ct);
        var day = clock.Today;
        return TypedResults.Ok(View(row, day, (await UsedAsync(db, day, ct)).GetValueOrDefault(bankAccountId)));
    }

    private static async Task<BankDailyLimit> FindAsync(FiatDbContext db, string id, CancellationToken ct) =>
        await db.Set<BankDailyLimit>().FirstOrDefaultAsync(l => l.BankAccountId == id, ct) ?? throw ApiProblemException.NotFound($"No daily limit for '{id}'.");

    private static void Thresholds(FieldErrors errors, decimal limit, decimal alert)
    {
        if (alert > limit) errors.Add("alertThreshold", "'alertThreshold' (remaining limit that raises an alert) must not exceed the limit.");
    }

    private static void Change(FiatDbContext db, ConfigCaller caller, DateTimeOffset at, string account, string action, decimal? delta, DailyLimitSnapshot? before, BankDailyLimit? after, string? reason)
    {
        reason = caller.Reason(reason);
        db.Add(new DailyLimitChange
        {
            Id = Guid.CreateVersion7(at), BankAccountId = account, Action = action, Delta = delta,
            LimitBefore = before?.Limit, LimitAfter = after?.LimitAmount,
            AlertBefore = before?.AlertThreshold, AlertAfter = after?.AlertThreshold,
            Reason = reason, Actor = caller.Actor, At = at,
        });
        ConfigJournal.Add(db, caller.Actor, at, Entity, account, action, before, after is null ? null : Snapshot(after), reason);
    }

    public static async Task<Created<DailyLimitView>> Create(DailyLimitBody body, HttpContext http, FiatDbContext db, FiatClock clock, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var errors = new FieldErrors();
        var account = BankAccountsEndpoints.Id(errors, body.BankAccountId, "bankAccountId");
        var limit = errors.Money(body.Limit, "limit");
        var alert = errors.Money(body.AlertThreshold, "alertThreshold");
        var reason = errors.OptionalText(body.Reason, "reason", 1000);
        Thresholds(errors, limit, alert);
        if (account.Length > 0 && !await db.Set<CompanyBankAccount>().AnyAsync(a => a.Id == account, ct)) errors.Add("bankAccountId", $"No company bank account '{account}'.");
        errors.ThrowIfAny();
        if (await db.Set<BankDailyLimit>().AnyAsync(l => l.BankAccountId == account, ct)) throw ApiProblemException.Conflict($"'{account}' has a daily limit already; edit or adjust it.");
        var now = time.GetUtcNow();
        var row = new BankDailyLimit { BankAccountId = account, LimitAmount = limit, AlertThreshold = alert, RowVersion = 1, UpdatedAt = now };
        db.Add(row);
        Change(db, ConfigCaller.Of(http), now, account, "Add", null, null, row, reason);
        await ConfigSave.SaveAsync(db, $"The daily limit of '{account}'", ct);
        var day = clock.Today;
        return TypedResults.Created($"/api/fiat/config/daily-limits/{account}", View(row, day, (await UsedAsync(db, day, ct)).GetValueOrDefault(account)));
    }

    public static async Task<Results<Ok<DailyLimitView>, Accepted<PendingChangeView>>> Edit(string bankAccountId, DailyLimitBody body, HttpContext http, FiatDbContext db, FiatClock clock, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await EditAsync(bankAccountId, body, ConfigCaller.Of(http), db, clock, time, ct);
    }

    /// <summary>A higher limit pays more before it stops, a lower alert threshold warns later: such an edit waits for a second person.</summary>
    internal static async Task<Results<Ok<DailyLimitView>, Accepted<PendingChangeView>>> EditAsync(string bankAccountId, DailyLimitBody body, ConfigCaller caller, FiatDbContext db, FiatClock clock, TimeProvider time, CancellationToken ct)
    {
        var row = await FindAsync(db, bankAccountId, ct);
        var errors = new FieldErrors();
        var version = errors.RowVersion(body.RowVersion);
        var limit = errors.Money(body.Limit, "limit");
        var alert = errors.Money(body.AlertThreshold, "alertThreshold");
        var reason = errors.OptionalText(body.Reason, "reason", 1000);
        Thresholds(errors, limit, alert);
        errors.ThrowIfAny();
        ConfigSave.CheckVersion(row.RowVersion, version, $"The daily limit of '{bankAccountId}'");
        var before = Snapshot(row);
        var weakens = FiatWeakening.DailyLimit(State(row), new FiatDailyLimitState(limit, alert));
        if (caller.MustPropose(weakens.Count > 0))
        {
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, bankAccountId, "Edit", body, before,
                $"daily limit of {bankAccountId}: {string.Join("; ", weakens)}", ct);
        }
        var now = time.GetUtcNow();
        row.LimitAmount = limit;
        row.AlertThreshold = alert;
        row.RowVersion++;
        row.UpdatedAt = now;
        Change(db, caller, now, bankAccountId, "Edit", null, before, row, reason);
        await ConfigSave.SaveAsync(db, $"The daily limit of '{bankAccountId}'", ct);
        return TypedResults.Ok(await ViewAsync(row, db, clock, ct));
    }

    private static async Task<DailyLimitView> ViewAsync(BankDailyLimit row, FiatDbContext db, FiatClock clock, CancellationToken ct)
    {
        var day = clock.Today;
        return View(row, day, (await UsedAsync(db, day, ct)).GetValueOrDefault(row.BankAccountId));
    }

    /// <summary>Raises or lowers the limit by <c>delta</c> (a reason is required), e.g. for a day the bank allows more; a raise waits for a second person.</summary>
    public static async Task<Results<Ok<DailyLimitView>, Accepted<PendingChangeView>>> Adjust(string bankAccountId, DailyLimitAdjustBody body, HttpContext http, FiatDbContext db, FiatClock clock, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await AdjustAsync(bankAccountId, body, ConfigCaller.Of(http), db, clock, time, ct);
    }

    internal static async Task<Results<Ok<DailyLimitView>, Accepted<PendingChangeView>>> AdjustAsync(string bankAccountId, DailyLimitAdjustBody body, ConfigCaller caller, FiatDbContext db, FiatClock clock, TimeProvider time, CancellationToken ct)
    {
        var row = await FindAsync(db, bankAccountId, ct);
        var errors = new FieldErrors();
        var version = errors.RowVersion(body.RowVersion);
        var reason = errors.Text(body.Reason, "reason", 1000);
        if (body.Delta is not { } delta || delta == 0) errors.Add("delta", "'delta' (the increase, or a negative decrease) is required and not 0.");
        else if (decimal.Round(delta, 8) != delta || Math.Abs(delta) > FieldErrors.MaxMoney) errors.Add("delta", "'delta' has more than 8 decimals or is too large.");
        else if (row.LimitAmount + delta < 0) errors.Add("delta", $"The limit would fall below 0 (it is {row.LimitAmount}).");
        else if (row.LimitAmount + delta > FieldErrors.MaxMoney) errors.Add("delta", "The limit would be too large.");
        else if (row.LimitAmount + delta < row.AlertThreshold) errors.Add("delta", $"The limit would fall below its alert threshold of {row.AlertThreshold}; edit the threshold first.");
        errors.ThrowIfAny();
        ConfigSave.CheckVersion(row.RowVersion, version, $"The daily limit of '{bankAccountId}'");
        var before = Snapshot(row);
        var weakens = FiatWeakening.DailyLimit(State(row), State(row) with { Limit = row.LimitAmount + body.Delta!.Value });
        if (caller.MustPropose(weakens.Count > 0))
        {
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, bankAccountId, "Adjust", body, before, $"raise the daily limit of {bankAccountId} by {body.Delta.Value}: {reason}", ct);
        }
        var now = time.GetUtcNow();
        row.LimitAmount += body.Delta!.Value;
        row.RowVersion++;
        row.UpdatedAt = now;
        Change(db, caller, now, bankAccountId, body.Delta.Value > 0 ? "AdjustUp" : "AdjustDown", body.Delta, before, row, reason);
        await ConfigSave.SaveAsync(db, $"The daily limit of '{bankAccountId}'", ct);
        return TypedResults.Ok(await ViewAsync(row, db, clock, ct));
    }

    /// <summary>Without a daily limit the bank pays without one: a delete always waits for a second person.</summary>
    public static async Task<Results<NoContent, Accepted<PendingChangeView>>> Delete(string bankAccountId, int? rowVersion, string? reason, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await DeleteAsync(bankAccountId, rowVersion, reason, ConfigCaller.Of(http), db, time, ct);
    }

    internal static async Task<Results<NoContent, Accepted<PendingChangeView>>> DeleteAsync(string bankAccountId, int? rowVersion, string? reason, ConfigCaller caller, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        var row = await FindAsync(db, bankAccountId, ct);
        if (rowVersion is { } v) ConfigSave.CheckVersion(row.RowVersion, v, $"The daily limit of '{bankAccountId}'");
        if (reason is { Length: > 1000 }) throw ApiProblemException.Invalid("reason", "'reason' is longer than 1000 characters.");
        if (caller.MustPropose(FiatWeakening.DailyLimit(State(row), null).Count > 0))
        {
            // The version read now, so that an edit between proposal and approval makes the approval stale.
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, bankAccountId, "Delete", new DailyLimitDeleteBody(row.RowVersion, reason), Snapshot(row),
                $"delete the daily limit of {bankAccountId}", ct);
        }
        var now = time.GetUtcNow();
        db.Remove(row);
        Change(db, caller, now, bankAccountId, "Delete", null, Snapshot(row), null, reason);
        await ConfigSave.SaveAsync(db, $"The daily limit of '{bankAccountId}'", ct);
        return TypedResults.NoContent();
    }

    public static async Task<Ok<Paged<DailyLimitChangeView>>> Changes(string? bankAccountId, int? page, int? pageSize, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var (p, s) = Paging.Check(page, pageSize);
        var query = db.Set<DailyLimitChange>().AsNoTracking().Where(c => bankAccountId == null || c.BankAccountId == bankAccountId);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(c => c.At).ThenByDescending(c => c.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<DailyLimitChangeView>([.. rows.Select(c => new DailyLimitChangeView(c.Id, c.BankAccountId, c.Action, c.Delta, c.LimitBefore, c.LimitAfter, c.AlertBefore, c.AlertAfter, c.Reason, c.Actor, c.At))], total, p, s));
    }
}
