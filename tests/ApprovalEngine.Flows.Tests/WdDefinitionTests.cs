using ApprovalEngine.Flows.Tests.Support;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Workflows.Activities.BuiltIn;
using ApprovalEngine.Workflows.Matrix;
using ApprovalEngine.Workflows.Validation;

namespace ApprovalEngine.Flows.Tests;

public class WdDefinitionTests
{
    [Test]
    public void Definition_passes_the_validator_with_the_full_registry()
    {
        var harness = new WdHarness();
        var errors = new WorkflowValidator(harness.Registry).Validate(harness.Definition);
        Assert.That(errors, Is.Empty, string.Join(Environment.NewLine, errors.Select(e => $"{e.Path}: {e.Message}")));
    }

    [Test]
    public void Definition_id_matches_its_file_name_and_the_contract_names()
    {
        var definition = Repo.LoadWdDefinition();
        var tasks = definition.Activities.Where(a => a.Type == UserTaskActivity.TypeName).ToList();
        Assert.Multiple(() =>
        {
            Assert.That(definition.Id, Is.EqualTo(WdVariables.DefinitionId));
            Assert.That(tasks.Select(t => t.Inputs["status"]!.GetValue<string>()).Distinct(), Is.SubsetOf(WdStatuses.All));
            Assert.That(tasks.Select(t => t.Inputs["department"]!.GetValue<string>()).Distinct(), Is.SubsetOf(WdDepartments.All));
            Assert.That(tasks.SelectMany(UserTaskActivity.ReadActions).Select(a => a.Name).Distinct(), Is.SubsetOf(WdActions.All));
            Assert.That(tasks.SelectMany(UserTaskActivity.ReadActions).Select(a => a.Permission).Distinct(), Is.SubsetOf(WdPermissions.All));
            Assert.That(tasks.Select(t => t.Id), Is.EquivalentTo(WdHarness.TaskIds));
        });
    }

    [Test]
    public void Every_task_has_the_sla_of_its_stage()
    {
        foreach (var task in Repo.LoadWdDefinition().Activities.Where(a => a.Type == UserTaskActivity.TypeName))
        {
            var expected = WdSla.Default.For(task.Inputs["status"]!.GetValue<string>(), task.Inputs["department"]!.GetValue<string>());
            Assert.That(System.Xml.XmlConvert.ToTimeSpan(task.Inputs["dueIn"]!.GetValue<string>()), Is.EqualTo(expected), task.Id);
        }
    }

