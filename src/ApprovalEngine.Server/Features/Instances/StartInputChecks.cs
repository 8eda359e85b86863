namespace ApprovalEngine.Server.Features.Instances;

/// <summary>
/// A domain's check of start inputs against its own data (e.g. a coin amount against the coin's configured decimals),
/// run by <see cref="InstanceStarter"/> on every start route before anything is written. The definition's own input
/// constraints have no access to stored configuration; this is where a family adds what only it knows.
/// </summary>
public interface IStartInputCheck
{
    /// <summary>Throws an <see cref="Infrastructure.ApiProblemException"/> (422 naming <c>input.&lt;name&gt;</c>) when an input cannot be accepted.</summary>
    Task CheckAsync(string definitionId, IReadOnlyDictionary<string, object?> input, CancellationToken cancellationToken);
}
