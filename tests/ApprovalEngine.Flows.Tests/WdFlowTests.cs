using System.Text.Json.Nodes;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Tests.Support;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Flows.Wd.Activities;
using ApprovalEngine.Workflows.Activities;
using ApprovalEngine.Workflows.Definitions;
using ApprovalEngine.Workflows.Runtime;
using static ApprovalEngine.Flows.Wd.WdActions;

namespace ApprovalEngine.Flows.Tests;

public class WdFlowTests
{
    [Test]
    public async Task Loading_the_account_before_retention_fills_the_account_facts()
    {
        var h = new WdHarness();
        h.SetAccount(balance: 2_000m, equity: 2_500m, margin: 500m, freeMargin: 2_000m, credit: 100m, openTrades: 3);
        var i = await h.ReachAsync("ret_cs");
        Assert.Multiple(() =>
        {
            Assert.That(i.Variables["balance"], Is.EqualTo(2_000m));
            Assert.That(i.Variables["freeMargin"], Is.EqualTo(2_000m));
            Assert.That(i.Variables["credit"], Is.EqualTo(100m));
            Assert.That(i.Variables["openTrades"], Is.EqualTo(3m));
            Assert.That(i.Variables["hasOpenTrades"], Is.True);
            Assert.That(i.Variables["marginLevel"], Is.EqualTo(500m));
        });
    }

    [TestCase(2, PassToDealing, PassToBackoffice, WdDepartments.Dealing, "only for customers without open trades")]
    [TestCase(0, PassToBackoffice, PassToDealing, WdDepartments.Backoffice, "only for customers with open trades")]
    public async Task Retention_routes_by_open_trades(int openTrades, string allowed, string refused, string toDepartment, string refusal)
    {
        var h = new WdHarness();
        h.SetAccount(openTrades: openTrades, margin: openTrades == 0 ? 0m : 1_000m);
        var i = await h.ReachAsync("ret_cs");

        var actions = h.Host.Engine.DescribeActions(h.Definition, i, h.OpenTask(i).Id, WdActors.Retention1);
        Assert.That(actions.Single(a => a.Name == refused).Reason, Does.Contain(refusal));
        var ex = await Assert.ThrowsAsync<WorkflowConflictException>(() => h.ActAsync(i, refused));
        Assert.That(ex!.Message, Does.Contain(refusal));

        i = await h.ActAsync(i, allowed);
        Assert.That((i.BusinessStatus, i.Department), Is.EqualTo((WdStatuses.ApprovedByRetention, toDepartment)));
    }

    public static IEnumerable<TestCaseData> DealingRefusals()
    {
        yield return new TestCaseData(50m, 10_000m, 1_000m, null).SetArgDisplayNames("balance below requested");
        yield return new TestCaseData(10_000m, 900m, 1_000m, null).SetArgDisplayNames("margin level 90");
    }

    // The fee is the action's form field now (ADR 7): a bad fee is invalid data (422 naming data.fee), not a false guard.
    [TestCase(-1, "at least 0")]
    [TestCase(100, "less than the requested amount")]
    [TestCase(1.005, "decimal places for USD")]
    public async Task Dealing_fee_is_checked_by_the_form(decimal fee, string message)
    {
        var h = new WdHarness();
        h.SetAccount(balance: 10_000m, equity: 10_500m, margin: 1_000m);
        var i = await h.ReachAsync("dea_ret");
        var ex = await Assert.ThrowsAsync<WorkflowValidationException>(() => h.ActAsync(i, PassToBackoffice, fee: fee));
        Assert.That(ex!.Errors["data.fee"], Has.Some.Contains(message));
        Assert.That(h.Get(i.Id).Version, Is.EqualTo(i.Version));
    }