    /// <summary>Readers of a shipped flow's description (the designer shows it) must find what it points to in this repository (issue 14).</summary>
    [Test]
    public void Shipped_flow_descriptions_point_only_to_files_in_the_repository()
    {
        foreach (var file in Directory.GetFiles(Path.Combine(Repo.Root, "workflows"), "*.json"))
        {
            var description = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(file))!["description"]?.GetValue<string>() ?? "";
            Assert.That(description, Does.Not.Contain("/work/").And.Not.Contain("../"), file);
            foreach (System.Text.RegularExpressions.Match m in System.Text.RegularExpressions.Regex.Matches(description, @"[\w./-]+\.(?:md|json|txt)\b"))
                Assert.That(File.Exists(Path.Combine(Repo.Root, m.Value)), Is.True, $"{Path.GetFileName(file)} names {m.Value}, which is not in the repository");
        }
        Assert.That(Repo.LoadWdDefinition().Description, Does.Contain("docs/wd-matrix.md"));
    }

    [Test]
    public void Mass_edit_interrupts_carry_the_eligibility_rule()
    {
        var interrupts = Repo.LoadWdDefinition().Interrupts;
        var conditions = interrupts.Where(i => i.Event.StartsWith("MassEdit", StringComparison.Ordinal)).Select(i => i.Condition).ToList();
        Assert.That(conditions, Has.Count.EqualTo(2).And.All.EqualTo(WdMassEdit.Condition));
    }

    /// <summary>Every row of docs/wd-matrix.md, cell by cell (from status, from department, action, permission, to status, to department).</summary>
    private static readonly (string From, string? FromDept, string Action, string? Permission, string To, string? ToDept)[] ManualRows =
    [
        ("New", "CS", "RejectAndClose", "wd:2", "Rejected", "CS"),
        ("New", "CS", "RequestDocuments", "wd:1", "AwaitingDocs", "CS"),
        ("New", "CS", "PassToRetention", "wd:3", "ApprovedByCS", "Retention"),
        ("AwaitingDocs", "CS", "PassToRetention", "wd:3", "ApprovedByCS", "Retention"),
        ("AwaitingDocs", "CS", "PassToDealing", "wd:3", "ApprovedByCS", "Dealing"),
        ("AwaitingDocs", "CS", "PassToBackoffice", "wd:3", "ApprovedByCS", "Backoffice"),
        ("AwaitingDocs", "CS", "RejectAndClose", "wd:2", "Rejected", "CS"),
        ("ApprovedByCS", "Retention", "PassToDealing", "wd:3", "ApprovedByRetention", "Dealing"),
        ("ApprovedByCS", "Retention", "PassToBackoffice", "wd:3", "ApprovedByRetention", "Backoffice"),
        ("ApprovedByCS", "Retention", "Reject", "wd:2", "Rejected", "Retention"),
        ("ApprovedByRetention", "Dealing", "PassToBackoffice", "wd:3", "ApprovedByDealing", "Backoffice"),
        ("ForwardedToDealing", "Dealing", "PassToBackoffice", "wd:3", "ApprovedByDealing", "Backoffice"),
        ("ApprovedByRetention", "Dealing", "Reject", "wd:2", "Rejected", "Dealing"),
        ("ForwardedToDealing", "Dealing", "Reject", "wd:2", "Rejected", "Dealing"),
        ("ApprovedByCS", "Backoffice", "Approve", "wd:4", "ApprovedByBackoffice", "Backoffice"),
        ("ApprovedByRetention", "Backoffice", "Approve", "wd:4", "ApprovedByBackoffice", "Backoffice"),
        ("ApprovedByDealing", "Backoffice", "Approve", "wd:4", "ApprovedByBackoffice", "Backoffice"),
        ("ForwardedToBackoffice", "Backoffice", "Approve", "wd:4", "ApprovedByBackoffice", "Backoffice"),
        ("ApprovedByCS", "Backoffice", "Reject", "wd:2", "Rejected", "Backoffice"),
        ("ApprovedByRetention", "Backoffice", "Reject", "wd:2", "Rejected", "Backoffice"),
        ("ApprovedByDealing", "Backoffice", "Reject", "wd:2", "Rejected", "Backoffice"),
        ("ForwardedToBackoffice", "Backoffice", "Reject", "wd:2", "Rejected", "Backoffice"),
        ("ApprovedByBackoffice", "Backoffice", "Complete", "wd:4", "Completed", "Backoffice"),
        ("ApprovedByBackoffice", "Backoffice", "Complete", "wd:4", "PartiallyCompleted", "Backoffice"),
        ("ApprovedByBackoffice", "Backoffice", "Reject", "wd:2", "Rejected", "Backoffice"),
        ("ApprovedByCS", "Retention", "BackToCS", "wd:1", "AwaitingDocs", "CS"),
        ("ApprovedByRetention", "Dealing", "BackToCS", "wd:1", "AwaitingDocs", "CS"),
        ("ForwardedToDealing", "Dealing", "BackToCS", "wd:1", "AwaitingDocs", "CS"),
        ("ApprovedByCS", "Backoffice", "BackToCS", "wd:1", "AwaitingDocs", "CS"),
        ("ApprovedByRetention", "Backoffice", "BackToCS", "wd:1", "AwaitingDocs", "CS"),
        ("ApprovedByDealing", "Backoffice", "BackToCS", "wd:1", "AwaitingDocs", "CS"),
        ("ForwardedToBackoffice", "Backoffice", "BackToCS", "wd:1", "AwaitingDocs", "CS"),
        ("*", null, "MassEditToDealing", null, "ForwardedToDealing", "Dealing"),
        ("*", null, "MassEditToBackoffice", null, "ForwardedToBackoffice", "Backoffice"),
        ("*", null, "ClientCancel", null, "CanceledByClient", null),
    ];

    private static IEnumerable<TestCaseData> ManualRowCases() =>
        ManualRows.Select(r => new TestCaseData(r.From, r.FromDept, r.Action, r.Permission, r.To, r.ToDept).SetArgDisplayNames($"{r.From}({r.FromDept}) {r.Action} → {r.To}({r.ToDept})"));

    [TestCaseSource(nameof(ManualRowCases))]
    public void Status_matrix_derived_from_the_definition_contains_the_manual_row(string from, string? fromDept, string action, string? permission, string to, string? toDept)
    {
        var rows = StatusMatrix.Build(Repo.LoadWdDefinition());
        var match = rows.Where(r => r.FromStatus == from && r.FromDepartment == fromDept && r.Action == action && r.ToStatus == to && r.ToDepartment == toDept).ToList();
        Assert.That(match, Is.Not.Empty, $"rows:{Environment.NewLine}{string.Join(Environment.NewLine, rows)}");
        Assert.That(match.Select(r => r.Permission), Is.All.EqualTo(permission));
    }

    [Test]
    public void Status_matrix_offers_no_action_from_a_final_status_and_conditions_the_guarded_rows()
    {
        var rows = StatusMatrix.Build(Repo.LoadWdDefinition());
        Assert.Multiple(() =>
        {
            Assert.That(rows.Select(r => r.FromStatus), Has.None.Matches<string>(WdStatuses.IsFinal));
            Assert.That(rows.Single(r => r is { FromDepartment: "Retention", Action: "PassToDealing" }).Condition, Does.Contain("hasOpenTrades == true"));
            Assert.That(rows.Single(r => r is { FromDepartment: "Retention", Action: "PassToBackoffice" }).Condition, Does.Contain("hasOpenTrades == false"));
            Assert.That(rows.Where(r => r is { FromDepartment: "Dealing", Action: "PassToBackoffice" }).Select(r => r.Condition), Is.All.Contains("marginLevel >= 100"));
        });
    }
}
