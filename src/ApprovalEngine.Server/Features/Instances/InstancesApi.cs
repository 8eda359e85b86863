using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Instances;

public sealed record StartInstanceRequest(string? CorrelationId, JsonObject? Input);

public sealed record CancelRequest(string? Reason);

/// <summary>Start (idempotent by correlation id), read, query, journal and cancel instances.</summary>
public static class InstancesApi
{
    public static void MapInstancesApi(this IEndpointRouteBuilder app)
    {
        app.MapPost("/api/definitions/{id}/instances", Start).WithTags("Instances").ProducesProblems(400, 401, 403, 404, 409, 422).WithName("startInstance").WithSummary("Start an instance of a published workflow");
        var group = app.MapGroup("/api/instances").WithTags("Instances").ProducesProblems(400, 401);
        group.MapGet("/", QueryInstances.Handle).WithName("listInstances").WithSummary("List workflow instances");
        group.MapGet("/{id}", Get).ProducesProblems(403, 404).WithName("getInstance").WithSummary("Get an instance: status, variables, open tasks and incidents");
        group.MapGet("/{id}/journal", Journal).ProducesProblems(403, 404).WithName("getInstanceJournal").WithSummary("Read an instance's journal (what happened, who did it)");
        group.MapPost("/{id}/cancel", Cancel).RequireAuthorization(Policies.CancelInstances).ProducesProblems(403, 404, 409, 422).WithName("cancelInstance").WithSummary("Cancel a running instance");
    }

    private static async Task<Results<Created<InstanceStarted>, Ok<InstanceStarted>>> Start(string id, StartInstanceRequest? request, HttpContext http, InstanceStarter starter, CancellationToken ct)
    {
        request ??= new StartInstanceRequest(null, null);
        var (started, created) = await starter.StartAsync(id, request.CorrelationId, ToInput(request.Input), http.ToActor(), StartRoute.Generic(http.User), ct);
        return created ? TypedResults.Created($"/api/instances/{started.Id}", started) : TypedResults.Ok(started);
    }

    /// <summary>Converts a JSON object of values for the engine; a bad value is a 422 naming <c><paramref name="field"/>.key</c>.</summary>
    public static Dictionary<string, object?> ToInput(JsonObject? input, string field = "input")
    {
        var result = new Dictionary<string, object?>(StringComparer.Ordinal);
        if (input is null) return result;
        foreach (var (key, value) in input)
        {
            try
            {
                result[key] = ExpressionValues.FromJsonNode(value);
            }
            catch (FormatException ex)
            {
                throw ApiProblemException.Invalid($"{field}.{key}", ex.Message);
            }
        }
        return result;
    }

    private static async Task<Ok<InstanceView>> Get(string id, HttpContext http, ApprovalDbContext db, ReadAccess reads, CancellationToken ct)
    {
        var instanceId = Require.Id(id, "instance");
        await reads.EnsureCanReadInstanceAsync(db, http.User, instanceId, ct);
        return TypedResults.Ok(await InstanceViews.LoadAsync(db, instanceId, ct));
    }

    private static async Task<Ok<Paged<JournalEntryView>>> Journal(string id, HttpContext http, ApprovalDbContext db, ReadAccess reads, int? page, int? pageSize, CancellationToken ct)
    {
        var instanceId = Require.Id(id, "instance");
        var (p, s) = Paging.Check(page, pageSize ?? Paging.MaxPageSize);
        await reads.EnsureCanReadInstanceAsync(db, http.User, instanceId, ct);
        var query = db.Journal.AsNoTracking().Where(j => j.InstanceId == instanceId);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderBy(j => j.Sequence).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<JournalEntryView>([.. rows.Select(InstanceViews.ToView)], total, p, s));
    }

    private static async Task<Ok<InstanceView>> Cancel(string id, CancelRequest? request, HttpContext http, WorkflowRunner runner, ApprovalDbContext db, ReadAccess reads, DefinitionCache definitions, CancellationToken ct)
    {
        var instanceId = Require.Id(id, "instance");
        var reason = Require.Text(request?.Reason, "reason", 1000);
        await reads.EnsureCanReadInstanceAsync(db, http.User, instanceId, ct);
        await EnsureGenericCancelAllowedAsync(db, definitions, instanceId, ct);
        var actor = http.ToActor();
        var state = await runner.StepAsync(instanceId, (d, s) => runner.Engine.Cancel(d, s, reason, actor), ct);
        return TypedResults.Ok(await InstanceViews.FromStateAsync(db, state, ct));
    }

    /// <summary>
    /// A definition whose current version declares <c>cancel.via</c> ends its instances only that way (ADR 16): the
    /// generic cancel would skip the status guards and rights of its own actions. The current version decides, so
    /// instances on versions stored before the declaration are covered too.
    /// </summary>
    private static async Task EnsureGenericCancelAllowedAsync(ApprovalDbContext db, DefinitionCache definitions, Guid instanceId, CancellationToken ct)
    {
        var definitionId = await db.Instances.AsNoTracking().Where(i => i.Id == instanceId).Select(i => i.DefinitionId).SingleAsync(ct);
        if ((await CurrentDefinitions.GetAsync(db, definitions, definitionId, ct))?.Cancel?.Via is { } via)
        {
            throw new ApiProblemException(403, "Not permitted.", new Dictionary<string, string[]> { ["route"] = [$"Use {via}."] },
                $"Instances of {definitionId} are not cancelled through the generic route; use {via}.");
        }
    }
}

