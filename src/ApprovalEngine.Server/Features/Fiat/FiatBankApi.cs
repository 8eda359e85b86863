using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Fiat.Bank;

namespace ApprovalEngine.Server.Features.Fiat;

/// <summary>Routes and services of the fiat bank side (statements, bills, reconciliation, bank files, cheques).</summary>
internal static class FiatBankApi
{
    public static void AddServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<IFiatBankFiles, FiatBankFiles>();
        services.AddSingleton<FiatStatements>();
        services.AddSingleton<FiatReconciliation>();
        services.AddSingleton<IStepObserver, FiatReconciledObserver>();
        services.AddSingleton<FiatStatementPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<FiatStatementPoller>());
    }

    public static void Map(RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        StatementRoutes.Map(group);
        ChequeRoutes.Map(group);
        SandboxBankRoutes.Map(group);
    }
}
