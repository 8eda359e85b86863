namespace ApprovalEngine.Testing;

/// <summary>
/// One <see cref="PostgresServer"/> per test run. Each test assembly has a tiny NUnit <c>[SetUpFixture]</c> that calls
/// <see cref="StartAsync"/> in <c>[OneTimeSetUp]</c> and <see cref="StopAsync"/> in <c>[OneTimeTearDown]</c>:
/// <code>
/// [SetUpFixture]
/// public sealed class PostgresSetUp
/// {
///     [OneTimeSetUp] public Task Start() => SharedPostgres.StartAsync();
///     [OneTimeTearDown] public Task Stop() => SharedPostgres.StopAsync();
/// }
/// </code>
/// A server that cannot start does not fail the set-up (tests that do not need PostgreSQL still run): the error is
/// kept and rethrown, with its explanation, by every test that asks for a database.
/// </summary>
public static class SharedPostgres
{
    private static readonly SemaphoreSlim Gate = new(1, 1);
    private static PostgresServer? _server;
    private static Exception? _startError;

    /// <summary>Starts the shared server unless it runs already. Never throws: see <see cref="GetAsync"/>.</summary>
    public static async Task StartAsync()
    {
        try
        {
            await GetAsync();
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException or IOException or Npgsql.NpgsqlException)
        {
            await TestContext.Progress.WriteLineAsync($"PostgreSQL for tests is not available; the tests that need it will fail: {ex.Message}");
        }
    }

    /// <summary>The shared server, started on first use; throws the start-up error if it could not start.</summary>
    public static async Task<PostgresServer> GetAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_server is not null) return _server;
            if (_startError is not null) throw new InvalidOperationException($"The shared test PostgreSQL server could not start: {_startError.Message}", _startError);
            try
            {
                _server = await PostgresServer.StartAsync();
                return _server;
            }
            catch (Exception ex)
            {
                _startError = ex;
                throw;
            }
        }
        finally
        {
            Gate.Release();
        }
    }

    /// <summary>A connection string to a fresh, empty database on the shared server.</summary>
    public static async Task<string> CreateDatabaseAsync(string? namePrefix = null) =>
        await (await GetAsync()).CreateDatabaseAsync(namePrefix);

    /// <summary>
    /// A connection string to a fresh copy of the template database <paramref name="templateKey"/> on the shared server,
    /// which <paramref name="prepare"/> makes once per run (e.g. migrated): see <see cref="PostgresServer.TemplateAsync"/>.
    /// </summary>
    public static async Task<string> CreateDatabaseAsync(string? namePrefix, string templateKey, Func<string, Task> prepare)
    {
        var server = await GetAsync();
        return await server.CreateDatabaseAsync(namePrefix, await server.TemplateAsync(templateKey, prepare));
    }

    public static async Task StopAsync()
    {
        await Gate.WaitAsync();
        try
        {
            if (_server is not null) await _server.DisposeAsync();
            _server = null;
            _startError = null;
        }
        finally
        {
            Gate.Release();
        }
    }
}
