using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Flows.Fiat;
using ApprovalEngine.Persistence;
using ApprovalEngine.Server.Features.Fiat.Config;

namespace ApprovalEngine.Server.Features.Fiat;

/// <summary>Routes and services of the fiat configuration (channels, currencies, rules, limits, interception, review rules, settings, parameters).</summary>
internal static class FiatConfigApi
{
    public static void AddServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddSingleton<DbFiatConfigStore>();
        services.AddSingleton<IFiatConfigStore>(sp => sp.GetRequiredService<DbFiatConfigStore>());
        // After AddAdapters: the stored configuration wins over the sandbox bank's in-memory channels and history,
        // in every adapter mode (the bank adapter keeps paying, balances and statements).
        services.AddSingleton<DbWithdrawalChannels>();
        services.AddSingleton<IWithdrawalChannels>(sp => sp.GetRequiredService<DbWithdrawalChannels>());
        services.AddSingleton<IWithdrawalHistory>(sp => sp.GetRequiredService<DbWithdrawalChannels>());
        services.AddSingleton<IStepObserver, LimitRelease>();
        services.AddHostedService<ConfigSeed>();
        PendingChangeKinds.AddServices(services);
    }

    public static void Map(RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        var config = group.MapGroup("/config");
        BankAccountsEndpoints.Map(config);
        ChannelsEndpoints.Map(config);
        CurrenciesEndpoints.Map(config);
        WithdrawalRulesEndpoints.Map(config);
        DailyLimitsEndpoints.Map(config);
        InterceptionRulesEndpoints.Map(config);
        ReviewRulesEndpoints.Map(config);
        SettingsEndpoints.Map(config);
        PendingChanges.Map(config);
        WithdrawalParametersEndpoints.Map(config);
        JournalEndpoints.Map(config, group);
    }
}
