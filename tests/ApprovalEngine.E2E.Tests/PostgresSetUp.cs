using ApprovalEngine.Testing;

namespace ApprovalEngine.E2E.Tests;

/// <summary>One throwaway PostgreSQL for the whole assembly.</summary>
[SetUpFixture]
public sealed class PostgresSetUp
{
    [OneTimeSetUp]
    public Task Start() => SharedPostgres.StartAsync();

    [OneTimeTearDown]
    public Task Stop() => SharedPostgres.StopAsync();
}
