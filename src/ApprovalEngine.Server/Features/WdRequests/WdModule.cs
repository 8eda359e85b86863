using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Flows.Wd;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Server.Features.WdRequests;

/// <summary>Registers the WD flow's domain activities with the ledger adapter the host provides.</summary>
public sealed class WdModule : IActivityModule
{
    /// <summary>The route that starts WD requests: it checks the account's owner and computes the available amount.</summary>
    public const string CreateRoute = "POST /api/wd-requests";

    public void Register(ActivityRegistry registry, IServiceProvider services) =>
        WdActivities.Register(registry, services.GetRequiredService<ILedger>(), services.GetRequiredService<TimeProvider>());

    public IReadOnlyDictionary<string, string> OwnedDefinitions { get; } = new Dictionary<string, string> { [WdVariables.DefinitionId] = CreateRoute };

    public const string ClientCancelRoute = "POST /api/wd-requests/{id}/client-cancel";

    public const string MassEditRoute = "POST /api/wd-requests/mass-edit";

    public IReadOnlyDictionary<string, string> InterruptRoutes { get; } = new Dictionary<string, string>
    {
        [WdEvents.ClientCancel] = ClientCancelRoute,
        [WdEvents.MassEditToDealing] = MassEditRoute,
        [WdEvents.MassEditToBackoffice] = MassEditRoute,
    };
}
