using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Flows.WorkOrders;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Server.Features.WorkOrders;

/// <summary>
/// Registers the work-order, crypto and fiat activities (workflows/work-order-approval.json, crypto-*.json,
/// fiat-withdrawal.json) with the custody and bank adapters bound by <c>Adapters:Mode</c> (see Engine/Adapters.cs).
/// </summary>
public sealed class WorkOrderModule : IActivityModule
{
    public void Register(ActivityRegistry registry, IServiceProvider services)
    {
        WorkOrderActivities.Register(registry);
        CryptoActivities.Register(registry, services.GetRequiredService<ICoinCatalog>(), services.GetRequiredService<IWalletDirectory>(), services.GetRequiredService<IBlockchainGateway>());
        FiatActivities.Register(registry, services.GetRequiredService<IWithdrawalChannels>(), services.GetRequiredService<IWithdrawalHistory>(), services.GetRequiredService<IBankGateway>(),
            services.GetRequiredService<TimeProvider>(), services.GetRequiredService<IFiatRepayments>(),
            services.GetRequiredService<IFiatBatchFiles>(), services.GetRequiredService<IFiatConfigStore>());
    }
}
