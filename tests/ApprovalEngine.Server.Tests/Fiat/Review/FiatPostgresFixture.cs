using ApprovalEngine.Server.Tests.Fiat.Operations;
using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Fiat.Review;

/// <summary>One server on a fresh PostgreSQL database per fiat review fixture, with the fiat test identities (<see cref="FiatOps.Settings"/>).</summary>
public abstract class FiatPostgresFixture
{
    protected ApiFactory Factory { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync() => Factory = await ApiFactory.PostgresAsync(FiatOps.Settings());

    [OneTimeTearDown]
    public async Task StopServerAsync() => await Factory.DisposeAsync();
}
