using ApprovalEngine.Server.Engine;

namespace ApprovalEngine.Server.Tests;

/// <summary>The published JSON Schema accepts every shipped flow and names the place of structural mistakes.</summary>
public sealed class DefinitionSchemaTests
{
    private static IEnumerable<string> WorkflowFiles()
    {
        var dir = RepositoryPaths.Find(null, AppContext.BaseDirectory, "workflows") ?? throw new DirectoryNotFoundException("workflows/");
        return Directory.GetFiles(dir, "*.json").Select(Path.GetFileName)!;
    }

    [TestCaseSource(nameof(WorkflowFiles))]
    public void Every_shipped_flow_matches_the_schema(string file)
    {
        var dir = RepositoryPaths.Find(null, AppContext.BaseDirectory, "workflows")!;
        var errors = DefinitionSchemaValidator.Validate(File.ReadAllText(Path.Combine(dir, file)));
        Assert.That(errors, Is.Empty, string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")));
    }

    [TestCase("""{"id":"x","name":"X","activities":[{"id":"a","type":"Start","colour":"red"}],"connections":[]}""", "/activities/0/colour", "colour")]
    [TestCase("""{"id":"x","name":"X","activities":[{"id":"a"}],"connections":[]}""", "/activities/0/type", "type")]
    [TestCase("""{"id":"Bad Id","name":"X","activities":[{"id":"a","type":"Start"}],"connections":[]}""", "/id", "")]
    [TestCase("""{"id":"x","name":"X","activities":[{"id":"a","type":"Start"}],"connections":[{"source":"a","target":"b"}]}""", "/connections/0/outcome", "outcome")]
    [TestCase("""{"id":"x","name":"X","variables":[{"name":"v","type":"money"}],"activities":[{"id":"a","type":"Start"}],"connections":[]}""", "/variables/0/type", "")]
    public void Structural_mistakes_are_reported_with_a_json_pointer(string json, string pointer, string mentions)
    {
        var errors = DefinitionSchemaValidator.Validate(json);
        Assert.That(errors.Select(e => e.Path), Does.Contain(pointer), string.Join("; ", errors.Select(e => $"{e.Path}: {e.Message}")));
        Assert.That(errors.First(e => e.Path == pointer).Message, Does.Contain(mentions));
    }
}
