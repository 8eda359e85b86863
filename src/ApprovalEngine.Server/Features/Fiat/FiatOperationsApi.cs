namespace ApprovalEngine.Server.Features.Fiat;

/// <summary>Routes and services of the fiat operations (applications, direct billing, batches, exceptions, records, indicator cards).</summary>
internal static class FiatOperationsApi
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
