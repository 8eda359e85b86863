using ApprovalEngine.Server.Features.Fiat.Bank;

namespace ApprovalEngine.Server.Tests.Fiat.Bank;

/// <summary>The automatic matching rules as a table: one case per edge (docs/fiat-bank.md, "Matching rules").</summary>
public sealed class FiatMatcherTests
{
    private const string Channel = "ICBC-001-FPS";
    private static readonly DateOnly Paid = new(2026, 12, 1);
    private static readonly Guid R1 = Guid.Parse("00000000-0000-0000-0000-0000000000a1");
    private static readonly Guid R2 = Guid.Parse("00000000-0000-0000-0000-0000000000a2");
    private static readonly Guid E1 = Guid.Parse("00000000-0000-0000-0000-0000000000e1");
    private static readonly Guid E2 = Guid.Parse("00000000-0000-0000-0000-0000000000e2");

    private static MatchRecord Record(Guid id, string recordNo = "FW-1", decimal amount = 1_000m, string currency = "HKD", string? bankReference = "BANK-1",
        DateOnly? paid = null, string status = "Unmatch", string channel = Channel) =>
        new(id, recordNo, channel, amount, currency, bankReference, paid ?? Paid, status);

    private static MatchEntry Entry(Guid id, string? reference = "FW-1", decimal amount = 1_000m, string currency = "HKD", int bookedAfter = 0,
        string direction = "Debit", string entryId = "STMT-1", string status = "Unmatch", bool deleted = false, string channel = Channel) =>
        new(id, channel, entryId, direction, amount, currency, Paid.AddDays(bookedAfter), reference, status, deleted);

    public static IEnumerable<TestCaseData> Cases()
    {
        TestCaseData Case(string name, MatchEntry[] entries, MatchRecord[] records, string? expected, string? reasonOrLeft = null) =>
            new TestCaseData(entries, records, expected, reasonOrLeft).SetName(name);

        yield return Case("exact reference, amount, currency and day: Matched", [Entry(E1)], [Record(R1)], "Matched");
        yield return Case("the bank's entry id is the record's bank reference: Matched", [Entry(E1, reference: null, entryId: "BANK-1")], [Record(R1)], "Matched");
        yield return Case("the end-to-end id is the bank reference: Matched", [Entry(E1, reference: "BANK-1")], [Record(R1)], "Matched");
        yield return Case("a negative debit (the bank's sign) matches on its absolute amount",
            [Entry(E1, amount: new ParsedEntry(1, "STMT-1", Paid, -1_000m, "HKD", "Debit", "FW-1", null, null).Amount)], [Record(R1)], "Matched");
        yield return Case("amount differs: Discrepancy with the amounts", [Entry(E1, amount: 999.99m)], [Record(R1)], "Discrepancy",
            "Amount 999.99 on the statement, 1000 on the record.");
        yield return Case("currency differs: Discrepancy with the currencies", [Entry(E1, currency: "USD")], [Record(R1)], "Discrepancy",
            "Currency USD on the statement, HKD on the record.");
        yield return Case("booked on the last day of the window: Matched", [Entry(E1, bookedAfter: 3)], [Record(R1)], "Matched");
        yield return Case("booked the day before the window's start: Matched", [Entry(E1, bookedAfter: -3)], [Record(R1)], "Matched");
        yield return Case("booked one day after the window: left", [Entry(E1, bookedAfter: 4)], [Record(R1)], null, "more than 3 days");
        yield return Case("booked one day before the window: left", [Entry(E1, bookedAfter: -4)], [Record(R1)], null, "more than 3 days");
        yield return Case("a credit is never a withdrawal: left", [Entry(E1, direction: "Credit")], [Record(R1)], null, "credit");
        yield return Case("no reference: left for manual tagging, never guessed by amount", [Entry(E1, reference: null, entryId: "X-9")], [Record(R1)], null, "reference");
        yield return Case("the reference fits two records: left", [Entry(E1, reference: "FW-1", entryId: "BANK-2")],
            [Record(R1), Record(R2, recordNo: "FW-2", bankReference: "BANK-2")], null, "2 records");
        yield return Case("the record is not in Unmatch: left", [Entry(E1)], [Record(R1, status: "Completed")], null, "reference");
        yield return Case("the record is on another channel: left", [Entry(E1)], [Record(R1, channel: "HSBC-002-WIRE")], null, "reference");
        yield return Case("an entry already matched is not matched again", [Entry(E1, status: "Matched")], [Record(R1)], null);
        yield return Case("a deleted duplicate is not matched", [Entry(E1, deleted: true)], [Record(R1)], null);
        yield return Case("an entry awaiting a tag's confirmation is not matched automatically", [Entry(E1, status: "PendingConfirmation")], [Record(R1)], null);
    }

    [TestCaseSource(nameof(Cases))]
    public void One_entry(MatchEntry[] entries, MatchRecord[] records, string? expected, string? reasonOrLeft)
    {
        var outcome = FiatMatcher.Match(entries, records, windowDays: 3);

        if (expected is null)
        {
            Assert.That(outcome.Proposals, Is.Empty);
            if (reasonOrLeft is not null) Assert.That(outcome.Left[E1], Does.Contain(reasonOrLeft));
            else Assert.That(outcome.Left, Does.Not.ContainKey(E1));
            return;
        }
        var proposal = outcome.Proposals.Single();
        Assert.Multiple(() =>
        {
            Assert.That(proposal.Result, Is.EqualTo(expected));
            Assert.That(proposal.EntryId, Is.EqualTo(E1));
            Assert.That(proposal.RecordNo, Is.EqualTo("FW-1"));
            if (reasonOrLeft is not null) Assert.That(proposal.Reasons, Is.EqualTo(new[] { reasonOrLeft }));
            else Assert.That(proposal.Reasons, Is.Empty);
        });
    }

    [Test]
    public void Two_debits_claiming_one_record_propose_the_earlier_and_leave_the_other()
    {
        var outcome = FiatMatcher.Match([Entry(E2, entryId: "STMT-2", bookedAfter: 1), Entry(E1, entryId: "STMT-1")], [Record(R1)], windowDays: 3);

        Assert.Multiple(() =>
        {
            Assert.That(outcome.Proposals.Single().EntryId, Is.EqualTo(E1));
            Assert.That(outcome.Left[E2], Does.Contain("already goes with entry STMT-1"));
        });
    }

    [Test]
    public void A_window_of_zero_days_wants_the_payment_day_itself()
    {
        Assert.Multiple(() =>
        {
            Assert.That(FiatMatcher.Match([Entry(E1)], [Record(R1)], 0).Proposals, Has.Count.EqualTo(1));
            Assert.That(FiatMatcher.Match([Entry(E1, bookedAfter: 1)], [Record(R1)], 0).Proposals, Is.Empty);
        });
    }
}
