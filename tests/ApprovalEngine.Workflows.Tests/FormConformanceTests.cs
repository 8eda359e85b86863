using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Expressions;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Workflows.Tests;

/// <summary>
/// The server half of tests/conformance/form-values.json: the designer's dialog (forms.conformance.test.ts) and the
/// server's <see cref="ValueChecker"/> must decide every case the same way (issue 14: "validated client-side and
/// server-side the same way"). One test per case, named by the case.
/// </summary>
public sealed class FormConformanceTests
{
    public static IEnumerable<TestCaseData> Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(RepoFiles.Path("tests", "conformance", "form-values.json")));
        foreach (var c in doc.RootElement.GetProperty("cases").EnumerateArray())
        {
            yield return new TestCaseData(c.GetRawText()).SetName($"Form value: {c.GetProperty("name").GetString()}");
        }
    }

    [TestCaseSource(nameof(Cases))]
    public void Server_decides_as_the_dialog(string json)
    {
        using var doc = JsonDocument.Parse(json);
        var c = doc.RootElement;
        // The field as a definition declares it, read with the definition's own serializer options.
        var field = JsonSerializer.Deserialize<FormField>(c.GetProperty("field").GetRawText(), DefinitionJson.Options)!;
        // The value as a request body carries it: numbers become decimals from their digits, never doubles.
        var sent = c.TryGetProperty("sent", out var s) ? ExpressionValues.FromJson(s) : null;
        var siblings = c.TryGetProperty("siblings", out var sib)
            ? sib.EnumerateObject().ToDictionary(p => p.Name, p => ExpressionValues.FromJson(p.Value), StringComparer.Ordinal)
            : [];
        var (errors, _) = ValueChecker.Check(field.Name, field.Type, field.Required, field, sent, name => siblings.GetValueOrDefault(name));
        var ok = c.GetProperty("ok").GetBoolean();
        Assert.That(errors, ok ? Is.Empty : Is.Not.Empty, $"typed '{c.GetProperty("typed").GetString()}', sent {(sent is null ? "null" : JsonNode.Parse(s.GetRawText())!.ToJsonString())}");
    }
}

/// <summary>
/// The designer keeps a copy of the currency table (<c>designer/src/lib/currencies.json</c>) to check amounts in forms
/// as the server does. This test keeps the copy equal; <c>UPDATE_CURRENCIES=1</c> rewrites it from <see cref="Currencies"/>.
/// </summary>
public sealed class DesignerCurrencyTableTests
{
    [Test]
    public void The_designer_copy_equals_the_server_table()
    {
        var path = RepoFiles.Path("designer", "src", "lib", "currencies.json");
        var expected = new JsonObject();
        foreach (var (code, units) in Currencies.All) expected[code] = units;
        var text = expected.ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n";
        if (Environment.GetEnvironmentVariable("UPDATE_CURRENCIES") == "1") File.WriteAllText(path, text);
        Assert.That(File.Exists(path) ? File.ReadAllText(path).ReplaceLineEndings("\n") : "(missing)", Is.EqualTo(text),
            "designer/src/lib/currencies.json differs from Currencies; run this test with UPDATE_CURRENCIES=1 to rewrite it.");
    }
}

/// <summary>Files of the repository, found by walking up to ApprovalEngine.sln.</summary>
internal static class RepoFiles
{
    private static readonly string Root = FindRoot();

    public static string Path(params string[] parts) => System.IO.Path.Combine([Root, .. parts]);

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(dir.FullName, "ApprovalEngine.sln"))) return dir.FullName;
        }
        throw new InvalidOperationException("ApprovalEngine.sln not found above the test directory.");
    }
}
