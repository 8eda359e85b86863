using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Flows.WorkOrders;
using ApprovalEngine.Workflows.Activities;

namespace ApprovalEngine.Server.Features.WorkOrders;

/// <summary>
/// Registers the work-order, crypto and fiat activities (workflows/work-order-approval.json, crypto-*.json,
/// fiat-withdrawal.json) with the blockchain and bank adapters the host provides (the in-memory sandboxes for now).
/// </summary>
public sealed class WorkOrderModule : IActivityModule
{
    public void Register(ActivityRegistry registry, IServiceProvider services)
    {
        WorkOrderActivities.Register(registry);
        var chain = services.GetRequiredService<InMemoryBlockchainSandbox>();
        CryptoActivities.Register(registry, chain, chain, chain);
        var bank = services.GetRequiredService<InMemoryBankSandbox>();
        FiatActivities.Register(registry, bank, bank, bank, services.GetRequiredService<TimeProvider>());
    }
}
