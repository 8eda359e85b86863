namespace ApprovalEngine.Flows.Wd;

/// <summary>
/// Due times per stage (the regulation's "processed within a specified period"). The wd-request definition writes
/// them as each task's <c>dueIn</c>; <see cref="Default"/> is what workflows/wd-request.json uses (tests keep them
/// in step). When a task is overdue the engine flags it and raises its priority by one.
/// </summary>
public sealed record WdSla(TimeSpan CustomerSupport, TimeSpan Retention, TimeSpan Dealing, TimeSpan Backoffice, TimeSpan ApprovedByBackoffice)
{
    public static WdSla Default { get; } = new(
        CustomerSupport: TimeSpan.FromHours(4),
        Retention: TimeSpan.FromHours(8),
        Dealing: TimeSpan.FromHours(8),
        Backoffice: TimeSpan.FromHours(24),
        ApprovedByBackoffice: TimeSpan.FromHours(24));

    /// <summary>The due time of the task holding <paramref name="status"/> in <paramref name="department"/>.</summary>
    public TimeSpan For(string status, string department) => department switch
    {
        WdDepartments.CS => CustomerSupport,
        WdDepartments.Retention => Retention,
        WdDepartments.Dealing => Dealing,
        WdDepartments.Backoffice when status == WdStatuses.ApprovedByBackoffice => ApprovedByBackoffice,
        WdDepartments.Backoffice => Backoffice,
        _ => throw new ArgumentException($"Unknown WD department '{department}'.", nameof(department)),
    };
}
