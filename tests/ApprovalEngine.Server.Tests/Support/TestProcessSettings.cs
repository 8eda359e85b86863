using System.Runtime.CompilerServices;

namespace ApprovalEngine.Server.Tests.Support;

internal static class TestProcessSettings
{
    /// <summary>
    /// The suite starts dozens of in-process servers; each would watch its appsettings files with an inotify instance
    /// and Linux allows 128 per user, so a long run failed with "the configured user limit (128) on the number of
    /// inotify instances has been reached". Test servers never need configuration reloads.
    /// </summary>
    [ModuleInitializer]
    internal static void Initialize()
    {
        Environment.SetEnvironmentVariable("DOTNET_hostBuilder__reloadConfigOnChange", "false");
        Environment.SetEnvironmentVariable("DOTNET_USE_POLLING_FILE_WATCHER", "1");
    }
}
