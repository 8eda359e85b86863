using System.Reflection;
using System.Text.Json;
using ApprovalEngine.Server.Features.Fiat.Records;
using ApprovalEngine.Server.Infrastructure;

namespace ApprovalEngine.Server.Features.Fiat.Config;

/// <summary>What replaying an approved change needs: the context the decision is saved in, the clocks and the approver.</summary>
public sealed record PendingReplay(FiatDbContext Db, FiatClock Clock, TimeProvider Time, ConfigCaller Caller);

/// <summary>
/// One kind of pending change (an entity and an action, e.g. ReviewRule + Disable): how an approved one is applied.
/// Implementations are found in this assembly and registered by <see cref="PendingChangeKinds.AddServices"/>: a new
/// weakening route brings its kind in its own file, nothing else changes.
/// </summary>
public interface IPendingChangeKind
{
    string Entity { get; }
    string Action { get; }

    /// <summary>Applies the stored request as the approver; the save it makes carries the decision too.</summary>
    Task ApplyAsync(PendingConfigChange change, PendingReplay replay, CancellationToken ct);
}

/// <summary>A kind whose stored body is a <typeparamref name="TBody"/>.</summary>
public abstract class PendingChangeKind<TBody>(string entity, string action) : IPendingChangeKind
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public string Entity => entity;
    public string Action => action;

    public Task ApplyAsync(PendingConfigChange change, PendingReplay replay, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(change);
        var body = JsonSerializer.Deserialize<TBody>(change.Body, Json) ?? throw ApiProblemException.Conflict($"Pending change {change.Id} has no body.");
        return ReplayAsync(change.EntityKey, body, replay, ct);
    }

    protected abstract Task ReplayAsync(string key, TBody body, PendingReplay replay, CancellationToken ct);
}

/// <summary>The registry of pending change kinds, by entity and action.</summary>
public sealed class PendingChangeKinds
{
    private readonly Dictionary<(string Entity, string Action), IPendingChangeKind> _kinds = [];

    public PendingChangeKinds(IEnumerable<IPendingChangeKind> kinds)
    {
        ArgumentNullException.ThrowIfNull(kinds);
        foreach (var kind in kinds)
        {
            if (!_kinds.TryAdd((kind.Entity, kind.Action), kind)) throw new InvalidOperationException($"Two pending change kinds for {kind.Entity} {kind.Action}.");
        }
    }

    public IReadOnlyCollection<(string Entity, string Action)> Known => _kinds.Keys;

    /// <summary>The kind, or null when this release cannot replay it (an approval then answers 409).</summary>
    public IPendingChangeKind? Find(string entity, string action) => _kinds.GetValueOrDefault((entity, action));

    /// <summary>Registers every concrete <see cref="IPendingChangeKind"/> of this assembly, and the registry.</summary>
    public static void AddServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        foreach (var type in typeof(PendingChangeKinds).Assembly.GetTypes().Where(t => t is { IsClass: true, IsAbstract: false } && typeof(IPendingChangeKind).IsAssignableFrom(t)))
        {
            services.AddSingleton(typeof(IPendingChangeKind), type);
        }
        services.AddSingleton<PendingChangeKinds>();
    }
}
