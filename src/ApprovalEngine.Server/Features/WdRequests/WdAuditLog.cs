using System.Text.Json;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.WdRequests;

public sealed record WdAuditEntry(
    long Sequence, DateTimeOffset Time, string? User, string? IpAddress, string? Role, string Action, IReadOnlyList<VariableChangeView> Changes,
    string? Comment, string? Message, string Kind);

/// <summary>
/// GET /api/wd-requests/{id}/audit-log: the instance journal, newest first, as the manual's audit log (time, user,
/// IP, role, action, changes). Engine bookkeeping without a visible effect (activity entered/suspended, task opened)
/// is left out; engine kinds become readable actions.
/// </summary>
public static class WdAuditLog
{
    private static readonly string[] Hidden =
    [
        JournalKinds.ActivityEntered, JournalKinds.ActivitySuspended, JournalKinds.TaskOpened, JournalKinds.TaskCancelled,
    ];

    public static async Task<Ok<Paged<WdAuditEntry>>> Handle(string id, HttpContext http, WdCards cards, ApprovalDbContext db, int? page, int? pageSize, CancellationToken ct)
    {
        await WdRequestsApi.RequireReaderAsync(http, ct);
        var requestId = await cards.RequireAsync(id, ct);
        var (p, s) = Paging.Check(page, pageSize ?? Paging.MaxPageSize);
        // Filtered, counted and paged in SQL: a long-lived request's journal is never loaded whole.
        var visible = db.Journal.AsNoTracking()
            .Where(j => j.InstanceId == requestId && !Hidden.Contains(j.Kind) && !(j.Kind == JournalKinds.ActivityCompleted && j.ChangesJson == null));
        var total = await visible.CountAsync(ct);
        var rows = await visible.OrderByDescending(j => j.Sequence).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<WdAuditEntry>([.. rows.Select(ToEntry)], total, p, s));
    }

    private static WdAuditEntry ToEntry(JournalRecord j)
    {
        var changes = j.ChangesJson is null ? [] : JsonSerializer.Deserialize<List<VariableChangeView>>(j.ChangesJson, JsonSerializerOptions.Web) ?? [];
        return new WdAuditEntry(j.Sequence, j.Timestamp, j.UserId, j.IpAddress, j.Role, ActionOf(j), changes, j.Comment, j.Message, j.Kind);
    }

    private static string ActionOf(JournalRecord j) => j.Kind switch
    {
        JournalKinds.InstanceStarted => "Created",
        JournalKinds.TaskCompleted => j.Action ?? j.Outcome ?? "Action",
        JournalKinds.VariablesUpdated => j.Action ?? "Changed",
        JournalKinds.StatusChanged => "Status changed",
        JournalKinds.Interrupted => j.Message ?? "Interrupted",
        JournalKinds.TaskOverdue => "Overdue",
        JournalKinds.TaskClaimed => "Claimed",
        JournalKinds.JobCompleted => $"{j.ActivityType ?? "Job"} finished",
        JournalKinds.JobFailed => $"{j.ActivityType ?? "Job"} failed",
        JournalKinds.ActivityCompleted => j.ActivityType ?? "Updated",
        JournalKinds.InstanceCompleted => "Closed",
        JournalKinds.InstanceCancelled => "Cancelled",
        JournalKinds.Note => j.Message ?? "Note",
        _ => j.Kind,
    };
}
