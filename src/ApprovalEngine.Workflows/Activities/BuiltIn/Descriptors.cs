namespace ApprovalEngine.Workflows.Activities.BuiltIn;

internal static class In
{
    public static ActivityInputDescriptor Put(string name, string kind, string description, bool required = false, string? displayName = null, IReadOnlyList<string>? options = null) =>
        new() { Name = name, Kind = kind, Description = description, Required = required, DisplayName = displayName ?? name, Options = options };
}