/// <summary>Starts instances idempotently: a second start with the same correlation id returns the first instance.</summary>
public sealed class InstanceStarter(WorkflowRunner runner, IServiceScopeFactory scopes, TimeProvider clock, StartPolicy policy, DefinitionCache definitions, IEnumerable<IStartInputCheck> inputChecks)
{
    /// <param name="guard">
    /// Runs inside the start's transaction before the instance is created (e.g. re-checking an amount limit under a
    /// lock), so a check and the insert it allows cannot be interleaved by a concurrent start.
    /// </param>
    /// <param name="domainInputs">
    /// Inputs declared <c>source: "domain"</c> that the calling domain route computed itself (e.g. WD's availableAmount).
    /// Only domain routes pass them; the generic start route never does, so such inputs from it are refused.
    /// </param>
    /// <param name="route">The generic route checks the definition's <c>start</c> for the caller; a domain route has authorized its caller.</param>
    public async Task<(InstanceStarted Started, bool Created)> StartAsync(string definitionId, string? correlationId, IReadOnlyDictionary<string, object?> input, Actor actor, StartRoute route, CancellationToken ct,
        Func<Persistence.EfWorkflowUnitOfWork, CancellationToken, Task>? guard = null, IReadOnlySet<string>? domainInputs = null, Guid? instanceId = null)
    {
        if (correlationId is { Length: > 200 }) throw ApiProblemException.Invalid("correlationId", "correlationId is longer than 200 characters.");
        // Before the idempotent lookup, so a caller who may not start the flow does not learn its instances either.
        policy.Check(definitionId, await PublishedAsync(definitionId, ct), route, actor);
        if (await FindAsync(definitionId, correlationId, ct) is { } existing) return (existing, false);
        foreach (var check in inputChecks) await check.CheckAsync(definitionId, input, ct);
        try
        {
            var (state, ranJobs) = await runner.ExecuteReportingJobsAsync(async (unit, token) =>
            {
                var definition = await unit.GetDefinitionAsync(definitionId, null, token)
                    ?? throw (await unit.Db.Definitions.AnyAsync(d => d.Id == definitionId, token)
                        ? ApiProblemException.Conflict($"'{definitionId}' has no published version.")
                        : ApiProblemException.NotFound($"No definition '{definitionId}'."));
                // Again for the version this transaction starts, in case another was published since the check above.
                policy.Check(definitionId, definition, route, actor);
                if (guard is not null) await guard(unit, token);
                var step = runner.Engine.Start(definition, new StartWorkflow
                {
                    InstanceId = instanceId ?? Guid.CreateVersion7(clock.GetUtcNow()),
                    CorrelationId = correlationId,
                    Input = input,
                    Actor = actor,
                    DomainInputs = domainInputs ?? new HashSet<string>(),
                });
                // Answered from the state as saved (a child that ended at once may have moved it on), not read back.
                return new UnitResult<InstanceState>(step, step.State, u => u.SavedState(step.State.Id) ?? step.State);
            }, retryStale: false, ct);
            // Outside calls that ran inline after the commit may have moved it on: only then is it read again.
            if (ranJobs) return (await FindByIdAsync(state.Id, ct), true);
            return (new InstanceStarted(state.Id, state.DefinitionId, state.DefinitionVersion, state.Status.ToString(), state.BusinessStatus, state.CorrelationId), true);
        }
        catch (DbUpdateException) when (correlationId is not null)
        {
            // Lost the race against a concurrent start with the same correlation id: the unique index kept one.
            if (await FindAsync(definitionId, correlationId, ct) is { } winner) return (winner, false);
            throw;
        }
    }

    private async Task<Workflows.Definitions.WorkflowDefinition?> PublishedAsync(string definitionId, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var published = await db.Definitions.AsNoTracking().Where(d => d.Id == definitionId).Select(d => d.PublishedVersion).FirstOrDefaultAsync(ct);
        return published is { } version ? await definitions.GetAsync(db, definitionId, version, ct) : null;
    }

    private async Task<InstanceStarted?> FindAsync(string definitionId, string? correlationId, CancellationToken ct)
    {
        if (correlationId is null) return null;
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var row = await db.Instances.AsNoTracking().FirstOrDefaultAsync(i => i.DefinitionId == definitionId && i.CorrelationId == correlationId && i.ParentInstanceId == null, ct);
        return row is null ? null : new InstanceStarted(row.Id, row.DefinitionId, row.DefinitionVersion, row.Status, row.BusinessStatus, row.CorrelationId);
    }

    private async Task<InstanceStarted> FindByIdAsync(Guid id, CancellationToken ct)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApprovalDbContext>();
        var row = await db.Instances.AsNoTracking().FirstAsync(i => i.Id == id, ct);
        return new InstanceStarted(row.Id, row.DefinitionId, row.DefinitionVersion, row.Status, row.BusinessStatus, row.CorrelationId);
    }
}
