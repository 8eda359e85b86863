using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Server.Features.WdRequests;

/// <summary>Registers the WD flow's domain activities with the ledger adapter the host provides.</summary>
public sealed class WdModule : IActivityModule
{
    public void Register(ActivityRegistry registry, IServiceProvider services) =>
        WdActivities.Register(registry, services.GetRequiredService<ILedger>(), services.GetRequiredService<TimeProvider>());
}
