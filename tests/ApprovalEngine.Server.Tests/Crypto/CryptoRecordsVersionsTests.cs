using System.Net;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Crypto;

/// <summary>
/// Records across definition versions and on the embedded SQLite default: a deposit started on version 1 is listed,
/// filtered, shown and exported next to one on version 2, and the read rule of the current version covers both (ADR 16).
/// </summary>
public sealed class CryptoRecordsVersionsTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(30);
    private static readonly string[] OnlySqliteRecord = ["CDR-SQLITE"];

    private static async Task<string> DepositAsync(ApiFactory factory, string recordNo, string customer)
    {
        var started = await factory.AsSystem().PostObjectAsync("/api/definitions/crypto-deposit/instances", new
        {
            correlationId = recordNo,
            input = new { recordNo, securitiesAccount = customer, coin = "BTC", network = "BTC", amount = 0.3m, txid = $"tx-{recordNo}" },
        });
        var id = started.Text("id");
        Assert.That(await ApiAssert.EventuallyAsync(async () =>
            (await factory.AsSystem().GetObjectAsync($"/api/crypto/deposits/{id}"))["record"].Text("status") == "Wallet Address Under Verification", Bound), Is.True);
        return id;
    }

    private static string RepositoryFile(string relative)
    {
        var dir = new DirectoryInfo(TestContext.CurrentContext.TestDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "ApprovalEngine.sln"))) dir = dir.Parent;
        return Path.Combine(dir!.FullName, relative);
    }

    [Test]
    public async Task A_record_of_an_older_version_is_listed_shown_and_exported_with_new_ones_under_the_current_versions_read_rule()
    {
        await using var factory = await ApiFactory.PostgresAsync();
        var old = await DepositAsync(factory, "CDR-V1", "SA-VERSIONS");

        // Version 2 narrows who reads deposits to the checkers (workorders:approve): maker1 (submit, Operations) loses them.
        var v2 = JsonNode.Parse(await File.ReadAllTextAsync(RepositoryFile("workflows/crypto-deposit.json")))!.AsObject();
        v2["read"] = new JsonObject { ["rights"] = new JsonArray("workorders:approve") };
        Assert.That(await factory.PublishAsync(v2), Is.EqualTo(2));
        var current = await DepositAsync(factory, "CDR-V2", "SA-VERSIONS");

        var checker = await factory.AsUserAsync("checker1");
        var list = await checker.GetObjectAsync("/api/crypto/deposits?customer=SA-VERSIONS");
        Assert.That(list.Items().Select(i => (i.Text("recordNo"), i!["definitionVersion"]!.GetValue<int>())), Is.EquivalentTo(new[] { ("CDR-V1", 1), ("CDR-V2", 2) }));
        Assert.That((await checker.GetObjectAsync("/api/crypto/deposits?customer=SA-VERSIONS&status=Wallet%20Address%20Under%20Verification"))["total"]!.GetValue<int>(), Is.EqualTo(2));
        Assert.That((await checker.GetObjectAsync($"/api/crypto/deposits/{old}"))["record"].Text("recordNo"), Is.EqualTo("CDR-V1"));
        using (var export = await checker.GetAsync("/api/crypto/deposits/export?customer=SA-VERSIONS"))
        {
            var csv = await export.Content.ReadAsStringAsync();
            Assert.That(csv, Does.Contain("CDR-V1").And.Contain("CDR-V2"));
        }

        var maker = await factory.AsUserAsync("maker1");
        foreach (var route in new[] { "/api/crypto/deposits?customer=SA-VERSIONS", $"/api/crypto/deposits/{old}", $"/api/crypto/deposits/{current}", "/api/crypto/deposits/export" })
        {
            using var refused = await maker.GetAsync(route);
            Assert.That(refused.StatusCode, Is.EqualTo(HttpStatusCode.Forbidden), route);
        }
        Assert.That((await maker.GetObjectAsync("/api/crypto/withdrawals"))["total"]!.GetValue<int>(), Is.Zero, "withdrawals keep their own rule");
    }

    [Test]
    public async Task On_the_embedded_SQLite_default_the_filters_detail_and_export_work_the_same()
    {
        await using var factory = ApiFactory.Sqlite();
        var id = await DepositAsync(factory, "CDR-SQLITE", "SA-SQLITE");
        await DepositAsync(factory, "CDR-OTHER", "SA-OTHER");
        var checker = await factory.AsUserAsync("checker1");
        var list = await checker.GetObjectAsync("/api/crypto/deposits?customer=SA-SQLITE&coin=BTC&status=wallet%20address%20under%20verification");
        Assert.That(list.Items().Select(i => i.Text("recordNo")), Is.EqualTo(OnlySqliteRecord));
        Assert.That((await checker.GetObjectAsync("/api/crypto/deposits?recordNo=CDR-OTHER"))["total"]!.GetValue<int>(), Is.EqualTo(1));
        var from = Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O"));
        Assert.That((await checker.GetObjectAsync($"/api/crypto/deposits?createdFrom={from}"))["total"]!.GetValue<int>(), Is.Zero);
        Assert.That((await checker.GetObjectAsync("/api/crypto/deposits/CDR-SQLITE"))["record"].Text("id"), Is.EqualTo(id));
        using var export = await checker.GetAsync("/api/crypto/deposits/export?customer=SA-SQLITE");
        var csv = await export.Content.ReadAsStringAsync();
        Assert.That(csv, Does.Contain("CDR-SQLITE,Wallet Address Under Verification,SA-SQLITE,BTC,BTC,0.30000000,").And.Not.Contain("CDR-OTHER"));
    }
}
