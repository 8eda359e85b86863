// Literal arrays in assertions read better than static fields in tests.
#pragma warning disable CA1861

using System.Net;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Wd;

/// <summary>
/// Every cell of /work/shared/wd-matrix.md over HTTP: allowed with the right department and permission (status and
/// department after the step), 403 for the wrong department, 409 where the action is not offered.
/// </summary>
[TestFixture]
public sealed class WdMatrixTests : WdFixture
{
    public static IEnumerable<TestCaseData> Allowed()
    {
        static TestCaseData Cell(string from, string action, string user, string to, string? toDepartment) =>
            new TestCaseData(from, action, user, to, toDepartment).SetName($"{from} {action} by {user} -> {to}{(toDepartment is null ? "" : "/" + toDepartment)}");
        yield return Cell("New/CS", "RejectAndClose", "cs1", "Rejected", null);
        yield return Cell("New/CS", "RequestDocuments", "cs1", "AwaitingDocs", "CS");
        yield return Cell("New/CS", "PassToRetention", "cs1", "ApprovedByCS", "Retention");
        yield return Cell("AwaitingDocs/CS", "PassToRetention", "cs1", "ApprovedByCS", "Retention");
        yield return Cell("AwaitingDocs/CS", "PassToDealing", "cs1", "ApprovedByCS", "Dealing");
        yield return Cell("AwaitingDocs/CS", "PassToBackoffice", "cs1", "ApprovedByCS", "Backoffice");
        yield return Cell("AwaitingDocs/CS", "RejectAndClose", "cs1", "Rejected", null);
        yield return Cell("ApprovedByCS/Retention", "Reject", "retention1", "Rejected", null);
        yield return Cell("ApprovedByCS/Retention", "BackToCS", "retention1", "AwaitingDocs", "CS");
        foreach (var dealing in new[] { "ApprovedByRetention/Dealing", "ForwardedToDealing/Dealing", "ApprovedByCS/Dealing" })
        {
            yield return Cell(dealing, "PassToBackoffice", "dealing1", "ApprovedByDealing", "Backoffice");
            yield return Cell(dealing, "Reject", "dealing1", "Rejected", null);
            yield return Cell(dealing, "BackToCS", "dealing1", "AwaitingDocs", "CS");
        }
        foreach (var backoffice in new[] { "ApprovedByCS/Backoffice", "ApprovedByRetention/Backoffice", "ApprovedByDealing/Backoffice", "ForwardedToBackoffice/Backoffice" })
        {
            yield return Cell(backoffice, "Approve", "bo1", "ApprovedByBackoffice", "Backoffice");
            yield return Cell(backoffice, "Reject", "bo1", "Rejected", null);
            yield return Cell(backoffice, "BackToCS", "bo1", "AwaitingDocs", "CS");
        }
        yield return Cell("ApprovedByBackoffice/Backoffice", "Complete", "bo1", "Completed", null);
        yield return Cell("ApprovedByBackoffice/Backoffice", "Reject", "bo1", "Rejected", null);
        // Supervisors hold every department and permission.
        yield return Cell("New/CS", "PassToRetention", "supervisor1", "ApprovedByCS", "Retention");
        yield return Cell("ApprovedByDealing/Backoffice", "Approve", "supervisor1", "ApprovedByBackoffice", "Backoffice");
    }

    [TestCaseSource(nameof(Allowed))]
    public async Task Allowed_cell_moves_the_request(string from, string action, string user, string to, string? toDepartment)
    {
        var card = await Wd.DriveToAsync(from);
        var mine = await Wd.CardAsync(card.Id(), user);
        Assert.That(mine.Actions(), Does.Contain(action), "the card offers the action to the right user");
        var after = await Wd.MustActAsync(user, card.Id(), action, "matrix");
        Assert.That(after.Status(), Is.EqualTo(to));
        if (toDepartment is not null) Assert.That(after.Department(), Is.EqualTo(toDepartment));
        else Assert.That(after.Actions(), Is.Empty, "final statuses offer no actions");
    }

    public static IEnumerable<TestCaseData> WrongDepartment()
    {
        static TestCaseData Cell(string from, string action, string user) => new TestCaseData(from, action, user).SetName($"{from} {action} by {user} -> 403");
        yield return Cell("New/CS", "PassToRetention", "retention1");
        yield return Cell("New/CS", "RejectAndClose", "dealing1");
        yield return Cell("New/CS", "RequestDocuments", "bo1");
        yield return Cell("AwaitingDocs/CS", "PassToDealing", "dealing1");
        yield return Cell("AwaitingDocs/CS", "RejectAndClose", "retention1");
        yield return Cell("ApprovedByCS/Retention", "Reject", "cs1");
        yield return Cell("ApprovedByCS/Retention", "BackToCS", "bo1");
        yield return Cell("ApprovedByRetention/Dealing", "PassToBackoffice", "retention1");
        yield return Cell("ForwardedToDealing/Dealing", "Reject", "cs1");
        yield return Cell("ApprovedByDealing/Backoffice", "Approve", "dealing1");
        yield return Cell("ApprovedByCS/Backoffice", "Reject", "cs1");
        yield return Cell("ForwardedToBackoffice/Backoffice", "BackToCS", "dealing1");
        yield return Cell("ApprovedByBackoffice/Backoffice", "Complete", "cs1");
        yield return Cell("ApprovedByBackoffice/Backoffice", "Reject", "retention1");
    }

