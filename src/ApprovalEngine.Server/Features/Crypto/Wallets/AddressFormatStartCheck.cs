using ApprovalEngine.Flows.Crypto;
using ApprovalEngine.Server.Features.Instances;
using ApprovalEngine.Server.Infrastructure;

namespace ApprovalEngine.Server.Features.Crypto.Wallets;

/// <summary>An address that cannot exist on its network is malformed input: 422 naming <c>input.address</c>, no record (<see cref="AddressRules"/>).</summary>
public sealed class AddressFormatStartCheck : IStartInputCheck
{
    public Task CheckAsync(string definitionId, IReadOnlyDictionary<string, object?> input, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (definitionId != WalletProjection.DefinitionId) return Task.CompletedTask;
        if (input.GetValueOrDefault("network") is not string network || input.GetValueOrDefault("address") is not string address) return Task.CompletedTask;
        if (AddressRules.FormatProblem(network, address) is { } problem) throw ApiProblemException.Invalid("input.address", problem);
        return Task.CompletedTask;
    }
}
