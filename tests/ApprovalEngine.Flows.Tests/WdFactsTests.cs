using System.Globalization;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Wd;

namespace ApprovalEngine.Flows.Tests;

/// <summary>The current-facts rule of the WD approvals (ADR 0019), by table.</summary>
public class WdFactsTests
{
    private static readonly WdTransaction[] Drafts =
    [
        new() { Id = "w", Amount = 90m, PaymentType = WdPaymentType.CreditCard },
        new() { Id = "f", Amount = 10m, PaymentType = WdPaymentType.Fee, Status = WdTransactionStatus.Executed },
    ];

    // action, department, balance, equity, margin → refused?
    [TestCase("PassToBackoffice", "Dealing", "10000", "9500", "10000", true)]   // margin level 95
    [TestCase("PassToBackoffice", "Dealing", "10000", "10000", "10000", false)] // margin level exactly 100
    [TestCase("PassToBackoffice", "Dealing", "10000", "9999.99", "10000", true)] // 99.9999 truncates to 99.99
    [TestCase("PassToBackoffice", "Dealing", "99.99", "10000", "0", true)]      // balance below the request
    [TestCase("PassToBackoffice", "Dealing", "100", "50", "0", false)]          // no margin used: no margin level
    [TestCase("PassToBackoffice", "Retention", "1", "1", "10000", false)]       // Retention's routing: the guard decides
    [TestCase("PassToBackoffice", "CS", "1", "1", "10000", false)]
    [TestCase("Approve", "Backoffice", "99.99", "10000", "0", true)]
    [TestCase("Approve", "Backoffice", "100", "1", "10000", true)]             // Backoffice checks all the stages again: margin level 0.01
    [TestCase("Approve", "Backoffice", "100", "10000", "10000", false)]        // margin level exactly 100
    [TestCase("Complete", "Backoffice", "90", "9500", "10000", true)]          // margin level 95 at Complete
    [TestCase("Complete", "Backoffice", "89.99", "10000", "0", true)]          // 90 still to execute (the fee is executed)
    [TestCase("Complete", "Backoffice", "90", "10000", "0", false)]
    [TestCase("Reject", "Backoffice", "0", "0", "10000", false)]
    [TestCase("BackToCS", "Dealing", "0", "0", "10000", false)]
    public void Approvals_are_judged_on_the_current_account(string action, string department, string balance, string equity, string margin, bool refused)
    {
        var account = new TradingAccount("A", "C", "USD", D(balance), D(equity), D(margin), 0m, 0m, 2);
        var why = WdFacts.Check(action, department, 100m, "USD", Drafts, account);
        Assert.That(why is not null, Is.EqualTo(refused), why);
    }

    [TestCase("PassToBackoffice", "Dealing", true)]
    [TestCase("Approve", "Backoffice", true)]
    [TestCase("Complete", "Backoffice", true)]
    [TestCase("Reject", "Backoffice", false)]
    public void An_account_the_platform_does_not_know_is_refused_for_approvals_only(string action, string department, bool refused) =>
        Assert.That(WdFacts.Check(action, department, 100m, "USD", Drafts, null) is not null, Is.EqualTo(refused));

    [TestCase("PassToDealing", true)]
    [TestCase("PassToBackoffice", true)]
    [TestCase("Approve", true)]
    [TestCase("Complete", true)]
    [TestCase("Reject", false)]
    [TestCase("RejectAndClose", false)]
    [TestCase("BackToCS", false)]
    [TestCase("RequestDocuments", false)]
    [TestCase("PassToRetention", false)]
    public void Only_approving_actions_read_the_ledger(string action, bool reads) => Assert.That(WdFacts.NeedsFacts(action), Is.EqualTo(reads));

    [Test]
    public void Facts_have_the_shapes_LoadTradingAccount_writes()
    {
        var at = new DateTimeOffset(2026, 12, 2, 14, 0, 0, TimeSpan.Zero);
        var vars = WdFacts.ToVariables(new TradingAccount("A", "C", "USD", 10m, 9.5m, 10m, 0m, 0m, 2), at);
        Assert.That(vars["balance"], Is.EqualTo(10m));
        Assert.That(vars["marginLevel"], Is.EqualTo(95m));
        Assert.That(vars["hasOpenTrades"], Is.EqualTo(true));
        Assert.That(vars.ContainsKey("accountLoadedAt"), Is.True);
    }

    [TestCase("Completed", true, false)]
    [TestCase("PartiallyCompleted", true, false)]
    [TestCase("ApprovedByBackoffice", true, true)]
    [TestCase("ApprovedByBackoffice", false, false)]
    public void A_final_request_is_never_executing(string status, bool variable, bool executing) =>
        Assert.That(WdCompletion.IsExecuting(status, variable), Is.EqualTo(executing));

    private static decimal D(string text) => decimal.Parse(text, CultureInfo.InvariantCulture);
}