    [TestCaseSource(nameof(DealingRefusals))]
    public async Task Dealing_guard_refuses_with_its_message(decimal balance, decimal equity, decimal margin, decimal? fee)
    {
        var h = new WdHarness();
        h.SetAccount(balance: balance, equity: equity, margin: margin);
        var i = await h.ReachAsync("dea_ret");
        var ex = await Assert.ThrowsAsync<WorkflowConflictException>(() => h.ActAsync(i, PassToBackoffice, fee: fee));
        Assert.That(ex!.Message, Does.StartWith("Pass to Backoffice needs a balance that covers the requested amount and a margin level of at least 100"));
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(WdStatuses.ApprovedByRetention));
    }

    [TestCase(100, 1_000, 1_000, Description = "margin level exactly 100, balance exactly requested")]
    [TestCase(5_000, 5_000, 0, Description = "no margin used: margin level n/a")]
    public async Task Dealing_passes_when_balance_and_margin_level_are_fine(decimal balance, decimal equity, decimal margin)
    {
        var h = new WdHarness();
        h.SetAccount(balance: balance, equity: equity, margin: margin);
        var i = await h.ReachAsync("dea_ret");
        i = await h.ActAsync(i, PassToBackoffice, fee: 2.5m);
        Assert.That((i.BusinessStatus, i.Department, i.Variables["fee"]), Is.EqualTo((WdStatuses.ApprovedByDealing, WdDepartments.Backoffice, (object)2.5m)));
    }

    [Test]
    public async Task Dealing_sees_fresh_account_facts_loaded_on_entry()
    {
        var h = new WdHarness();
        var i = await h.ReachAsync("ret_cs");
        h.SetAccount(balance: 10m);
        i = await h.ActAsync(i, PassToDealing);
        Assert.That(i.Variables["balance"], Is.EqualTo(10m));
        await Assert.ThrowsAsync<WorkflowConflictException>(() => h.ActAsync(i, PassToBackoffice));
    }

    /// <summary>Fee at Dealing and Backoffice, then transaction edits, then Complete.</summary>
    public static IEnumerable<TestCaseData> Completions()
    {
        static TestCaseData Case(string name, decimal? dealingFee, decimal? boFee, Func<WdTransactionScope, WdTransactionResult>? edit, string status, decimal ledgerTotal, int operations) =>
            new TestCaseData(dealingFee, boFee, edit, status, ledgerTotal, operations).SetArgDisplayNames(name);

        yield return Case("no fee → Completed", null, null, null, WdStatuses.Completed, -100m, 1);
        yield return Case("fee 5 at Dealing → Completed, 95 + 5", 5m, null, null, WdStatuses.Completed, -100m, 2);
        yield return Case("Backoffice fee overrides Dealing fee", 3m, 7m, null, WdStatuses.Completed, -100m, 2);
        yield return Case("withdrawal cut to 50 → PartiallyCompleted", 5m, null, s => WdTransactions.Edit(s, Withdrawal(s).Id, new(50m, Withdrawal(s).PaymentType)), WdStatuses.PartiallyCompleted, -55m, 2);
        yield return Case("manual settlement added → Completed", 5m, null,
            s => WdTransactions.Add(WdTransactions.Edit(s, Withdrawal(s).Id, new(60m, Withdrawal(s).PaymentType)) is var e && e.Ok ? s with { Transactions = e.Transactions } : s, "manual-1", new(35m, WdPaymentType.SettlementWireTransfer, BankDetails: "IBAN DE00 1234")),
            WdStatuses.Completed, -100m, 3);
    }

    private static WdTransaction Withdrawal(WdTransactionScope s) => s.Transactions.Single(t => !t.IsFee);

    [Test]
    public async Task Whoever_created_the_request_can_neither_approve_nor_complete_it()
    {
        var h = new WdHarness();
        var i = await h.StartAsync(creator: WdActors.Supervisor1);
        i = await h.ActAsync(i, RequestDocuments, WdActors.Supervisor1);
        i = await h.ActAsync(i, PassToBackoffice, WdActors.Supervisor1);
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(i, Approve, WdActors.Supervisor1));
        Assert.That(ex!.Message, Does.Contain("differentFrom @starter"));
        Assert.That(h.Get(i.Id).BusinessStatus, Is.EqualTo(WdStatuses.ApprovedByCS));

        i = await h.ActAsync(h.Get(i.Id), Approve, WdActors.Bo1);
        ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(h.Get(i.Id), Complete, WdActors.Supervisor1));
        Assert.That(ex!.Message, Does.Contain("differentFrom @starter"));
        Assert.That(h.Ledger.Operations(WdHarness.Account), Is.Empty, "nothing was executed");
    }

    [Test]
    public async Task The_Backoffice_approver_cannot_complete_the_request_too()
    {
        var h = new WdHarness();
        var i = await h.ReachAsync("bo_dea");
        i = await h.ActAsync(i, Approve, WdActors.Bo1);
        var ex = await Assert.ThrowsAsync<WorkflowForbiddenException>(() => h.ActAsync(h.Get(i.Id), Complete, WdActors.Bo1));
        Assert.That(ex!.Message, Does.Contain("differentFrom bo_dea"));
        Assert.That(h.Ledger.Operations(WdHarness.Account), Is.Empty, "nothing was executed");

        i = await h.ActAsync(h.Get(i.Id), Complete, WdActors.Supervisor1);
        Assert.That(i.BusinessStatus, Is.EqualTo(WdStatuses.Completed));
    }

    [TestCaseSource(nameof(Completions))]
    public async Task Complete_executes_the_transactions_and_finishes(decimal? dealingFee, decimal? boFee, Func<WdTransactionScope, WdTransactionResult>? edit, string status, decimal ledgerTotal, int operations)
    {
        var h = new WdHarness();
        var i = await h.ReachAsync("dea_ret");
        i = await h.ActAsync(i, PassToBackoffice, fee: dealingFee);
        i = await h.ActAsync(i, Approve, fee: boFee);
        var drafts = WdHarness.Transactions(i);
        var fee = boFee ?? dealingFee ?? 0m;
        Assert.That(drafts.Sum(t => t.Amount), Is.EqualTo(100m), "withdrawal + fee = requested");
        Assert.That(drafts.Where(t => t.IsFee).Sum(t => t.Amount), Is.EqualTo(fee));
        Assert.That(drafts.Select(t => t.Status), Is.All.EqualTo(WdTransactionStatus.Draft));
        if (edit is not null) Assert.That((await h.ChangeTransactionsAsync(i, edit)).Error, Is.Null);

        i = await h.ActAsync(h.Get(i.Id), Complete);

        var ops = h.Ledger.Operations(WdHarness.Account);
        Assert.Multiple(() =>
        {
            Assert.That(i.BusinessStatus, Is.EqualTo(status));
            Assert.That(i.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(ops, Has.Count.EqualTo(operations));
            Assert.That(ops.Sum(o => o.Amount), Is.EqualTo(ledgerTotal));
            Assert.That(i.Variables["executedTotal"], Is.EqualTo(-ledgerTotal));
            Assert.That(WdHarness.Transactions(i).Select(t => t.IsExecuted && t.TradeId != null), Is.All.True);
            Assert.That(h.Ledger.FindAccount(WdHarness.Account)!.Balance, Is.EqualTo(10_000m + ledgerTotal));
        });
    }

    public static IEnumerable<TestCaseData> NotCompletable()
    {
        yield return new TestCaseData(5m, (Func<WdTransactionScope, WdTransactionResult>)(s => WdTransactions.Delete(s, Withdrawal(s).Id)), "Only the fee").SetArgDisplayNames("fee only");
        yield return new TestCaseData(null, (Func<WdTransactionScope, WdTransactionResult>)(s => WdTransactions.Delete(s, Withdrawal(s).Id)), "nothing to execute").SetArgDisplayNames("nothing");
    }

    [TestCaseSource(nameof(NotCompletable))]
    public async Task Not_completable_returns_to_approved_by_backoffice_with_the_reason(decimal? fee, Func<WdTransactionScope, WdTransactionResult> edit, string reason)
    {
        var h = new WdHarness();
        var i = await h.ReachAsync("bo_dea");
        i = await h.ActAsync(i, Approve, fee: fee);
        Assert.That((await h.ChangeTransactionsAsync(i, edit)).Error, Is.Null);

        i = await h.ActAsync(h.Get(i.Id), Complete);

        Assert.Multiple(() =>
        {
            Assert.That(i.BusinessStatus, Is.EqualTo(WdStatuses.ApprovedByBackoffice));
            Assert.That(h.OpenTask(i).ActivityId, Is.EqualTo("bo_approved"));
            Assert.That(i.Variables["completionMessage"] as string, Does.Contain(reason));
            Assert.That(i.Variables["executing"], Is.False);
            Assert.That(h.Ledger.Operations(), Is.Empty, "nothing was sent to the ledger");
            Assert.That(h.Host.Journal(i.Id).SelectMany(j => j.Changes).Where(c => c.Name == "completionMessage").Select(c => c.After?.ToString()), Has.Some.Contains(reason), "the reason is journaled");
        });
        i = await h.ActAsync(i, Reject);
        Assert.That(i.BusinessStatus, Is.EqualTo(WdStatuses.Rejected));
    }

    [Test]
    public async Task Wire_transfer_without_bank_details_is_not_completable_until_they_are_entered()
    {
        var h = new WdHarness();
        var i = await h.StartAsync(paymentType: nameof(WdPaymentType.WireTransfer));
        i = await h.ActAsync(await h.ActAsync(i, WdActions.RequestDocuments), PassToBackoffice);
        i = await h.ActAsync(i, Approve);
        i = await h.ActAsync(i, Complete);
        Assert.That(i.Variables["completionMessage"] as string, Does.Contain("no bank details"));

        var result = await h.ChangeTransactionsAsync(i, s => WdTransactions.Edit(s, Withdrawal(s).Id, new(100m, WdPaymentType.WireTransfer, BankDetails: "IBAN GB00 1111")));
        Assert.That(result.Ok, Is.True, result.Error);
        i = await h.ActAsync(h.Get(i.Id), Complete);
        Assert.That(i.BusinessStatus, Is.EqualTo(WdStatuses.Completed));
    }

    [Test]
    public async Task Ledger_refusing_the_fee_after_the_withdrawal_went_through_is_partially_completed()
    {
        var h = new WdHarness();
        var i = await h.ReachAsync("dea_ret");
        i = await h.ActAsync(await h.ActAsync(i, PassToBackoffice, fee: 5m), Approve);
        h.SetAccount(balance: 97m);
        i = await h.ActAsync(i, Complete);
        Assert.Multiple(() =>
        {
            Assert.That(i.BusinessStatus, Is.EqualTo(WdStatuses.PartiallyCompleted), "the manual: executed < requested and not only the fee");
            Assert.That(i.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(i.Variables["completionMessage"] as string, Does.Contain("refused").And.Contain(nameof(BalanceOperationRefusal.InsufficientBalance)));
            Assert.That(WdHarness.Transactions(i).Count(t => t.IsExecuted), Is.EqualTo(1));
            Assert.That(h.Ledger.Operations().Sum(o => o.Amount), Is.EqualTo(-95m));
            Assert.That(h.Ledger.FindAccount(WdHarness.Account)!.Balance, Is.EqualTo(2m));
        });
    }

    [Test]
    public async Task Ledger_refusing_the_withdrawal_is_not_completable_and_moves_nothing()
    {
        var h = new WdHarness();
        var i = await h.ReachAsync("dea_ret");
        i = await h.ActAsync(await h.ActAsync(i, PassToBackoffice, fee: 5m), Approve);
        h.SetAccount(balance: 90m);
        i = await h.ActAsync(i, Complete);
        Assert.Multiple(() =>
        {
            Assert.That(i.BusinessStatus, Is.EqualTo(WdStatuses.ApprovedByBackoffice));
            Assert.That(h.OpenTask(i).ActivityId, Is.EqualTo("bo_approved"));
            Assert.That(i.Variables["executing"], Is.False);
            Assert.That(i.Variables["completionMessage"] as string, Does.Contain(nameof(BalanceOperationRefusal.InsufficientBalance)));
            Assert.That(WdHarness.Transactions(i).Any(t => t.IsExecuted), Is.False);
            Assert.That(h.Ledger.Operations(), Is.Empty);
            Assert.That(h.Ledger.FindAccount(WdHarness.Account)!.Balance, Is.EqualTo(90m));
        });
    }

    [Test]
    public async Task Execute_called_twice_with_the_same_key_withdraws_once()
    {
        var h = new WdHarness();
        h.Registry.TryGet(WdActivities.ExecuteWdTransactions, out var activity);
        var external = (IExternalActivity)activity!;
        var drafts = WdTransactions.CreateDrafts(100m, 5m, "USD", WdPaymentType.CreditCard, null, () => Guid.NewGuid().ToString());
        var input = new JsonObject
        {
            ["account"] = WdHarness.Account,
            ["currency"] = "USD",
            ["requestedAmount"] = 100m,
            ["transactions"] = System.Text.Json.JsonSerializer.SerializeToNode(drafts, DefinitionJson.Options),
            ["reference"] = "WD-1",
        };
        var call = new ExternalCallContext(Guid.NewGuid(), "execute", "job-key-1", 1);

        var first = await external.CallAsync(input, call, CancellationToken.None);
        var second = await external.CallAsync(input, call with { Attempt = 2 }, CancellationToken.None);

        Assert.Multiple(() =>
        {
            Assert.That(first.Outcome, Is.EqualTo("Completed"));
            Assert.That(second.Outcome, Is.EqualTo("Completed"));
            Assert.That(h.Ledger.Operations(), Has.Count.EqualTo(2));
            Assert.That(h.Ledger.FindAccount(WdHarness.Account)!.Balance, Is.EqualTo(9_900m));
            Assert.That(h.Ledger.Operations().Select(o => o.IdempotencyKey), Is.EquivalentTo(drafts.Select(d => ExecuteWdTransactions.OperationKey("job-key-1", d.Id))));
            Assert.That(WdTransactions.FromVariable(second.Outputs["transactions"]).Select(t => t.TradeId), Is.EqualTo(WdTransactions.FromVariable(first.Outputs["transactions"]).Select(t => t.TradeId)));
        });
    }

    /// <summary>Applies the operation, then fails the first call as if the connection dropped before the answer.</summary>
    private sealed class DroppingLedger(ILedger inner) : ILedger
    {
        public Task<string?> GetLastDepositMethodAsync(string account, CancellationToken cancellationToken) => inner.GetLastDepositMethodAsync(account, cancellationToken);

        public int Calls { get; private set; }

        public Task<TradingAccount?> GetAccountAsync(string account, CancellationToken cancellationToken) => inner.GetAccountAsync(account, cancellationToken);

        public async Task<BalanceOperationResult> ApplyBalanceOperationAsync(BalanceOperationRequest request, CancellationToken cancellationToken)
        {
            var result = await inner.ApplyBalanceOperationAsync(request, cancellationToken);
            if (++Calls == 1) throw new IOException("Connection reset after the platform applied the operation.");
            return result;
        }
    }

    [Test]
    public async Task Retried_job_after_a_lost_answer_does_not_withdraw_twice()
    {
        DroppingLedger? dropping = null;
        var h = new WdHarness(ledgerFactory: sandbox => dropping = new DroppingLedger(sandbox));
        var i = await h.ReachAsync("dea_ret");
        i = await h.ActAsync(await h.ActAsync(i, PassToBackoffice, fee: 5m), Approve);
        i = await h.ActAsync(i, Complete);
        Assert.Multiple(() =>
        {
            Assert.That(dropping!.Calls, Is.EqualTo(3), "first withdrawal, its retry, the fee");
            Assert.That(i.BusinessStatus, Is.EqualTo(WdStatuses.Completed));
            Assert.That(h.Ledger.Operations(), Has.Count.EqualTo(2));
            Assert.That(h.Ledger.FindAccount(WdHarness.Account)!.Balance, Is.EqualTo(9_900m));
        });
    }

    private static IEnumerable<string> Tasks() => WdHarness.TaskIds;

    [TestCaseSource(nameof(Tasks))]
    public async Task Client_cancel_from_every_open_stage(string task)
    {
        var h = new WdHarness();
        var i = await h.ReachAsync(task);
        i = await h.InterruptAsync(i, WdEvents.ClientCancel);
        Assert.Multiple(() =>
        {
            Assert.That(i.BusinessStatus, Is.EqualTo(WdStatuses.CanceledByClient));
            Assert.That(i.Status, Is.EqualTo(InstanceStatus.Completed));
            Assert.That(h.Host.OpenTasks(i.Id), Is.Empty);
            Assert.That(h.Ledger.Operations(), Is.Empty);
        });
    }

    [TestCase("cs_new", RejectAndClose, WdStatuses.Rejected)]
    [TestCase("bo_approved", Complete, WdStatuses.Completed)]
    [TestCase("cs_new", null, WdStatuses.CanceledByClient)]
    public async Task Client_cancel_and_mass_edit_are_refused_once_final(string task, string? action, string final)
    {
        var h = new WdHarness();
        var i = await h.ReachAsync(task);
        i = action is null ? await h.InterruptAsync(i, WdEvents.ClientCancel) : await h.ActAsync(i, action);
        Assert.That(i.BusinessStatus, Is.EqualTo(final));
        foreach (var e in new[] { WdEvents.ClientCancel, WdEvents.MassEditToDealing, WdEvents.MassEditToBackoffice })
        {
            await Assert.ThrowsAsync<WorkflowConflictException>(() => h.InterruptAsync(i, e, WdActors.Supervisor1));
        }
        Assert.That(await h.Host.SendEventAsync(WdEvents.ClientCancel, i.CorrelationId!), Is.Zero);
    }

    [Test]
    public async Task Partially_completed_is_final_too()
    {
        var h = new WdHarness();
        var i = await h.ReachAsync("bo_approved");
        await h.ChangeTransactionsAsync(i, s => WdTransactions.Edit(s, Withdrawal(s).Id, new(40m, WdPaymentType.CreditCard)));
        i = await h.ActAsync(h.Get(i.Id), Complete);
        Assert.That(i.BusinessStatus, Is.EqualTo(WdStatuses.PartiallyCompleted));
        await Assert.ThrowsAsync<WorkflowConflictException>(() => h.InterruptAsync(i, WdEvents.ClientCancel));
        var edit = WdTransactions.Add(WdHarness.Scope(i), "late", new(10m, WdPaymentType.CreditCard));
        Assert.That(edit.Violation, Is.EqualTo(WdRuleViolation.NotAllowedNow));
    }

    /// <summary>A ledger that is down: the execution job fails until its retries run out and waits as an incident.</summary>
    private sealed class DownLedger(ILedger inner) : ILedger
    {
        public Task<string?> GetLastDepositMethodAsync(string account, CancellationToken cancellationToken) => inner.GetLastDepositMethodAsync(account, cancellationToken);

        public Task<TradingAccount?> GetAccountAsync(string account, CancellationToken cancellationToken) => inner.GetAccountAsync(account, cancellationToken);

        public Task<BalanceOperationResult> ApplyBalanceOperationAsync(BalanceOperationRequest request, CancellationToken cancellationToken) =>
            throw new TimeoutException("The trading platform does not answer.");
    }

    [Test]
    public async Task While_complete_executes_client_cancel_mass_edit_and_transaction_edits_are_refused()
    {
        var h = new WdHarness(ledgerFactory: sandbox => new DownLedger(sandbox));
        var i = await h.ReachAsync("bo_approved");
        i = await h.ActAsync(i, Complete);
        Assert.That(h.Host.Incidents, Has.Count.EqualTo(1));
        Assert.That(i.Variables["executing"], Is.True);
        await Assert.ThrowsAsync<WorkflowConflictException>(() => h.InterruptAsync(i, WdEvents.ClientCancel));
        await Assert.ThrowsAsync<WorkflowConflictException>(() => h.InterruptAsync(i, WdEvents.MassEditToDealing, WdActors.Supervisor1));
        Assert.That(WdTransactions.Delete(WdHarness.Scope(i), WdHarness.Transactions(i)[0].Id).Error, Does.Contain("being executed"));
    }

    public static IEnumerable<TestCaseData> MassEdits() =>
        WdHarness.TaskIds.SelectMany(t => new[] { WdDepartments.Dealing, WdDepartments.Backoffice }.Select(d => new TestCaseData(t, d).SetArgDisplayNames(t, d)));

    [TestCaseSource(nameof(MassEdits))]
    public async Task Mass_edit_moves_only_eligible_requests(string task, string department)
    {
        var h = new WdHarness();
        var i = await h.ReachAsync(task);
        var eligible = WdMassEdit.IsEligible(i.BusinessStatus, i.Department);
        Assert.That(eligible, Is.EqualTo(!task.StartsWith("bo_", StringComparison.Ordinal)), "Backoffice holds every bo_ task; none of the others is approved by Dealing or Backoffice");
        if (!eligible)
        {
            await Assert.ThrowsAsync<WorkflowConflictException>(() => h.InterruptAsync(i, WdEvents.MassEditTo(department), WdActors.Supervisor1));
            Assert.That(h.OpenTask(h.Get(i.Id)).ActivityId, Is.EqualTo(task));
            return;
        }
        i = await h.InterruptAsync(i, WdEvents.MassEditTo(department), WdActors.Supervisor1);
        var expected = department == WdDepartments.Dealing ? WdStatuses.ForwardedToDealing : WdStatuses.ForwardedToBackoffice;
        Assert.That((i.BusinessStatus, i.Department, h.OpenTask(i).Department), Is.EqualTo((expected, department, department)));
        Assert.That(h.Host.Journal(i.Id).Where(j => j.Kind == JournalKinds.Interrupted).Select(j => j.UserId), Has.Some.EqualTo("supervisor1"));
    }

    [TestCase("cs_new", 4)]
    [TestCase("ret_cs", 8)]
    [TestCase("dea_ret", 8)]
    [TestCase("bo_dea", 24)]
    [TestCase("bo_approved", 24)]
    public async Task Sla_flags_the_task_overdue_and_raises_its_priority(string task, int hours)
    {
        var h = new WdHarness();
        var i = await h.ReachAsync(task);
        var opened = h.OpenTask(i);
        Assert.That(opened.DueAt, Is.EqualTo(WdHarness.T0.AddHours(hours)));

        h.Clock.Advance(TimeSpan.FromHours(hours) - TimeSpan.FromMinutes(1));
        Assert.That(await h.Host.FireDueTimersAsync(), Is.Zero);
        Assert.That(h.OpenTask(i).Overdue, Is.False);

        h.Clock.Advance(TimeSpan.FromMinutes(2));
        Assert.That(await h.Host.FireDueTimersAsync(), Is.EqualTo(1));
        var overdue = h.OpenTask(i);
        Assert.Multiple(() =>
        {
            Assert.That(overdue.Id, Is.EqualTo(opened.Id), "flagged, not escalated");
            Assert.That(overdue.Overdue, Is.True);
            Assert.That(overdue.Priority, Is.EqualTo(opened.Priority + 1));
            Assert.That(h.Host.Journal(i.Id).Select(j => j.Kind), Has.Some.EqualTo(JournalKinds.TaskOverdue));
        });
    }

    [Test]
    public async Task Sla_timer_of_a_task_left_in_time_never_fires()
    {
        var h = new WdHarness();
        var i = await h.ReachAsync("cs_new");
        i = await h.ActAsync(i, PassToRetention);
        h.Clock.Advance(TimeSpan.FromHours(5));
        await h.Host.FireDueTimersAsync();
        Assert.That(h.OpenTask(i).Overdue, Is.False, "the CS SLA went with the CS task; Retention has 8h");
    }
}
