using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;

namespace ApprovalEngine.Server.Features.Health;

public static class HealthApi
{
    /// <summary>
    /// /api/health/live: the process answers (restart it if not; it checks nothing else, so a database outage does not
    /// get healthy nodes restarted). /api/health/ready and /api/health: the database and the scheduler are up (send
    /// traffic). 200 Healthy or 503 Unhealthy.
    /// </summary>
    public static void MapHealthApi(this IEndpointRouteBuilder app)
    {
        app.MapHealthChecks("/api/health").AllowAnonymous();
        app.MapHealthChecks("/api/health/ready").AllowAnonymous();
        app.MapHealthChecks("/api/health/live", new Microsoft.AspNetCore.Diagnostics.HealthChecks.HealthCheckOptions { Predicate = _ => false }).AllowAnonymous();
    }
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
