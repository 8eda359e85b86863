using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Wd;

namespace ApprovalEngine.Flows.Tests;

public class WdAmountsTests
{
    private static readonly TradingAccount Account = new("A", "C", "USD", Balance: 10_000m, Equity: 10_500m, Margin: 2_000m, FreeMargin: 8_500m, Credit: 300m, OpenTrades: 2);

    private static readonly WdRequestAmount[] Others =
    [
        new(WdStatuses.New, 100m), new(WdStatuses.AwaitingDocs, 200m), new(WdStatuses.ApprovedByCS, 300m), new(WdStatuses.ApprovedByRetention, 400m),
        new(WdStatuses.ApprovedByDealing, 1_000m), new(WdStatuses.ApprovedByBackoffice, 1_000m), new(WdStatuses.Completed, 1_000m),
        new(WdStatuses.Rejected, 1_000m), new(WdStatuses.ForwardedToDealing, 1_000m), new(WdStatuses.CanceledByClient, 1_000m),
    ];

    [Test]
    public void Open_requests_are_new_awaiting_docs_approved_by_cs_or_retention() =>
        Assert.That(WdAmounts.SumOfOpenRequests(Others), Is.EqualTo(1_000m));

    // Margin: Available = FreeMargin − open = 8500 − 1000; Recommended = Equity − Margin × level / 100 − open.
    // EquityMinusCredit: both = (10500 − 300) − 1000.
    [TestCase(WdAmountFormula.Margin, 100, "7500", "7500")]
    [TestCase(WdAmountFormula.Margin, 150, "7500", "6500")]
    [TestCase(WdAmountFormula.EquityMinusCredit, 100, "9200", "9200")]
    public void Available_and_recommended_amounts(WdAmountFormula formula, int minimumLevel, string available, string recommended)
    {
        var settings = new WdSettings(formula, minimumLevel);
        var open = WdAmounts.SumOfOpenRequests(Others);
        Assert.That(WdAmounts.Available(Account, open, settings), Is.EqualTo(decimal.Parse(available, System.Globalization.CultureInfo.InvariantCulture)));
        Assert.That(WdAmounts.Recommended(Account, open, settings), Is.EqualTo(decimal.Parse(recommended, System.Globalization.CultureInfo.InvariantCulture)));
    }

    [Test]
    public void Amounts_are_not_clamped_below_zero() =>
        Assert.That(WdAmounts.Available(Account with { FreeMargin = 50m }, 100m), Is.EqualTo(-50m));

    [TestCase(1_000, 1_000, "100")]
    [TestCase(1_000, 3_000, "33.33")]
    [TestCase(99_996, 100_000, "99.99")]
    [TestCase(500, 0, null)]
    public void Margin_level(decimal equity, decimal margin, string? expected) =>
        Assert.That(WdAmounts.MarginLevel(equity, margin), Is.EqualTo(expected is null ? null : decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture)));

    [TestCase("100", "500", "USD", "ok", null, null)]
    [TestCase("500", "500", "USD", "ok", "requestedAmount", "less than the available amount")]
    [TestCase("0", "500", "USD", "ok", "requestedAmount", "greater than zero")]
    [TestCase("10.001", "500", "USD", "ok", "requestedAmount", "more than 2 decimal places")]
    [TestCase("0.00000001", "500", "BTC", "ok", null, null)]
    [TestCase("100", "500", "USD", " ", "comment", "comment is required")]
    [TestCase("10.5", "500", "JPY", "ok", "requestedAmount", "more than 0 decimal places")]
    [TestCase("1.005", "500", "KWD", "ok", null, null)]
    public void New_request_validation(string requested, string available, string currency, string comment, string? field, string? message)
    {
        var errors = WdAmounts.ValidateNewRequest(decimal.Parse(requested, System.Globalization.CultureInfo.InvariantCulture), decimal.Parse(available, System.Globalization.CultureInfo.InvariantCulture), currency, comment);
        if (field is null)
        {
            Assert.That(errors, Is.Empty);
            return;
        }
        Assert.That(errors.Keys, Is.EquivalentTo(new[] { field }));
        Assert.That(errors[field][0], Does.Contain(message));
    }
}

