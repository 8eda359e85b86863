using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <summary>A configuration row with the manual's Enable and Disable buttons.</summary>
public interface ISwitchableRow
{
    bool Enabled { get; set; }
    int RowVersion { get; set; }
    DateTimeOffset UpdatedAt { get; set; }
}

/// <summary>
/// What the enable/disable routes of one kind of row need: its journal entity, how to find and show a row, and how
/// switching it (to the given state) weakens a control — the reasons from <see cref="Flows.Fiat.FiatWeakening"/>; any
/// reason makes it wait for a second configurer (ADR 15). <see cref="SetWeakening"/> judges the switch against the other
/// stored rows of the kind, for rows that decide together (the review rules: first match by priority).
/// </summary>
public sealed record Switchable<TRow, TView>(string Entity, string What,
    Func<FiatDbContext, string, CancellationToken, Task<TRow>> Find, Func<TRow, TView> View, Func<TRow, bool, IReadOnlyList<string>> Weakening,
    Func<FiatDbContext, TRow, bool, CancellationToken, Task<IReadOnlyList<string>>>? SetWeakening = null)
    where TRow : ISwitchableRow;

/// <summary>The Enable/Disable buttons of every switchable configuration row, in one place.</summary>
public static class EnableDisable
{
    public const string Disable = nameof(Disable);
    public const string Enable = nameof(Enable);

    /// <summary>POST …/{key}/enable or …/disable (each route declares its own key parameter, so the API description names it).</summary>
    public static async Task<Results<Ok<TView>, Accepted<PendingChangeView>>> HandleAsync<TRow, TView>(Switchable<TRow, TView> row, string key, bool enabled,
        HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
        where TRow : ISwitchableRow
    {
        ArgumentNullException.ThrowIfNull(http);
        ConfigAccess.RequireConfigurer(http);
        var body = await OptionalJsonBody.ReadAsync<RowVersionBody>(http.Request, ct);
        return await ApplyAsync(row, key, enabled, body, ConfigCaller.Of(http), db, time, ct);
    }

    /// <summary>Switches the row (journaled), or — for a disable that weakens a control — stores it as a pending change.</summary>
    public static async Task<Results<Ok<TView>, Accepted<PendingChangeView>>> ApplyAsync<TRow, TView>(Switchable<TRow, TView> row, string key, bool enabled, RowVersionBody? body,
        ConfigCaller caller, FiatDbContext db, TimeProvider time, CancellationToken ct)
        where TRow : ISwitchableRow
    {
        ArgumentNullException.ThrowIfNull(row);
        ArgumentNullException.ThrowIfNull(caller);
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(time);
        var stored = await row.Find(db, key, ct);
        var errors = new FieldErrors();
        var version = errors.RowVersion(body?.RowVersion);
        errors.ThrowIfAny();
        var what = $"The {row.What} '{key}'";
        ConfigSave.CheckVersion(stored.RowVersion, version, what);
        var before = row.View(stored);
        IReadOnlyList<string> weakens = stored.Enabled == enabled ? []
            : [.. row.Weakening(stored, enabled), .. row.SetWeakening is { } set ? await set(db, stored, enabled, ct) : []];
        if (caller.MustPropose(weakens.Count > 0))
        {
            return await PendingChanges.ProposeAsync(db, caller, time, row.Entity, key, enabled ? Enable : Disable, body, before,
                $"{(enabled ? "enable" : "disable")} the {row.What} '{key}': {string.Join("; ", weakens)}", ct);
        }
        stored.Enabled = enabled;
        stored.RowVersion++;
        stored.UpdatedAt = time.GetUtcNow();
        var after = row.View(stored);
        ConfigJournal.Add(db, caller.Actor, stored.UpdatedAt, row.Entity, key, enabled ? Enable : Disable, before, after, caller.Reason(null));
        await ConfigSave.SaveAsync(db, what, ct);
        return TypedResults.Ok(after);
    }
}
