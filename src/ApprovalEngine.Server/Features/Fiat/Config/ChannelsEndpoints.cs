using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

public sealed record ChannelBody(string? Id, string? BankAccountId, string? Method, string? Currency, bool? IsCheque, bool? AutomaticStatus, bool? Enabled, int? RowVersion);

public sealed record ChannelView(string Id, string BankAccountId, string Method, string Currency, bool IsCheque, bool AutomaticStatus, bool Enabled, int RowVersion, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static ChannelView Of(FiatChannel c) => new(c.Id, c.BankAccountId, c.Method, c.Currency, c.IsCheque, c.AutomaticStatus, c.Enabled, c.RowVersion, c.CreatedAt, c.UpdatedAt);
}

/// <summary>Withdrawal channels: a paying account plus a method.</summary>
public static class ChannelsEndpoints
{
    public const string Entity = "Channel";

    public static void Map(RouteGroupBuilder config)
    {
        config.MapGet("/channels", List).WithName("listChannels").WithSummary("List payout channels");
        config.MapGet("/channels/{id}", Get).WithName("getChannel").WithSummary("Get a payout channel");
        config.MapPost("/channels", Create).WithName("createChannel").WithSummary("Add a payout channel");
        config.MapPut("/channels/{id}", Edit).WithName("editChannel").WithSummary("Change a payout channel");
        config.MapDelete("/channels/{id}", Delete).WithName("deleteChannel").WithSummary("Delete a payout channel");
    }

    public static async Task<Ok<List<ChannelView>>> List(HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var rows = await db.Set<FiatChannel>().AsNoTracking().OrderBy(c => c.Id).ToListAsync(ct);
        return TypedResults.Ok(rows.Select(ChannelView.Of).ToList());
    }

    public static async Task<Ok<ChannelView>> Get(string id, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        return TypedResults.Ok(ChannelView.Of(await FindAsync(db, id, ct)));
    }

    private static async Task<FiatChannel> FindAsync(FiatDbContext db, string id, CancellationToken ct) =>
        await db.Set<FiatChannel>().FirstOrDefaultAsync(c => c.Id == id, ct) ?? throw ApiProblemException.NotFound($"No withdrawal channel '{id}'.");

    private static async Task ApplyAsync(FieldErrors errors, FiatChannel row, ChannelBody body, FiatDbContext db, CancellationToken ct)
    {
        row.BankAccountId = BankAccountsEndpoints.Id(errors, body.BankAccountId, "bankAccountId");
        row.Method = errors.Text(body.Method, "method");
        row.IsCheque = body.IsCheque ?? false;
        row.AutomaticStatus = body.AutomaticStatus ?? true;
        row.Enabled = body.Enabled ?? true;
        var account = row.BankAccountId.Length == 0 ? null : await db.Set<CompanyBankAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Id == row.BankAccountId, ct);
        if (row.BankAccountId.Length > 0 && account is null) errors.Add("bankAccountId", $"No company bank account '{row.BankAccountId}'.");
        row.Currency = body.Currency is null ? account?.Currency ?? "" : errors.Currency(body.Currency, "currency");
        if (account is not null && row.Currency != account.Currency) errors.Add("currency", $"The account '{account.Id}' holds {account.Currency}.");
    }

    public static async Task<Created<ChannelView>> Create(ChannelBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var errors = new FieldErrors();
        var now = time.GetUtcNow();
        var row = new FiatChannel { Id = BankAccountsEndpoints.Id(errors, body.Id, "id"), CreatedAt = now, UpdatedAt = now, RowVersion = 1 };
        await ApplyAsync(errors, row, body, db, ct);
        errors.ThrowIfAny();
        if (await db.Set<FiatChannel>().AnyAsync(c => c.Id == row.Id, ct)) throw ApiProblemException.Conflict($"The withdrawal channel '{row.Id}' already exists.");
        db.Add(row);
        ConfigJournal.Add(db, ConfigJournal.Actor(http), now, Entity, row.Id, "Create", null, ChannelView.Of(row));
        await ConfigSave.SaveAsync(db, $"The withdrawal channel '{row.Id}'", ct);
        return TypedResults.Created($"/api/fiat/config/channels/{row.Id}", ChannelView.Of(row));
    }

    public static async Task<Results<Ok<ChannelView>, Accepted<PendingChangeView>>> Edit(string id, ChannelBody body, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        return await EditAsync(id, body, ConfigCaller.Of(http), db, time, ct);
    }

    /// <summary>
    /// Disabling a channel stops its money and applies at once; moving it to another paying account puts its payouts
    /// on that account's daily limit and interception rule, so it waits for a second configurer (<see cref="FiatWeakening.Channel"/>).
    /// </summary>
    internal static async Task<Results<Ok<ChannelView>, Accepted<PendingChangeView>>> EditAsync(string id, ChannelBody body, ConfigCaller caller, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        var row = await FindAsync(db, id, ct);
        var before = ChannelView.Of(row);
        var errors = new FieldErrors();
        var version = errors.RowVersion(body.RowVersion);
        await ApplyAsync(errors, row, body, db, ct);
        errors.ThrowIfAny();
        ConfigSave.CheckVersion(before.RowVersion, version, $"The withdrawal channel '{id}'");
        var weakens = FiatWeakening.Channel(new FiatChannelState(before.BankAccountId, before.Enabled), new FiatChannelState(row.BankAccountId, row.Enabled));
        if (caller.MustPropose(weakens.Count > 0))
        {
            // Nothing of the edit may be saved with the proposal: put the tracked row back as it was read.
            var entry = db.Entry(row);
            entry.CurrentValues.SetValues(entry.OriginalValues);
            return await PendingChanges.ProposeAsync(db, caller, time, Entity, id, "Edit", body, before, $"withdrawal channel {id}: {string.Join("; ", weakens)}", ct);
        }
        row.RowVersion++;
        row.UpdatedAt = time.GetUtcNow();
        ConfigJournal.Add(db, caller.Actor, row.UpdatedAt, Entity, id, "Edit", before, ChannelView.Of(row), caller.Reason(null));
        await ConfigSave.SaveAsync(db, $"The withdrawal channel '{id}'", ct);
        return TypedResults.Ok(ChannelView.Of(row));
    }

    public static async Task<NoContent> Delete(string id, int? rowVersion, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireConfigurer(http);
        var row = await FindAsync(db, id, ct);
        if (rowVersion is { } v) ConfigSave.CheckVersion(row.RowVersion, v, $"The withdrawal channel '{id}'");
        if (await db.Set<WithdrawalRule>().AnyAsync(r => r.ChannelId == id, ct)) throw ApiProblemException.Conflict($"The channel '{id}' has a withdrawal rule; delete it first.");
        db.Remove(row);
        ConfigJournal.Add(db, ConfigJournal.Actor(http), time.GetUtcNow(), Entity, id, "Delete", ChannelView.Of(row), null);
        await ConfigSave.SaveAsync(db, $"The withdrawal channel '{id}'", ct);
        return TypedResults.NoContent();
    }
}
