using ApprovalEngine.Testing;

namespace ApprovalEngine.Persistence.Tests;

/// <summary>One PostgreSQL server for the whole assembly's run.</summary>
[SetUpFixture]
public sealed class PostgresSetUp
{
    [OneTimeSetUp]
    public Task Start() => SharedPostgres.StartAsync();

    [OneTimeTearDown]
    public Task Stop() => SharedPostgres.StopAsync();
}
