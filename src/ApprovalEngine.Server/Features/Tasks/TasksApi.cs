using System.Text.Json.Nodes;
using ApprovalEngine.Persistence;
using ApprovalEngine.Persistence.Entities;
using ApprovalEngine.Server.Engine;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using ApprovalEngine.Workflows.Runtime;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;

namespace ApprovalEngine.Server.Features.Tasks;

/// <param name="Fields">The action's form: the only data it accepts (ADR 7); the inbox renders the dialog from it.</param>
/// <param name="Comment">required, optional or none.</param>
public sealed record TaskActionView(string Name, string DisplayName, string? Permission, IReadOnlyList<string> RequiredFields, bool Available, string? Reason,
    IReadOnlyList<FormFieldView> Fields, string Comment);

/// <summary>One field of an action's form as clients render it: type, whether required, label and constraints.</summary>
public sealed record FormFieldView(
    string Name, string Type, bool Required, string? Label, string? Description,
    decimal? Minimum, decimal? Maximum, decimal? ExclusiveMinimum, int? Scale, int? MinLength, int? MaxLength,
    string? Pattern, IReadOnlyList<string>? Enum, string? Format, string? CurrencyInput, string? ValidationMessage)
{
    public static FormFieldView From(Workflows.Definitions.FormField f) => new(
        f.Name, f.Type, f.Required, f.Label, f.Description, f.Minimum, f.Maximum, f.ExclusiveMinimum, f.Scale, f.MinLength, f.MaxLength,
        f.Pattern, f.Enum, f.Format, f.CurrencyInput, f.Validation?.Message);

    public static IReadOnlyList<FormFieldView> From(IEnumerable<Workflows.Definitions.FormField> fields) => [.. fields.Select(From)];
}

public sealed record TaskDetail(TaskView Task, IReadOnlyList<TaskActionView> Actions, long InstanceVersion);

/// <remarks>Only the action is needed (the contract: comment, data and expectedVersion are optional); the defaults say so in the OpenAPI schema.</remarks>
public sealed record CompleteTaskRequest(string? Action, string? Comment = null, JsonObject? Data = null, long? ExpectedVersion = null);

