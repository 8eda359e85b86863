using System.Globalization;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

public sealed record WithdrawalRuleBody(
    string? ChannelId, string? Policy, string? PackingCron, decimal? SingleLimit, decimal? CustomerDailyLimit,
    List<ConfigJson.WindowDto>? ServiceWindows, List<string>? SupportedBanks, int? Priority, bool? Enabled, int? RowVersion);

public sealed record WithdrawalRuleView(
    Guid Id, string ChannelId, string Policy, string? PackingCron, decimal SingleLimit, decimal CustomerDailyLimit,
    IReadOnlyList<ConfigJson.WindowDto> ServiceWindows, IReadOnlyList<string> SupportedBanks, int Priority, bool Enabled, int RowVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WithdrawalRuleView Of(WithdrawalRule r) => new(r.Id, r.ChannelId, r.Policy, r.PackingCron, r.SingleLimit, r.CustomerDailyLimit,
        ConfigJson.WindowDtos(r.ServiceWindows), ConfigJson.Banks(r.SupportedBanks), r.Priority, r.Enabled, r.RowVersion, r.CreatedAt, r.UpdatedAt);
}

/// <summary>Withdrawal Rules Management &gt; Withdrawal Rules: one rule per channel.</summary>
public static class WithdrawalRulesEndpoints
{
    public const string Entity = "WithdrawalRule";
    private const int MaxWindows = 20;
    private const int MaxBanks = 200;

    public static void Map(RouteGroupBuilder config)
    {
        config.MapGet("/withdrawal-rules", List).WithName("listWithdrawalRules").WithSummary("List withdrawal rules");
        config.MapGet("/withdrawal-rules/{id}", Get).WithName("getWithdrawalRule").WithSummary("Get a withdrawal rule");
        config.MapPost("/withdrawal-rules", Create).WithName("createWithdrawalRule").WithSummary("Add a withdrawal rule");
        config.MapPut("/withdrawal-rules/{id}", Edit).WithName("editWithdrawalRule").WithSummary("Change a withdrawal rule");
        config.MapDelete("/withdrawal-rules/{id}", Delete).WithName("deleteWithdrawalRule").WithSummary("Delete a withdrawal rule");
    }

