using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Tests.Support;
using ApprovalEngine.Flows.Tests.WorkOrders;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Hosting;
using ApprovalEngine.Workflows.Replay;
using ApprovalEngine.Workflows.Runtime;

namespace ApprovalEngine.Flows.Tests.Golden;

/// <summary>The checked-in golden histories under tests/golden/.</summary>
public static class GoldenFiles
{
    public static string Directory => Path.Combine(Repo.Root, "tests", "golden");

    public static string PathOf(GoldenScenario s) => Path.Combine(Directory, s.Flow, s.Name + ".json");

    /// <summary>Relative paths (e.g. <c>wd-request/completed.json</c>), one NUnit case each, so a failure names its file.</summary>
    public static IEnumerable<string> All() =>
        System.IO.Directory.Exists(Directory)
            ? System.IO.Directory.GetFiles(Directory, "*.json", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(Directory, f).Replace('\\', '/')).Order(StringComparer.Ordinal)
            : [];

    public static RecordedHistory Load(string relative) => RecordedHistory.Load(Path.Combine(Directory, relative));

    /// <summary>A registry with every activity type the shipped flows use; the adapters are never called by a replay.</summary>
    public static ActivityRegistry Registry()
    {
        var clock = new ManualClock(FlowHarness.T0);
        return FlowHarness.CreateRegistry(new InMemorySandboxLedger(clock), InMemoryBlockchainSandbox.WithDefaults(clock), InMemoryBankSandbox.WithDefaults(clock), clock);
    }
}

/// <summary>
/// Golden histories: recorded runs of the shipped flows, replayed on a fresh in-memory host (outside calls off, their
/// recorded results fed back) and compared with the recorded outcome. A code change that alters the journal or the
/// final state of any of them fails here with the first divergent step. Re-record with
/// <c>RECORD_GOLDEN=1 dotnet test tests/ApprovalEngine.Flows.Tests --filter Golden</c> (then review the diff).
/// The same files are replayed through the PostgreSQL unit of work in Server.Tests (GoldenPostgresReplayTests).
/// </summary>
public sealed class GoldenHistoryTests
{
    private static bool Recording => Environment.GetEnvironmentVariable("RECORD_GOLDEN") == "1";

    public static IEnumerable<TestCaseData> Files() => GoldenFiles.All().Select(f => new TestCaseData(f).SetArgDisplayNames(f));

    public static IEnumerable<TestCaseData> Scenarios() => GoldenScenarios.All.Select(s => new TestCaseData(s).SetArgDisplayNames(s.ToString()));

