namespace ApprovalEngine.Flows.Wd;

/// <summary>
/// Mass edit (permission 5) reassigns a request to Dealing or Backoffice. The manual allows it only for requests not
/// approved by Backoffice or by Dealing, not assigned to Backoffice and not final. The wd-request interrupts
/// MassEditToDealing / MassEditToBackoffice carry the same rule as their <c>condition</c> (<see cref="Condition"/>).
/// </summary>
public static class WdMassEdit
{
    /// <summary>The interrupt condition in the definition (final statuses are refused by the engine itself).</summary>
    public const string Condition = "department != \"Backoffice\" && businessStatus not in [\"ApprovedByBackoffice\", \"ApprovedByDealing\"]";

    /// <summary>Null when the request may be mass-edited; otherwise why not (for the per-id error of the mass-edit route).</summary>
    public static string? Refusal(string? status, string? department)
    {
        if (WdStatuses.IsFinal(status)) return $"The request is {status}; final requests cannot be changed.";
        if (status == WdStatuses.ApprovedByBackoffice) return "The request is approved by Backoffice.";
        if (status == WdStatuses.ApprovedByDealing) return "The request is approved by Dealing.";
        if (department == WdDepartments.Backoffice) return "The request is assigned to Backoffice.";
        return null;
    }

    public static bool IsEligible(string? status, string? department) => Refusal(status, department) is null;
}
