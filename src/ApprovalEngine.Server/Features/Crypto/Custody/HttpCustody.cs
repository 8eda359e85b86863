using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Adapters.Http;
using ApprovalEngine.Server.Engine;

namespace ApprovalEngine.Server.Features.Crypto.Custody;

/// <summary>
/// The custody REST adapter (docs/adapters/custody.md) as <c>Adapters:Custody=Http</c> in Real mode, configured by
/// <c>Adapters:Http:Custody</c> (<see cref="HttpAdapterOptions"/>), and what start-up refuses about that section.
/// </summary>
public static class HttpCustody
{
    public const string AdapterName = "Http";
    public const string Section = "Adapters:Http:Custody";

    /// <summary>The section as configured (defaults where unset).</summary>
    public static HttpAdapterOptions Options(IConfiguration config) => config.GetSection(Section).Get<HttpAdapterOptions>() ?? new HttpAdapterOptions();

    /// <summary>Whether this server talks to custody through this adapter: Real mode with <c>Adapters:Custody=Http</c>.</summary>
    public static bool Selected(IConfiguration config) =>
        AdapterBinder.ModeOf(config) == AdapterMode.Real && string.Equals(config[$"Adapters:{AdapterKind.Custody}"], AdapterName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Real mode only: the signed, resilient client and the adapter under the name <see cref="AdapterName"/>.</summary>
    public static IServiceCollection AddHttpCustody(this IServiceCollection services, IConfiguration config)
    {
        var options = Options(config);
        services.AddSignedHttpAdapter(HttpBlockchainGateway.ClientName, options);
        services.AddAdapter(AdapterKind.Custody, AdapterName, sp => new HttpBlockchainGateway(
            sp.GetRequiredService<IHttpClientFactory>().CreateClient(HttpBlockchainGateway.ClientName), sp.GetRequiredService<TimeProvider>()));
        return services;
    }

    /// <summary>What is wrong with <c>Adapters:Http:Custody</c> when the adapter is selected; empty otherwise.</summary>
    public static IEnumerable<string> Problems(IConfiguration config, bool development) =>
        Selected(config) ? Options(config).Problems(Section, development) : [];
}
