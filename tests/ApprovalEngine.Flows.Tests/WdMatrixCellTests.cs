using ApprovalEngine.Flows.Tests.Support;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Workflows.Activities.BuiltIn;
using ApprovalEngine.Workflows.Runtime;
using static ApprovalEngine.Flows.Wd.WdActions;
using static ApprovalEngine.Flows.Wd.WdDepartments;
using static ApprovalEngine.Flows.Wd.WdStatuses;

namespace ApprovalEngine.Flows.Tests;

/// <summary>Every cell of the status matrix driven through the engine: allowed, wrong department, wrong permission, not offered.</summary>
public class WdMatrixCellTests
{
    public sealed record Cell(string Task, string Department, string Action, int Permission, string ToStatus, string ToDepartment, bool NoOpenTrades = false)
    {
        public override string ToString() => $"{Task} {Action} → {ToStatus}({ToDepartment})";
    }

    private static readonly string[] CommentOnly = ["comment"];
    private static readonly string[] DealingTasks = ["dea_ret", "dea_cs", "dea_fwd"];
    private static readonly string[] BackofficeTasks = ["bo_cs", "bo_ret", "bo_dea", "bo_fwd"];

    public static readonly Cell[] Cells =
    [
        new("cs_new", CS, RejectAndClose, 2, Rejected, CS),
        new("cs_new", CS, RequestDocuments, 1, AwaitingDocs, CS),
        new("cs_new", CS, PassToRetention, 3, ApprovedByCS, Retention),
        new("cs_docs", CS, PassToRetention, 3, ApprovedByCS, Retention),
        new("cs_docs", CS, PassToDealing, 3, ApprovedByCS, Dealing),
        new("cs_docs", CS, PassToBackoffice, 3, ApprovedByCS, Backoffice),
        new("cs_docs", CS, RejectAndClose, 2, Rejected, CS),
        new("ret_cs", Retention, PassToDealing, 3, ApprovedByRetention, Dealing),
        new("ret_cs", Retention, PassToBackoffice, 3, ApprovedByRetention, Backoffice, NoOpenTrades: true),
        new("ret_cs", Retention, Reject, 2, Rejected, Retention),
        new("ret_cs", Retention, BackToCS, 1, AwaitingDocs, CS),
        .. DealingTasks.SelectMany(t => new Cell[]
        {
            new(t, Dealing, PassToBackoffice, 3, ApprovedByDealing, Backoffice),
            new(t, Dealing, Reject, 2, Rejected, Dealing),
            new(t, Dealing, BackToCS, 1, AwaitingDocs, CS),
        }),
        .. BackofficeTasks.SelectMany(t => new Cell[]
        {
            new(t, Backoffice, Approve, 4, ApprovedByBackoffice, Backoffice),
            new(t, Backoffice, Reject, 2, Rejected, Backoffice),
            new(t, Backoffice, BackToCS, 1, AwaitingDocs, CS),
        }),
        new("bo_approved", Backoffice, Complete, 4, Completed, Backoffice),
        new("bo_approved", Backoffice, Reject, 2, Rejected, Backoffice),
    ];

    private static async Task<(WdHarness Harness, InstanceState Instance)> ReachAsync(Cell cell)
    {
        var harness = new WdHarness();
        if (cell.NoOpenTrades) harness.SetAccount(openTrades: 0, margin: 0m);
        return (harness, await harness.ReachAsync(cell.Task));
    }

    [TestCaseSource(nameof(Cells))]
    public async Task Allowed_for_the_department_with_the_permission(Cell cell)
    {
        var (h, instance) = await ReachAsync(cell);
        var offered = UserTaskActivity.ReadActions(h.Definition.FindActivity(cell.Task)!).Single(a => a.Name == cell.Action);
        Assert.That(offered.Permission, Is.EqualTo(WdPermissions.FromNumber(cell.Permission)));

        var after = await h.ActAsync(instance, cell.Action, WdActors.Of(cell.Department));

        Assert.That(after.BusinessStatus, Is.EqualTo(cell.ToStatus));
        if (IsFinal(cell.ToStatus))
        {
            Assert.That(after.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(h.Host.OpenTasks(after.Id), Is.Empty);
        }
        else
        {
            Assert.That(after.Department, Is.EqualTo(cell.ToDepartment));
            Assert.That(h.OpenTask(after).Department, Is.EqualTo(cell.ToDepartment));
        }
    }

    [TestCaseSource(nameof(Cells))]
    public async Task Supervisor_may_take_it_too(Cell cell)
    {
        var (h, instance) = await ReachAsync(cell);
        var after = await h.ActAsync(instance, cell.Action, WdActors.Supervisor1);
        Assert.That(after.BusinessStatus, Is.EqualTo(cell.ToStatus));
    }

    [TestCaseSource(nameof(Cells))]
    public async Task Forbidden_for_another_department(Cell cell)
    {
        var (h, instance) = await ReachAsync(cell);
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(instance, cell.Action, WdActors.OtherDepartment(cell.Department)));
        Assert.That(ex!.Message, Does.Contain(cell.Department));
        Assert.That(h.Get(instance.Id).Version, Is.EqualTo(instance.Version), "nothing changed");
    }

    [TestCaseSource(nameof(Cells))]
    public async Task Forbidden_without_the_permission(Cell cell)
    {
        var (h, instance) = await ReachAsync(cell);
        var permission = WdPermissions.FromNumber(cell.Permission);
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(instance, cell.Action, WdActors.Without(cell.Department, permission)));
        Assert.That(ex!.Message, Does.Contain(permission));
    }

    private static IEnumerable<TestCaseData> NotOffered() =>
        WdHarness.TaskIds.SelectMany(task => WdActions.All
            .Where(action => !Cells.Any(c => c.Task == task && c.Action == action))
            .Select(action => new TestCaseData(task, action).SetArgDisplayNames(task, action)));

    [TestCaseSource(nameof(NotOffered))]
    public async Task Conflict_when_the_status_does_not_offer_the_action(string task, string action)
    {
        var h = new WdHarness();
        var instance = await h.ReachAsync(task);
        await Assert.ThrowsAsync<WorkflowConflictException>(() => h.ActAsync(instance, action, WdActors.Supervisor1));
    }

    [TestCase("cs_new", RejectAndClose)]
    [TestCase("cs_new", RequestDocuments)]
    [TestCase("ret_cs", Reject)]
    [TestCase("ret_cs", BackToCS)]
    [TestCase("dea_ret", BackToCS)]
    [TestCase("bo_approved", Reject)]
    public async Task Comment_is_required(string task, string action)
    {
        var h = new WdHarness();
        var instance = await h.ReachAsync(task);
        var ex = await Assert.ThrowsAsync<WorkflowValidationException>(() => h.ActAsync(instance, action, WdActors.Supervisor1, comment: " "));
        Assert.That(ex!.Errors.Keys, Is.EquivalentTo(CommentOnly));
    }

    [Test]
    public async Task Actions_on_a_final_request_are_a_conflict()
    {
        var h = new WdHarness();
        var instance = await h.ReachAsync("cs_new");
        var task = h.OpenTask(instance);
        await h.ActAsync(instance, RejectAndClose);
        await Assert.ThrowsAsync<WorkflowConflictException>(() => h.Host.CompleteTaskAsync(task.Id, PassToRetention, WdActors.Supervisor1, "x"));
    }
}
