using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Server.Engine;

namespace ApprovalEngine.Server.Tests.Startup;

/// <summary>
/// <c>Adapters:Ledger=Http</c> / <c>Adapters:Bank=Http</c> are real adapters that exist; start-up refuses a selected one
/// whose <c>Adapters:Http:{Kind}</c> section is missing or unsafe, naming the setting, and starts with a good one.
/// </summary>
public sealed class HttpAdapterStartupTests
{
    private const string Key = "a-service-signing-key-of-at-least-32-chars";

    private static ProductionHost Host(Action<Dictionary<string, string?>> change)
    {
        var settings = ProductionHost.ValidSettings();
        settings["Adapters:Ledger"] = "Http";
        settings["Adapters:Bank"] = "Http";
        foreach (var kind in new[] { "Ledger", "Bank" })
        {
            settings[$"Adapters:Http:{kind}:BaseAddress"] = $"https://{kind.ToLowerInvariant()}.internal/api/";
            settings[$"Adapters:Http:{kind}:SigningKey"] = Key;
        }
        change(settings);
        return new ProductionHost(settings).WithServices(s => s.AddAdapter(AdapterKind.Custody, "StandIn", _ => new InMemoryBlockchainSandbox()));
    }

    [Test]
    public void Production_with_the_Http_ledger_and_bank_configured_starts()
    {
        using var host = Host(_ => { });
        Assert.That(host.TryStart(), Is.Null, string.Join(" | ", host.CriticalLines()));
    }

    [TestCase("Adapters:Http:Ledger:BaseAddress", null, "Adapters:Http:Ledger:BaseAddress must be an absolute URL", TestName = "Production_with_the_Http_ledger_but_no_address_refuses_to_start")]
    [TestCase("Adapters:Http:Bank:BaseAddress", "http://bank.internal/", "Adapters:Http:Bank:BaseAddress must be https", TestName = "Production_with_the_Http_bank_on_plain_http_refuses_to_start")]
    [TestCase("Adapters:Http:Bank:SigningKey", "short", "Adapters:Http:Bank:SigningKey must be at least 32 characters", TestName = "Production_with_a_short_bank_signing_key_refuses_to_start")]
    [TestCase("Adapters:Http:Bank:WebhookKeys:0", "short", "Adapters:Http:Bank:WebhookKeys must each be whsec_ followed by base64", TestName = "Production_with_a_short_bank_webhook_key_refuses_to_start")]
    // A whsec_ key that is not base64 used to pass start-up and make every delivery a 500 (attacker review).
    [TestCase("Adapters:Http:Bank:WebhookKeys:0", "whsec_this-is-not-base64-at-all-but-long-enough!!", "Adapters:Http:Bank:WebhookKeys must each be whsec_ followed by base64", TestName = "Production_with_a_malformed_whsec_bank_webhook_key_refuses_to_start")]
    [TestCase("Adapters:Http:Bank:WebhookKeys:0", "whsec_c2hvcnQ=", "Adapters:Http:Bank:WebhookKeys must each be whsec_ followed by base64", TestName = "Production_with_a_too_short_whsec_bank_webhook_key_refuses_to_start")]
    public void Production_with_a_bad_http_adapter_section_refuses_naming_it(string setting, string? value, string expected)
    {
        using var host = Host(s => s[setting] = value);
        var error = host.TryStart();
        Assert.That(ProductionHost.Messages(error), Has.Some.Contains(expected), string.Join(" | ", ProductionHost.Messages(error)));
        Assert.That(host.CriticalLines(), Has.Count.EqualTo(1));
    }
}
