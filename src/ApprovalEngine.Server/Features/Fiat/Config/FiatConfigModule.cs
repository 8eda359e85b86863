using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Flows.Fiat.Activities;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <summary>
/// Registers the configured fiat activities (EvaluateFiatApplication, CheckFiatPayout, LoadFiatSettings) unless
/// FiatActivities.Register already did: the registration belongs there (the operations side owns it); this keeps
/// them available until it does, and steps aside afterwards.
/// </summary>
public sealed class FiatConfigModule : IActivityModule
{
    public void Register(ActivityRegistry registry, IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(registry);
        var store = services.GetRequiredService<IFiatConfigStore>();
        if (!registry.TryGet("EvaluateFiatApplication", out _)) registry.Register(new EvaluateFiatApplication(store));
        if (!registry.TryGet("CheckFiatPayout", out _)) registry.Register(new CheckFiatPayout(store, services.GetRequiredService<IBankGateway>()));
        if (!registry.TryGet("LoadFiatSettings", out _)) registry.Register(new LoadFiatSettings(store));
    }
}
