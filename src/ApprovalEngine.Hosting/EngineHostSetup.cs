using ApprovalEngine.Workflows.Hosting;
using Microsoft.Extensions.Configuration;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace ApprovalEngine.Hosting;

public static class EngineHostSetup
{
    /// <summary>The runner that commits steps, and this node's pollers of due timers and job runs.</summary>
    public static IServiceCollection AddEngineHost(this IServiceCollection services, IConfiguration section)
    {
        services.Configure<EngineHostOptions>(section);
        services.AddSingleton<DueWorkSignal>();
        services.AddSingleton<EngineGauges>();
        // Webhooks replace this with their outbox's count.
        services.TryAddSingleton<IWebhookBacklog, NoWebhookBacklog>();
        services.AddSingleton(sp => new EngineMetrics(sp.GetService<IMeterFactory>(), sp.GetRequiredService<EngineGauges>(), sp.GetRequiredService<IWebhookBacklog>()));
        services.AddSingleton<WorkflowRunner>();
        services.AddSingleton<IWorkflowTriggerHandler>(sp => sp.GetRequiredService<WorkflowRunner>());
        services.AddSingleton<DueWorkPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<DueWorkPoller>());
        services.AddSingleton<EventInboxSignal>();
        services.AddSingleton<EventInbox>();
        services.AddSingleton<EventInboxPoller>();
        services.AddHostedService(sp => sp.GetRequiredService<EventInboxPoller>());
        return services;
    }
}
