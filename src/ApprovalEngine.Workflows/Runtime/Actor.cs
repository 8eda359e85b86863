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

    /// <summary>Supervisors hold every department.</summary>
    public bool AllDepartments { get; init; }

    public static Actor System(string name = "system") => new() { UserId = name, Role = "system", IsSystem = true };

    public bool InDepartment(string? department) =>
        department is null || AllDepartments || Departments.Contains(department);

    public bool HasPermission(string? permission) => permission is null || Permissions.Contains(permission);
}
