using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace ApprovalEngine.Server.Features.Health;

public static class HealthApi
{
    public static void MapHealthApi(this IEndpointRouteBuilder app) =>
        app.MapHealthChecks("/api/health").AllowAnonymous();
}

/// <summary>Healthy when Quartz runs (timers and job retries depend on it).</summary>
public sealed class SchedulerHealthCheck(ISchedulerFactory factory) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var scheduler = await factory.GetScheduler(cancellationToken);
        var status = await scheduler.GetStatus(cancellationToken);
        return status == SchedulerStatus.Running
            ? HealthCheckResult.Healthy("The scheduler is running.")
            : HealthCheckResult.Unhealthy("The scheduler is not running.");
    }
}
