using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Incidents;

/// <summary>Activities that failed after their retries; an operator retries them once the cause is fixed.</summary>
public static class IncidentsApi
{
    public static void MapIncidentsApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/incidents").WithTags("Incidents").ProducesProblems(400, 401);
        group.MapGet("/", List).WithName("listIncidents").WithSummary("List incidents: steps that failed and wait for a retry");
        group.MapPost("/{id}/retry", Retry).RequireAuthorization(Policies.RetryIncidents).ProducesProblems(403, 404, 409).WithName("retryIncident").WithSummary("Retry the failed step of an incident");
    }

    private static async Task<Ok<Paged<IncidentView>>> List(HttpContext http, ApprovalDbContext db, ReadAccess reads, string? status, Guid? instanceId, int? page, int? pageSize, CancellationToken ct)
    {
        var (p, s) = Paging.Check(page, pageSize);
        // Only incidents of instances the caller may read (ADR 7), in SQL before counting and paging.
        var readable = await reads.ReadableDefinitionsAsync(db, http.User, ct);
        var query = db.Incidents.AsNoTracking().Where(i => db.Instances.Any(x => x.Id == i.InstanceId && readable.Contains(x.DefinitionId)));
        if (!string.IsNullOrEmpty(status) && status != "all") query = query.Where(i => i.Status == status);
        else if (status is null) query = query.Where(i => i.Status == "Open");
        if (instanceId is { } id) query = query.Where(i => i.InstanceId == id);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(i => i.CreatedAt).ThenBy(i => i.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<IncidentView>([.. rows.Select(InstanceViews.ToView)], total, p, s));
    }

    private static async Task<Ok<InstanceView>> Retry(string id, HttpContext http, WorkflowRunner runner, ApprovalDbContext db, ReadAccess reads, CancellationToken ct)
    {
        var incidentId = Require.Id(id, "incident");
        var instanceId = await db.Incidents.AsNoTracking().Where(i => i.Id == incidentId).Select(i => (Guid?)i.InstanceId).FirstOrDefaultAsync(ct)
            ?? throw ApiProblemException.NotFound($"No incident {id}.");
        await reads.EnsureCanReadInstanceAsync(db, http.User, instanceId, ct);
        await runner.RetryIncidentAsync(incidentId, http.ToActor(), ct);
        return TypedResults.Ok(await InstanceViews.LoadAsync(db, instanceId, ct));
    }
}
