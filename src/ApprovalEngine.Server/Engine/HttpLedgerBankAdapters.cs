using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Adapters.Http;
using ApprovalEngine.Adapters.Ledger;

namespace ApprovalEngine.Server.Engine;

/// <summary>
/// The REST adapters of the trading platform and the bank (issue 15), selectable in Real mode as
/// <c>Adapters:Ledger=Http</c> and <c>Adapters:Bank=Http</c>, configured by <c>Adapters:Http:Ledger</c> and
/// <c>Adapters:Http:Bank</c> (<see cref="HttpAdapterOptions"/>). A selected adapter with a bad section stops start-up.
/// </summary>
public static class HttpLedgerBankAdapters
{
    public const string Name = "Http";

    public static string Section(AdapterKind kind) => $"Adapters:Http:{kind}";

    /// <summary>The configured options of <paramref name="kind"/>'s REST adapter (defaults where unset).</summary>
    public static HttpAdapterOptions Options(IConfiguration config, AdapterKind kind) =>
        config.GetSection(Section(kind)).Get<HttpAdapterOptions>() ?? new HttpAdapterOptions();

    /// <summary>True when Real mode selects the REST adapter for <paramref name="kind"/>.</summary>
    public static bool Selected(IConfiguration config, AdapterKind kind) =>
        AdapterBinder.ModeOf(config) == AdapterMode.Real && string.Equals(config[$"Adapters:{kind}"], Name, StringComparison.OrdinalIgnoreCase);

    /// <summary>Registers the ledger's and the bank's REST adapters (Real mode only; the sandboxes stand there otherwise).</summary>
    public static IServiceCollection AddHttpLedgerAndBank(this IServiceCollection services, IConfiguration config)
    {
        if (AdapterBinder.ModeOf(config) != AdapterMode.Real) return services;
        services.AddSignedHttpAdapter(HttpLedger.ClientName, Options(config, AdapterKind.Ledger));
        services.AddSignedHttpAdapter(HttpBankGateway.ClientName, Options(config, AdapterKind.Bank));
        services.AddAdapter(AdapterKind.Ledger, Name, sp => new HttpLedger(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpLedger.ClientName)));
        services.AddAdapter(AdapterKind.Bank, Name, sp => new HttpBankGateway(sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpBankGateway.ClientName)));
        return services;
    }

    /// <summary>What is wrong with the selected REST adapters' sections; start-up refuses to serve with any.</summary>
    public static IEnumerable<string> Problems(IConfiguration config, bool development) =>
        new[] { AdapterKind.Ledger, AdapterKind.Bank }.Where(k => Selected(config, k)).SelectMany(k => Options(config, k).Problems(Section(k), development));
}
