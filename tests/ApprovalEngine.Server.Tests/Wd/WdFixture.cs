using ApprovalEngine.Server.Tests.Support;

namespace ApprovalEngine.Server.Tests.Wd;

/// <summary>One server on a fresh PostgreSQL database per WD fixture, and a driver that moves requests through the flow.</summary>
public abstract class WdFixture
{
    protected ApiFactory Factory { get; private set; } = null!;
    protected WdDriver Wd { get; private set; } = null!;

    [OneTimeSetUp]
    public async Task StartServerAsync()
    {
        Factory = await ApiFactory.PostgresAsync();
        Wd = new WdDriver(Factory);
    }

    [OneTimeTearDown]
    public async Task StopServerAsync() => await Factory.DisposeAsync();
}
