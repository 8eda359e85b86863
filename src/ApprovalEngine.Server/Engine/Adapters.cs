using ApprovalEngine.Adapters.Bank;
using ApprovalEngine.Adapters.Blockchain;
using ApprovalEngine.Adapters.Ledger;
using ApprovalEngine.Server.Features.Crypto.Sandbox;
using ApprovalEngine.Server.Features.Fiat.Bank;
using ApprovalEngine.Server.Features.Sandbox;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ApprovalEngine.Server.Engine;

/// <summary><c>Adapters:Mode</c>: which implementations stand behind the ledger, bank and custody interfaces.</summary>
public enum AdapterMode
{
    /// <summary>The in-process sandboxes (database trading accounts and bank, in-memory blockchain). Development only.</summary>
    Sandbox,

    /// <summary>Each adapter is chosen by name: <c>Adapters:Ledger</c>, <c>Adapters:Bank</c>, <c>Adapters:Custody</c>.</summary>
    Real,
}

/// <summary>The outside systems the flows talk to.</summary>
public enum AdapterKind
{
    /// <summary>The trading platform: <see cref="ILedger"/>.</summary>
    Ledger,

    /// <summary>
    /// Fiat payouts: <see cref="IBankGateway"/> (pay, pay a file, balance, statements). Channels, rules and history are
    /// the fiat feature's own stored configuration and records (ADR 13), not the bank's.
    /// </summary>
    Bank,

    /// <summary>
    /// Crypto custody: <see cref="IBlockchainGateway"/>. The coin configuration (<see cref="ICoinCatalog"/>) and the
    /// customers' verified addresses (<see cref="IWalletDirectory"/>) are the crypto feature's own tables (ADR 18).
    /// </summary>
    Custody,
}

/// <summary>
/// One implementation of an outside system, selectable by <paramref name="Name"/> in configuration. A real adapter
/// (HTTP client of the trading platform, the bank, the custody service) ships as one of these, registered with
/// <see cref="AdapterServiceCollectionExtensions.AddAdapter"/>; operators pick it with e.g. <c>Adapters:Ledger=Mt4</c>.
/// The object <paramref name="Create"/> returns must implement every interface of its <paramref name="Kind"/>.
/// </summary>
public sealed record AdapterBinding(AdapterKind Kind, string Name, Func<IServiceProvider, object> Create);

public static class AdapterServiceCollectionExtensions
{
    /// <summary>The name the sandboxes are registered under.</summary>
    public const string SandboxName = "Sandbox";

    /// <summary>Makes an adapter implementation available for <c>Adapters:{kind}</c> = <paramref name="name"/>.</summary>
    public static IServiceCollection AddAdapter(this IServiceCollection services, AdapterKind kind, string name, Func<IServiceProvider, object> create) =>
        services.AddSingleton(new AdapterBinding(kind, name, create));

    /// <summary>
    /// Binds the adapter interfaces to whatever <see cref="AdapterBinder"/> selects. The sandboxes are registered only
    /// in Sandbox mode, so in Real mode they cannot be reached at all (not even by a row in sandbox_trading_accounts).
    /// </summary>
    public static IServiceCollection AddAdapters(this IServiceCollection services, IConfiguration config)
    {
        var mode = AdapterBinder.ModeOf(config);
        if (mode == AdapterMode.Sandbox)
        {
            services.TryAddSingleton<DatabaseSandboxLedger>();
            // The sandbox chain is stored in the database (issue 13): a restart keeps broadcasts and confirmations.
            services.TryAddSingleton<DatabaseBlockchainSandbox>();
            // The in-memory sandbox keeps the development channels' opening balances the database bank starts from.
            services.TryAddSingleton(sp => InMemoryBankSandbox.WithDefaults(sp.GetRequiredService<TimeProvider>()));
            services.TryAddSingleton<DatabaseBankSandbox>();
            services.AddAdapter(AdapterKind.Ledger, SandboxName, sp => sp.GetRequiredService<DatabaseSandboxLedger>());
            services.AddAdapter(AdapterKind.Bank, SandboxName, sp => sp.GetRequiredService<DatabaseBankSandbox>());
            services.AddAdapter(AdapterKind.Custody, SandboxName, sp => sp.GetRequiredService<DatabaseBlockchainSandbox>());
        }
        services.AddHttpLedgerAndBank(config);
        // The REST adapters, selectable by name in Real mode (docs/adapters/).
        if (mode == AdapterMode.Real) Features.Crypto.Custody.HttpCustody.AddHttpCustody(services, config);
        services.AddSingleton<AdapterBinder>();
        services.AddSingleton(sp => sp.GetRequiredService<AdapterBinder>().Get<ILedger>(AdapterKind.Ledger));
        services.AddSingleton(sp => sp.GetRequiredService<AdapterBinder>().Get<IBankGateway>(AdapterKind.Bank));
        services.AddSingleton(sp => sp.GetRequiredService<AdapterBinder>().Get<IBlockchainGateway>(AdapterKind.Custody));
        return services;
    }
}

