namespace Router.Contracts.Configuration;

/// <summary>How OTLP reaches the collector.</summary>
public enum OtlpProtocol
{
    /// <summary>Protobuf over HTTP POST (port 4318, path <c>/v1/traces</c>): the default.</summary>
    HttpProtobuf,
    /// <summary>gRPC (port 4317).</summary>
    Grpc,
}

/// <summary>
/// <c>router.tracing</c>: OpenTelemetry traces, one span per proxied request and one per upstream attempt,
/// exported by OTLP to <paramref name="OtlpEndpoint"/>. Null endpoint: off, and nothing listens to the
/// router's spans.
/// </summary>
/// <param name="OtlpEndpoint">Where spans are sent, already completed with <c>/v1/traces</c> for HTTP.</param>
/// <param name="SampleRatio">The share of new traces recorded (0 to 1); a caller's sampled <c>traceparent</c> is always followed.</param>
/// <param name="ExportDelay">How long finished spans wait to be sent in one batch.</param>
public sealed record TracingSettings(Uri? OtlpEndpoint, OtlpProtocol Protocol, string ServiceName, double SampleRatio, TimeSpan ExportDelay)
{
    public static readonly TracingSettings Off = new(null, OtlpProtocol.HttpProtobuf, "router", 1.0, TimeSpan.FromSeconds(5));

    public bool Enabled => OtlpEndpoint is not null;
}