    public static async Task<Ok<List<WithdrawalRuleView>>> List(HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var rows = await db.Set<WithdrawalRule>().AsNoTracking().OrderBy(r => r.Priority).ThenBy(r => r.ChannelId).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(WithdrawalRuleView.Of).ToList());
    }

    public static async Task<Ok<WithdrawalRuleView>> Get(string id, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        return TypedResults.Ok(WithdrawalRuleView.Of(await FindAsync(db, id, ct)));
    }

    private static async Task<WithdrawalRule> FindAsync(FiatDbContext db, string id, CancellationToken ct)
    {
        var key = Require.Id(id, "withdrawal rule");
        return await db.Set<WithdrawalRule>().FirstOrDefaultAsync(r => r.Id == key, ct) ?? throw ApiProblemException.NotFound($"No withdrawal rule '{id}'.");
    }

    private static async Task ApplyAsync(FieldErrors errors, WithdrawalRule row, WithdrawalRuleBody body, FiatDbContext db, CancellationToken ct)
    {
        row.ChannelId = BankAccountsEndpoints.Id(errors, body.ChannelId, "channelId");
        if (row.ChannelId.Length > 0 && !await db.Set<FiatChannel>().AnyAsync(c => c.Id == row.ChannelId, ct)) errors.Add("channelId", $"No withdrawal channel '{row.ChannelId}'.");
        row.Policy = errors.OneOf(body.Policy, "policy", WithdrawalPolicies.All);
        var scheduled = row.Policy is WithdrawalPolicies.TimedPacking or WithdrawalPolicies.BatchAuto;
        var cron = string.IsNullOrWhiteSpace(body.PackingCron) ? null : body.PackingCron.Trim();
        if (scheduled && cron is null) errors.Add("packingCron", $"'packingCron' (a Quartz cron expression) is required for {row.Policy}.");
        else if (!scheduled && cron is not null && row.Policy.Length > 0) errors.Add("packingCron", $"'packingCron' applies only to {WithdrawalPolicies.TimedPacking} and {WithdrawalPolicies.BatchAuto}.");
        else if (cron is not null && (cron.Length > 120 || !ValidCron(cron))) errors.Add("packingCron", $"'{cron}' is not a valid Quartz cron expression (seconds minutes hours day-of-month month day-of-week [year]).");
        row.PackingCron = scheduled ? cron : null;
        row.SingleLimit = errors.Money(body.SingleLimit, "singleLimit", positive: true);
        row.CustomerDailyLimit = errors.Money(body.CustomerDailyLimit, "customerDailyLimit", positive: true);
        row.ServiceWindows = ConfigJson.Serialize(Windows(errors, body.ServiceWindows ?? []));
        var banks = (body.SupportedBanks ?? []).Select((b, i) => (Bank: b, Index: i)).ToList();
        if (banks.Count > MaxBanks) errors.Add("supportedBanks", $"At most {MaxBanks} banks.");
        foreach (var (bank, i) in banks)
        {
            if (string.IsNullOrWhiteSpace(bank) || bank.Length > 200) errors.Add($"supportedBanks[{i}]", "A bank name is 1 to 200 characters.");
        }
        row.SupportedBanks = ConfigJson.Serialize(banks.Select(b => b.Bank?.Trim() ?? "").Distinct(StringComparer.OrdinalIgnoreCase).ToList());
        row.Priority = body.Priority ?? 100;
        if (row.Priority is < 0 or > 1_000_000) errors.Add("priority", "'priority' must be between 0 and 1,000,000.");
        row.Enabled = body.Enabled ?? true;
    }

    private static bool ValidCron(string cron)
    {
        try
        {
            return Quartz.CronExpression.TryParse(cron, out _);
        }
        catch (FormatException)
        {
            return false;
        }
    }

    private static List<ConfigJson.WindowDto> Windows(FieldErrors errors, List<ConfigJson.WindowDto> windows)
    {
        if (windows.Count > MaxWindows) errors.Add("serviceWindows", $"At most {MaxWindows} service windows.");
        var list = new List<ConfigJson.WindowDto>();
        for (var i = 0; i < windows.Count; i++)
        {
            var w = windows[i];
            var field = $"serviceWindows[{i}]";
            if (w is null)
            {
                errors.Add(field, "A service window is { days, from, to }.");
                continue;
            }
            var days = new List<string>();
            foreach (var d in w.Days ?? [])
            {
                if (ConfigJson.ParseDay(d) is { } day) days.Add(day.ToString()[..3]);
                else errors.Add($"{field}.days", $"'{d}' is not a day of the week (Mon … Sun).");
            }
            var from = Time(errors, w.From, $"{field}.from");
            var to = Time(errors, w.To, $"{field}.to");
            if (from is not null && from == to) errors.Add($"{field}.to", "A window must not start and end at the same time.");
            list.Add(new ConfigJson.WindowDto([.. days.Distinct()], from?.ToString("HH:mm", CultureInfo.InvariantCulture), to?.ToString("HH:mm", CultureInfo.InvariantCulture)));
        }
        return list;
    }

    private static TimeOnly? Time(FieldErrors errors, string? text, string field)
    {
        if (TimeOnly.TryParseExact(text, ["HH:mm", "H:mm"], CultureInfo.InvariantCulture, DateTimeStyles.None, out var t)) return t;
        errors.Add(field, $"'{field}' must be a time of day HH:mm (business time zone).");
        return null;
    }

    public static async Task<Results<Created<WithdrawalRuleView>, Accepted<PendingChangeView>>> Create(WithdrawalRuleBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await CreateAsync(body, ConfigCaller.Of(http), db, time, ct);
    }

    /// <summary>
    /// A new rule is compared with the last rule deleted from the same channel: otherwise Delete (applied at once, it
    /// stops the channel) followed by Create would raise the limits or widen the banks and windows on one say — the
    /// four-eyed Edit walked around (attacker review, 2026-12-02). A channel that never had a rule applies at once.
    /// </summary>
    internal static async Task<Results<Created<WithdrawalRuleView>, Accepted<PendingChangeView>>> CreateAsync(WithdrawalRuleBody body, ConfigCaller caller, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        var errors = new FieldErrors();
        var now = time.GetUtcNow();
        var row = new WithdrawalRule { Id = Guid.CreateVersion7(now), CreatedAt = now, UpdatedAt = now, RowVersion = 1 };
        await ApplyAsync(errors, row, body, db, ct);
        errors.ThrowIfAny();
        if (await db.Set<WithdrawalRule>().AnyAsync(r => r.ChannelId == row.ChannelId, ct)) throw ApiProblemException.Conflict($"The channel '{row.ChannelId}' has a withdrawal rule already; edit it.");
        var deleted = await LastDeletedAsync(db, row.ChannelId, ct);
        var widened = deleted is null ? [] : FiatWeakening.WithdrawalRule(State(deleted), State(WithdrawalRuleView.Of(row)));
        if (caller.MustPropose(widened.Count > 0))
        {
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, row.ChannelId, "Create", body, deleted,
                $"withdrawal rule of {row.ChannelId} recreated wider than the one deleted: {string.Join("; ", widened)}", ct);
        }
        db.Add(row);
        ConfigJournal.Add(db, caller.Actor, now, Entity, row.Id.ToString(), "Create", null, WithdrawalRuleView.Of(row), caller.Reason(null));
        await ConfigSave.SaveAsync(db, $"The withdrawal rule of '{row.ChannelId}'", ct);
        return TypedResults.Created($"/api/fiat/config/withdrawal-rules/{row.Id}", WithdrawalRuleView.Of(row));
    }

    private static readonly System.Text.Json.JsonSerializerOptions JournalJson = new(System.Text.Json.JsonSerializerDefaults.Web);

    /// <summary>The newest journaled Delete of a rule of <paramref name="channelId"/> (deletes are few: read them all).</summary>
    private static async Task<WithdrawalRuleView?> LastDeletedAsync(FiatDbContext db, string channelId, CancellationToken ct)
    {
        var deletes = await db.Set<ConfigJournalEntry>().AsNoTracking()
            .Where(j => j.Entity == Entity && j.Action == "Delete" && j.BeforeJson != null)
            .OrderByDescending(j => j.Id).Select(j => j.BeforeJson!).ToListAsync(ct);
        var last = deletes.Select(json => System.Text.Json.JsonSerializer.Deserialize<WithdrawalRuleView>(json, JournalJson))
            .FirstOrDefault(v => v is not null && string.Equals(v.ChannelId, channelId, StringComparison.Ordinal));
        // The journal keeps the column's scale (1000.00000000); compare and show the amounts as entered.
        return last is null ? null : last with { SingleLimit = FiatConfigRules.Plain(last.SingleLimit), CustomerDailyLimit = FiatConfigRules.Plain(last.CustomerDailyLimit) };
    }

    public static async Task<Results<Ok<WithdrawalRuleView>, Accepted<PendingChangeView>>> Edit(string id, WithdrawalRuleBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await EditAsync(id, body, ConfigCaller.Of(http), db, time, ct);
    }

    /// <summary>
    /// Higher limits, a client bank the channel did not pay to, or a service window it did not have let more money out:
    /// such an edit waits for a second person (ADR 15, <see cref="FiatWeakening.WithdrawalRule"/>). Narrowing, disabling the rule (its channel then pays nothing) and deleting it apply at once.
    /// </summary>
    internal static async Task<Results<Ok<WithdrawalRuleView>, Accepted<PendingChangeView>>> EditAsync(string id, WithdrawalRuleBody body, ConfigCaller caller, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        var row = await FindAsync(db, id, ct);
        var before = WithdrawalRuleView.Of(row);
        var errors = new FieldErrors();
        var version = errors.RowVersion(body.RowVersion);
        await ApplyAsync(errors, row, body, db, ct);
        errors.ThrowIfAny();
        ConfigSave.CheckVersion(before.RowVersion, version, $"The withdrawal rule '{id}'");
        if (row.ChannelId != before.ChannelId && await db.Set<WithdrawalRule>().AnyAsync(r => r.ChannelId == row.ChannelId && r.Id != row.Id, ct))
        {
            throw ApiProblemException.Conflict($"The channel '{row.ChannelId}' has a withdrawal rule already.");
        }
        var widened = FiatWeakening.WithdrawalRule(State(before), State(WithdrawalRuleView.Of(row)));
        if (caller.MustPropose(widened.Count > 0))
        {
            // Nothing of the edit may be saved with the proposal: put the tracked row back as it was read.
            var entry = db.Entry(row);
            entry.CurrentValues.SetValues(entry.OriginalValues);
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, id, "Edit", body, before, $"withdrawal rule of {before.ChannelId}: {string.Join("; ", widened)}", ct);
        }
        row.RowVersion++;
        row.UpdatedAt = time.GetUtcNow();
        ConfigJournal.Add(db, caller.Actor, row.UpdatedAt, Entity, id, "Edit", before, WithdrawalRuleView.Of(row), caller.Reason(null));
        await ConfigSave.SaveAsync(db, $"The withdrawal rule '{id}'", ct);
        return TypedResults.Ok(WithdrawalRuleView.Of(row));
    }

    internal static FiatWithdrawalRuleState State(WithdrawalRuleView r) =>
        new(r.SingleLimit, r.CustomerDailyLimit, r.SupportedBanks, [.. r.ServiceWindows.Select(WindowKey)], r.Enabled);

    private static string WindowKey(ConfigJson.WindowDto w) => $"{string.Join(',', (w.Days ?? []).Order(StringComparer.Ordinal))}|{w.From}|{w.To}";

    public static async Task<NoContent> Delete(string id, int? rowVersion, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var row = await FindAsync(db, id, ct);
        if (rowVersion is { } v) ConfigSave.CheckVersion(row.RowVersion, v, $"The withdrawal rule '{id}'");
        db.Remove(row);
        ConfigJournal.Add(db, ConfigJournal.Actor(http), time.GetUtcNow(), Entity, id, "Delete", WithdrawalRuleView.Of(row), null);
        await ConfigSave.SaveAsync(db, $"The withdrawal rule '{id}'", ct);
        return TypedResults.NoContent();
    }
}