    [TestCaseSource(nameof(WrongDepartment))]
    public async Task Wrong_department_is_403_and_nothing_changes(string from, string action, string user)
    {
        var card = await Wd.DriveToAsync(from);
        var mine = await Wd.CardAsync(card.Id(), user);
        Assert.That(mine.Actions(), Does.Not.Contain(action));
        var response = await Wd.ActAsync(user, card.Id(), action, "wrong department");
        await response.ProblemAsync(HttpStatusCode.Forbidden);
        var after = await Wd.CardAsync(card.Id());
        Assert.That((after.Status(), after.Department()), Is.EqualTo((card.Status(), card.Department())));
    }

    public static IEnumerable<TestCaseData> NotOffered()
    {
        static TestCaseData Cell(string from, string action, string user) => new TestCaseData(from, action, user).SetName($"{from} {action} by {user} -> 409");
        yield return Cell("New/CS", "PassToDealing", "cs1");
        yield return Cell("New/CS", "Approve", "supervisor1");
        yield return Cell("New/CS", "Complete", "supervisor1");
        yield return Cell("AwaitingDocs/CS", "RequestDocuments", "cs1");
        yield return Cell("ApprovedByCS/Retention", "RequestDocuments", "retention1");
        yield return Cell("ApprovedByCS/Retention", "Approve", "supervisor1");
        yield return Cell("ApprovedByRetention/Dealing", "PassToDealing", "dealing1");
        yield return Cell("ApprovedByRetention/Dealing", "Approve", "supervisor1");
        yield return Cell("ApprovedByDealing/Backoffice", "Complete", "bo1");
        yield return Cell("ApprovedByDealing/Backoffice", "PassToDealing", "supervisor1");
        yield return Cell("ApprovedByBackoffice/Backoffice", "BackToCS", "bo1");
        yield return Cell("ApprovedByBackoffice/Backoffice", "Approve", "bo1");
        yield return Cell("Rejected", "PassToRetention", "cs1");
        yield return Cell("Completed", "Complete", "bo1");
        yield return Cell("CanceledByClient", "RejectAndClose", "cs1");
        yield return Cell("New/CS", "DoSomethingElse", "cs1");
    }

    [TestCaseSource(nameof(NotOffered))]
    public async Task Action_not_offered_in_that_status_is_409(string from, string action, string user)
    {
        var card = await Wd.DriveToAsync(from);
        var response = await Wd.ActAsync(user, card.Id(), action, "not offered");
        await response.ProblemAsync(HttpStatusCode.Conflict);
        var after = await Wd.CardAsync(card.Id());
        Assert.That(after.Status(), Is.EqualTo(card.Status()));
    }

    [Test]
    public async Task Retention_routes_by_open_trades_and_says_why_the_other_route_is_closed()
    {
        var withTrades = await Wd.DriveToAsync("ApprovedByCS/Retention", openTrades: true);
        var retentionView = await Wd.CardAsync(withTrades.Id(), "retention1");
        Assert.That(retentionView.Actions(), Does.Contain("PassToDealing").And.Not.Contain("PassToBackoffice"));
        var closed = retentionView["actionDetails"]!.AsArray().Single(a => a!["name"]!.GetValue<string>() == "PassToBackoffice")!;
        Assert.That(closed["available"]!.GetValue<bool>(), Is.False);
        Assert.That(closed["reason"]!.GetValue<string>(), Does.Contain("without open trades"));
        var blocked = await Wd.ActAsync("retention1", withTrades.Id(), "PassToBackoffice");
        var problem = await blocked.ProblemAsync(HttpStatusCode.Conflict);
        Assert.That(problem["detail"]!.GetValue<string>(), Does.Contain("open trades"));
        var toDealing = await Wd.MustActAsync("retention1", withTrades.Id(), "PassToDealing");
        Assert.That((toDealing.Status(), toDealing.Department()), Is.EqualTo(("ApprovedByRetention", "Dealing")));

        var without = await Wd.DriveToAsync("ApprovedByCS/Retention", openTrades: false);
        await (await Wd.ActAsync("retention1", without.Id(), "PassToDealing")).ProblemAsync(HttpStatusCode.Conflict);
        var toBackoffice = await Wd.MustActAsync("retention1", without.Id(), "PassToBackoffice");
        Assert.That((toBackoffice.Status(), toBackoffice.Department()), Is.EqualTo(("ApprovedByRetention", "Backoffice")));
    }
}