public class WdTransactionsTests
{
    [Test]
    public void Backoffice_may_change_a_draft_withdrawal_to_another_withdrawal_type()
    {
        var scope = new WdTransactionScope(WdStatuses.ApprovedByBackoffice, 100m, "USD", [new WdTransaction { Id = "w", Amount = 100m, PaymentType = WdPaymentType.WireTransfer }]);
        var result = WdTransactions.Edit(scope, "w", new(100m, WdPaymentType.CreditCard));
        Assert.That(result.Ok, Is.True, result.Error);
        Assert.That(result.Transactions.Single().PaymentType, Is.EqualTo(WdPaymentType.CreditCard));
    }

    [TestCase("WireTransfer", WdPaymentType.WireTransfer)]
    [TestCase("SettlementCreditCard", WdPaymentType.SettlementCreditCard)]
    [TestCase("CreditCard", WdPaymentType.CreditCard)]
    [TestCase(null, WdPaymentType.CreditCard)]
    [TestCase("Fee", WdPaymentType.CreditCard)]
    [TestCase("Crypto", WdPaymentType.CreditCard)]
    [TestCase("wiretransfer", WdPaymentType.CreditCard)]
    public void The_withdrawal_defaults_to_the_last_deposit_method(string? method, WdPaymentType expected) =>
        Assert.That(WdPaymentTypes.FromLastDeposit(method), Is.EqualTo(expected));

    private static readonly string[] WithdrawalAndFee = ["w", "f"];
    private static readonly WdTransaction Withdrawal = new() { Id = "w", Amount = 95m, PaymentType = WdPaymentType.WireTransfer, BankDetails = "IBAN 1" };
    private static readonly WdTransaction FeeTx = new() { Id = "f", Amount = 5m, PaymentType = WdPaymentType.Fee };
    private static readonly WdTransaction Executed = new() { Id = "x", Amount = 10m, PaymentType = WdPaymentType.CreditCard, Status = WdTransactionStatus.Executed, TradeId = 7 };

    private static WdTransactionScope Scope(string status = WdStatuses.ApprovedByBackoffice, bool executing = false, params WdTransaction[] transactions) =>
        new(status, 100m, "USD", transactions.Length == 0 ? [Withdrawal, FeeTx] : transactions, executing);

