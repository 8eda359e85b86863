namespace ApprovalEngine.Workflows.Runtime;

/// <summary>Who causes a step: a person acting on a task, or a system (API key, timer, worker).</summary>
public sealed record Actor
{
    public required string UserId { get; init; }
    public string? DisplayName { get; init; }
    public string? Role { get; init; }
    public string? IpAddress { get; init; }
    public bool IsSystem { get; init; }
    public IReadOnlySet<string> Departments { get; init; } = new HashSet<string>();
    public IReadOnlySet<string> Permissions { get; init; } = new HashSet<string>();

    /// <summary>What a system caller (API key) may do: <c>start:&lt;id&gt;</c>, <c>events:&lt;name&gt;</c>, task-action scopes… (ADR 7).</summary>
    public IReadOnlySet<string> Scopes { get; init; } = new HashSet<string>();

    /// <summary>Supervisors hold every department.</summary>
    public bool AllDepartments { get; init; }

    public static Actor System(string name = "system") => new() { UserId = name, Role = "system", IsSystem = true };

    public bool InDepartment(string? department) =>
        department is null || AllDepartments || Departments.Contains(department);

    public bool HasPermission(string? permission) => permission is null || Permissions.Contains(permission);

    /// <summary>Whether the caller holds <paramref name="scope"/>; a held scope ending in <c>*</c> matches any suffix.</summary>
    public bool HasScope(string scope)
    {
        if (Scopes.Contains(scope)) return true;
        foreach (var held in Scopes)
        {
            if (held.EndsWith('*') && scope.AsSpan().StartsWith(held.AsSpan(0, held.Length - 1), StringComparison.Ordinal)) return true;
        }
        return false;
    }
}