    /// <summary>Runs the scenario on the real flows with the sandbox adapters; with RECORD_GOLDEN=1 writes its file.</summary>
    [TestCaseSource(nameof(Scenarios))]
    public async Task Golden_scenario_records_and_matches_its_file(GoldenScenario scenario)
    {
        var recorder = new GoldenRecorder(scenario);
        await scenario.Script(recorder);
        var history = await recorder.HistoryAsync();
        var path = GoldenFiles.PathOf(scenario);
        if (Recording)
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            await File.WriteAllTextAsync(path, history.ToJsonText());
        }
        Assert.That(File.Exists(path), $"{path} is missing: record it with RECORD_GOLDEN=1 dotnet test tests/ApprovalEngine.Flows.Tests --filter Golden");
        // The recorded commands replay to the recorded outcome on a fresh host before anything is compared with the file.
        var replayed = await HistoryReplayer.ReplayAsync(history, new InMemoryHistoryHost(GoldenFiles.Registry()));
        var check = HistoryComparison.Compare(history.Expected!, replayed.Outcome);
        Assert.That((replayed.Stop, check.Same), Is.EqualTo(((ReplayStop?)null, true)), check.Report());
    }

    [TestCaseSource(nameof(Files))]
    public async Task Golden_history_replays_in_memory_to_its_recorded_outcome(string file)
    {
        var history = GoldenFiles.Load(file);
        var result = await HistoryReplayer.ReplayAsync(history, new InMemoryHistoryHost(GoldenFiles.Registry()));
        var comparison = HistoryComparison.Compare(history.Expected!, result.Outcome);
        Assert.That(result.Stop, Is.Null, () => $"{file}: command {result.Stop!.Index} ({result.Stop.Kind}) could not be applied: {result.Stop.Message}");
        Assert.That(comparison.Same, Is.True, () => $"{file} no longer replays to its recorded outcome:\n{comparison.Report()}");
    }

    [Test]
    public void Every_shipped_flow_has_several_golden_histories()
    {
        var flows = Directory.GetFiles(Path.Combine(Repo.Root, "workflows"), "*.json").Select(f => Path.GetFileNameWithoutExtension(f)!).Order(StringComparer.Ordinal).ToList();
        var recorded = GoldenFiles.All().GroupBy(f => f.Split('/')[0]).ToDictionary(g => g.Key, g => g.Count());
        Assert.That(flows.Where(f => recorded.GetValueOrDefault(f) < 2), Is.Empty, "flows with fewer than two golden histories");
        Assert.That(GoldenFiles.All(), Is.EquivalentTo(GoldenScenarios.All.Select(s => $"{s.Flow}/{s.Name}.json")), "every file comes from a scenario, and every scenario has its file");
    }

    /// <summary>The replay can fail: a definition whose Dealing step routes Reject elsewhere is caught at that step.</summary>
    [Test]
    public async Task A_history_replayed_against_an_altered_definition_names_the_first_divergent_step()
    {
        var history = GoldenFiles.Load("wd-request/rejected-by-dealing.json");
        var recorded = history.Definitions.Single(d => d.Id == "wd-request");
        var json = recorded.Json.DeepClone().AsObject();
        // Dealing's Reject now goes back to CS instead of ending the request.
        var connection = json["connections"]!.AsArray().Select(c => c!.AsObject()).Single(c => (string?)c["source"] == "dea_ret" && (string?)c["outcome"] == "Reject");
        var backToCs = json["connections"]!.AsArray().Select(c => c!.AsObject()).Single(c => (string?)c["source"] == "dea_ret" && (string?)c["outcome"] == "BackToCS");
        connection["target"] = (string?)backToCs["target"];
        var altered = DefinitionJson.Parse(json.ToJsonString());

        var result = await HistoryReplayer.ReplayAsync(history, new InMemoryHistoryHost(GoldenFiles.Registry()), new Dictionary<string, WorkflowDefinition> { ["wd-request"] = altered });
        var comparison = HistoryComparison.Compare(history.Expected!, result.Outcome);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(comparison.Same, Is.False);
            Assert.That(comparison.OutcomeChanged, Is.True, comparison.Report());
            Assert.That(comparison.First, Is.Not.Null);
            Assert.That(comparison.Report(), Does.Contain("first divergent step: wd-request journal[").And.Contain("businessStatus"), comparison.Report());
            Assert.That((string?)comparison.First!.Expected?["activityId"] ?? (string?)comparison.First.Actual?["activityId"], Is.Not.Null, comparison.Report());
        }
    }

    /// <summary>The replay can fail on an engine input too: a recorded action changed from Approve to Reject.</summary>
    [Test]
    public async Task A_history_with_an_altered_command_fails_with_a_readable_diff()
    {
        var history = GoldenFiles.Load("sample-approval/small-amount-approved.json");
        var commands = history.Commands.ToList();
        var index = commands.FindIndex(c => c.Kind == StepCommandKinds.CompleteTask);
        var args = commands[index].Args.DeepClone().AsObject();
        args["action"] = "Reject";
        commands[index] = commands[index] with { Args = args };
        var altered = new RecordedHistory { Name = history.Name, RootInstanceId = history.RootInstanceId, Definitions = history.Definitions, Commands = commands, Expected = history.Expected };

        var result = await HistoryReplayer.ReplayAsync(altered, new InMemoryHistoryHost(GoldenFiles.Registry()));
        var comparison = HistoryComparison.Compare(history.Expected!, result.Outcome);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(comparison.OutcomeChanged, Is.True, comparison.Report());
            Assert.That(comparison.First!.Describe(), Does.Contain("csReview").And.Contain("Approve").And.Contain("Reject"), comparison.Report());
            Assert.That(comparison.Lines, Has.Some.StartsWith("sample-approval[0].businessStatus").Or.Some.Contains(".status"), comparison.Report());
        }
    }
}
