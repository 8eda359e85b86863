using System.Security.Claims;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Server.Identity;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;

namespace ApprovalEngine.Server.Features.Staff;

/// <summary>
/// A staff account as the admin screen shows it. <see cref="Source"/> is <c>stored</c> (managed here, it wins) or
/// <c>configuration</c> (a configured user without a stored account; no rowVersion until one is created).
/// </summary>
public sealed record StaffAccountView(string Username, string? DisplayName, string? Role, IReadOnlyList<string> Departments, bool AllDepartments,
    IReadOnlyList<int> WdPermissions, IReadOnlyList<string> TaskPermissions, IReadOnlyList<string> Rights, bool Enabled, string Source,
    int? RowVersion, DateTimeOffset? UpdatedAt, string? UpdatedBy)
{
    public static StaffAccountView Of(StaffAccount a)
    {
        ArgumentNullException.ThrowIfNull(a);
        var (wd, other) = Split(StaffJson.List(a.PermissionsJson));
        return new(a.Username, a.DisplayName, a.Role, StaffJson.List(a.DepartmentsJson), a.AllDepartments, wd, other, StaffJson.List(a.RightsJson), a.Enabled,
            "stored", a.RowVersion, a.UpdatedAt, a.UpdatedBy);
    }

    public static StaffAccountView Of(UserAccount u)
    {
        ArgumentNullException.ThrowIfNull(u);
        var (wd, other) = Split(u.Permissions);
        return new(u.Username, u.DisplayName, u.Role, u.Departments, u.AllDepartments, wd, other, u.Rights, true, "configuration", null, null, null);
    }

    /// <summary>Task permissions → the manual's WD numbers and the rest.</summary>
    public static (IReadOnlyList<int> Wd, IReadOnlyList<string> Other) Split(IEnumerable<string> permissions)
    {
        var wd = new SortedSet<int>();
        var other = new List<string>();
        foreach (var p in permissions)
        {
            if (p.StartsWith("wd:", StringComparison.Ordinal) && int.TryParse(p.AsSpan(3), out var n) && n is >= 1 and <= 5) wd.Add(n);
            else other.Add(p);
        }
        return ([.. wd], other);
    }
}

/// <summary>Create (all fields; username required) or edit (the route names the user; plus the rowVersion read).</summary>
public sealed record StaffAccountBody(string? Username, string? DisplayName, string? Role, IReadOnlyList<string>? Departments, bool? AllDepartments,
    IReadOnlyList<int>? WdPermissions, IReadOnlyList<string>? TaskPermissions, IReadOnlyList<string>? Rights, bool? Enabled, int? RowVersion);

/// <summary>Disable or enable: the rowVersion read.</summary>
public sealed record StaffSwitchBody(int? RowVersion);

public sealed record StaffJournalView(long Id, DateTimeOffset At, string Actor, string Username, string Action, JsonNode? Before, JsonNode? After);