    public static IEnumerable<TestCaseData> Refusals()
    {
        static TestCaseData Case(string name, Func<WdTransactionResult> act, WdRuleViolation violation, string message, string? field = null) =>
            new TestCaseData(act, violation, message, field).SetArgDisplayNames(name);

        var card = new WdTransactionInput(1m, WdPaymentType.CreditCard);
        foreach (var status in new[] { WdStatuses.New, WdStatuses.ApprovedByDealing, WdStatuses.ForwardedToBackoffice })
        {
            yield return Case($"add in {status}", () => WdTransactions.Add(Scope(status), "n", card), WdRuleViolation.NotAllowedNow, "only when the request is ApprovedByBackoffice");
        }
        foreach (var status in WdStatuses.Final)
        {
            yield return Case($"add in {status}", () => WdTransactions.Add(Scope(status), "n", card), WdRuleViolation.NotAllowedNow, "cannot be added, edited or deleted");
            yield return Case($"edit in {status}", () => WdTransactions.Edit(Scope(status), "w", new(90m, WdPaymentType.WireTransfer, BankDetails: "b")), WdRuleViolation.NotAllowedNow, "cannot be added, edited or deleted");
            yield return Case($"delete in {status}", () => WdTransactions.Delete(Scope(status), "w"), WdRuleViolation.NotAllowedNow, "cannot be added, edited or deleted");
        }
        yield return Case("while executing", () => WdTransactions.Delete(Scope(executing: true), "w"), WdRuleViolation.NotAllowedNow, "being executed");
        yield return Case("zero amount", () => WdTransactions.Add(Scope(), "n", new(0m, WdPaymentType.CreditCard)), WdRuleViolation.Invalid, "greater than zero", "amount");
        yield return Case("negative amount", () => WdTransactions.Add(Scope(), "n", new(-1m, WdPaymentType.CreditCard)), WdRuleViolation.Invalid, "greater than zero", "amount");
        yield return Case("3 decimals", () => WdTransactions.Edit(Scope(), "w", new(1.234m, WdPaymentType.WireTransfer, BankDetails: "b")), WdRuleViolation.Invalid, "more than 2 decimal places", "amount");
        yield return Case("wire without bank details", () => WdTransactions.Add(Scope(transactions: FeeTx), "n", new(10m, WdPaymentType.WireTransfer)), WdRuleViolation.Invalid, "Bank details are required", "bankDetails");
        yield return Case("settlement wire without bank details", () => WdTransactions.Add(Scope(transactions: FeeTx), "n", new(10m, WdPaymentType.SettlementWireTransfer, BankDetails: " ")), WdRuleViolation.Invalid, "Bank details are required", "bankDetails");
        yield return Case("withdrawal into fee", () => WdTransactions.Edit(Scope(), "w", new(95m, WdPaymentType.Fee)), WdRuleViolation.Invalid, "cannot be changed into the fee", "paymentType");
        yield return Case("change to wire without bank details", () => WdTransactions.Edit(Scope(transactions: [new WdTransaction { Id = "c", Amount = 10m, PaymentType = WdPaymentType.CreditCard }]), "c", new(10m, WdPaymentType.SettlementWireTransfer)), WdRuleViolation.Invalid, "Bank details are required", "bankDetails");
        yield return Case("edit fee", () => WdTransactions.Edit(Scope(), "f", new(4m, WdPaymentType.Fee)), WdRuleViolation.NotAllowedNow, "fee cannot be edited");
        yield return Case("delete fee", () => WdTransactions.Delete(Scope(), "f"), WdRuleViolation.NotAllowedNow, "fee cannot be deleted");
        yield return Case("second fee", () => WdTransactions.Add(Scope(transactions: FeeTx), "n", new(1m, WdPaymentType.Fee)), WdRuleViolation.Invalid, "already has a fee", "paymentType");
        yield return Case("edit executed", () => WdTransactions.Edit(Scope(transactions: Executed), "x", new(5m, WdPaymentType.CreditCard)), WdRuleViolation.NotAllowedNow, "executed");
        yield return Case("delete executed", () => WdTransactions.Delete(Scope(transactions: Executed), "x"), WdRuleViolation.NotAllowedNow, "executed");
        yield return Case("unknown id", () => WdTransactions.Delete(Scope(), "nope"), WdRuleViolation.NotFound, "No transaction 'nope'");
        yield return Case("total above requested", () => WdTransactions.Add(Scope(), "n", new(0.01m, WdPaymentType.CreditCard)), WdRuleViolation.Invalid, "more than the requested amount", "amount");
    }

    [TestCaseSource(nameof(Refusals))]
    public void Refused_changes_say_why_and_leave_the_list(Func<WdTransactionResult> act, WdRuleViolation violation, string message, string? field)
    {
        var result = act();
        Assert.Multiple(() =>
        {
            Assert.That(result.Ok, Is.False);
            Assert.That(result.Violation, Is.EqualTo(violation));
            Assert.That(result.Error, Does.Contain(message));
            Assert.That(result.Field, Is.EqualTo(field));
        });
    }

    [Test]
    public void Allowed_changes_in_approved_by_backoffice()
    {
        var edited = WdTransactions.Edit(Scope(), "w", new(60m, WdPaymentType.WireTransfer, Oct: true, BankDetails: " IBAN 2 "));
        Assert.That(edited.Ok, Is.True, edited.Error);
        Assert.That(edited.Transactions.Single(t => t.Id == "w"), Is.EqualTo(Withdrawal with { Amount = 60m, Oct = true, BankDetails = "IBAN 2" }));

        var added = WdTransactions.Add(Scope(transactions: [.. edited.Transactions]), "s", new(35m, WdPaymentType.SettlementCreditCard));
        Assert.That(added.Ok, Is.True, added.Error);
        Assert.That(added.Transactions.Sum(t => t.Amount), Is.EqualTo(100m));

        var deleted = WdTransactions.Delete(Scope(transactions: [.. added.Transactions]), "s");
        Assert.That(deleted.Transactions.Select(t => t.Id), Is.EqualTo(WithdrawalAndFee));
    }

