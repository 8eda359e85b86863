using System.Net;
using System.Net.Http.Json;
using ApprovalEngine.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;

namespace ApprovalEngine.Server.Tests.Fiat.Operations;

/// <summary>The embedded default (SQLite, tables from the model): the operations routes work there too.</summary>
public sealed class FiatOperationsSqliteTests
{
    [Test]
    public async Task Apply_pack_list_count_and_export_on_SQLite()
    {
        await using var factory = ApiFactory.Sqlite(FiatOps.Settings());
        factory.KnownCustomer("C-sqlite", known: true);
        var system = factory.AsSystem();
        var a = (await system.ApplyAsync("C-sqlite", 100m, "USD")).Text("id");
        var b = (await system.ApplyAsync("C-sqlite", 200m, "USD")).Text("id");
        await system.WaitForStatusAsync(a, "Withdrawal Pending");
        await system.WaitForStatusAsync(b, "Withdrawal Pending");
        // SQLite stores instants as ticks: the projection's raw upsert must write what the model reads back.
        var created = DateTimeOffset.Parse((await system.RecordAsync(a)).Text("createdAt"), System.Globalization.CultureInfo.InvariantCulture);
        Assert.That(created, Is.EqualTo(factory.Services.GetRequiredService<TimeProvider>().GetUtcNow()).Within(TimeSpan.FromMinutes(5)));
        var maker = await factory.AsUserAsync("maker1");
        var batch = await maker.PostObjectAsync("/api/fiat/batches", new { records = new[] { a, b } });
        Assert.That((batch["count"]!.GetValue<int>(), batch["total"]!.GetValue<decimal>()), Is.EqualTo((2, 300m)));
        var listed = await maker.GetObjectAsync($"/api/fiat/withdrawals?batchId={batch.Text("id")}&amountFrom=150");
        Assert.That(listed["total"]!.GetValue<int>(), Is.EqualTo(1));
        var cards = await maker.GetAsync("/api/fiat/withdrawals/cards");
        Assert.That(cards.StatusCode, Is.EqualTo(HttpStatusCode.OK), await cards.Content.ReadAsStringAsync());
        Assert.That(await cards.Content.ReadAsStringAsync(), Does.Contain("\"status\":\"Batch Pending\",\"count\":2,\"amount\":300"));
        var csv = await maker.GetAsync("/api/fiat/withdrawals/export.csv?customerId=C-sqlite&currency=USD");
        Assert.That((await csv.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries), Has.Length.EqualTo(3));
        var rejected = await maker.PostAsJsonAsync("/api/fiat/batches", new { records = new[] { a } });
        await ApiAssert.ProblemAsync(rejected, HttpStatusCode.UnprocessableEntity, "records");
    }
}
