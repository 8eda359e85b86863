using ApprovalEngine.Server.Features.Crypto.Records;
using ApprovalEngine.Server.Infrastructure;
using Microsoft.Extensions.Primitives;

namespace ApprovalEngine.Server.Tests.Crypto;

/// <summary>The records' pure rules by table: amount text with the coin's precision, and the filter's parsing.</summary>
public sealed class CryptoRecordRulesTests
{
    [TestCase("0.25", 8, "0.25000000")]
    [TestCase("0.1", 18, "0.100000000000000000")]
    [TestCase("5", 6, "5.000000")]
    [TestCase("5", 0, "5")]
    [TestCase("123456789.12345678", 8, "123456789.12345678")]
    [TestCase("0.123456789", 8, "0.123456789")] // more places than the coin allows (an old record): never rounded away
    [TestCase("1.50000", null, "1.5")]
    [TestCase("2", -1, "2")]
    public void Amounts_are_shown_with_the_coins_precision(string value, int? decimals, string expected) =>
        Assert.That(CryptoAmounts.Format(decimal.Parse(value, System.Globalization.CultureInfo.InvariantCulture), decimals), Is.EqualTo(expected));

    [TestCase("status=credited", "Credited")]
    [TestCase("status=Refund%20Confirming", "Refund Confirming")]
    [TestCase("status=", null)]
    public void Status_names_are_the_manuals_in_its_spelling(string query, string? expected)
    {
        var filter = CryptoRecordFilter.Parse(Query(query), CryptoRecordKind.Deposits, paged: true);
        Assert.That(filter.Status, Is.EqualTo(expected));
    }

    [TestCase("createdFrom=2026-12-01T00:00:00Z", "2026-12-01T00:00:00.0000000+00:00")]
    [TestCase("createdFrom=2026-12-01T08:00:00%2B08:00", "2026-12-01T00:00:00.0000000+00:00")]
    [TestCase("createdFrom=2026-12-01T08:00:00.123-01:00", "2026-12-01T09:00:00.1230000+00:00")]
    public void Times_are_read_with_their_offset_and_kept_in_UTC(string query, string expected) =>
        Assert.That(CryptoRecordFilter.Parse(Query(query), CryptoRecordKind.Withdrawals, paged: true).CreatedFrom!.Value.ToString("O"), Is.EqualTo(expected));

    [TestCase("page=2&pageSize=10", 2, 10)]
    [TestCase("", 1, 50)]
    public void Paging_defaults_and_bounds(string query, int page, int size)
    {
        var filter = CryptoRecordFilter.Parse(Query(query), CryptoRecordKind.Withdrawals, paged: true);
        Assert.That((filter.Page, filter.PageSize), Is.EqualTo((page, size)));
    }

    [TestCase("coin=btc%20x", "coin")]
    [TestCase("recordNo=" + "12345678901234567890123456789012345678901234567890123456789012345", "recordNo")]
    [TestCase("CREATEDFROM=2026-12-01", "createdFrom")]
    [TestCase("page=-1", "page")]
    public void Malformed_values_name_their_parameter(string query, string field)
    {
        var ex = Assert.Throws<ApiProblemException>(() => CryptoRecordFilter.Parse(Query(query), CryptoRecordKind.Withdrawals, paged: true));
        Assert.That((ex!.Status, ex.Errors.Keys.Single()), Is.EqualTo((400, field)));
    }

    private static IEnumerable<KeyValuePair<string, StringValues>> Query(string query) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(query);
}
