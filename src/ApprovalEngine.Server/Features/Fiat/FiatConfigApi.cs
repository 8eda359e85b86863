namespace ApprovalEngine.Server.Features.Fiat;

/// <summary>Routes and services of the fiat configuration (channels, currencies, rules, limits, interception, review rules, settings, parameters).</summary>
internal static class FiatConfigApi
{
    public static void AddServices(IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
    }

    public static void Map(RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
    }
}
