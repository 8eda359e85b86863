namespace ApprovalEngine.E2E.Tests;

/// <summary>
/// The Webhooks screen (issue 15) in chromium at 1280×800 against the real server on PostgreSQL, the shipped
/// sample-approval flow and the background dispatcher (designer/e2e/webhooks-scenarios.mjs).
/// </summary>
[TestFixture]
[NonParallelizable]
public sealed class WebhooksE2ETests() : NodeSuiteFixture("webhooks", "e2e_webhooks")
{
    [Test]
    public Task Supervisor_subscribes_sees_a_refused_delivery_retrying_resends_it_and_removes_it_and_an_operator_and_an_analyst_have_no_screen() => Scenario("webhooks-manage");
}