    [TestCase(0, 1)]
    [TestCase(5, 2)]
    public void Approve_drafts_withdrawal_minus_fee_plus_fee(decimal fee, int count)
    {
        var n = 0;
        var drafts = WdTransactions.CreateDrafts(100m, fee, "USD", WdPaymentType.CreditCard, null, () => $"t{++n}");
        Assert.That(drafts, Has.Count.EqualTo(count));
        Assert.That(drafts[0], Is.EqualTo(new WdTransaction { Id = "t1", Amount = 100m - fee, PaymentType = WdPaymentType.CreditCard }));
        Assert.That(drafts.Sum(t => t.Amount), Is.EqualTo(100m));
        if (fee > 0) Assert.That(drafts[1], Is.EqualTo(new WdTransaction { Id = "t2", Amount = fee, PaymentType = WdPaymentType.Fee }));
    }

    [TestCase(100)]
    [TestCase(-1)]
    public void Approve_drafts_refuse_a_fee_that_is_negative_or_not_below_the_amount(decimal fee) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => WdTransactions.CreateDrafts(100m, fee, "USD", WdPaymentType.CreditCard, null, () => "id"));

    [Test]
    public void Transactions_round_trip_through_the_variable()
    {
        var list = new[] { Withdrawal, FeeTx, Executed with { ExecutedAt = new DateTimeOffset(2026, 1, 2, 3, 4, 5, TimeSpan.Zero) } };
        var value = WdTransactions.ToVariable(list);
        Assert.That(value, Is.InstanceOf<IReadOnlyList<object?>>());
        Assert.That(WdTransactions.FromVariable(value), Is.EqualTo(list));
        Assert.That(WdTransactions.FromVariable(null), Is.Empty);
    }
}

public class WdCompletionTests
{
    private static WdTransaction Tx(decimal amount, WdPaymentType type = WdPaymentType.CreditCard, bool executed = true, string? bank = null) =>
        new() { Id = Guid.NewGuid().ToString(), Amount = amount, PaymentType = type, BankDetails = bank, Status = executed ? WdTransactionStatus.Executed : WdTransactionStatus.Draft };

    public static IEnumerable<TestCaseData> Cases()
    {
        static TestCaseData Case(string name, WdTransaction[] txs, WdCompletionOutcome outcome, string? reason = null) =>
            new TestCaseData(txs, outcome, reason).SetArgDisplayNames(name);

        yield return Case("withdrawal + fee = requested", [Tx(95m), Tx(5m, WdPaymentType.Fee)], WdCompletionOutcome.Completed);
        yield return Case("withdrawal = requested", [Tx(100m)], WdCompletionOutcome.Completed);
        yield return Case("less, with a withdrawal", [Tx(50m), Tx(5m, WdPaymentType.Fee)], WdCompletionOutcome.PartiallyCompleted);
        yield return Case("less, no fee", [Tx(1m)], WdCompletionOutcome.PartiallyCompleted);
        yield return Case("only the fee", [Tx(5m, WdPaymentType.Fee)], WdCompletionOutcome.NotCompletable, "Only the fee");
        yield return Case("nothing", [], WdCompletionOutcome.NotCompletable, "nothing executed");
        yield return Case("drafts do not count", [Tx(100m, executed: false)], WdCompletionOutcome.NotCompletable, "nothing executed");
        yield return Case("more than requested", [Tx(101m)], WdCompletionOutcome.NotCompletable, "more than the requested amount");
    }

    [TestCaseSource(nameof(Cases))]
    public void Evaluate(WdTransaction[] transactions, WdCompletionOutcome outcome, string? reason)
    {
        var result = WdCompletion.Evaluate(100m, transactions);
        Assert.That(result.Outcome, Is.EqualTo(outcome));
        if (reason is null) Assert.That(result.Reason, Is.Null);
        else Assert.That(result.Reason, Does.Contain(reason));
    }

    [Test]
    public void Plan_counts_drafts_and_needs_bank_details_for_wires()
    {
        Assert.That(WdCompletion.Plan(100m, [Tx(95m, executed: false), Tx(5m, WdPaymentType.Fee, executed: false)]).Outcome, Is.EqualTo(WdCompletionOutcome.Completed));
        var noBank = WdCompletion.Plan(100m, [Tx(100m, WdPaymentType.WireTransfer, executed: false)]);
        Assert.That((noBank.Outcome, noBank.Reason), Is.EqualTo((WdCompletionOutcome.NotCompletable, noBank.Reason)));
        Assert.That(noBank.Reason, Does.Contain("no bank details"));
        Assert.That(WdCompletion.Plan(100m, [Tx(100m, WdPaymentType.WireTransfer, executed: false, bank: "IBAN")]).IsCompletable, Is.True);
    }
}

