using ApprovalEngine.Workflows.Runtime;
using ApprovalEngine.Workflows.Tests.Support;

namespace ApprovalEngine.Workflows.Tests;

public sealed class SubWorkflowTests
{
    [Test]
    public async Task A_child_that_completes_at_once_resumes_the_parent_in_the_same_commit()
    {
        var t = new TestHost(Flows.InstantChild(), Flows.Parent("instant"));
        var parent = await t.Host.StartAsync("parent");
        var child = t.Host.Instances.Values.Single(i => i.ParentInstanceId == parent.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(parent.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(parent.BusinessStatus, Is.EqualTo("Approved"));
            Assert.That(((IReadOnlyDictionary<string, object?>)parent.Variables["result"]!)["doubled"], Is.EqualTo(42m));
            Assert.That(child.Status, Is.EqualTo(InstanceStatus.Completed));
        }
    }

    [TestCase("Yes", "Approved")]
    [TestCase("No", "Declined")]
    public async Task A_child_that_waits_resumes_the_parent_on_its_outcome(string action, string parentStatus)
    {
        var t = new TestHost(Flows.Child(), Flows.Parent("child"));
        var parent = await t.Host.StartAsync("parent", correlationId: "wd-1");
        var child = t.Host.Instances.Values.Single(i => i.ParentInstanceId == parent.Id);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(parent.Status, Is.EqualTo(InstanceStatus.Running));
            Assert.That(parent.Bookmarks.Single().Kind, Is.EqualTo(BookmarkKind.Child));
            Assert.That(parent.Bookmarks.Single().ChildInstanceId, Is.EqualTo(child.Id));
            Assert.That(child.Variables["score"], Is.EqualTo(21m));
            Assert.That(child.CorrelationId, Is.EqualTo("wd-1"));
        }
        await t.ActAsync(child.Id, action);
        Assert.That(t.State(parent.Id).BusinessStatus, Is.EqualTo(parentStatus));
    }

    [Test]
    public async Task A_cancelled_child_resumes_the_parent_on_Cancelled()
    {
        var t = new TestHost(Flows.Child(), Flows.Parent("child"));
        var parent = await t.Host.StartAsync("parent");
        var child = t.Host.Instances.Values.Single(i => i.ParentInstanceId == parent.Id);
        await t.Host.CancelAsync(child.Id, "not needed", TestHost.Supervisor);
        Assert.That(t.State(parent.Id).BusinessStatus, Is.EqualTo("ChildCancelled"));
    }

    [Test]
    public async Task Cancelling_the_parent_cancels_its_running_child()
    {
        var t = new TestHost(Flows.Child(), Flows.Parent("child"));
        var parent = await t.Host.StartAsync("parent");
        var child = t.Host.Instances.Values.Single(i => i.ParentInstanceId == parent.Id);
        await t.Host.CancelAsync(parent.Id, "client withdrew", TestHost.Supervisor);
        using (Assert.EnterMultipleScope())
        {
            Assert.That(t.State(parent.Id).Status, Is.EqualTo(InstanceStatus.Cancelled));
            Assert.That(t.State(child.Id).Status, Is.EqualTo(InstanceStatus.Cancelled));
            Assert.That(t.Host.OpenTasks(child.Id), Is.Empty);
        }
    }

    [Test]
    public async Task Start_idempotency_ignores_children_that_share_the_correlation_id()
    {
        var t = new TestHost(Flows.Child(), Flows.Parent("child"));
        var parent = await t.Host.StartAsync("parent", correlationId: "wd-9");
        var standalone = await t.Host.StartAsync("child", correlationId: "wd-9");
        Assert.That(standalone.ParentInstanceId, Is.Null);
        Assert.That(standalone.Id, Is.Not.EqualTo(t.Host.Instances.Values.Single(i => i.ParentInstanceId == parent.Id).Id));
    }
}
