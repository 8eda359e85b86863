using ApprovalEngine.Flows.WorkOrders;
using ApprovalEngine.Workflows.Activities.BuiltIn;
using ApprovalEngine.Workflows.Matrix;
using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Validation;
using static ApprovalEngine.Flows.Tests.WorkOrders.OpsActors;

namespace ApprovalEngine.Flows.Tests.WorkOrders;

public class WorkOrderApprovalTests
{
    private static readonly string[] CommentOnly = ["comment"];

    private static Task<InstanceState> StartAsync(FlowHarness h, decimal amount = 1m, string maker = "client:SA-1", decimal? threshold = 5m, Actor? starter = null,
        IReadOnlyList<object?>? excluded = null)
    {
        var input = new Dictionary<string, object?>
        {
            ["workOrderType"] = WorkOrderNames.CoinWithdrawApply,
            ["reference"] = "CW-1",
            ["maker"] = maker,
            ["amount"] = amount,
            ["currency"] = "BTC",
            ["summary"] = "Withdraw BTC",
        };
        if (threshold is not null) input["secondApprovalThreshold"] = threshold;
        if (excluded is not null) input["excludedCheckers"] = excluded.ToList();
        // The engine records the authenticated starter; the maker input is for display only.
        return h.Host.StartAsync(WorkOrderNames.DefinitionId, input, actor: starter ?? Actor.System("client-area"));
    }

    [Test]
    public void Definition_passes_the_validator_with_the_full_registry()
    {
        var h = new FlowHarness();
        var errors = new WorkflowValidator(h.Registry).Validate(FlowHarness.Load(WorkOrderNames.DefinitionId));
        Assert.That(errors, Is.Empty, string.Join(Environment.NewLine, errors.Select(e => $"{e.Path}: {e.Message}")));
    }

    [Test]
    public void Four_eyes_rules_are_by_identity_not_by_an_input()
    {
        var definition = FlowHarness.Load(WorkOrderNames.DefinitionId);
        var actions = definition.Activities.Where(a => a.Type == UserTaskActivity.TypeName)
            .SelectMany(a => UserTaskActivity.ReadActions(a).Select(x => (a.Id, x.Name, Rule: string.Join(",", x.DifferentFrom), x.Guard))).ToList();
        // The only guard can exclude more people (the calling record's makers, recorded by identity with RecordActor
        // and passed by CallWorkflow, the only starter); no input can let anyone through the differentFrom rules.
        const string excluded = "excludedCheckers == null || !(actor.userId in excludedCheckers)";
        Assert.That(actions, Is.EquivalentTo(new[]
        {
            ("firstApproval", WorkOrderNames.Approve, "@starter", (string?)excluded),
            ("firstApproval", WorkOrderNames.Reject, "@starter", excluded),
            ("secondApproval", WorkOrderNames.Approve, "@starter,firstApproval", excluded),
            ("secondApproval", WorkOrderNames.Reject, "@starter,firstApproval", excluded),
        }));
        Assert.That(definition.Start, Is.Not.Null);
        Assert.That((definition.Start!.Rights, definition.Start.Scopes), Is.EqualTo((Array.Empty<string>(), Array.Empty<string>())), "only CallWorkflow starts a work order");
    }

