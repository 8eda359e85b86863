using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Api;

/// <summary>
/// Review: the status matrix is open to every signed-in user, so its walk is bounded on every route — in steps (a chain
/// of diamonds) and in the characters of the conditions it joins (a few long conditions on a short chain).
/// </summary>
[TestFixture]
public sealed class MatrixBudgetTests
{
    private ApiFactory _factory = null!;
    private HttpClient _analyst = null!;

    [OneTimeSetUp]
    public async Task SetUp()
    {
        _factory = await ApiFactory.PostgresAsync();
        _analyst = await _factory.AsUserAsync("analyst1");
    }

    [OneTimeTearDown]
    public async Task TearDown() => await _factory.DisposeAsync();

    /// <summary>start → task; Approve → d0 → … → d(n-1) (both branches of each to the next) → done.</summary>
    private static JsonObject Diamonds(string id, int decisions, string condition)
    {
        var flow = TestFlows.SingleTask(id);
        var activities = flow["activities"]!.AsArray();
        var connections = new JsonArray
        {
            new JsonObject { ["source"] = "start", ["outcome"] = "Done", ["target"] = "task" },
            new JsonObject { ["source"] = "task", ["outcome"] = "Approve", ["target"] = "d0" },
        };
        for (var i = 0; i < decisions; i++)
        {
            activities.Add(new JsonObject { ["id"] = $"d{i}", ["type"] = "Decision", ["inputs"] = new JsonObject { ["condition"] = condition } });
            foreach (var outcome in new[] { "True", "False" }) connections.Add(new JsonObject { ["source"] = $"d{i}", ["outcome"] = outcome, ["target"] = i == decisions - 1 ? "done" : $"d{i + 1}" });
        }
        flow["connections"] = connections;
        return flow;
    }

    [Test]
    public async Task The_matrix_of_a_valid_saved_draft_with_too_many_paths_is_422_for_any_reader_not_a_runaway_walk()
    {
        var id = $"mx-{Guid.NewGuid():N}"[..16];
        var saved = await _analyst.PutObjectAsync($"/api/definitions/{id}/draft", Diamonds(id, 20, "true"));
        Assert.That(saved["valid"]!.GetValue<bool>(), Is.True, saved.ToJsonString());
        var reader = await _factory.AsUserAsync("cs1");
        var refused = await ApiAssert.ProblemAsync(await reader.GetAsync($"/api/definitions/{id}/matrix"), HttpStatusCode.UnprocessableEntity);
        Assert.That(refused.Text("detail"), Does.Contain("too many paths"));
        // the shipped flows still get their matrix under the budget
        Assert.That((await reader.GetObjectAsync("/api/definitions/wd-request/matrix"))["rows"]!.AsArray(), Is.Not.Empty);
    }

    [Test]
    public async Task Long_conditions_on_a_short_chain_of_diamonds_are_refused_within_the_body_cap_not_answered_with_megabytes()
    {
        var id = $"mx-{Guid.NewGuid():N}"[..16];
        var condition = string.Concat(Enumerable.Repeat("amount > 1 || ", 320)) + "true";
        var body = Diamonds(id, 10, condition);
        Assert.That(body.ToJsonString().Length, Is.LessThan(64 * 1024), "within the route's body cap");
        var before = await _factory.SnapshotAsync();
        var response = await _analyst.PostAsJsonAsync("/api/definitions/matrix", body);
        var refused = await ApiAssert.ProblemAsync(response, HttpStatusCode.UnprocessableEntity);
        Assert.That(refused.Text("detail"), Does.Contain("too many paths"));
        Assert.That(await _factory.SnapshotAsync(), Is.EqualTo(before));
    }
}