public class WdMassEditTests
{
    public static IEnumerable<TestCaseData> Cases() =>
        from status in WdStatuses.All
        from department in WdDepartments.All
        select new TestCaseData(status, department,
            !WdStatuses.IsFinal(status) && status is not (WdStatuses.ApprovedByBackoffice or WdStatuses.ApprovedByDealing) && department != WdDepartments.Backoffice)
            .SetArgDisplayNames(status, department);

    [TestCaseSource(nameof(Cases))]
    public void Eligibility(string status, string department, bool eligible)
    {
        Assert.That(WdMassEdit.IsEligible(status, department), Is.EqualTo(eligible));
        Assert.That(WdMassEdit.Refusal(status, department), eligible ? Is.Null : Is.Not.Empty);
    }

    [TestCase(WdDepartments.CS)]
    [TestCase("Finance")]
    public void Mass_edit_reassigns_only_to_dealing_or_backoffice(string department) =>
        Assert.Throws<ArgumentException>(() => WdEvents.MassEditTo(department));
}

public class InMemorySandboxLedgerTests
{
    private static InMemorySandboxLedger Ledger()
    {
        var ledger = new InMemorySandboxLedger(new Workflows.Hosting.ManualClock(new DateTimeOffset(2026, 1, 1, 0, 0, 0, TimeSpan.Zero)));
        ledger.SetAccount(new TradingAccount("A", "C", "USD", 100m, 100m, 0m, 100m, 0m, 0));
        return ledger;
    }

    [TestCase("B", "-1", "USD", BalanceOperationRefusal.UnknownAccount, "Unknown trading account")]
    [TestCase("A", "-1", "EUR", BalanceOperationRefusal.CurrencyMismatch, "is in USD")]
    [TestCase("A", "-100.01", "USD", BalanceOperationRefusal.InsufficientBalance, "Insufficient balance")]
    [TestCase("A", "0", "USD", BalanceOperationRefusal.InvalidRequest, "non-zero")]
    public async Task Refuses(string account, string amount, string currency, BalanceOperationRefusal refusal, string message)
    {
        var ledger = Ledger();
        var result = await ledger.ApplyBalanceOperationAsync(new(account, decimal.Parse(amount, System.Globalization.CultureInfo.InvariantCulture), currency, "c", "k"), CancellationToken.None);
        Assert.Multiple(() =>
        {
            Assert.That(result.IsApplied, Is.False);
            Assert.That(result.Refusal, Is.EqualTo(refusal));
            Assert.That(result.Reason, Does.Contain(message));
            Assert.That(ledger.Operations(), Is.Empty);
            Assert.That(ledger.FindAccount("A")!.Balance, Is.EqualTo(100m));
        });
    }

    [Test]
    public async Task Same_key_returns_the_first_operation_and_a_different_request_under_it_is_refused()
    {
        var ledger = Ledger();
        var first = await ledger.ApplyBalanceOperationAsync(new("A", -10m, "USD", "c", "k"), CancellationToken.None);
        var again = await ledger.ApplyBalanceOperationAsync(new("A", -10m, "USD", "c", "k"), CancellationToken.None);
        Assert.That(again.Operation, Is.EqualTo(first.Operation));
        Assert.That(ledger.FindAccount("A")!.Balance, Is.EqualTo(90m));
        var conflict = await ledger.ApplyBalanceOperationAsync(new("A", -20m, "USD", "c", "k"), CancellationToken.None);
        Assert.That(conflict.Refusal, Is.EqualTo(BalanceOperationRefusal.KeyConflict));
        Assert.That(ledger.FindAccount("A")!.Balance, Is.EqualTo(90m));
    }

    [Test]
    public async Task Is_thread_safe()
    {
        var ledger = Ledger();
        await Task.WhenAll(Enumerable.Range(0, 200).Select(n => Task.Run(() => ledger.ApplyBalanceOperationAsync(new("A", -0.5m, "USD", "c", $"k{n % 100}"), CancellationToken.None))));
        Assert.That(ledger.Operations(), Has.Count.EqualTo(100));
        Assert.That(ledger.FindAccount("A")!.Balance, Is.EqualTo(50m));
    }
}