    [Test]
    public async Task A_checker_the_caller_names_as_a_maker_can_neither_approve_nor_reject_on_either_approval()
    {
        var h = new FlowHarness();
        var i = await StartAsync(h, amount: 10m, excluded: ["checker2", null]);
        foreach (var action in new[] { WorkOrderNames.Approve, WorkOrderNames.Reject })
        {
            var refused = await Assert.ThrowsAsync<WorkflowConflictException>(() => h.ActAsync(i.Id, action, Checker2, comment: "mine"));
            Assert.That(refused!.Message, Does.Contain("Four eyes"));
        }
        i = await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1);
        await Assert.ThrowsAsync<WorkflowConflictException>(() => h.ActAsync(i.Id, WorkOrderNames.Approve, Checker2));
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(WorkOrderNames.PendingSecondApproval));
    }

    [Test]
    public async Task One_checker_approves_below_the_threshold()
    {
        var h = new FlowHarness();
        var i = await StartAsync(h, amount: 5m);
        var task = h.OpenTask(i.Id);
        Assert.That((task.BusinessStatus, task.Department, task.DueAt), Is.EqualTo((WorkOrderNames.PendingApproval, WorkOrderNames.Department, (DateTimeOffset?)FlowHarness.T0.AddHours(4))));

        i = await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1);
        Assert.That((i.Status, i.FinalOutcome, i.Variables["firstChecker"]), Is.EqualTo((InstanceStatus.Completed, WorkOrderNames.Approved, (object)"checker1")));
    }

    [Test]
    public async Task Above_the_threshold_a_second_different_checker_must_approve()
    {
        var h = new FlowHarness();
        var i = await StartAsync(h, amount: 5.00000001m);
        i = await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1);
        Assert.That((i.Status, i.BusinessStatus), Is.EqualTo((InstanceStatus.Running, WorkOrderNames.PendingSecondApproval)));

        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1));
        Assert.That(ex!.Message, Does.Contain("differentFrom firstApproval"));

        i = await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker2);
        Assert.That((i.FinalOutcome, i.Variables["firstChecker"], i.Variables["secondChecker"]), Is.EqualTo((WorkOrderNames.Approved, (object)"checker1", (object)"checker2")));
    }

    [Test]
    public async Task Without_a_threshold_one_approval_is_enough_for_any_amount()
    {
        var h = new FlowHarness();
        var i = await StartAsync(h, amount: 1_000_000m, threshold: null);
        i = await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1);
        Assert.That(i.FinalOutcome, Is.EqualTo(WorkOrderNames.Approved));
    }

    [TestCase(WorkOrderNames.Approve)]
    [TestCase(WorkOrderNames.Reject)]
    public async Task The_starter_cannot_decide_their_own_work_order(string action)
    {
        var h = new FlowHarness();
        var i = await StartAsync(h, maker: "someone-else", starter: Checker1);
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, action, Checker1, comment: "mine"));
        Assert.That(ex!.Message, Does.Contain("differentFrom @starter"));
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(WorkOrderNames.PendingApproval));
    }

    [Test]
    public async Task The_maker_input_no_longer_decides_who_may_approve()
    {
        var h = new FlowHarness();
        var i = await StartAsync(h, maker: "checker1");
        i = await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1);
        Assert.That(i.FinalOutcome, Is.EqualTo(WorkOrderNames.Approved));
    }

    [Test]
    public async Task The_starter_cannot_give_the_second_approval_either()
    {
        var h = new FlowHarness();
        var i = await StartAsync(h, amount: 10m, starter: Checker2);
        i = await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1);
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, WorkOrderNames.Approve, Checker2));
        Assert.That(ex!.Message, Does.Contain("differentFrom @starter"));
    }

    [Test]
    public async Task Only_checkers_may_approve()
    {
        var h = new FlowHarness();
        var i = await StartAsync(h);
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i.Id, WorkOrderNames.Approve, Maker1));
        Assert.That(ex!.Message, Does.Contain("workorders:approve"));
    }

    [Test]
    public async Task Reject_needs_a_comment_and_keeps_it_as_the_reason()
    {
        var h = new FlowHarness();
        var i = await StartAsync(h);
        var ex = await Assert.ThrowsAsync<WorkflowValidationException>(() => h.ActAsync(i.Id, WorkOrderNames.Reject, Checker1, comment: " "));
        Assert.That(ex!.Errors.Keys, Is.EquivalentTo(CommentOnly));

        i = await h.ActAsync(i.Id, WorkOrderNames.Reject, Checker1, comment: "Address looks wrong");
        Assert.That((i.FinalOutcome, i.BusinessStatus, i.Variables["lastComment"], i.Variables["rejectedBy"]),
            Is.EqualTo((WorkOrderNames.Rejected, "Rejected", (object)"Address looks wrong", (object)"checker1")));
    }

    [Test]
    public async Task The_second_checker_can_reject()
    {
        var h = new FlowHarness();
        var i = await StartAsync(h, amount: 10m);
        await h.ActAsync(i.Id, WorkOrderNames.Approve, Checker1);
        i = await h.ActAsync(i.Id, WorkOrderNames.Reject, Checker2, comment: "Too large today");
        Assert.That((i.FinalOutcome, i.Variables["rejectedBy"]), Is.EqualTo((WorkOrderNames.Rejected, (object)"checker2")));
    }

    [Test]
    public void Status_matrix_has_the_maker_checker_rows()
    {
        var rows = StatusMatrix.Build(FlowHarness.Load(WorkOrderNames.DefinitionId))
            .Select(r => (r.FromStatus, r.Action, r.Permission, r.ToStatus)).ToList();
        Assert.That(rows, Is.EquivalentTo(new[]
        {
            ("Pending Approval", "Approve", "workorders:approve", "Pending Second Approval"),
            ("Pending Approval", "Approve", "workorders:approve", "Approved"),
            ("Pending Approval", "Reject", "workorders:approve", "Rejected"),
            ("Pending Second Approval", "Approve", "workorders:approve", "Approved"),
            ("Pending Second Approval", "Reject", "workorders:approve", "Rejected"),
        }));
    }
}
