using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;
using ApprovalEngine.Testing;

namespace ApprovalEngine.Server.Tests.Observability;

/// <summary>
/// <c>Telemetry:Logging:Json=true</c>: the console gets one JSON object per line, and a step's line carries its
/// instance and correlation id in its scopes — read from the console itself, as a log shipper would.
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class JsonLogsTests
{
    [Test]
    public async Task With_json_logs_a_step_line_on_the_console_is_json_with_the_instance_and_correlation_id()
    {
        var console = new LockedWriter();
        var original = Console.Out;
        // The console logger takes Console.Out when the server builds it; nothing else runs beside this fixture.
        Console.SetOut(console);
        await using var factory = await ApiFactory.PostgresAsync(new Dictionary<string, string?>
        {
            ["Telemetry:Logging:Json"] = "true",
            ["Logging:LogLevel:ApprovalEngine.Hosting.WorkflowRunner"] = "Debug",
        });
        string id;
        var correlation = $"json-{Guid.NewGuid():N}";
        try
        {
            using var system = factory.AsTestSystem();
            id = (await system.PostObjectAsync("/api/definitions/sample-approval/instances", new
            {
                correlationId = correlation,
                input = new { amount = 10, currency = "USD" },
            })).Text("id");
            JsonObject? line = null;
            var found = await Poll.UntilAsync(() =>
            {
                line = console.Lines().Select(Parse).FirstOrDefault(l => l?["Category"]?.GetValue<string>() == "ApprovalEngine.Hosting.WorkflowRunner"
                    && l["Message"]?.GetValue<string>()?.StartsWith("Committed", StringComparison.Ordinal) == true
                    && l["Scopes"] is JsonArray scopes && scopes.Any(s => s?["InstanceId"]?.GetValue<string>() == id));
                return Task.FromResult(line is not null);
            }, TimeSpan.FromSeconds(30));
            Assert.That(found, Is.True, $"no JSON step line for {id}; the console had:\n{string.Join('\n', console.Lines().TakeLast(20))}");
            var scope = line!["Scopes"]!.AsArray().First(s => s?["InstanceId"] is not null)!;
            Assert.That(scope["CorrelationId"]!.GetValue<string>(), Is.EqualTo(correlation));
            Assert.That(scope["DefinitionId"]!.GetValue<string>(), Is.EqualTo("sample-approval"));
            Assert.That(line["LogLevel"]!.GetValue<string>(), Is.EqualTo("Debug"));
        }
        finally
        {
            Console.SetOut(original);
        }
    }

    private static JsonObject? Parse(string line)
    {
        if (!line.StartsWith('{')) return null;
        try
        {
            return JsonNode.Parse(line) as JsonObject;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>The console logger writes from its own thread.</summary>
    private sealed class LockedWriter : StringWriter
    {
        private readonly Lock _gate = new();

        public override Encoding Encoding => Encoding.UTF8;

        public override void Write(char value)
        {
            lock (_gate) base.Write(value);
        }

        public override void Write(string? value)
        {
            lock (_gate) base.Write(value);
        }

        public override void Write(char[] buffer, int index, int count)
        {
            lock (_gate) base.Write(buffer, index, count);
        }

        public override void WriteLine(string? value)
        {
            lock (_gate) base.WriteLine(value);
        }

        public string[] Lines()
        {
            lock (_gate) return ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        }
    }
}
