using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <summary>
/// An item of the Operations alert inbox: the alerts of one kind on one bank account on one business day. The first
/// alert opens it; later ones only count on it (a bank whose limit is low raises an alert per payout, Operations
/// needs to hear it once). An Operations person acknowledges it; who and when are kept here and in the journal.
/// </summary>
public sealed class FiatAlertItem
{
    public Guid Id { get; set; }
    public string Kind { get; set; } = "";
    public string Subject { get; set; } = "";
    public DateOnly BusinessDay { get; set; }
    public DateTimeOffset FirstAt { get; set; }
    public DateTimeOffset LastAt { get; set; }
    public int Count { get; set; }
    public string? LastReference { get; set; }
    public string LastMessage { get; set; } = "";
    public string? AcknowledgedBy { get; set; }
    public DateTimeOffset? AcknowledgedAt { get; set; }
}

internal sealed class FiatAlertItemMap : IEntityTypeConfiguration<FiatAlertItem>
{
    public void Configure(EntityTypeBuilder<FiatAlertItem> e)
    {
        e.ToTable("fiat_alert_items");
        e.HasKey(x => x.Id);
        e.Property(x => x.Kind).HasMaxLength(40);
        e.Property(x => x.Subject).HasMaxLength(200);
        e.Property(x => x.LastReference).HasMaxLength(200);
        e.Property(x => x.LastMessage).HasMaxLength(1000);
        e.Property(x => x.AcknowledgedBy).HasMaxLength(200);
        e.Property(x => x.Count).IsConcurrencyToken();
        e.HasIndex(x => new { x.Kind, x.Subject, x.BusinessDay }).IsUnique();
        e.HasIndex(x => x.AcknowledgedAt);
    }
}

public sealed record FiatAlertItemView(Guid Id, string Kind, string Subject, DateOnly BusinessDay, DateTimeOffset FirstAt, DateTimeOffset LastAt, int Count,
    string? LastReference, string LastMessage, string? AcknowledgedBy, DateTimeOffset? AcknowledgedAt)
{
    public static FiatAlertItemView Of(FiatAlertItem i) => new(i.Id, i.Kind, i.Subject, i.BusinessDay, i.FirstAt, i.LastAt, i.Count, i.LastReference, i.LastMessage, i.AcknowledgedBy, i.AcknowledgedAt);
}

public static class AlertInbox
{
    public const string Entity = "AlertItem";

    public static void Map(RouteGroupBuilder fiat)
    {
        var inbox = fiat.MapGroup("/alerts/inbox").ProducesProblems(400, 401, 403, 404, 409);
        inbox.MapGet("/", List).WithName("listAlertInbox").WithSummary("List the alerts in the operators' inbox");
        inbox.MapPost("/{id:guid}/acknowledge", Acknowledge).WithName("acknowledgeAlert").WithSummary("Acknowledge an alert");
    }

    /// <summary>Stores the alert and delivers it to the inbox item of its kind, bank account and business day (one save).</summary>
    public static async Task DeliverAsync(FiatDbContext db, FiatAlert alert, DateOnly businessDay, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(alert);
        for (var attempt = 1; ; attempt++)
        {
            var item = await db.Set<FiatAlertItem>().FirstOrDefaultAsync(i => i.Kind == alert.Kind && i.Subject == alert.Subject && i.BusinessDay == businessDay, ct);
            if (item is null)
            {
                db.Add(new FiatAlertItem
                {
                    Id = Guid.CreateVersion7(alert.At), Kind = alert.Kind, Subject = alert.Subject, BusinessDay = businessDay,
                    FirstAt = alert.At, LastAt = alert.At, Count = 1, LastReference = alert.Reference, LastMessage = alert.Message,
                });
            }
            else
            {
                item.Count++;
                item.LastAt = alert.At;
                item.LastReference = alert.Reference;
                item.LastMessage = alert.Message;
            }
            if (db.Entry(alert).State == EntityState.Detached) db.Add(alert);
            try
            {
                await db.SaveChangesAsync(ct);
                return;
            }
            // Another payout on the same bank opened or counted on the item first: count on it again.
            catch (DbUpdateException ex) when (attempt < 5 && (ex is DbUpdateConcurrencyException || ApprovalEngine.Hosting.EventInbox.IsUniqueViolation(ex)))
            {
                foreach (var entry in db.ChangeTracker.Entries<FiatAlertItem>().ToList()) entry.State = EntityState.Detached;
            }
        }
    }

    /// <summary>The inbox: open items (not acknowledged) first by default; <c>open=false</c> lists the acknowledged ones.</summary>
    public static async Task<Ok<Paged<FiatAlertItemView>>> List(bool? open, string? kind, string? subject, int? page, int? pageSize, HttpContext http, FiatDbContext db, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        var (p, s) = Paging.Check(page, pageSize);
        var query = db.Set<FiatAlertItem>().AsNoTracking()
            .Where(i => (open ?? true) ? i.AcknowledgedAt == null : i.AcknowledgedAt != null)
            .Where(i => kind == null || i.Kind == kind)
            .Where(i => subject == null || i.Subject == subject);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(i => i.BusinessDay).ThenBy(i => i.Subject).ThenBy(i => i.Kind).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<FiatAlertItemView>([.. rows.Select(FiatAlertItemView.Of)], total, p, s));
    }

    /// <summary>A person of Operations (or a supervisor) acknowledges an item once; journaled with who and when.</summary>
    public static async Task<Ok<FiatAlertItemView>> Acknowledge(Guid id, HttpContext http, FiatDbContext db, TimeProvider time, CancellationToken ct)
    {
        ConfigAccess.RequireReader(http);
        if (!FiatAccess.IsOperator(http.User)) throw ApiProblemException.Forbidden("Alerts are acknowledged by people of Operations.");
        var item = await db.Set<FiatAlertItem>().FirstOrDefaultAsync(i => i.Id == id, ct) ?? throw ApiProblemException.NotFound($"No alert item {id}.");
        if (item.AcknowledgedBy is not null) throw ApiProblemException.Conflict($"The alert item was acknowledged by {item.AcknowledgedBy} at {item.AcknowledgedAt:O}.");
        var actor = http.User.UserId();
        var before = FiatAlertItemView.Of(item);
        item.AcknowledgedBy = actor;
        item.AcknowledgedAt = time.GetUtcNow();
        ConfigJournal.Add(db, actor, item.AcknowledgedAt.Value, Entity, $"{item.Kind}:{item.Subject}:{item.BusinessDay:yyyy-MM-dd}", "Acknowledge", before, FiatAlertItemView.Of(item));
        // An alert counted on the item meanwhile changes Count (the concurrency token): 409, read it again.
        await ConfigSave.SaveAsync(db, "The alert item", ct);
        return TypedResults.Ok(FiatAlertItemView.Of(item));
    }
}
