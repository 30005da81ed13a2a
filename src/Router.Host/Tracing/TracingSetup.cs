using OpenTelemetry;
using OpenTelemetry.Exporter;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Router.Contracts.Configuration;

namespace Router.Host.Tracing;

/// <summary>
/// Sends the router's spans by OTLP when <c>router.tracing.otlp-endpoint</c> is set. When it is not, no
/// TracerProvider is built and nothing listens to <see cref="RouterTracing.Source"/>, so no span is made.
/// OTLP exporter settings the config does not cover (OTEL_EXPORTER_OTLP_HEADERS for a collector's
/// credentials, timeouts) are read from the environment by the exporter itself.
/// </summary>
public static class TracingSetup
{
    public static IServiceCollection AddRouterTracing(this IServiceCollection services, TracingSettings settings)
    {
        if (settings.OtlpEndpoint is not { } endpoint) return services;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource.AddService(settings.ServiceName))
            .WithTracing(tracing => tracing
                .AddSource(RouterTracing.SourceName)
                // A caller that sampled its trace gets ours in it; new traces are kept at the configured ratio.
                .SetSampler(new ParentBasedSampler(new TraceIdRatioBasedSampler(settings.SampleRatio)))
                .AddOtlpExporter(otlp =>
                {
                    otlp.Endpoint = endpoint;
                    otlp.Protocol = settings.Protocol == OtlpProtocol.Grpc ? OtlpExportProtocol.Grpc : OtlpExportProtocol.HttpProtobuf;
                    otlp.ExportProcessorType = ExportProcessorType.Batch;
                    otlp.BatchExportProcessorOptions.ScheduledDelayMilliseconds = (int)settings.ExportDelay.TotalMilliseconds;
                }));
        return services;
    }

    /// <summary>The endpoint as an operator may see it in the log: no user info, no query.</summary>
    public static string Describe(TracingSettings settings) => settings.OtlpEndpoint is { } uri
        ? $"OTLP {(settings.Protocol == OtlpProtocol.Grpc ? "grpc" : "http/protobuf")} to {uri.Scheme}://{uri.Authority}{uri.AbsolutePath}, sampling {settings.SampleRatio:0.###}"
        : "off";
}