/// <summary>The operators' inbox: list, read with the actions the caller may take now, claim, unclaim and complete.</summary>
public static class TasksApi
{
    public static void MapTasksApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("/api/tasks").WithTags("Tasks").ProducesProblems(400, 401);
        group.MapGet("/", List).ProducesProblems(403).WithName("listTasks").WithSummary("List tasks: the inbox of people and departments");
        group.MapGet("/{id}", Get).ProducesProblems(403, 404).WithName("getTask").WithSummary("Get a task with the actions and fields it offers");
        group.MapPost("/{id}/claim", Claim).ProducesProblems(403, 404, 409).WithName("claimTask").WithSummary("Claim a task: it becomes yours");
        group.MapPost("/{id}/unclaim", Unclaim).ProducesProblems(403, 404, 409).WithName("unclaimTask").WithSummary("Give a claimed task back to the department");
        group.MapPost("/{id}/complete", Complete).ProducesProblems(403, 404, 409, 422).WithName("completeTask").WithSummary("Complete a task with an action (approve, reject, …)");
    }

    private static readonly string[] Statuses = ["open", "completed", "cancelled", "all"];

    /// <summary>The inbox's query parameters; any other is a 400 naming it (a filter silently ignored answers another question).</summary>
    public static readonly IReadOnlyList<string> Parameters =
        ["department", "assignee", "status", "definitionId", "businessStatus", "overdue", "sort", "customer", "account", "amount", "currency", "page", "pageSize"];

    private static async Task<Ok<Paged<TaskView>>> List(
        HttpContext http, ApprovalDbContext db, ReadAccess reads, TimeProvider clock, string? department, string? assignee, string? status, string? definitionId,
        string? businessStatus, bool? overdue, string? sort, string? customer, string? account, string? amount, string? currency, int? page, int? pageSize, CancellationToken ct)
    {
        foreach (var key in http.Request.Query.Keys)
        {
            if (!Parameters.Contains(key, StringComparer.OrdinalIgnoreCase))
            {
                throw ApiProblemException.BadRequest(key, $"Unknown query parameter '{key}'; the filters are {string.Join(", ", Parameters)}.");
            }
        }
        var (p, s) = Paging.Check(page, pageSize);
        var subject = TaskSubjectFilter.Parse(customer, account, amount, currency);
        var wanted = (status ?? "open").ToLowerInvariant();
        if (!Statuses.Contains(wanted)) throw ApiProblemException.BadRequest("status", "status must be open, completed, cancelled or all.");
        // Only tasks of flows the caller may read (ADR 7), in SQL before counting and paging.
        var readable = await reads.ReadableDefinitionsAsync(db, http.User, ct);
        var query = db.Tasks.AsNoTracking().Where(t => readable.Contains(t.DefinitionId));
        if (wanted != "all")
        {
            var text = char.ToUpperInvariant(wanted[0]) + wanted[1..];
            query = query.Where(t => t.Status == text);
        }
        var user = http.User;
        if (!user.IsSystem() && !user.AllDepartments())
        {
            // People see the inbox of their own departments only.
            var mine = user.Departments();
            if (department is not null && !mine.Contains(department)) throw ApiProblemException.Forbidden($"You are not a member of {department}.");
            query = query.Where(t => t.Department == null || mine.Contains(t.Department));
        }
        if (!string.IsNullOrEmpty(department)) query = query.Where(t => t.Department == department);
        if (!string.IsNullOrEmpty(assignee)) query = query.Where(t => t.Assignee == (assignee == "me" ? user.UserId() : assignee));
        if (!string.IsNullOrEmpty(definitionId)) query = query.Where(t => t.DefinitionId == definitionId);
        if (!string.IsNullOrEmpty(businessStatus)) query = query.Where(t => t.BusinessStatus == businessStatus);
        if (overdue is { } o)
        {
            var now = clock.GetUtcNow();
            query = o ? query.Where(t => t.Overdue || (t.DueAt != null && t.DueAt < now)) : query.Where(t => !t.Overdue && (t.DueAt == null || t.DueAt >= now));
        }
        query = (sort ?? "-priority") switch
        {
            "dueAt" => query.OrderBy(t => t.DueAt == null).ThenBy(t => t.DueAt).ThenBy(t => t.Id),
            "-dueAt" => query.OrderByDescending(t => t.DueAt).ThenBy(t => t.Id),
            "createdAt" => query.OrderBy(t => t.CreatedAt).ThenBy(t => t.Id),
            "-createdAt" => query.OrderByDescending(t => t.CreatedAt).ThenBy(t => t.Id),
            "priority" => query.OrderBy(t => t.Priority).ThenBy(t => t.CreatedAt).ThenBy(t => t.Id),
            "-priority" => query.OrderByDescending(t => t.Priority).ThenBy(t => t.CreatedAt).ThenBy(t => t.Id),
            _ => throw ApiProblemException.BadRequest("sort", "sort must be one of dueAt, -dueAt, createdAt, -createdAt, priority, -priority."),
        };
        // Subject columns are stored on the task (ADR 23): the filters are indexed column comparisons.
        if (subject.Any) query = TaskSubjects.Filter(query, readable, subject);
        var total = await query.CountAsync(ct);
        var rows = await query.Skip((p - 1) * s).Take(s).ToListAsync(ct);
        var now2 = clock.GetUtcNow();
        return TypedResults.Ok(new Paged<TaskView>([.. rows.Select(r => InstanceViews.ToView(WithOverdue(r, now2)) with { Subject = TaskSubjects.View(r, readable.Contains) })], total, p, s));
    }

    private static TaskRecord WithOverdue(TaskRecord r, DateTimeOffset now)
    {
        // The SLA timer flags overdue durably; between the due time and its firing the inbox already shows it.
        if (!r.Overdue && r.Status == "Open" && r.DueAt < now) r.Overdue = true;
        return r;
    }

    private static async Task<Ok<TaskDetail>> Get(string id, HttpContext http, ApprovalDbContext db, ReadAccess reads, WorkflowRunner runner, DefinitionCache cache, TimeProvider clock, CancellationToken ct)
    {
        var task = await FindAsync(db, id, ct);
        await reads.EnsureCanReadAsync(db, http.User, task.DefinitionId, ct);
        var actor = http.ToActor();
        // Same scoping as the inbox: people read the tasks of their own departments only.
        if (!actor.IsSystem && !actor.InDepartment(task.Department)) throw ApiProblemException.Forbidden($"This task belongs to {task.Department}.");
        var (actions, version) = await DescribeAsync(db, cache, runner.Engine, task, actor, ct);
        actions = await WithCurrentFactsAsync(db, cache, runner.Engine, http.RequestServices.GetRequiredService<ActionFactsReader>(), task, actor, actions, ct);
        actions = await WithTaskActionRulesAsync(db, cache, http.RequestServices.GetServices<ITaskActionRule>(), task, actor, actions, ct);
        // The subject is on the row: only a column taken from a parent asks whether the caller may read the parent's
        // flow (one definition, not the caller's whole readable list a second time).
        var parentReadable = task.SubjectParentColumns != 0 && task.SubjectParentDefinitionId is { } parentFlow && await reads.CanReadAsync(db, http.User, parentFlow, ct);
        var subject = TaskSubjects.View(task, _ => parentReadable);
        return TypedResults.Ok(new TaskDetail(InstanceViews.ToView(WithOverdue(task, clock.GetUtcNow())) with { Subject = subject }, actions, version));
    }

    /// <summary>
    /// Actions judged on current facts (ADR 19, e.g. WD approvals on the trading account now) are offered as the
    /// completion will judge them: the guards see the fresh figures and the domain's rule applies, as on the WD card,
    /// so the generic task view does not offer an approval that the completion then refuses. The ledger is read once
    /// per such action (one or two per stage); when it cannot be read the action is shown unavailable with the reason.
    /// </summary>
    private static async Task<IReadOnlyList<TaskActionView>> WithCurrentFactsAsync(ApprovalDbContext db, DefinitionCache cache, WorkflowEngine engine, ActionFactsReader reader,
        TaskRecord task, Actor actor, IReadOnlyList<TaskActionView> actions, CancellationToken ct)
    {
        // Unavailable ones too: a guard that refused on the stored figures may pass on the current ones.
        if (task.Status != "Open" || !reader.Covers(task.DefinitionId) || actions.Count == 0) return actions;
        var json = await db.Instances.AsNoTracking().Where(i => i.Id == task.InstanceId).Select(i => i.StateJson).FirstAsync(ct);
        var state = InstanceStateJson.Deserialize(json);
        var judged = new Dictionary<string, (CurrentFacts? Facts, string? Unreadable)>(StringComparer.Ordinal);
        IReadOnlyDictionary<string, object?>? variables = null;
        foreach (var action in actions)
        {
            try
            {
                var facts = await reader.ReadAsync(state, action.Name, ct);
                judged[action.Name] = (facts, null);
                if (facts is { Variables.Count: > 0 }) variables ??= facts.Variables;
            }
            catch (ApiProblemException ex) when (ex.Status == StatusCodes.Status503ServiceUnavailable)
            {
                judged[action.Name] = (null, ex.Detail ?? ex.Message);
            }
        }
        // Guards over the facts' variables see the current figures (the same step the completion takes).
        var current = actions;
        if (variables is not null) (current, _) = await DescribeAsync(db, cache, engine, task, actor, ct, WorkflowEngine.WithFacts(state, variables));
        return [.. current.Select(a => !a.Available || !judged.TryGetValue(a.Name, out var j) ? a
            : j.Unreadable is { } why ? a with { Available = false, Reason = why }
            : j.Facts?.Refusal(state, task.Department) is { } refusal ? a with { Available = false, Reason = refusal }
            : a)];
    }

    /// <summary>
    /// The domains' task-action rules (ADR 17) refuse some actions the definition offers (e.g. Resubmit once money
    /// left on a record whose version has no guard): the inbox shows them unavailable with the rule's reason instead
    /// of letting the operator find out on completion. The completion checks them again in its own transaction.
    /// </summary>
    private static async Task<IReadOnlyList<TaskActionView>> WithTaskActionRulesAsync(ApprovalDbContext db, DefinitionCache cache, IEnumerable<ITaskActionRule> rules,
        TaskRecord task, Actor actor, IReadOnlyList<TaskActionView> actions, CancellationToken ct)
    {
        var list = rules.ToList();
        if (list.Count == 0 || !actions.Any(a => a.Available)) return actions;
        var json = await db.Instances.AsNoTracking().Where(i => i.Id == task.InstanceId).Select(i => i.StateJson).FirstAsync(ct);
        var state = InstanceStateJson.Deserialize(json);
        var definition = await cache.GetAsync(db, state.DefinitionId, state.DefinitionVersion, ct);
        if (definition is null) return actions;
        var result = new List<TaskActionView>(actions.Count);
        foreach (var action in actions)
        {
            string? refusal = null;
            if (action.Available)
            {
                try
                {
                    foreach (var rule in list) await rule.CheckAsync(new TaskActionCheck(db, definition, state, task.Id, task.ActivityId, action.Name, actor), ct);
                }
                catch (WorkflowException ex)
                {
                    refusal = ex.Message;
                }
            }
            result.Add(refusal is null ? action : action with { Available = false, Reason = refusal });
        }
        return result;
    }

    /// <param name="knownState">The task's instance when the caller holds it already (not read again).</param>
    public static async Task<(IReadOnlyList<TaskActionView> Actions, long Version)> DescribeAsync(ApprovalDbContext db, DefinitionCache cache, WorkflowEngine engine, TaskRecord task, Actor actor, CancellationToken ct, InstanceState? knownState = null)
    {
        var state = knownState;
        if (state is null)
        {
            var json = await db.Instances.AsNoTracking().Where(i => i.Id == task.InstanceId).Select(i => i.StateJson).FirstAsync(ct);
            state = InstanceStateJson.Deserialize(json);
        }
        if (task.Status != "Open") return ([], state.Version);
        var definition = await cache.GetAsync(db, state.DefinitionId, state.DefinitionVersion, ct);
        if (definition is null) return ([], state.Version);
        var claimedByOther = task.Assignee is not null && task.Assignee != actor.UserId;
        return ([.. engine.DescribeActions(definition, state, task.Id, actor).Select(a => new TaskActionView(
            a.Name, a.DisplayName, a.Permission, a.RequiredFields,
            a.Available && !claimedByOther,
            claimedByOther && a.Available ? $"Claimed by {task.Assignee}." : a.Reason,
            FormFieldView.From(a.Fields), a.Comment))], state.Version);
    }

    private static async Task<TaskRecord> FindAsync(ApprovalDbContext db, string id, CancellationToken ct)
    {
        var taskId = Require.Id(id, "task");
        return await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == taskId, ct) ?? throw ApiProblemException.NotFound($"No task {id}.");
    }

    private static Task<Ok<TaskView>> Claim(string id, HttpContext http, WorkflowRunner runner, ApprovalDbContext db, ReadAccess reads, CancellationToken ct) =>
        SetAssignee(id, http, runner, db, reads, claim: true, ct);

    private static Task<Ok<TaskView>> Unclaim(string id, HttpContext http, WorkflowRunner runner, ApprovalDbContext db, ReadAccess reads, CancellationToken ct) =>
        SetAssignee(id, http, runner, db, reads, claim: false, ct);

    private static async Task<Ok<TaskView>> SetAssignee(string id, HttpContext http, WorkflowRunner runner, ApprovalDbContext db, ReadAccess reads, bool claim, CancellationToken ct)
    {
        var taskId = Require.Id(id, "task");
        var actor = http.ToActor();
        // Whoever may not read the instance may not work on it either (ADR 7).
        var found = await FindAsync(db, id, ct);
        await reads.EnsureCanReadAsync(db, http.User, found.DefinitionId, ct);
        var view = await runner.ExecuteAsync(async (unit, token) =>
        {
            var task = await unit.Db.Tasks.FirstOrDefaultAsync(t => t.Id == taskId, token) ?? throw ApiProblemException.NotFound($"No task {id}.");
            if (task.Status != "Open") throw ApiProblemException.Conflict("The task is no longer open.");
            var (definition, state) = await WorkflowRunner.LoadAsync(unit, task.InstanceId, token);
            if (claim)
            {
                // A claim locks everyone else out, so only someone who could take one of its actions may claim
                // (a maker claiming their own work order would block both checkers).
                if (WorkflowEngine.CheckClaim(definition, state, task.Id, actor) is { } refusal) throw ApiProblemException.Forbidden(refusal);
                if (task.Assignee is not null && task.Assignee != actor.UserId) throw ApiProblemException.Conflict($"The task is already claimed by {task.Assignee}.");
                task.Assignee = actor.UserId;
            }
            else
            {
                if (!actor.InDepartment(task.Department)) throw ApiProblemException.Forbidden($"Only {task.Department} may release this task.");
                if (task.Assignee is not null && task.Assignee != actor.UserId && !actor.AllDepartments) throw ApiProblemException.Conflict($"The task is claimed by {task.Assignee}; only they or a supervisor can release it.");
                task.Assignee = null;
            }
            var step = runner.Engine.Note(definition, state, claim ? JournalKinds.TaskClaimed : "TaskUnclaimed", $"{task.Title} {(claim ? "claimed" : "released")} by {actor.UserId}", actor);
            return new UnitResult<TaskView>(step, InstanceViews.ToView(task));
        }, ct);
        return TypedResults.Ok(view);
    }

    private static async Task<Ok<InstanceView>> Complete(string id, CompleteTaskRequest? request, HttpContext http, WorkflowRunner runner, ApprovalDbContext db, ReadAccess reads, ActionFactsReader facts, CancellationToken ct)
    {
        var taskId = Require.Id(id, "task");
        var action = Require.Text(request?.Action, "action", 100);
        var comment = Require.OptionalText(request?.Comment, "comment", 4000);
        var data = InstancesApi.ToInput(request?.Data, "data");
        var actor = http.ToActor();
        var task = await db.Tasks.AsNoTracking().FirstOrDefaultAsync(t => t.Id == taskId, ct) ?? throw ApiProblemException.NotFound($"No task {id}.");
        // The answer carries the instance's variables: only a caller who may read the instance may act on it.
        await reads.EnsureCanReadAsync(db, http.User, task.DefinitionId, ct);
        // A claim binds systems as it binds people.
        if (task.Assignee is not null && task.Assignee != actor.UserId) throw ApiProblemException.Conflict($"The task is claimed by {task.Assignee}.");
        // The same current-facts rule as the domain's own route: the generic route is no side door around it.
        var current = await facts.ReadAsync(db, task.InstanceId, task.DefinitionId, action, ct);
        try
        {
            return await CompleteStepAsync(runner, db, task, taskId, action, comment, data, actor, request?.ExpectedVersion, current, ct);
        }
        catch (WorkflowConflictException ex) when (ex.Stale && request?.ExpectedVersion is not null)
        {
            throw await StaleAsync(db, task.InstanceId, ex, ct);
        }
    }

    private static async Task<Ok<InstanceView>> CompleteStepAsync(WorkflowRunner runner, ApprovalDbContext db, TaskRecord task, Guid taskId, string action, string? comment,
        IReadOnlyDictionary<string, object?> data, Actor actor, long? expectedVersion, CurrentFacts? current, CancellationToken ct)
    {
        var state = await runner.StepAsync(task.InstanceId, (d, s) => ActionFactsReader.Complete(runner.Engine, d, s, new CompleteTask
        {
            TaskId = taskId,
            Action = action,
            Comment = comment,
            Data = data,
            Actor = actor,
            ExpectedVersion = expectedVersion,
        }, task.Department, current), ct, retryStale: expectedVersion is null);
        return TypedResults.Ok(await InstanceViews.FromStateAsync(db, state, ct));
    }

    /// <summary>
    /// A stale completion (the instance moved on since the caller read it) says who moved it and how, from the
    /// instance's latest journal entry made by someone: the inbox tells "you, in another tab" from a colleague.
    /// The caller may read the instance (checked before), so naming its last actor tells them nothing new.
    /// </summary>
    private static async Task<ApiProblemException> StaleAsync(ApprovalDbContext db, Guid instanceId, WorkflowConflictException ex, CancellationToken ct)
    {
        var last = await db.Journal.AsNoTracking().Where(j => j.InstanceId == instanceId && j.UserId != null)
            .OrderByDescending(j => j.Sequence).Select(j => new { j.UserId, j.Action, j.Kind, j.Timestamp }).FirstOrDefaultAsync(ct);
        var detail = last is null ? ex.Message : $"{ex.Message} Last change: {last.Action ?? last.Kind} by {last.UserId} at {last.Timestamp:O}.";
        return new ApiProblemException(409, "The data changed underneath.", new Dictionary<string, string[]> { ["expectedVersion"] = [ex.Message] }, detail)
        {
            Extensions = new Dictionary<string, object?>
            {
                ["changedBy"] = last?.UserId,
                ["changedAction"] = last?.Action ?? last?.Kind,
                ["changedAt"] = last?.Timestamp,
            },
        };
    }
}