/// <summary>
/// <c>/api/admin/users</c>: staff accounts managed in the app, each change journaled (who, when, before → after).
/// Only people holding <c>users:manage</c>; a manager never changes their own account, never grants a right, task
/// permission or all-departments they do not hold themselves, and never grants <c>users:manage</c> (ADR 21).
/// </summary>
public static partial class StaffApi
{
    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._@+-]{0,199}$")]
    private static partial Regex UsernamePattern();

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9 _.-]{0,99}$")]
    private static partial Regex DepartmentPattern();

    [GeneratedRegex("^[a-z0-9][a-z0-9:_.-]{0,99}$")]
    private static partial Regex PermissionPattern();

    public static IEndpointRouteBuilder MapStaffApi(this IEndpointRouteBuilder app)
    {
        var users = app.MapGroup("/api/admin/users").WithTags("Staff accounts").RequireAuthorization(Policies.ManageUsers);
        users.MapGet("/", List).ProducesProblems(401, 403).WithName("listStaffAccounts").WithSummary("List staff accounts: stored ones and configured users without one");
        users.MapGet("/journal", Journal).ProducesProblems(400, 401, 403).WithName("getStaffJournal").WithSummary("Read the journal of staff account changes");
        users.MapGet("/{username}", Get).ProducesProblems(401, 403, 404).WithName("getStaffAccount").WithSummary("Get one staff account");
        users.MapPost("/", Create).ProducesProblems(401, 403, 409, 422).WithName("createStaffAccount").WithSummary("Store a staff account (departments, WD permissions, rights)");
        users.MapPut("/{username}", Edit).ProducesProblems(401, 403, 404, 409, 422).WithName("editStaffAccount").WithSummary("Change a stored staff account");
        users.MapPost("/{username}/disable", Disable).ProducesProblems(401, 403, 404, 409, 422).WithName("disableStaffAccount").WithSummary("Disable a staff account: no sign-in, its tokens stop working");
        users.MapPost("/{username}/enable", Enable).ProducesProblems(401, 403, 404, 409, 422).WithName("enableStaffAccount").WithSummary("Enable a disabled staff account again");
        return app;
    }

    private static async Task<Ok<IReadOnlyList<StaffAccountView>>> List(StaffDbContext db, IOptions<Identity.IdentityOptions> identities, CancellationToken ct)
    {
        var stored = await db.Set<StaffAccount>().AsNoTracking().OrderBy(a => a.Username).ToListAsync(ct);
        var names = stored.Select(a => a.Username).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<StaffAccountView> all =
        [
            .. stored.Select(StaffAccountView.Of)
                .Concat(identities.Value.Users.Where(u => !names.Contains(u.Username)).Select(StaffAccountView.Of))
                .OrderBy(v => v.Username, StringComparer.Ordinal),
        ];
        return TypedResults.Ok(all);
    }

    private static async Task<Ok<StaffAccountView>> Get(string username, StaffDbContext db, IOptions<Identity.IdentityOptions> identities, CancellationToken ct)
    {
        var row = await db.Set<StaffAccount>().AsNoTracking().FirstOrDefaultAsync(a => a.Username == username, ct);
        if (row is not null) return TypedResults.Ok(StaffAccountView.Of(row));
        var configured = identities.Value.Users.FirstOrDefault(u => u.Username == username) ?? throw ApiProblemException.NotFound($"No staff account '{username}'.");
        return TypedResults.Ok(StaffAccountView.Of(configured));
    }

    private static async Task<Created<StaffAccountView>> Create(StaffAccountBody? body, HttpContext http, StaffDbContext db, StaffDirectory directory,
        IOptions<Identity.IdentityOptions> identities, TimeProvider clock, CancellationToken ct)
    {
        var fields = new Fields();
        var username = body?.Username;
        if (username is null || !UsernamePattern().IsMatch(username)) fields.Add("username", "'username' is required: 1 to 200 letters, digits or . _ @ + - (as the provider's user name claim spells it).");
        var wanted = fields.Read(body);
        fields.ThrowIfAny();
        RefuseOwn(http, username!);
        // What the user holds without a stored account, as far as the server knows it (configured users); a provider
        // user's groups are only known when they sign in, so for them everything in the body counts as granted.
        var configured = identities.Value.Users.FirstOrDefault(u => u.Username == username);
        var before = configured is null ? null : StaffAccountView.Of(configured);
        RefuseEscalation(http.User, before, wanted);
        if (await db.Set<StaffAccount>().AnyAsync(a => a.Username == username, ct)) throw ApiProblemException.Conflict($"A staff account '{username}' is already stored; edit it instead.");
        var now = clock.GetUtcNow();
        var row = new StaffAccount { Username = username!, CreatedAt = now, RowVersion = 1 };
        wanted.CopyTo(row, http.User.UserId(), now);
        db.Add(row);
        var after = StaffAccountView.Of(row);
        AddJournal(db, http, now, row.Username, "Create", before, after);
        await ConfigSaves.SaveAsync(db, $"The staff account '{username}'", ct);
        directory.Forget(row.Username);
        return TypedResults.Created($"/api/admin/users/{Uri.EscapeDataString(row.Username)}", after);
    }

    private static async Task<Ok<StaffAccountView>> Edit(string username, StaffAccountBody? body, HttpContext http, StaffDbContext db, StaffDirectory directory,
        TimeProvider clock, CancellationToken ct)
    {
        RefuseOwn(http, username);
        var row = await Find(db, username, ct);
        var fields = new Fields();
        if (body?.Username is not null && body.Username != username) fields.Add("username", "The user name is the key of the account and cannot be changed.");
        if (body?.RowVersion is null) fields.Add("rowVersion", "'rowVersion' (the version you read) is required to change an account.");
        var wanted = fields.Read(body);
        fields.ThrowIfAny();
        // An edit that does not name 'enabled' leaves it as it is: changing a disabled account's departments must not
        // quietly let its tokens in again.
        if (body!.Enabled is null) wanted = wanted with { Enabled = row.Enabled };
        var what = $"The staff account '{username}'";
        if (row.RowVersion != body.RowVersion) throw ConfigSaves.Stale(what);
        var before = StaffAccountView.Of(row);
        RefuseEscalation(http.User, before, wanted);
        var now = clock.GetUtcNow();
        wanted.CopyTo(row, http.User.UserId(), now);
        row.RowVersion++;
        var after = StaffAccountView.Of(row);
        AddJournal(db, http, now, username, "Edit", before, after);
        await ConfigSaves.SaveAsync(db, what, ct);
        directory.Forget(username);
        return TypedResults.Ok(after);
    }

    private static Task<Ok<StaffAccountView>> Disable(string username, StaffSwitchBody? body, HttpContext http, StaffDbContext db, StaffDirectory directory, TimeProvider clock, CancellationToken ct) =>
        Switch(username, enabled: false, body, http, db, directory, clock, ct);

    private static Task<Ok<StaffAccountView>> Enable(string username, StaffSwitchBody? body, HttpContext http, StaffDbContext db, StaffDirectory directory, TimeProvider clock, CancellationToken ct) =>
        Switch(username, enabled: true, body, http, db, directory, clock, ct);

    private static async Task<Ok<StaffAccountView>> Switch(string username, bool enabled, StaffSwitchBody? body, HttpContext http, StaffDbContext db, StaffDirectory directory,
        TimeProvider clock, CancellationToken ct)
    {
        RefuseOwn(http, username);
        var row = await Find(db, username, ct);
        if (body?.RowVersion is not { } version) throw ApiProblemException.Invalid("rowVersion", "'rowVersion' (the version you read) is required.");
        var what = $"The staff account '{username}'";
        if (row.RowVersion != version) throw ConfigSaves.Stale(what);
        if (row.Enabled == enabled) throw ApiProblemException.Conflict($"{what} is already {(enabled ? "enabled" : "disabled")}.");
        var before = StaffAccountView.Of(row);
        if (enabled) RefuseEscalation(http.User, before, Wanted.Of(before) with { Enabled = true });
        var now = clock.GetUtcNow();
        row.Enabled = enabled;
        row.UpdatedAt = now;
        row.UpdatedBy = http.User.UserId();
        row.RowVersion++;
        var after = StaffAccountView.Of(row);
        AddJournal(db, http, now, username, enabled ? "Enable" : "Disable", before, after);
        await ConfigSaves.SaveAsync(db, what, ct);
        directory.Forget(username);
        return TypedResults.Ok(after);
    }

    /// <summary>GET /api/admin/users/journal?username=&amp;page=&amp;pageSize= (newest first).</summary>
    private static async Task<Ok<Paged<StaffJournalView>>> Journal(string? username, int? page, int? pageSize, StaffDbContext db, CancellationToken ct)
    {
        var (p, s) = Paging.Check(page, pageSize);
        var query = db.Set<StaffJournalEntry>().AsNoTracking().Where(j => username == null || j.Username == username);
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(j => j.Id).Skip((p - 1) * s).Take(s).ToListAsync(ct);
        return TypedResults.Ok(new Paged<StaffJournalView>([.. rows.Select(j => new StaffJournalView(j.Id, j.At, j.Actor, j.Username, j.Action,
            ChangeJournal.Parse(j.BeforeJson), ChangeJournal.Parse(j.AfterJson)))], total, p, s));
    }

    private static async Task<StaffAccount> Find(StaffDbContext db, string username, CancellationToken ct) =>
        await db.Set<StaffAccount>().FirstOrDefaultAsync(a => a.Username == username, ct)
        ?? throw ApiProblemException.NotFound($"No stored staff account '{username}' (a configured user gets one with POST /api/admin/users).");

    private static void AddJournal(StaffDbContext db, HttpContext http, DateTimeOffset at, string username, string action, StaffAccountView? before, StaffAccountView? after)
    {
        var row = ChangeJournal.Entry<StaffJournalEntry>(ChangeJournal.Actor(http), at, action, before, after);
        row.Username = username;
        db.Add(row);
    }

    /// <summary>Nobody changes their own account: not their rights, nor anything else that decides what they may do.</summary>
    private static void RefuseOwn(HttpContext http, string username)
    {
        if (string.Equals(http.User.UserId(), username, StringComparison.Ordinal))
        {
            throw ApiProblemException.Forbidden("You cannot change your own staff account; another user manager does that.");
        }
    }

    /// <summary>
    /// What the change adds beyond <paramref name="before"/> must be held by the manager themselves. A disabled account
    /// grants nothing, so switching one on adds everything it holds: a manager who could not have granted its rights
    /// cannot hand them back by enabling it (say, a leaver's account a stronger manager disabled).
    /// </summary>
    private static void RefuseEscalation(ClaimsPrincipal manager, StaffAccountView? before, Wanted wanted)
    {
        if (before is { Enabled: false } && wanted.Enabled) before = null;
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        var addedRights = wanted.Rights.Except(before?.Rights ?? [], StringComparer.Ordinal).Where(r => !manager.HasRight(r)).ToList();
        if (addedRights.Count > 0) errors["rights"] = [$"You cannot grant rights you do not hold yourself: {string.Join(", ", addedRights)}."];
        var held = manager.FindAll(ClaimNames.Permission).Select(c => c.Value).ToHashSet(StringComparer.Ordinal);
        var addedWd = wanted.WdPermissions.Except(before?.WdPermissions ?? []).Where(n => !held.Contains(WdPermissions.FromNumber(n))).ToList();
        if (addedWd.Count > 0) errors["wdPermissions"] = [$"You cannot grant WD permissions you do not hold yourself: {string.Join(", ", addedWd)}."];
        var addedTask = wanted.TaskPermissions.Except(before?.TaskPermissions ?? [], StringComparer.Ordinal).Where(p => !held.Contains(p)).ToList();
        if (addedTask.Count > 0) errors["taskPermissions"] = [$"You cannot grant task permissions you do not hold yourself: {string.Join(", ", addedTask)}."];
        if (wanted.AllDepartments && before?.AllDepartments != true && !manager.AllDepartments()) errors["allDepartments"] = ["You cannot grant all departments unless you hold all departments yourself."];
        if (errors.Count > 0) throw new ApiProblemException(403, "Not permitted.", errors, errors.Values.SelectMany(v => v).First());
    }

    private sealed record Wanted(string? DisplayName, string? Role, IReadOnlyList<string> Departments, bool AllDepartments, IReadOnlyList<int> WdPermissions,
        IReadOnlyList<string> TaskPermissions, IReadOnlyList<string> Rights, bool Enabled)
    {
        public static Wanted Of(StaffAccountView v) =>
            new(v.DisplayName, v.Role, v.Departments, v.AllDepartments, v.WdPermissions, v.TaskPermissions, v.Rights, v.Enabled);

        public void CopyTo(StaffAccount row, string actor, DateTimeOffset now)
        {
            row.DisplayName = DisplayName;
            row.Role = Role;
            row.DepartmentsJson = StaffJson.Of(Departments);
            row.AllDepartments = AllDepartments;
            row.PermissionsJson = StaffJson.Of(WdPermissions.Select(Flows.Wd.WdPermissions.FromNumber).Concat(TaskPermissions));
            row.RightsJson = StaffJson.Of(Rights);
            row.Enabled = Enabled;
            row.UpdatedAt = now;
            row.UpdatedBy = actor;
        }
    }

    /// <summary>Reads a body: every invalid field is collected, so one 422 names them all and nothing is written.</summary>
    private sealed class Fields
    {
        private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

        public void Add(string field, string message)
        {
            if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
            list.Add(message);
        }

        public Wanted Read(StaffAccountBody? body)
        {
            if (body is null)
            {
                Add("body", "A JSON body with the account is required.");
                return new(null, null, [], false, [], [], [], false);
            }
            if (body.DisplayName is { Length: > 200 }) Add("displayName", "'displayName' is longer than 200 characters.");
            if (body.Role is { Length: > 100 }) Add("role", "'role' is longer than 100 characters.");
            var departments = (body.Departments ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (departments.Count > 50) Add("departments", "At most 50 departments.");
            foreach (var d in departments.Where(d => d is null || !DepartmentPattern().IsMatch(d))) Add("departments", $"'{d}' is no department name (1 to 100 letters, digits, spaces, . _ -).");
            var wd = (body.WdPermissions ?? []).Distinct().Order().ToList();
            foreach (var n in wd.Where(n => n is < 1 or > 5)) Add("wdPermissions", $"{n} is no WD permission; they are numbered 1 to 5 (1 request documents, 2 reject, 3 pass to department, 4 approve, 5 mass update).");
            var task = (body.TaskPermissions ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            if (task.Count > 50) Add("taskPermissions", "At most 50 task permissions.");
            foreach (var p in task)
            {
                if (p is null || !PermissionPattern().IsMatch(p)) Add("taskPermissions", $"'{p}' is no task permission (lower-case letters, digits and : _ . -, e.g. workorders:approve).");
                else if (p.StartsWith("wd:", StringComparison.Ordinal)) Add("taskPermissions", $"'{p}': WD permissions go in 'wdPermissions' as numbers 1 to 5.");
            }
            // The stored lists are bounded columns (4000 characters): refuse here what would not fit, rather than fail the save.
            if (StaffJson.Of(departments).Length > 4000) Add("departments", "The departments are too long together (at most 4000 characters).");
            if (StaffJson.Of(task.Select(p => p ?? "")).Length > 3900) Add("taskPermissions", "The task permissions are too long together (at most 3900 characters).");
            var rights = (body.Rights ?? []).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            foreach (var r in rights)
            {
                if (r == Rights.ManageUsers) Add("rights", $"'{Rights.ManageUsers}' is granted only through configuration (Identities:Users or an Auth:Oidc group), never in the app.");
                else if (!Rights.All.Contains(r, StringComparer.Ordinal)) Add("rights", $"'{r}' is no right; known rights: {string.Join(", ", Rights.All.Where(x => x != Rights.ManageUsers))}.");
            }
            return new(string.IsNullOrWhiteSpace(body.DisplayName) ? null : body.DisplayName.Trim(), string.IsNullOrWhiteSpace(body.Role) ? null : body.Role.Trim(),
                departments, body.AllDepartments ?? false, wd, task, rights, body.Enabled ?? true);
        }

        public void ThrowIfAny()
        {
            if (_errors.Count > 0) throw ApiProblemException.Invalid(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal));
        }
    }
}

/// <summary>Registration of the staff accounts feature.</summary>
public static class StaffSetup
{
    public static IServiceCollection AddStaffAccounts(this IServiceCollection services, IConfiguration config, Persistence.DatabaseProvider provider, string connectionString)
    {
        services.AddPooledDbContextFactory<StaffDbContext>(o => StaffDbContext.Configure(o, provider, connectionString));
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<StaffDbContext>>().CreateDbContext());
        services.Configure<StaffAccountOptions>(config.GetSection("Auth:StaffAccounts"));
        services.AddSingleton<StaffDirectory>();
        services.AddTransient<Microsoft.AspNetCore.Authentication.IClaimsTransformation, StaffClaimsTransformation>();
        return services;
    }

    /// <summary>Creates the feature's tables on SQLite from the model (PostgreSQL: the migrator runs <see cref="StaffMigrations"/>).</summary>
    public static async Task MigrateSqliteAsync(IServiceProvider services, CancellationToken cancellationToken = default)
    {
        await using var db = await services.GetRequiredService<IDbContextFactory<StaffDbContext>>().CreateDbContextAsync(cancellationToken);
        if (!db.IsSqlite) return;
        await Persistence.Migrator.AddMissingSqliteTablesAsync(db, cancellationToken);
    }
}