/// <summary>Chooses, per <see cref="AdapterKind"/>, the registered <see cref="AdapterBinding"/> configuration names; one instance per kind.</summary>
public sealed class AdapterBinder(IEnumerable<AdapterBinding> bindings, IConfiguration config, IServiceProvider services)
{
    private static readonly Dictionary<AdapterKind, Type[]> Contracts = new()
    {
        [AdapterKind.Ledger] = [typeof(ILedger)],
        [AdapterKind.Bank] = [typeof(IBankGateway)],
        [AdapterKind.Custody] = [typeof(IBlockchainGateway)],
    };

    private readonly List<AdapterBinding> _bindings = [.. bindings];
    private readonly Dictionary<AdapterKind, object> _instances = [];
    private readonly Lock _gate = new();

    public AdapterMode Mode { get; } = ModeOf(config);

    /// <summary><c>Adapters:Mode</c>; Sandbox when unset (the Development default — start-up refuses it elsewhere).</summary>
    public static AdapterMode ModeOf(IConfiguration config) =>
        Enum.TryParse<AdapterMode>(config["Adapters:Mode"], ignoreCase: true, out var mode) && Enum.IsDefined(mode) ? mode : AdapterMode.Sandbox;

    /// <summary>True when <c>Adapters:Mode</c> is set to something other than Sandbox or Real.</summary>
    public static bool ModeIsInvalid(IConfiguration config) =>
        config["Adapters:Mode"] is { Length: > 0 } text && !(Enum.TryParse<AdapterMode>(text, ignoreCase: true, out var mode) && Enum.IsDefined(mode) && !int.TryParse(text, out _));

    /// <summary>The configuration name selected for <paramref name="kind"/>.</summary>
    public string? SelectedName(AdapterKind kind) =>
        Mode == AdapterMode.Sandbox ? AdapterServiceCollectionExtensions.SandboxName : config[$"Adapters:{kind}"];

    /// <summary>Why <paramref name="kind"/> cannot be bound, or null when it can.</summary>
    public string? Problem(AdapterKind kind)
    {
        var name = SelectedName(kind);
        var known = string.Join(", ", _bindings.Where(b => b.Kind == kind).Select(b => b.Name));
        var available = known.Length > 0 ? $"available: {known}" : "no real adapter for it exists in this build";
        if (string.IsNullOrWhiteSpace(name)) return $"Adapters:{kind} is not set (Adapters:Mode is {Mode}; {available}).";
        return Find(kind, name) is null ? $"Adapters:{kind} names '{name}', which is not a known {kind} adapter ({available})." : null;
    }

    public T Get<T>(AdapterKind kind) where T : class
    {
        lock (_gate)
        {
            if (!_instances.TryGetValue(kind, out var instance))
            {
                var name = SelectedName(kind);
                var binding = (name is null ? null : Find(kind, name)) ?? throw new InvalidOperationException(Problem(kind));
                instance = binding.Create(services);
                var missing = Contracts[kind].FirstOrDefault(t => !t.IsInstanceOfType(instance));
                if (missing is not null) throw new InvalidOperationException($"Adapters:{kind} '{name}' ({instance.GetType().Name}) does not implement {missing.Name}.");
                _instances[kind] = instance;
            }
            return (T)instance;
        }
    }

    private AdapterBinding? Find(AdapterKind kind, string name) =>
        _bindings.LastOrDefault(b => b.Kind == kind && string.Equals(b.Name, name, StringComparison.OrdinalIgnoreCase));
}
