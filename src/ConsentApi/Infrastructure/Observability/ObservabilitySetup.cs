using Microsoft.AspNetCore.RateLimiting;
using Npgsql;
using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace ConsentApi.Infrastructure.Observability;

public sealed class MetricsOptions
{
    public const string Section = "Metrics";

    /// <summary>How long the database gauges (outbox backlog and age, open takedowns) are reused between collections.</summary>
    public TimeSpan GaugeCacheDuration { get; set; } = TimeSpan.FromSeconds(5);

    public PrometheusOptions Prometheus { get; set; } = new();

    public sealed class PrometheusOptions
    {
        /// <summary>Serve the scrape endpoint. Off, the path is a plain 404 and nothing is collected for it.</summary>
        public bool Enabled { get; set; } = true;

        public string Path { get; set; } = "/metrics";

        /// <summary>
        /// When set, the endpoint answers only on connections to this local port (add it to the listening URLs, e.g.
        /// <c>ASPNETCORE_URLS=http://+:8080;http://+:9464</c>), so that the API's public port need not expose it.
        /// </summary>
        public int? Port { get; set; }
    }
}

public sealed class OtlpOptions
{
    public const string Section = "OpenTelemetry:Otlp";

    /// <summary>The collector's base address; without it (and without OTEL_EXPORTER_OTLP_ENDPOINT) nothing is exported.</summary>
    public Uri? Endpoint { get; set; }

    public OtlpExportProtocol Protocol { get; set; } = OtlpExportProtocol.Grpc;
}

/// <summary>
/// Traces, metrics and structured logs. Nothing leaves the process unless asked: the OTLP exporter is added only when an
/// endpoint is configured, and the Prometheus endpoint is pulled by a scraper. Every log line carries the trace it
/// belongs to, so a log search and a trace view meet.
/// </summary>
public static class ObservabilitySetup
{
    public const string ServiceName = "consent-api";

    /// <summary>
    /// Instruments the instrumentations bring along that are recorded on every request or every buffer the database
    /// connection reads or writes, and that tell an operator nothing the request and statement durations do not (README,
    /// Observability): Kestrel's memory pool, route matching, the authentication and authorisation attempts (their
    /// failures are the 401s and 403s in <c>http.server.request.duration</c>), and Npgsql's bytes read and written.
    /// Dropped, nothing listens to them, so nothing records them: under the check load they took about 1 % of the API's
    /// CPU (perf, README Performance).
    /// </summary>
    public static readonly string[] DroppedInstruments =
    [
        "aspnetcore.memory_pool.*",
        "aspnetcore.routing.match_attempts",
        "aspnetcore.authentication.*",
        "aspnetcore.authorization.*",
        "db.client.operation.npgsql.bytes_read",
        "db.client.operation.npgsql.bytes_written",
    ];

    public static WebApplicationBuilder AddConsentObservability(this WebApplicationBuilder builder)
    {
        var configuration = builder.Configuration;
        var services = builder.Services;
        services.Configure<MetricsOptions>(configuration.GetSection(MetricsOptions.Section));
        services.AddSingleton<DatabaseGauges>();
        services.AddSingleton<ConsentMetrics>();
        var metricsOptions = configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions();

        builder.Logging.Configure(options => options.ActivityTrackingOptions =
            ActivityTrackingOptions.TraceId | ActivityTrackingOptions.SpanId | ActivityTrackingOptions.ParentId);

        var otlp = configuration.GetSection(OtlpOptions.Section).Get<OtlpOptions>() ?? new OtlpOptions();
        var exports = otlp.Endpoint is not null || !string.IsNullOrWhiteSpace(configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);

        var telemetry = services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(ServiceName,
                serviceVersion: typeof(ObservabilitySetup).Assembly.GetName().Version?.ToString(),
                autoGenerateServiceInstanceId: false,
                serviceInstanceId: configuration["OpenTelemetry:ServiceInstanceId"] ?? $"{Environment.MachineName}-{Environment.ProcessId}"))
            .WithMetrics(metrics =>
            {
                metrics.AddMeter(ConsentMetrics.MeterName)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    .AddNpgsqlInstrumentation();
                foreach (var instrument in DroppedInstruments)
                {
                    metrics.AddView(instrument, MetricStreamConfiguration.Drop);
                }
                if (metricsOptions.Prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        if (!exports)
        {
            // Spans are recorded only when they go somewhere. Without an exporter, recording them (the request's and every
            // statement's, with their tags) cost each publication check CPU for spans nobody received; log lines and problem
            // details keep their trace id all the same, as ASP.NET Core starts each request's activity itself.
            return builder;
        }
        telemetry.WithTracing(tracing => tracing
            .AddAspNetCoreInstrumentation(options => options.Filter = context => !IsOperational(context, metricsOptions))
            .AddHttpClientInstrumentation()
            .AddNpgsql());
        if (otlp.Endpoint is not null)
        {
            telemetry.UseOtlpExporter(otlp.Protocol, otlp.Endpoint);
        }
        else
        {
            // The standard OTEL_EXPORTER_OTLP_* variables (endpoint, protocol, headers) configure it.
            telemetry.UseOtlpExporter();
        }
        return builder;
    }

    /// <summary>The Prometheus scrape endpoint: no API key, no rate limit, not part of the v1 contract.</summary>
    public static WebApplication MapMetricsEndpoint(this WebApplication app)
    {
        var prometheus = (app.Configuration.GetSection(MetricsOptions.Section).Get<MetricsOptions>() ?? new MetricsOptions()).Prometheus;
        if (!prometheus.Enabled)
        {
            return app;
        }
        app.MapPrometheusScrapingEndpoint(prometheus.Path, meterProvider: null, configureBranchedPipeline: branch =>
            {
                if (prometheus.Port is { } port)
                {
                    branch.Use((context, next) => context.Connection.LocalPort == port ? next(context) : NotFound(context));
                }
            }, optionsName: null)
            .AllowAnonymous()
            .DisableRateLimiting()
            .ExcludeFromDescription();
        return app;
    }

    private static Task NotFound(HttpContext context)
    {
        context.Response.StatusCode = StatusCodes.Status404NotFound;
        return Task.CompletedTask;
    }

    // Scrapes and probes every few seconds would drown the traces that matter.
    private static bool IsOperational(HttpContext context, MetricsOptions options) =>
        context.Request.Path.StartsWithSegments(options.Prometheus.Path) || context.Request.Path.StartsWithSegments("/health");
}
