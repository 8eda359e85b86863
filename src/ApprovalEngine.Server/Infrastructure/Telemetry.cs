using ApprovalEngine.Server.Identity;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ApprovalEngine.Server.Infrastructure;

/// <summary>The <c>Telemetry</c> configuration section (README "Observability").</summary>
public sealed class TelemetryOptions
{
    public PrometheusSettings Prometheus { get; set; } = new();
    public OtlpSettings Otlp { get; set; } = new();
    public TracingSettings Tracing { get; set; } = new();
    public LoggingSettings Logging { get; set; } = new();

    public sealed class PrometheusSettings
    {
        /// <summary>Serve <c>/metrics</c>; unset means on in Development, off elsewhere.</summary>
        public bool? Enabled { get; set; }

        /// <summary>
        /// Let anyone scrape, without the <c>metrics:read</c> right. Only for a server whose port the public cannot
        /// reach: the numbers carry no customer data, but they show the business's volumes per department.
        /// </summary>
        public bool AllowAnonymous { get; set; }
    }

    public sealed class OtlpSettings
    {
        /// <summary>The collector's base address (e.g. http://otel-collector:4317); unset, nothing is exported over OTLP.</summary>
        public string? Endpoint { get; set; }

        /// <summary><c>grpc</c> (default, port 4317) or <c>http/protobuf</c> (port 4318; the /v1/… paths are added).</summary>
        public string? Protocol { get; set; }
    }

    public sealed class TracingSettings
    {
        /// <summary>Record spans; unset means on when an OTLP endpoint is set (spans nobody exports cost for nothing).</summary>
        public bool? Enabled { get; set; }
    }

    public sealed class LoggingSettings
    {
        /// <summary>One JSON object per line on the console, with the logging scopes (instance and correlation id of a step, trace id).</summary>
        public bool Json { get; set; }
    }
}

public static class Telemetry
{
    public const string ServiceName = "approval-engine";
    public const string MetricsPath = "/metrics";

    public static TelemetryOptions Read(IConfiguration config) => config.GetSection("Telemetry").Get<TelemetryOptions>() ?? new TelemetryOptions();

    public static bool PrometheusEnabled(TelemetryOptions options, IHostEnvironment environment) => options.Prometheus.Enabled ?? environment.IsDevelopment();

    /// <summary>The engine's meter and spans (<see cref="EngineMetrics"/>), ASP.NET Core, HttpClient and Npgsql, to the exporters configured.</summary>
    public static WebApplicationBuilder AddTelemetry(this WebApplicationBuilder builder)
    {
        var options = Read(builder.Configuration);
        if (options.Logging.Json)
        {
            builder.Logging.AddJsonConsole(o =>
            {
                o.IncludeScopes = true;
                o.UseUtcTimestamp = true;
                o.TimestampFormat = "yyyy-MM-dd'T'HH:mm:ss.fff'Z' ";
            });
        }
        var prometheus = PrometheusEnabled(options, builder.Environment);
        var otlp = !string.IsNullOrWhiteSpace(options.Otlp.Endpoint);
        var tracing = options.Tracing.Enabled ?? otlp;
        if (!prometheus && !otlp && !tracing) return builder;

        var otel = builder.Services.AddOpenTelemetry().ConfigureResource(r => r.AddService(ServiceName));
        if (prometheus || otlp)
        {
            otel.WithMetrics(m =>
            {
                m.AddMeter(EngineMetrics.Name).AddAspNetCoreInstrumentation().AddHttpClientInstrumentation();
                if (prometheus) m.AddPrometheusExporter();
            });
        }
        if (tracing)
        {
            otel.WithTracing(t => t
                .AddSource(EngineMetrics.Name)
                // Scrapes and health probes every few seconds would bury the traces worth reading.
                .AddAspNetCoreInstrumentation(o => o.Filter = http => !http.Request.Path.StartsWithSegments(MetricsPath) && !http.Request.Path.StartsWithSegments("/api/health"))
                .AddHttpClientInstrumentation()
                .AddNpgsql());
        }
        if (otlp)
        {
            var protocol = string.Equals(options.Otlp.Protocol, "http/protobuf", StringComparison.OrdinalIgnoreCase) ? OtlpExportProtocol.HttpProtobuf : OtlpExportProtocol.Grpc;
            // Traces (when recorded), metrics and logs to one collector; for http/protobuf the signal paths are appended.
            otel.UseOtlpExporter(protocol, new Uri(options.Otlp.Endpoint!));
        }
        return builder;
    }

    /// <summary>
    /// <c>/metrics</c> in the Prometheus text format when enabled: for callers holding <c>metrics:read</c> (the monitoring
    /// system's API key), or anyone with <c>Telemetry:Prometheus:AllowAnonymous</c>. Left out of the OpenAPI document:
    /// it is no API for clients (its format is Prometheus's own, described by Prometheus, not JSON), and a generated
    /// client has no use for it.
    /// </summary>
    public static void MapTelemetry(this WebApplication app)
    {
        var options = Read(app.Configuration);
        if (!PrometheusEnabled(options, app.Environment)) return;
        var endpoint = app.MapPrometheusScrapingEndpoint(MetricsPath).ExcludeFromDescription();
        if (options.Prometheus.AllowAnonymous) endpoint.AllowAnonymous();
        else endpoint.RequireAuthorization(Policies.ReadMetrics);
    }
}
