namespace ApprovalEngine.Workflows.Definitions;

/// <summary>The JSON Schema of the definition format (embedded), served to the designer and used to check structure.</summary>
public static class DefinitionSchema
{
    public static string Json { get; } = Load();

    private static string Load()
    {
        using var stream = typeof(DefinitionSchema).Assembly.GetManifestResourceStream("workflow-definition.schema.json")
            ?? throw new InvalidOperationException("The definition schema resource is missing.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
