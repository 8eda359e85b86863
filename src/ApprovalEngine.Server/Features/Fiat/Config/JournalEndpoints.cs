using System.Text.Json.Nodes;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Fiat.Config;

public sealed record ConfigJournalView(long Id, DateTimeOffset At, string Actor, string Entity, string EntityKey, string Action, JsonNode? Before, JsonNode? After, string? Reason);

public sealed record FiatAlertView(Guid Id, DateTimeOffset At, string Kind, string Subject, string? Reference, string Message);

/// <summary>The configuration journal (every change) and the alerts the payout checks raise.</summary>
public static class JournalEndpoints
{
    public static void Map(RouteGroupBuilder config, RouteGroupBuilder fiat)
    {
        config.MapGet("/journal", Journal).WithName("getFiatConfigJournal").WithSummary("Read the fiat configuration journal");
        fiat.MapGet("/alerts", Alerts).WithName("listFiatAlerts").WithSummary("List fiat alerts");
        AlertInbox.Map(fiat);
    }

    public static async Task<Ok<Paged<ConfigJournalView>>> Journal(string? entity, string? key, string? actor, string? action, DateTimeOffset? from, DateTimeOffset? to, int? page, int? pageSize,
        HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var (p, s) = Paging.Check(page, pageSize);
        var query = db.Set<ConfigJournalEntry>().AsNoTracking()
            .Where(j => entity == null || j.Entity == entity)
            .Where(j => key == null || j.EntityKey == key)
            .Where(j => actor == null || j.Actor == actor)
            .Where(j => action == null || j.Action == action)
            .Where(j => from == null || j.At >= from)
            .Where(j => to == null || j.At < to);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(j => j.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<ConfigJournalView>([.. rows.Select(j => new ConfigJournalView(j.Id, j.At, j.Actor, j.Entity, j.EntityKey, j.Action,
            j.BeforeJson is null ? null : JsonNode.Parse(j.BeforeJson), j.AfterJson is null ? null : JsonNode.Parse(j.AfterJson), j.Reason))], total, p, s));
    }

    public static async Task<Ok<Paged<FiatAlertView>>> Alerts(string? kind, string? subject, string? reference, DateTimeOffset? from, int? page, int? pageSize, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var (p, s) = Paging.Check(page, pageSize);
        var query = db.Set<FiatAlert>().AsNoTracking()
            .Where(a => kind == null || a.Kind == kind)
            .Where(a => subject == null || a.Subject == subject)
            .Where(a => reference == null || a.Reference == reference)
            .Where(a => from == null || a.At >= from);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(a => a.At).ThenByDescending(a => a.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<FiatAlertView>([.. rows.Select(a => new FiatAlertView(a.Id, a.At, a.Kind, a.Subject, a.Reference, a.Message))], total, p, s));
    }
}
